"""Online payment (オンライン決済): paying an invoice through a card or internet-banking
gateway, and learning reliably that it was paid.

1. `start_payment()`: the payer chose a method; an `OnlinePayment` attempt is created
   (one per attempt key: a double click starts one attempt) and the gateway is asked for
   a payment (with the attempt key as its idempotency key: asked again, it returns the
   same payment). The payer is sent to the gateway's page.
2. The gateway notifies madoguchi server to server (`handle_notification()`): the HMAC
   signature is checked, every notification is kept (`GatewayNotification`), a repeat of
   an event already handled is DUPLICATE, an event older than the last one applied to
   the attempt (`OnlinePayment.last_event_at`) is STALE, and a success is applied through
   `services.record_payment()` (idempotent per channel and the gateway's payment id):
   whatever the gateway repeats or reorders, the money is applied once.
3. `query_status()` asks the gateway when no notification came (the payer is back but
   the attempt is still pending; `reconcile_pending()` does it for all old attempts).
4. `refund_online()` gives an approved 還付 back through the gateway.
"""

from __future__ import annotations

import json
import logging
import re
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from madoguchi.audit import services as audit
from madoguchi.core.tenancy import municipality_scope

from . import gateways, services
from .gateways import GatewayEvent, PaymentRequest, SignatureError, State
from .models import (
    Channel,
    GatewayNotification,
    Invoice,
    NotificationResult,
    OnlinePayment,
    OnlinePaymentStatus,
    Refund,
    RefundStatus,
)
from .models.online import FINAL_ONLINE_STATUSES

logger = logging.getLogger(__name__)

ONLINE_CHANNELS = (Channel.ONLINE_CARD.value, Channel.ONLINE_BANKING.value)
ATTEMPT_KEY_RE = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
FAILED_STATES = {
    State.DECLINED: OnlinePaymentStatus.DECLINED,
    State.FAILED: OnlinePaymentStatus.FAILED,
    State.EXPIRED: OnlinePaymentStatus.EXPIRED,
    State.CANCELLED: OnlinePaymentStatus.CANCELLED,
}


class OnlinePaymentError(Exception):
    """An online payment that cannot go ahead as asked; `code` says why."""

    def __init__(self, code: str, message: str = "") -> None:
        super().__init__(message or code)
        self.code = code


def new_attempt_key() -> str:
    """A fresh attempt key, put in the pay form: submitting the form twice sends it twice."""
    return secrets.token_urlsafe(24)


# --- starting a payment ----------------------------------------------------------------


@dataclass(frozen=True)
class StartedPayment:
    online_payment: OnlinePayment
    redirect_url: str


