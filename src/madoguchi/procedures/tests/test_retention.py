"""Data retention: expired submissions deleted or anonymised with their files, the rest
untouched, an audit entry each, and a second run does nothing."""

from __future__ import annotations

import datetime as dt
import hashlib
from io import StringIO
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.core.management import call_command
from django.utils import timezone

from madoguchi.audit.models import AuditEntry
from madoguchi.core.models import Municipality
from madoguchi.procedures.models import (
    Attachment,
    EventKind,
    LifeEventCase,
    Procedure,
    RetentionAction,
    SignatureEvidence,
    SignatureResult,
    Submission,
    SubmissionEvent,
    SubmissionMessage,
    SubmissionStatus,
)
from madoguchi.procedures.services import retention
from madoguchi.testing.factories import UserFactory

from .factories import FormVersionFactory, ProcedureFactory, SubmissionFactory
from .lifeevent_fixtures import make_moving_event

pytestmark = pytest.mark.django_db

NOW = timezone.now()


def procedure(municipality: Municipality, action: str = RetentionAction.DELETE, days: int = 365) -> Procedure:
    return ProcedureFactory.create(municipality=municipality, retention_days=days, retention_action=action)


def submission(proc: Procedure, *, status: str, closed_days_ago: int | None, **extra: Any) -> Submission:
    version = FormVersionFactory.create(procedure=proc)
    s = SubmissionFactory.create(
        form_version=version, status=status, applicant=UserFactory.create(), fee_amount=600, **extra
    )
    closed_at = NOW - dt.timedelta(days=closed_days_ago) if closed_days_ago is not None else None
    Submission.objects.filter(pk=s.pk).update(closed_at=closed_at, updated_at=closed_at or NOW)
    s.refresh_from_db()
    return s


def with_everything(s: Submission) -> str:
    """A message, an event with a reason, signature evidence and an attachment file;
    returns the file's name in the private storage."""
    SubmissionMessage.objects.create(municipality_id=s.municipality_id, submission=s, body="住所は笠間市です")
    SubmissionEvent.objects.create(
        municipality_id=s.municipality_id, submission=s, kind=EventKind.STATUS, reason="本人確認書類が不鮮明"
    )
    SignatureEvidence.objects.create(
        municipality_id=s.municipality_id,
        submission=s,
        signed_document="<Signed>笠間 花子</Signed>",
        data_digest="0" * 64,
        certificate_pem="-----BEGIN CERTIFICATE-----",
        subject="CN=KASAMA HANAKO",
        serial_number="1234",
        result=SignatureResult.ACCEPTED,
        provider="demo",
    )
    content = b"%PDF-1.4 personal"
    attachment = Attachment(
        municipality_id=s.municipality_id,
        submission=s,
        field_key="id_document",
        original_name="免許証.pdf",
        content_type="application/pdf",
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
    )
    attachment.file.save("x.pdf", ContentFile(content), save=False)
    attachment.save()
    name = attachment.file.name
    assert name
    assert storages["private"].exists(name)
    return name


def run(capture: Any, **kwargs: Any) -> retention.RetentionResult:
    with capture(execute=True):
        return retention.apply_retention(NOW, **kwargs)


def test_expired_submissions_are_deleted_with_their_files(
    kasama: Municipality, django_capture_on_commit_callbacks: Any
) -> None:
    proc = procedure(kasama, RetentionAction.DELETE, days=365)
    old = submission(proc, status=SubmissionStatus.COMPLETED, closed_days_ago=400)
    name = with_everything(old)
    result = run(django_capture_on_commit_callbacks)
    assert result.deleted == 1
    assert result.files_deleted == 1
    assert not Submission.objects.filter(pk=old.pk).exists()
    assert not Attachment.objects.filter(submission_id=old.pk).exists()
    assert not SubmissionMessage.objects.filter(submission_id=old.pk).exists()
    assert not SubmissionEvent.objects.filter(submission_id=old.pk).exists()
    assert not SignatureEvidence.objects.filter(submission_id=old.pk).exists()
    assert not storages["private"].exists(name)
    entry = AuditEntry.objects.get(object_type="procedures.submission", object_id=str(old.pk))
    assert entry.action == "delete"
    assert entry.personal_data
    assert entry.extra["number"] == old.number
    assert entry.extra["procedure"] == proc.slug
    assert entry.extra["action"] == "delete"
    assert "笠間" not in str(entry.extra)


