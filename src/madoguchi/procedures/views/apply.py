"""Applying (申請する): start or resume a draft, the steps, confirmation, submitting, the
submitted page, the receipt PDF and the applicant's attachments.

A draft or submission is reachable only by its applicant (their account, or for an
anonymous draft the session that made it); anyone else gets 404. The logic lives in
`services.applying`; these views only move between pages.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from madoguchi.core.tenancy import get_request_municipality

from .. import attachments, formbuild, formdef, receipts
from ..models import Attachment, Procedure, Submission, SubmissionStatus
from ..services import applying, common, fees, signatures

ACTIONS = ("next", "back", "save")


def _url(name: str, request: HttpRequest, **kwargs: Any) -> str:
    municipality = get_request_municipality(request)
    return reverse(f"procedures:{name}", kwargs={"municipality_slug": municipality.slug, **kwargs})


def _submission(request: HttpRequest, public_id: UUID) -> Submission:
    municipality = get_request_municipality(request)
    submission = (
        Submission.objects.filter(municipality=municipality, public_id=public_id)
        .select_related("procedure", "procedure__department", "form_version", "department", "municipality")
        .first()
    )
    if submission is None or not applying.can_access(submission, request):
        raise Http404
    return submission


@require_http_methods(["POST"])
def discard(request: HttpRequest, municipality_slug: str, public_id: UUID) -> HttpResponse:
    """Delete a draft the applicant no longer wants (the button beside it in 申請履歴).
    A second click finds nothing left and simply goes back."""
    signed_in = getattr(request.user, "is_authenticated", False)
    back = _url("my_submissions" if signed_in else "catalog", request)
    try:
        submission = _submission(request, public_id)
    except Http404:
        return redirect(back)
    if not submission.is_draft:
        messages.error(request, _t("送信済みの申請は削除できません。"))
    elif applying.discard(submission, actor=request.user if signed_in else None, request=request):
        messages.success(request, _t("下書き「%(name)s」を削除しました。") % {"name": submission.procedure.name})
    return redirect(back)


def _procedure(request: HttpRequest, slug: str) -> Procedure:
    municipality = get_request_municipality(request)
    procedure = (
        Procedure.objects.filter(municipality=municipality, slug=slug, is_published=True)
        .select_related("department")
        .first()
    )
    if procedure is None:
        raise Http404
    return procedure


def _verifying_providers() -> list[dict[str, str]]:
    english = (get_language() or "ja").startswith("en")
    out = []
    for p in getattr(settings, "OIDC_PROVIDERS", []):
        if not p.get("verifies_identity"):
            continue
        try:
            login_url = reverse("openid_connect_login", kwargs={"provider_id": p["id"]})
        except NoReverseMatch:
            continue
        out.append({"name": p["name_en"] if english else p["name"], "login_url": login_url})
    return out


def _gate_page(request: HttpRequest, procedure: Procedure, gate: applying.Gate, *, status: int = 403) -> HttpResponse:
    return render(
        request,
        "procedures/apply_gate.html",
        {
            "procedure": procedure,
            "gate": gate,
            "providers": _verifying_providers() if gate.needs == "verified_sign_in" else [],
            "next_url": _url("apply", request, slug=procedure.slug),
            "breadcrumbs": [
                (_("申請・届出"), "procedures:catalog"),
                (procedure.name, _url("procedure_detail", request, slug=procedure.slug)),
                (_("申請の条件"), None),
            ],
        },
        status=status,
    )


def _step_url(request: HttpRequest, submission: Submission, index: int) -> str:
    return _url("step", request, public_id=submission.public_id, index=index + 1)


def _resume_url(request: HttpRequest, submission: Submission) -> str:
    definition = common.definition_of(submission)
    steps = applying.visible_steps(definition, submission.data)
    indexes = [s.index for s in steps]
    if submission.current_step in indexes:
        return _step_url(request, submission, submission.current_step)
    return _step_url(request, submission, indexes[0] if indexes else 0)


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def apply(request: HttpRequest, municipality_slug: str, slug: str) -> HttpResponse:
    """Start or resume the application. GET shows what applying needs (and, for a
    signed-in user with a draft, goes on with it); POST starts (or resumes) the draft
    and opens its first step. `?case=` (a life event case) prefills it."""
    procedure = _procedure(request, slug)
    gate = applying.gate(procedure, request)
    if not gate.allowed:
        return _gate_page(request, procedure, gate)
    municipality = get_request_municipality(request)
    case_id = request.POST.get("case") or request.GET.get("case") or ""
    case = None
    if case_id:
        try:
            case = applying.case_for(request, municipality, UUID(str(case_id)))
        except ValueError:
            case = None
    if request.method == "POST":
        try:
            draft = applying.start_or_resume(procedure, request, case=case)
        except common.ProcedureError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect(_url("procedure_detail", request, slug=procedure.slug))
        return redirect(_resume_url(request, draft))
    if request.user.is_authenticated and case is None:
        existing = applying.drafts_of(request.user, municipality).filter(procedure=procedure).first()
        if existing is not None:
            return redirect(_resume_url(request, existing))
    return render(
        request,
        "procedures/apply_start.html",
        {
            "procedure": procedure,
            "case": case,
            "has_form": procedure.current_version() is not None,
            "breadcrumbs": [
                (_("申請・届出"), "procedures:catalog"),
                (procedure.name, _url("procedure_detail", request, slug=procedure.slug)),
                (_("申請を始める"), None),
            ],
        },
    )


def _progress(definition: formdef.FormDefinition, data: dict[str, Any], current: int | None) -> dict[str, Any]:
    """The progress indicator: the steps that apply and the confirmation, the current
    one marked (`current` None: the confirmation)."""
    steps = applying.visible_steps(definition, data)
    items = [{"title": s.title, "index": s.index, "current": s.index == current} for s in steps]
    items.append({"title": _t("確認・送信"), "index": None, "current": current is None})
    position = next((n for n, item in enumerate(items, start=1) if item["current"]), len(items))
    return {"items": items, "position": position, "total": len(items)}


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def step(request: HttpRequest, municipality_slug: str, public_id: UUID, index: int) -> HttpResponse:
    """One step of the form. POST with "next" checks and saves the answers and goes on;
    "back" and "save" keep what is valid without insisting on the rest."""
    submission = _submission(request, public_id)
    if not submission.is_draft:
        return redirect(_url("submitted", request, public_id=submission.public_id))
    gate = applying.gate(submission.procedure, request)
    if not gate.allowed:
        return _gate_page(request, submission.procedure, gate)
    definition = common.definition_of(submission)
    position = index - 1
    if not 0 <= position < len(definition.steps):
        raise Http404
    visible = [s.index for s in applying.visible_steps(definition, submission.data)]
    if position not in visible:
        # An earlier answer makes this step not apply (or the link is stale).
        return redirect(_resume_url(request, submission))
    step_def = definition.steps[position]
    if request.method == "POST":
        action = request.POST.get("action", "next")
        action = action if action in ACTIONS else "next"
        form = formbuild.build_step_form(
            definition, position, data=request.POST, files=request.FILES, stored=submission.data
        )
        valid = form.is_valid()
        if (valid or action != "next") and _save_step(submission, definition, position, form, valid=valid):
            if action == "save":
                messages.success(
                    request, _t("下書きを保存しました。申請・届出のページからいつでも続きを入力できます。")
                )
                return redirect(_url("catalog", request))
            if action == "back":
                before = applying.previous_step(definition, submission.data, position)
                if before is None:
                    return redirect(_url("procedure_detail", request, slug=submission.procedure.slug))
                return redirect(_step_url(request, submission, before))
            after = applying.next_step(definition, submission.data, position)
            if after is None:
                return redirect(_url("confirm", request, public_id=submission.public_id))
            return redirect(_step_url(request, submission, after))
        status = 400
    else:
        form = formbuild.build_step_form(definition, position, stored=submission.data)
        status = 200
    return render(
        request,
        "procedures/apply_step.html",
        {
            "submission": submission,
            "procedure": submission.procedure,
            "step": step_def,
            "form": form,
            "progress": _progress(definition, submission.data, position),
            "is_first": applying.previous_step(definition, submission.data, position) is None,
            "can_save": submission.applicant_id is not None,
            "breadcrumbs": _apply_breadcrumbs(request, submission, step_def.text),
        },
        status=status,
    )


def _save_step(
    submission: Submission,
    definition: formdef.FormDefinition,
    position: int,
    form: formbuild.DefinitionForm,
    *,
    valid: bool,
) -> bool:
    """Keep the answers of a step (all of them when the form is valid, else those that
    are) and store its new files; False when a file was refused (the form shows why)."""
    from django.core.files.uploadedfile import UploadedFile

    cleaned = getattr(form, "cleaned_data", {}) or {}
    replace: tuple[str, ...] = ()
    if valid:
        values = form.cleaned_values()
        uploads = form.uploaded_files()
        # Fields of the step answered empty (or no longer asked) replace what was stored.
        replace = tuple(k for k, f in form.field_defs.items() if f.takes_input and f.type != "file")
    else:
        values = {
            k: formbuild.stored_value(f, cleaned[k])
            for k, f in form.field_defs.items()
            if f.takes_input and f.type != "file" and k in cleaned
        }
        uploads = {
            k: v
            for k, f in form.field_defs.items()
            if f.type == "file" and isinstance(v := cleaned.get(k), UploadedFile)
        }
    # An empty answer is no answer: not kept (a valid step's empty fields still
    # replace what was stored, through `replace`).
    values = {k: v for k, v in values.items() if v not in (None, "", [])}
    stored_all = True
    for key, upload in uploads.items():
        items, errors = attachments.store_all(submission, definition.field(key), [upload])
        if errors:
            form.add_error(key, errors[0])
            stored_all = False
        else:
            values[key] = items
    applying.save_answers(submission, values, step_index=position, replace_keys=replace)
    return stored_all


def _apply_breadcrumbs(request: HttpRequest, submission: Submission, current: Any) -> list[tuple[Any, Any]]:
    procedure = submission.procedure
    return [
        (_("申請・届出"), "procedures:catalog"),
        (procedure.name, _url("procedure_detail", request, slug=procedure.slug)),
        (current, None),
    ]


def _sign_url(request: HttpRequest, submission: Submission) -> str:
    try:
        return _url("sign", request, public_id=submission.public_id)
    except NoReverseMatch:
        return ""


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def confirm(request: HttpRequest, municipality_slug: str, public_id: UUID) -> HttpResponse:
    """確認: every answer, the fee and (when required) the signature; POST submits.
    The form carries an idempotency key, so a double click submits once."""
    submission = _submission(request, public_id)
    if not submission.is_draft:
        return redirect(_url("submitted", request, public_id=submission.public_id))
    gate = applying.gate(submission.procedure, request)
    if not gate.allowed:
        return _gate_page(request, submission.procedure, gate)
    definition = common.definition_of(submission)
    status = 200
    if request.method == "POST":
        try:
            sent = applying.submit(
                submission,
                idempotency_key=request.POST.get("idempotency_key", ""),
                actor=request.user if request.user.is_authenticated else None,
                request=request,
            )
        except common.ProcedureError as exc:
            messages.error(request, " ".join(exc.messages))
            if exc.code == "missing":
                incomplete = applying.first_incomplete_step(definition, submission.data)
                if incomplete is not None:
                    return redirect(_step_url(request, submission, incomplete))
            status = 400
        else:
            if sent.applicant_id is None:
                applying.remember_in_session(request, sent)
            return redirect(_url("submitted", request, public_id=sent.public_id))
    missing = definition.missing_required(submission.data)
    common.audit_read(submission, request=request, what="confirm")
    return render(
        request,
        "procedures/apply_confirm.html",
        {
            "submission": submission,
            "procedure": submission.procedure,
            "sections": [
                (section, rows, _step_url(request, submission, definition.steps.index(section)))
                for section, rows in formdef.summarize(definition, submission.data)
            ],
            "fee": definition.fee(submission.data),
            "missing": missing,
            "signature_required": submission.signature_required,
            "signed": signatures.has_valid_signature(submission),
            "sign_url": _sign_url(request, submission),
            "idempotency_key": applying.new_idempotency_key(),
            "progress": _progress(definition, submission.data, None),
            "last_step_url": _step_url(
                request,
                submission,
                (applying.visible_steps(definition, submission.data) or [applying.StepInfo(0, "", 1)])[-1].index,
            ),
            "breadcrumbs": _apply_breadcrumbs(request, submission, _("確認・送信")),
        },
        status=status,
    )


@never_cache
@require_safe
def submitted(request: HttpRequest, municipality_slug: str, public_id: UUID) -> HttpResponse:
    """送信完了: the number, what happens next, the fee to pay, the receipt."""
    submission = _submission(request, public_id)
    if submission.is_draft:
        return redirect(_resume_url(request, submission))
    invoice = fees.invoice_for(submission)
    common.audit_read(submission, request=request, what="submitted", fields=["number", "status"])
    try:
        my_url = _url("my_submission", request, public_id=submission.public_id)
    except NoReverseMatch:
        my_url = ""
    return render(
        request,
        "procedures/apply_submitted.html",
        {
            "submission": submission,
            "procedure": submission.procedure,
            "invoice": invoice,
            "my_url": my_url if submission.applicant_id else "",
            "breadcrumbs": _apply_breadcrumbs(request, submission, _("送信完了")),
        },
    )


@never_cache
@require_safe
def receipt(request: HttpRequest, municipality_slug: str, public_id: UUID) -> HttpResponse:
    """受付票（PDF）. Reading it is an audited read of the applicant's data."""
    submission = _submission(request, public_id)
    if submission.is_draft:
        raise Http404
    path = common.applicant_url(submission) or _url("submitted", request, public_id=submission.public_id)
    pdf = receipts.render_receipt(submission, status_url=request.build_absolute_uri(path))
    common.audit_read(submission, request=request, what="receipt")
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="receipt-{submission.number}.pdf"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


@never_cache
@require_safe
def attachment(request: HttpRequest, municipality_slug: str, public_id: UUID, attachment_id: int) -> HttpResponseBase:
    """An attachment of the applicant's own submission, as a download (audited)."""
    submission = _submission(request, public_id)
    item = Attachment.objects.filter(submission=submission, pk=attachment_id).first()
    if item is None:
        raise Http404
    common.audit_read(submission, request=request, what="attachment", fields=[item.field_key])
    return attachments.response_for(item)


__all__ = ["SubmissionStatus", "apply", "attachment", "confirm", "receipt", "step", "submitted"]
