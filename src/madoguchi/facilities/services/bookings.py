"""Residents' bookings: first-come booking within the rules, fees, payment, changes and
cancellations. The grid itself is `occupancy`."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from madoguchi.core.tenancy import municipality_scope

from ..models import Booking


@transaction.atomic
def record_paid(invoice: Any) -> list[Booking]:
    """The usage fee invoice was paid: mark its bookings paid, once."""
    if getattr(invoice, "origin_type", "") != "facilities.booking" or not invoice.number:
        return []
    with municipality_scope(invoice.municipality):
        bookings = list(Booking.objects.select_for_update().filter(invoice_number=invoice.number, paid_at__isnull=True))
        for booking in bookings:
            booking.paid_at = timezone.now()
            booking.save(update_fields=["paid_at", "updated_at"])
    return bookings
