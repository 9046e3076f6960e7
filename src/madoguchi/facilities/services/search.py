"""Availability search (空き状況の検索): which units of which facilities have free slots in a
date range, for residents choosing where and when to play.

The states come from `availability.Calendar` — one per facility, so occupancy, closures
and lottery rounds are read once per facility whatever the number of days — and the
search only decides which slots to ask it about:

- the date range is first cut to the facility's first-come booking window (a slot outside
  it is never free for a resident, `availability._window_reason`), so a search over a year
  reads and looks at the ~90 days that can be booked, not 365;
- a day the facility is regularly closed is skipped once for all its slots, and a slot
  with a taken cell (in the calendar's own occupancy map) is skipped without asking the
  calendar for its full state;
- units and slots that the filters (capacity, time of day) rule out are never looked at.

The units, their spaces and slots of every facility are loaded in three queries for all
facilities of a municipality.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.utils import timezone

from madoguchi.core.models import Municipality
from madoguchi.core.tenancy import municipality_scope

from ..models import Facility, Slot, Unit
from . import calendar
from .availability import Calendar, SlotAvailability, SlotState

#: The longest date range a resident may search (inclusive days).
MAX_SEARCH_DAYS = 31
#: Free slots kept per result for display; the rest are only counted.
SLOTS_PER_RESULT = 6


@dataclass
class SearchResult:
    """A unit that has at least one free slot in the searched range."""

    municipality: Municipality
    facility: Facility
    unit: Unit
    #: The first free slots, in date and time order (at most SLOTS_PER_RESULT).
    free_slots: list[SlotAvailability] = field(default_factory=list)
    #: How many free slots the unit has in the range.
    free_count: int = 0

    @property
    def first_day(self) -> dt.date | None:
        return self.free_slots[0].date if self.free_slots else None

    @property
    def more_count(self) -> int:
        return self.free_count - len(self.free_slots)


def booking_window(facility: Facility, start: dt.date, end: dt.date, today: dt.date) -> tuple[dt.date, dt.date]:
    """The part of start..end in which the facility takes first-come bookings from
    residents (may be empty: then the first date is after the second)."""
    first = max(start, today + dt.timedelta(days=facility.booking_closes_days))
    last = min(end, today + dt.timedelta(days=facility.booking_horizon_days))
    return first, last


def _units_by_facility(facilities: Sequence[Facility], min_capacity: int | None) -> dict[int, list[Unit]]:
    units = (
        Unit.objects.filter(facility__in=facilities, is_active=True, is_bookable_online=True)
        .select_related("slot_pattern")
        .prefetch_related("spaces", "slot_pattern__slots")
        .order_by("facility_id", "sort_order", "slug")
    )
    if min_capacity:
        units = units.filter(capacity__gte=min_capacity)
    found: dict[int, list[Unit]] = defaultdict(list)
    for unit in units:
        found[unit.facility_id].append(unit)
    return found


def _wanted_slots(unit: Unit, time_of_day: Iterable[str]) -> list[Slot]:
    wanted = set(time_of_day)
    return [slot for slot in calendar.slots_of(unit) if not wanted or slot.time_of_day in wanted]


def _search_facility(
    facility: Facility,
    units: list[Unit],
    municipality: Municipality,
    *,
    start: dt.date,
    end: dt.date,
    time_of_day: Sequence[str],
    now: dt.datetime,
) -> list[SearchResult]:
    first, last = booking_window(facility, start, end, timezone.localtime(now).date())
    if first > last:
        return []
    slots = {unit.pk: _wanted_slots(unit, time_of_day) for unit in units}
    units = [unit for unit in units if slots[unit.pk]]
    if not units:
        return []
    grid = Calendar(facility, units, first, last, now=now)
    results = {unit.pk: SearchResult(municipality, facility, unit) for unit in units}
    spaces = {unit.pk: [space.pk for space in unit.spaces.all()] for unit in units}
    needed = {slot.pk: set(calendar.cells(slot.starts_at, slot.ends_at)) for unit in units for slot in slots[unit.pk]}
    no_cells: set[int] = set()
    for day in grid.dates():
        if calendar.regular_closed_reason(facility, day):
            continue
        for unit in units:
            result = results[unit.pk]
            for slot in slots[unit.pk]:
                # A slot some of whose cells are taken is never free (booked, or closed):
                # looked up in the calendar's own occupancy, before asking it the full state.
                cells = needed[slot.pk]
                if any(grid.taken.get((space_id, day), no_cells) & cells for space_id in spaces[unit.pk]):
                    continue
                state = grid.slot(unit, day, slot)
                if state.state != SlotState.FREE:
                    continue
                result.free_count += 1
                if len(result.free_slots) < SLOTS_PER_RESULT:
                    result.free_slots.append(state)
    return [result for result in results.values() if result.free_count]


def search_availability(
    municipalities: Iterable[Municipality],
    *,
    start: dt.date,
    end: dt.date,
    kinds: Sequence[str] = (),
    areas: Sequence[str] = (),
    time_of_day: Sequence[str] = (),
    min_capacity: int | None = None,
    limit: int = 200,
    now: dt.datetime | None = None,
) -> list[SearchResult]:
    """The units of published facilities with at least one slot free for first-come
    booking between `start` and `end` (inclusive), by municipality, facility and unit.

    `kinds` are FacilityKind values, `areas` the facilities' 地区 (area_ja), `time_of_day`
    TimeOfDay values of the slots; `min_capacity` keeps units whose capacity is known and
    at least that. At most `limit` results; the search stops once it has them.
    Each municipality is searched in its own data scope, so this is safe for the
    deployment-wide search."""
    now = now or timezone.now()
    found: list[SearchResult] = []
    if end < start or limit <= 0:
        return found
    for municipality in municipalities:
        with municipality_scope(municipality):
            facilities = Facility.objects.filter(municipality=municipality, is_published=True)
            if kinds:
                facilities = facilities.filter(kind__in=list(kinds))
            if areas:
                facilities = facilities.filter(area_ja__in=list(areas))
            facility_list = list(facilities.order_by("sort_order", "name_kana", "slug"))
            units = _units_by_facility(facility_list, min_capacity)
            for facility in facility_list:
                if not units.get(facility.pk):
                    continue
                found.extend(
                    _search_facility(
                        facility,
                        units[facility.pk],
                        municipality,
                        start=start,
                        end=end,
                        time_of_day=time_of_day,
                        now=now,
                    )
                )
                if len(found) >= limit:
                    return found[:limit]
    return found
