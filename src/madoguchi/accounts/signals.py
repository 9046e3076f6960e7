"""Enrolling a second factor counts for the session in which it is enrolled.

(Adding and removing factors, like sign-ins, is recorded in the audit log by
`madoguchi.audit.signals`.)"""

from __future__ import annotations

from typing import Any

from allauth.mfa import signals as mfa_signals
from django.dispatch import receiver

from .middleware import record_enrolment


@receiver(mfa_signals.authenticator_added, dispatch_uid="accounts-second-factor-enrolled")
def second_factor_added(sender: Any, request: Any, user: Any, authenticator: Any, **kwargs: Any) -> None:
    if request is not None and getattr(request, "user", None) == user:
        record_enrolment(request)
