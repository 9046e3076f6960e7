"""What an applicant does with a submission after sending it (申請履歴): reading it, its
timeline, messages with the department, withdrawing it before review, and answering a
correction request (補正) in place.

Every function takes the applicant's account and refuses (ProcedureError) a submission
that is not theirs: views turn that into a 404, so another person's submission does not
even exist for them.

Answering a correction when the procedure requires an electronic signature takes two
steps, because the signature must cover the corrected data:

1. `answer_correction()` validates the corrected values, keeps the values before and
   after on the CorrectionRequest, writes the corrected data into `Submission.data` and
   leaves the request **open** with `CorrectionRequest.new_values` filled (the answer is
   pending). The status stays 補正依頼中, so staff see that the answer is not in yet.
2. The applicant signs the submission's (now corrected) data: on the correction page
   they download it (`xmlsig.canonical_xml`), sign it with their JPKI software and
   upload the signed XML; `sign_correction()` has it verified
   (`signatures.verify_and_record`, which keeps the evidence) and finalises at once.
3. `complete_signed_correction()` finalises an answer whose data carries a valid
   signature made some other way (the 「補正を提出する」 button shows once
   `signatures.has_valid_signature()` holds): the request is answered, a CORRECTED
   event is added and the submission returns to 審査中.

Without a signature requirement, step 1 finalises at once.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from madoguchi.audit import services as audit
from madoguchi.core.models import Municipality

from .. import attachments
from ..models import (
    CorrectionRequest,
    CorrectionStatus,
    EventKind,
    Submission,
    SubmissionEvent,
    SubmissionMessage,
    SubmissionStatus,
)
from . import common, signatures

S = SubmissionStatus
ProcedureError = common.ProcedureError

#: States from which the applicant may withdraw alone (before review starts, or while
#: the department waits for their correction).
WITHDRAWABLE = (S.RECEIVED, S.CORRECTION_REQUESTED)
MESSAGE_MAX_LENGTH = 4000
ANSWER_MAX_LENGTH = 2000

#: The main states of the stepper on the applicant's page, in order.
STEPPER = (
    (S.RECEIVED, gettext_lazy("受付")),
    (S.IN_REVIEW, gettext_lazy("審査中")),
    ("decided", gettext_lazy("承認・却下")),
    (S.COMPLETED, gettext_lazy("完了")),
)

MESSAGES = {
    "not_found": gettext_noop("申請が見つかりません。"),
    "withdraw_in_review": gettext_noop(
        "審査が始まっているため、ご自身では取り下げられません。取り下げたい場合は、メッセージで担当課にお知らせください。"
    ),
    "withdraw_closed": gettext_noop("この申請はすでに終了しているため、取り下げられません。"),
    "no_open_correction": gettext_noop("この申請には、回答が必要な補正依頼がありません。"),
}


@dataclass(frozen=True)
class StepperStep:
    """One main state of the stepper: `state` is "done", "current" or "upcoming"."""

    key: str
    label: str
    state: str
    note: str = ""


@dataclass(frozen=True)
class CorrectionResult:
    """What `answer_correction()` did: finalised (the submission is in review again), or
    kept pending until the corrected data is signed."""

    submission: Submission
    correction: CorrectionRequest
    needs_signature: bool


def _ensure_applicant(submission: Submission, user: Any) -> None:
    if user is None or not getattr(user, "is_authenticated", False) or submission.applicant_id != user.pk:
        raise ProcedureError(_(MESSAGES["not_found"]), code="not_found")


# --- Reading ---------------------------------------------------------------------------


def submissions_of(user: Any, *, status: str = "") -> QuerySet[Submission]:
    """The user's sent submissions in the current municipality (drafts apart), newest
    first; `status` filters by one status."""
    qs = Submission.objects.filter(applicant=user).exclude(status=S.DRAFT)
    if status:
        qs = qs.filter(status=status)
    return qs.select_related("procedure", "department").order_by("-submitted_at", "-created_at")


def drafts_of(user: Any) -> QuerySet[Submission]:
    """The user's drafts (下書き), most recently changed first."""
    return Submission.objects.filter(applicant=user, status=S.DRAFT).select_related("procedure").order_by("-updated_at")


def get_for_applicant(user: Any, public_id: Any) -> Submission | None:
    """The sent submission with `public_id` if `user` is its applicant, else None."""
    if not getattr(user, "is_authenticated", False):
        return None
    return (
        Submission.objects.select_related("procedure", "department", "form_version", "municipality")
        .exclude(status=S.DRAFT)
        .filter(public_id=public_id, applicant=user)
        .first()
    )


