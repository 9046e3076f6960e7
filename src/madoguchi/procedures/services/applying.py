"""Applying (申請する): who may apply, drafts, answers step by step, and submitting.

A draft (下書き) is a `Submission` in status DRAFT, made with the procedure's newest
published form version. A signed-in applicant has at most one draft per procedure, which
`start_or_resume()` finds again (save and resume); an anonymous applicant's drafts belong
to their browser session (their ids are kept in the session under `SESSION_KEY`), so a
draft is reachable only by its applicant or the session that made it (`can_access`).

Identity levels (本人確認, `Procedure.identity_level`):

- none: anyone, no account needed;
- account: signed in;
- verified: signed in, in this session, through an OpenID Connect provider configured
  as identity-verifying (`"verifies_identity": true` in its `OIDC_PROVIDERS` entry, e.g.
  the Digital Agency's デジタル認証アプリ, which checks the My Number Card);
- signature: signed in, and the submission is signed (公的個人認証) at `procedures:sign`
  before it can be submitted.

`submit()` sends a draft: in one transaction it checks what is missing, gives the number,
the department, the due date (processing days counted in business days) and the fee,
moves the draft to RECEIVED, lets the fees part issue its invoice, records an audit entry
and queues the e-mail `procedures/submission_received` (sent when the transaction
commits). Sending again (a double click, a retried request) changes nothing.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from allauth.account.authentication import AUTHENTICATION_METHODS_SESSION_KEY
from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from madoguchi.audit import services as audit
from madoguchi.core.models import Municipality
from madoguchi.core.tenancy import municipality_scope
from madoguchi.japanese.holidays import add_business_days

from .. import attachments, formdef
from ..models import (
    Attachment,
    EventKind,
    FormVersion,
    IdentityLevel,
    LifeEventCase,
    Procedure,
    Submission,
    SubmissionStatus,
)
from . import common, fees, lifeevents, signatures

logger = logging.getLogger(__name__)

ProcedureError = common.ProcedureError
S = SubmissionStatus

#: Session key of the anonymous applicant's drafts and submissions (public ids).
SESSION_KEY = "procedures_submissions"
#: How many an anonymous session keeps (the oldest are forgotten first).
SESSION_LIMIT = 30


# --- Who may apply ------------------------------------------------------------------


def verifying_providers() -> set[str]:
    """The ids of the OpenID Connect providers whose sign-in verifies identity."""
    return {str(p["id"]) for p in getattr(settings, "OIDC_PROVIDERS", []) if p.get("verifies_identity")}


def session_is_identity_verified(request: HttpRequest) -> bool:
    """Whether this session's sign-in went through an identity-verifying provider."""
    if not getattr(request.user, "is_authenticated", False):
        return False
    providers = verifying_providers()
    records = request.session.get(AUTHENTICATION_METHODS_SESSION_KEY)
    if not providers or not isinstance(records, list):
        return False
    return any(
        isinstance(r, dict) and r.get("method") == "socialaccount" and r.get("provider") in providers for r in records
    )


@dataclass(frozen=True)
class Gate:
    """Whether the request may apply for a procedure, and if not, what it needs:
    "sign_in" (an account) or "verified_sign_in" (sign in again through an
    identity-verifying provider); "paper_only" when it cannot be applied for online."""

    allowed: bool
    needs: str = ""


def gate(procedure: Procedure, request: HttpRequest) -> Gate:
    if not procedure.is_online:
        return Gate(False, "paper_only")
    level = procedure.identity_level
    signed_in = bool(getattr(request.user, "is_authenticated", False))
    if level == IdentityLevel.NONE:
        return Gate(True)
    if not signed_in:
        return Gate(False, "sign_in")
    if level == IdentityLevel.VERIFIED and not session_is_identity_verified(request):
        return Gate(False, "verified_sign_in")
    return Gate(True)


# --- Drafts ---------------------------------------------------------------------------


