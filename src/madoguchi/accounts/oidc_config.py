"""The OpenID Connect providers of a deployment, read from the `OIDC_PROVIDERS` variable.

Imported by `settings.py`, so it imports nothing of Django. The variable
holds a JSON list; each object is one provider (see docs/modules/accounts.md)::

    [{"id": "digital-auth", "kind": "resident", "name": "デジタル認証アプリ",
      "name_en": "Digital Authentication App", "server_url": "https://…",
      "client_id": "…", "secret": "…"},
     {"id": "gbizid", "kind": "business", "name": "GビズID", "name_en": "gBizID",
      "server_url": "https://gbiz-id.go.jp/oauth/", "client_id": "…", "secret": "…",
      "email_verified": true}]

`kind` decides what an account created through the provider is (a resident or a
business) and how its claims are read (`madoguchi.accounts.claims`).
`"verifies_identity": true` marks a provider whose sign-in verifies the person's
identity (the デジタル認証アプリ checks the My Number Card): a session signed in through
it may apply for procedures that require a verified sign-in (本人確認済みのサインイン).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

KINDS = ("resident", "business")
PRIVATE_KEY_JWT = "private_key_jwt"
TOKEN_AUTH_METHODS = ("client_secret_basic", "client_secret_post", PRIVATE_KEY_JWT)
# What each kind asks for unless the provider's entry says otherwise. gBizID releases
# the business under "profile" and the person signing in under "user"
# (GビズID 接続システム向けガイドライン 3.4.1).
DEFAULT_SCOPES = {
    "resident": ["openid", "profile", "email"],
    "business": ["openid", "profile", "user", "email"],
}
_ID_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}$")
_REQUIRED = ("id", "name", "server_url", "client_id")


class ProviderConfigError(ValueError):
    """OIDC_PROVIDERS does not describe the providers correctly."""


def parse_providers(raw: str | list[Any] | None) -> list[dict[str, Any]]:
    """Check and normalise the providers given in OIDC_PROVIDERS (a JSON string or an
    already parsed list). A mistake stops the deployment from starting, with a message
    that names the provider and the field, rather than breaking sign-in later."""
    if raw is None or raw == "":
        return []
    if isinstance(raw, str):
        try:
            data = json.loads(raw)
        except json.JSONDecodeError as exc:
            raise ProviderConfigError(f"OIDC_PROVIDERS is not valid JSON: {exc}") from exc
    else:
        data = raw
    if not isinstance(data, list):
        raise ProviderConfigError("OIDC_PROVIDERS must be a JSON list of provider objects")
    providers: list[dict[str, Any]] = []
    seen: set[str] = set()
    for index, entry in enumerate(data):
        where = f"OIDC_PROVIDERS[{index}]"
        if not isinstance(entry, dict):
            raise ProviderConfigError(f"{where} must be an object")
        missing = [key for key in _REQUIRED if not entry.get(key)]
        if missing:
            raise ProviderConfigError(f"{where} lacks {', '.join(missing)}")
        provider_id = str(entry["id"])
        if not _ID_RE.match(provider_id):
            raise ProviderConfigError(f"{where}: id {provider_id!r} must be lower-case letters, digits, - or _")
        if provider_id in seen:
            raise ProviderConfigError(f"{where}: id {provider_id!r} is used twice")
        seen.add(provider_id)
        kind = entry.get("kind", "resident")
        if kind not in KINDS:
            raise ProviderConfigError(f"{where}: kind must be one of {', '.join(KINDS)}")
        server_url = str(entry["server_url"])
        if urlsplit(server_url).scheme not in ("https", "http"):
            raise ProviderConfigError(f"{where}: server_url must be an http(s) URL")
        method = entry.get("token_auth_method", "client_secret_basic")
        if method not in TOKEN_AUTH_METHODS:
            raise ProviderConfigError(f"{where}: token_auth_method must be one of {', '.join(TOKEN_AUTH_METHODS)}")
        private_key = _private_key(entry, where) if method == PRIVATE_KEY_JWT else ""
        scope = entry.get("scope", DEFAULT_SCOPES[kind])
        if not (isinstance(scope, list) and "openid" in scope):
            raise ProviderConfigError(f"{where}: scope must be a list that includes openid")
        providers.append(
            {
                "id": provider_id,
                "kind": kind,
                "name": str(entry["name"]),
                "name_en": str(entry.get("name_en") or entry["name"]),
                "server_url": server_url,
                "client_id": str(entry["client_id"]),
                "secret": str(entry.get("secret", "")),
                "token_auth_method": method,
                "scope": [str(s) for s in scope],
                "email_verified": bool(entry.get("email_verified", False)),
                "verifies_identity": bool(entry.get("verifies_identity", False)),
                "private_key": private_key,
                "key_id": str(entry.get("key_id", "")),
            }
        )
    return providers


def _private_key(entry: dict[str, Any], where: str) -> str:
    """The PEM key of a `private_key_jwt` client, given inline or as a file, checked now
    so that a wrong key stops the start rather than every sign-in."""
    from .client_assertion import ClientKey, ClientKeyError

    if entry.get("private_key"):
        pem = str(entry["private_key"])
    elif entry.get("private_key_file"):
        try:
            pem = Path(str(entry["private_key_file"])).read_text()
        except OSError as exc:
            raise ProviderConfigError(f"{where}: private_key_file cannot be read: {exc}") from exc
    else:
        raise ProviderConfigError(f"{where}: private_key_jwt needs private_key or private_key_file")
    try:
        ClientKey(pem).algorithm  # noqa: B018 - loads and checks the key
    except ClientKeyError as exc:
        raise ProviderConfigError(f"{where}: {exc}") from exc
    return pem


def socialaccount_apps(providers: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The providers as allauth's `SOCIALACCOUNT_PROVIDERS["openid_connect"]["APPS"]`."""
    return [
        {
            "provider_id": p["id"],
            "name": p["name"],
            "client_id": p["client_id"],
            "secret": p["secret"],
            "settings": {
                "server_url": p["server_url"],
                # With private_key_jwt allauth sends the client id in the body and the
                # session of the SocialAccountAdapter adds the signed assertion.
                "token_auth_method": (
                    "client_secret_post" if p["token_auth_method"] == PRIVATE_KEY_JWT else p["token_auth_method"]
                ),
                "client_assertion_key": (
                    {"pem": p["private_key"], "key_id": p["key_id"]}
                    if p["token_auth_method"] == PRIVATE_KEY_JWT
                    else None
                ),
                "scope": p["scope"],
                "kind": p["kind"],
                "name_en": p["name_en"],
                "email_verified": p["email_verified"],
            },
        }
        for p in providers
    ]


def socialaccount_providers(providers: list[dict[str, Any]]) -> dict[str, Any]:
    """The whole `SOCIALACCOUNT_PROVIDERS` setting. PKCE is always on."""
    return {"openid_connect": {"OAUTH_PKCE_ENABLED": True, "APPS": socialaccount_apps(providers)}}


def form_action_origins(providers: list[dict[str, Any]]) -> list[str]:
    """Origins the sign-in form may lead to. Starting an OpenID Connect sign-in is a POST
    answered with a redirect to the provider, and browsers apply the page's CSP
    `form-action` to that redirect too; the provider's authorization endpoint is on the
    origin of its server_url for both providers named in the plan."""
    origins: list[str] = []
    for p in providers:
        parts = urlsplit(p["server_url"])
        origin = f"{parts.scheme}://{parts.netloc}"
        if origin not in origins:
            origins.append(origin)
    return origins