def test_expired_submissions_are_anonymised_when_the_procedure_says_so(
    kasama: Municipality, django_capture_on_commit_callbacks: Any
) -> None:
    proc = procedure(kasama, RetentionAction.ANONYMISE, days=30)
    old = submission(proc, status=SubmissionStatus.REJECTED, closed_days_ago=31)
    keys = sorted(old.data)
    name = with_everything(old)
    result = run(django_capture_on_commit_callbacks)
    assert result.anonymised == 1
    old.refresh_from_db()
    assert old.anonymised_at is not None
    assert old.data == {"anonymised": True, "keys": keys}
    assert old.applicant is None
    assert old.applicant_name == ""
    assert old.applicant_email == ""
    assert old.fee_amount == 600  # statistics stay
    assert old.status == SubmissionStatus.REJECTED
    assert not Attachment.objects.filter(submission=old).exists()
    assert not storages["private"].exists(name)
    assert list(SubmissionMessage.objects.filter(submission=old).values_list("body", flat=True)) == [""]
    assert not SubmissionEvent.objects.filter(submission=old).exclude(reason="").exists()
    evidence = SignatureEvidence.objects.get(submission=old)
    assert (evidence.signed_document, evidence.certificate_pem, evidence.subject) == ("", "", "")
    assert evidence.result == SignatureResult.ACCEPTED
    entry = AuditEntry.objects.get(object_type="procedures.submission", object_id=str(old.pk), action="update")
    assert entry.extra["action"] == "anonymise"
    assert "笠間" not in str(entry.extra)


def test_what_is_not_expired_or_still_open_is_untouched(
    kasama: Municipality, django_capture_on_commit_callbacks: Any
) -> None:
    proc = procedure(kasama, RetentionAction.DELETE, days=365)
    recent = submission(proc, status=SubmissionStatus.WITHDRAWN, closed_days_ago=300)
    untouched = [recent]
    for status in (
        SubmissionStatus.RECEIVED,
        SubmissionStatus.IN_REVIEW,
        SubmissionStatus.CORRECTION_REQUESTED,
        SubmissionStatus.APPROVED,
    ):
        # Open for years: never removed, whatever its age.
        s = submission(proc, status=status, closed_days_ago=None, submitted_at=NOW - dt.timedelta(days=3000))
        Submission.objects.filter(pk=s.pk).update(updated_at=NOW - dt.timedelta(days=3000))
        untouched.append(s)
    name = with_everything(recent)
    result = run(django_capture_on_commit_callbacks)
    assert result.total == 0
    for s in untouched:
        fresh = Submission.objects.get(pk=s.pk)
        assert fresh.data == s.data
        assert fresh.anonymised_at is None
    assert storages["private"].exists(name)
    assert not AuditEntry.objects.filter(object_type="procedures.submission", action="delete").exists()


def test_abandoned_drafts_and_anonymous_cases_are_deleted(
    kasama: Municipality, django_capture_on_commit_callbacks: Any, settings: Any
) -> None:
    settings.PROCEDURE_DRAFT_RETENTION_DAYS = 90
    proc = procedure(kasama)
    stale = submission(proc, status=SubmissionStatus.DRAFT, closed_days_ago=None, number="")
    Submission.objects.filter(pk=stale.pk).update(updated_at=NOW - dt.timedelta(days=91))
    fresh = submission(proc, status=SubmissionStatus.DRAFT, closed_days_ago=None, number="")
    moving = make_moving_event(kasama)
    old_case = LifeEventCase.objects.create(municipality=kasama, life_event=moving.event, shared_data={"a": "b"})
    kept_case = LifeEventCase.objects.create(
        municipality=kasama, life_event=moving.event, user=UserFactory.create(), shared_data={"a": "b"}
    )
    LifeEventCase.objects.filter(pk__in=[old_case.pk, kept_case.pk]).update(updated_at=NOW - dt.timedelta(days=400))
    result = run(django_capture_on_commit_callbacks)
    assert result.drafts_deleted == 1
    assert result.cases_deleted == 1
    assert not Submission.objects.filter(pk=stale.pk).exists()
    assert Submission.objects.filter(pk=fresh.pk).exists()
    assert not LifeEventCase.objects.filter(pk=old_case.pk).exists()
    assert LifeEventCase.objects.filter(pk=kept_case.pk).exists()
    entry = AuditEntry.objects.get(object_type="procedures.submission", object_id=str(stale.pk))
    assert entry.extra["action"] == "delete_draft"


