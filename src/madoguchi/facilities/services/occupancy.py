"""Placing a booking in the occupancy grid: the one function every way of booking goes
through (first come, the counter, the lottery's winners, priority and block bookings).

It checks for a clash first, for a clear message, and then relies on the database: the
occupancy rows of two overlapping bookings share a (space, day, cell) key, and the unique
index refuses the second even when both checks ran at the same moment. Numbers are given
only to bookings that got their cells, so a lost race leaves no gap.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable, Sequence
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from madoguchi.audit import services as audit
from madoguchi.core.models import Municipality
from madoguchi.core.tenancy import municipality_scope

from ..models import (
    Booking,
    BookingCounter,
    BookingSource,
    BookingStatus,
    FeeExtra,
    LotteryRound,
    Occupancy,
    Registration,
    RoundStatus,
    Slot,
    Unit,
)
from . import calendar

#: Why nothing can be booked in a round's month between the seed's publication and the
#: draw (shown by `place_booking` and the staff calendar).
SEALED_BY_LOTTERY = gettext_lazy(
    "抽選のシードを公開済みで、抽選を待っています。抽選が終わるまでこの枠は予約できません。"
)


class BookingError(Exception):
    """A booking that cannot be made or changed; `message` is for the person asking."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


class SlotTakenError(BookingError):
    """Someone else holds (part of) the slot."""

    def __init__(self, message: str | None = None) -> None:
        super().__init__(
            "slot_taken",
            message or _("申し訳ありません。この枠はほかの方が先に予約しました。別の日時をお選びください。"),
        )


def next_numbers(municipality: Municipality, count: int = 1, year: int | None = None) -> list[str]:
    """`count` new 予約番号 of the municipality's year ("F2026-000123"), never given twice
    (the counter row is locked until the caller's transaction ends)."""
    year = year or timezone.localdate().year
    with municipality_scope(municipality):
        counter, _created = BookingCounter.objects.select_for_update().get_or_create(
            municipality=municipality, year=year
        )
        BookingCounter.objects.filter(pk=counter.pk).update(last=F("last") + count)
        counter.refresh_from_db(fields=["last"])
    first = counter.last - count + 1
    return [f"F{year}-{n:06d}" for n in range(first, counter.last + 1)]


def space_ids_of(unit: Unit) -> list[int]:
    return sorted(space.pk for space in unit.spaces.all())


def occupancy_rows(booking: Booking, space_ids: Sequence[int]) -> list[Occupancy]:
    return [
        Occupancy(
            municipality_id=booking.municipality_id, booking=booking, space_id=space_id, date=booking.date, cell=cell
        )
        for space_id in space_ids
        for cell in calendar.cells(booking.starts_at, booking.ends_at)
    ]


def clashing_bookings(unit: Unit, day: dt.date, slot: Slot) -> list[Booking]:
    """The bookings that hold any of the cells this unit's slot needs."""
    taken = Occupancy.objects.filter(
        space_id__in=space_ids_of(unit), date=day, cell__in=list(calendar.cells(slot.starts_at, slot.ends_at))
    ).values_list("booking_id", flat=True)
    return list(Booking.objects.filter(pk__in=set(taken)).select_related("unit"))


def sealed_by_round(unit: Unit, day: dt.date) -> LotteryRound | None:
    """The lottery round, if any, whose seed is published (status closed) but not yet
    drawn and whose units share a space with `unit` on `day`'s month. Until its draw
    nothing may be booked there: whoever knows the seed knows the order of the entries
    and could knock out a chosen one by holding its cells (the draw treats any earlier
    booking as held)."""
    rounds = LotteryRound.objects.filter(
        facility_id=unit.facility_id, month=day.replace(day=1), status=RoundStatus.CLOSED
    ).prefetch_related("units__spaces")
    space_ids = set(space_ids_of(unit))
    for lottery in rounds:
        round_units = list(lottery.units.all())
        # No units chosen: the round is for every unit of the facility.
        if not round_units or space_ids & {space.pk for u in round_units for space in u.spaces.all()}:
            return lottery
    return None


