"""OpenID Connect sign-in against a real OpenID Provider started by the test.

Two providers run (e2e/oidc_provider): one speaks like the digital authentication app
(standard claims, `kind: resident`, the client authenticated with a signed JWT —
private_key_jwt), the other like gBizID (corporate_number, user_last_nm …,
`kind: business`, a client secret). Both require PKCE; madoguchi finds everything else
through discovery, as in production.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from allauth.account.models import EmailAddress
from allauth.socialaccount.models import SocialAccount
from playwright.sync_api import BrowserContext, Page, expect

from madoguchi.accounts.models import AccountKind, User
from madoguchi.accounts.oidc_config import form_action_origins, parse_providers, socialaccount_providers

from .conftest import AccessibilityLog
from .oidc_provider import RunningProvider, start_provider

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

CORPORATE_NUMBER = "7000012050002"  # check digit 7 is right (法人番号 modulus 9)

RESIDENT_SCOPES = {
    "profile": ["name", "family_name", "given_name", "family_name#ja-Kana-JP", "given_name#ja-Kana-JP", "locale"],
    "email": ["email", "email_verified"],
}
RESIDENT_ACCOUNTS = {
    "hanako": {
        "name": "笠間 花子",
        "family_name": "笠間",
        "given_name": "花子",
        "family_name#ja-Kana-JP": "カサマ",
        "given_name#ja-Kana-JP": "ハナコ",
        "email": "hanako.oidc@example.jp",
        "email_verified": True,
    },
    # Like the digital authentication app, which vouches for the person (name, address …)
    # but knows no e-mail address.
    "taro": {"name": "水戸 太郎", "family_name": "水戸", "given_name": "太郎"},
}
# gBizID's userinfo: the business under "profile", the person under "user".
GBIZ_SCOPES = {
    "profile": ["account_type", "corp_type", "corporate_number", "name"],
    "user": ["user_last_nm", "user_first_nm", "user_last_nm_kana", "user_first_nm_kana"],
    "email": ["email"],
}
GBIZ_ACCOUNTS = {
    "kasama-toge": {
        "account_type": "2",
        "corp_type": "1",
        "corporate_number": CORPORATE_NUMBER,
        "name": "株式会社笠間陶芸",
        "user_last_nm": "陶",
        "user_first_nm": "一郎",
        "user_last_nm_kana": "スエ",
        "user_first_nm_kana": "イチロウ",
        "email": "info@kasama-toge.example",
    }
}


@dataclass
class Providers:
    resident: RunningProvider
    business: RunningProvider


def _redirect_uris(provider_id: str, base_url: str) -> list[str]:
    # Pages in English live under /en/, and allauth names the callback in the page's
    # language: a deployment registers both (docs/modules/accounts.md).
    return [
        f"{base_url}/accounts/oidc/{provider_id}/login/callback/",
        f"{base_url}/en/accounts/oidc/{provider_id}/login/callback/",
    ]


def _client_key() -> tuple[str, dict[str, object]]:
    """A key pair for private_key_jwt: the private key in PEM for madoguchi, the public
    one as a JWK registered with the provider."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from jwt.algorithms import RSAAlgorithm

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    jwk = RSAAlgorithm.to_jwk(key.public_key(), as_dict=True)
    return pem, {**jwk, "kid": "madoguchi-test", "use": "sig", "alg": "RS256"}


@pytest.fixture
def providers(base_url: str, settings, a11y_log: AccessibilityLog, context: BrowserContext) -> Iterator[Providers]:
    """Both providers, configured the way OIDC_PROVIDERS configures a deployment."""
    # The provider's development pages load a web font from Google; the tests run
    # offline, where the lookup would only stall the page.
    context.route("https://fonts.googleapis.com/**", lambda route: route.fulfill(content_type="text/css", body=""))
    pem, jwk = _client_key()
    with (
        # Like the digital authentication app: the client proves itself with a JWT
        # signed with its private key (private_key_jwt), not a shared secret.
        start_provider(
            clients=[
                {
                    "client_id": "madoguchi-digital-auth",
                    "token_endpoint_auth_method": "private_key_jwt",
                    "jwks": {"keys": [jwk]},
                    "redirect_uris": _redirect_uris("digital-auth", base_url),
                }
            ],
            scopes=RESIDENT_SCOPES,
            accounts=RESIDENT_ACCOUNTS,
        ) as resident,
        # Like gBizID: a client secret, sent with HTTP Basic authentication.
        start_provider(
            clients=[
                {
                    "client_id": "madoguchi-gbizid",
                    "client_secret": "business-secret",
                    "redirect_uris": _redirect_uris("gbizid", base_url),
                }
            ],
            scopes=GBIZ_SCOPES,
            accounts=GBIZ_ACCOUNTS,
        ) as business,
    ):
        configured = parse_providers(
            [
                {
                    "id": "digital-auth",
                    "kind": "resident",
                    "name": "デジタル認証アプリ",
                    "name_en": "Digital Authentication App",
                    "server_url": resident.issuer,
                    "client_id": "madoguchi-digital-auth",
                    "token_auth_method": "private_key_jwt",
                    "private_key": pem,
                    "key_id": "madoguchi-test",
                },
                {
                    "id": "gbizid",
                    "kind": "business",
                    "name": "GビズID",
                    "name_en": "gBizID",
                    "server_url": business.issuer,
                    "client_id": "madoguchi-gbizid",
                    "secret": "business-secret",
                    "email_verified": True,
                },
            ]
        )
        # allauth reads SOCIALACCOUNT_PROVIDERS at every request, and django-csp its
        # policy, so the live server follows these settings.
        settings.SOCIALACCOUNT_PROVIDERS = socialaccount_providers(configured)
        directives = dict(settings.CONTENT_SECURITY_POLICY["DIRECTIVES"])
        directives["form-action"] = [*directives["form-action"], *form_action_origins(configured)]
        settings.CONTENT_SECURITY_POLICY = {**settings.CONTENT_SECURITY_POLICY, "DIRECTIVES": directives}
        # The provider's own pages (its development login form) are not madoguchi's.
        a11y_log.foreign_origins |= {resident.origin, business.origin}
        yield Providers(resident=resident, business=business)


