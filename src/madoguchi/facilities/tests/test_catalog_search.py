"""The availability search service: free slots only, filters (kind, area, time of day,
capacity), the booking window cut, a few queries per facility, and the deployment-wide
search in each municipality's own scope."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from madoguchi.core.models import Municipality
from madoguchi.core.tenancy import municipality_scope
from madoguchi.facilities.models import BookingSource, Closure, FacilityKind, TimeOfDay
from madoguchi.facilities.services import occupancy
from madoguchi.facilities.services.search import SLOTS_PER_RESULT, booking_window, search_availability

from .factories import make_gym, next_weekday

pytestmark = pytest.mark.django_db


def _by_unit(results: list) -> dict[str, object]:
    return {result.unit.slug: result for result in results}


def test_free_slots_of_one_day(kasama: Municipality) -> None:
    gym = make_gym(kasama)
    day = next_weekday()
    occupancy.place_booking(unit=gym.half_a, slot=gym.morning, date=day, source=BookingSource.FIRST_COME)
    results = _by_unit(search_availability([kasama], start=day, end=day))
    # The whole floor shares half A: its morning is taken too.
    assert results["whole"].free_count == 2  # type: ignore[attr-defined]
    assert results["half-a"].free_count == 2  # type: ignore[attr-defined]
    assert results["half-b"].free_count == 3  # type: ignore[attr-defined]
    assert [a.slot for a in results["whole"].free_slots] == [gym.afternoon, gym.night]  # type: ignore[attr-defined]
    assert all(a.bookable for r in results.values() for a in r.free_slots)  # type: ignore[attr-defined]


def test_filters(kasama: Municipality) -> None:
    gym = make_gym(kasama, area_ja="友部地区")
    make_gym(kasama, kind=FacilityKind.COMMUNITY_HALL, area_ja="笠間地区")
    day = next_weekday()
    assert {r.facility for r in search_availability([kasama], start=day, end=day, kinds=[FacilityKind.GYM])} == {
        gym.facility
    }
    assert {r.facility for r in search_availability([kasama], start=day, end=day, areas=["友部地区"])} == {gym.facility}
    nights = search_availability([kasama], start=day, end=day, time_of_day=[TimeOfDay.NIGHT], kinds=["gym"])
    assert {a.slot for r in nights for a in r.free_slots} == {gym.night}
    big = search_availability([kasama], start=day, end=day, min_capacity=60, kinds=["gym"])
    assert [r.unit for r in big] == [gym.whole]
    assert search_availability([kasama], start=day, end=day, min_capacity=500) == []


def test_closed_days_booking_window_and_unpublished(kasama: Municipality) -> None:
    today = timezone.localdate()
    gym = make_gym(kasama, booking_horizon_days=20, closed_weekdays="2")
    day = next_weekday(today, weekday=2)  # a Wednesday: closed
    assert search_availability([kasama], start=day, end=day) == []
    far = next_weekday(today, weekday=3, weeks_ahead=6)  # beyond the 20 days
    assert search_availability([kasama], start=far, end=far) == []
    assert booking_window(gym.facility, today, today + dt.timedelta(days=365), today) == (
        today + dt.timedelta(days=1),
        today + dt.timedelta(days=20),
    )
    thursday = next_weekday(today, weekday=3, weeks_ahead=1)
    with municipality_scope(kasama):
        Closure.objects.create(
            municipality=kasama, facility=gym.facility, starts_on=thursday, ends_on=thursday, reason_ja="点検"
        )
    assert search_availability([kasama], start=thursday, end=thursday) == []
    friday = thursday + dt.timedelta(days=1)
    assert search_availability([kasama], start=friday, end=friday)
    gym.facility.is_published = False
    gym.facility.save()
    assert search_availability([kasama], start=friday, end=friday) == []


def test_results_keep_the_first_slots_and_count_the_rest(kasama: Municipality) -> None:
    make_gym(kasama)
    start = next_weekday()
    results = search_availability([kasama], start=start, end=start + dt.timedelta(days=6), limit=2)
    assert len(results) == 2
    assert len(results[0].free_slots) == SLOTS_PER_RESULT
    assert results[0].free_count > SLOTS_PER_RESULT
    assert results[0].more_count == results[0].free_count - SLOTS_PER_RESULT
    days = [a.date for a in results[0].free_slots]
    assert days == sorted(days)


def test_queries_do_not_grow_with_days(kasama: Municipality) -> None:
    for _n in range(3):
        make_gym(kasama)
    start = next_weekday()
    with CaptureQueriesContext(connection) as week:
        search_availability([kasama], start=start, end=start + dt.timedelta(days=6))
    with CaptureQueriesContext(connection) as year:
        search_availability([kasama], start=start, end=start + dt.timedelta(days=365))
    assert len(year.captured_queries) == len(week.captured_queries)
    # Units, spaces and slots once; then occupancy, closures and rounds per facility.
    assert len(week.captured_queries) <= 4 + 3 * 5


def test_every_municipality_in_its_own_scope(kasama: Municipality, mito: Municipality) -> None:
    ours = make_gym(kasama)
    theirs = make_gym(mito)
    day = next_weekday()
    results = search_availability([kasama, mito], start=day, end=day)
    assert {(r.municipality, r.facility) for r in results} == {(kasama, ours.facility), (mito, theirs.facility)}
    assert [r.municipality for r in results] == sorted((r.municipality for r in results), key=lambda m: m.pk)
    assert {r.facility for r in search_availability([kasama], start=day, end=day)} == {ours.facility}