def audit_list(user: Any, municipality: Municipality, *, request: Any = None, count: int = 0) -> None:
    """Record that the applicant read their list of submissions (申請履歴)."""
    audit.record(
        action=audit.Action.VIEW,
        request=request,
        municipality=municipality,
        personal_data=True,
        subject=user,
        object_type="procedures.submission",
        extra={"view": "my_submissions", "count": count},
    )


def timeline(submission: Submission) -> list[SubmissionEvent]:
    """The events the applicant may see, oldest first. Internal ones are left out, and
    so is the record of a correction request: its status change (補正依頼中) comes with
    the same message as its reason."""
    return list(
        SubmissionEvent.objects.filter(submission=submission, visible_to_applicant=True)
        .exclude(kind=EventKind.CORRECTION_REQUESTED)
        .order_by("created_at", "pk")
    )


def stepper(submission: Submission) -> list[StepperStep]:
    """Where the submission is among 受付 → 審査中 → 承認・却下 → 完了."""
    status = submission.status
    if status == S.WITHDRAWN:
        # Where it was when withdrawn: the last main state it reached.
        reached = 0
        if SubmissionEvent.objects.filter(submission=submission, kind=EventKind.STATUS, to_status=S.IN_REVIEW).exists():
            reached = 1
        return [
            StepperStep(
                key=str(key),
                label=str(label),
                state="done" if i <= reached else "upcoming",
                note=str(_("取下げ")) if i == reached else "",
            )
            for i, (key, label) in enumerate(STEPPER)
        ]
    position = {
        S.RECEIVED: 0,
        S.IN_REVIEW: 1,
        S.CORRECTION_REQUESTED: 1,
        S.APPROVED: 2,
        S.REJECTED: 2,
        S.COMPLETED: 3,
    }.get(S(status), 0)
    steps = []
    for i, (key, label) in enumerate(STEPPER):
        state = "done" if i < position else "current" if i == position else "upcoming"
        note = ""
        text = str(label)
        if key == "decided" and status in (S.APPROVED, S.REJECTED):
            text = str(S(status).label)
        if key == S.IN_REVIEW and status == S.CORRECTION_REQUESTED:
            note = str(S.CORRECTION_REQUESTED.label)
        if status == S.REJECTED and i == position:
            # Nothing follows a rejection: the stepper ends there.
            state = "done"
        if status == S.COMPLETED and i == position:
            state = "done"
        steps.append(StepperStep(key=str(key), label=text, state=state, note=note))
    return steps


def messages_of(submission: Submission) -> list[SubmissionMessage]:
    return list(SubmissionMessage.objects.filter(submission=submission).order_by("created_at", "pk"))


def mark_staff_messages_read(submission: Submission, user: Any) -> int:
    """The applicant opened the page: the department's messages are read."""
    _ensure_applicant(submission, user)
    return SubmissionMessage.objects.filter(submission=submission, from_staff=True, read_at__isnull=True).update(
        read_at=timezone.now()
    )


def open_correction(submission: Submission) -> CorrectionRequest | None:
    return CorrectionRequest.objects.filter(submission=submission, status=CorrectionStatus.OPEN).first()


def withdraw_refusal(submission: Submission) -> str:
    """Why the applicant cannot withdraw the submission now ("" when they can)."""
    if submission.status in WITHDRAWABLE:
        return ""
    if submission.status in (S.IN_REVIEW, S.APPROVED):
        return _(MESSAGES["withdraw_in_review"])
    return _(MESSAGES["withdraw_closed"])


@dataclass(frozen=True)
class FeeState:
    """The fee as the applicant sees it: `key` is "none", "paid", "unpaid", "cancelled"
    or "later" (to be invoiced, e.g. on approval); `invoice` the fee invoice if any."""

    key: str
    label: str
    invoice: Any = None


def fee_state(submission: Submission) -> FeeState:
    """Whether a fee is due, paid, or to come (through `services.fees`)."""
    from . import fees

    invoice = fees.invoice_for(submission)
    if invoice is None:
        if submission.fee_paid_at is not None:
            return FeeState("paid", _("納付済み"))
        if not submission.fee_amount:
            return FeeState("none", _("手数料なし"))
        if submission.status in (S.WITHDRAWN, S.REJECTED):
            return FeeState("cancelled", _("請求なし"))
        return FeeState("later", _("請求前"))
    if submission.fee_paid_at is not None or invoice.status in ("paid", "overpaid", "refunded"):
        return FeeState("paid", _("納付済み"), invoice)
    if invoice.is_open:
        return FeeState("unpaid", _("未納"), invoice)
    return FeeState("cancelled", _("請求取消し"), invoice)


