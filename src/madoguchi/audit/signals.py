"""Sign-in events into the audit log.

Django's own signals (sign-in, sign-out, failed sign-in) and allauth's (second factors,
passwords, e-mail addresses) are recorded in the chain of the staff member's
municipality, or in the deployment's chain for residents and businesses, whose accounts
belong to the deployment. A password never reaches the log; for a failed sign-in only
the e-mail address that was tried is kept.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from allauth.account import signals as account_signals
from allauth.mfa import signals as mfa_signals
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver
from django.http import HttpRequest

from .models import Action
from .services import record

if TYPE_CHECKING:
    from madoguchi.core.models import Municipality

# Keys under which a sign-in form passes the identifier it was given.
_IDENTIFIER_KEYS = ("email", "login", "username")


def _home_municipality(user: Any) -> Municipality | None:
    profile = getattr(user, "staff_profile_or_none", None) if user is not None else None
    return profile.municipality if profile is not None else None


def _user_for_identifier(identifier: str) -> Any:
    if not identifier or "@" not in identifier:
        return None
    return get_user_model()._default_manager.filter(email__iexact=identifier.strip()).first()


@receiver(user_logged_in, dispatch_uid="audit-user-logged-in")
def signed_in(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    record(action=Action.LOGIN, actor=user, request=request, municipality=_home_municipality(user))


@receiver(user_logged_out, dispatch_uid="audit-user-logged-out")
def signed_out(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    if user is None:
        return
    record(action=Action.LOGOUT, actor=user, request=request, municipality=_home_municipality(user))


@receiver(user_login_failed, dispatch_uid="audit-user-login-failed")
def sign_in_failed(sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any) -> None:
    # Only the identifier: Django masks the password in `credentials`, and no other key
    # of a sign-in form belongs in the log either.
    identifier = next((str(credentials[k]) for k in _IDENTIFIER_KEYS if credentials.get(k)), "")[:254]
    account = _user_for_identifier(identifier)
    record(
        action=Action.LOGIN_FAILED,
        obj=account,
        actor=None,
        request=request,
        municipality=_home_municipality(account),
        extra={"email": identifier, "stage": "password"},
    )


@receiver(mfa_signals.authentication_failed, dispatch_uid="audit-mfa-failed")
def second_factor_failed(
    sender: Any, request: HttpRequest, user: Any, authenticator: Any = None, **kwargs: Any
) -> None:
    record(
        action=Action.LOGIN_FAILED,
        obj=user,
        actor=None,
        request=request,
        municipality=_home_municipality(user),
        extra={
            "email": getattr(user, "email", ""),
            "stage": "second_factor",
            "type": getattr(authenticator, "type", ""),
            "reauthentication": bool(kwargs.get("reauthentication", False)),
        },
    )


def _authenticator_event(action: str) -> Any:
    def receiver_(sender: Any, request: HttpRequest, user: Any, authenticator: Any, **kwargs: Any) -> None:
        record(
            action=action,
            obj=authenticator,
            actor=user,
            request=request,
            municipality=_home_municipality(user),
            fields=["type"],
            extra={"type": authenticator.type},
        )

    return receiver_


_authenticator_added = _authenticator_event(Action.CREATE)
_authenticator_removed = _authenticator_event(Action.DELETE)
_authenticator_reset = _authenticator_event(Action.UPDATE)
mfa_signals.authenticator_added.connect(_authenticator_added, dispatch_uid="audit-mfa-added")
mfa_signals.authenticator_removed.connect(_authenticator_removed, dispatch_uid="audit-mfa-removed")
mfa_signals.authenticator_reset.connect(_authenticator_reset, dispatch_uid="audit-mfa-reset")


def _account_change(fields: list[str], *, action: str = Action.UPDATE, event: str = "") -> Any:
    def receiver_(sender: Any, request: HttpRequest | None = None, user: Any = None, **kwargs: Any) -> None:
        if user is None:
            return
        record(
            action=action,
            obj=user,
            # These are the account owner's own changes (a reset link proves who it is).
            actor=user,
            request=request,
            municipality=_home_municipality(user),
            fields=fields,
            extra={"event": event},
        )

    return receiver_


_password_changed = _account_change(["password"], event="password_changed")
_password_set = _account_change(["password"], event="password_set")
_password_reset = _account_change(["password"], event="password_reset")
_email_changed = _account_change(["email"], event="email_changed")
_email_added = _account_change(["email_addresses"], event="email_added")
_email_removed = _account_change(["email_addresses"], event="email_removed")
_signed_up = _account_change([], action=Action.CREATE, event="signed_up")
account_signals.password_changed.connect(_password_changed, dispatch_uid="audit-password-changed")
account_signals.password_set.connect(_password_set, dispatch_uid="audit-password-set")
account_signals.password_reset.connect(_password_reset, dispatch_uid="audit-password-reset")
account_signals.email_changed.connect(_email_changed, dispatch_uid="audit-email-changed")
account_signals.email_added.connect(_email_added, dispatch_uid="audit-email-added")
account_signals.email_removed.connect(_email_removed, dispatch_uid="audit-email-removed")
account_signals.user_signed_up.connect(_signed_up, dispatch_uid="audit-signed-up")
