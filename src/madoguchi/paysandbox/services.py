"""What the sandbox gateway does: take payments, decide their outcome from the test card
or the payer's choice, report every change as a signed notification, answer status
queries and refund.

Test card numbers (shown on the payment page):

- 4242 4242 4242 4242: paid at once;
- 4000 0000 0000 0002: declined by the card issuer (カード会社が承認しない);
- 4000 0000 0000 0119: the authorisation times out: the payer is sent back, no
  notification is ever sent, and the payment settles as paid when its status is asked
  (after PAYSANDBOX_SETTLE_AFTER seconds) — the case a merchant must reconcile by query.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import conf
from .models import (
    Method,
    SandboxDelivery,
    SandboxEvent,
    SandboxPayment,
    SandboxRefund,
    SandboxStatus,
)

SUCCESS_CARD = "4242424242424242"
DECLINE_CARD = "4000000000000002"
TIMEOUT_CARD = "4000000000000119"
TEST_CARDS = (SUCCESS_CARD, DECLINE_CARD, TIMEOUT_CARD)
BANKS = ("さくら銀行（テスト）", "ひばり信用金庫（テスト）", "つくば農協（テスト）")
SIGNATURE_HEADER = "Sandbox-Signature"
FINAL = frozenset({SandboxStatus.SUCCEEDED, SandboxStatus.DECLINED, SandboxStatus.CANCELLED, SandboxStatus.REFUNDED})


class SandboxError(Exception):
    """A request the sandbox refuses; `status` is the HTTP status it answers with."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


def _new_id(prefix: str) -> str:
    return f"{prefix}_{secrets.token_hex(12)}"


# --- signing ---------------------------------------------------------------------------


