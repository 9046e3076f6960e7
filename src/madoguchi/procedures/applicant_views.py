"""The applicant's pages after submitting (申請履歴): the list of their submissions and
drafts, one submission with its status timeline, answers, attachments, receipt, fee and
messages, withdrawing it, and answering a correction request in place.

Only the applicant sees a submission: for anyone else (another resident, staff, another
municipality's scope) it does not exist (404). Every page that shows the applicant's data
is an audited read; changes go through `services.applicant`.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from madoguchi.core.tenancy import get_request_municipality

from . import formbuild, formdef, xmlsig
from .models import Attachment, Submission, SubmissionStatus
from .services import applicant, common, signatures
from .signers import upload

S = SubmissionStatus

#: The statuses an applicant can filter by (drafts are listed apart).
FILTER_STATUSES = [s for s in S if s != S.DRAFT]


class StatusFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("状態で絞り込む"),
        required=False,
        choices=[("", _("すべて")), *[(s.value, s.label) for s in FILTER_STATUSES]],
    )


class MessageForm(forms.Form):
    body = forms.CharField(
        label=_("担当課へのメッセージ"),
        max_length=applicant.MESSAGE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("申請についてのご質問やご連絡を書いてください。担当課から返信があると、メールでお知らせします。"),
        error_messages={"required": _("メッセージを入力してください。")},
    )


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label=_("取下げの理由（任意）"),
        required=False,
        max_length=applicant.ANSWER_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    confirm = forms.BooleanField(
        label=_("この申請を取り下げます。取り下げた申請は元に戻せません。"),
        error_messages={"required": _("取り下げる場合は、確認のチェックを入れてください。")},
    )


class AnswerMessageForm(forms.Form):
    answer_message = forms.CharField(
        label=_("担当課への説明（任意）"),
        required=False,
        max_length=applicant.ANSWER_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("補正した内容について、担当課に伝えたいことがあれば書いてください。"),
    )


def _url(name: str, submission: Submission, **kwargs: Any) -> str:
    """A link to another part's page of the submission, or "" while it does not exist."""
    try:
        return reverse(
            f"procedures:{name}",
            kwargs={"municipality_slug": submission.municipality.slug, "public_id": submission.public_id, **kwargs},
        )
    except NoReverseMatch:
        return ""


def _mine(request: HttpRequest, public_id: UUID) -> Submission:
    submission = applicant.get_for_applicant(request.user, public_id)
    if submission is None:
        raise Http404
    return submission


def _detail(submission: Submission) -> str:
    return reverse(
        "procedures:my_submission",
        kwargs={"municipality_slug": submission.municipality.slug, "public_id": submission.public_id},
    )


def _crumbs(submission: Submission | None = None, *last: Any) -> list[tuple[Any, Any]]:
    trail: list[tuple[Any, Any]] = [(_("申請履歴"), "procedures:my_submissions")]
    if submission is not None:
        trail.append((submission.number, _detail(submission)))
    trail.extend((label, None) for label in last)
    return trail


@login_required
def my_submissions(request: HttpRequest, municipality_slug: str) -> HttpResponse:
    """申請履歴: the user's sent submissions (filterable by status) and their drafts."""
    municipality = get_request_municipality(request)
    form = StatusFilterForm(request.GET or None)
    status = form.cleaned_data["status"] if form.is_valid() else ""
    submissions = list(applicant.submissions_of(request.user, status=status))
    drafts = list(applicant.drafts_of(request.user)) if not status else []
    applicant.audit_list(request.user, municipality, request=request, count=len(submissions))
    rows = [{"submission": s, "fee": applicant.fee_state(s), "url": _detail(s)} for s in submissions]
    return render(
        request,
        "procedures/my_submissions.html",
        {
            "rows": rows,
            "drafts": drafts,
            "filter_form": form,
            "filtered": bool(status),
            "breadcrumbs": [(_("申請履歴"), None)],
        },
    )


@login_required
def my_submission(request: HttpRequest, municipality_slug: str, public_id: UUID) -> HttpResponse:
    """One submission: stepper and timeline, answers, attachments, receipt, fee,
    messages, and what the applicant can do next."""
    submission = _mine(request, public_id)
    return _render_detail(request, submission, MessageForm())


def _render_detail(request: HttpRequest, submission: Submission, message_form: MessageForm) -> HttpResponse:
    common.audit_read(submission, request=request, what="applicant_detail", fields=["data", "messages"])
    applicant.mark_staff_messages_read(submission, request.user)
    definition = common.definition_of(submission)
    correction = applicant.open_correction(submission)
    attachment_links = [
        (a, _url("attachment", submission, attachment_id=a.pk))
        for a in Attachment.objects.filter(submission=submission, superseded_at__isnull=True)
    ]
    return render(
        request,
        "procedures/my_submission.html",
        {
            "submission": submission,
            "status_label": S(submission.status).label,
            "steps": applicant.stepper(submission),
            "events": applicant.timeline(submission),
            "summary": formdef.summarize(definition, submission.data or {}),
            "attachments": attachment_links,
            "receipt_url": _url("receipt", submission),
            "fee": applicant.fee_state(submission),
            "thread": applicant.messages_of(submission),
            "message_form": message_form,
            "correction": correction,
            "correct_url": _url("correct", submission) if correction else "",
            "withdraw_refusal": applicant.withdraw_refusal(submission),
            "can_withdraw": submission.status in applicant.WITHDRAWABLE,
            "breadcrumbs": _crumbs(None, submission.number),
        },
    )


