"""申請の詳細 in the staff console: the applicant's answers (with the form version the
submission was made with), attachments, the fee and its invoice, the signature
evidence, the timeline, messages with the applicant, internal notes and correction
requests; and the actions staff take on it (assign, review, correct, decide, complete,
withdraw on request, message, note).

The page shows an applicant's personal data: a reason is asked first
(`audit.access`), and every opening is an audited read. Another department's
submission is a 404 for staff who see only their own; another municipality's always.
"""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView
from wagtail.admin import messages
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from madoguchi.accounts.permissions import Permission, has_permission, request_municipality
from madoguchi.audit import access
from madoguchi.core.staff_views import check, console_municipality

from .. import attachments, formdef, permissions
from ..models import (
    Attachment,
    CorrectionRequest,
    EventKind,
    SignatureEvidence,
    Submission,
    SubmissionStatus,
)
from ..services import common, fees, processing
from ..services.common import ProcedureError

S = SubmissionStatus
#: What the detail page shows of the applicant's data (for the audit entry).
FIELDS_SHOWN = ["data", "applicant_name", "applicant_email", "attachments", "messages", "corrections"]


class DateInput(forms.DateInput):
    # The browser's own date input: Wagtail's date picker writes inline scripts.
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%d")


def _person_name(user: Any) -> str:
    return str(user.get_full_name() or user.email)


