"""The whole journey of an online application, tried as a new user would, on the demo
data that `make demo` loads: a resident finds 住民票の写し by typing 「じゅうみんひょう」,
applies, signs with the demo signing app (公的個人認証), pays the fee through the sandbox
gateway, and watches the status change as the 市民課 clerk processes it; the clerk asks
for a correction, the resident answers it in place (signing the corrected data again),
an administrator approves and the clerk completes it. Every page on the way — the
resident's, the signing app's, the gateway's and the console's — is checked with
axe-core and against the Content-Security-Policy (conftest)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from playwright.sync_api import BrowserContext, Page, expect

from madoguchi.accounts.models import User
from madoguchi.core.demo.loader import load_demo
from madoguchi.core.models import Municipality
from madoguchi.payments.models import Invoice, InvoiceStatus
from madoguchi.procedures import democa, xmlsig
from madoguchi.procedures.models import (
    CorrectionRequest,
    CorrectionStatus,
    SignatureEvidence,
    SignatureResult,
    Submission,
    SubmissionStatus,
)
from madoguchi.procedures.tests.signature_helpers import *  # noqa: F403 - the demo CA fixtures

from .sessions import sign_in
from .test_staff_console import console_assets, serve_assets

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

__all__ = ["console_assets"]

S = SubmissionStatus


def run_tasks() -> None:
    """What the task worker does: run every task that is due (the gateway's notices)."""
    call_command("db_worker", batch=True, startup_delay=False, reload=False, interval=0, verbosity=0)


@pytest.fixture
def demo(settings: Any, demo_ca: Path, tmp_path: Path) -> Municipality:
    """The demo data, as `make demo` loads it, with the task queue in the database."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
    settings.PAYSANDBOX_NOTIFY_REPEAT = 1
    settings.PAYSANDBOX_NOTIFY_INTERVAL = 0
    load_demo(token_path=tmp_path / "tokens.json")
    return Municipality.objects.get(slug="kasama")


def _as(context: BrowserContext, base_url: str, email: str) -> None:
    context.clear_cookies()
    sign_in(context, base_url, User.objects.get(email=email))


def _status_on_my_page(page: Page, base_url: str, submission: Submission, status: str) -> None:
    page.goto(f"{base_url}/kasama/procedures/my/{submission.public_id}/")
    expect(page.locator("main")).to_contain_text(status)


def _open_in_console(page: Page, base_url: str, submission: Submission) -> None:
    page.goto(f"{base_url}/staff/procedures/inbox/{submission.public_id}/")
    if page.get_by_role("heading", name="閲覧の理由", level=2).is_visible():
        page.get_by_label("目的").select_option(label="担当業務の処理")
        page.get_by_label("具体的な理由").fill("住民票の写しの交付請求の審査")
        page.get_by_role("button", name="理由を記録して開く").click()
    expect(page.locator("main")).to_contain_text(submission.number)


def test_a_resident_applies_signs_pays_and_answers_the_clerks_correction(
    page: Page, context: BrowserContext, base_url: str, demo: Municipality, demo_ca: Path, tmp_path: Path,
    console_assets: dict[str, tuple[str, bytes]],
) -> None:  # fmt: skip
    serve_assets(context, console_assets)
    _as(context, base_url, "hanako@resident.example")

    # Finding the procedure from the municipality's home page, by its reading in kana.
    page.goto(f"{base_url}/kasama/")
    page.get_by_role("navigation").get_by_role("link", name="申請・届出").first.click()
    page.get_by_label("手続の名前やキーワード").fill("じゅうみんひょう")
    page.get_by_label("手続の名前やキーワード").press("Enter")
    page.get_by_role("link", name="住民票の写し等の交付請求").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("住民票の写し等の交付請求")
    expect(page.locator("main")).to_contain_text("1通300円")
    page.get_by_role("button", name="オンラインで申請する").click()

    # Step 1: the requester.
    expect(page.get_by_text("ステップ 1 /")).to_be_visible()
    page.get_by_label("氏名", exact=True).fill("山田 花子")
    page.get_by_label("フリガナ", exact=True).fill("ヤマダ ハナコ")
    page.get_by_label("元号").select_option(label="昭和")
    page.get_by_label("元号").press("Tab")
    page.keyboard.type("60")
    page.keyboard.press("Tab")
    page.keyboard.type("4")
    page.keyboard.press("Tab")
    page.keyboard.type("1")
    page.get_by_label("郵便番号", exact=True).fill("3091792")
    expect(page.get_by_label("住所", exact=True)).to_have_value(re.compile("茨城県笠間市"))
    page.get_by_label("住所", exact=True).fill("茨城県笠間市中央三丁目2番1号")
    page.get_by_label("日中の連絡先電話番号").fill("0296-77-1101")
    page.get_by_label("メールアドレス").fill("hanako@resident.example")
    page.get_by_role("button", name="次へ進む").click()

    # Step 2: whose record; step 3: what is requested; step 4: delivery.
    page.get_by_label("本人", exact=True).check()
    page.get_by_role("button", name="次へ進む").click()
    page.get_by_label("住民票の写し", exact=True).check()
    page.get_by_label("世帯全員", exact=True).check()
    page.get_by_role("group", name="個人番号（マイナンバー）の記載").get_by_label("なし").check()
    page.get_by_label("通数").fill("2")
    page.get_by_label("運転免許・各種資格").check()
    page.get_by_role("button", name="次へ進む").click()
    page.get_by_label("住民登録地（上記の住所）").check()
    page.get_by_label("申請内容に誤りがないことを確認しました").check()
    page.get_by_role("button", name="次へ進む").click()

    # Confirmation: 600 yen, and the signature still to be made.
    expect(page.get_by_role("heading", name="入力内容の確認", level=1)).to_be_visible()
    expect(page.locator("main")).to_contain_text("昭和60年4月1日")
    expect(page.locator("main")).to_contain_text("600円")
    page.get_by_role("link", name="電子署名をする").click()

    # The demo signing app plays the resident's JPKI client.
    page.get_by_role("link", name="デモ用の署名アプリで署名する").click()
    page.get_by_label("山田 花子（hanako）", exact=True).check()
    page.get_by_label("暗証番号（署名用パスワード）").fill("1234")
    page.get_by_label("暗証番号（署名用パスワード）").press("Enter")
    page.get_by_role("button", name="署名を申請先に送る").click()
    expect(page.get_by_text("申請内容への電子署名を確認しました。")).to_be_visible()
    page.get_by_role("button", name="申請を送信する").click()

    expect(page.get_by_role("heading", name="送信完了", level=1)).to_be_visible(timeout=20_000)
    number = page.locator(".apply-number__value").inner_text()
    submission = Submission.unscoped.get(number=number, municipality=demo)
    assert submission.status == S.RECEIVED
    assert submission.fee_amount == 600
    assert SignatureEvidence.unscoped.get(submission=submission).result == SignatureResult.ACCEPTED

    # The fee, through the sandbox gateway, back to the application's page.
    page.get_by_role("link", name="手数料 600円を支払う").click()
    page.get_by_label("クレジットカード").check()
    page.get_by_role("button", name="支払いに進む").click()
    expect(page).to_have_url(re.compile(r"/sandbox-gateway/pay/"))
    page.get_by_role("textbox", name="カード番号").fill("4242 4242 4242 4242")
    page.get_by_role("button", name="支払う", exact=True).click()
    expect(page).to_have_url(re.compile(r"/kasama/payments/return/"))
    run_tasks()
    expect(page.get_by_text("お支払いが完了しました")).to_be_visible(timeout=15_000)
    invoice = Invoice.unscoped.get(origin_type="procedures.submission", origin_id=str(submission.pk))
    assert invoice.status == InvoiceStatus.PAID
    submission.refresh_from_db()
    assert submission.fee_paid_at is not None
    _status_on_my_page(page, base_url, submission, "受付")

    # The 市民課 clerk takes it on and starts the review; the resident sees it.
    _as(context, base_url, "clerk@kasama.example")
    page.goto(f"{base_url}/staff/procedures/inbox/")
    page.get_by_role("textbox", name="検索").fill(number)
    page.get_by_role("textbox", name="検索").press("Enter")
    page.get_by_role("link", name=number).click()
    _open_in_console(page, base_url, submission)
    page.get_by_role("button", name="自分が担当する").click()
    page.get_by_role("button", name="審査を開始する").click()
    expect(page.locator(".messages")).to_contain_text("審査を開始しました。")
    _as(context, base_url, "hanako@resident.example")
    _status_on_my_page(page, base_url, submission, "審査中")

    # A correction: the phone number.
    _as(context, base_url, "clerk@kasama.example")
    _open_in_console(page, base_url, submission)
    page.get_by_label("補正の内容").fill("日中につながる電話番号を入力してください。")
    page.get_by_label("日中の連絡先電話番号", exact=True).check()
    page.get_by_role("button", name="補正を依頼する").click()
    expect(page.locator(".messages")).to_contain_text("補正を依頼しました。")

    # The resident answers it in place, and signs the corrected data again.
    _as(context, base_url, "hanako@resident.example")
    _status_on_my_page(page, base_url, submission, "補正依頼中")
    expect(page.locator("main")).to_contain_text("日中につながる電話番号を入力してください。")
    page.get_by_role("link", name="補正する").click()
    page.get_by_label("日中の連絡先電話番号").fill("090-1234-5678")
    page.get_by_role("button", name="保存して電子署名へ進む").click()
    with page.expect_download() as download:
        page.get_by_role("link", name="補正後の申請データ（XML）をダウンロード").click()
    corrected = Path(download.value.path()).read_bytes()
    key, certificate = democa.load_signer("hanako", demo_ca)
    (tmp_path / "corrected.xml").write_bytes(xmlsig.sign(corrected, key, certificate))
    page.get_by_label("署名済みのファイル").set_input_files(str(tmp_path / "corrected.xml"))
    page.get_by_role("button", name="署名を確認して補正を提出する").click()
    expect(page.locator("main")).to_contain_text("審査中")
    submission.refresh_from_db()
    assert submission.status == S.IN_REVIEW
    assert submission.data["phone"] == "090-1234-5678"
    correction = CorrectionRequest.unscoped.get(submission=submission)
    assert correction.status == CorrectionStatus.ANSWERED
    assert correction.previous_values == {"phone": "0296-77-1101"}

    # Approved by one who decides (the municipality's administrator), completed by the clerk.
    _as(context, base_url, "admin@kasama.example")
    _open_in_console(page, base_url, submission)
    page.get_by_role("button", name="承認する").click()
    expect(page.locator(".messages")).to_contain_text("承認しました。")
    _as(context, base_url, "clerk@kasama.example")
    _open_in_console(page, base_url, submission)
    page.get_by_role("button", name="完了にする").click()
    expect(page.locator(".messages")).to_contain_text("完了にしました。")

    _as(context, base_url, "hanako@resident.example")
    _status_on_my_page(page, base_url, submission, "完了")
    timeline = page.get_by_role("region", name="経過")
    for step in ("受付", "審査中", "補正依頼中", "承認", "完了"):
        expect(timeline).to_contain_text(step)