def test_a_second_run_does_nothing_and_batches_cover_everything(
    kasama: Municipality, django_capture_on_commit_callbacks: Any
) -> None:
    deleting = procedure(kasama, RetentionAction.DELETE, days=10)
    anonymising = procedure(kasama, RetentionAction.ANONYMISE, days=10)
    for _ in range(5):
        submission(deleting, status=SubmissionStatus.COMPLETED, closed_days_ago=20)
        submission(anonymising, status=SubmissionStatus.COMPLETED, closed_days_ago=20)
    seen: list[tuple[str, int, int]] = []
    first = run(django_capture_on_commit_callbacks, batch_size=2, progress=lambda *a: seen.append(a))
    assert (first.deleted, first.anonymised) == (5, 5)
    assert {(c.procedure, c.deleted, c.anonymised) for c in first.procedures} == {
        (deleting.name_ja, 5, 0),
        (anonymising.name_ja, 0, 5),
    }
    assert [done for label, done, total in seen if deleting.name_ja in label] == [2, 4, 5]
    audits = AuditEntry.objects.filter(object_type="procedures.submission").count()
    second = run(django_capture_on_commit_callbacks)
    assert second.total == 0
    assert second.procedures == []
    assert AuditEntry.objects.filter(object_type="procedures.submission").count() == audits


def test_one_municipality_only(
    kasama: Municipality, mito: Municipality, django_capture_on_commit_callbacks: Any
) -> None:
    ours = submission(procedure(kasama, days=10), status=SubmissionStatus.COMPLETED, closed_days_ago=20)
    theirs = submission(procedure(mito, days=10), status=SubmissionStatus.COMPLETED, closed_days_ago=20)
    result = run(django_capture_on_commit_callbacks, municipality=mito)
    assert result.deleted == 1
    assert Submission.objects.filter(pk=ours.pk).exists()
    assert not Submission.objects.filter(pk=theirs.pk).exists()
    entry = AuditEntry.objects.get(object_type="procedures.submission", object_id=str(theirs.pk))
    assert entry.municipality_id == mito.pk


def test_the_command_counts_per_procedure_and_dry_run_changes_nothing(kasama: Municipality) -> None:
    proc = procedure(kasama, days=10)
    old = submission(proc, status=SubmissionStatus.COMPLETED, closed_days_ago=20)
    out = StringIO()
    call_command("procedures_retention", "--dry-run", stdout=out)
    assert f"{proc.name_ja}: 削除 deleted 1" in out.getvalue()
    assert Submission.objects.filter(pk=old.pk).exists()
    out = StringIO()
    call_command("procedures_retention", stdout=out)
    assert f"{proc.name_ja}: 削除 deleted 1" in out.getvalue()
    assert "1/1" in out.getvalue()
    assert not Submission.objects.filter(pk=old.pk).exists()


def test_the_task_runs_a_retention(kasama: Municipality) -> None:
    from madoguchi.procedures import tasks

    old = submission(procedure(kasama, days=10), status=SubmissionStatus.COMPLETED, closed_days_ago=20)
    totals = tasks.apply_retention_task.call()
    assert totals["deleted"] == 1
    assert not Submission.objects.filter(pk=old.pk).exists()
