"""Invoices and payments: the only way other modules (and payments' own channels) change
them.

- `create_invoice()` / `cancel_invoice()`: for procedures, facility bookings, the tax
  import …; an invoice can point back at the object it is for and at the page the payer
  should return to after paying.
- `record_payment()`: every channel (gateway, convenience store, Pay-easy, transfers,
  the counter) applies money through it. It is idempotent per (channel, reference) and
  locks the invoice, so that repeated, reordered or concurrent notices apply once.
- `request_refund()` / `approve_refund()` / `mark_refund_paid()`: 還付 of overpayments.

Every change is written to the audit log; invoices carry personal data (the payer).
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.conf import settings
from django.db import IntegrityError, models, transaction
from django.dispatch import Signal
from django.utils import timezone

from madoguchi.audit import services as audit
from madoguchi.core.models import Municipality
from madoguchi.core.tenancy import municipality_scope
from madoguchi.japanese.checkdigits import gs1_check_digit

from .models import (
    ITEM_CODES,
    Channel,
    Invoice,
    InvoiceCounter,
    InvoiceStatus,
    Item,
    Payment,
    Refund,
    RefundStatus,
)

#: Sent (after commit) when an invoice becomes paid in full: `invoice`. Modules that
#: created the invoice (a booking, an application) react to it.
invoice_settled = Signal()
#: Sent (after commit) whenever an invoice's status changes: `invoice`, `previous`.
invoice_status_changed = Signal()


class PaymentError(Exception):
    """A payment that cannot be applied as asked; `code` says why."""

    def __init__(self, code: str, message: str = "") -> None:
        super().__init__(message or code)
        self.code = code


# --- numbers --------------------------------------------------------------------------


#: Invoice numbers end in a GS1 modulus-10 check digit, like the barcodes that carry them.
check_digit = gs1_check_digit


def is_valid_invoice_number(number: str) -> bool:
    return len(number) == 16 and number.isascii() and number.isdigit() and check_digit(number[:-1]) == int(number[-1])


def confirmation_number(municipality: Municipality, number: str, amount: int) -> str:
    """確認番号: six digits that only the municipality can derive from the number and the
    amount, so that a mistyped or guessed 納付番号 is refused at the Pay-easy terminal."""
    key = hashlib.sha256(f"madoguchi-pay-easy:{settings.SECRET_KEY}".encode()).digest()
    digest = hmac.new(key, f"{municipality.code}:{number}:{amount}".encode(), hashlib.sha256).digest()
    return f"{int.from_bytes(digest[:8], 'big') % 1_000_000:06d}"


def _next_number(municipality: Municipality, fiscal_year: int, item: str) -> str:
    """納付番号: fiscal year (2) + item code (2) + sequence (11) + check digit = 16 digits."""
    with municipality_scope(municipality):
        counter, _created = InvoiceCounter.objects.select_for_update().get_or_create(
            municipality=municipality, fiscal_year=fiscal_year
        )
        counter.last_sequence += 1
        counter.save(update_fields=["last_sequence"])
    body = f"{fiscal_year % 100:02d}{ITEM_CODES[item]}{counter.last_sequence:011d}"
    return body + str(check_digit(body))


# --- invoices -------------------------------------------------------------------------


def _origin_of(origin: models.Model | None) -> tuple[str, str]:
    if origin is None:
        return "", ""
    return f"{origin._meta.app_label}.{origin._meta.model_name}", str(origin.pk)


@transaction.atomic
def create_invoice(
    *,
    municipality: Municipality,
    item: str,
    fiscal_year: int,
    amount: int,
    due_date: date,
    payer_name: str,
    payable_until: date | None = None,
    issued_on: date | None = None,
    instalment: int = 0,
    description: str = "",
    payer: Any = None,
    payer_number: str = "",
    payer_name_kana: str = "",
    payer_postal_code: str = "",
    payer_address: str = "",
    payer_email: str = "",
    origin: models.Model | None = None,
    return_url: str = "",
    source_reference: str = "",
    actor: Any = None,
) -> Invoice:
    """Issue an invoice. With `source_reference` (the number in the sending system) the
    call is idempotent: issuing the same reference again returns the existing invoice,
    and a different amount for it is refused."""
    if item not in Item.values:
        raise ValueError(f"unknown item {item!r}")
    if amount <= 0:
        raise ValueError("an invoice is for a positive amount")
    if return_url and not return_url.startswith("/"):
        raise ValueError("return_url is a path on this site")
    with municipality_scope(municipality):
        if source_reference:
            existing = Invoice.objects.filter(source_reference=source_reference).first()
            if existing is not None:
                if existing.amount != amount or existing.item != item:
                    raise PaymentError("source_reference_conflict", f"{source_reference} exists with other content")
                return existing
        number = _next_number(municipality, fiscal_year, item)
        origin_type, origin_id = _origin_of(origin)
        invoice = Invoice(
            municipality=municipality,
            number=number,
            confirmation_number=confirmation_number(municipality, number, amount),
            payer=payer,
            payer_number=payer_number,
            payer_name=payer_name,
            payer_name_kana=payer_name_kana,
            payer_postal_code=payer_postal_code,
            payer_address=payer_address,
            payer_email=payer_email or (getattr(payer, "email", "") if payer is not None else ""),
            item=item,
            fiscal_year=fiscal_year,
            instalment=instalment,
            description=description,
            amount=amount,
            issued_on=issued_on or timezone.localdate(),
            due_date=due_date,
            payable_until=payable_until or due_date,
            origin_type=origin_type,
            origin_id=origin_id,
            return_url=return_url,
            source_reference=source_reference,
        )
        invoice.full_clean(exclude=["payer"])
        invoice.save()
    audit.record(
        action=audit.Action.CREATE,
        obj=invoice,
        municipality=municipality,
        actor=actor,
        personal_data=True,
        subject=payer,
        fields=["number", "amount", "item", "payer_name"],
    )
    return invoice


def _status_for(invoice: Invoice) -> str:
    if invoice.status == InvoiceStatus.CANCELLED:
        return InvoiceStatus.CANCELLED
    net = invoice.paid_amount - invoice.refunded_amount
    if net <= 0:
        return InvoiceStatus.REFUNDED if invoice.refunded_amount > 0 else InvoiceStatus.UNPAID
    if net < invoice.amount:
        return InvoiceStatus.PARTLY_PAID
    if net == invoice.amount:
        return InvoiceStatus.PAID
    return InvoiceStatus.OVERPAID


def _save_status(invoice: Invoice, fields: list[str]) -> None:
    previous = invoice.status
    invoice.status = _status_for(invoice)
    invoice.save(update_fields=[*fields, "status", "updated_at"])
    if invoice.status != previous:
        pk = invoice.pk
        municipality_id = invoice.municipality_id

        def announce() -> None:
            with municipality_scope(municipality_id):
                fresh = Invoice.objects.get(pk=pk)
                invoice_status_changed.send(sender=Invoice, invoice=fresh, previous=previous)
                if fresh.status == InvoiceStatus.PAID:
                    invoice_settled.send(sender=Invoice, invoice=fresh)

        transaction.on_commit(announce)


def _locked(invoice: Invoice) -> Invoice:
    with municipality_scope(invoice.municipality_id):
        return Invoice.objects.select_for_update().get(pk=invoice.pk)


@transaction.atomic
def cancel_invoice(invoice: Invoice, *, reason: str, actor: Any = None) -> Invoice:
    """取消し: the invoice is no longer owed. What was already paid on it becomes
    refundable (`refundable_amount`)."""
    invoice = _locked(invoice)
    if invoice.status == InvoiceStatus.CANCELLED:
        return invoice
    invoice.status = InvoiceStatus.CANCELLED
    invoice.cancelled_at = timezone.now()
    invoice.cancel_reason = reason[:200]
    invoice.save(update_fields=["status", "cancelled_at", "cancel_reason", "updated_at"])
    audit.record(
        action=audit.Action.UPDATE,
        obj=invoice,
        actor=actor,
        fields=["status", "cancel_reason"],
        extra={"reason": reason},
    )
    return invoice


def refundable_amount(invoice: Invoice) -> int:
    """What was paid beyond what is owed (everything, for a cancelled invoice)."""
    owed = 0 if invoice.status == InvoiceStatus.CANCELLED else invoice.amount
    pending = sum(
        r.amount
        for r in Refund.unscoped.filter(invoice=invoice, status__in=[RefundStatus.REQUESTED, RefundStatus.APPROVED])
    )
    return max(0, invoice.paid_amount - invoice.refunded_amount - owed - pending)


# --- payments -------------------------------------------------------------------------


@dataclass(frozen=True)
class PaymentResult:
    payment: Payment
    created: bool


@transaction.atomic
def record_payment(
    invoice: Invoice,
    *,
    channel: str,
    reference: str,
    amount: int,
    paid_on: date,
    actor: Any = None,
    note: str = "",
    allow_cancelled: bool = False,
) -> PaymentResult:
    """Apply money received through a channel to an invoice, exactly once.

    The same (channel, reference) again — a repeated webhook, a re-imported file, a
    double click — returns the payment already recorded and changes nothing; the same
    reference with another amount or invoice is refused (`PaymentError("conflict")`).
    A payment on a cancelled invoice is refused (`"cancelled"`) unless staff decided to
    accept it (`allow_cancelled`), in which case it becomes refundable.
    A negative amount takes money back (a reversed preliminary notice).
    """
    if channel not in Channel.values:
        raise ValueError(f"unknown channel {channel!r}")
    if not reference:
        raise ValueError("a payment needs the channel's reference")
    if amount == 0:
        raise ValueError("a payment of 0 yen records nothing")
    invoice = _locked(invoice)
    with municipality_scope(invoice.municipality_id):
        existing = Payment.objects.filter(channel=channel, reference=reference).first()
        if existing is not None:
            if existing.invoice_id != invoice.pk or existing.amount != amount:
                raise PaymentError("conflict", f"{channel}:{reference} was recorded with other content")
            return PaymentResult(existing, created=False)
        if invoice.status == InvoiceStatus.CANCELLED and not allow_cancelled and amount > 0:
            raise PaymentError("cancelled", f"invoice {invoice.number} is cancelled")
        try:
            with transaction.atomic():
                payment = Payment.objects.create(
                    municipality_id=invoice.municipality_id,
                    invoice=invoice,
                    channel=channel,
                    reference=reference,
                    amount=amount,
                    paid_on=paid_on,
                    recorded_by=actor if getattr(actor, "is_authenticated", False) else None,
                    note=note[:200],
                )
        except IntegrityError:
            # Another app server recorded the same reference between our check and insert.
            existing = Payment.objects.get(channel=channel, reference=reference)
            if existing.invoice_id != invoice.pk or existing.amount != amount:
                raise PaymentError("conflict", f"{channel}:{reference} was recorded with other content") from None
            return PaymentResult(existing, created=False)
    invoice.paid_amount += amount
    _save_status(invoice, ["paid_amount"])
    audit.record(
        action=audit.Action.CREATE,
        obj=payment,
        municipality=invoice.municipality,
        actor=actor,
        fields=["amount", "channel", "reference"],
        extra={"invoice": invoice.number, "amount": amount, "channel": channel},
    )
    return PaymentResult(payment, created=True)


# --- refunds --------------------------------------------------------------------------


@transaction.atomic
def request_refund(invoice: Invoice, *, amount: int, reason: str, actor: Any = None, channel: str = "") -> Refund:
    """起案: propose giving back money paid too much; an approver decides."""
    invoice = _locked(invoice)
    if amount <= 0 or amount > refundable_amount(invoice):
        raise PaymentError("not_refundable", f"at most {refundable_amount(invoice)} yen can be refunded")
    refund = Refund.objects.create(
        municipality_id=invoice.municipality_id,
        invoice=invoice,
        amount=amount,
        reason=reason[:200],
        channel=channel,
        requested_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    audit.record(
        action=audit.Action.CREATE, obj=refund, municipality=invoice.municipality, actor=actor, fields=["amount"]
    )
    return refund


@transaction.atomic
def approve_refund(refund: Refund, *, actor: Any) -> Refund:
    """決裁: the approver is not the person who proposed the refund."""
    with municipality_scope(refund.municipality_id):
        refund = Refund.objects.select_for_update().get(pk=refund.pk)
    if refund.status != RefundStatus.REQUESTED:
        return refund
    if refund.requested_by_id is not None and getattr(actor, "pk", None) == refund.requested_by_id:
        raise PaymentError("same_person", "the proposer cannot approve their own refund")
    refund.status = RefundStatus.APPROVED
    refund.approved_by = actor
    refund.save(update_fields=["status", "approved_by"])
    audit.record(action=audit.Action.UPDATE, obj=refund, actor=actor, fields=["status"])
    return refund


@transaction.atomic
def mark_refund_paid(refund: Refund, *, reference: str = "", actor: Any = None) -> Refund:
    """The money went back: the invoice's refunded amount and status follow."""
    with municipality_scope(refund.municipality_id):
        refund = Refund.objects.select_for_update().get(pk=refund.pk)
    if refund.status == RefundStatus.PAID:
        return refund
    if refund.status != RefundStatus.APPROVED:
        raise PaymentError("not_approved", "a refund is paid after it was approved")
    invoice = _locked(refund.invoice)
    refund.status = RefundStatus.PAID
    refund.paid_at = timezone.now()
    refund.reference = reference[:100]
    refund.save(update_fields=["status", "paid_at", "reference"])
    invoice.refunded_amount += refund.amount
    _save_status(invoice, ["refunded_amount"])
    audit.record(action=audit.Action.UPDATE, obj=refund, actor=actor, fields=["status", "reference"])
    return refund


# --- lookups --------------------------------------------------------------------------


def invoice_by_number(municipality: Municipality, number: str) -> Invoice | None:
    with municipality_scope(municipality):
        return Invoice.objects.filter(number=number).first()


def invoices_for_origin(origin: models.Model) -> list[Invoice]:
    """The invoices another module created for one of its objects."""
    origin_type, origin_id = _origin_of(origin)
    municipality_id = getattr(origin, "municipality_id", None)
    if municipality_id is None:
        raise ValueError("the origin belongs to no municipality")
    with municipality_scope(municipality_id):
        return list(Invoice.objects.filter(origin_type=origin_type, origin_id=origin_id).order_by("id"))