def is_free(unit: Unit, day: dt.date, slot: Slot) -> bool:
    return not Occupancy.objects.filter(
        space_id__in=space_ids_of(unit), date=day, cell__in=list(calendar.cells(slot.starts_at, slot.ends_at))
    ).exists()


@transaction.atomic
def place_booking(
    *,
    unit: Unit,
    slot: Slot,
    date: dt.date,
    source: str,
    registration: Registration | None = None,
    holder_name: str = "",
    status: str = BookingStatus.CONFIRMED,
    purpose: str = "",
    attendees: int | None = None,
    extras: Iterable[FeeExtra] = (),
    fee_amount: int = 0,
    fee_breakdown: list[dict[str, Any]] | None = None,
    resident_rate: bool = True,
    confirm_by: dt.datetime | None = None,
    request_key: str = "",
    block_key: uuid.UUID | None = None,
    created_by: Any = None,
    note: str = "",
    number: str | None = None,
    audit_request: Any = None,
) -> Booking:
    """Book `unit` for `slot` on `date`, or raise `SlotTakenError`.

    This is the grid alone: whether the person may book (registration, limits, closures,
    booking period, fees) is the caller's to decide. The one rule kept here, for every
    way of booking, is fairness: nothing is booked in a lottery round's month while its
    seed is public and its draw not yet done (`sealed_by_round`; the draw itself writes
    its winners in bulk, not through here). With a `request_key` a second call
    with the same key returns the first booking instead of booking twice. `number` is for
    callers that took numbers in bulk (the lottery); otherwise one is taken here."""
    municipality = unit.municipality
    if slot.pattern_id != unit.slot_pattern_id:
        raise BookingError("slot_not_of_unit", _("この利用単位にはない時間区分です。"))
    if source not in BookingSource.values:
        raise ValueError(f"unknown booking source {source!r}")
    with municipality_scope(municipality):
        if request_key:
            existing = Booking.objects.filter(municipality=municipality, request_key=request_key).first()
            if existing is not None:
                return existing
        space_ids = space_ids_of(unit)
        if not space_ids:
            raise BookingError("unit_without_space", _("この利用単位には区画が設定されていません。"))
        if not is_free(unit, date, slot):
            raise SlotTakenError()
        if sealed_by_round(unit, date) is not None:
            raise BookingError("lottery_sealed", str(SEALED_BY_LOTTERY))
        booking = Booking(
            municipality=municipality,
            registration=registration,
            facility_id=unit.facility_id,
            unit=unit,
            slot=slot,
            date=date,
            starts_at=slot.starts_at,
            ends_at=slot.ends_at,
            status=status,
            source=source,
            purpose=purpose,
            attendees=attendees,
            holder_name=holder_name,
            resident_rate=resident_rate,
            fee_amount=fee_amount,
            fee_breakdown=fee_breakdown or [],
            confirm_by=confirm_by,
            request_key=request_key,
            block_key=block_key,
            created_by=created_by if getattr(created_by, "is_authenticated", False) else None,
            note=note,
        )
        try:
            # A savepoint: the caller's transaction survives a lost race and can say so.
            with transaction.atomic():
                booking.save()
                Occupancy.objects.bulk_create(occupancy_rows(booking, space_ids))
        except IntegrityError as error:
            if request_key and "request_key" in str(error):
                existing = Booking.objects.filter(municipality=municipality, request_key=request_key).first()
                if existing is not None:
                    return existing
            raise SlotTakenError() from error
        if extras:
            booking.extras.set(list(extras))
        booking.number = number or next_numbers(municipality)[0]
        booking.save(update_fields=["number"])
    audit.record(
        action=audit.Action.CREATE,
        obj=booking,
        municipality=municipality,
        actor=created_by,
        request=audit_request,
        personal_data=registration is not None,
        subject=registration.user if registration is not None else None,
        fields=["number", "unit", "date", "starts_at", "ends_at", "source", "status"],
    )
    return booking


def release(booking: Booking) -> int:
    """Free the booking's cells (on cancelling it); returns how many were freed."""
    deleted, _details = Occupancy.objects.filter(booking=booking).delete()
    return deleted
