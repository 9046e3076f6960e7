"""納付書 in the staff console: find an invoice (number, payer name in kana or kanji,
宛名番号), filter and export the list, open one with its payments, notices and refunds,
issue one by hand, cancel one, record a payment made at the counter (窓口収納), and
propose, approve (another person) and pay refunds.

Invoices carry personal data: every listing, export and opening is written to the audit
log (the services record every change).
"""

from __future__ import annotations

import secrets
from functools import reduce
from operator import and_, or_
from typing import Any

import django_filters
from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView
from wagtail.admin import messages
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.ui.tables import Column, TitleColumn
from wagtail.admin.views import generic
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permissions import register_permission_policy

from madoguchi.accounts.permissions import Permission, has_permission, request_municipality
from madoguchi.audit import access
from madoguchi.audit import services as audit
from madoguchi.audit.views import DateRangeWidget
from madoguchi.core.staff_views import (
    AuditedListingMixin,
    ConsoleExportMixin,
    RolePermissionPolicy,
    ServiceFormMixin,
    ServiceViewSetMixin,
    check,
    console_municipality,
)
from madoguchi.japanese.kana import to_katakana

from .. import permissions, services
from ..models import Channel, Invoice, InvoiceStatus, Item, Refund, RefundStatus
from . import PAYMENTS_MENU_HOOK

INVOICE_FIELDS_SHOWN = ["number", "payer_number", "payer_name", "payer_name_kana", "payer_address", "amount", "status"]


def _yen(value: int) -> str:
    return _("%(amount)s円") % {"amount": f"{value:,}"}


# --- the list -------------------------------------------------------------------------


class InvoiceFilterSet(WagtailFilterSet):
    status = django_filters.ChoiceFilter(
        label=gettext_lazy("状態"), choices=InvoiceStatus.choices, empty_label=gettext_lazy("すべて")
    )
    item = django_filters.ChoiceFilter(
        label=gettext_lazy("科目"), choices=Item.choices, empty_label=gettext_lazy("すべて")
    )
    fiscal_year = django_filters.NumberFilter(label=gettext_lazy("年度"))
    due_date = django_filters.DateFromToRangeFilter(label=gettext_lazy("納期限"), widget=DateRangeWidget)
    channel = django_filters.ChoiceFilter(
        label=gettext_lazy("収納チャネル"),
        choices=Channel.choices,
        method="filter_channel",
        empty_label=gettext_lazy("すべて"),
    )

    class Meta:
        model = Invoice
        fields: list[str] = []

    def filter_channel(self, queryset: QuerySet[Invoice], name: str, value: str) -> QuerySet[Invoice]:
        return queryset.filter(payments__channel=value).distinct() if value else queryset


def search_invoices(queryset: QuerySet[Invoice], query: str) -> QuerySet[Invoice]:
    """Every word must match the number, the 宛名番号, the identifier of the sending system,
    the name, or the name's reading typed in hiragana, katakana or half-width kana."""
    per_word = []
    for word in query.split():
        kana = to_katakana(word)
        per_word.append(
            reduce(
                or_,
                [
                    Q(number__startswith=word),
                    Q(payer_number=word),
                    Q(source_reference=word),
                    Q(payer_name__icontains=word),
                    Q(payer_name_kana__icontains=kana),
                ],
            )
        )
    return queryset.filter(reduce(and_, per_word)) if per_word else queryset