def _session_ids(request: HttpRequest) -> list[str]:
    ids = request.session.get(SESSION_KEY)
    return [str(i) for i in ids] if isinstance(ids, list) else []


def remember_in_session(request: HttpRequest, submission: Submission) -> None:
    ids = [i for i in _session_ids(request) if i != str(submission.public_id)]
    ids.append(str(submission.public_id))
    request.session[SESSION_KEY] = ids[-SESSION_LIMIT:]


def can_access(submission: Submission, request: HttpRequest) -> bool:
    """Whether the request is the submission's applicant: its account, or for a
    submission without an account, the session that made it."""
    user = request.user
    if submission.applicant_id is not None:
        return bool(getattr(user, "is_authenticated", False)) and submission.applicant_id == user.pk
    return str(submission.public_id) in _session_ids(request)


def current_version(procedure: Procedure) -> FormVersion:
    version = procedure.current_version()
    if version is None:
        raise ProcedureError(_("この手続は、現在オンラインで申請できません。"), code="no_form")
    return version  # type: ignore[no-any-return]


def drafts_of(user: Any, municipality: Municipality) -> QuerySet[Submission]:
    """A signed-in user's drafts in the municipality, the latest first."""
    if not getattr(user, "is_authenticated", False):
        return Submission.objects.none()
    return (
        Submission.objects.filter(municipality=municipality, applicant=user, status=S.DRAFT)
        .select_related("procedure")
        .order_by("-updated_at")
    )


def _user_draft(procedure: Procedure, user: Any) -> Submission | None:
    return (
        Submission.objects.filter(procedure=procedure, applicant=user, status=S.DRAFT).order_by("-updated_at").first()
    )


def _session_draft(procedure: Procedure, request: HttpRequest) -> Submission | None:
    ids = _session_ids(request)
    if not ids:
        return None
    return (
        Submission.objects.filter(procedure=procedure, applicant__isnull=True, status=S.DRAFT, public_id__in=ids)
        .order_by("-updated_at")
        .first()
    )


def case_for(request: HttpRequest, municipality: Municipality, public_id: Any) -> LifeEventCase | None:
    """The life event case named in `?case=`, if this person may open it: a signed-in
    user's own case, or an anonymous case from the browser session that started it (the
    life event pages' rule, `lifeevents.get_case`)."""
    from . import lifeevents

    return lifeevents.get_case(municipality, public_id, user=request.user, session=request.session)


def start_or_resume(procedure: Procedure, request: HttpRequest, *, case: LifeEventCase | None = None) -> Submission:
    """The applicant's draft for the procedure: the one they left (moved to the newest
    form version if the form changed since), or a new one, prefilled from a life event
    case when given."""
    gate_result = gate(procedure, request)
    if not gate_result.allowed:
        raise ProcedureError(_("この手続を申請するには、条件を満たす必要があります。"), code=gate_result.needs)
    version = current_version(procedure)
    user = request.user if getattr(request.user, "is_authenticated", False) else None
    draft = _user_draft(procedure, user) if user is not None else _session_draft(procedure, request)
    if draft is not None:
        changed: list[str] = []
        if draft.form_version_id != version.pk:
            # The form changed while the draft waited: keep the answers the new form
            # still asks for.
            definition = formdef.parse(version.definition)
            keys = {f.key for f in definition.input_fields()}
            draft.form_version = version
            draft.data = {k: v for k, v in draft.data.items() if k in keys}
            draft.current_step = 0
            changed += ["form_version", "data", "current_step"]
        if case is not None and draft.life_event_case_id != case.pk:
            draft.life_event_case = case
            draft.data = {**_prefill(case, version), **draft.data}
            changed += ["life_event_case", "data"]
        if changed:
            draft.save(update_fields=[*dict.fromkeys(changed), "updated_at"])
        if user is None:
            remember_in_session(request, draft)
        return draft
    data = _prefill(case, version) if case is not None else {}
    draft = Submission.objects.create(
        municipality_id=procedure.municipality_id,
        procedure=procedure,
        form_version=version,
        department_id=procedure.department_id,
        applicant=user,
        language=(get_language() or "ja")[:8],
        data=data,
        life_event_case=case,
        signature_required=procedure.requires_signature,
        status=S.DRAFT,
    )
    if user is None:
        remember_in_session(request, draft)
    return draft


