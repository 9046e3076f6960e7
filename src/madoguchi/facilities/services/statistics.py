"""Usage statistics of facilities (利用統計): how much of the time that could be booked was
booked (利用率), and how bookings came and went (by source, cancellations, no-shows).

利用率 is counted in the occupancy grid's half-hour cells of each space:

* available — for every day the facility opens (not a regular closed day, 年末年始 or a
  holiday it closes on), every cell of a space that a slot of one of its active units
  covers, less the cells a temporary closure takes;
* booked — the `Occupancy` rows in the period (bookings that hold their slot: provisional,
  confirmed, checked in or no-show; a cancelled booking has none), counted in SQL.

A cell belongs to a time of day by its own time (before 12:00 午前, before 17:00 午後, else
夜間), so a slot 11:00–13:00 counts half in each. A rate is at most 100% (a booking staff
placed on a closed day counts as booked, not as more than there was).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.db.models import Case, Count, IntegerField, QuerySet, Value, When
from django.db.models.functions import ExtractIsoWeekDay, TruncMonth

from madoguchi.core.models import Municipality
from madoguchi.core.tenancy import municipality_scope

from ..models import (
    CELL_MINUTES,
    Booking,
    BookingSource,
    BookingStatus,
    CancelReason,
    Closure,
    Facility,
    Occupancy,
    TimeOfDay,
    Unit,
)
from .calendar import cell_of, cells, regular_closed_reason

#: The times of day in their order; an index into it is what the SQL groups by.
TIMES_OF_DAY: tuple[str, ...] = (TimeOfDay.MORNING, TimeOfDay.AFTERNOON, TimeOfDay.NIGHT)
NOON_CELL = 12 * 60 // CELL_MINUTES
EVENING_CELL = 17 * 60 // CELL_MINUTES
#: The longest period one report covers (the availability is worked out day by day).
MAX_DAYS = 731


def time_of_day_index(cell: int) -> int:
    """0 午前, 1 午後, 2 夜間 for a half-hour cell, by the time it starts."""
    if cell < NOON_CELL:
        return 0
    if cell < EVENING_CELL:
        return 1
    return 2


def month_of(day: dt.date) -> dt.date:
    return day.replace(day=1)


def months_between(start: dt.date, end: dt.date) -> list[dt.date]:
    months = []
    month = month_of(start)
    while month <= end:
        months.append(month)
        month = (month + dt.timedelta(days=32)).replace(day=1)
    return months


@dataclass
class Tally:
    """Cells available and booked; `rate` is booked / available (at most 1), or None
    when nothing was available."""

    available: int = 0
    booked: int = 0

    def add(self, other: Tally) -> None:
        self.available += other.available
        self.booked += other.booked

    @property
    def rate(self) -> float | None:
        if self.available <= 0:
            return None
        return min(1.0, self.booked / self.available)

    @property
    def percent(self) -> int | None:
        rate = self.rate
        return None if rate is None else round(rate * 100)

    @property
    def level(self) -> int:
        """0–5 for the heat map's shade (0 nothing booked, 5 at least 80%); -1 none available."""
        rate = self.rate
        if rate is None:
            return -1
        if rate <= 0:
            return 0
        return min(5, 1 + int(rate * 5))


@dataclass
class Utilisation:
    """利用率 by facility and month, by weekday (0 = Monday) and time of day, and in total."""

    start: dt.date
    end: dt.date
    facilities: list[Facility]
    months: list[dt.date]
    by_facility_month: dict[tuple[int, dt.date], Tally] = field(default_factory=lambda: defaultdict(Tally))
    by_facility: dict[int, Tally] = field(default_factory=lambda: defaultdict(Tally))
    by_month: dict[dt.date, Tally] = field(default_factory=lambda: defaultdict(Tally))
    by_weekday_time: dict[tuple[int, int], Tally] = field(default_factory=lambda: defaultdict(Tally))
    total: Tally = field(default_factory=Tally)

    def cell(self, facility_id: int, month: dt.date) -> Tally:
        return self.by_facility_month.get((facility_id, month)) or Tally()


