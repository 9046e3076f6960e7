"""The provider interface (決済事業者との接続): what madoguchi asks of a card or
internet-banking gateway, and what it expects back.

Every call that reaches the outside world is safe to repeat:

- `create_payment()` carries madoguchi's attempt key as the gateway's idempotency key:
  asked twice (a timeout, a double click, a retry), the gateway returns the payment it
  already created, with the same redirect URL;
- `query_status()` only reads;
- `refund()` carries an idempotency key of its own (one per 還付), so that a refund that
  timed out can be asked again without giving the money back twice;
- `parse_notification()` touches nothing: it checks the signature and reads the event.
"""

from __future__ import annotations

import abc
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar

from django.utils.functional import Promise

__all__ = [
    "CreatedPayment",
    "Gateway",
    "GatewayError",
    "GatewayEvent",
    "GatewayRefund",
    "PaymentRequest",
    "PermanentGatewayError",
    "SignatureError",
    "State",
]


class GatewayError(Exception):
    """The gateway could not be reached or answered with an error; trying again may help."""


class PermanentGatewayError(GatewayError):
    """The gateway refused the request as it is (unknown payment, amount not refundable)."""


class SignatureError(Exception):
    """A notification whose signature is missing, wrong or too old: it is not from the
    gateway, and nothing in it may be believed."""


class State:
    """The states a gateway reports, in madoguchi's words (`OnlinePaymentStatus` values)."""

    PENDING = "pending"
    SUCCEEDED = "succeeded"
    DECLINED = "declined"
    FAILED = "failed"
    EXPIRED = "expired"
    CANCELLED = "cancelled"
    REFUNDED = "refunded"

    ALL = frozenset({PENDING, SUCCEEDED, DECLINED, FAILED, EXPIRED, CANCELLED, REFUNDED})


@dataclass(frozen=True)
class PaymentRequest:
    """What madoguchi asks the gateway to collect."""

    idempotency_key: str  # the attempt key: the same on every retry of one attempt
    amount: int
    method: str  # a `Channel` value: online_card or online_banking
    description: str
    return_url: str  # absolute: where the gateway sends the payer back
    notify_url: str  # absolute: where the gateway POSTs its notifications
    merchant_reference: str = ""  # shown to the payer and in the gateway's records


@dataclass(frozen=True)
class CreatedPayment:
    provider_reference: str  # the gateway's id of the payment (決済ID)
    redirect_url: str  # where the payer goes to pay


@dataclass(frozen=True)
class GatewayEvent:
    """A notification or a status answer, read and trusted."""

    event_id: str  # unique per event at the gateway (repeats carry the same id)
    provider_reference: str
    state: str  # a `State` value
    amount: int
    occurred_at: datetime  # when the gateway's payment changed state (aware)
    event_type: str = ""
    reason: str = ""  # why a payment did not go through
    merchant_reference: str = ""  # the attempt key, echoed


@dataclass(frozen=True)
class GatewayRefund:
    reference: str  # the gateway's id of the refund
    amount: int


class Gateway(abc.ABC):
    """A payment gateway. Subclasses set `name`, `label` and `methods`, and take their
    configuration as keyword arguments (`OPTIONS` of `PAYMENT_GATEWAYS`)."""

    name: ClassVar[str]
    label: ClassVar[str | Promise]
    #: The channels (`Channel` values) the gateway collects through.
    methods: ClassVar[tuple[str, ...]]

    def __init__(self, **options: Any) -> None:
        self.options = options

    @abc.abstractmethod
    def create_payment(self, request: PaymentRequest) -> CreatedPayment:
        """Create (or find again, by `request.idempotency_key`) a payment at the gateway."""

    @abc.abstractmethod
    def parse_notification(self, body: bytes, headers: Mapping[str, str]) -> GatewayEvent:
        """Verify the notification's signature and read it; raise `SignatureError`
        when it is not the gateway's, `ValueError` when it cannot be read."""

    @abc.abstractmethod
    def query_status(self, provider_reference: str) -> GatewayEvent:
        """The payment's state now, as the gateway sees it."""

    @abc.abstractmethod
    def refund(self, provider_reference: str, *, amount: int, idempotency_key: str) -> GatewayRefund:
        """Give `amount` yen of the payment back to the payer (once per idempotency key)."""