# --- Withdrawing -----------------------------------------------------------------------


@transaction.atomic
def withdraw(submission: Submission, *, user: Any, reason: str = "", request: Any = None) -> Submission:
    """取下げ: the applicant withdraws a submission that is received or waiting for their
    correction. An open correction request is cancelled with it. Withdrawing a withdrawn
    submission again changes nothing (a double click)."""
    _ensure_applicant(submission, user)
    current = common.locked(submission)
    if current.status == S.WITHDRAWN:
        return current
    refusal = withdraw_refusal(current)
    if refusal:
        raise ProcedureError(refusal, code="cannot_withdraw")
    CorrectionRequest.objects.filter(submission=current, status=CorrectionStatus.OPEN).update(
        status=CorrectionStatus.CANCELLED
    )
    return common.change_status(
        current, S.WITHDRAWN, who="applicant", actor=user, reason=reason.strip()[:ANSWER_MAX_LENGTH], request=request
    )


# --- Messages --------------------------------------------------------------------------


@transaction.atomic
def send_message(submission: Submission, body: str, user: Any, request: Any = None) -> SubmissionMessage:
    """メッセージ: the applicant writes to the department about their submission. The
    same text sent again within a short time is the same message (returned, not stored
    twice). A closed submission may still be asked about; only an empty or overlong
    message is refused."""
    _ensure_applicant(submission, user)
    text = (body or "").strip()
    if not text:
        raise ProcedureError(_("メッセージを入力してください。"), code="empty")
    if len(text) > MESSAGE_MAX_LENGTH:
        raise ProcedureError(
            _("メッセージは%(max)d文字以内で入力してください。") % {"max": MESSAGE_MAX_LENGTH}, code="too_long"
        )
    # The lock serialises two copies of one post arriving together.
    current = common.locked(submission)
    message, new = common.add_message(current, author=user, from_staff=False, body=text, request=request)
    if new:
        _notify_department(current, message)
    return message


def _notify_department(submission: Submission, message: SubmissionMessage) -> None:
    """Tell the department's address that a message came in (without its text: the
    message is personal data and stays behind the staff console's sign-in)."""
    from madoguchi.notifications import services as notifications

    address = submission.department.email
    if not address:
        return
    notifications.notify(
        address,
        "procedures/message_to_department",
        {"number": submission.number, "procedure": submission.procedure.name_ja},
        municipality=submission.municipality,
        language="ja",
        idempotency_key=f"procedures:message:{message.pk}:department",
    )


# --- Corrections -----------------------------------------------------------------------


def correction_keys(submission: Submission, correction: CorrectionRequest) -> list[str]:
    """The fields named in the request that the submission's form version still has, in
    the form's order."""
    definition = common.definition_of(submission)
    named = {str(k) for k in correction.fields or []}
    return [f.key for f in definition.input_fields() if f.key in named]


def _open_correction_locked(current: Submission) -> CorrectionRequest:
    correction = (
        CorrectionRequest.objects.select_for_update().filter(submission=current, status=CorrectionStatus.OPEN).first()
    )
    if correction is None or current.status != S.CORRECTION_REQUESTED:
        raise ProcedureError(_(MESSAGES["no_open_correction"]), code="no_open_correction")
    return correction


