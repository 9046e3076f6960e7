"""Sign-up and the account pages on a 320 px phone, as a resident and as a business."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from playwright.sync_api import Page, expect

from madoguchi.accounts.models import AccountKind, User
from madoguchi.notifications import tasks
from madoguchi.notifications.models import MessageStatus, OutboundMessage

from .layout import sideways_overflow

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "kasama-yaki-2026"


def deliver_mail() -> str:
    """Send the queued mail (the task worker's job) and return the last body."""
    for pk in OutboundMessage.unscoped.filter(status=MessageStatus.QUEUED).values_list("pk", flat=True):
        tasks.deliver(pk)
    return str(mail.outbox[-1].body)


def no_sideways_scroll(page: Page) -> None:
    overflow = sideways_overflow(page)
    assert overflow <= 0, f"{page.url} scrolls sideways by {overflow}px"


def test_business_signs_up_on_a_phone(phone_page: Page, base_url: str) -> None:
    page = phone_page
    page.goto(f"{base_url}/accounts/signup/")
    no_sideways_scroll(page)
    # The business details appear once "business" is chosen.
    expect(page.get_by_label("事業者名")).to_be_hidden()
    page.get_by_label("事業者（法人・個人事業主・団体）").check()
    expect(page.get_by_label("事業者名")).to_be_visible()
    page.get_by_label("事業者名").fill("株式会社笠間陶芸")
    page.get_by_label("法人番号").fill("1234567890123")  # wrong check digit
    page.get_by_label("姓", exact=True).fill("陶")
    page.get_by_label("名", exact=True).fill("一郎")
    page.get_by_label("姓（フリガナ）").fill("すえ")
    page.get_by_label("名（フリガナ）").fill("いちろう")
    page.get_by_label("メールアドレス").fill("info@kasama-toge.example")
    page.get_by_label("パスワード", exact=True).fill(PASSWORD)
    page.get_by_label("パスワード (再入力)").fill(PASSWORD)
    page.get_by_role("button", name="登録する").click()

    # Refused with a message next to the field, nothing else lost.
    number = page.get_by_label("法人番号")
    expect(number).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#id_corporate_number_errors")).to_contain_text("検査用数字が正しくありません")
    expect(page.get_by_label("事業者名")).to_have_value("株式会社笠間陶芸")
    no_sideways_scroll(page)
    number.fill("7000-0120-50002")
    page.get_by_label("パスワード", exact=True).fill(PASSWORD)
    page.get_by_label("パスワード (再入力)").fill(PASSWORD)
    page.get_by_role("button", name="登録する").click()

    expect(page).to_have_url(f"{base_url}/accounts/confirm-email/")
    expect(page.get_by_role("heading", level=1)).to_have_text("メールアドレスを確認してください")
    user = User.objects.get(email="info@kasama-toge.example")
    assert user.kind == AccountKind.BUSINESS
    assert user.corporate_number == "7000012050002"
    assert (user.family_name_kana, user.given_name_kana) == ("スエ", "イチロウ")

    link = re.search(r"https?://\S+/accounts/confirm-email/\S+/", deliver_mail()).group(0)
    page.goto(link)
    page.get_by_role("button", name="確認する").click()
    expect(page).to_have_url(f"{base_url}/accounts/")
    expect(page.locator(".summary-list")).to_contain_text("株式会社笠間陶芸")
    no_sideways_scroll(page)

    for path in ("/accounts/profile/", "/accounts/email/", "/accounts/password/change/", "/accounts/delete/"):
        page.goto(f"{base_url}{path}")
        no_sideways_scroll(page)


def test_resident_pages_in_english(page: Page, base_url: str) -> None:
    page.goto(f"{base_url}/en/accounts/signup/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign up")
    page.get_by_label("Individual (residents and others)").check()
    page.get_by_label("Family name", exact=True).fill("Smith")
    page.get_by_label("Given name", exact=True).fill("Anna")
    page.get_by_label("E-mail address").fill("anna@example.jp")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Password (again)").fill(PASSWORD)
    expect(page.get_by_label("English")).to_be_checked()
    page.get_by_role("button", name="Register").click()
    expect(page).to_have_url(f"{base_url}/en/accounts/confirm-email/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Verify your e-mail address")
    assert User.objects.get(email="anna@example.jp").preferred_language == "en"
    page.goto(f"{base_url}/en/accounts/login/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
    page.goto(f"{base_url}/en/accounts/password/reset/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Reset your password")


def test_a_resident_sets_up_a_second_factor_on_a_phone(phone_page: Page, base_url: str) -> None:
    """The second-factor settings, reached as a resident does: sign in, confirm the
    password again, enrol the authenticator app, look at the recovery codes."""
    from madoguchi.testing.factories import DEFAULT_PASSWORD, UserFactory, totp_code

    page = phone_page
    user = UserFactory(email="hanako@example.jp")
    page.goto(f"{base_url}/accounts/login/")
    page.get_by_label("メールアドレス").fill(user.email)
    page.get_by_label("パスワード").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="サインイン", exact=True).click()
    expect(page).to_have_url(f"{base_url}/accounts/")

    page.goto(f"{base_url}/accounts/2fa/")
    expect(page.get_by_role("heading", level=1)).to_have_text("二要素認証")
    no_sideways_scroll(page)
    page.get_by_role("link", name="認証アプリを登録する").click()
    # allauth asks for the password again before a factor is added.
    expect(page.get_by_role("heading", level=1)).to_have_text("本人確認")
    page.get_by_label("パスワード").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="確認する").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("認証アプリの登録")
    no_sideways_scroll(page)
    secret = page.get_by_label("QRコードを読み取れない場合に入力するキー").input_value()
    page.get_by_label("認証アプリコード").fill(totp_code(secret))
    page.get_by_role("button", name="登録する").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("リカバリーコード")
    no_sideways_scroll(page)
    page.get_by_role("link", name="二要素認証の設定に戻る").click()
    expect(page.locator(".badge--success")).to_have_text("有効")
    page.get_by_role("link", name="作り直す").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("リカバリーコードの作り直し")
    page.goto(f"{base_url}/accounts/2fa/webauthn/")
    expect(page.get_by_role("heading", level=1)).to_have_text("セキュリティキー")
    page.goto(f"{base_url}/accounts/logout/")
    expect(page.get_by_role("heading", level=1)).to_have_text("サインアウト")
    no_sideways_scroll(page)
