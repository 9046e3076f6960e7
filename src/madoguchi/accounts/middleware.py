"""Staff accounts must use a second factor (TOTP or WebAuthn)."""

from __future__ import annotations

from collections.abc import Callable

from allauth.mfa.utils import is_mfa_enabled
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

# Paths a staff member without a second factor may still reach: signing out, setting up
# the second factor, and what those pages load.
_ALLOWED_PREFIXES = ("/static/", "/healthz", "/readyz", "/i18n/", "/preferences/")
_ALLOWED_ACCOUNT_SUFFIXES = ("/accounts/logout/", "/accounts/2fa/", "/accounts/reauthenticate/")


def needs_second_factor(user: object) -> bool:
    """Staff (and the deployment's operators) must have a second factor enrolled."""
    if not getattr(user, "is_authenticated", False):
        return False
    is_staff_account = bool(
        getattr(user, "is_superuser", False)
        or getattr(user, "is_staff", False)
        or user.staff_profile_or_none is not None  # type: ignore[attr-defined]
    )
    return is_staff_account and not is_mfa_enabled(user)  # type: ignore[arg-type]


class StaffSecondFactorMiddleware:
    """Until a staff account has enrolled a second factor, every page sends it to the
    enrolment page. With a factor enrolled, allauth asks for it at every sign-in."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        path = request.path_info
        if (
            not path.startswith(_ALLOWED_PREFIXES)
            and not any(s in path for s in _ALLOWED_ACCOUNT_SUFFIXES)
            and needs_second_factor(request.user)
        ):
            if path.startswith("/api/"):
                return HttpResponse(status=403)
            messages.warning(request, _("職員のアカウントは二要素認証の設定が必要です。認証アプリを登録してください。"))
            return redirect(reverse("mfa_activate_totp"))
        return self.get_response(request)
