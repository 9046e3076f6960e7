"""What an applicant does after submitting, at the service level: withdrawing, messages,
answering a correction request, and the audit entries they leave."""

from __future__ import annotations

import pytest

from madoguchi.accounts.models import User
from madoguchi.audit.models import AuditEntry
from madoguchi.core.models import Municipality
from madoguchi.procedures.models import (
    CorrectionRequest,
    CorrectionStatus,
    EventKind,
    SubmissionEvent,
    SubmissionMessage,
    SubmissionStatus,
)
from madoguchi.procedures.services import applicant, common
from madoguchi.testing.factories import UserFactory

from .applicant_factories import clerk_of, request_correction, submission_of

pytestmark = pytest.mark.django_db

S = SubmissionStatus


@pytest.fixture
def resident(db: None) -> User:
    return UserFactory.create(email="hanako@example.jp")


# --- Withdrawing ---------------------------------------------------------------------


def test_a_received_submission_is_withdrawn_once_with_an_event_and_an_audit_entry(
    kasama: Municipality, resident: User
) -> None:
    submission = submission_of(kasama, resident)
    applicant.withdraw(submission, user=resident, reason="別の窓口で請求しました")
    again = applicant.withdraw(submission, user=resident)  # a double click
    assert again.status == S.WITHDRAWN
    assert again.closed_at is not None
    events = SubmissionEvent.objects.filter(submission=submission, kind=EventKind.STATUS, to_status=S.WITHDRAWN)
    assert events.count() == 1
    assert events.get().reason == "別の窓口で請求しました"
    assert events.get().actor == resident
    entry = AuditEntry.objects.filter(object_id=str(submission.pk), action="update").latest("sequence")
    assert entry.extra["to"] == S.WITHDRAWN
    assert entry.actor_id == resident.pk
    assert entry.personal_data


def test_withdrawing_while_a_correction_is_open_cancels_the_request(kasama: Municipality, resident: User) -> None:
    submission = submission_of(kasama, resident)
    correction = request_correction(submission, fields=["address"])
    applicant.withdraw(submission, user=resident)
    correction.refresh_from_db()
    assert correction.status == CorrectionStatus.CANCELLED


@pytest.mark.parametrize("status", [S.IN_REVIEW, S.APPROVED, S.COMPLETED, S.REJECTED])
def test_withdrawing_after_review_started_is_refused_with_the_reason(
    kasama: Municipality, resident: User, status: str
) -> None:
    submission = submission_of(kasama, resident, status=status)
    with pytest.raises(common.ProcedureError) as excinfo:
        applicant.withdraw(submission, user=resident)
    assert excinfo.value.code == "cannot_withdraw"
    assert "取り下げられません" in excinfo.value.messages[0]
    submission.refresh_from_db()
    assert submission.status == status


def test_only_the_applicant_may_withdraw(kasama: Municipality, resident: User) -> None:
    submission = submission_of(kasama, resident)
    with pytest.raises(common.ProcedureError):
        applicant.withdraw(submission, user=UserFactory.create())
    submission.refresh_from_db()
    assert submission.status == S.RECEIVED


# --- Messages ------------------------------------------------------------------------


def test_a_message_to_the_department_is_stored_once_with_an_event_and_an_audit_entry(
    kasama: Municipality, resident: User
) -> None:
    submission = submission_of(kasama, resident)
    first = applicant.send_message(submission, "  受け取りはいつ頃になりますか。 ", resident)
    second = applicant.send_message(submission, "受け取りはいつ頃になりますか。", resident)  # posted twice
    assert first.pk == second.pk
    message = SubmissionMessage.objects.get(submission=submission)
    assert (message.body, message.from_staff, message.author) == ("受け取りはいつ頃になりますか。", False, resident)
    assert SubmissionEvent.objects.filter(submission=submission, kind=EventKind.MESSAGE).count() == 1
    entry = AuditEntry.objects.filter(object_type="procedures.submissionmessage", action="create").get()
    assert entry.personal_data
    assert entry.subject_id == resident.pk
    # Another text is another message.
    applicant.send_message(submission, "もう一点、郵送先を変えられますか。", resident)
    assert SubmissionMessage.objects.filter(submission=submission).count() == 2


def test_an_empty_or_someone_elses_message_is_refused(kasama: Municipality, resident: User) -> None:
    submission = submission_of(kasama, resident)
    with pytest.raises(common.ProcedureError) as empty:
        applicant.send_message(submission, "   ", resident)
    assert empty.value.code == "empty"
    with pytest.raises(common.ProcedureError) as other:
        applicant.send_message(submission, "こんにちは", UserFactory.create())
    assert other.value.code == "not_found"
    assert not SubmissionMessage.objects.filter(submission=submission).exists()


