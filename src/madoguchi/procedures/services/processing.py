"""Staff processing of submissions (受付・審査・補正依頼・決定・完了).

What a member of staff may see (`visible_submissions`: their own department's
submissions, every department's with VIEW_ALL_DEPARTMENTS; never a draft, never another
municipality's) and what they may do with it. Every action takes the submission's row
lock (`common.locked`), is harmless when repeated (a double click, a retried request),
leaves an audit entry, and moves the status only through `common.change_status`.

The views check permissions too; the services check them again so that no caller can
skip them (an officer cannot approve through any path).
"""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from madoguchi.accounts.models import StaffProfile
from madoguchi.accounts.permissions import Permission, has_permission
from madoguchi.audit import services as audit
from madoguchi.core.models import Municipality
from madoguchi.core.tenancy import municipality_scope
from madoguchi.japanese.kana import to_katakana

from .. import permissions
from ..models import (
    OPEN_STATUSES,
    CorrectionRequest,
    CorrectionStatus,
    EventKind,
    InternalNote,
    Submission,
    SubmissionEvent,
    SubmissionMessage,
    SubmissionStatus,
)
from . import common, fees
from .common import ProcedureError

S = SubmissionStatus

MESSAGE_MAX_LENGTH = 4000


# --- who sees what ------------------------------------------------------------------


def department_of(user: Any) -> int | None:
    profile = getattr(user, "staff_profile_or_none", None)
    return profile.department_id if profile is not None else None


def sees_all_departments(user: Any, municipality: Municipality) -> bool:
    return has_permission(user, permissions.VIEW_ALL_DEPARTMENTS, municipality)


def visible_submissions(user: Any, municipality: Municipality) -> QuerySet[Submission]:
    """The submissions (not drafts) of the municipality that `user` may see: their own
    department's, or all with VIEW_ALL_DEPARTMENTS; none without VIEW_SUBMISSIONS."""
    queryset = Submission.objects.filter(municipality=municipality).exclude(status=S.DRAFT)
    if not has_permission(user, permissions.VIEW_SUBMISSIONS, municipality):
        return queryset.none()
    if sees_all_departments(user, municipality):
        return queryset
    department = department_of(user)
    return queryset.filter(department_id=department) if department is not None else queryset.none()


def may_see(user: Any, submission: Submission) -> bool:
    return visible_submissions(user, submission.municipality).filter(pk=submission.pk).exists()


def _require(actor: Any, permission: Permission, submission: Submission) -> None:
    """The actor holds `permission` and may see this submission (else PermissionDenied)."""
    if not has_permission(actor, permission, submission.municipality) or not may_see(actor, submission):
        raise PermissionDenied


def search(queryset: QuerySet[Submission], query: str, kana_keys: list[str]) -> QuerySet[Submission]:
    """Every word must match the number, the applicant's name or e-mail, or the reading of
    the name (the forms' kana fields, `kana_keys`) typed in hiragana, katakana or
    half-width kana."""
    per_word = []
    for word in query.split():
        kana = to_katakana(word)
        match = (
            Q(number__startswith=word)
            | Q(applicant_name__icontains=word)
            | Q(applicant_email__icontains=word)
            | Q(applicant__email__iexact=word)
        )
        for key in kana_keys:
            match |= Q(**{f"data__{key}__icontains": kana})
        per_word.append(match)
    for condition in per_word:
        queryset = queryset.filter(condition)
    return queryset


def kana_field_keys(municipality: Municipality) -> list[str]:
    """The keys of every kana (フリガナ) field in the municipality's forms: where an
    applicant's reading is stored."""
    from ..models import FormVersion

    keys: set[str] = set()
    with municipality_scope(municipality):
        for definition in FormVersion.objects.filter(municipality=municipality).values_list("definition", flat=True):
            for step in (definition or {}).get("steps", []):
                for field in step.get("fields", []):
                    key = str(field.get("key", ""))
                    if field.get("type") == "kana" and key.isidentifier():
                        keys.add(key)
    return sorted(keys)


def is_overdue(submission: Submission, today: datetime.date | None = None) -> bool:
    """An open submission whose processing due date (処理期限) has passed."""
    today = today or timezone.localdate()
    return bool(submission.due_on and submission.due_on < today and submission.status in OPEN_STATUSES)


def overdue_q(today: datetime.date | None = None) -> Q:
    return Q(due_on__lt=today or timezone.localdate(), status__in=OPEN_STATUSES)


def colleagues(submission: Submission) -> QuerySet[Any]:
    """The staff of the submission's department who may process it (assignees)."""
    from madoguchi.accounts.models import User

    with municipality_scope(submission.municipality_id):
        user_ids = [
            p.user_id
            for p in StaffProfile.objects.filter(department_id=submission.department_id).select_related("user")
            if has_permission(p.user, permissions.PROCESS_SUBMISSIONS, submission.municipality)
        ]
    return User.objects.filter(pk__in=user_ids, is_active=True).order_by("family_name", "given_name", "pk")


