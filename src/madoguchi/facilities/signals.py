"""Receivers of other modules' signals: payments tells facilities that a usage fee was
paid. `connect()` is called once from `FacilitiesConfig.ready()`; connecting twice is
harmless (the receivers have dispatch_uids)."""

from __future__ import annotations

from typing import Any


def invoice_paid(sender: Any, invoice: Any, **kwargs: Any) -> None:
    """A fee invoice was paid (a notice may come twice: `bookings.record_paid` acts once)."""
    from .services import bookings

    bookings.record_paid(invoice)


def connect() -> None:
    """Connect the receivers (idempotent)."""
    from madoguchi.payments import services as payments

    payments.invoice_settled.connect(invoice_paid, dispatch_uid="facilities.bookings.invoice_settled")
    payments.invoice_status_changed.connect(invoice_paid, dispatch_uid="facilities.bookings.invoice_status_changed")
