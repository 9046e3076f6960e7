"""Applying online, as a resident would: find 住民票の写し by typing 「じゅうみんひょう」,
open it, fill the steps with the keyboard on a 320 px phone (the postal code fills the
address, the birth date in 和暦), attach a PNG, confirm, submit, see the number and
download the receipt. And the same without JavaScript, for a procedure anyone may apply
for without an account. Every page is checked with axe-core and the CSP (conftest)."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from pypdf import PdfReader

from madoguchi.accounts.models import User
from madoguchi.core.models import Municipality
from madoguchi.procedures.models import IdentityLevel, Submission, SubmissionStatus
from madoguchi.procedures.tests.applying_helpers import make_procedure, png_bytes
from madoguchi.testing.factories import UserFactory

from .layout import sideways_overflow
from .sessions import sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

NUMBER = re.compile(r"\d{4}-\d{6}")


def _fits(page: Page) -> None:
    overflow = sideways_overflow(page)
    assert overflow <= 0, f"{page.url} is {overflow}px wider than the screen"


def _juminhyo(kasama: Municipality, **kwargs: object):  # type: ignore[no-untyped-def]
    return make_procedure(
        kasama,
        slug="juminhyo",
        name_ja="住民票の写し交付請求",
        name_en="Request for a copy of the residence record",
        reading="じゅうみんひょうのうつしこうふせいきゅう",
        keywords="住民票 写し",
        summary_ja="住民票の写しをオンラインで請求できます。",
        **kwargs,
    )


def test_resident_searches_applies_with_the_keyboard_on_a_phone_and_gets_a_receipt(
    phone_page: Page, base_url: str, kasama: Municipality, tmp_path: Path
) -> None:
    page = phone_page
    _juminhyo(kasama)
    resident: User = UserFactory.create(email="hanako@resident.example")
    sign_in(page.context, base_url, resident)

    page.goto(f"{base_url}/kasama/procedures/")
    expect(page.get_by_role("heading", name="申請・届出", level=1)).to_be_visible()
    search = page.get_by_label("手続の名前やキーワード")
    search.focus()
    page.keyboard.type("じゅうみんひょう")
    page.keyboard.press("Enter")
    expect(page.get_by_text("1件の手続があります。")).to_be_visible()
    _fits(page)
    page.get_by_role("link", name="住民票の写し交付請求").click()

    expect(page.get_by_role("heading", name="住民票の写し交付請求", level=1)).to_be_visible()
    _fits(page)
    page.get_by_role("button", name="オンラインで申請する").focus()
    page.keyboard.press("Enter")

    # Step 1: who requests.
    expect(page.get_by_text("ステップ 1 / 3")).to_be_visible()
    expect(page.locator('[aria-current="step"]')).to_contain_text("請求者")
    _fits(page)
    page.get_by_label("氏名").focus()
    page.keyboard.type("笠間 花子")
    page.keyboard.press("Tab")
    expect(page.get_by_label("フリガナ")).to_be_focused()
    page.keyboard.type("かさま はなこ")
    page.get_by_label("メールアドレス").focus()
    page.keyboard.type("hanako@example.jp")
    page.get_by_label("郵便番号").focus()
    page.keyboard.type("3091611")
    address = page.get_by_label("住所")
    expect(address).to_have_value(re.compile("茨城県笠間市笠間"))
    address.focus()
    page.keyboard.press("End")
    page.keyboard.type("1234-5")
    era = page.get_by_label("元号")
    era.focus()
    era.select_option(label="昭和")
    page.keyboard.press("Tab")
    page.keyboard.type("60")
    page.keyboard.press("Tab")
    page.keyboard.type("4")
    page.keyboard.press("Tab")
    page.keyboard.type("1")
    page.keyboard.press("Enter")  # the form's first button: 次へ進む

    # Step 2: what is requested, with the PNG attached.
    expect(page.get_by_text("ステップ 2 / 3")).to_be_visible()
    _fits(page)
    page.get_by_label("世帯全員", exact=True).focus()
    page.keyboard.press("Space")
    page.get_by_label("通数").focus()
    page.keyboard.type("2")
    png = tmp_path / "card.png"
    png.write_bytes(png_bytes())
    page.get_by_label("本人確認書類").set_input_files(str(png))
    page.get_by_label("記載内容に誤りはありません").focus()
    page.keyboard.press("Space")
    page.get_by_role("button", name="次へ進む").focus()
    page.keyboard.press("Enter")

    # Confirmation.
    expect(page.get_by_role("heading", name="入力内容の確認", level=1)).to_be_visible()
    expect(page.get_by_text("ステップ 3 / 3")).to_be_visible()
    expect(page.locator("main")).to_contain_text("昭和60年4月1日")
    expect(page.locator("main")).to_contain_text("card.png")
    expect(page.locator("main")).to_contain_text("600円")
    _fits(page)
    page.get_by_role("button", name="申請を送信する").focus()
    page.keyboard.press("Enter")

    # Submitted: the number, and the receipt with it. (Submitting also queues e-mails and
    # may issue the fee's invoice: give it more than the default five seconds.)
    expect(page.get_by_role("heading", name="送信完了", level=1)).to_be_visible(timeout=20_000)
    number = page.locator(".apply-number__value").inner_text()
    assert NUMBER.fullmatch(number)
    _fits(page)
    submission = Submission.objects.get(number=number)
    assert submission.status == SubmissionStatus.RECEIVED
    assert submission.data["birth_date"] == "1985-04-01"
    assert submission.data["address"].startswith("茨城県笠間市笠間")
    link = page.get_by_role("link", name="受付票（PDF）をダウンロード")
    response = page.context.request.get(f"{base_url}{link.get_attribute('href')}")
    assert response.headers["content-type"] == "application/pdf"
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(response.body())).pages)
    assert number in text


def test_anyone_applies_without_javascript_and_without_an_account(
    no_js_page: Page, base_url: str, kasama: Municipality
) -> None:
    page = no_js_page
    _juminhyo(kasama, identity_level=IdentityLevel.NONE)

    page.goto(f"{base_url}/kasama/procedures/?q=ジュウミンヒョウ")
    page.get_by_role("link", name="住民票の写し交付請求").click()
    page.get_by_role("button", name="オンラインで申請する").click()

    expect(page.get_by_text("ステップ 1 / 3")).to_be_visible()
    page.get_by_label("氏名").fill("笠間 太郎")
    page.get_by_label("フリガナ").fill("カサマ タロウ")
    page.get_by_label("メールアドレス").fill("taro@example.jp")
    page.get_by_label("郵便番号").fill("309-1611")
    page.get_by_label("住所").fill("茨城県笠間市笠間1234-5")
    page.get_by_label("元号").select_option(label="平成")
    page.get_by_label("年", exact=True).fill("2")
    page.get_by_label("月", exact=True).fill("3")
    page.get_by_label("日", exact=True).fill("4")
    page.get_by_role("button", name="次へ進む").click()

    # Without JavaScript the field that depends on an answer is shown with its hint;
    # asking for part of the household without names is refused, then corrected.
    expect(page.get_by_text("ステップ 2 / 3")).to_be_visible()
    page.get_by_label("世帯の一部").check()
    page.get_by_label("通数").fill("1")
    page.get_by_label("記載内容に誤りはありません").check()
    page.get_by_role("button", name="次へ進む").click()
    expect(page.locator(".errorlist").first).to_be_visible()
    page.get_by_label("必要な方の氏名").fill("笠間 次郎")
    page.get_by_role("button", name="次へ進む").click()

    expect(page.get_by_role("heading", name="入力内容の確認", level=1)).to_be_visible()
    expect(page.locator("main")).to_contain_text("平成2年3月4日")
    expect(page.locator("main")).to_contain_text("300円")
    page.get_by_role("button", name="申請を送信する").click()

    expect(page.get_by_role("heading", name="送信完了", level=1)).to_be_visible(timeout=20_000)
    number = page.locator(".apply-number__value").inner_text()
    assert NUMBER.fullmatch(number)
    submission = Submission.objects.get(number=number)
    assert submission.applicant is None
    assert submission.applicant_email == "taro@example.jp"
    assert submission.data["members"] == "笠間 次郎"


def test_the_pages_that_say_what_applying_needs(page: Page, base_url: str, kasama: Municipality) -> None:
    """Signed out, an account-level procedure says to sign in (with a link back); the
    start page of one anyone may apply for says how it goes."""
    _juminhyo(kasama)
    make_procedure(kasama, slug="free", name_ja="犬の登録事項変更届", identity_level=IdentityLevel.NONE)

    page.goto(f"{base_url}/kasama/procedures/p/juminhyo/apply/")
    expect(page.get_by_text("この手続を申請するには")).to_be_visible()
    expect(page.get_by_role("link", name="サインインして申請する")).to_have_attribute(
        "href", re.compile(r"next=/kasama/procedures/p/juminhyo/apply/")
    )

    page.goto(f"{base_url}/kasama/procedures/p/free/apply/")
    expect(page.get_by_role("button", name="申請を始める")).to_be_visible()
    page.get_by_role("button", name="申請を始める").click()
    expect(page.get_by_text("ステップ 1 / 3")).to_be_visible()
