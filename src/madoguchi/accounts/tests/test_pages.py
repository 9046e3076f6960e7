"""Every sign-in and account page renders in Japanese and English on the site's layout."""

from __future__ import annotations

import pytest
from django.test import Client

from madoguchi.testing.factories import UserFactory

from .helpers import sign_in

pytestmark = pytest.mark.django_db

ANONYMOUS_PAGES = {
    "/accounts/login/": ("サインイン", "Sign in"),
    "/accounts/signup/": ("新規登録", "Sign up"),
    "/accounts/password/reset/": ("パスワードの再設定", "Reset your password"),
    "/accounts/password/reset/done/": ("メールを確認してください", "Check your e-mail"),
    "/accounts/confirm-email/": ("メールアドレスを確認してください", "Verify your e-mail address"),
    "/accounts/inactive/": ("このアカウントは使用できません", "This account cannot be used"),
}

RESIDENT_PAGES = {
    "/accounts/": ("アカウントの概要", "Account overview"),
    "/accounts/profile/": ("登録内容の変更", "Change your details"),
    "/accounts/email/": ("メールアドレスを変更する", "Change your e-mail address"),
    "/accounts/password/change/": ("パスワードの変更", "Change your password"),
    "/accounts/2fa/": ("二要素認証", "Two-factor authentication"),
    "/accounts/2fa/totp/activate/": ("認証アプリの登録", "Set up an authenticator app"),
    "/accounts/2fa/webauthn/add/": ("セキュリティキーの登録", "Add a security key"),
    "/accounts/delete/": ("アカウントの削除", "Delete your account"),
    "/accounts/logout/": ("サインアウトしますか？", "Do you want to sign out?"),
}


def _check(client: Client, path: str, ja: str, en: str) -> None:
    response = client.get(path)
    assert response.status_code == 200, f"{path} answered {response.status_code}"
    body = response.content.decode()
    assert '<html lang="ja"' in body, path
    assert ja in body, path
    assert 'class="site-header"' in body, f"{path} is not on the site's layout"
    response = client.get(f"/en{path}")
    assert response.status_code == 200, f"/en{path} answered {response.status_code}"
    body = response.content.decode()
    assert '<html lang="en"' in body, path
    assert en in body, f"/en{path}: {en!r} missing"


@pytest.mark.parametrize(("path", "texts"), ANONYMOUS_PAGES.items())
def test_entrance_pages(client: Client, path: str, texts: tuple[str, str]) -> None:
    _check(client, path, *texts)


@pytest.mark.parametrize(("path", "texts"), RESIDENT_PAGES.items())
def test_account_pages_of_a_resident(client: Client, path: str, texts: tuple[str, str]) -> None:
    sign_in(client, UserFactory())
    _check(client, path, *texts)


def test_configured_providers_appear_on_the_sign_in_page(client: Client, settings) -> None:
    """allauth reads SOCIALACCOUNT_PROVIDERS at each request; the page lists what is
    configured, residents' providers first, named in the page's language."""
    from madoguchi.accounts.oidc_config import parse_providers, socialaccount_providers

    assert "でサインイン" not in client.get("/accounts/login/").content.decode()
    settings.SOCIALACCOUNT_PROVIDERS = socialaccount_providers(
        parse_providers(
            [
                {
                    "id": "gbizid",
                    "kind": "business",
                    "name": "GビズID",
                    "name_en": "gBizID",
                    "server_url": "https://gbiz-id.example",
                    "client_id": "c",
                },
                {
                    "id": "digital-auth",
                    "name": "デジタル認証アプリ",
                    "name_en": "Digital Authentication App",
                    "server_url": "https://auth.example",
                    "client_id": "c",
                },
            ]
        )
    )
    body = client.get("/accounts/login/").content.decode()
    assert body.index("デジタル認証アプリでサインイン") < body.index("GビズIDでサインイン")
    assert 'action="/accounts/oidc/digital-auth/login/"' in body
    english = client.get("/en/accounts/login/").content.decode()
    assert "Sign in with Digital Authentication App" in english
    assert "Sign in with gBizID" in english
    assert 'action="/en/accounts/oidc/gbizid/login/"' in english