# --- actions ------------------------------------------------------------------------


def _audit_change(submission: Submission, *, actor: Any, request: Any, fields: list[str], **extra: Any) -> None:
    audit.record(
        action=audit.Action.UPDATE,
        obj=submission,
        municipality=submission.municipality,
        actor=actor,
        request=request,
        personal_data=True,
        subject=submission.applicant,
        fields=fields,
        extra={"number": submission.number, **extra},
    )


@transaction.atomic
def assign(submission: Submission, assignee: Any, *, actor: Any, request: Any = None) -> Submission:
    """Make `assignee` (the actor or a colleague of the submission's department who may
    process it; None to clear) the submission's 担当者. Assigning the current assignee
    again does nothing."""
    _require(actor, permissions.PROCESS_SUBMISSIONS, submission)
    current = common.locked(submission)
    if assignee is not None:
        is_self = getattr(assignee, "pk", None) == getattr(actor, "pk", None)
        if not is_self and not colleagues(current).filter(pk=assignee.pk).exists():
            raise ProcedureError(_("担当者には、この部署で申請を処理できる職員を選んでください。"), code="bad_assignee")
    new_id = assignee.pk if assignee is not None else None
    if current.assignee_id == new_id:
        return current
    previous = current.assignee_id
    current.assignee_id = new_id
    current.save(update_fields=["assignee", "updated_at"])
    common.record_event(
        current,
        EventKind.ASSIGNED,
        actor=actor,
        visible_to_applicant=False,
        data={"from": previous, "to": new_id, "name": assignee.get_full_name() if assignee is not None else ""},
    )
    _audit_change(current, actor=actor, request=request, fields=["assignee"], previous=previous, assignee=new_id)
    return current


def start_review(submission: Submission, *, actor: Any, request: Any = None) -> Submission:
    """受付 → 審査中."""
    _require(actor, permissions.PROCESS_SUBMISSIONS, submission)
    return common.change_status(submission, S.IN_REVIEW, who="staff", actor=actor, request=request)


@transaction.atomic
def request_correction(
    submission: Submission,
    *,
    message: str,
    fields: list[str],
    respond_by: datetime.date | None,
    actor: Any,
    request: Any = None,
) -> CorrectionRequest:
    """Ask the applicant to correct the named fields (keys of the submission's own form)
    by `respond_by`: an open CorrectionRequest and the status 補正依頼中 with the message
    as its reason. Asking again while one is open returns the open one."""
    _require(actor, permissions.PROCESS_SUBMISSIONS, submission)
    current = common.locked(submission)
    open_request = CorrectionRequest.objects.filter(submission=current, status=CorrectionStatus.OPEN).first()
    if current.status == S.CORRECTION_REQUESTED and open_request is not None:
        return open_request
    message = (message or "").strip()
    if not message:
        raise ProcedureError(_("補正の内容を入力してください。"), code="message_required")
    definition = common.definition_of(current)
    keys = [f.key for f in definition.input_fields()]
    unknown = [key for key in fields if key not in keys]
    if unknown:
        raise ProcedureError(_("この様式にない項目が指定されました。"), code="unknown_field")
    if not fields:
        raise ProcedureError(_("補正する項目を一つ以上選んでください。"), code="fields_required")
    if respond_by is not None and respond_by < timezone.localdate():
        raise ProcedureError(_("補正期限には今日以降の日付を入力してください。"), code="past_date")
    current = common.change_status(
        current, S.CORRECTION_REQUESTED, who="staff", actor=actor, reason=message, request=request
    )
    correction = CorrectionRequest.objects.create(
        municipality_id=current.municipality_id,
        submission=current,
        requested_by=actor if getattr(actor, "pk", None) else None,
        message=message,
        fields=list(dict.fromkeys(fields)),
        respond_by=respond_by,
    )
    common.record_event(
        current,
        EventKind.CORRECTION_REQUESTED,
        actor=actor,
        reason=message,
        data={
            "correction": correction.pk,
            "fields": correction.fields,
            "respond_by": respond_by.isoformat() if respond_by else "",
        },
    )
    audit.record(
        action=audit.Action.CREATE,
        obj=correction,
        municipality=current.municipality,
        actor=actor,
        request=request,
        personal_data=True,
        subject=current.applicant,
        fields=["message", "fields", "respond_by"],
        extra={"number": current.number},
    )
    return correction


@transaction.atomic
def approve(submission: Submission, *, actor: Any, request: Any = None) -> Submission:
    """承認 (DECIDE_SUBMISSIONS); then the fee, when it is due on approval. Approving an
    approved submission again does nothing (one event, one invoice)."""
    _require(actor, permissions.DECIDE_SUBMISSIONS, submission)
    before = common.locked(submission).status
    current = common.change_status(submission, S.APPROVED, who="staff", actor=actor, request=request)
    if before != S.APPROVED:
        fees.on_approved(current, actor=actor)
    return current


