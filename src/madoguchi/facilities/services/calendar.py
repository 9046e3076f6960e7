"""The facility's calendar: which days it is open, which slots a unit has, what a day
costs (平日 or 土日祝), and the half-hour cells a slot covers."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.utils.translation import gettext as _

from madoguchi.japanese import holidays

from ..models import CELL_MINUTES, Closure, DayKind, Facility, Slot, Unit


def cell_of(moment: dt.time) -> int:
    """The index of the half-hour cell a time starts (9:00 → 18)."""
    return (moment.hour * 60 + moment.minute) // CELL_MINUTES


def cells(starts_at: dt.time, ends_at: dt.time) -> range:
    """The cells from `starts_at` up to (not including) `ends_at`."""
    return range(cell_of(starts_at), cell_of(ends_at))


def day_kind(day: dt.date) -> str:
    """料金の日区分: Saturdays, Sundays and national holidays are 土日祝."""
    if day.weekday() >= 5 or holidays.is_holiday(day):
        return DayKind.HOLIDAY
    return DayKind.WEEKDAY


def _shifted_closure(facility: Facility, day: dt.date, closed: set[int]) -> bool:
    # 「月曜日（祝日の場合は翌日）」: a closed weekday that was a holiday moves the closing to
    # the next day that is not a holiday.
    previous = day - dt.timedelta(days=1)
    while holidays.is_holiday(previous):
        if previous.weekday() in closed:
            return True
        previous -= dt.timedelta(days=1)
    return False


def regular_closed_reason(facility: Facility, day: dt.date) -> str | None:
    """Why the facility is closed all day by its regular rules (休館日, 祝日, 年末年始),
    or None if it opens. Temporary closures (`Closure`) are not included."""
    if facility.year_end_closure and holidays.is_year_end_closure(day):
        return _("年末年始の休館日")
    closed = facility.closed_weekday_numbers()
    is_holiday = holidays.is_holiday(day)
    if is_holiday and not facility.open_on_holidays:
        return _("祝日の休館日")
    if day.weekday() in closed and not (is_holiday and facility.open_on_holidays):
        return _("定期休館日")
    if facility.open_on_holidays and not is_holiday and closed and _shifted_closure(facility, day, closed):
        return _("定期休館日（祝日の振替）")
    return None


def closures_between(facility: Facility, start: dt.date, end: dt.date) -> list[Closure]:
    """The facility's temporary closures overlapping start..end (inclusive), with units."""
    return list(
        Closure.objects.filter(facility=facility, starts_on__lte=end, ends_on__gte=start).prefetch_related("units")
    )


def closure_for(unit: Unit, day: dt.date, slot: Slot, closures: Iterable[Closure]) -> Closure | None:
    """The temporary closure that covers this unit's slot on the day, if any."""
    for closure in closures:
        if not (closure.starts_on <= day <= closure.ends_on):
            continue
        unit_ids = {u.pk for u in closure.units.all()}
        if unit_ids and unit.pk not in unit_ids:
            continue
        if closure.starts_at is None or closure.ends_at is None:
            return closure
        if closure.starts_at < slot.ends_at and slot.starts_at < closure.ends_at:
            return closure
    return None


def slots_of(unit: Unit) -> list[Slot]:
    """The unit's slots in the order of the day."""
    return sorted(unit.slot_pattern.slots.all(), key=lambda s: s.starts_at)
