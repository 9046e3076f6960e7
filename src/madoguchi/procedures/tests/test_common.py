"""The status machine, the timeline and the numbering every part of procedures uses."""

from __future__ import annotations

import pytest

from madoguchi.accounts.models import Role
from madoguchi.audit.models import AuditEntry
from madoguchi.core.models import Municipality
from madoguchi.core.tenancy import municipality_scope
from madoguchi.procedures.models import EventKind, SubmissionEvent, SubmissionStatus
from madoguchi.procedures.services import common
from madoguchi.testing.factories import make_staff

from .factories import ProcedureFactory, SubmissionFactory

pytestmark = pytest.mark.django_db

S = SubmissionStatus


def _submission(municipality: Municipality, **kwargs: object) -> object:
    procedure = ProcedureFactory.create(municipality=municipality)
    return SubmissionFactory.create(form_version__procedure=procedure, **kwargs)


def test_staff_move_a_submission_through_review_with_an_event_and_an_audit_entry(kasama: Municipality) -> None:
    clerk = make_staff(kasama, Role.OFFICER, mfa=False)
    submission = _submission(kasama)
    updated = common.change_status(submission, S.IN_REVIEW, who="staff", actor=clerk, notify_applicant=False)
    assert updated.status == S.IN_REVIEW
    with municipality_scope(kasama):
        event = SubmissionEvent.objects.get(submission=submission, kind=EventKind.STATUS)
    assert (event.from_status, event.to_status, event.actor) == (S.RECEIVED, S.IN_REVIEW, clerk)
    entry = AuditEntry.objects.filter(object_id=str(submission.pk), action="update").get()
    assert entry.personal_data
    assert entry.extra["to"] == S.IN_REVIEW


def test_the_same_change_twice_records_it_once(kasama: Municipality) -> None:
    submission = _submission(kasama)
    common.change_status(submission, S.IN_REVIEW, who="staff", notify_applicant=False)
    common.change_status(submission, S.IN_REVIEW, who="staff", notify_applicant=False)
    with municipality_scope(kasama):
        assert SubmissionEvent.objects.filter(submission=submission, kind=EventKind.STATUS).count() == 1


@pytest.mark.parametrize(
    ("start", "to", "who"),
    [
        (S.RECEIVED, S.APPROVED, "staff"),  # review comes first
        (S.IN_REVIEW, S.WITHDRAWN, "applicant"),  # too late to withdraw alone
        (S.COMPLETED, S.IN_REVIEW, "staff"),  # final
        (S.RECEIVED, S.IN_REVIEW, "applicant"),  # staff's move
    ],
)
def test_transitions_outside_the_machine_are_refused_with_a_message(
    kasama: Municipality, start: str, to: str, who: str
) -> None:
    submission = _submission(kasama, status=start)
    with pytest.raises(common.ProcedureError) as excinfo:
        common.change_status(submission, to, who=who, notify_applicant=False)
    assert excinfo.value.code == "invalid_transition"
    assert "することはできません" in excinfo.value.messages[0]
    submission.refresh_from_db()
    assert submission.status == start


def test_rejecting_needs_a_reason_and_closes_the_submission(kasama: Municipality) -> None:
    submission = _submission(kasama, status=S.IN_REVIEW)
    with pytest.raises(common.ProcedureError) as excinfo:
        common.change_status(submission, S.REJECTED, who="staff", reason="  ", notify_applicant=False)
    assert excinfo.value.code == "reason_required"
    done = common.change_status(
        submission, S.REJECTED, who="staff", reason="添付書類が不鮮明です", notify_applicant=False
    )
    assert done.decided_at is not None
    assert done.closed_at is not None


def test_numbers_follow_each_other_per_municipality_and_year(kasama: Municipality, mito: Municipality) -> None:
    assert common.next_number(kasama, 2026) == "2026-000001"
    assert common.next_number(kasama, 2026) == "2026-000002"
    assert common.next_number(mito, 2026) == "2026-000001"
    assert common.next_number(kasama, 2027) == "2027-000001"


def test_allowed_transitions_for_the_applicant() -> None:
    assert common.allowed_transitions(S.RECEIVED, "applicant") == [S.WITHDRAWN]
    assert set(common.allowed_transitions(S.CORRECTION_REQUESTED, "applicant")) == {S.IN_REVIEW, S.WITHDRAWN}
    assert common.allowed_transitions(S.IN_REVIEW, "applicant") == []
