"""Staff processing services: who may move a submission where, repeats that change
nothing, department scoping, correction requests, and completion waiting for the fee
(real invoices and payments, no mocks)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from madoguchi.accounts.models import Role, User
from madoguchi.audit.models import AuditEntry
from madoguchi.core.models import Municipality
from madoguchi.notifications.models import OutboundMessage
from madoguchi.payments import services as payments
from madoguchi.payments.models import Channel
from madoguchi.procedures import signals
from madoguchi.procedures.models import (
    CorrectionRequest,
    CorrectionStatus,
    EventKind,
    FeeTiming,
    InternalNote,
    Submission,
    SubmissionEvent,
    SubmissionMessage,
    SubmissionStatus,
)
from madoguchi.procedures.services import applicant, common, fees, processing, processing_stats
from madoguchi.testing.factories import DepartmentFactory, UserFactory, make_staff

from .factories import FormVersionFactory, ProcedureFactory, SubmissionFactory

pytestmark = pytest.mark.django_db

S = SubmissionStatus


@pytest.fixture(autouse=True)
def _receivers() -> None:
    signals.connect()


def staff_of(submission: Submission, *roles: str) -> User:
    """A member of staff in the submission's department."""
    user = make_staff(submission.municipality, *roles, mfa=False)
    profile = user.staff_profile
    profile.department = submission.department
    profile.save()
    return User.objects.get(pk=user.pk)


def make_submission(
    municipality: Municipality, *, fee: int = 0, timing: str = FeeTiming.NONE, **kwargs: Any
) -> Submission:
    procedure = ProcedureFactory.create(municipality=municipality, fee_timing=timing)
    version = FormVersionFactory.create(procedure=procedure)
    resident = UserFactory.create()
    return SubmissionFactory.create(form_version=version, applicant=resident, fee_amount=fee, **kwargs)


def fresh(submission: Submission) -> Submission:
    return Submission.objects.get(pk=submission.pk)


def status_events(submission: Submission, to: str) -> int:
    return SubmissionEvent.objects.filter(submission=submission, kind=EventKind.STATUS, to_status=to).count()


def test_a_clerk_reviews_and_completes_but_only_an_approver_decides(kasama: Municipality) -> None:
    submission = make_submission(kasama)
    clerk = staff_of(submission, Role.COUNTER_CLERK)
    approver = staff_of(submission, Role.APPROVER)
    processing.start_review(submission, actor=clerk)
    assert fresh(submission).status == S.IN_REVIEW
    with pytest.raises(PermissionDenied):
        processing.approve(submission, actor=clerk)
    with pytest.raises(PermissionDenied):
        processing.reject(submission, reason="不備", actor=clerk)
    assert fresh(submission).status == S.IN_REVIEW
    processing.approve(submission, actor=approver)
    assert fresh(submission).status == S.APPROVED
    processing.complete(submission, actor=clerk)
    assert fresh(submission).status == S.COMPLETED


def test_an_auditor_may_look_but_not_act(kasama: Municipality) -> None:
    submission = make_submission(kasama)
    auditor = staff_of(submission, Role.AUDITOR)
    assert processing.visible_submissions(auditor, kasama).filter(pk=submission.pk).exists()
    with pytest.raises(PermissionDenied):
        processing.start_review(submission, actor=auditor)
    with pytest.raises(PermissionDenied):
        processing.add_note(submission, body="メモ", actor=auditor)


def test_transitions_the_machine_does_not_allow_are_refused(kasama: Municipality) -> None:
    submission = make_submission(kasama)
    head = staff_of(submission, Role.DEPARTMENT_HEAD)
    with pytest.raises(common.ProcedureError) as error:
        processing.complete(submission, actor=head)
    assert error.value.code == "invalid_transition"
    with pytest.raises(common.ProcedureError) as error:
        processing.approve(submission, actor=head)  # received → approved skips the review
    assert "「受付」の申請を「承認」にすることはできません。" in error.value.messages[0]
    with pytest.raises(common.ProcedureError) as error:
        processing.reject(submission, reason="  ", actor=head)
    assert error.value.code == "reason_required"
    assert fresh(submission).status == S.RECEIVED


def test_approving_twice_records_one_event_and_issues_one_invoice(kasama: Municipality) -> None:
    submission = make_submission(kasama, fee=300, timing=FeeTiming.ON_APPROVAL)
    approver = staff_of(submission, Role.APPROVER)
    processing.start_review(submission, actor=approver)
    processing.approve(submission, actor=approver)
    processing.approve(submission, actor=approver)
    assert status_events(submission, S.APPROVED) == 1
    invoice = fees.invoice_for(submission)
    assert invoice is not None
    assert invoice.amount == 300
    assert AuditEntry.objects.filter(object_id=str(submission.pk), action="update", extra__to=S.APPROVED).count() == 1


