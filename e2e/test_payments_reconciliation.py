"""消込 in the staff console, in a browser: an officer previews a convenience-store
preliminary notice file (dry run), imports it, resolves the exception it leaves (a
payment of the wrong amount, matched by hand), and opens the daily collection report
with its chart. Every page is checked with axe-core and against the
Content-Security-Policy (conftest)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from madoguchi.accounts.models import Role
from madoguchi.core.models import Municipality
from madoguchi.payments.models import Invoice, InvoiceStatus, NoticeStatus, PaymentNotice, PaymentSettings
from madoguchi.payments.tests.factories import make_invoice
from madoguchi.payments.tests.notice_files import COMPANY_CODE, CvsPayment, convenience_file
from madoguchi.testing.factories import make_staff

from .sessions import sign_in
from .test_staff_console import console_assets, serve_assets

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

__all__ = ["console_assets"]


@pytest.fixture(autouse=True)
def _assets(context: BrowserContext, console_assets: dict[str, tuple[str, bytes]]) -> None:
    serve_assets(context, console_assets)


def test_an_officer_imports_a_notice_file_and_resolves_an_exception(
    page: Page, base_url: str, kasama: Municipality, tmp_path: Path
) -> None:
    PaymentSettings.objects.update_or_create(municipality=kasama, defaults={"convenience_company_code": COMPANY_CODE})
    officer = make_staff(kasama, Role.OFFICER)
    paid = make_invoice(kasama, amount=3_000)
    short = make_invoice(kasama, amount=5_000)
    notice_file = tmp_path / "sokuho-20261120.txt"
    notice_file.write_bytes(convenience_file([CvsPayment(paid, receipt=1), CvsPayment(short, amount=4_000, receipt=2)]))
    sign_in(page.context, base_url, officer)

    page.goto(f"{base_url}/staff/payments/notices/")
    page.get_by_role("link", name="ファイルを取り込む").click()
    page.get_by_label("形式").select_option("convenience")
    page.get_by_label("収納データのファイル").set_input_files(str(notice_file))
    page.get_by_role("button", name="内容を確認する").click()
    expect(page.locator("main")).to_contain_text("まだ取り込んでいません")
    expect(page.locator("main")).to_contain_text("金額が異なる")
    assert Invoice.unscoped.get(pk=paid.pk).status == InvoiceStatus.UNPAID
    page.get_by_role("button", name="このファイルを取り込む").click()
    expect(page.locator("main")).to_contain_text("sokuho-20261120.txt")
    assert Invoice.unscoped.get(pk=paid.pk).status == InvoiceStatus.PAID

    page.goto(f"{base_url}/staff/payments/exceptions/")
    page.get_by_label("要確認の理由").select_option("amount_differs")
    page.get_by_role("button", name="絞り込む").click()
    page.get_by_role("link", name=short.number).click()
    expect(page.locator("main")).to_contain_text(short.payer_name)
    page.get_by_label("理由・確認の内容").fill("一部納付として受け入れ（電話で確認）")
    page.get_by_role("button", name="この納付書に消し込む").click()
    expect(page.locator("main")).to_contain_text(f"納付書 {short.number} に消し込みました")
    notice = PaymentNotice.unscoped.get(invoice_number=short.number)
    assert notice.status == NoticeStatus.RESOLVED
    assert Invoice.unscoped.get(pk=short.pk).status == InvoiceStatus.PARTLY_PAID

    page.goto(f"{base_url}/staff/payments/collection-report/")
    page.get_by_label("収納日（から）").fill("2026-11-01")
    page.get_by_label("収納日（まで）").fill("2026-11-30")
    page.get_by_role("button", name="表示する").click()
    chart = page.get_by_role("img", name=re.compile("チャネル別の収納額"))
    expect(chart).to_be_visible()
    expect(page.locator("figure table")).to_contain_text("7000")
    expect(page.locator("main")).to_contain_text("コンビニエンスストア")
