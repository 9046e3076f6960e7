"""Availability (空き状況): what state each slot of a unit is in on a day, and whether it can
be booked first-come. Computed in bulk (one query each for occupancy, closures and
lottery rounds per unit and date range), because a calendar shows hundreds of slots.

The states, in the order they win:

- 休館 (closed): a regular closed day, the New Year, or a temporary closure;
- 予約済み (booked): some space of the unit is held for part of the slot;
- 抽選 (lottery): the month is in a lottery round that has not been drawn yet (for staff:
  only once the round's seed is published, when nothing may be booked there until the
  draw — also not the units that share a space with the round's);
- 受付期間外 (unavailable): past, not yet open for booking, or past the booking deadline;
- 空き (free).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ..models import Closure, Facility, LotteryRound, Occupancy, RoundStatus, Slot, Unit
from . import calendar
from .occupancy import SEALED_BY_LOTTERY

#: Rounds whose month is not open to first-come booking yet.
UNDRAWN_ROUND_STATUSES = (RoundStatus.SCHEDULED, RoundStatus.OPEN, RoundStatus.CLOSED)


class SlotState(models.TextChoices):
    """空き状況. The symbol is shown with the word, so no state depends on colour."""

    FREE = "free", gettext_lazy("空き")
    PARTLY = "partly", gettext_lazy("一部空き")
    BOOKED = "booked", gettext_lazy("予約済み")
    LOTTERY = "lottery", gettext_lazy("抽選受付")
    UNAVAILABLE = "unavailable", gettext_lazy("受付期間外")
    CLOSED = "closed", gettext_lazy("休館")


SYMBOLS = {
    SlotState.FREE: "○",
    SlotState.PARTLY: "△",
    SlotState.BOOKED: "×",
    SlotState.LOTTERY: "抽",
    SlotState.UNAVAILABLE: "－",
    SlotState.CLOSED: "休",
}


@dataclass(frozen=True)
class SlotAvailability:
    """One slot of one unit on one day."""

    unit: Unit
    slot: Slot
    date: dt.date
    state: str
    reason: str = ""

    @property
    def bookable(self) -> bool:
        """Free for first-come booking now."""
        return self.state == SlotState.FREE

    @property
    def symbol(self) -> str:
        return SYMBOLS[SlotState(self.state)]

    @property
    def label(self) -> str:
        return str(SlotState(self.state).label)


def month_of(day: dt.date) -> dt.date:
    return day.replace(day=1)


def _rounds_by_month(facility: Facility, start: dt.date, end: dt.date) -> dict[dt.date, list[LotteryRound]]:
    rounds: dict[dt.date, list[LotteryRound]] = defaultdict(list)
    for lottery in LotteryRound.objects.filter(
        facility=facility, month__gte=month_of(start), month__lte=month_of(end), status__in=UNDRAWN_ROUND_STATUSES
    ).prefetch_related("units__spaces"):
        rounds[lottery.month].append(lottery)
    return rounds


def _in_lottery(unit: Unit, day: dt.date, rounds: dict[dt.date, list[LotteryRound]]) -> bool:
    for lottery in rounds.get(month_of(day), ()):
        unit_ids = {u.pk for u in lottery.units.all()}
        if not unit_ids or unit.pk in unit_ids:
            return True
    return False


def _sealed(space_ids: Iterable[int], day: dt.date, rounds: dict[dt.date, list[LotteryRound]]) -> bool:
    """A round of the day's month has published its seed and not drawn yet, and its units
    share a space with these: nothing may be booked until the draw (as
    `occupancy.sealed_by_round` refuses it)."""
    wanted = set(space_ids)
    for lottery in rounds.get(month_of(day), ()):
        if lottery.status != RoundStatus.CLOSED:
            continue
        round_units = list(lottery.units.all())
        if not round_units or wanted & {space.pk for u in round_units for space in u.spaces.all()}:
            return True
    return False


def _taken_cells(units: Iterable[Unit], start: dt.date, end: dt.date) -> dict[tuple[int, dt.date], set[int]]:
    space_ids = {space.pk for unit in units for space in unit.spaces.all()}
    taken: dict[tuple[int, dt.date], set[int]] = defaultdict(set)
    for space_id, day, cell in Occupancy.objects.filter(
        space_id__in=space_ids, date__gte=start, date__lte=end
    ).values_list("space_id", "date", "cell"):
        taken[(space_id, day)].add(cell)
    return taken


def _window_reason(
    facility: Facility, day: dt.date, slot: Slot, now: dt.datetime, *, for_staff: bool, tz: dt.tzinfo, today: dt.date
) -> str:
    if day < today or (day == today and dt.datetime.combine(day, slot.starts_at, tzinfo=tz) <= now):
        return _("受付を終了しました")
    if for_staff:
        return ""
    if (day - today).days > facility.booking_horizon_days:
        return _("まだ予約の受付前です（利用日の%(days)s日前から受け付けます）") % {
            "days": facility.booking_horizon_days
        }
    if (day - today).days < facility.booking_closes_days:
        return _("オンライン予約の締切を過ぎました（施設にお問い合わせください）")
    return ""


class Calendar:
    """Availability of some units of one facility over a date range, computed once."""

    def __init__(
        self,
        facility: Facility,
        units: Iterable[Unit],
        start: dt.date,
        end: dt.date,
        *,
        now: dt.datetime | None = None,
        for_staff: bool = False,
    ) -> None:
        self.facility = facility
        self.units = list(units)
        self.start = start
        self.end = end
        self.now = now or timezone.now()
        # Looked up once: a calendar asks for hundreds of slots.
        self.tz = timezone.get_current_timezone()
        self.today = timezone.localtime(self.now, self.tz).date()
        self.for_staff = for_staff
        self.closures: list[Closure] = calendar.closures_between(facility, start, end)
        self.rounds = _rounds_by_month(facility, start, end)
        self.taken = _taken_cells(self.units, start, end)
        self._space_ids = {unit.pk: [space.pk for space in unit.spaces.all()] for unit in self.units}

    def dates(self) -> list[dt.date]:
        return [self.start + dt.timedelta(days=n) for n in range((self.end - self.start).days + 1)]

    def slot(self, unit: Unit, day: dt.date, slot: Slot) -> SlotAvailability:
        """The state of one slot of one unit on one day."""
        if reason := calendar.regular_closed_reason(self.facility, day):
            return SlotAvailability(unit, slot, day, SlotState.CLOSED, reason)
        if closure := calendar.closure_for(unit, day, slot, self.closures):
            return SlotAvailability(unit, slot, day, SlotState.CLOSED, closure.reason)
        needed = set(calendar.cells(slot.starts_at, slot.ends_at))
        if any(self.taken.get((space_id, day), set()) & needed for space_id in self._space_ids.get(unit.pk, [])):
            return SlotAvailability(unit, slot, day, SlotState.BOOKED)
        if not unit.is_active or (not unit.is_bookable_online and not self.for_staff):
            return SlotAvailability(unit, slot, day, SlotState.UNAVAILABLE, _("オンラインでは予約できません"))
        if not self.for_staff and _in_lottery(unit, day, self.rounds):
            return SlotAvailability(
                unit, slot, day, SlotState.LOTTERY, _("抽選の対象です。抽選後に空いた枠を先着順で受け付けます。")
            )
        if _sealed(self._space_ids.get(unit.pk, []), day, self.rounds):
            return SlotAvailability(unit, slot, day, SlotState.LOTTERY, str(SEALED_BY_LOTTERY))
        if reason := _window_reason(
            self.facility, day, slot, self.now, for_staff=self.for_staff, tz=self.tz, today=self.today
        ):
            return SlotAvailability(unit, slot, day, SlotState.UNAVAILABLE, reason)
        return SlotAvailability(unit, slot, day, SlotState.FREE)

    def unit_day(self, unit: Unit, day: dt.date) -> list[SlotAvailability]:
        return [self.slot(unit, day, slot) for slot in calendar.slots_of(unit)]

    def day_summary(self, unit: Unit, day: dt.date) -> str:
        """One state for a unit's whole day: free, partly free, booked, closed …"""
        states = {a.state for a in self.unit_day(unit, day)}
        if states == {SlotState.FREE}:
            return SlotState.FREE
        if SlotState.FREE in states:
            return SlotState.PARTLY
        for state in (SlotState.CLOSED, SlotState.LOTTERY, SlotState.BOOKED, SlotState.UNAVAILABLE):
            if states == {state}:
                return state
        return SlotState.BOOKED if SlotState.BOOKED in states else SlotState.UNAVAILABLE


def units_of(facility: Facility) -> list[Unit]:
    """The facility's active units with their spaces and slots, for a calendar."""
    return list(
        Unit.objects.filter(facility=facility, is_active=True)
        .select_related("slot_pattern")
        .prefetch_related("spaces", "slot_pattern__slots")
        .order_by("sort_order", "slug")
    )


def slot_availability(
    unit: Unit, day: dt.date, slot: Slot, *, now: dt.datetime | None = None, for_staff: bool = False
) -> SlotAvailability:
    """The state of one slot (for a booking form: check again just before booking)."""
    return Calendar(unit.facility, [unit], day, day, now=now, for_staff=for_staff).slot(unit, day, slot)
