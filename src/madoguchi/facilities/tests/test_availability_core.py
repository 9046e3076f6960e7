"""The availability states of the core calendar: booked through an overlapping unit,
closed by the regular rules and by a temporary closure, held for a lottery, outside the
booking window."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from madoguchi.core.models import Municipality
from madoguchi.core.tenancy import municipality_scope
from madoguchi.facilities.models import BookingSource, Closure, LotteryRound
from madoguchi.facilities.services import calendar, occupancy
from madoguchi.facilities.services.availability import Calendar, SlotState, slot_availability, units_of

from .factories import make_gym, next_weekday


def test_states_of_a_day(kasama: Municipality) -> None:
    gym = make_gym(kasama)
    day = next_weekday()
    occupancy.place_booking(unit=gym.half_a, slot=gym.morning, date=day, source=BookingSource.FIRST_COME)
    with municipality_scope(kasama):
        cal = Calendar(gym.facility, units_of(gym.facility), day, day)
        assert cal.slot(gym.whole, day, gym.morning).state == SlotState.BOOKED
        assert cal.slot(gym.half_b, day, gym.morning).state == SlotState.FREE
        assert cal.slot(gym.whole, day, gym.afternoon).bookable
        assert cal.day_summary(gym.whole, day) == SlotState.PARTLY


def test_regular_closed_days_and_holiday_shift(kasama: Municipality) -> None:
    gym = make_gym(kasama, closed_weekdays="0")
    with municipality_scope(kasama):
        # 2027-01-11 is 成人の日 (a Monday): open; Tuesday the 12th is closed instead.
        assert calendar.regular_closed_reason(gym.facility, dt.date(2027, 1, 11)) is None
        assert calendar.regular_closed_reason(gym.facility, dt.date(2027, 1, 12))
        assert calendar.regular_closed_reason(gym.facility, dt.date(2027, 1, 18))  # an ordinary Monday
        assert calendar.regular_closed_reason(gym.facility, dt.date(2027, 1, 2))  # 年末年始
        assert calendar.regular_closed_reason(gym.facility, dt.date(2027, 1, 13)) is None
        assert calendar.day_kind(dt.date(2027, 1, 11)) == "holiday"
        assert calendar.day_kind(dt.date(2027, 1, 13)) == "weekday"


def test_temporary_closure_of_one_unit_and_part_of_a_day(kasama: Municipality) -> None:
    gym = make_gym(kasama)
    day = next_weekday()
    with municipality_scope(kasama):
        closure = Closure.objects.create(
            municipality=kasama,
            facility=gym.facility,
            starts_on=day,
            ends_on=day,
            starts_at=dt.time(12),
            ends_at=dt.time(17),
            reason_ja="床の補修",
        )
        closure.units.set([gym.half_a])
        assert slot_availability(gym.half_a, day, gym.afternoon).state == SlotState.CLOSED
        assert slot_availability(gym.half_a, day, gym.afternoon).reason == "床の補修"
        assert slot_availability(gym.half_a, day, gym.morning).state == SlotState.FREE
        assert slot_availability(gym.half_b, day, gym.afternoon).state == SlotState.FREE


def test_lottery_month_and_booking_window(kasama: Municipality) -> None:
    gym = make_gym(kasama, booking_horizon_days=30, booking_closes_days=2)
    now = timezone.now()
    today = timezone.localdate()
    with municipality_scope(kasama):
        far = next_weekday(today, weeks_ahead=6)
        assert slot_availability(gym.whole, far, gym.morning).state == SlotState.UNAVAILABLE
        assert slot_availability(gym.whole, far, gym.morning, for_staff=True).state == SlotState.FREE
        tomorrow = today + dt.timedelta(days=1)
        if calendar.regular_closed_reason(gym.facility, tomorrow) is None:
            assert slot_availability(gym.whole, tomorrow, gym.night).state == SlotState.UNAVAILABLE
        day = next_weekday(today, weeks_ahead=2)
        LotteryRound.objects.create(
            municipality=kasama,
            facility=gym.facility,
            month=day.replace(day=1),
            entry_opens_at=now - dt.timedelta(days=2),
            entry_closes_at=now + dt.timedelta(days=1),
            draw_at=now + dt.timedelta(days=2),
            confirm_until=now + dt.timedelta(days=9),
            seed="0" * 64,
            seed_commitment="1" * 64,
        )
        assert slot_availability(gym.whole, day, gym.morning).state == SlotState.LOTTERY
