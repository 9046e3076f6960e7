"""What every part of the procedures services shares: the status machine of a submission,
its timeline, its numbers, and the e-mail to the applicant on every change of status.

Every change of a submission's status goes through `change_status()`; nothing else
writes `Submission.status`.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from madoguchi.audit import services as audit
from madoguchi.core import navigation
from madoguchi.core.models import Municipality
from madoguchi.core.tenancy import municipality_scope

from .. import formdef
from ..models import (
    FINAL_STATUSES,
    EventKind,
    FormVersion,
    Submission,
    SubmissionCounter,
    SubmissionEvent,
    SubmissionMessage,
    SubmissionStatus,
)

logger = logging.getLogger(__name__)

S = SubmissionStatus

#: Who may move a submission from one status to another: "staff", "applicant" or
#: "system" (fees, signatures, retention).
TRANSITIONS: dict[tuple[str, str], frozenset[str]] = {
    (S.DRAFT, S.RECEIVED): frozenset({"applicant", "system"}),
    (S.RECEIVED, S.IN_REVIEW): frozenset({"staff"}),
    (S.RECEIVED, S.CORRECTION_REQUESTED): frozenset({"staff"}),
    (S.RECEIVED, S.WITHDRAWN): frozenset({"applicant", "staff"}),
    (S.RECEIVED, S.REJECTED): frozenset({"staff"}),
    (S.IN_REVIEW, S.CORRECTION_REQUESTED): frozenset({"staff"}),
    (S.IN_REVIEW, S.APPROVED): frozenset({"staff"}),
    (S.IN_REVIEW, S.REJECTED): frozenset({"staff"}),
    (S.IN_REVIEW, S.WITHDRAWN): frozenset({"staff"}),
    (S.CORRECTION_REQUESTED, S.IN_REVIEW): frozenset({"applicant", "staff"}),
    (S.CORRECTION_REQUESTED, S.WITHDRAWN): frozenset({"applicant", "staff"}),
    (S.CORRECTION_REQUESTED, S.REJECTED): frozenset({"staff"}),
    (S.APPROVED, S.COMPLETED): frozenset({"staff", "system"}),
}

#: Status changes that need a reason (shown to the applicant).
REASON_REQUIRED = frozenset({S.REJECTED, S.CORRECTION_REQUESTED})


class ProcedureError(ValidationError):
    """A request the procedures services refuse, with a message for the person who made
    it (translated); `code` says why, for callers and tests."""


def allowed_transitions(status: str, who: str) -> list[str]:
    return [to for (frm, to), whom in TRANSITIONS.items() if frm == status and who in whom]


def locked(submission: Submission) -> Submission:
    """The submission re-read with a row lock, inside the caller's transaction: two
    clerks (or a clerk and the applicant) acting at once are serialised, and the second
    sees the first's result."""
    with municipality_scope(submission.municipality_id):
        return Submission.objects.select_for_update().select_related("procedure", "municipality").get(pk=submission.pk)


def record_event(
    submission: Submission,
    kind: str,
    *,
    actor: Any = None,
    from_status: str = "",
    to_status: str = "",
    reason: str = "",
    visible_to_applicant: bool = True,
    data: dict[str, Any] | None = None,
) -> SubmissionEvent:
    """Add one entry to the submission's timeline (経過)."""
    return SubmissionEvent.objects.create(
        municipality_id=submission.municipality_id,
        submission=submission,
        kind=kind,
        actor=actor if getattr(actor, "pk", None) else None,
        from_status=from_status,
        to_status=to_status,
        reason=reason,
        visible_to_applicant=visible_to_applicant,
        data=data or {},
    )


@transaction.atomic
def change_status(
    submission: Submission,
    to_status: str,
    *,
    who: str,
    actor: Any = None,
    reason: str = "",
    request: Any = None,
    notify_applicant: bool = True,
) -> Submission:
    """Move a submission to `to_status` as `who` ("staff", "applicant", "system"): checks
    the transition, records the event and an audit entry, and e-mails the applicant
    when the transaction commits. Returns the updated submission. Asking for the status
    it already has does nothing (a double click, a retried request)."""
    current = locked(submission)
    if current.status == to_status:
        return current
    allowed = TRANSITIONS.get((current.status, to_status), frozenset())
    if who not in allowed:
        raise ProcedureError(
            _("「%(from)s」の申請を「%(to)s」にすることはできません。")
            % {"from": S(current.status).label, "to": S(to_status).label},
            code="invalid_transition",
        )
    if to_status in REASON_REQUIRED and not reason.strip():
        raise ProcedureError(_("理由を入力してください。"), code="reason_required")
    from_status = current.status
    now = timezone.now()
    current.status = to_status
    fields = ["status", "updated_at"]
    if to_status in (S.APPROVED, S.REJECTED):
        current.decided_at = now
        fields.append("decided_at")
    if to_status in FINAL_STATUSES:
        current.closed_at = now
        fields.append("closed_at")
    current.save(update_fields=fields)
    record_event(
        current,
        EventKind.STATUS,
        actor=actor,
        from_status=from_status,
        to_status=to_status,
        reason=reason.strip(),
    )
    audit.record(
        action=audit.Action.UPDATE,
        obj=current,
        municipality=current.municipality,
        actor=actor,
        request=request,
        personal_data=True,
        subject=current.applicant,
        fields=["status"],
        extra={"from": from_status, "to": to_status, "number": current.number},
    )
    if to_status in FINAL_STATUSES:
        from . import fees

        # A withdrawn or rejected application owes nothing: its unpaid fee is cancelled.
        fees.on_closed(current, actor=actor)
    if notify_applicant:
        send_status_email(current, from_status=from_status, reason=reason.strip())
    return current