def test_another_departments_submission_is_out_of_reach(kasama: Municipality) -> None:
    submission = make_submission(kasama)
    elsewhere = make_staff(kasama, Role.DEPARTMENT_HEAD, mfa=False)
    elsewhere.staff_profile.department = DepartmentFactory.create(municipality=kasama)
    elsewhere.staff_profile.save()
    elsewhere = User.objects.get(pk=elsewhere.pk)
    assert not processing.visible_submissions(elsewhere, kasama).filter(pk=submission.pk).exists()
    with pytest.raises(PermissionDenied):
        processing.start_review(submission, actor=elsewhere)
    admin = make_staff(kasama, Role.MUNICIPAL_ADMIN, mfa=False)
    assert processing.visible_submissions(admin, kasama).filter(pk=submission.pk).exists()


def test_another_municipalitys_submission_is_never_visible(kasama: Municipality, mito: Municipality) -> None:
    theirs = make_submission(mito)
    admin = make_staff(kasama, Role.MUNICIPAL_ADMIN, mfa=False)
    assert not processing.visible_submissions(admin, kasama).filter(pk=theirs.pk).exists()
    with pytest.raises(PermissionDenied):
        processing.start_review(theirs, actor=admin)


def test_drafts_are_not_in_the_inbox(kasama: Municipality) -> None:
    draft = make_submission(kasama, status=S.DRAFT, number="")
    admin = make_staff(kasama, Role.MUNICIPAL_ADMIN, mfa=False)
    assert not processing.visible_submissions(admin, kasama).filter(pk=draft.pk).exists()


def test_assigning_to_self_and_to_a_colleague_but_not_to_another_department(kasama: Municipality) -> None:
    submission = make_submission(kasama)
    clerk = staff_of(submission, Role.COUNTER_CLERK)
    colleague = staff_of(submission, Role.OFFICER)
    outsider = make_staff(kasama, Role.OFFICER, mfa=False)
    processing.assign(submission, clerk, actor=clerk)
    processing.assign(submission, clerk, actor=clerk)
    assert fresh(submission).assignee == clerk
    assert SubmissionEvent.objects.filter(submission=submission, kind=EventKind.ASSIGNED).count() == 1
    event = SubmissionEvent.objects.get(submission=submission, kind=EventKind.ASSIGNED)
    assert not event.visible_to_applicant
    processing.assign(submission, colleague, actor=clerk)
    assert fresh(submission).assignee == colleague
    with pytest.raises(common.ProcedureError) as error:
        processing.assign(submission, outsider, actor=clerk)
    assert error.value.code == "bad_assignee"
    assert fresh(submission).assignee == colleague


def test_a_correction_request_names_fields_and_the_applicants_answer_closes_it(kasama: Municipality) -> None:
    submission = make_submission(kasama)
    clerk = staff_of(submission, Role.COUNTER_CLERK)
    due = timezone.localdate() + dt.timedelta(days=7)
    correction = processing.request_correction(
        submission, message="住所の番地が抜けています。", fields=["address"], respond_by=due, actor=clerk
    )
    again = processing.request_correction(
        submission, message="住所の番地が抜けています。", fields=["address"], respond_by=due, actor=clerk
    )
    assert again.pk == correction.pk
    assert CorrectionRequest.objects.filter(submission=submission).count() == 1
    assert (correction.status, correction.fields, correction.respond_by) == (CorrectionStatus.OPEN, ["address"], due)
    current = fresh(submission)
    assert current.status == S.CORRECTION_REQUESTED
    event = SubmissionEvent.objects.get(submission=submission, kind=EventKind.STATUS, to_status=S.CORRECTION_REQUESTED)
    assert event.reason == "住所の番地が抜けています。"
    assert OutboundMessage.objects.filter(template_key="procedures/status_changed").exists()

    applicant.answer_correction(current, values={"address": "茨城県笠間市中央三丁目2番1号 101"}, user=current.applicant)
    correction.refresh_from_db()
    assert correction.status == CorrectionStatus.ANSWERED
    assert correction.previous_values == {"address": "茨城県笠間市中央三丁目2番1号"}
    assert correction.new_values == {"address": "茨城県笠間市中央三丁目2番1号 101"}
    assert fresh(submission).status == S.IN_REVIEW


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"message": "", "fields": ["address"]}, "message_required"),
        ({"message": "直してください", "fields": []}, "fields_required"),
        ({"message": "直してください", "fields": ["no_such_field"]}, "unknown_field"),
        ({"message": "直してください", "fields": ["address"], "respond_by": dt.date(2000, 1, 1)}, "past_date"),
    ],
)
def test_a_bad_correction_request_is_refused_and_changes_nothing(
    kasama: Municipality, kwargs: dict[str, Any], code: str
) -> None:
    submission = make_submission(kasama)
    clerk = staff_of(submission, Role.COUNTER_CLERK)
    kwargs.setdefault("respond_by", None)
    with pytest.raises(common.ProcedureError) as error:
        processing.request_correction(submission, actor=clerk, **kwargs)
    assert error.value.code == code
    assert fresh(submission).status == S.RECEIVED
    assert not CorrectionRequest.objects.filter(submission=submission).exists()


