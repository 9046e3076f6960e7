"""`Authorization: Bearer mdg_…`: the integrations of a municipality sign their calls with
an API token (RFC 6750). The token acts for a staff (service) account, with its roles."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions
from rest_framework.request import Request

from . import services
from .models import TOKEN_PREFIX, ApiToken


class ApiTokenAuthentication(authentication.BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request: Request) -> tuple[Any, ApiToken] | None:
        header = authentication.get_authorization_header(request).decode("latin-1").strip()
        if not header:
            return None
        keyword, _sep, raw = header.partition(" ")
        raw = raw.strip()
        # The scheme name is case-insensitive (RFC 7235); the token itself is not.
        if keyword.lower() != self.keyword.lower() or not raw.startswith(TOKEN_PREFIX) or " " in raw:
            raise exceptions.AuthenticationFailed(
                _("Authorization ヘッダーは「Bearer mdg_…」の形式で、APIトークンを送ってください。")
            )
        token = services.find_token(raw)
        if token is None or not token.is_usable or not token.user.is_active or not token.municipality.is_active:
            raise exceptions.AuthenticationFailed(_("APIトークンが無効です（失効、期限切れ、または存在しません）。"))
        services.record_use(token)
        return token.user, token

    def authenticate_header(self, request: Request) -> str:
        # Makes DRF answer 401 with a WWW-Authenticate challenge rather than 403.
        return f'{self.keyword} realm="madoguchi"'