def sign(body: bytes, *, timestamp: int | None = None, secret: str | None = None) -> str:
    """The signature header's value: `t=<unix time>,v1=<hex HMAC-SHA256 of "t.body">`."""
    t = int(time.time()) if timestamp is None else timestamp
    key = (secret if secret is not None else conf.secret()).encode()
    digest = hmac.new(key, f"{t}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={t},v1={digest}"


# --- payments --------------------------------------------------------------------------


@dataclass(frozen=True)
class NewPayment:
    amount: int
    method: str
    description: str
    merchant_reference: str
    return_url: str
    notify_url: str


def create_payment(data: NewPayment, *, idempotency_key: str) -> SandboxPayment:
    """A new payment, or the one created before with the same idempotency key."""
    if not idempotency_key:
        raise SandboxError("Idempotency-Key is required")
    if data.amount <= 0 or data.amount > 9_999_999:
        raise SandboxError("amount must be between 1 and 9,999,999 yen")
    if data.method not in Method.values:
        raise SandboxError(f"method must be one of {', '.join(Method.values)}")
    for url in (data.return_url, data.notify_url):
        if not url.startswith(("http://", "https://")):
            raise SandboxError("return_url and notify_url must be absolute http(s) URLs")
    existing = SandboxPayment.objects.filter(idempotency_key=idempotency_key).first()
    if existing is None:
        try:
            with transaction.atomic():
                return SandboxPayment.objects.create(
                    public_id=_new_id("sbx_pay"),
                    idempotency_key=idempotency_key,
                    amount=data.amount,
                    method=data.method,
                    description=data.description[:200],
                    merchant_reference=data.merchant_reference[:100],
                    return_url=data.return_url,
                    notify_url=data.notify_url,
                    status_changed_at=timezone.now(),
                )
        except IntegrityError:
            existing = SandboxPayment.objects.get(idempotency_key=idempotency_key)
    if existing.amount != data.amount or existing.method != data.method:
        raise SandboxError("Idempotency-Key was used for another payment", status=409)
    return existing


def _locked(payment: SandboxPayment) -> SandboxPayment:
    return SandboxPayment.objects.select_for_update().get(pk=payment.pk)


def _change(payment: SandboxPayment, status: str, *, reason: str = "", notify: bool = True) -> None:
    # Each change gets a strictly later time than the last one: events are ordered by it.
    now = max(timezone.now(), payment.status_changed_at + timedelta(microseconds=1))
    payment.status = status
    payment.status_changed_at = now
    payment.failure_reason = reason
    payment.save()
    if notify:
        emit(payment, f"payment.{status}")


def open_page(payment: SandboxPayment) -> SandboxPayment:
    """The payer opened the payment page: the payment is in progress (reported)."""
    with transaction.atomic():
        payment = _locked(payment)
        if payment.status == SandboxStatus.CREATED:
            _change(payment, SandboxStatus.PENDING)
    return payment


def luhn_ok(number: str) -> bool:
    digits = [int(d) for d in number]
    total = 0
    for i, d in enumerate(reversed(digits)):
        if i % 2 == 1:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def normalise_card(number: str) -> str:
    return "".join(ch for ch in number if not ch.isspace() and ch != "-")


def pay_by_card(payment: SandboxPayment, card_number: str) -> SandboxPayment:
    """Authorise a test card. A payment already decided is left as it is (a form sent
    twice decides once)."""
    number = normalise_card(card_number)
    if not (number.isascii() and number.isdigit() and 14 <= len(number) <= 16 and luhn_ok(number)):
        raise SandboxError(str(_("カード番号が正しくありません。")))
    if number not in TEST_CARDS:
        raise SandboxError(str(_("サンドボックスではテスト用のカード番号だけが使えます。")))
    with transaction.atomic():
        payment = _locked(payment)
        if payment.status in FINAL or payment.settles_to:
            return payment
        payment.card_last4 = number[-4:]
        if number == SUCCESS_CARD:
            _change(payment, SandboxStatus.SUCCEEDED)
        elif number == DECLINE_CARD:
            _change(payment, SandboxStatus.DECLINED, reason="card_declined")
        else:
            # No answer from the card network: the payer is sent back while the payment
            # is still pending, and the notification of its outcome is lost.
            if payment.status != SandboxStatus.PENDING:
                _change(payment, SandboxStatus.PENDING)
            payment.settles_to = SandboxStatus.SUCCEEDED
            payment.settles_at = timezone.now() + timedelta(seconds=conf.settle_after())
            payment.save()
    return payment


def pay_by_bank(payment: SandboxPayment, bank_name: str, *, approve: bool) -> SandboxPayment:
    if bank_name not in BANKS:
        raise SandboxError(str(_("金融機関を選んでください。")))
    with transaction.atomic():
        payment = _locked(payment)
        if payment.status in FINAL or payment.settles_to:
            return payment
        payment.bank_name = bank_name
        if approve:
            _change(payment, SandboxStatus.SUCCEEDED)
        else:
            _change(payment, SandboxStatus.CANCELLED, reason="cancelled_by_payer")
    return payment


def cancel(payment: SandboxPayment) -> SandboxPayment:
    """The payer gave up on the payment page."""
    with transaction.atomic():
        payment = _locked(payment)
        if payment.status not in FINAL and not payment.settles_to:
            _change(payment, SandboxStatus.CANCELLED, reason="cancelled_by_payer")
    return payment


def current(payment: SandboxPayment) -> SandboxPayment:
    """The payment as a status query sees it: a timed-out authorisation whose time has
    come is settled now, without a notification."""
    if payment.settles_to and payment.settles_at is not None and payment.settles_at <= timezone.now():
        with transaction.atomic():
            payment = _locked(payment)
            if payment.settles_to:
                status = payment.settles_to
                payment.settles_to = ""
                payment.settles_at = None
                _change(payment, status, notify=False)
    return payment


def refund(payment: SandboxPayment, *, amount: int, idempotency_key: str) -> SandboxRefund:
    """Give money back, once per idempotency key."""
    if not idempotency_key:
        raise SandboxError("Idempotency-Key is required")
    with transaction.atomic():
        payment = _locked(current(payment))
        existing = SandboxRefund.objects.filter(idempotency_key=idempotency_key).first()
        if existing is not None:
            if existing.payment_id != payment.pk or existing.amount != amount:
                raise SandboxError("Idempotency-Key was used for another refund", status=409)
            return existing
        if payment.status not in (SandboxStatus.SUCCEEDED, SandboxStatus.REFUNDED):
            raise SandboxError("only a paid payment can be refunded", status=409)
        if amount <= 0 or amount > payment.amount - payment.refunded_amount:
            raise SandboxError("amount exceeds what can be refunded", status=409)
        created = SandboxRefund.objects.create(
            public_id=_new_id("sbx_ref"), payment=payment, amount=amount, idempotency_key=idempotency_key
        )
        payment.refunded_amount += amount
        if payment.refunded_amount == payment.amount:
            _change(payment, SandboxStatus.REFUNDED)
        else:
            payment.save()
            emit(payment, "payment.partially_refunded")
    return created


def as_json(payment: SandboxPayment) -> dict[str, Any]:
    """The payment as the API and the notifications show it."""
    return {
        "id": payment.public_id,
        "status": payment.status,
        "amount": payment.amount,
        "refunded_amount": payment.refunded_amount,
        "method": payment.method,
        "merchant_reference": payment.merchant_reference,
        "status_changed_at": payment.status_changed_at.isoformat(),
        "failure_reason": payment.failure_reason,
    }


# --- notifications ---------------------------------------------------------------------


def emit(payment: SandboxPayment, event_type: str) -> SandboxEvent:
    """Report a change: an event, sent PAYSANDBOX_NOTIFY_REPEAT times (after
    PAYSANDBOX_NOTIFY_DELAY seconds, or the type's PAYSANDBOX_NOTIFY_DELAYS, then every
    PAYSANDBOX_NOTIFY_INTERVAL seconds)."""
    public_id = _new_id("evt")
    body = {
        "id": public_id,
        "type": event_type,
        "created": payment.status_changed_at.isoformat(),
        "data": as_json(payment),
    }
    event = SandboxEvent.objects.create(
        public_id=public_id,
        payment=payment,
        type=event_type,
        occurred_at=payment.status_changed_at,
        body=json.dumps(body, ensure_ascii=False, separators=(",", ":")),
    )
    first = timezone.now() + timedelta(seconds=conf.notify_delay_for(event_type))
    for n in range(conf.notify_repeat()):
        schedule(event, first + timedelta(seconds=conf.notify_interval() * n))
    return event


def schedule(event: SandboxEvent, due_at: datetime | None = None) -> SandboxDelivery:
    """One more sending of an event's notification (also used to send one again)."""
    from .tasks import enqueue_on_commit

    delivery = SandboxDelivery.objects.create(event=event, due_at=due_at or timezone.now())
    enqueue_on_commit(delivery.pk, delivery.due_at)
    return delivery


def signed_request(event: SandboxEvent) -> tuple[bytes, dict[str, str]]:
    """The body and headers of the notification of an event, signed now."""
    body = event.body.encode()
    return body, {"Content-Type": "application/json", SIGNATURE_HEADER: sign(body)}