def sign_in_at_provider(page: Page, login: str) -> None:
    """The provider's development interaction: any password, then consent."""
    page.locator("input[name=login]").fill(login)
    page.locator("input[name=password]").fill("any password")
    page.get_by_role("button", name="Sign-in").click()
    page.get_by_role("button", name="Continue").click()


def test_resident_signs_in_with_the_digital_authentication_app(page: Page, base_url: str, providers: Providers) -> None:
    page.goto(f"{base_url}/accounts/login/")
    button = page.get_by_role("button", name="デジタル認証アプリでサインイン")
    expect(button).to_be_visible()
    expect(page.get_by_role("button", name="GビズIDでサインイン")).to_be_visible()
    button.click()
    expect(page).to_have_url(re.compile(rf"^{re.escape(providers.resident.issuer)}/"))
    sign_in_at_provider(page, "hanako")

    expect(page).to_have_url(f"{base_url}/accounts/")
    expect(page.get_by_role("heading", level=1)).to_have_text("アカウントの概要")
    expect(page.locator(".summary-list")).to_contain_text("笠間 花子（カサマ ハナコ）")
    user = User.objects.get(email="hanako.oidc@example.jp")
    assert user.kind == AccountKind.RESIDENT
    assert (user.family_name_kana, user.given_name_kana) == ("カサマ", "ハナコ")
    assert not user.has_usable_password()
    account = SocialAccount.objects.get(user=user)
    assert account.provider == "digital-auth"
    assert account.uid == "hanako"
    assert EmailAddress.objects.get(user=user).verified

    # Signing out and in again finds the same account.
    page.get_by_role("button", name="サインアウト").click()
    expect(page).to_have_url(f"{base_url}/")
    expect(page.locator(".messages")).to_contain_text("サインアウトしました。")
    page.wait_for_load_state("load")
    page.goto(f"{base_url}/accounts/login/")
    page.get_by_role("button", name="デジタル認証アプリでサインイン").click()
    # The provider remembers the browser's session and grant: straight back.
    expect(page).to_have_url(f"{base_url}/accounts/")
    assert User.objects.filter(email="hanako.oidc@example.jp").count() == 1


def test_business_signs_in_with_gbizid_in_english(page: Page, base_url: str, providers: Providers) -> None:
    page.goto(f"{base_url}/en/accounts/login/")
    page.get_by_role("button", name="Sign in with gBizID").click()
    expect(page).to_have_url(re.compile(rf"^{re.escape(providers.business.issuer)}/"))
    sign_in_at_provider(page, "kasama-toge")

    expect(page).to_have_url(f"{base_url}/en/accounts/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Account overview")
    user = User.objects.get(email="info@kasama-toge.example")
    assert user.kind == AccountKind.BUSINESS
    assert user.organisation_name == "株式会社笠間陶芸"
    assert user.corporate_number == CORPORATE_NUMBER
    assert (user.family_name, user.given_name) == ("陶", "一郎")
    assert (user.family_name_kana, user.given_name_kana) == ("スエ", "イチロウ")
    # The page was in English, so is the account.
    assert user.preferred_language == "en"
    # gBizID's addresses are trusted by this deployment's configuration.
    assert EmailAddress.objects.get(user=user).verified
    expect(page.locator(".summary-list")).to_contain_text(CORPORATE_NUMBER)


def test_a_provider_without_an_email_address_asks_for_one(page: Page, base_url: str, providers: Providers) -> None:
    page.goto(f"{base_url}/accounts/login/")
    page.get_by_role("button", name="デジタル認証アプリでサインイン").click()
    sign_in_at_provider(page, "taro")
    # The account is made once an address is given, and used once it is verified.
    expect(page.get_by_role("heading", level=1)).to_have_text("登録の仕上げ")
    page.get_by_label("メールアドレス").fill("taro@example.jp")
    page.get_by_role("button", name="登録する").click()
    expect(page).to_have_url(f"{base_url}/accounts/confirm-email/")
    user = User.objects.get(email="taro@example.jp")
    assert (user.family_name, user.given_name) == ("水戸", "太郎")
    assert not EmailAddress.objects.get(user=user).verified
    page.goto(f"{base_url}/accounts/")
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
