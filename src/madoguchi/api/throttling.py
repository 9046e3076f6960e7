"""Rate limits of the API: per token for integrations, per client address otherwise.

The rates are read on each request (not once at import, as DRF's throttles do), so that
a changed setting applies at once. Counters live in the default cache, which all app
servers share (Redis in production, the database in the embedded set-up).
"""

from __future__ import annotations

from typing import Any

from rest_framework.request import Request
from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle

from .models import ApiToken


class _SettingsRate(SimpleRateThrottle):
    def get_rate(self) -> str | None:
        rate = api_settings.DEFAULT_THROTTLE_RATES.get(self.scope or "")
        return str(rate) if rate is not None else None


class TokenRateThrottle(_SettingsRate):
    """Each token has its own budget (`API_TOKEN_RATE`), whoever and wherever the caller."""

    scope = "token"

    def get_cache_key(self, request: Request, view: Any) -> str | None:
        if not isinstance(request.auth, ApiToken):
            return None
        return self.cache_format % {"scope": self.scope, "ident": request.auth.pk}


class AnonymousRateThrottle(_SettingsRate):
    """Calls without a token, per client address (`API_ANON_RATE`)."""

    scope = "anon"

    def get_cache_key(self, request: Request, view: Any) -> str | None:
        if isinstance(request.auth, ApiToken):
            return None
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}