def test_the_department_gets_a_notice_without_the_text(kasama: Municipality, resident: User) -> None:
    from madoguchi.notifications.models import OutboundMessage

    submission = submission_of(kasama, resident)
    submission.department.email = "shimin@city.kasama.example"
    submission.department.save()
    applicant.send_message(submission, "本人確認書類を追加で送れますか。", resident)
    notice = OutboundMessage.unscoped.get(template_key="procedures/message_to_department")
    assert notice.address == "shimin@city.kasama.example"
    assert submission.number in notice.subject
    assert "本人確認書類" not in notice.body_text


# --- Corrections ---------------------------------------------------------------------


def test_answering_a_correction_updates_the_data_keeps_the_old_values_and_returns_to_review(
    kasama: Municipality, resident: User
) -> None:
    submission = submission_of(kasama, resident)
    clerk = clerk_of(submission)
    correction = request_correction(submission, fields=["address", "copies"], staff=clerk)
    result = applicant.answer_correction(
        submission,
        values={"address": "茨城県笠間市石井717", "copies": 3, "name": "ほかの項目は変えられない"},
        message="番地を直しました。",
        user=resident,
    )
    assert not result.needs_signature
    submission.refresh_from_db()
    correction.refresh_from_db()
    assert submission.status == S.IN_REVIEW
    assert submission.data["address"] == "茨城県笠間市石井717"
    assert submission.data["copies"] == 3
    assert submission.data["name"] == "笠間 花子"  # not named in the request: unchanged
    assert correction.status == CorrectionStatus.ANSWERED
    assert correction.answered_at is not None
    assert correction.previous_values == {"address": "茨城県笠間市中央三丁目2番1号", "copies": 2}
    assert correction.new_values == {"address": "茨城県笠間市石井717", "copies": 3}
    assert correction.answer_message == "番地を直しました。"
    corrected = SubmissionEvent.objects.get(submission=submission, kind=EventKind.CORRECTED)
    assert corrected.reason == "番地を直しました。"
    assert corrected.visible_to_applicant
    assert sorted(corrected.data["fields"]) == ["address", "copies"]
    back = SubmissionEvent.objects.filter(submission=submission, kind=EventKind.STATUS).latest("pk")
    assert (back.from_status, back.to_status, back.actor) == (S.CORRECTION_REQUESTED, S.IN_REVIEW, resident)
    entry = AuditEntry.objects.filter(object_id=str(submission.pk), action="update", extra__what="correction").get()
    assert entry.fields == ["address", "copies"]


def test_a_correction_is_refused_when_none_is_open(kasama: Municipality, resident: User) -> None:
    submission = submission_of(kasama, resident, status=S.IN_REVIEW)
    with pytest.raises(common.ProcedureError) as excinfo:
        applicant.answer_correction(submission, values={"address": "x"}, user=resident)
    assert excinfo.value.code == "no_open_correction"
    submission.refresh_from_db()
    assert submission.data["address"] == "茨城県笠間市中央三丁目2番1号"


def test_an_answer_twice_is_refused_the_second_time_and_changes_nothing(kasama: Municipality, resident: User) -> None:
    submission = submission_of(kasama, resident)
    request_correction(submission, fields=["address"])
    applicant.answer_correction(submission, values={"address": "茨城県笠間市石井717"}, user=resident)
    with pytest.raises(common.ProcedureError):
        applicant.answer_correction(submission, values={"address": "別の住所"}, user=resident)
    submission.refresh_from_db()
    assert submission.data["address"] == "茨城県笠間市石井717"
    assert SubmissionEvent.objects.filter(submission=submission, kind=EventKind.CORRECTED).count() == 1


def test_a_missing_required_field_is_refused_by_name_and_nothing_changes(kasama: Municipality, resident: User) -> None:
    submission = submission_of(kasama, resident)
    correction = request_correction(submission, fields=["address"])
    with pytest.raises(common.ProcedureError) as excinfo:
        applicant.answer_correction(submission, values={"address": ""}, user=resident)
    assert excinfo.value.code == "missing_required"
    assert "住所" in excinfo.value.messages[0]
    submission.refresh_from_db()
    correction.refresh_from_db()
    assert submission.status == S.CORRECTION_REQUESTED
    assert submission.data["address"] == "茨城県笠間市中央三丁目2番1号"
    assert correction.status == CorrectionStatus.OPEN
    assert correction.new_values == {}


