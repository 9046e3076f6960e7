"""Data retention (保存期間): what happens to submissions once their period is over.

`apply_retention()` is run daily (the task `procedures.tasks.apply_retention_task`, or
``manage.py procedures_retention``). For each procedure, a submission in a final status
(completed, rejected, withdrawn) whose `closed_at` lies more than the procedure's
`retention_days` ago is

- **deleted** (`RetentionAction.DELETE`): the row with its timeline, messages, notes,
  correction requests, signature evidence and attachments, and the attachments' files
  in the private storage; or
- **anonymised** (`RetentionAction.ANONYMISE`): the row stays for statistics (procedure,
  department, dates, statuses, fee amount), but its data is replaced by the list of keys
  it had, the applicant is unlinked and their name and e-mail blanked, attachments (files
  and rows) removed, message, note and correction texts blanked, the signature's document
  and certificate removed (its result kept), and `anonymised_at` set.

Drafts untouched for `PROCEDURE_DRAFT_RETENTION_DAYS` (default 90) are deleted, and life
event cases started without signing in after `lifeevents.ANONYMOUS_CASE_DAYS`.

Every submission handled gets its own audit entry (DELETE or UPDATE, with the number,
procedure and action; never the personal data itself). The work is done in batches, each
in its own transaction, and is safe to re-run: what was done is not found again.
Files are deleted after the batch's transaction commits, so that a rolled-back batch
never leaves rows pointing at missing files.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from madoguchi.audit import services as audit
from madoguchi.core.models import Municipality
from madoguchi.core.tenancy import municipality_scope

from ..models import (
    FINAL_STATUSES,
    Attachment,
    CorrectionRequest,
    EventKind,
    InternalNote,
    LifeEventCase,
    Procedure,
    RetentionAction,
    SignatureEvidence,
    Submission,
    SubmissionEvent,
    SubmissionMessage,
    SubmissionStatus,
)
from . import lifeevents

logger = logging.getLogger(__name__)

BATCH_SIZE = 200
DEFAULT_DRAFT_DAYS = 90

DELETE = "delete"
ANONYMISE = "anonymise"
DELETE_DRAFT = "delete_draft"

#: progress(label, done, total): called after every batch (the command prints it).
Progress = Callable[[str, int, int], None]


def draft_days() -> int:
    return int(getattr(settings, "PROCEDURE_DRAFT_RETENTION_DAYS", DEFAULT_DRAFT_DAYS))


@dataclass
class ProcedureCounts:
    municipality: str
    procedure: str
    deleted: int = 0
    anonymised: int = 0
    drafts_deleted: int = 0

    @property
    def total(self) -> int:
        return self.deleted + self.anonymised + self.drafts_deleted


@dataclass
class RetentionResult:
    """What one run did (or, with `dry_run`, would do), per procedure."""

    dry_run: bool = False
    procedures: list[ProcedureCounts] = field(default_factory=list)
    cases_deleted: int = 0
    files_deleted: int = 0

    @property
    def deleted(self) -> int:
        return sum(c.deleted for c in self.procedures)

    @property
    def anonymised(self) -> int:
        return sum(c.anonymised for c in self.procedures)

    @property
    def drafts_deleted(self) -> int:
        return sum(c.drafts_deleted for c in self.procedures)

    @property
    def total(self) -> int:
        return sum(c.total for c in self.procedures) + self.cases_deleted


# --- what is due ----------------------------------------------------------------------


def expired(procedure: Procedure, now: dt.datetime) -> QuerySet[Submission]:
    """Closed submissions of the procedure past its retention period, not yet handled.
    (A final submission without `closed_at`, from before it was recorded, counts from
    its last change.)"""
    cutoff = now - dt.timedelta(days=procedure.retention_days)
    return Submission.objects.filter(
        Q(closed_at__lt=cutoff) | Q(closed_at__isnull=True, updated_at__lt=cutoff),
        municipality_id=procedure.municipality_id,
        procedure=procedure,
        status__in=FINAL_STATUSES,
        anonymised_at__isnull=True,
    )


def abandoned_drafts(procedure: Procedure, now: dt.datetime) -> QuerySet[Submission]:
    cutoff = now - dt.timedelta(days=draft_days())
    return Submission.objects.filter(
        municipality_id=procedure.municipality_id,
        procedure=procedure,
        status=SubmissionStatus.DRAFT,
        updated_at__lt=cutoff,
    )


def abandoned_cases(municipality: Municipality, now: dt.datetime) -> QuerySet[LifeEventCase]:
    cutoff = now - dt.timedelta(days=lifeevents.ANONYMOUS_CASE_DAYS)
    return LifeEventCase.objects.filter(municipality=municipality, user__isnull=True, updated_at__lt=cutoff)


# --- doing it -------------------------------------------------------------------------


def _delete_files_on_commit(names: list[str]) -> None:
    if not names:
        return
    storage = Attachment._meta.get_field("file").storage  # type: ignore[attr-defined]

    def delete() -> None:
        for name in names:
            try:
                storage.delete(name)
            except Exception:
                # The row is gone; a file left behind is found by the storage's own
                # listing. Logged without the name's owner (names are random).
                logger.exception("retention: could not delete attachment file %s", name)

    transaction.on_commit(delete)


def _files_of(submission_ids: Iterable[int]) -> list[str]:
    return [
        n for n in Attachment.objects.filter(submission_id__in=list(submission_ids)).values_list("file", flat=True) if n
    ]


def _audit(submission: Submission, what: str, *, procedure: Procedure, fields: list[str]) -> None:
    audit.record(
        action=audit.Action.DELETE if what in (DELETE, DELETE_DRAFT) else audit.Action.UPDATE,
        obj=submission,
        municipality=procedure.municipality,
        personal_data=True,
        subject=submission.applicant,
        fields=fields,
        extra={
            "number": submission.number,
            "procedure": procedure.slug,
            "action": what,
            "retention_days": procedure.retention_days if what != DELETE_DRAFT else draft_days(),
        },
    )


def _delete(submissions: list[Submission], procedure: Procedure, what: str) -> int:
    names = _files_of(s.pk for s in submissions)
    for submission in submissions:
        _audit(
            submission,
            what,
            procedure=procedure,
            fields=["data", "attachments", "messages", "events", "signatures"],
        )
    ids = [s.pk for s in submissions]
    # Children first, explicitly: the rows are tenant models, and their deletion must
    # not depend on which scope the cascade's collector runs in.
    Attachment.objects.filter(submission_id__in=ids).delete()
    SignatureEvidence.objects.filter(submission_id__in=ids).delete()
    SubmissionMessage.objects.filter(submission_id__in=ids).delete()
    InternalNote.objects.filter(submission_id__in=ids).delete()
    CorrectionRequest.objects.filter(submission_id__in=ids).delete()
    SubmissionEvent.objects.filter(submission_id__in=ids).delete()
    Submission.objects.filter(pk__in=ids).delete()
    _delete_files_on_commit(names)
    return len(names)


ANONYMISED_FIELDS = [
    "data",
    "applicant",
    "applicant_name",
    "applicant_email",
    "life_event_case",
    "attachments",
    "messages",
    "internal_notes",
    "corrections",
    "signatures",
]


def anonymised_data(data: Any) -> dict[str, Any]:
    """What is left of a submission's data: which keys it had, not their values."""
    keys = sorted(str(k) for k in data) if isinstance(data, dict) else []
    return {"anonymised": True, "keys": keys}