class InvoiceIndexView(AuditedListingMixin, ConsoleExportMixin, generic.IndexView):
    is_searchable = True

    def get_base_queryset(self) -> QuerySet[Invoice]:
        return Invoice.objects.all()

    def search_queryset(self, queryset: QuerySet[Invoice]) -> QuerySet[Invoice]:
        return search_invoices(queryset, self.search_query) if self.is_searching else queryset

    @cached_property
    def columns(self) -> list[Any]:
        return [
            TitleColumn(
                "number",
                label=gettext_lazy("納付番号"),
                get_url=lambda i: reverse("payments-invoices:detail", args=[i.number]),
                sort_key="number",
            ),
            Column("payer_name", label=gettext_lazy("納付者"), sort_key="payer_name_kana"),
            Column("payer_number", label=gettext_lazy("宛名番号")),
            Column("item", label=gettext_lazy("科目"), accessor="get_item_display"),
            Column("fiscal_year", label=gettext_lazy("年度"), sort_key="fiscal_year"),
            Column("amount", label=gettext_lazy("請求額"), accessor=lambda i: _yen(i.amount), sort_key="amount"),
            Column("due_date", label=gettext_lazy("納期限"), sort_key="due_date"),
            Column("status", label=gettext_lazy("状態"), accessor="get_status_display"),
        ]

    @cached_property
    def show_export_buttons(self) -> bool:
        return has_permission(self.request.user, permissions.MANAGE_INVOICES, request_municipality(self.request))

    def get_filename(self) -> str:
        return f"invoices-{console_municipality(self.request).code}-{timezone.localtime():%Y%m%d-%H%M%S}"

    audit_object_type = "payments.invoice"
    audit_fields = ("number", "payer_name", "payer_number", "amount", "status")

    def render_to_response(self, context: dict[str, Any], **response_kwargs: Any) -> HttpResponse:
        if self.is_export and not self.show_export_buttons:
            raise PermissionDenied
        return super().render_to_response(context, **response_kwargs)


# --- issuing by hand ------------------------------------------------------------------


class DateInput(forms.DateInput):
    # The browser's date input: Wagtail's date picker writes inline scripts the CSP refuses.
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%d")


INVOICE_FORM_FIELDS = [
    "item", "fiscal_year", "instalment", "description", "amount", "due_date", "payable_until", "payer_number",
    "payer_name", "payer_name_kana", "payer_postal_code", "payer_address", "payer_email",
]  # fmt: skip


class InvoiceForm(forms.ModelForm[Invoice]):
    payable_until = forms.DateField(
        label=gettext_lazy("取扱期限"),
        required=False,
        widget=DateInput(),
        help_text=gettext_lazy("空欄なら納期限と同じ日"),
    )

    class Meta:
        model = Invoice
        fields = INVOICE_FORM_FIELDS
        widgets = {"due_date": DateInput()}

    def __init__(self, *args: Any, for_user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        today = timezone.localdate()
        self.fields["fiscal_year"].initial = today.year if today.month >= 4 else today.year - 1
        self.fields["amount"].widget.attrs["min"] = 1

    def clean_amount(self) -> int:
        amount: int = self.cleaned_data["amount"]
        if amount <= 0:
            raise ValidationError(_("金額は1以上の整数（円）で入力してください。"))
        return amount

    def clean_payer_name_kana(self) -> str:
        return to_katakana(self.cleaned_data.get("payer_name_kana", ""))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        due, until = data.get("due_date"), data.get("payable_until")
        if due and until and until < due:
            self.add_error("payable_until", _("取扱期限は納期限より前にできません。"))
        return data

    def _post_clean(self) -> None:
        # The model's own checks run in the service (number, municipality are its to set).
        pass


class InvoiceCreateView(ServiceFormMixin, generic.CreateView):
    def get_initial_form_instance(self) -> Invoice:
        return Invoice(municipality=console_municipality(self.request))

    def save_through_service(self) -> Invoice:
        data = {k: v for k, v in self.form.cleaned_data.items() if v not in (None, "")}
        try:
            return services.create_invoice(
                municipality=console_municipality(self.request), actor=self.request.user, **data
            )
        except (ValueError, services.PaymentError) as error:
            raise ValidationError(str(error)) from None

    def get_success_url(self) -> str:
        return reverse("payments-invoices:detail", args=[self.object.number])

    def get_edit_url(self) -> str:
        return self.get_success_url()

    def get_success_message(self, instance: Invoice) -> str:
        return _("納付書 %(number)s を発行しました。") % {"number": instance.number}


# --- one invoice ----------------------------------------------------------------------


class CounterPaymentForm(forms.Form):
    amount = forms.IntegerField(label=gettext_lazy("金額（円）"), min_value=1, max_value=9_999_999_999)
    paid_on = forms.DateField(label=gettext_lazy("収納日"), widget=DateInput())
    receipt_number = forms.CharField(
        label=gettext_lazy("領収番号"),
        max_length=40,
        required=False,
        help_text=gettext_lazy("窓口の領収証書の番号。空欄でもかまいません。"),
    )
    submission = forms.CharField(widget=forms.HiddenInput, max_length=40)


class CancelForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("取消理由"), max_length=200)