def _prefill(case: LifeEventCase, version: FormVersion) -> dict[str, Any]:
    definition = formdef.parse(version.definition)
    values = lifeevents.prefill(case, definition) or {}
    keys = {f.key for f in definition.input_fields()}
    return {k: v for k, v in values.items() if k in keys}


def save_answers(
    submission: Submission,
    values: Mapping[str, Any],
    *,
    step_index: int | None = None,
    replace_keys: tuple[str, ...] = (),
) -> Submission:
    """Merge answers into a draft and keep only those that still apply (an answer to a
    question an earlier choice made irrelevant is dropped, its files superseded).
    `replace_keys`: fields whose stored value is replaced even when `values` lacks them
    (a step's fields that were answered empty)."""
    with transaction.atomic():
        current = common.locked(submission)
        if current.status != S.DRAFT:
            raise ProcedureError(_("この申請はすでに送信されています。"), code="not_draft")
        definition = common.definition_of(current)
        data = {k: v for k, v in current.data.items() if k not in replace_keys}
        data.update(values)
        data = definition.clean_data(data)
        current.data = data
        fields = ["data", "updated_at"]
        if step_index is not None:
            current.current_step = step_index
            fields.append("current_step")
        current.save(update_fields=fields)
        attachments.sync(current, definition, data)
    submission.data = current.data
    submission.current_step = current.current_step
    return current


def discard(submission: Submission, *, actor: Any = None, request: Any = None) -> bool:
    """Delete a draft (and its files) at the applicant's request; an audit entry says
    so. Returns False when it was already gone (a second click)."""
    with transaction.atomic():
        current = Submission.objects.select_for_update().filter(pk=submission.pk).first()
        if current is None:
            return False
        if current.status != S.DRAFT:
            raise ProcedureError(_("送信済みの申請は削除できません。"), code="not_draft")
        files = [a.file.name for a in current.attachment_files.all()]
        audit.record(
            action=audit.Action.DELETE,
            obj=current,
            municipality=current.municipality,
            actor=actor,
            request=request,
            personal_data=True,
            subject=current.applicant,
            fields=["data"],
            extra={"procedure": current.procedure.slug, "draft": True},
        )
        current.delete()
        storage = Attachment._meta.get_field("file").storage

        # Files go once the rows are gone for good: a rollback keeps both.
        def delete_files() -> None:
            for name in files:
                storage.delete(name)

        transaction.on_commit(delete_files)
    return True


# --- Steps ----------------------------------------------------------------------------


@dataclass(frozen=True)
class StepInfo:
    """A step as the progress indicator shows it (index into the definition's steps)."""

    index: int
    title: str
    number: int  # 1-based among the steps that apply


def visible_steps(definition: formdef.FormDefinition, data: Mapping[str, Any]) -> list[StepInfo]:
    visible = {s.key for s in definition.visible_steps(data)}
    out: list[StepInfo] = []
    for index, step in enumerate(definition.steps):
        if step.key in visible:
            out.append(StepInfo(index=index, title=step.text, number=len(out) + 1))
    return out


def next_step(definition: formdef.FormDefinition, data: Mapping[str, Any], index: int) -> int | None:
    """The index of the next step that applies after `index`, or None (confirm)."""
    for step in visible_steps(definition, data):
        if step.index > index:
            return step.index
    return None


def previous_step(definition: formdef.FormDefinition, data: Mapping[str, Any], index: int) -> int | None:
    before = [s.index for s in visible_steps(definition, data) if s.index < index]
    return before[-1] if before else None


