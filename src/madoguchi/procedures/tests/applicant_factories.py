"""Helpers for the applicant part's tests: a sent submission of a resident, and a
correction request made the way staff make one (`services.processing`)."""

from __future__ import annotations

from typing import Any

from madoguchi.accounts.models import Role
from madoguchi.core.models import Municipality
from madoguchi.procedures.models import CorrectionRequest, Submission
from madoguchi.procedures.services import processing
from madoguchi.testing.factories import make_staff

from .factories import ProcedureFactory, SubmissionFactory


def submission_of(municipality: Municipality, user: Any, **kwargs: Any) -> Submission:
    """A received submission of `user` in `municipality` (the sample 住民票の写し form)."""
    procedure = kwargs.pop("procedure", None) or ProcedureFactory.create(municipality=municipality)
    kwargs.setdefault("applicant_email", getattr(user, "email", "") or "hanako@example.jp")
    return SubmissionFactory.create(form_version__procedure=procedure, applicant=user, **kwargs)


def clerk_of(submission: Submission) -> Any:
    """A member of staff of the submission's department who may process it."""
    staff = make_staff(submission.municipality, Role.OFFICER, mfa=False)
    profile = staff.staff_profile
    profile.department = submission.department
    profile.save()
    return staff


def request_correction(
    submission: Submission,
    *,
    fields: list[str],
    message: str = "住所を住民票のとおりに直してください。",
    staff: Any = None,
) -> CorrectionRequest:
    """補正依頼 as staff do it: an open request and the status 補正依頼中."""
    return processing.request_correction(
        submission, message=message, fields=fields, respond_by=None, actor=staff or clerk_of(submission)
    )