class RefundForm(forms.Form):
    amount = forms.IntegerField(label=gettext_lazy("還付額（円）"), min_value=1)
    reason = forms.CharField(label=gettext_lazy("還付の理由"), max_length=200)


class RefundPaidForm(forms.Form):
    reference = forms.CharField(label=gettext_lazy("振込等の識別子"), max_length=100, required=False)


class InvoiceMixin(WagtailAdminTemplateMixin):
    """Finds the invoice of the URL in the staff member's municipality (the data scope
    is the municipality's: another municipality's number is a 404)."""

    header_icon = "doc-full"
    permission: Permission = permissions.VIEW_INVOICES
    request: HttpRequest
    kwargs: dict[str, Any]

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        check(request, self.permission)
        console_municipality(request)
        self.invoice = get_object_or_404(Invoice.objects.all(), number=kwargs["number"])
        return super().dispatch(request, *args, **kwargs)  # type: ignore[misc,no-any-return]

    def detail_url(self) -> str:
        return reverse("payments-invoices:detail", args=[self.invoice.number])

    def get_page_subtitle(self) -> str:
        return f"{self.invoice.number} {self.invoice.payer_name}"

    def get_breadcrumbs_items(self) -> list[dict[str, Any]]:
        return [
            *self.breadcrumbs_items,
            {"url": reverse("payments-invoices:index"), "label": _("納付書")},
            {"url": "", "label": self.get_page_title(), "sublabel": self.get_page_subtitle()},
        ]


def _may(request: HttpRequest, permission: Permission) -> bool:
    return has_permission(request.user, permission, request_municipality(request))


class InvoiceDetailView(InvoiceMixin, TemplateView):
    template_name = "payments/staff/invoice_detail.html"

    def get_page_title(self) -> str:
        return _("納付書")

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        # A reason first (個人情報の閲覧理由), kept for the payer as on the payer's own
        # invoice page; then a recorded read.
        subject = self.invoice.payer if self.invoice.payer is not None else self.invoice
        if (to_reason := access.reason_redirect(request, access.subject_key_for(subject))) is not None:
            return to_reason
        entry = audit.record(
            action=audit.Action.VIEW,
            obj=self.invoice,
            subject=self.invoice.payer,
            personal_data=True,
            fields=INVOICE_FIELDS_SHOWN,
            request=request,
        )
        self.reason = entry.reason
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        invoice = self.invoice
        today = timezone.localdate()
        may_record = _may(self.request, permissions.RECORD_PAYMENTS) and invoice.status != InvoiceStatus.CANCELLED
        may_manage = _may(self.request, permissions.MANAGE_INVOICES)
        refundable = services.refundable_amount(invoice)
        rows = [
            (_("納付番号"), invoice.number),
            (_("確認番号"), invoice.confirmation_number),
            (_("状態"), invoice.get_status_display()),
            (_("科目"), invoice.get_item_display()),
            (_("年度・期別"), f"{invoice.fiscal_year} / {invoice.instalment}"),
            (_("内容"), invoice.description),
            (_("請求額"), _yen(invoice.amount)),
            (_("収納済額"), _yen(invoice.paid_amount)),
            (_("還付済額"), _yen(invoice.refunded_amount)),
            (_("未納額"), _yen(invoice.balance)),
            (_("発行日"), invoice.issued_on),
            (_("納期限"), invoice.due_date),
            (_("取扱期限"), invoice.payable_until),
            (_("宛名番号"), invoice.payer_number),
            (_("納付者氏名・名称"), invoice.payer_name),
            (_("フリガナ"), invoice.payer_name_kana),
            (_("住所"), f"{invoice.payer_postal_code} {invoice.payer_address}".strip()),
            (_("取込元の識別子"), invoice.source_reference),
        ]
        if invoice.status == InvoiceStatus.CANCELLED:
            rows.append((_("取消理由"), invoice.cancel_reason))
        refunds = list(invoice.refunds.select_related("requested_by", "approved_by"))
        return {
            **super().get_context_data(**kwargs),
            "invoice": invoice,
            "rows": rows,
            "payments": invoice.payments.select_related("recorded_by"),
            "notices": invoice.notices.all()[:50],
            "refunds": refunds,
            "payment_form": CounterPaymentForm(
                initial={
                    "amount": max(invoice.balance, 0) or None,
                    "paid_on": today,
                    "submission": secrets.token_urlsafe(16),
                }
            )
            if may_record and invoice.balance > 0
            else None,
            "cancel_form": CancelForm() if may_manage and invoice.status != InvoiceStatus.CANCELLED else None,
            "refund_form": RefundForm(initial={"amount": refundable}) if may_manage and refundable > 0 else None,
            "may_approve": _may(self.request, permissions.APPROVE_REFUNDS),
            "may_pay_refund": may_manage,
            "refund_paid_form": RefundPaidForm(),
            "user_id": getattr(self.request.user, "pk", None),
            "reason": self.reason,
        }


