"""Residents' payment pages: My payments (お支払い), an invoice, paying online and coming
back from the gateway. A resident sees only the invoices whose payer they are; staff
holding `payments.view_invoices` in the municipality may open any of its invoices.
Every page that shows an invoice is an audited read of personal data."""

from __future__ import annotations

import contextlib
from datetime import timedelta
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from madoguchi.accounts.permissions import has_permission
from madoguchi.audit import access
from madoguchi.audit import services as audit
from madoguchi.core.tenancy import get_request_municipality

from . import gateways, online
from .models import Channel, Invoice, InvoiceStatus, OnlinePayment, OnlinePaymentStatus
from .permissions import VIEW_INVOICES

OPEN_STATUSES = (InvoiceStatus.UNPAID, InvoiceStatus.PARTLY_PAID)


def status_query_after() -> timedelta:
    """How long the return page waits for the notification before asking the gateway."""
    return timedelta(seconds=float(getattr(settings, "PAYMENT_STATUS_QUERY_AFTER", 30)))


ONLINE_METHOD_CHOICES: list[tuple[str, Any]] = [
    (Channel.ONLINE_CARD.value, Channel.ONLINE_CARD.label),
    (Channel.ONLINE_BANKING.value, Channel.ONLINE_BANKING.label),
]


class PayForm(forms.Form):
    method = forms.ChoiceField(
        label=_("お支払い方法"),
        choices=ONLINE_METHOD_CHOICES,
        widget=forms.RadioSelect,
        initial=Channel.ONLINE_CARD.value,
    )
    attempt_key = forms.CharField(widget=forms.HiddenInput, max_length=64)

    def __init__(self, *args: Any, methods: tuple[str, ...] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["method"]
        if methods and isinstance(field, forms.ChoiceField):
            field.choices = [(value, label) for value, label in ONLINE_METHOD_CHOICES if value in methods]

    def clean_attempt_key(self) -> str:
        key: str = self.cleaned_data["attempt_key"]
        if not online.ATTEMPT_KEY_RE.match(key):
            raise forms.ValidationError(_("画面を読み込み直してから、もう一度お試しください。"))
        return key


def _invoice_for(request: HttpRequest, number: str) -> Invoice:
    """The invoice, if the user is its payer or staff who may see the municipality's
    invoices; 404 otherwise (another person's invoice does not even exist for them)."""
    municipality = get_request_municipality(request)
    invoice = Invoice.objects.filter(number=number).first()
    if invoice is None:
        raise Http404
    if invoice.payer_id != request.user.pk and not has_permission(request.user, VIEW_INVOICES, municipality):
        raise Http404
    return invoice


def _audit_read(request: HttpRequest, invoice: Invoice, fields: list[str]) -> None:
    audit.record(
        action=audit.Action.VIEW,
        obj=invoice,
        request=request,
        personal_data=True,
        subject=invoice.payer,
        fields=fields,
    )


@login_required
def my_payments(request: HttpRequest, municipality_slug: str) -> HttpResponse:
    """お支払い: the user's open invoices, and those already settled (with receipts)."""
    municipality = get_request_municipality(request)
    mine = list(Invoice.objects.filter(payer=request.user).order_by("due_date", "id"))
    open_invoices = [i for i in mine if i.status in OPEN_STATUSES]
    settled = sorted((i for i in mine if i.status not in OPEN_STATUSES), key=lambda i: i.updated_at, reverse=True)
    audit.record(
        action=audit.Action.VIEW,
        request=request,
        municipality=municipality,
        personal_data=True,
        subject=request.user,  # type: ignore[arg-type]  # signed in: a User
        object_type="payments.invoice",
        extra={"view": "my_payments", "count": len(mine)},
    )
    return render(
        request,
        "payments/my_payments.html",
        {
            "open_invoices": open_invoices,
            "settled_invoices": settled,
            "breadcrumbs": [(_("お支払い"), None)],
        },
    )


@login_required
def invoice_detail(request: HttpRequest, municipality_slug: str, number: str) -> HttpResponse:
    """An invoice, its payments and (for its payer, while it is open) the pay form."""
    invoice = _invoice_for(request, number)
    is_payer = invoice.payer_id == request.user.pk
    if not is_payer:
        # Staff opening a resident's invoice say why first (個人情報の閲覧理由).
        subject = invoice.payer if invoice.payer is not None else invoice
        if (to_reason := access.reason_redirect(request, access.subject_key_for(subject))) is not None:
            return to_reason
    _audit_read(request, invoice, ["number", "amount", "payer_name", "status"])
    form = None
    if is_payer and invoice.is_open and invoice.balance > 0:
        form = PayForm(initial={"attempt_key": online.new_attempt_key()}, methods=_methods())
    return render(
        request,
        "payments/invoice_detail.html",
        {
            "invoice": invoice,
            "payments": list(invoice.payments.order_by("paid_on", "id")),
            "attempts": list(invoice.online_payments.order_by("-created_at")[:10]) if is_payer else [],
            "form": form,
            "is_payer": is_payer,
            "breadcrumbs": [(_("お支払い"), "payments:my_payments"), (invoice.get_item_display(), None)],
        },
    )


def _methods() -> tuple[str, ...]:
    return gateways.default().methods


@login_required
@require_POST
def pay(request: HttpRequest, municipality_slug: str, number: str) -> HttpResponse:
    """Start paying online and send the payer to the gateway. Sent twice with the same
    attempt key (a double click), it starts one attempt and sends both to the same page."""
    invoice = _invoice_for(request, number)
    detail = reverse("payments:invoice_detail", kwargs={"municipality_slug": municipality_slug, "number": number})
    form = PayForm(request.POST, methods=_methods())
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
        return redirect(detail)
    key = form.cleaned_data["attempt_key"]
    return_path = reverse(
        "payments:payment_return", kwargs={"municipality_slug": municipality_slug, "attempt_key": key}
    )
    notify_path = reverse("payment_gateways:notify", kwargs={"provider": gateways.default().name})
    try:
        started = online.start_payment(
            invoice,
            method=form.cleaned_data["method"],
            attempt_key=key,
            payer=request.user,
            return_url=request.build_absolute_uri(return_path),
            notify_url=request.build_absolute_uri(notify_path),
        )
    except online.OnlinePaymentError as exc:
        if exc.code == "attempt_finished":
            return redirect(return_path)
        messages.error(request, _error_message(exc.code))
        return redirect(detail)
    except gateways.GatewayError:
        messages.error(request, _t("決済事業者に接続できませんでした。しばらくしてから、もう一度お試しください。"))
        return redirect(detail)
    return HttpResponseRedirect(started.redirect_url)


def _error_message(code: str) -> str:
    if code == "not_open":
        return _t("この納付書は、すでに納付済みか取り消されています。")
    if code == "not_payer":
        return _t("この納付書は、ご本人のアカウントからだけお支払いいただけます。")
    return _t("お支払いを始められませんでした。画面を読み込み直してから、もう一度お試しください。")


@login_required
def payment_return(request: HttpRequest, municipality_slug: str, attempt_key: str) -> HttpResponse:
    """決済結果: where the gateway sends the payer back. Pending until the gateway's
    notification arrives (the page asks again every few seconds, and asks the gateway
    itself once the notification is late), then paid or not."""
    attempt = OnlinePayment.objects.select_related("invoice").filter(attempt_key=attempt_key).first()
    if attempt is None or attempt.payer_id != request.user.pk:
        raise Http404
    late = timezone.now() - attempt.created_at >= status_query_after()
    if (
        late
        and attempt.provider_reference
        and attempt.status in (OnlinePaymentStatus.CREATED, OnlinePaymentStatus.PENDING)
    ):
        # The page keeps asking when the gateway cannot answer; so does the reconciliation.
        with contextlib.suppress(gateways.GatewayError):
            online.query_status(attempt)
        attempt.refresh_from_db()
    invoice = attempt.invoice
    back_url = ""
    if invoice.return_url and url_has_allowed_host_and_scheme(
        invoice.return_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        back_url = invoice.return_url
    pending = attempt.status in (OnlinePaymentStatus.CREATED, OnlinePaymentStatus.PENDING)
    context = {
        "attempt": attempt,
        "invoice": invoice,
        "pending": pending,
        "succeeded": attempt.status == OnlinePaymentStatus.SUCCEEDED,
        "back_url": back_url,
        "breadcrumbs": [
            (_("お支払い"), "payments:my_payments"),
            (
                invoice.get_item_display(),
                reverse(
                    "payments:invoice_detail",
                    kwargs={"municipality_slug": municipality_slug, "number": invoice.number},
                ),
            ),
            (_("決済の結果"), None),
        ],
    }
    if getattr(request, "htmx", False):
        return render(request, "payments/includes/payment_status.html", context)
    _audit_read(request, invoice, ["number", "amount", "status"])
    return render(request, "payments/payment_return.html", context)
