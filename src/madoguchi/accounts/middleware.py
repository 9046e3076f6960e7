"""Staff accounts must use a second factor (TOTP or WebAuthn).

- A staff account (or an operator's) without a second factor is sent to enrol one
  before any other page, the staff console and /django-admin/ included.
- With a factor enrolled, allauth asks for it at every sign-in. A session of such an
  account that holds no second-factor step (a password-only session, however it came
  about) is ended here, so that no path around allauth's login stages gets in.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable
from typing import Any

from allauth.account.authentication import AUTHENTICATION_METHODS_SESSION_KEY
from allauth.mfa.models import Authenticator
from allauth.mfa.utils import is_mfa_enabled
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)

SECOND_FACTORS = [Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN]
_LANGUAGES = "|".join(re.escape(code) for code, _name in settings.LANGUAGES)
_LANG = rf"^/(?:(?:{_LANGUAGES})/)?"
# What every session may load, and what a staff member may reach before enrolling a
# second factor: the enrolment pages, signing out, confirming the password for them.
_ASSETS = re.compile(r"^/(?:static|media)/|^/(?:healthz|readyz)$|^/i18n/|" + _LANG + "preferences/")
_ENROLMENT = re.compile(_LANG + "accounts/(?:2fa|logout|reauthenticate)/")
_LOGOUT = re.compile(_LANG + "accounts/logout/")


def is_staff_account(user: object) -> bool:
    return bool(getattr(user, "is_authenticated", False) and getattr(user, "is_staff_account", False))


def needs_second_factor(user: object) -> bool:
    """A staff account that has not enrolled a second factor yet."""
    return is_staff_account(user) and not is_mfa_enabled(user, SECOND_FACTORS)  # type: ignore[arg-type]


def _session_records(request: HttpRequest) -> list[dict[str, Any]]:
    # allauth's own reader also compares a user id it keeps beside the records; Django
    # already empties the session whenever another user signs in, so the records of a
    # session are this user's (and sessions made by test helpers need no more).
    records = request.session.get(AUTHENTICATION_METHODS_SESSION_KEY)
    return [r for r in records if isinstance(r, dict)] if isinstance(records, list) else []


def used_second_factor(request: HttpRequest) -> bool:
    """Whether this session's sign-in included a second-factor step."""
    return any(record.get("method") == "mfa" for record in _session_records(request))


def record_enrolment(request: HttpRequest) -> None:
    """Enrolling a factor proves possession of it: the session counts as having used it."""
    records = _session_records(request)
    if not any(r.get("method") == "mfa" for r in records):
        records.append({"method": "mfa", "at": time.time(), "enrolled": True})
        request.session[AUTHENTICATION_METHODS_SESSION_KEY] = records


class StaffSecondFactorMiddleware:
    """Until a staff account has enrolled a second factor, every page sends it to the
    enrolment page; a session of an enrolled account without the second-factor step is
    signed out."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if not is_staff_account(user) or _ASSETS.match(request.path_info):
            return self.get_response(request)
        if is_mfa_enabled(user, SECOND_FACTORS):  # type: ignore[arg-type]
            if used_second_factor(request) or _LOGOUT.match(request.path_info):
                return self.get_response(request)
            # Not even the second-factor settings are open to such a session: it could
            # otherwise remove the factor it never proved.
            logger.warning("staff session without a second factor ended", extra={"user_id": user.pk})
            logout(request)
            messages.error(
                request, _("二要素認証を済ませていないため、サインアウトしました。もう一度サインインしてください。")
            )
            if request.path_info.startswith("/api/"):
                return JsonResponse({"detail": _("二要素認証が必要です。")}, status=403)
            return redirect("account_login")
        if _ENROLMENT.match(request.path_info):
            return self.get_response(request)
        if request.path_info.startswith("/api/"):
            return JsonResponse({"detail": _("二要素認証の設定が必要です。")}, status=403)
        messages.warning(
            request, _("職員のアカウントは二要素認証の設定が必要です。認証アプリかセキュリティキーを登録してください。")
        )
        return redirect("mfa_activate_totp")
