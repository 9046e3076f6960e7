"""Receivers of other modules' signals: payments tells procedures that a fee invoice was
paid. `connect()` is called once from `ProceduresConfig.ready()`; connecting twice is
harmless (the receivers have dispatch_uids)."""

from __future__ import annotations

import logging
from typing import Any

logger = logging.getLogger(__name__)


def invoice_paid(sender: Any, invoice: Any, **kwargs: Any) -> None:
    """`invoice_settled` (paid in full) or `invoice_status_changed` (also overpaid):
    the fee of a submission is paid. Both may arrive for one payment, and a notice may
    be delivered again: `fees.record_paid` acts once."""
    from .services import fees

    fees.record_paid(invoice)


def connect() -> None:
    """Connect the receivers (idempotent)."""
    from madoguchi.payments import services as payments

    payments.invoice_settled.connect(invoice_paid, dispatch_uid="procedures.fees.invoice_settled")
    payments.invoice_status_changed.connect(invoice_paid, dispatch_uid="procedures.fees.invoice_status_changed")
