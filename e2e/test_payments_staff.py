"""納付書 in the staff console, in a browser: a counter clerk finds a resident's invoice by
the reading of the name typed in hiragana, gives the reason for opening it, and records
the cash paid at the counter; an officer imports the tax system's CSV — first a file
with a wrong row, refused with its line and column, then a good one, checked (dry run)
and imported with one click.
Every page is checked with axe-core and against the Content-Security-Policy (conftest)."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from madoguchi.accounts.models import Role
from madoguchi.core.models import Municipality
from madoguchi.core.tenancy import municipality_scope
from madoguchi.payments.models import Channel, Invoice, InvoiceStatus
from madoguchi.payments.tests.factories import make_invoice
from madoguchi.payments.tests.test_imports import GOOD, csv_bytes
from madoguchi.testing.factories import make_staff

from .sessions import sign_in
from .test_staff_console import console_assets, serve_assets

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

__all__ = ["console_assets"]


@pytest.fixture(autouse=True)
def _assets(context: BrowserContext, console_assets: dict[str, tuple[str, bytes]]) -> None:
    serve_assets(context, console_assets)


def test_a_clerk_finds_an_invoice_and_records_a_counter_payment(
    page: Page, base_url: str, kasama: Municipality
) -> None:
    invoice = make_invoice(kasama, amount=4_500, payer_name="笠間 太郎", payer_name_kana="カサマ　タロウ")
    make_invoice(kasama, amount=9_000, payer_name="友部 花子", payer_name_kana="トモベ　ハナコ")
    clerk = make_staff(kasama, Role.COUNTER_CLERK)
    sign_in(page.context, base_url, clerk)

    page.goto(f"{base_url}/staff/payments/invoices/")
    search = page.get_by_role("textbox", name="検索")
    search.fill("かさま")
    search.press("Enter")
    expect(page.get_by_role("link", name=invoice.number)).to_be_visible()
    expect(page.locator("main")).not_to_contain_text("友部 花子")
    page.get_by_role("link", name=invoice.number).click()

    # The payer's personal data: a reason first, then the page.
    expect(page.get_by_role("heading", name="閲覧の理由", level=2)).to_be_visible()
    page.get_by_label("目的").select_option(label="本人からの問い合わせ・申請への対応")
    page.get_by_label("具体的な理由").fill("窓口で本人から納付の申出があったため")
    page.get_by_role("button", name="理由を記録して開く").click()
    expect(page.locator("main")).to_contain_text("この閲覧は監査ログに記録されました。")
    expect(page.locator("main")).to_contain_text("窓口で本人から納付の申出があったため")
    expect(page.get_by_label("金額（円）")).to_have_value("4500")
    page.get_by_label("領収番号").fill("R-0001")
    page.get_by_role("button", name="収納を記録する").click()
    expect(page.locator(".messages")).to_contain_text("4,500円 の窓口収納を記録しました。")
    expect(page.locator("main")).to_contain_text("納付済み")
    expect(page.get_by_role("button", name="収納を記録する")).to_have_count(0)
    with municipality_scope(kasama):
        fresh = Invoice.objects.get(pk=invoice.pk)
        assert fresh.status == InvoiceStatus.PAID
        assert fresh.payments.get().channel == Channel.COUNTER


def test_an_officer_imports_the_tax_csv_after_a_dry_run(
    page: Page, base_url: str, kasama: Municipality, tmp_path: Path
) -> None:
    officer = make_staff(kasama, Role.OFFICER)
    sign_in(page.context, base_url, officer)
    broken = tmp_path / "broken.csv"
    broken.write_bytes(csv_bytes(GOOD[0], "1000003,,,,,犬税,2025,1,100,2025-06-30,,T-2025-0003", encoding="cp932"))
    good = tmp_path / "chotei.csv"
    good.write_bytes(csv_bytes(*GOOD, encoding="cp932"))

    page.goto(f"{base_url}/staff/payments/invoice-import/")
    page.get_by_label("CSVファイル").set_input_files(broken)
    page.get_by_role("button", name="内容を確認する").click()
    rejected = page.get_by_role("table", name="誤りのある行")
    expect(rejected).to_contain_text("氏名")
    expect(rejected).to_contain_text("「犬税」は科目として登録されていません。")
    expect(page.get_by_role("button", name="2 件を取り込む")).to_have_count(0)

    page.get_by_label("CSVファイル").set_input_files(good)
    page.get_by_role("button", name="内容を確認する").click()
    expect(page.get_by_role("table", name="新しく作る納付書")).to_contain_text("T-2025-0002")
    with municipality_scope(kasama):
        assert not Invoice.objects.exists()
    page.get_by_role("button", name="2 件を取り込む").click()
    expect(page.locator(".messages")).to_contain_text("納付書を 2 件取り込みました")
    expect(page.locator("main")).to_contain_text("友部 花子")
    with municipality_scope(kasama):
        assert Invoice.objects.count() == 2