@login_required
@require_POST
def message(request: HttpRequest, municipality_slug: str, public_id: UUID) -> HttpResponse:
    """Send a message to the department (a double post stores it once)."""
    submission = _mine(request, public_id)
    form = MessageForm(request.POST)
    if form.is_valid():
        try:
            applicant.send_message(submission, form.cleaned_data["body"], request.user, request)
        except common.ProcedureError as exc:
            form.add_error("body", exc.messages[0])
        else:
            messages.success(request, _t("メッセージを送信しました。"))
            return redirect(_detail(submission) + "#messages")
    # What was typed stays in the form with the reason it was refused.
    return _render_detail(request, submission, form)


@login_required
def withdraw(request: HttpRequest, municipality_slug: str, public_id: UUID) -> HttpResponse:
    """取下げ: a confirmation page, then the withdrawal (POST)."""
    submission = _mine(request, public_id)
    if submission.status == S.WITHDRAWN:
        messages.info(request, _t("この申請は取り下げられています。"))
        return redirect(_detail(submission))
    refusal = applicant.withdraw_refusal(submission)
    if refusal:
        messages.error(request, refusal)
        return redirect(_detail(submission))
    form = WithdrawForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            applicant.withdraw(submission, user=request.user, reason=form.cleaned_data["reason"], request=request)
        except common.ProcedureError as exc:
            messages.error(request, exc.messages[0])
        else:
            messages.success(request, _t("申請を取り下げました。"))
        return redirect(_detail(submission))
    common.audit_read(submission, request=request, what="applicant_withdraw", fields=["number", "status"])
    return render(
        request,
        "procedures/my_withdraw.html",
        {"submission": submission, "form": form, "breadcrumbs": _crumbs(submission, _("申請の取下げ"))},
    )


@login_required
def correct(request: HttpRequest, municipality_slug: str, public_id: UUID) -> HttpResponse:
    """補正: the staff's request and the fields it names, prefilled; the answer (POST)
    returns the submission to review, or, when a signature is required, waits for it."""
    submission = _mine(request, public_id)
    correction = applicant.open_correction(submission)
    if correction is None or submission.status != S.CORRECTION_REQUESTED:
        messages.info(request, _t(applicant.MESSAGES["no_open_correction"]))
        return redirect(_detail(submission))
    definition = common.definition_of(submission)
    keys = applicant.correction_keys(submission, correction)
    stored = dict(submission.data or {})
    is_post = request.method == "POST"
    action = request.POST.get("action", "") if is_post else ""
    if action == "complete":
        return _complete(request, submission)
    if action == "sign":
        return _sign(request, submission)
    if request.GET.get("download") and applicant.has_pending_answer(correction):
        # The corrected data to sign with the applicant's own JPKI software.
        common.audit_read(submission, request=request, what="correction_signing_xml")
        response = HttpResponse(xmlsig.canonical_xml(submission), content_type="application/xml; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="madoguchi-{submission.public_id}.xml"'
        return response
    form = formbuild.build_fields_form(
        definition,
        keys,
        data=request.POST if is_post else None,
        files=request.FILES if is_post else None,
        stored=stored,
        prefix="fix",
    )
    answer_form = AnswerMessageForm(
        request.POST if is_post else None, initial={"answer_message": correction.answer_message}
    )
    error = ""
    if is_post and form.is_valid() and answer_form.is_valid():
        try:
            result = applicant.answer_correction(
                submission,
                values=form.cleaned_values(),
                files=form.uploaded_files(),
                message=answer_form.cleaned_data["answer_message"],
                user=request.user,
                request=request,
            )
        except common.ProcedureError as exc:
            error = exc.messages[0]
        else:
            if result.needs_signature:
                messages.info(request, _t("補正した内容を保存しました。電子署名をしてから、補正を提出してください。"))
                return redirect(_url("correct", submission) + "#sign-heading")
            messages.success(request, _t("補正を提出しました。担当課が内容を確認します。"))
            return redirect(_detail(submission))
    common.audit_read(submission, request=request, what="applicant_correction", fields=keys or ["data"])
    pending = applicant.has_pending_answer(correction) and submission.signature_required
    return render(
        request,
        "procedures/correct.html",
        {
            "submission": submission,
            "correction": correction,
            "form": form,
            "answer_form": answer_form,
            "error": error,
            "keys": keys,
            "pending": pending,
            "signed": pending and signatures.has_valid_signature(submission),
            "download_url": _url("correct", submission) + "?download=1",
            "correct_url": _url("correct", submission),
            "breadcrumbs": _crumbs(submission, _("補正")),
        },
    )


def _sign(request: HttpRequest, submission: Submission) -> HttpResponse:
    """The signed corrected data, uploaded: verified, and the answer finalised."""
    uploaded = request.FILES.get("signed_file")
    if uploaded is None:
        messages.error(request, _t("署名したファイルを選んでください。"))
        return redirect(_url("correct", submission) + "#sign-heading")
    signed = bytes(uploaded.read(upload.MAX_UPLOAD_BYTES + 1))
    try:
        applicant.sign_correction(submission, signed, user=request.user, request=request)
    except common.ProcedureError as exc:
        messages.error(request, exc.messages[0])
        return redirect(_url("correct", submission) + "#sign-heading")
    messages.success(request, _t("電子署名を確認し、補正を提出しました。担当課が内容を確認します。"))
    return redirect(_detail(submission))


def _complete(request: HttpRequest, submission: Submission) -> HttpResponse:
    try:
        applicant.complete_signed_correction(submission, user=request.user, request=request)
    except common.ProcedureError as exc:
        messages.error(request, exc.messages[0])
        return redirect(_url("correct", submission))
    messages.success(request, _t("補正を提出しました。担当課が内容を確認します。"))
    return redirect(_detail(submission))