def _anonymise(submissions: list[Submission], procedure: Procedure, now: dt.datetime) -> int:
    ids = [s.pk for s in submissions]
    names = _files_of(ids)
    for submission in submissions:
        # The audit entry names the applicant (subject) before the link is removed.
        _audit(submission, ANONYMISE, procedure=procedure, fields=ANONYMISED_FIELDS)
        submission.data = anonymised_data(submission.data)
        submission.applicant = None
        submission.applicant_name = ""
        submission.applicant_email = ""
        submission.life_event_case = None
        submission.idempotency_key = ""
        submission.anonymised_at = now
        submission.save(
            update_fields=[
                "data",
                "applicant",
                "applicant_name",
                "applicant_email",
                "life_event_case",
                "idempotency_key",
                "anonymised_at",
                "updated_at",
            ]
        )
        SubmissionEvent.objects.create(
            municipality_id=submission.municipality_id,
            submission=submission,
            kind=EventKind.RETENTION,
            visible_to_applicant=False,
            data={"action": ANONYMISE},
        )
    Attachment.objects.filter(submission_id__in=ids).delete()
    SubmissionMessage.objects.filter(submission_id__in=ids).update(body="")
    InternalNote.objects.filter(submission_id__in=ids).update(body="")
    CorrectionRequest.objects.filter(submission_id__in=ids).update(
        message="", answer_message="", previous_values={}, new_values={}
    )
    # Reasons given to the applicant may name them or their circumstances.
    SubmissionEvent.objects.filter(submission_id__in=ids).exclude(reason="").update(reason="")
    SignatureEvidence.objects.filter(submission_id__in=ids).update(
        signed_document="", certificate_pem="", subject="", serial_number=""
    )
    _delete_files_on_commit(names)
    return len(names)


