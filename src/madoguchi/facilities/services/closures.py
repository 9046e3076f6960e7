"""臨時休館 (temporary closures): a period in which a facility, or some of its units,
cannot be used — maintenance, a municipal event, a storm. Creating one cancels every
booking it covers (CancelReason.CLOSURE: no cancellation fee, a paid fee refunded in
full, through `bookings.cancel`) and e-mails each booker why.

A closure of some units also closes the units that share a space with them (closing
半面A closes 全面 too): the calendar (`calendar.closure_for`) looks at the closure's
units, and a booking of the whole floor cannot take place on a closed half.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from madoguchi.audit import services as audit
from madoguchi.core import navigation

from ..models import Booking, BookingStatus, CancelReason, Closure, ClosureKind, Facility, Unit
from .occupancy import BookingError

logger = logging.getLogger(__name__)

#: Bookings a closure cancels: those that still hold their slot and were not used.
CANCELLABLE_STATUSES = (BookingStatus.PROVISIONAL, BookingStatus.CONFIRMED)
#: The longest closure created in one go (a renovation of a year is several closures).
MAX_DAYS = 366


def sharing_units(facility: Facility, units: Iterable[Unit]) -> list[Unit]:
    """`units` and every other unit of the facility that uses one of their spaces."""
    chosen = list(units)
    if not chosen:
        return []
    space_ids = {space.pk for unit in chosen for space in unit.spaces.all()}
    others = Unit.objects.filter(facility=facility, spaces__in=space_ids).distinct()
    by_pk = {unit.pk: unit for unit in [*chosen, *others]}
    return sorted(by_pk.values(), key=lambda unit: (unit.sort_order, unit.slug))


def affected_bookings(closure: Closure, *, now: dt.datetime | None = None) -> list[Booking]:
    """The bookings the closure covers that it would cancel: provisional or confirmed,
    on its days, of its units (all of the facility's without units), overlapping its
    hours (all day without hours), and not already over."""
    now = now or timezone.now()
    bookings = Booking.objects.filter(
        facility_id=closure.facility_id,
        date__gte=closure.starts_on,
        date__lte=closure.ends_on,
        status__in=CANCELLABLE_STATUSES,
    )
    unit_ids = [unit.pk for unit in closure.units.all()] if closure.pk else []
    if unit_ids:
        bookings = bookings.filter(unit_id__in=unit_ids)
    if closure.starts_at is not None and closure.ends_at is not None:
        bookings = bookings.filter(Q(starts_at__lt=closure.ends_at) & Q(ends_at__gt=closure.starts_at))
    found = bookings.select_related("registration", "registration__user", "unit", "slot", "facility").order_by(
        "date", "starts_at", "pk"
    )
    return [
        booking for booking in found if timezone.make_aware(dt.datetime.combine(booking.date, booking.ends_at)) > now
    ]


def validate(
    *, starts_on: dt.date, ends_on: dt.date, starts_at: dt.time | None, ends_at: dt.time | None, reason_ja: str
) -> None:
    """Raise BookingError with a message for staff when the period makes no sense."""
    if ends_on < starts_on:
        raise BookingError("bad_range", _("終了日は開始日と同じかそれより後にしてください。"))
    if (ends_on - starts_on).days >= MAX_DAYS:
        raise BookingError("range_too_long", _("臨時休館の期間は1年以内にしてください。"))
    if (starts_at is None) != (ends_at is None):
        raise BookingError("half_times", _("時刻は開始と終了の両方を入力するか、両方とも空欄にしてください。"))
    if starts_at is not None and ends_at is not None and ends_at <= starts_at:
        raise BookingError("bad_times", _("終了時刻は開始時刻より後にしてください。"))
    if not reason_ja.strip():
        raise BookingError("no_reason", _("理由を入力してください。"))


@transaction.atomic
def create_closure(
    *,
    facility: Facility,
    units: Iterable[Unit] = (),
    starts_on: dt.date,
    ends_on: dt.date,
    starts_at: dt.time | None = None,
    ends_at: dt.time | None = None,
    reason_ja: str,
    reason_en: str = "",
    kind: str = ClosureKind.MAINTENANCE,
    actor: Any,
    request: Any = None,
    now: dt.datetime | None = None,
) -> tuple[Closure, list[Booking]]:
    """Close the facility (or `units`, and the units sharing their spaces) and cancel
    the bookings it covers, in one transaction; each booker is e-mailed (after commit,
    once per booking). Returns the closure and the bookings cancelled."""
    validate(starts_on=starts_on, ends_on=ends_on, starts_at=starts_at, ends_at=ends_at, reason_ja=reason_ja)
    chosen = list(units)
    if any(unit.facility_id != facility.pk for unit in chosen):
        raise BookingError("unit_elsewhere", _("選んだ利用単位はこの施設のものではありません。"))
    closure = Closure.objects.create(
        municipality=facility.municipality,
        facility=facility,
        kind=kind,
        starts_on=starts_on,
        ends_on=ends_on,
        starts_at=starts_at,
        ends_at=ends_at,
        reason_ja=reason_ja.strip(),
        reason_en=reason_en.strip(),
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    if chosen:
        closure.units.set(sharing_units(facility, chosen))
    affected = affected_bookings(closure, now=now)
    audit.record(
        action=audit.Action.CREATE,
        obj=closure,
        municipality=facility.municipality,
        actor=actor,
        request=request,
        fields=["facility", "units", "starts_on", "ends_on", "starts_at", "ends_at", "reason_ja", "kind"],
        extra={"cancelled": [booking.number for booking in affected]},
    )
    cancelled = [cancel_for_closure(booking, closure, actor=actor, request=request) for booking in affected]
    closure.notified_at = timezone.now()
    closure.save(update_fields=["notified_at"])
    return closure, cancelled


def cancel_for_closure(booking: Booking, closure: Closure, *, actor: Any, request: Any = None) -> Booking:
    """Cancel one booking because of the closure (no fee; paid → refund in full) and
    e-mail its booker."""
    from . import bookings

    cancelled: Booking = bookings.cancel(
        booking, actor=actor, reason=CancelReason.CLOSURE, by_staff=True, waive_fee=True, request=request
    )
    email_booker(cancelled, closure)
    return cancelled


def booker_address(booking: Booking) -> Any:
    """Whom to e-mail: the registration's account, else its address; None for bookings
    without a registration (the municipality's own, a holder at the counter)."""
    registration = booking.registration
    if registration is None:
        return None
    user = registration.user
    if user is not None and user.email:
        return user
    return registration.email or None


def booking_url(booking: Booking) -> str:
    """The booker's page of the booking (absolute when the site's URL is known)."""

    try:
        path = reverse(
            "facilities:booking", kwargs={"municipality_slug": booking.municipality.slug, "number": booking.number}
        )
    except NoReverseMatch:
        return ""
    return navigation.absolute_url(path)


def email_booker(booking: Booking, closure: Closure) -> None:
    """臨時休館のお知らせ (template `facilities/closure_cancelled`), once per booking. A
    message that cannot be queued is logged: it never undoes the closure."""
    from madoguchi.notifications import services as notifications

    recipient = booker_address(booking)
    if recipient is None:
        return
    language = getattr(booking.registration.user if booking.registration else None, "preferred_language", "") or None
    texts: dict[str, str] = {}
    with override(language or "ja"):
        texts = {
            "facility": booking.facility.name,
            "unit": booking.unit.name,
            "slot": booking.slot.name,
            "reason": closure.reason,
            "municipality": booking.municipality.name,
        }
    try:
        notifications.notify(
            recipient,
            "facilities/closure_cancelled",
            {
                **texts,
                "number": booking.number,
                "name": booking.display_holder,
                "date": booking.date.isoformat(),
                "starts_at": booking.starts_at.strftime("%H:%M"),
                "ends_at": booking.ends_at.strftime("%H:%M"),
                "paid": booking.paid_at is not None,
                "fee": booking.fee_amount,
                "url": booking_url(booking),
            },
            municipality=booking.municipality,
            language=language,
            idempotency_key=f"facilities:booking:{booking.pk}:closure:{closure.pk}",
        )
    except notifications.NotificationError:
        logger.warning("booking %s: the closure e-mail could not be queued", booking.pk, exc_info=True)


def closures_of(facility: Facility | None = None, *, include_past: bool = False) -> Any:
    """The open municipality's closures (upcoming first), for the 臨時休館 list."""
    closures = Closure.objects.select_related("facility", "created_by").prefetch_related("units")
    if facility is not None:
        closures = closures.filter(facility=facility)
    if not include_past:
        closures = closures.filter(ends_on__gte=timezone.localdate())
    return closures.order_by("starts_on", "facility__sort_order", "pk")