@transaction.atomic
def answer_correction(
    submission: Submission,
    *,
    values: Mapping[str, Any],
    files: Mapping[str, Any] | None = None,
    message: str = "",
    user: Any,
    request: Any = None,
) -> CorrectionResult:
    """補正への回答: the applicant's new values for the fields the open request names
    (`values`: stored values by field key; `files`: uploaded files by file field key,
    stored with the applying part's attachments). The whole data must still satisfy the
    form; a missing required field is refused with its name and nothing is changed.
    See the module docstring for procedures that require a signature."""
    _ensure_applicant(submission, user)
    current = common.locked(submission)
    correction = _open_correction_locked(current)
    definition = common.definition_of(current)
    keys = correction_keys(current, correction)
    allowed = set(keys)
    data = dict(current.data or {})
    data.update({k: v for k, v in values.items() if k in allowed})
    uploads = {k: _as_list(v) for k, v in (files or {}).items() if k in allowed and v}
    # Check everything before storing anything, so that a refused answer leaves nothing
    # behind: a field with a new upload counts as filled.
    for key, uploaded in uploads.items():
        field = definition.field(key)
        for upload in uploaded:
            attachments.check(upload, field)
        data[key] = [{"pending": True}]
    missing = definition.missing_required(data)
    if missing:
        names = "、".join(f.text for f in missing)
        raise ProcedureError(_("次の項目を入力してください: %(fields)s") % {"fields": names}, code="missing_required")
    for key, uploaded in uploads.items():
        data[key] = [attachments.store(current, definition.field(key), upload) for upload in uploaded]
    cleaned = definition.clean_data(data)
    # A replaced file (or one of a field that no longer applies) is kept, superseded.
    attachments.sync(current, definition, cleaned)
    # The values as they were before this request's first answer (a pending answer
    # changed to another one keeps the original "before").
    if not correction.previous_values:
        correction.previous_values = {k: (current.data or {}).get(k) for k in keys}
    correction.new_values = {k: cleaned.get(k) for k in keys}
    correction.answer_message = (message or "").strip()[:ANSWER_MAX_LENGTH]
    current.data = cleaned
    current.save(update_fields=["data", "updated_at"])
    audit.record(
        action=audit.Action.UPDATE,
        obj=current,
        municipality=current.municipality,
        actor=user,
        request=request,
        personal_data=True,
        subject=current.applicant,
        fields=sorted(k for k in keys if correction.previous_values.get(k) != correction.new_values.get(k)),
        extra={"number": current.number, "correction": correction.pk, "what": "correction"},
    )
    if current.signature_required and not signatures.has_valid_signature(current):
        correction.save(update_fields=["previous_values", "new_values", "answer_message"])
        return CorrectionResult(submission=current, correction=correction, needs_signature=True)
    return _finalise(current, correction, user=user, request=request)


@transaction.atomic
def complete_signed_correction(submission: Submission, *, user: Any, request: Any = None) -> CorrectionResult:
    """Finalise a pending answer once its data is signed (see the module docstring)."""
    _ensure_applicant(submission, user)
    current = common.locked(submission)
    correction = _open_correction_locked(current)
    if not correction.new_values and not correction.answer_message:
        raise ProcedureError(_("先に補正の内容を入力してください。"), code="no_answer")
    if not signatures.has_valid_signature(current):
        raise ProcedureError(_("補正した内容に電子署名をしてから提出してください。"), code="signature_required")
    return _finalise(current, correction, user=user, request=request)


def sign_correction(
    submission: Submission, signed_xml: bytes, *, user: Any, request: Any = None, provider: str = "upload"
) -> CorrectionResult:
    """Verify the signed corrected data (XML signed with the applicant's own JPKI
    software) and, once accepted, finalise the pending answer. A refused signature is
    kept as evidence by the signatures service and raised here with its reason (code
    "signature_refused"); the answer stays pending."""
    _ensure_applicant(submission, user)
    correction = open_correction(submission)
    if correction is None or not has_pending_answer(correction):
        raise ProcedureError(_("先に補正の内容を入力してください。"), code="no_answer")
    evidence = signatures.verify_and_record(submission, signed_xml, provider=provider, actor=user, request=request)
    if evidence.result != "accepted":
        raise ProcedureError(evidence.failure_message, code="signature_refused")
    return complete_signed_correction(submission, user=user, request=request)


def has_pending_answer(correction: CorrectionRequest | None) -> bool:
    """Whether the applicant saved an answer that waits for their signature."""
    return bool(
        correction is not None
        and correction.status == CorrectionStatus.OPEN
        and (correction.new_values or correction.answer_message)
    )


def _finalise(current: Submission, correction: CorrectionRequest, *, user: Any, request: Any) -> CorrectionResult:
    correction.status = CorrectionStatus.ANSWERED
    correction.answered_at = timezone.now()
    correction.save(update_fields=["status", "answered_at", "previous_values", "new_values", "answer_message"])
    changed = sorted(k for k, v in correction.new_values.items() if correction.previous_values.get(k) != v)
    common.record_event(
        current,
        EventKind.CORRECTED,
        actor=user,
        reason=correction.answer_message,
        data={"correction": correction.pk, "fields": changed},
    )
    updated = common.change_status(current, S.IN_REVIEW, who="applicant", actor=user, request=request)
    return CorrectionResult(submission=updated, correction=correction, needs_signature=False)


def _as_list(value: Any) -> list[Any]:
    if isinstance(value, (list, tuple)):
        return list(value)
    return [value]