def start_payment(
    invoice: Invoice,
    *,
    method: str,
    attempt_key: str,
    payer: Any,
    return_url: str,
    notify_url: str,
    provider: str = "",
) -> StartedPayment:
    """Start (or find again) the attempt `attempt_key` to pay what is owed on `invoice`.

    `return_url` and `notify_url` are absolute: the gateway sends the payer back to the
    first and notifies the second. Raises `OnlinePaymentError` ("method", "attempt_key",
    "not_payer", "not_open", "attempt_conflict") or `gateways.GatewayError` (the gateway
    could not be reached: the same attempt key may be tried again)."""
    gateway = gateways.get(provider) if provider else gateways.default()
    if method not in ONLINE_CHANNELS or method not in gateway.methods:
        raise OnlinePaymentError("method", f"{gateway.name} does not collect through {method!r}")
    if not ATTEMPT_KEY_RE.match(attempt_key or ""):
        raise OnlinePaymentError("attempt_key", "the attempt key is missing or malformed")
    with transaction.atomic(), municipality_scope(invoice.municipality_id):
        invoice = Invoice.objects.select_for_update().get(pk=invoice.pk)
        if invoice.payer_id is None or invoice.payer_id != getattr(payer, "pk", None):
            raise OnlinePaymentError("not_payer", "only the payer pays an invoice online")
        attempt = OnlinePayment.objects.filter(attempt_key=attempt_key).first()
        if attempt is not None:
            if attempt.invoice_id != invoice.pk or attempt.payer_id != payer.pk:
                raise OnlinePaymentError("attempt_conflict", "the attempt key belongs to another payment")
        else:
            if not invoice.is_open or invoice.balance <= 0:
                raise OnlinePaymentError("not_open", f"invoice {invoice.number} is not open")
            try:
                with transaction.atomic():
                    attempt = OnlinePayment.objects.create(
                        municipality_id=invoice.municipality_id,
                        invoice=invoice,
                        provider=gateway.name,
                        method=method,
                        amount=invoice.balance,
                        attempt_key=attempt_key,
                        payer=payer,
                        return_url=invoice.return_url,
                    )
            except IntegrityError:
                # The other click of a double click created it a moment ago.
                attempt = OnlinePayment.objects.get(attempt_key=attempt_key)
                if attempt.invoice_id != invoice.pk or attempt.payer_id != payer.pk:
                    raise OnlinePaymentError("attempt_conflict", "the attempt key belongs to another payment") from None
            else:
                audit.record(
                    action=audit.Action.CREATE,
                    obj=attempt,
                    municipality=invoice.municipality,
                    actor=payer,
                    personal_data=True,
                    subject=payer,
                    fields=["amount", "method", "provider"],
                    extra={"invoice": invoice.number, "amount": attempt.amount, "method": method},
                )
    if attempt.status in FINAL_ONLINE_STATUSES:
        raise OnlinePaymentError("attempt_finished", "this attempt is over; start a new one")
    gateway = gateways.get(attempt.provider)
    # Outside any transaction: the gateway may be slow, and a retry is safe (same key).
    created = gateway.create_payment(
        PaymentRequest(
            idempotency_key=attempt.attempt_key,
            amount=attempt.amount,
            method=attempt.method,
            description=f"{invoice.get_item_display()} {invoice.number}",
            return_url=return_url,
            notify_url=notify_url,
            merchant_reference=attempt.attempt_key,
        )
    )
    with transaction.atomic(), municipality_scope(attempt.municipality_id):
        attempt = OnlinePayment.objects.select_for_update().get(pk=attempt.pk)
        if attempt.provider_reference and attempt.provider_reference != created.provider_reference:
            raise OnlinePaymentError("attempt_conflict", "the gateway answered with another payment")
        if not attempt.provider_reference or attempt.status == OnlinePaymentStatus.CREATED:
            attempt.provider_reference = created.provider_reference
            if attempt.status == OnlinePaymentStatus.CREATED:
                attempt.status = OnlinePaymentStatus.PENDING
            attempt.save(update_fields=["provider_reference", "status", "updated_at"])
    return StartedPayment(online_payment=attempt, redirect_url=created.redirect_url)


# --- notifications and status ----------------------------------------------------------


@dataclass(frozen=True)
class NotificationOutcome:
    result: str  # a NotificationResult value
    signature_valid: bool
    notification: GatewayNotification | None = None
    online_payment: OnlinePayment | None = None


def _peek_event_id(body: bytes) -> str:
    """The event id of a notification that could not be trusted, for the record only."""
    try:
        data = json.loads(body)
    except ValueError:
        return ""
    return str(data.get("id", ""))[:100] if isinstance(data, dict) else ""


def handle_notification(provider: str, body: bytes, headers: dict[str, str]) -> NotificationOutcome:
    """Verify, keep and apply one server-to-server notification (safe to call again with
    the same notification, in any order, from several app servers at once)."""
    gateway = gateways.get(provider)
    text = body.decode("utf-8", errors="replace")
    try:
        event = gateway.parse_notification(body, headers)
    except (SignatureError, ValueError, KeyError, TypeError) as exc:
        notification = GatewayNotification.objects.create(
            provider=provider,
            event_id=_peek_event_id(body),
            body=text,
            signature_valid=False,
            result=NotificationResult.REJECTED,
        )
        audit.record(
            action=audit.Action.OTHER,
            obj=notification,
            municipality=None,
            extra={"provider": provider, "rejected": type(exc).__name__, "detail": str(exc)[:200]},
        )
        return NotificationOutcome(NotificationResult.REJECTED, False, notification)
    return _apply(provider, event, body=text)


def query_status(attempt: OnlinePayment) -> NotificationOutcome:
    """Ask the gateway how the attempt stands and apply the answer (for an attempt whose
    notification never came). Raises `gateways.GatewayError` when the gateway cannot say."""
    if not attempt.provider_reference:
        return NotificationOutcome(NotificationResult.STALE, True, None, attempt)
    event = gateways.get(attempt.provider).query_status(attempt.provider_reference)
    return _apply(attempt.provider, event, body=None)


