"""口座振替 in the staff console, in a browser: an officer registers a payer's account with
the bank and branch looked up from the Zengin data, creates the month's transfer batch,
downloads the Zengin request file, and uploads the bank's result file — first a broken
one, refused with its line and field, then the right one, which settles the invoice.
Every page is checked with axe-core and against the Content-Security-Policy (conftest)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from pathlib import Path

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from madoguchi.accounts.models import Role
from madoguchi.core.models import Municipality
from madoguchi.payments import zengin
from madoguchi.payments.models import Invoice, InvoiceStatus, TransferBatch
from madoguchi.payments.tests.factories import make_invoice
from madoguchi.payments.tests.transfer_factories import transfer_settings
from madoguchi.testing.factories import make_staff

from .sessions import sign_in
from .test_staff_console import console_assets, serve_assets

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

__all__ = ["console_assets"]

DAY = dt.date(2026, 5, 27)


@pytest.fixture(autouse=True)
def _assets(context: BrowserContext, console_assets: dict[str, tuple[str, bytes]]) -> None:
    serve_assets(context, console_assets)


def test_an_officer_runs_a_month_of_account_transfer(
    page: Page, base_url: str, kasama: Municipality, tmp_path: Path
) -> None:
    transfer_settings(kasama)
    officer = make_staff(kasama, Role.OFFICER)
    invoice = make_invoice(kasama, payer_number="1000009", due_date=DAY, amount=8_800)
    sign_in(page.context, base_url, officer)

    page.goto(f"{base_url}/staff/payments/bank-accounts/add/")
    expect(page.get_by_role("heading", name="口座振替の登録").first).to_be_visible()
    page.get_by_label("納付者氏名・名称").fill("笠間 次郎")
    page.get_by_label("宛名番号").fill("1000009")
    # The bank is found by name with the keyboard (the picker of madoguchi.japanese),
    # the branch named as its code is typed.
    page.get_by_text("金融機関を名前で探す").click()
    page.get_by_label("金融機関名（ひらがな・カタカナも可）").press_sequentially("じょうよう")
    page.get_by_role("button", name="常陽（ジヨウヨウ） 0130").press("Enter")
    expect(page.get_by_label("金融機関コード")).to_have_value("0130")
    page.get_by_label("支店コード（店番）").press_sequentially("041")
    expect(page.locator("#id_branch_code_status")).to_have_text("笠間（カサマ）")
    page.get_by_label("口座番号").fill("1234567")
    page.get_by_label("口座名義（カナ）").fill("かさま　じろう")
    page.get_by_label("手数料").check()
    page.get_by_label("振替開始日").fill("2026-04-01")
    page.get_by_role("button", name="登録する").click()
    expect(page.locator("main")).to_contain_text("ｶｻﾏ ｼﾞﾛｳ")
    expect(page.locator("main")).to_contain_text("この閲覧は監査ログに記録されました。")

    page.goto(f"{base_url}/staff/payments/transfers/")
    page.get_by_label("振替日").fill(DAY.isoformat())
    page.get_by_role("button", name="依頼を作成する").click()
    expect(page).to_have_url(re.compile(r"/staff/payments/transfers/\d+/$"))
    expect(page.locator("main")).to_contain_text(invoice.number)
    expect(page.locator("main")).to_contain_text("結果待ち")

    with page.expect_download() as download_info:
        page.get_by_role("button", name="依頼ファイルを作成してダウンロード").click()
    request_file = Path(download_info.value.path()).read_bytes()
    page.reload()  # the file is written: the page now offers it as a plain download
    with page.expect_download() as again:
        page.get_by_role("link", name="依頼ファイルをダウンロード").click()
    assert Path(again.value.path()).read_bytes() == request_file
    sent = zengin.parse_file(request_file)
    assert [(r.bank_code, r.branch_code, r.bank_name, r.branch_name) for r in sent.records] == [
        ("0130", "041", "ｼﾞﾖｳﾖｳ", "ｶｻﾏ")
    ]
    assert [(r.amount, r.holder_name) for r in sent.records] == [(8_800, "ｶｻﾏ ｼﾞﾛｳ")]
    assert all(len(line) == 120 for line in request_file.split(b"\r\n")[:-1])
    assert bytes(TransferBatch.unscoped.get().request_file) == request_file

    result = zengin.write_file(sent.header, [dataclasses.replace(sent.records[0], result_code="0")], result=True)
    broken = tmp_path / "broken.txt"
    broken.write_bytes(result.replace(b"000000008800", b"000000008801", 1))  # the trailer's 合計金額
    page.get_by_label("振替結果ファイル").set_input_files(str(broken))
    page.get_by_role("button", name="結果ファイルを取り込む").click()
    expect(page.get_by_role("alert")).to_contain_text("3行目の「合計金額」")
    expect(page.get_by_role("alert")).to_contain_text("何も取り込んでいません")
    assert Invoice.unscoped.get(pk=invoice.pk).status == InvoiceStatus.UNPAID

    good = tmp_path / "result.txt"
    good.write_bytes(result)
    page.get_by_label("振替結果ファイル").set_input_files(str(good))
    page.get_by_role("button", name="結果ファイルを取り込む").click()
    expect(page.locator("main")).to_contain_text("振替結果を取り込みました")
    expect(page.locator("main")).to_contain_text("0 振替済")
    assert Invoice.unscoped.get(pk=invoice.pk).status == InvoiceStatus.PAID
