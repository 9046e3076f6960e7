"""The sign page (電子署名): the applicant of a draft whose procedure requires a signature
sees what will be signed, downloads the XML to sign or goes to the demo signing app, and
sends the signed XML back here. Only the applicant may open it (others get 404); every
view of the data is an audited read. Refusals show their reason and keep the draft."""

from __future__ import annotations

import base64
import binascii

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from madoguchi.core.tenancy import get_request_municipality

from . import formdef, signers, xmlsig
from .models import Submission
from .services import common
from .services import signatures as service
from .signers import sandbox, upload


def sign_url(submission: Submission) -> str:
    return reverse(
        "procedures:sign",
        kwargs={"municipality_slug": submission.municipality.slug, "public_id": submission.public_id},
    )


def confirm_url(submission: Submission) -> str:
    """Where an accepted signature leads: the applying part's confirmation page (the
    sign page itself until that page exists)."""
    try:
        return reverse(
            "procedures:confirm",
            kwargs={"municipality_slug": submission.municipality.slug, "public_id": submission.public_id},
        )
    except NoReverseMatch:
        return sign_url(submission)


def apply_url(submission: Submission) -> str:
    try:
        return reverse(
            "procedures:apply",
            kwargs={"municipality_slug": submission.municipality.slug, "slug": submission.procedure.slug},
        )
    except NoReverseMatch:
        return ""


def _own_submission(request: HttpRequest, public_id: str) -> Submission:
    get_request_municipality(request)
    submission = (
        Submission.objects.select_related("procedure", "form_version", "municipality")
        .filter(public_id=public_id, applicant_id=request.user.pk)
        .first()
    )
    if submission is None:
        raise Http404
    return submission


def _signed_bytes(request: HttpRequest, provider: str) -> bytes | None:
    """The signed XML the request carries: an uploaded file, or (from the demo signing
    app) the document in base64 in a form field."""
    if provider == upload.PROVIDER.key:
        uploaded = request.FILES.get("signed_file")
        if uploaded is None:
            return None
        # Never more than one byte past the limit: the service refuses it as too large.
        return bytes(uploaded.read(upload.MAX_UPLOAD_BYTES + 1))
    raw = request.POST.get("signed_xml", "")
    if not raw:
        return None
    try:
        return base64.b64decode(raw, validate=True)
    except (binascii.Error, ValueError):
        return b"not xml"


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def sign(request: HttpRequest, municipality_slug: str, public_id: str) -> HttpResponse:
    """電子署名: what will be signed, the ways to sign, and receiving the signed XML."""
    submission = _own_submission(request, public_id)
    if not submission.is_draft:
        # Already sent: its signature (if any) is part of the record.
        messages.info(request, _("この申請はすでに送信されています。"))
        try:
            return HttpResponseRedirect(common.applicant_url(submission) or confirm_url(submission))
        except NoReverseMatch as exc:  # pragma: no cover - the applicant part's URL exists
            raise Http404 from exc
    submission = service.ensure_signature_required(submission)
    if not submission.signature_required:
        return HttpResponseRedirect(confirm_url(submission))
    definition = common.definition_of(submission)
    missing = definition.missing_required(submission.data or {})

    if request.method == "GET" and request.GET.get("download"):
        common.audit_read(submission, request=request, what="signing_xml")
        response = HttpResponse(xmlsig.canonical_xml(submission), content_type="application/xml; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="madoguchi-{submission.public_id}.xml"'
        return response

    error = ""
    if request.method == "POST":
        provider = request.POST.get("provider", "")
        signed = _signed_bytes(request, provider) if provider in signers.provider_keys() else None
        if missing:
            error = _("入力されていない必須の項目があります。入力を終えてから署名してください。")
        elif provider not in signers.provider_keys():
            error = _("署名の方法を選んでください。")
        elif signed is None:
            error = _("署名したファイルを選んでください。")
        else:
            evidence = service.verify_and_record(
                submission, signed, provider=provider, actor=request.user, request=request
            )
            if evidence.result == "accepted":
                messages.success(request, _("電子署名を確認しました。申請内容を確認して送信してください。"))
                return HttpResponseRedirect(confirm_url(submission))
            error = evidence.failure_message
    else:
        common.audit_read(submission, request=request, what="sign")

    signed_now = service.has_valid_signature(submission)
    sandbox_url = ""
    if sandbox.PROVIDER.available():
        token = sandbox.make_request(
            public_id=str(submission.public_id),
            municipality_id=submission.municipality_id,
            digest=xmlsig.data_digest(submission),
            user_id=int(request.user.pk or 0),
            return_url=sign_url(submission),
        )
        sandbox_url = f"{sandbox.start_url(token)}&lang={(get_language() or 'ja')[:2]}"
    attachments = submission.attachment_files.filter(superseded_at__isnull=True).order_by("field_key", "created_at")
    context = {
        "submission": submission,
        "procedure": submission.procedure,
        "summary": formdef.summarize(definition, submission.data or {}),
        "attachments": attachments,
        "missing": missing,
        "digest": xmlsig.data_digest(submission),
        "signed_now": signed_now,
        "evidence": service.latest_accepted(submission) if signed_now else None,
        "error": error,
        "upload_provider": upload.PROVIDER,
        "sandbox_provider": sandbox.PROVIDER if sandbox_url else None,
        "sandbox_url": sandbox_url,
        "confirm_url": confirm_url(submission),
        "sign_url": sign_url(submission),
        "apply_url": apply_url(submission),
        "breadcrumbs": [(submission.procedure.name, None), (_("電子署名"), None)],
    }
    return render(request, "procedures/sign.html", context, status=200)
