"""OIDC_PROVIDERS: what a deployment writes, and what allauth and the CSP get from it."""

from __future__ import annotations

import json

import pytest

from madoguchi.accounts.oidc_config import (
    ProviderConfigError,
    form_action_origins,
    parse_providers,
    socialaccount_providers,
)

DIGITAL_AUTH = {
    "id": "digital-auth",
    "kind": "resident",
    "name": "デジタル認証アプリ",
    "name_en": "Digital Authentication App",
    "server_url": "https://auth.example.go.jp/api/realms/main",
    "client_id": "madoguchi-kasama",
    "secret": "s3cret",
}
GBIZID = {
    "id": "gbizid",
    "kind": "business",
    "name": "GビズID",
    "server_url": "https://gbiz-id.go.jp/oauth/",
    "client_id": "madoguchi",
    "secret": "other",
    "email_verified": True,
}


def test_empty_or_missing_variable_means_no_providers() -> None:
    assert parse_providers("") == []
    assert parse_providers(None) == []
    assert parse_providers("[]") == []


def test_providers_become_allauth_apps_with_pkce() -> None:
    providers = parse_providers(json.dumps([DIGITAL_AUTH, GBIZID]))
    setting = socialaccount_providers(providers)
    assert setting["openid_connect"]["OAUTH_PKCE_ENABLED"] is True
    resident, business = setting["openid_connect"]["APPS"]
    assert resident["provider_id"] == "digital-auth"
    assert resident["client_id"] == "madoguchi-kasama"
    assert resident["secret"] == "s3cret"
    assert resident["settings"]["kind"] == "resident"
    assert resident["settings"]["scope"] == ["openid", "profile", "email"]
    assert resident["settings"]["name_en"] == "Digital Authentication App"
    assert resident["settings"]["email_verified"] is False
    # gBizID releases the person under "user"; the English name defaults to the name.
    assert business["settings"]["scope"] == ["openid", "profile", "user", "email"]
    assert business["settings"]["name_en"] == "GビズID"
    assert business["settings"]["email_verified"] is True
    assert business["settings"]["token_auth_method"] == "client_secret_basic"


def test_form_action_allows_the_provider_origins_once() -> None:
    providers = parse_providers([DIGITAL_AUTH, GBIZID, {**GBIZID, "id": "gbizid-stg"}])
    assert form_action_origins(providers) == ["https://auth.example.go.jp", "https://gbiz-id.go.jp"]


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("{not json", "not valid JSON"),
        ('{"id": "x"}', "must be a JSON list"),
        ([{"id": "x", "name": "X", "server_url": "https://x.example"}], "lacks client_id"),
        ([{**DIGITAL_AUTH, "id": "Digital Auth"}], "lower-case"),
        ([DIGITAL_AUTH, DIGITAL_AUTH], "used twice"),
        ([{**DIGITAL_AUTH, "kind": "staff"}], "kind must be one of"),
        ([{**DIGITAL_AUTH, "server_url": "ftp://x.example"}], "http(s) URL"),
        ([{**DIGITAL_AUTH, "scope": ["profile"]}], "includes openid"),
        ([{**DIGITAL_AUTH, "token_auth_method": "none"}], "token_auth_method"),
    ],
)
def test_mistakes_stop_the_start_with_a_clear_message(raw: object, message: str) -> None:
    with pytest.raises(ProviderConfigError, match=message.replace("(", r"\(").replace(")", r"\)")):
        parse_providers(raw)  # type: ignore[arg-type]