def _process(
    queryset_for: Callable[[], QuerySet[Submission]],
    handle: Callable[[list[Submission]], int],
    *,
    label: str,
    batch_size: int,
    progress: Progress | None,
    result: RetentionResult,
) -> int:
    """Run `handle` over the submissions of `queryset_for()` batch by batch, each batch
    in a transaction with the rows locked; returns how many were handled."""
    total = queryset_for().count()
    done = 0
    while True:
        with transaction.atomic():
            batch = list(
                queryset_for().select_for_update(of=("self",)).select_related("applicant").order_by("pk")[:batch_size]
            )
            if not batch:
                break
            result.files_deleted += handle(batch)
        done += len(batch)
        if progress is not None:
            progress(label, done, max(total, done))
        if done > total + batch_size * 10:  # pragma: no cover - rows keep appearing: stop
            logger.warning("retention: %s keeps finding rows; stopping this run", label)
            break
    return done


def apply_retention(
    now: dt.datetime | None = None,
    *,
    municipality: Municipality | None = None,
    progress: Progress | None = None,
    dry_run: bool = False,
    batch_size: int = BATCH_SIZE,
) -> RetentionResult:
    """Delete or anonymise what is past its retention period, in every municipality (or
    one); with `dry_run`, only count. Returns the counts per procedure."""
    now = now or timezone.now()
    result = RetentionResult(dry_run=dry_run)
    municipalities = [municipality] if municipality is not None else list(Municipality.objects.order_by("pk"))
    for m in municipalities:
        with municipality_scope(m):
            for procedure in Procedure.objects.filter(municipality=m).select_related("municipality").order_by("pk"):
                counts = _apply_to_procedure(procedure, now, dry_run, batch_size, progress, result)
                if counts.total:
                    result.procedures.append(counts)
            cases = abandoned_cases(m, now)
            if dry_run:
                result.cases_deleted += cases.count()
            else:
                result.cases_deleted += _delete_cases(m, cases)
    return result


def _apply_to_procedure(
    procedure: Procedure,
    now: dt.datetime,
    dry_run: bool,
    batch_size: int,
    progress: Progress | None,
    result: RetentionResult,
) -> ProcedureCounts:
    counts = ProcedureCounts(municipality=procedure.municipality.name_ja, procedure=procedure.name_ja)
    anonymise = procedure.retention_action == RetentionAction.ANONYMISE
    label = f"{procedure.municipality.name_ja} {procedure.name_ja}"
    if dry_run:
        due = expired(procedure, now).count()
        if anonymise:
            counts.anonymised = due
        else:
            counts.deleted = due
        counts.drafts_deleted = abandoned_drafts(procedure, now).count()
        return counts
    if anonymise:
        counts.anonymised = _process(
            lambda: expired(procedure, now),
            lambda batch: _anonymise(batch, procedure, now),
            label=label,
            batch_size=batch_size,
            progress=progress,
            result=result,
        )
    else:
        counts.deleted = _process(
            lambda: expired(procedure, now),
            lambda batch: _delete(batch, procedure, DELETE),
            label=label,
            batch_size=batch_size,
            progress=progress,
            result=result,
        )
    counts.drafts_deleted = _process(
        lambda: abandoned_drafts(procedure, now),
        lambda batch: _delete(batch, procedure, DELETE_DRAFT),
        label=f"{label}（下書き）",
        batch_size=batch_size,
        progress=progress,
        result=result,
    )
    return counts


def _delete_cases(municipality: Municipality, cases: QuerySet[LifeEventCase]) -> int:
    """Life event cases started without signing in, long abandoned (their shared answers
    are personal data). Their submissions, if any, stay (the link is cleared)."""
    deleted = 0
    while True:
        with transaction.atomic():
            batch = list(cases.select_for_update().order_by("pk")[:BATCH_SIZE])
            if not batch:
                break
            for case in batch:
                audit.record(
                    action=audit.Action.DELETE,
                    obj=case,
                    municipality=municipality,
                    personal_data=True,
                    fields=["answers", "shared_data"],
                    extra={"life_event": case.life_event_id, "action": "delete_case"},
                )
            Submission.objects.filter(life_event_case__in=batch).update(life_event_case=None)
            LifeEventCase.objects.filter(pk__in=[c.pk for c in batch]).delete()
            deleted += len(batch)
    return deleted
