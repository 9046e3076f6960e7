"""Second factors: enrolling one counts for the session, and adding or removing one is
recorded in the audit log (sign-ins themselves are recorded by `madoguchi.audit`)."""

from __future__ import annotations

from typing import Any

from allauth.mfa import signals as mfa_signals
from django.dispatch import receiver

from madoguchi.audit import services as audit

from .middleware import record_enrolment


def _record_factor_change(request: Any, user: Any, authenticator: Any, change: str) -> None:
    profile = getattr(user, "staff_profile_or_none", None)
    audit.record(
        action=audit.Action.UPDATE,
        obj=user,
        fields=["second_factor"],
        request=request,
        actor=user,
        municipality=profile.municipality if profile is not None else None,
        extra={"second_factor": str(authenticator.type), "change": change},
    )


@receiver(mfa_signals.authenticator_added)
def second_factor_added(sender: Any, request: Any, user: Any, authenticator: Any, **kwargs: Any) -> None:
    if request is not None and getattr(request, "user", None) == user:
        record_enrolment(request)
    _record_factor_change(request, user, authenticator, "added")


@receiver(mfa_signals.authenticator_removed)
def second_factor_removed(sender: Any, request: Any, user: Any, authenticator: Any, **kwargs: Any) -> None:
    _record_factor_change(request, user, authenticator, "removed")
