"""The QR code on a resident's booking page: it encodes the staff check-in address of the
booking (`facilities_checkin`, /staff/facilities/check-in/<token>/), which only staff who
may see bookings can open. The token is random (`Booking.qr_token`), not the booking
number, so a code read over someone's shoulder tells nothing and guesses find nothing."""

from __future__ import annotations

import io

import segno
from django.urls import NoReverseMatch, reverse

from madoguchi.core import navigation

from .models import Booking


def checkin_url(booking: Booking) -> str:
    """The absolute check-in address (the path alone when SITE_URL is not set, or "" while
    the staff URL is not registered)."""
    try:
        path = reverse("facilities_checkin", args=[booking.qr_token])
    except NoReverseMatch:
        return ""
    return navigation.absolute_url(path)


def svg(booking: Booking) -> bytes:
    """The QR code as an SVG image (black on white, a quiet zone of four modules, as the
    readers at the counter expect)."""
    code = segno.make_qr(checkin_url(booking) or booking.number, error="m")
    out = io.BytesIO()
    code.save(out, kind="svg", scale=6, border=4, dark="#000", light="#fff", xmldecl=False, svgns=True)
    return out.getvalue()