class AssignForm(forms.Form):
    assignee: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label=gettext_lazy("担当者"), queryset=None, empty_label=None
    )

    def __init__(self, *args: Any, submission: Submission, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["assignee"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = processing.colleagues(submission)
        field.label_from_instance = _person_name  # type: ignore[method-assign,assignment]


class CorrectionForm(forms.Form):
    message = forms.CharField(
        label=gettext_lazy("補正の内容"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=processing.MESSAGE_MAX_LENGTH,
        help_text=gettext_lazy("申請者に表示されます。何をどう直せばよいかを書いてください。"),
    )
    field_keys = forms.MultipleChoiceField(
        label=gettext_lazy("補正する項目"), widget=forms.CheckboxSelectMultiple, choices=()
    )
    respond_by = forms.DateField(label=gettext_lazy("補正期限"), required=False, widget=DateInput())

    def __init__(self, *args: Any, definition: formdef.FormDefinition, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["field_keys"]
        assert isinstance(field, forms.MultipleChoiceField)
        field.choices = [(f.key, f.text) for f in definition.input_fields()]
        self.fields["respond_by"].initial = timezone.localdate() + datetime.timedelta(days=14)

    def clean_respond_by(self) -> datetime.date | None:
        value: datetime.date | None = self.cleaned_data.get("respond_by")
        if value is not None and value < timezone.localdate():
            raise forms.ValidationError(_("補正期限には今日以降の日付を入力してください。"))
        return value


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("理由"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        help_text=gettext_lazy("申請者に表示されます。"),
    )


class BodyForm(forms.Form):
    body = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), max_length=processing.MESSAGE_MAX_LENGTH)

    def __init__(self, *args: Any, label: Any, help_text: Any = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["body"].label = label
        self.fields["body"].help_text = help_text


class EmptyForm(forms.Form):
    pass


def _may(request: HttpRequest, permission: Permission) -> bool:
    return has_permission(request.user, permission, request_municipality(request))


def find_submission(request: HttpRequest, public_id: Any) -> Submission:
    """The submission if this member of staff may see it; else 404 (not 403: another
    department's or municipality's submission does not exist for them)."""
    check(request, permissions.VIEW_SUBMISSIONS)
    municipality = console_municipality(request)
    submission = (
        processing.visible_submissions(request.user, municipality)
        .select_related("procedure", "form_version", "department", "assignee", "applicant", "municipality")
        .filter(public_id=public_id)
        .first()
    )
    if submission is None:
        raise Http404
    return submission


def reason_subject(submission: Submission) -> Any:
    return submission.applicant if submission.applicant is not None else submission


#: Actions of the detail page: (permission, form) by the value of the "action" button.
ACTIONS: dict[str, Permission] = {
    "assign_self": permissions.PROCESS_SUBMISSIONS,
    "assign": permissions.PROCESS_SUBMISSIONS,
    "start_review": permissions.PROCESS_SUBMISSIONS,
    "request_correction": permissions.PROCESS_SUBMISSIONS,
    "approve": permissions.DECIDE_SUBMISSIONS,
    "reject": permissions.DECIDE_SUBMISSIONS,
    "complete": permissions.PROCESS_SUBMISSIONS,
    "withdraw": permissions.PROCESS_SUBMISSIONS,
    "message": permissions.PROCESS_SUBMISSIONS,
    "note": permissions.PROCESS_SUBMISSIONS,
}
#: The status each transition button leads to.
TRANSITION_ACTIONS = {
    "start_review": S.IN_REVIEW,
    "request_correction": S.CORRECTION_REQUESTED,
    "approve": S.APPROVED,
    "reject": S.REJECTED,
    "complete": S.COMPLETED,
    "withdraw": S.WITHDRAWN,
}


class SubmissionDetailView(WagtailAdminTemplateMixin, TemplateView):
    template_name = "procedures/staff/submission_detail.html"
    header_icon = "tasks"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        self.submission = find_submission(request, kwargs["public_id"])
        self.definition = common.definition_of(self.submission)
        self.bound: dict[str, forms.Form] = {}
        # A reason first (個人情報の閲覧理由), for the applicant; then audited reads.
        if (
            to_reason := access.reason_redirect(request, access.subject_key_for(reason_subject(self.submission)))
        ) is not None:
            if request.method == "POST":
                return HttpResponseRedirect(
                    access.reason_url(access.subject_key_for(reason_subject(self.submission)), request.path)
                )
            return to_reason
        return super().dispatch(request, *args, **kwargs)  # type: ignore[no-any-return]

    def get_page_title(self) -> str:
        return _("申請の詳細")

    def get_page_subtitle(self) -> str:
        return f"{self.submission.number} {self.submission.procedure.name}"

    def get_breadcrumbs_items(self) -> list[dict[str, Any]]:
        return [
            *self.breadcrumbs_items,
            {"url": reverse("procedures-inbox:index"), "label": _("受付一覧")},
            {"url": "", "label": self.get_page_title(), "sublabel": self.get_page_subtitle()},
        ]

    def detail_url(self) -> str:
        return reverse("procedures-inbox:detail", args=[self.submission.public_id])

    # --- reading -------------------------------------------------------------------

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return self.render_page()

    def render_page(self, status: int = 200) -> HttpResponse:
        common.audit_read(self.submission, request=self.request, actor=self.request.user, fields=FIELDS_SHOWN)
        self.reason = access.current_reason(self.request, reason_subject(self.submission)) or ""
        response = self.render_to_response(self.get_context_data())
        response.status_code = status
        return response

    def forms_for(self, action: str, data: Any = None) -> forms.Form:
        if action in self.bound:
            return self.bound[action]
        submission = self.submission
        if action == "assign":
            return AssignForm(data, submission=submission, prefix="assign")
        if action == "request_correction":
            return CorrectionForm(data, definition=self.definition, prefix="correction")
        if action in ("reject", "withdraw"):
            return ReasonForm(data, prefix=action)
        if action == "message":
            return BodyForm(
                data,
                prefix="message",
                label=_("申請者へのメッセージ"),
                help_text=_("申請者の画面に表示され、メールでも知らせます。"),
            )
        if action == "note":
            return BodyForm(data, prefix="note", label=_("内部メモ"), help_text=_("職員だけが読めます。"))
        return EmptyForm(data)

    def available_actions(self) -> list[str]:
        """The transition buttons this member of staff may use now."""
        allowed = common.allowed_transitions(self.submission.status, "staff")
        return [
            action for action, to in TRANSITION_ACTIONS.items() if to in allowed and _may(self.request, ACTIONS[action])
        ]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        submission = self.submission
        definition = self.definition
        may_process = _may(self.request, permissions.PROCESS_SUBMISSIONS)
        actions = self.available_actions()
        invoice = fees.invoice_for(submission)
        corrections = list(CorrectionRequest.objects.filter(submission=submission).select_related("requested_by"))
        return {
            **super().get_context_data(**kwargs),
            "submission": submission,
            "reason": self.reason,
            "overdue": processing.is_overdue(submission),
            "summary": formdef.summarize(definition, submission.data or {}),
            "version": submission.form_version,
            "attachments": [
                (
                    a,
                    reverse("procedures-inbox:attachment", args=[submission.public_id, a.pk]),
                    definition.field(a.field_key).text if definition.has_field(a.field_key) else a.field_key,
                )
                for a in Attachment.objects.filter(submission=submission).order_by("field_key", "created_at")
            ],
            "invoice": invoice,
            "invoice_url": reverse("payments-invoices:detail", args=[invoice.number])
            if invoice is not None and _may_view_invoices(self.request)
            else "",
            "fee_settled": fees.is_settled(submission),
            "signature": SignatureEvidence.objects.filter(submission=submission)
            .order_by("-verified_at", "-pk")
            .first(),
            "events": [(event, _event_text(event, definition)) for event in processing.events_for_staff(submission)],
            "chat": submission.messages.select_related("author").order_by("created_at", "pk"),
            "notes": submission.internal_notes.select_related("author").order_by("created_at", "pk"),
            "corrections": [(c, _correction_rows(c, definition)) for c in corrections],
            "actions": actions,
            "may_process": may_process,
            "assignee_is_me": submission.assignee_id == getattr(self.request.user, "pk", None),
            "assign_form": self.forms_for("assign") if may_process else None,
            "correction_form": self.forms_for("request_correction") if "request_correction" in actions else None,
            "reject_form": self.forms_for("reject") if "reject" in actions else None,
            "withdraw_form": self.forms_for("withdraw") if "withdraw" in actions else None,
            "message_form": self.forms_for("message") if may_process else None,
            "note_form": self.forms_for("note") if may_process else None,
            "complete_blocked": "complete" in actions and not fees.is_settled(submission),
        }

    # --- acting ----------------------------------------------------------------------

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        action = request.POST.get("action", "")
        permission = ACTIONS.get(action)
        if permission is None:
            raise Http404
        if not _may(request, permission):
            raise PermissionDenied
        if action in TRANSITION_ACTIONS and action not in self.available_actions():
            if self.submission.status == TRANSITION_ACTIONS[action]:
                # Done already (a double click, or a colleague was quicker).
                messages.info(request, _("この操作は既に行われています。"))
                return HttpResponseRedirect(self.detail_url())
            messages.error(
                request,
                _("「%(status)s」の申請にはこの操作はできません。") % {"status": self.submission.get_status_display()},
            )
            return HttpResponseRedirect(self.detail_url())
        form = self.forms_for(action, request.POST)
        if not form.is_valid():
            self.bound[action] = form
            messages.error(request, _("入力内容を確認してください。"))
            return self.render_page(status=400)
        try:
            message = self.act(action, form.cleaned_data)
        except ProcedureError as error:
            self.bound[action] = form
            form.add_error(None, error.messages[0] if error.messages else str(error))
            messages.error(request, error.messages[0] if error.messages else str(error))
            self.submission = find_submission(request, self.submission.public_id)
            return self.render_page(status=400)
        messages.success(request, message)
        return HttpResponseRedirect(self.detail_url())

    def act(self, action: str, data: dict[str, Any]) -> str:
        submission, user, request = self.submission, self.request.user, self.request
        if action == "assign_self":
            processing.assign(submission, user, actor=user, request=request)
            return _("この申請の担当者になりました。")
        if action == "assign":
            processing.assign(submission, data["assignee"], actor=user, request=request)
            return _("担当者を変更しました。")
        if action == "start_review":
            processing.start_review(submission, actor=user, request=request)
            return _("審査を開始しました。")
        if action == "request_correction":
            processing.request_correction(
                submission,
                message=data["message"],
                fields=list(data["field_keys"]),
                respond_by=data.get("respond_by"),
                actor=user,
                request=request,
            )
            return _("補正を依頼しました。申請者にメールで知らせます。")
        if action == "approve":
            processing.approve(submission, actor=user, request=request)
            return _("承認しました。")
        if action == "reject":
            processing.reject(submission, reason=data["reason"], actor=user, request=request)
            return _("却下しました。")
        if action == "complete":
            processing.complete(submission, actor=user, request=request)
            return _("完了にしました。")
        if action == "withdraw":
            processing.withdraw(submission, reason=data["reason"], actor=user, request=request)
            return _("申請者の申出により取り下げました。")
        if action == "message":
            processing.send_message(submission, body=data["body"], actor=user, request=request)
            return _("メッセージを送りました。")
        processing.add_note(submission, body=data["body"], actor=user, request=request)
        return _("内部メモを記入しました。")


def _may_view_invoices(request: HttpRequest) -> bool:
    from madoguchi.payments import permissions as payment_permissions

    return _may(request, payment_permissions.VIEW_INVOICES)


def _value_text(definition: formdef.FormDefinition, key: str, value: Any) -> str:
    if definition.has_field(key):
        return definition.field(key).display(value) or "-"
    return "-" if value in (None, "", []) else str(value)


def _correction_rows(correction: CorrectionRequest, definition: formdef.FormDefinition) -> list[tuple[str, str, str]]:
    """(field label, value before, value after) for each field the request named."""
    rows = []
    for key in correction.fields or []:
        label = definition.field(key).text if definition.has_field(key) else key
        before = _value_text(definition, key, (correction.previous_values or {}).get(key))
        after = (
            _value_text(definition, key, (correction.new_values or {}).get(key))
            if correction.new_values or correction.answered_at
            else ""
        )
        rows.append((label, before, after))
    return rows


def _event_text(event: Any, definition: formdef.FormDefinition) -> str:
    if event.kind == EventKind.STATUS and event.to_status:
        before = S(event.from_status).label if event.from_status else ""
        return f"{before} → {S(event.to_status).label}" if before else str(S(event.to_status).label)
    if event.kind == EventKind.ASSIGNED:
        name = (event.data or {}).get("name") or _("未割当")
        return _("担当者：%(name)s") % {"name": name}
    if event.kind == EventKind.CORRECTION_REQUESTED:
        keys = (event.data or {}).get("fields", [])
        labels = "、".join(definition.field(k).text if definition.has_field(k) else k for k in keys)
        return _("補正する項目：%(fields)s") % {"fields": labels}
    return str(event.get_kind_display())


def attachment_download(request: HttpRequest, public_id: Any, pk: int) -> HttpResponseBase:
    """An attachment of a submission the member of staff may see, after the reason for
    opening the applicant's data; the read is audited."""
    submission = find_submission(request, public_id)
    attachment = Attachment.objects.filter(submission=submission, pk=pk).first()
    if attachment is None:
        raise Http404
    key = access.subject_key_for(reason_subject(submission))
    if access.reason_for_key(request, key) is None:
        return HttpResponseRedirect(
            access.reason_url(key, reverse("procedures-inbox:detail", args=[submission.public_id]))
        )
    common.audit_read(
        submission,
        request=request,
        actor=request.user,
        what="attachment",
        fields=[f"attachment:{attachment.field_key}"],
    )
    return attachments.response_for(attachment)