def reconcile_pending(*, older_than: timedelta = timedelta(minutes=10), limit: int = 200) -> int:
    """Query every attempt still pending after `older_than` (run it periodically);
    returns how many were settled."""
    cutoff = timezone.now() - older_than
    settled = 0
    pending = OnlinePayment.unscoped.filter(
        status__in=[OnlinePaymentStatus.CREATED, OnlinePaymentStatus.PENDING], created_at__lte=cutoff
    ).exclude(provider_reference="")[:limit]
    for attempt in pending:
        try:
            query_status(attempt)
        except gateways.GatewayError:
            logger.warning("online payment %s: status query failed", attempt.pk, exc_info=True)
            continue
        attempt.refresh_from_db(fields=["status"])
        settled += attempt.status != OnlinePaymentStatus.PENDING
    return settled


def _find_attempt(provider: str, event: GatewayEvent) -> OnlinePayment | None:
    attempt = (
        OnlinePayment.unscoped.select_for_update()
        .filter(provider=provider, provider_reference=event.provider_reference)
        .first()
    )
    if attempt is None and event.merchant_reference:
        # The gateway created the payment but its answer never reached us (a timeout):
        # the attempt key it echoes finds the attempt.
        candidates = list(
            OnlinePayment.unscoped.select_for_update().filter(
                provider=provider, attempt_key=event.merchant_reference, provider_reference=""
            )[:2]
        )
        if len(candidates) == 1:
            attempt = candidates[0]
            attempt.provider_reference = event.provider_reference
            attempt.save(update_fields=["provider_reference", "updated_at"])
    return attempt


def _keep(provider: str, event: GatewayEvent, body: str, attempt: OnlinePayment | None) -> GatewayNotification | None:
    """Keep the notification; None when the event was kept before (a repeat)."""
    try:
        with transaction.atomic():
            return GatewayNotification.objects.create(
                provider=provider,
                event_id=event.event_id[:100],
                event_type=event.event_type[:50],
                event_at=event.occurred_at,
                body=body,
                signature_valid=True,
                online_payment=attempt,
            )
    except IntegrityError:
        return None


def _keep_suffixed(
    provider: str, event: GatewayEvent, body: str, attempt: OnlinePayment | None, suffix: str, result: str
) -> GatewayNotification:
    # The model allows one verified row per event id (the one handled); a repeat, or an
    # event for no known payment, is kept all the same under the event id with a suffix,
    # so that every notification received is on record.
    return GatewayNotification.objects.create(
        provider=provider,
        event_id=f"{event.event_id[:80]}#{suffix}-{secrets.token_hex(4)}",
        event_type=event.event_type[:50],
        event_at=event.occurred_at,
        body=body,
        signature_valid=True,
        online_payment=attempt,
        result=result,
    )


def _apply(provider: str, event: GatewayEvent, *, body: str | None) -> NotificationOutcome:
    if event.state not in State.ALL:
        raise ValueError(f"unknown gateway state {event.state!r}")
    with transaction.atomic():
        attempt = _find_attempt(provider, event)
        if attempt is None:
            # Kept under a suffixed id, so that the event is handled when it comes again
            # once the payment is known (a gateway that notifies before answering).
            logger.warning("%s notification %s: no such payment %s", provider, event.event_id, event.provider_reference)
            unmatched = None
            if body is not None:
                unmatched = _keep_suffixed(provider, event, body, None, "unmatched", NotificationResult.REJECTED)
            return NotificationOutcome(NotificationResult.REJECTED, True, unmatched)
        notification: GatewayNotification | None = None
        if body is not None:
            notification = _keep(provider, event, body, attempt)
            if notification is None:
                repeat = _keep_suffixed(provider, event, body, attempt, "repeat", NotificationResult.DUPLICATE)
                return NotificationOutcome(NotificationResult.DUPLICATE, True, repeat, attempt)
        with municipality_scope(attempt.municipality_id):
            result = _apply_to_attempt(attempt, event)
            if notification is not None:
                notification.result = result
                notification.save(update_fields=["result"])
            audit.record(
                action=audit.Action.UPDATE if result == NotificationResult.APPLIED else audit.Action.OTHER,
                obj=attempt,
                municipality=attempt.municipality,
                fields=["status"] if result == NotificationResult.APPLIED else [],
                extra={
                    "source": "notification" if body is not None else "status_query",
                    "event": event.event_id,
                    "state": event.state,
                    "result": str(result),
                    "status": attempt.status,
                },
            )
    return NotificationOutcome(result, True, notification, attempt)