class InvoiceActionView(InvoiceMixin, TemplateView):
    """A POST from the details screen; errors go back there as messages (nothing was
    changed), success too."""

    http_method_names = ["post"]
    form_class: type[forms.Form] = forms.Form

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form = self.form_class(request.POST)
        if not form.is_valid():
            for field, errors in form.errors.items():
                label = form.fields[field].label if field in form.fields else ""
                text = " ".join(str(e) for e in errors)
                messages.error(request, f"{label}：{text}" if label else text)
            return HttpResponseRedirect(self.detail_url())
        try:
            message = self.act(form.cleaned_data)
        except services.PaymentError as error:
            messages.error(request, self.explain(error))
        else:
            messages.success(request, message)
        return HttpResponseRedirect(self.detail_url())

    def act(self, data: dict[str, Any]) -> str:
        raise NotImplementedError

    def explain(self, error: services.PaymentError) -> str:
        return {
            "cancelled": _("取り消された納付書には収納を記録できません。"),
            "conflict": _("この領収番号は別の内容で記録済みです。"),
            "not_refundable": _("還付できる額を超えています。"),
            "same_person": _("起案した本人は決裁できません。別の職員が決裁してください。"),
            "not_approved": _("決裁されていない還付は支払済みにできません。"),
        }.get(error.code, str(error))


class CounterPaymentView(InvoiceActionView):
    permission = permissions.RECORD_PAYMENTS
    form_class = CounterPaymentForm

    def act(self, data: dict[str, Any]) -> str:
        # The form's one-time key makes a double submit the same payment: record_payment
        # is idempotent per (channel, reference).
        reference = f"counter:{data['receipt_number'] or data['submission']}"
        result = services.record_payment(
            self.invoice,
            channel=Channel.COUNTER,
            reference=reference,
            amount=data["amount"],
            paid_on=data["paid_on"],
            actor=self.request.user,
            note=data["receipt_number"],
        )
        if not result.created:
            return _("この収納は記録済みです（二重の記録はしていません）。")
        return _("%(amount)s の窓口収納を記録しました。") % {"amount": _yen(data["amount"])}


class CancelView(InvoiceActionView):
    permission = permissions.MANAGE_INVOICES
    form_class = CancelForm

    def act(self, data: dict[str, Any]) -> str:
        services.cancel_invoice(self.invoice, reason=data["reason"], actor=self.request.user)
        return _("納付書を取り消しました。")