def test_a_change_that_makes_another_field_required_is_checked_on_the_whole_data(
    kasama: Municipality, resident: User
) -> None:
    submission = submission_of(kasama, resident)
    request_correction(submission, fields=["scope"])
    # 世帯の一部 requires 必要な方の氏名, which the request does not name.
    with pytest.raises(common.ProcedureError) as excinfo:
        applicant.answer_correction(submission, values={"scope": "part"}, user=resident)
    assert "必要な方の氏名" in excinfo.value.messages[0]


def test_only_the_applicant_may_answer(kasama: Municipality, resident: User) -> None:
    submission = submission_of(kasama, resident)
    request_correction(submission, fields=["address"])
    with pytest.raises(common.ProcedureError) as excinfo:
        applicant.answer_correction(submission, values={"address": "x"}, user=UserFactory.create())
    assert excinfo.value.code == "not_found"


def test_with_a_signature_required_the_answer_waits_for_the_signature(kasama: Municipality, resident: User) -> None:
    submission = submission_of(kasama, resident, signature_required=True)
    correction = request_correction(submission, fields=["address"])
    result = applicant.answer_correction(
        submission, values={"address": "茨城県笠間市石井717"}, message="直しました", user=resident
    )
    assert result.needs_signature
    submission.refresh_from_db()
    correction.refresh_from_db()
    # The corrected data is in the submission, to be signed; the request stays open.
    assert submission.status == S.CORRECTION_REQUESTED
    assert submission.data["address"] == "茨城県笠間市石井717"
    assert correction.status == CorrectionStatus.OPEN
    assert correction.new_values == {"address": "茨城県笠間市石井717"}
    assert correction.previous_values == {"address": "茨城県笠間市中央三丁目2番1号"}
    assert applicant.has_pending_answer(correction)
    # Unsigned, it cannot be handed in.
    with pytest.raises(common.ProcedureError) as excinfo:
        applicant.complete_signed_correction(submission, user=resident)
    assert excinfo.value.code == "signature_required"
    # A second answer before signing keeps the original "before" values.
    applicant.answer_correction(submission, values={"address": "茨城県笠間市笠間1"}, user=resident)
    correction.refresh_from_db()
    assert correction.previous_values == {"address": "茨城県笠間市中央三丁目2番1号"}
    assert correction.new_values == {"address": "茨城県笠間市笠間1"}
    assert CorrectionRequest.objects.filter(submission=submission, status=CorrectionStatus.OPEN).count() == 1


# --- Reading -------------------------------------------------------------------------


def test_the_timeline_leaves_out_internal_events(kasama: Municipality, resident: User) -> None:
    submission = submission_of(kasama, resident)
    common.record_event(submission, EventKind.ASSIGNED, reason="担当を田中に", visible_to_applicant=False)
    common.change_status(submission, S.IN_REVIEW, who="staff")
    kinds = [e.kind for e in applicant.timeline(submission)]
    assert kinds == [EventKind.STATUS]


def test_the_stepper_shows_where_the_submission_is(kasama: Municipality, resident: User) -> None:
    submission = submission_of(kasama, resident)
    assert [s.state for s in applicant.stepper(submission)] == ["current", "upcoming", "upcoming", "upcoming"]
    request_correction(submission, fields=["address"])
    submission.refresh_from_db()
    steps = applicant.stepper(submission)
    assert [s.state for s in steps] == ["done", "current", "upcoming", "upcoming"]
    assert steps[1].note == "補正依頼中"
    rejected = submission_of(kasama, resident, status=S.REJECTED)
    steps = applicant.stepper(rejected)
    assert [s.state for s in steps] == ["done", "done", "done", "upcoming"]
    assert steps[2].label == "却下"


def test_lists_hold_only_the_users_own_sent_submissions_and_drafts(kasama: Municipality, resident: User) -> None:
    mine = submission_of(kasama, resident)
    draft = submission_of(kasama, resident, status=S.DRAFT, number="", submitted_at=None)
    submission_of(kasama, UserFactory.create())
    assert list(applicant.submissions_of(resident)) == [mine]
    assert list(applicant.drafts_of(resident)) == [draft]
    assert list(applicant.submissions_of(resident, status=S.COMPLETED)) == []
    assert applicant.get_for_applicant(resident, draft.public_id) is None