def test_completion_waits_until_the_fee_is_paid(kasama: Municipality, django_capture_on_commit_callbacks: Any) -> None:
    submission = make_submission(kasama, fee=600, timing=FeeTiming.ON_SUBMISSION)
    invoice = fees.on_submitted(submission)
    assert invoice is not None
    clerk = staff_of(submission, Role.COUNTER_CLERK)
    approver = staff_of(submission, Role.APPROVER)
    processing.start_review(submission, actor=clerk)
    processing.approve(submission, actor=approver)
    with pytest.raises(common.ProcedureError) as error:
        processing.complete(submission, actor=clerk)
    assert error.value.code == "fee_unpaid"
    assert error.value.messages == ["手数料が未納のため完了にできません"]
    assert fresh(submission).status == S.APPROVED

    with django_capture_on_commit_callbacks(execute=True):
        payments.record_payment(
            invoice, channel=Channel.COUNTER, reference="counter:1", amount=600, paid_on=timezone.localdate()
        )
    assert fees.is_settled(fresh(submission))
    processing.complete(submission, actor=clerk)
    processing.complete(submission, actor=clerk)
    assert fresh(submission).status == S.COMPLETED
    assert status_events(submission, S.COMPLETED) == 1


def test_withdrawal_on_the_applicants_request_needs_a_reason(kasama: Municipality) -> None:
    submission = make_submission(kasama)
    clerk = staff_of(submission, Role.COUNTER_CLERK)
    processing.request_correction(submission, message="添付を", fields=["id_document"], respond_by=None, actor=clerk)
    with pytest.raises(common.ProcedureError):
        processing.withdraw(submission, reason="", actor=clerk)
    processing.withdraw(submission, reason="電話で取下げの申出", actor=clerk)
    assert fresh(submission).status == S.WITHDRAWN
    assert CorrectionRequest.objects.get(submission=submission).status == CorrectionStatus.CANCELLED


def test_a_message_to_the_applicant_is_sent_once_and_notes_stay_internal(kasama: Municipality) -> None:
    submission = make_submission(kasama)
    clerk = staff_of(submission, Role.COUNTER_CLERK)
    first = processing.send_message(submission, body="原本をお持ちください。", actor=clerk)
    again = processing.send_message(submission, body="原本をお持ちください。", actor=clerk)
    assert first.pk == again.pk
    assert first.from_staff
    assert SubmissionMessage.objects.filter(submission=submission).count() == 1
    mail = OutboundMessage.objects.get(template_key="procedures/message_from_staff")
    assert submission.number in mail.subject
    assert "原本をお持ちください" not in mail.body_text
    assert submission.number in mail.body_text
    with pytest.raises(common.ProcedureError) as error:
        processing.send_message(submission, body="   ", actor=clerk)
    assert error.value.messages == ["メッセージを入力してください。"]

    processing.add_note(submission, body="本人確認済み", actor=clerk)
    assert InternalNote.objects.filter(submission=submission).count() == 1
    assert list(applicant.timeline(fresh(submission))) == list(
        SubmissionEvent.objects.filter(submission=submission, visible_to_applicant=True)
    )
    assert AuditEntry.objects.filter(object_type="procedures.internalnote", action="create").exists()


def test_overdue_is_an_open_submission_past_its_due_date(kasama: Municipality) -> None:
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    late = make_submission(kasama, due_on=yesterday)
    done = make_submission(kasama, due_on=yesterday, status=S.COMPLETED)
    on_time = make_submission(kasama, due_on=timezone.localdate())
    assert processing.is_overdue(late)
    assert not processing.is_overdue(done)
    assert not processing.is_overdue(on_time)
    admin = make_staff(kasama, Role.MUNICIPAL_ADMIN, mfa=False)
    assert processing_stats.overdue_count(processing.visible_submissions(admin, kasama)) == 1


def test_the_department_hears_of_a_new_submission_once_without_its_data(kasama: Municipality) -> None:
    submission = make_submission(kasama, due_on=dt.date(2026, 12, 1))
    submission.department.email = "shimin@city.kasama.example.jp"
    submission.department.save()
    processing.notify_department_of_submission(submission)
    processing.notify_department_of_submission(submission)
    mail = OutboundMessage.objects.get(template_key="procedures/new_submission")
    assert mail.address == "shimin@city.kasama.example.jp"
    assert submission.number in mail.subject
    assert str(submission.public_id) in mail.body_text
    assert "2026-12-01" in mail.body_text
    assert "笠間 花子" not in mail.body_text