class RefundRequestView(InvoiceActionView):
    permission = permissions.MANAGE_INVOICES
    form_class = RefundForm

    def act(self, data: dict[str, Any]) -> str:
        services.request_refund(self.invoice, amount=data["amount"], reason=data["reason"], actor=self.request.user)
        return _("還付を起案しました。別の職員の決裁を待ちます。")


class RefundActionView(InvoiceActionView):
    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        self.refund: Refund | None = None
        return super().dispatch(request, *args, **kwargs)

    def get_refund(self) -> Refund:
        refund = Refund.objects.filter(pk=self.kwargs["pk"], invoice=self.invoice).first()
        if refund is None:
            raise Http404
        return refund


class RefundApproveView(RefundActionView):
    permission = permissions.APPROVE_REFUNDS

    def act(self, data: dict[str, Any]) -> str:
        refund = services.approve_refund(self.get_refund(), actor=self.request.user)
        if refund.status != RefundStatus.APPROVED:
            return _("この還付は決裁済みです。")
        return _("還付を決裁しました。")


class RefundPaidView(RefundActionView):
    permission = permissions.MANAGE_INVOICES
    form_class = RefundPaidForm

    def act(self, data: dict[str, Any]) -> str:
        services.mark_refund_paid(self.get_refund(), reference=data["reference"], actor=self.request.user)
        return _("還付を支払済みにしました。")


class InvoiceViewSet(ServiceViewSetMixin, ModelViewSet):
    """納付書: the municipality's invoices."""

    dropped_url_names = ("edit_url_name", "delete_url_name", "history_url_name", "usage_url_name", "inspect_url_name")

    model = Invoice
    name = "payments-invoices"
    url_prefix = "payments/invoices"
    icon = "doc-full"
    menu_label = gettext_lazy("納付書")
    menu_order = 100
    menu_hook = PAYMENTS_MENU_HOOK
    add_to_reference_index = False
    copy_view_enabled = False
    inspect_view_enabled = False
    index_view_class = InvoiceIndexView
    add_view_class = InvoiceCreateView
    form_class = InvoiceForm
    filterset_class = InvoiceFilterSet
    search_backend_name = None
    ordering = ["-issued_on", "-id"]
    list_per_page = 50
    list_export = [
        "number", "payer_number", "payer_name", "payer_name_kana", "item", "get_item_display", "fiscal_year",
        "instalment", "amount", "paid_amount", "refunded_amount", "status", "get_status_display", "issued_on",
        "due_date", "payable_until", "source_reference",
    ]  # fmt: skip
    export_headings = {
        "get_item_display": gettext_lazy("科目（表示名）"),
        "get_status_display": gettext_lazy("状態（表示名）"),
        "item": gettext_lazy("科目（コード）"),
        "status": gettext_lazy("状態（コード）"),
    }

    def get_form_class(self, for_update: bool = False) -> type[InvoiceForm]:
        return InvoiceForm

    def get_urlpatterns(self) -> list[Any]:
        number = "<str:number>"
        return [
            path("", self.index_view, name="index"),
            path("results/", self.index_results_view, name="index_results"),
            path("new/", self.add_view, name="add"),
            path(f"{number}/", InvoiceDetailView.as_view(), name="detail"),
            path(f"{number}/counter-payment/", CounterPaymentView.as_view(), name="counter_payment"),
            path(f"{number}/cancel/", CancelView.as_view(), name="cancel"),
            path(f"{number}/refunds/", RefundRequestView.as_view(), name="refund"),
            path(f"{number}/refunds/<int:pk>/approve/", RefundApproveView.as_view(), name="refund_approve"),
            path(f"{number}/refunds/<int:pk>/paid/", RefundPaidView.as_view(), name="refund_paid"),
        ]


register_permission_policy(
    Invoice,
    RolePermissionPolicy(Invoice, {"view": permissions.VIEW_INVOICES, "add": permissions.MANAGE_INVOICES}),
)