def _facilities(municipality: Municipality, facilities: Iterable[Facility] | None) -> list[Facility]:
    chosen = Facility.objects.filter(municipality=municipality)
    if facilities is not None:
        chosen = chosen.filter(pk__in=[f.pk for f in facilities])
    return list(chosen.order_by("sort_order", "name_kana", "slug"))


def _space_cells(facility_ids: Sequence[int]) -> dict[int, dict[int, set[int]]]:
    """facility → space → the cells its active units' slots cover."""
    covered: dict[int, dict[int, set[int]]] = defaultdict(lambda: defaultdict(set))
    units = (
        Unit.objects.filter(facility_id__in=facility_ids, is_active=True)
        .prefetch_related("spaces", "slot_pattern__slots")
        .only("pk", "facility_id", "slot_pattern_id")
    )
    for unit in units:
        unit_cells: set[int] = set()
        for slot in unit.slot_pattern.slots.all():
            unit_cells.update(cells(slot.starts_at, slot.ends_at))
        for space in unit.spaces.all():
            covered[unit.facility_id][space.pk] |= unit_cells
    return covered


def _closed_cells(
    closure: Closure, spaces: dict[int, set[int]], unit_spaces: dict[int, set[int]]
) -> dict[int, set[int]]:
    """space → the cells of it a closure takes on each day it covers."""
    unit_ids = [unit.pk for unit in closure.units.all()]
    space_ids = set().union(*(unit_spaces.get(u, set()) for u in unit_ids)) if unit_ids else set(spaces)
    if closure.starts_at is None or closure.ends_at is None:
        return {space: set(spaces.get(space, ())) for space in space_ids}
    taken = set(cells(closure.starts_at, closure.ends_at))
    # A closure ending off the half hour still takes the cell it ends in.
    if closure.ends_at.minute % CELL_MINUTES or closure.ends_at.second:
        taken.add(cell_of(closure.ends_at))
    return {space: spaces.get(space, set()) & taken for space in space_ids}


def _available(
    utilisation: Utilisation, facility: Facility, spaces: dict[int, set[int]], closures: list[Closure]
) -> None:
    """Add the facility's available cells, day by day, to the tallies."""
    per_time = [0, 0, 0]
    for space_cells in spaces.values():
        for cell in space_cells:
            per_time[time_of_day_index(cell)] += 1
    if not any(per_time):
        return
    unit_spaces = {
        unit.pk: {space.pk for space in unit.spaces.all()} for closure in closures for unit in closure.units.all()
    }
    day = utilisation.start
    while day <= utilisation.end:
        if regular_closed_reason(facility, day) is None:
            counts = list(per_time)
            taken: dict[int, set[int]] = defaultdict(set)
            for closure in closures:
                if closure.starts_on <= day <= closure.ends_on:
                    for space, closed in _closed_cells(closure, spaces, unit_spaces).items():
                        taken[space] |= closed
            for closed in taken.values():
                for cell in closed:
                    counts[time_of_day_index(cell)] -= 1
            month = month_of(day)
            for index, count in enumerate(counts):
                tally = Tally(available=count)
                utilisation.by_facility_month[(facility.pk, month)].add(tally)
                utilisation.by_weekday_time[(day.weekday(), index)].add(tally)
        day += dt.timedelta(days=1)


def booked_cells(municipality: Municipality, start: dt.date, end: dt.date, facility_ids: Sequence[int]) -> QuerySet:  # type: ignore[type-arg]
    """The occupied cells grouped by facility, month, ISO weekday (1 = Monday) and time of
    day (0–2): one query, a few hundred rows at most."""
    time_of_day = Case(
        When(cell__lt=NOON_CELL, then=Value(0)),
        When(cell__lt=EVENING_CELL, then=Value(1)),
        default=Value(2),
        output_field=IntegerField(),
    )
    return (
        Occupancy.objects.filter(municipality=municipality, date__gte=start, date__lte=end)
        .filter(space__facility_id__in=facility_ids)
        .annotate(month=TruncMonth("date"), weekday=ExtractIsoWeekDay("date"), time_of_day=time_of_day)
        .values("space__facility_id", "month", "weekday", "time_of_day")
        .annotate(count=Count("id"))
        .order_by()
    )