def _apply_to_attempt(attempt: OnlinePayment, event: GatewayEvent) -> str:
    """Bring the attempt (locked) up to the event; STALE when the attempt already saw a
    later event, or when the event would undo what is final."""
    if attempt.last_event_at is not None and event.occurred_at < attempt.last_event_at:
        return NotificationResult.STALE
    fields = ["last_event_at", "updated_at"]
    if event.state == State.PENDING:
        if attempt.status in FINAL_ONLINE_STATUSES:
            return NotificationResult.STALE
        attempt.status = OnlinePaymentStatus.PENDING
        fields.append("status")
    elif event.state == State.SUCCEEDED:
        if attempt.status not in (OnlinePaymentStatus.SUCCEEDED, OnlinePaymentStatus.REFUNDED):
            _record_success(attempt, event)
            attempt.status = OnlinePaymentStatus.SUCCEEDED
            attempt.completed_at = timezone.now()
            attempt.failure_reason = ""
            fields += ["status", "completed_at", "failure_reason"]
    elif event.state == State.REFUNDED:
        if attempt.status not in (OnlinePaymentStatus.SUCCEEDED, OnlinePaymentStatus.REFUNDED):
            return NotificationResult.STALE
        # The money itself goes back through `refund_online()` and its 還付 record.
        attempt.status = OnlinePaymentStatus.REFUNDED
        fields.append("status")
    else:
        if attempt.status in (OnlinePaymentStatus.SUCCEEDED, OnlinePaymentStatus.REFUNDED):
            # Money once received is not taken back by a later failure report.
            return NotificationResult.STALE
        attempt.status = FAILED_STATES[event.state]
        attempt.failure_reason = event.reason[:200]
        attempt.completed_at = timezone.now()
        fields += ["status", "failure_reason", "completed_at"]
    attempt.last_event_at = event.occurred_at
    attempt.save(update_fields=fields)
    return NotificationResult.APPLIED


def _record_success(attempt: OnlinePayment, event: GatewayEvent) -> None:
    note = f"{attempt.provider}"
    if event.amount != attempt.amount:
        note += f" (amount {event.amount}, asked {attempt.amount})"
        logger.warning("online payment %s: gateway collected %s, asked %s", attempt.pk, event.amount, attempt.amount)
    # The money has been taken from the payer: even on an invoice cancelled meanwhile it
    # is recorded (and becomes refundable), never dropped.
    services.record_payment(
        attempt.invoice,
        channel=attempt.method,
        reference=attempt.provider_reference,
        amount=event.amount,
        paid_on=timezone.localdate(event.occurred_at),
        note=note,
        allow_cancelled=True,
    )


# --- refunds ---------------------------------------------------------------------------


def refund_online(refund: Refund, *, actor: Any = None) -> Refund:
    """Pay an approved 還付 back through the gateway the invoice was paid with (safe to
    repeat: the gateway refunds once per refund). Raises `OnlinePaymentError`
    ("not_approved", "no_online_payment") or `gateways.GatewayError`."""
    with municipality_scope(refund.municipality_id):
        refund = Refund.objects.get(pk=refund.pk)
        if refund.status == RefundStatus.PAID:
            return refund
        if refund.status != RefundStatus.APPROVED:
            raise OnlinePaymentError("not_approved", "a refund goes back after it was approved")
        attempt = (
            OnlinePayment.objects.filter(
                invoice_id=refund.invoice_id,
                status__in=[OnlinePaymentStatus.SUCCEEDED, OnlinePaymentStatus.REFUNDED],
                amount__gte=refund.amount,
            )
            .order_by("-completed_at")
            .first()
        )
    if attempt is None:
        raise OnlinePaymentError("no_online_payment", "the invoice was not paid online")
    # Outside any transaction: the gateway may be slow; the idempotency key makes a
    # repeat (after a timeout, or a second click) refund once.
    result = gateways.get(attempt.provider).refund(
        attempt.provider_reference,
        amount=refund.amount,
        idempotency_key=f"madoguchi-refund-{attempt.municipality_id}-{refund.pk}",
    )
    with transaction.atomic(), municipality_scope(refund.municipality_id):
        refund = services.mark_refund_paid(refund, reference=result.reference, actor=actor)
        attempt = OnlinePayment.objects.select_for_update().get(pk=attempt.pk)
        refunded = sum(
            r.amount
            for r in Refund.objects.filter(
                invoice_id=refund.invoice_id, status=RefundStatus.PAID, channel=attempt.method
            )
        )
        if refunded >= attempt.amount and attempt.status != OnlinePaymentStatus.REFUNDED:
            attempt.status = OnlinePaymentStatus.REFUNDED
            attempt.save(update_fields=["status", "updated_at"])
        audit.record(
            action=audit.Action.UPDATE,
            obj=attempt,
            municipality=attempt.municipality,
            actor=actor,
            fields=["status"],
            extra={"refund": refund.pk, "amount": refund.amount, "reference": result.reference},
        )
    return refund
