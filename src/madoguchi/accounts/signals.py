"""Enrolling a second factor counts for the session in which it is enrolled.

(Adding and removing factors, like sign-ins, is recorded in the audit log by
`madoguchi.audit.signals`.)"""

from __future__ import annotations

from typing import Any

from allauth.account.authentication import AUTHENTICATION_METHODS_SESSION_KEY
from allauth.mfa import signals as mfa_signals
from django.contrib.auth.signals import user_logged_in
from django.dispatch import Signal, receiver

from .middleware import needs_second_factor, record_enrolment

#: Sent by `accounts.services` after a staff member was created, changed roles or
#: department, or was (de)activated: `profile` is the StaffProfile. Modules that give
#: staff rights outside madoguchi's own permission helper (Wagtail's page permissions)
#: follow the roles from here.
staff_changed = Signal()


@receiver(mfa_signals.authenticator_added, dispatch_uid="accounts-second-factor-enrolled")
def second_factor_added(sender: Any, request: Any, user: Any, authenticator: Any, **kwargs: Any) -> None:
    if request is not None and getattr(request, "user", None) == user:
        record_enrolment(request)


@receiver(user_logged_in, dispatch_uid="accounts-enrolment-after-sign-in")
def password_counts_for_enrolment(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    """A member of staff who has just signed in with the password and must now enrol a
    second factor is not asked for the password a second time: the sign-in counts as
    the reauthentication that allauth wants before a factor is added (for the usual
    five minutes, ACCOUNT_REAUTHENTICATION_TIMEOUT)."""
    if request is None or not needs_second_factor(user):
        return
    records = request.session.get(AUTHENTICATION_METHODS_SESSION_KEY)
    if isinstance(records, list) and records and records[-1].get("method") == "password":
        records[-1] = {**records[-1], "reauthenticated": True}
        request.session[AUTHENTICATION_METHODS_SESSION_KEY] = records