#: The same text from the same person within this time is one message (a double click,
#: a retried post), not two.
REPEATED_MESSAGE_WINDOW = timedelta(minutes=2)


def add_message(
    submission: Submission, *, author: Any, from_staff: bool, body: str, request: Any = None
) -> tuple[SubmissionMessage, bool]:
    """Store a message between the applicant and the department on a submission the
    caller has locked (`locked()`), with its timeline event and audit entry. Returns the
    message and whether it is new: the same text from the same author a moment ago is
    that earlier message."""
    author_id = getattr(author, "pk", None)
    earlier = (
        SubmissionMessage.objects.filter(
            submission=submission,
            from_staff=from_staff,
            author_id=author_id,
            body=body,
            created_at__gte=timezone.now() - REPEATED_MESSAGE_WINDOW,
        )
        .order_by("-created_at")
        .first()
    )
    if earlier is not None:
        return earlier, False
    message = SubmissionMessage.objects.create(
        municipality_id=submission.municipality_id,
        submission=submission,
        author=author if author_id else None,
        from_staff=from_staff,
        body=body,
    )
    record_event(submission, EventKind.MESSAGE, actor=author, data={"message": message.pk, "from_staff": from_staff})
    audit.record(
        action=audit.Action.CREATE,
        obj=message,
        municipality=submission.municipality,
        actor=author if author_id else None,
        request=request,
        personal_data=True,
        subject=submission.applicant,
        fields=["body"],
        extra={"number": submission.number, "submission": str(submission.public_id)},
    )
    return message, True


def applicant_url(submission: Submission) -> str:
    """The path of the applicant's page of a submission (My applications)."""
    try:
        return reverse(
            "procedures:my_submission",
            kwargs={"municipality_slug": submission.municipality.slug, "public_id": submission.public_id},
        )
    except NoReverseMatch:
        return ""


absolute_url = navigation.absolute_url


def applicant_address(submission: Submission) -> Any:
    """Whom to e-mail: the account, else the address given in the form."""
    if submission.applicant is not None and submission.applicant.email:
        return submission.applicant
    return submission.applicant_email or None


def send_status_email(submission: Submission, *, from_status: str = "", reason: str = "") -> None:
    """E-mail the applicant that the status changed (template
    `notifications/procedures/status_changed/`). Idempotent per status change."""
    count = SubmissionEvent.objects.filter(submission=submission, kind=EventKind.STATUS).count()
    with override(submission.language or "ja"):
        status_label = str(S(submission.status).label)
    email_applicant(
        submission,
        "procedures/status_changed",
        {"status": submission.status, "status_label": status_label, "from_status": from_status, "reason": reason},
        idempotency_key=f"procedures:submission:{submission.pk}:status:{count}:{submission.status}",
    )


def email_applicant(
    submission: Submission, template_key: str, context: dict[str, Any], *, idempotency_key: str
) -> None:
    """E-mail the applicant (the account, else the address given in the form) in the
    language they applied in. The context always has the number, the procedure's name in
    that language and the link to the applicant's page. A message that cannot be queued
    (a wrong address) is logged: it never undoes what the applicant or staff did."""
    from madoguchi.notifications import services as notifications

    recipient = applicant_address(submission)
    if recipient is None:
        return
    with override(submission.language or "ja"):
        procedure_name = submission.procedure.name
    try:
        notifications.notify(
            recipient,
            template_key,
            {
                "number": submission.number,
                "procedure": procedure_name,
                "url": absolute_url(applicant_url(submission)),
                **context,
            },
            municipality=submission.municipality,
            language=submission.language or None,
            idempotency_key=idempotency_key,
        )
    except notifications.NotificationError:
        logger.warning("submission %s: the e-mail %s could not be queued", submission.pk, template_key, exc_info=True)


def next_number(municipality: Municipality, year: int | None = None) -> str:
    """The next 受付番号 of the municipality's year, e.g. "2026-000123"; numbers are never
    given twice (the counter row is locked)."""
    year = year or timezone.localdate().year
    with municipality_scope(municipality):
        counter, _created = SubmissionCounter.objects.select_for_update().get_or_create(
            municipality=municipality, year=year
        )
        SubmissionCounter.objects.filter(pk=counter.pk).update(last=F("last") + 1)
        counter.refresh_from_db(fields=["last"])
    return f"{year}-{counter.last:06d}"


def definition_of(submission: Submission | FormVersion) -> formdef.FormDefinition:
    """The parsed form definition a submission was made with (or of a version)."""
    version = submission.form_version if isinstance(submission, Submission) else submission
    return formdef.parse(version.definition)


def audit_read(
    submission: Submission, *, request: Any = None, actor: Any = None, what: str = "detail", fields: Iterable[str] = ()
) -> None:
    """Record that someone read an applicant's data (a staff view, a download)."""
    audit.record(
        action=audit.Action.VIEW,
        obj=submission,
        municipality=submission.municipality,
        actor=actor,
        request=request,
        personal_data=True,
        subject=submission.applicant,
        fields=list(fields) or ["data"],
        extra={"what": what, "number": submission.number},
    )