def reject(submission: Submission, *, reason: str, actor: Any, request: Any = None) -> Submission:
    """却下, with the reason the applicant is told (DECIDE_SUBMISSIONS)."""
    _require(actor, permissions.DECIDE_SUBMISSIONS, submission)
    return common.change_status(submission, S.REJECTED, who="staff", actor=actor, reason=reason, request=request)


@transaction.atomic
def complete(submission: Submission, *, actor: Any, request: Any = None) -> Submission:
    """承認 → 完了 (the certificate was sent, the notification entered); refused while the
    fee is unpaid."""
    _require(actor, permissions.PROCESS_SUBMISSIONS, submission)
    current = common.locked(submission)
    if current.status == S.COMPLETED:
        return current
    if current.status == S.APPROVED and not fees.is_settled(current):
        raise ProcedureError(_("手数料が未納のため完了にできません"), code="fee_unpaid")
    return common.change_status(current, S.COMPLETED, who="staff", actor=actor, request=request)


@transaction.atomic
def withdraw(submission: Submission, *, reason: str, actor: Any, request: Any = None) -> Submission:
    """取下げ on the applicant's request (by telephone, at the counter), with the reason."""
    _require(actor, permissions.PROCESS_SUBMISSIONS, submission)
    current = common.locked(submission)
    if current.status == S.WITHDRAWN:
        return current
    if not (reason or "").strip():
        raise ProcedureError(_("理由を入力してください。"), code="reason_required")
    current = common.change_status(current, S.WITHDRAWN, who="staff", actor=actor, reason=reason, request=request)
    CorrectionRequest.objects.filter(submission=current, status=CorrectionStatus.OPEN).update(
        status=CorrectionStatus.CANCELLED
    )
    return current


def _check_body(body: str, what: str) -> str:
    body = (body or "").strip()
    if not body:
        raise ProcedureError(_("%(what)sを入力してください。") % {"what": what}, code="body_required")
    if len(body) > MESSAGE_MAX_LENGTH:
        raise ProcedureError(
            _("%(what)sは%(max)d文字以内にしてください。") % {"what": what, "max": MESSAGE_MAX_LENGTH},
            code="too_long",
        )
    return body


@transaction.atomic
def send_message(submission: Submission, *, body: str, actor: Any, request: Any = None) -> SubmissionMessage:
    """A message from the department to the applicant, shown on their page and e-mailed
    (`procedures/message_from_staff`). The same text sent again at once by the same
    person is the first message (a double click)."""
    _require(actor, permissions.PROCESS_SUBMISSIONS, submission)
    current = common.locked(submission)
    body = _check_body(body, _("メッセージ"))
    message, new = common.add_message(current, author=actor, from_staff=True, body=body, request=request)
    if new:
        _email_message(current, message)
    return message


def _email_message(submission: Submission, message: SubmissionMessage) -> None:
    common.email_applicant(
        submission,
        "procedures/message_from_staff",
        {"department": str(submission.department)},
        idempotency_key=f"procedures:submission:{submission.pk}:message:{message.pk}",
    )


@transaction.atomic
def add_note(submission: Submission, *, body: str, actor: Any, request: Any = None) -> InternalNote:
    """内部メモ: for staff only, never shown to the applicant."""
    _require(actor, permissions.PROCESS_SUBMISSIONS, submission)
    current = common.locked(submission)
    body = _check_body(body, _("メモ"))
    repeated = InternalNote.objects.filter(
        submission=current,
        author_id=getattr(actor, "pk", None),
        body=body,
        created_at__gte=timezone.now() - common.REPEATED_MESSAGE_WINDOW,
    ).first()
    if repeated is not None:
        return repeated
    note = InternalNote.objects.create(
        municipality_id=current.municipality_id, submission=current, author=actor, body=body
    )
    audit.record(
        action=audit.Action.CREATE,
        obj=note,
        municipality=current.municipality,
        actor=actor,
        request=request,
        personal_data=True,
        subject=current.applicant,
        fields=["body"],
        extra={"number": current.number},
    )
    return note


def events_for_staff(submission: Submission) -> QuerySet[SubmissionEvent]:
    return submission.events.select_related("actor").order_by("created_at", "pk")


def notify_department_of_submission(submission: Submission) -> None:
    """Tell the department's address that a submission came in (number and procedure
    only: the applicant's data stays behind the console's sign-in). For `applying.submit`
    to call once the submission has its number; idempotent per submission."""
    from django.urls import NoReverseMatch, reverse

    from madoguchi.notifications import services as notifications

    address = submission.department.email
    if not address or not submission.number:
        return
    try:
        url = common.absolute_url(reverse("procedures-inbox:detail", args=[submission.public_id]))
    except NoReverseMatch:
        url = ""
    notifications.notify(
        address,
        "procedures/new_submission",
        {
            "number": submission.number,
            "procedure": submission.procedure.name_ja,
            "due_on": submission.due_on.isoformat() if submission.due_on else "",
            "url": url,
        },
        municipality=submission.municipality,
        language="ja",
        idempotency_key=f"procedures:submission:{submission.pk}:department",
    )
