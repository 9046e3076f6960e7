"""Staff sign-in with a second factor, in the browser: an authenticator app (TOTP) and a
security key (WebAuthn, with Chromium's virtual authenticator)."""

from __future__ import annotations

import re

import pytest
from allauth.mfa.models import Authenticator
from playwright.sync_api import Page, expect

from madoguchi.accounts.models import Role
from madoguchi.core.models import Municipality
from madoguchi.testing.factories import DEFAULT_PASSWORD, make_staff, totp_code

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def password_step(page: Page, base_url: str, email: str, path: str = "/accounts/login/") -> None:
    page.goto(f"{base_url}{path}")
    page.get_by_label("メールアドレス").fill(email)
    page.get_by_label("パスワード").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="サインイン", exact=True).click()


def wrong_code() -> str:
    return f"{(int(totp_code()) + 1) % 1_000_000:06d}"


def test_staff_sign_in_asks_for_the_authenticator_code(page: Page, base_url: str, kasama: Municipality) -> None:
    staff = make_staff(kasama, Role.OFFICER)
    password_step(page, base_url, staff.email)

    expect(page).to_have_url(f"{base_url}/accounts/2fa/authenticate/")
    expect(page.get_by_role("heading", level=1)).to_have_text("二要素認証")
    code = page.get_by_label("確認コード")
    code.fill(wrong_code())
    page.get_by_role("button", name="確認してサインイン").click()
    expect(page.locator(".errorlist")).to_contain_text("コードが正しくありません")
    expect(code).to_have_attribute("aria-invalid", "true")

    code.fill(totp_code())
    page.get_by_role("button", name="確認してサインイン").click()
    expect(page).to_have_url(re.compile(r"/staff/$"))


def test_staff_without_a_factor_enrols_an_authenticator_app(page: Page, base_url: str, kasama: Municipality) -> None:
    staff = make_staff(kasama, Role.OFFICER, mfa=False)
    password_step(page, base_url, staff.email, "/accounts/login/?next=/staff/")
    # Straight to enrolment; the console stays closed until a factor is enrolled.
    expect(page).to_have_url(f"{base_url}/accounts/2fa/totp/activate/")
    expect(page.locator(".messages")).to_contain_text("二要素認証の設定が必要です")
    page.goto(f"{base_url}/staff/")
    expect(page).to_have_url(f"{base_url}/accounts/2fa/totp/activate/")

    expect(page.get_by_role("img", name="認証アプリに登録するためのQRコード")).to_be_visible()
    secret = page.get_by_label("QRコードを読み取れない場合に入力するキー").input_value()
    page.get_by_label("認証アプリコード").fill(totp_code(secret))
    page.get_by_role("button", name="登録する").click()
    # allauth shows the recovery codes that came with it.
    expect(page).to_have_url(f"{base_url}/accounts/2fa/recovery-codes/")
    expect(page.get_by_label("使えるリカバリーコード")).not_to_be_empty()
    assert Authenticator.objects.filter(user=staff, type=Authenticator.Type.TOTP).exists()
    page.goto(f"{base_url}/staff/")
    expect(page).to_have_url(f"{base_url}/staff/")


def test_staff_enrol_and_use_a_security_key(page: Page, base_url: str, kasama: Municipality) -> None:
    """WebAuthn in Chromium, with a virtual authenticator attached over CDP."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    authenticator = cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "usb",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
                "automaticPresenceSimulation": True,
            }
        },
    )
    staff = make_staff(kasama, Role.APPROVER, mfa=False)
    password_step(page, base_url, staff.email)
    expect(page).to_have_url(f"{base_url}/accounts/2fa/totp/activate/")
    page.get_by_role("link", name="セキュリティキーを登録する").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("セキュリティキーの登録")
    page.get_by_label("キーの名前").fill("職場のキー")
    # The button works once allauth's WebAuthn script has set it up.
    page.wait_for_load_state("load")
    page.get_by_role("button", name="登録する").click()
    expect(page).not_to_have_url(f"{base_url}/accounts/2fa/webauthn/add/")
    key = Authenticator.objects.get(user=staff, type=Authenticator.Type.WEBAUTHN)
    assert key.wrap().name == "職場のキー"
    credentials = cdp.send("WebAuthn.getCredentials", {"authenticatorId": authenticator["authenticatorId"]})
    assert len(credentials["credentials"]) == 1

    # Sign out, and in again: the key is asked for, and it lets the member in.
    page.goto(f"{base_url}/accounts/logout/")
    page.get_by_role("button", name="サインアウト").last.click()
    expect(page).to_have_url(f"{base_url}/")
    page.wait_for_load_state("load")
    password_step(page, base_url, staff.email)
    expect(page).to_have_url(f"{base_url}/accounts/2fa/authenticate/")
    page.wait_for_load_state("load")
    page.get_by_role("button", name="セキュリティキーを使う").click()
    expect(page).to_have_url(re.compile(r"/staff/$"))
    key.refresh_from_db()
    assert key.last_used_at is not None