def utilisation(
    municipality: Municipality, *, start: dt.date, end: dt.date, facilities: Iterable[Facility] | None = None
) -> Utilisation:
    """利用率 of the municipality's facilities (or of `facilities`) from `start` to `end`
    inclusive: booked cells counted in SQL, available cells from the calendar rules."""
    if end < start:
        start, end = end, start
    with municipality_scope(municipality):
        chosen = _facilities(municipality, facilities)
        result = Utilisation(start=start, end=end, facilities=chosen, months=months_between(start, end))
        ids = [f.pk for f in chosen]
        covered = _space_cells(ids)
        closures: dict[int, list[Closure]] = defaultdict(list)
        for closure in Closure.objects.filter(
            facility_id__in=ids, starts_on__lte=end, ends_on__gte=start
        ).prefetch_related("units__spaces"):
            closures[closure.facility_id].append(closure)
        for facility in chosen:
            _available(result, facility, covered.get(facility.pk, {}), closures.get(facility.pk, []))
        for row in booked_cells(municipality, start, end, ids):
            month = row["month"]
            if isinstance(month, dt.datetime):
                month = month.date()
            booked = Tally(booked=row["count"])
            result.by_facility_month[(row["space__facility_id"], month)].add(booked)
            result.by_weekday_time[(row["weekday"] - 1, row["time_of_day"])].add(booked)
    for (facility_id, month), tally in result.by_facility_month.items():
        result.by_facility[facility_id].add(tally)
        result.by_month[month].add(tally)
        result.total.add(tally)
    return result


# --- Bookings: sources, cancellations, no-shows -------------------------------------


@dataclass
class SourceRow:
    source: str
    label: str
    bookings: int = 0
    cancelled: int = 0
    no_shows: int = 0
    checked_in: int = 0


@dataclass
class FacilityRow:
    facility: Facility
    bookings: int = 0
    cancelled: int = 0
    no_shows: int = 0
    checked_in: int = 0

    @property
    def no_show_percent(self) -> int | None:
        done = self.no_shows + self.checked_in
        return round(100 * self.no_shows / done) if done else None


@dataclass
class BookingCounts:
    """Bookings whose use date is in the period: `bookings` are those not cancelled."""

    by_source: list[SourceRow]
    by_facility: list[FacilityRow]
    cancel_reasons: list[tuple[str, str, int]]
    total: SourceRow


def booking_counts(
    municipality: Municipality, *, start: dt.date, end: dt.date, facilities: Iterable[Facility] | None = None
) -> BookingCounts:
    """Counts by source, by facility and by cancellation reason, aggregated in SQL."""
    with municipality_scope(municipality):
        chosen = _facilities(municipality, facilities)
        bookings = Booking.objects.filter(
            municipality=municipality, date__gte=start, date__lte=end, facility_id__in=[f.pk for f in chosen]
        )
        sources = {value: SourceRow(value, str(label)) for value, label in BookingSource.choices}
        per_facility = {f.pk: FacilityRow(f) for f in chosen}
        total = SourceRow("", "")
        grouped = bookings.values("source", "facility_id", "status").annotate(count=Count("id")).order_by()
        for row in grouped:
            targets: list[SourceRow | FacilityRow] = [total, per_facility[row["facility_id"]]]
            if row["source"] in sources:
                targets.append(sources[row["source"]])
            for target in targets:
                _count(target, row["status"], row["count"])
        reasons = {
            row["cancel_reason"]: row["count"]
            for row in bookings.filter(status=BookingStatus.CANCELLED)
            .values("cancel_reason")
            .annotate(count=Count("id"))
            .order_by()
        }
    labels = dict(CancelReason.choices)
    cancel_reasons = [(value, str(label), reasons.get(value, 0)) for value, label in labels.items()]
    if reasons.get(""):
        cancel_reasons.append(("", "", reasons[""]))
    return BookingCounts(
        by_source=list(sources.values()),
        by_facility=list(per_facility.values()),
        cancel_reasons=cancel_reasons,
        total=total,
    )


def _count(target: SourceRow | FacilityRow, status: str, count: int) -> None:
    if status == BookingStatus.CANCELLED:
        target.cancelled += count
        return
    target.bookings += count
    if status == BookingStatus.NO_SHOW:
        target.no_shows += count
    elif status == BookingStatus.CHECKED_IN:
        target.checked_in += count