def first_incomplete_step(definition: formdef.FormDefinition, data: Mapping[str, Any]) -> int | None:
    """The first step with a required answer missing, or None."""
    missing = {f.step for f in definition.missing_required(data)}
    for step in visible_steps(definition, data):
        if definition.steps[step.index].key in missing:
            return step.index
    return None


# --- Submitting -----------------------------------------------------------------------


def new_idempotency_key() -> str:
    return secrets.token_urlsafe(24)


def _applicant_contact(submission: Submission, definition: formdef.FormDefinition) -> tuple[str, str]:
    data = submission.data
    name = str(data.get(definition.name_field) or "") if definition.name_field else ""
    email = str(data.get(definition.email_field) or "") if definition.email_field else ""
    user = submission.applicant
    if user is not None:
        name = name or str(user.get_full_name() or "")
        email = email or str(user.email or "")
    return name[:200], email[:254]


def missing_message(fields: list[formdef.Field]) -> str:
    labels = "」「".join(f.text for f in fields)
    return _("入力されていない必須の項目があります：「%(labels)s」") % {"labels": labels}


def submit(submission: Submission, *, idempotency_key: str, actor: Any = None, request: Any = None) -> Submission:
    """Send a draft (see the module docstring). Returns the received submission; a
    submission already sent is returned as it is. Raises ProcedureError ("missing",
    "signature_required")."""
    key = (idempotency_key or "")[:64]
    # The scope is opened here too: submit() also runs outside requests (commands, the
    # bench's workers).
    with municipality_scope(submission.municipality_id), transaction.atomic():
        current = common.locked(submission)
        if current.status != S.DRAFT:
            return current
        if key:
            earlier = Submission.objects.filter(municipality_id=current.municipality_id, idempotency_key=key).first()
            if earlier is not None:
                return earlier
        definition = common.definition_of(current)
        data = definition.clean_data(current.data)
        missing = definition.missing_required(data)
        if missing:
            raise ProcedureError(missing_message(missing), code="missing")
        if current.signature_required and not signatures.has_valid_signature(current):
            raise ProcedureError(
                _("この手続は電子署名が必要です。送信する前に、申請内容に署名してください。"), code="signature_required"
            )
        procedure = current.procedure
        now = timezone.now()
        today = timezone.localdate(now)
        current.data = data
        name, email = _applicant_contact(current, definition)
        current.number = common.next_number(current.municipality, today.year)
        current.department_id = procedure.department_id
        current.submitted_at = now
        current.due_on = add_business_days(today, procedure.processing_days) if procedure.processing_days else None
        current.fee_amount = definition.fee(data).total
        current.idempotency_key = key
        current.applicant_name = name
        current.applicant_email = email
        current.save(
            update_fields=[
                "data",
                "number",
                "department",
                "submitted_at",
                "due_on",
                "fee_amount",
                "idempotency_key",
                "applicant_name",
                "applicant_email",
                "updated_at",
            ]
        )
        attachments.sync(current, definition, data)
        common.record_event(current, EventKind.SUBMITTED, actor=actor, data={"number": current.number})
        current = common.change_status(
            current, S.RECEIVED, who="applicant", actor=actor, request=request, notify_applicant=False
        )
        fees.on_submitted(current, actor=actor)
        audit.record(
            action=audit.Action.CREATE,
            obj=current,
            municipality=current.municipality,
            actor=actor,
            request=request,
            personal_data=True,
            subject=current.applicant,
            fields=["data"],
            extra={"number": current.number, "procedure": procedure.slug, "fee": current.fee_amount},
        )
        send_received_email(current)
        from . import processing

        processing.notify_department_of_submission(current)
    return current


def send_received_email(submission: Submission) -> None:
    """E-mail 申請を受け付けました (template `notifications/procedures/submission_received/`)
    to the applicant; once per submission. A wrong address does not undo the submission."""
    common.email_applicant(
        submission,
        "procedures/submission_received",
        {"fee": submission.fee_amount, "fee_timing": submission.procedure.fee_timing},
        idempotency_key=f"procedures:submission:{submission.pk}:received",
    )
