"""施設の利用統計: 利用率 from the occupancy grid and the calendar (closed days and
temporary closures are not available time, cancelled bookings are not booked), counts by
source, cancellations and no-shows, and the console screen (permission, filters, heat map
tables with the number in every cell, CSV, tenant isolation)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from madoguchi.accounts.models import Role
from madoguchi.core.models import Municipality
from madoguchi.core.tenancy import municipality_scope
from madoguchi.facilities.models import (
    Booking,
    BookingSource,
    BookingStatus,
    CancelReason,
    Closure,
    Slot,
    Unit,
)
from madoguchi.facilities.services import occupancy, statistics
from madoguchi.testing.factories import make_staff
from madoguchi.testing.tenancy import TenantIsolation, TenantPair, sign_in

from .factories import Gym, make_gym

pytestmark = pytest.mark.django_db

# A week without holidays: Monday 1 March 2027 to Sunday 7 March.
MONDAY = dt.date(2027, 3, 1)
SUNDAY = dt.date(2027, 3, 7)
PER_DAY = 42  # two spaces × (6 午前 + 8 午後 + 7 夜間) half hours


def day(offset: int) -> dt.date:
    return MONDAY + dt.timedelta(days=offset)


def book(unit: Unit, slot: Slot, date: dt.date, **fields: Any) -> Booking:
    with municipality_scope(unit.municipality):
        return occupancy.place_booking(
            unit=unit, slot=slot, date=date, **{"source": BookingSource.FIRST_COME, **fields}
        )


@pytest.fixture
def gym(kasama: Municipality) -> Gym:
    gym = make_gym(kasama, name_ja="笠間市民体育館")
    book(gym.whole, gym.morning, day(2))  # Wednesday 午前: 12 cells, all there are
    book(gym.half_a, gym.afternoon, day(3), source=BookingSource.COUNTER)  # Thursday 午後: 8 of 16
    book(gym.half_a, gym.night, day(1), status=BookingStatus.NO_SHOW, source=BookingSource.PRIORITY)  # 7
    book(gym.half_b, gym.night, day(1), status=BookingStatus.CHECKED_IN)  # 7
    cancelled = book(gym.whole, gym.afternoon, day(0))
    occupancy.release(cancelled)
    Booking.objects.filter(pk=cancelled.pk).update(status=BookingStatus.CANCELLED, cancel_reason=CancelReason.BY_USER)
    # Friday closed all day; Saturday evening half B closed.
    Closure.objects.create(
        municipality=kasama, facility=gym.facility, starts_on=day(4), ends_on=day(4), reason_ja="点検"
    )
    evening = Closure.objects.create(
        municipality=kasama,
        facility=gym.facility,
        starts_on=day(5),
        ends_on=day(5),
        starts_at=dt.time(18),
        ends_at=dt.time(21, 30),
        reason_ja="照明工事",
    )
    evening.units.set([gym.half_b])
    return gym


def test_utilisation_counts_open_time_and_booked_cells(kasama: Municipality, gym: Gym) -> None:
    usage = statistics.utilisation(kasama, start=MONDAY, end=SUNDAY)
    assert usage.total.available == 7 * PER_DAY - PER_DAY - 7
    assert usage.total.booked == 12 + 8 + 7 + 7
    month = dt.date(2027, 3, 1)
    assert usage.cell(gym.facility.pk, month).booked == 34
    wednesday_morning = usage.by_weekday_time[(2, 0)]
    assert (wednesday_morning.available, wednesday_morning.booked, wednesday_morning.percent) == (12, 12, 100)
    assert wednesday_morning.level == 5
    assert usage.by_weekday_time[(3, 1)].percent == 50
    assert usage.by_weekday_time[(4, 0)].available == 0
    assert usage.by_weekday_time[(4, 0)].percent is None
    assert usage.by_weekday_time[(5, 2)].available == 7
    assert usage.by_weekday_time[(0, 1)].booked == 0


def test_regular_closed_days_are_not_available(kasama: Municipality) -> None:
    closed_mondays = make_gym(kasama, closed_weekdays="0")
    usage = statistics.utilisation(kasama, start=MONDAY, end=SUNDAY, facilities=[closed_mondays.facility])
    assert usage.total.available == 6 * PER_DAY
    assert usage.by_weekday_time.get((0, 0), statistics.Tally()).available == 0
    assert [f.pk for f in usage.facilities] == [closed_mondays.facility.pk]


def test_booked_cells_are_counted_in_one_query(kasama: Municipality, gym: Gym) -> None:
    with CaptureQueriesContext(connection) as queries:
        rows = list(statistics.booked_cells(kasama, MONDAY, SUNDAY, [gym.facility.pk]))
    assert len(queries) == 1
    assert sum(row["count"] for row in rows) == 34


def test_counts_by_source_cancellations_and_no_shows(kasama: Municipality, gym: Gym) -> None:
    counts = statistics.booking_counts(kasama, start=MONDAY, end=SUNDAY)
    by_source = {row.source: row for row in counts.by_source}
    assert by_source[BookingSource.FIRST_COME].bookings == 2
    assert by_source[BookingSource.FIRST_COME].cancelled == 1
    assert by_source[BookingSource.FIRST_COME].checked_in == 1
    assert by_source[BookingSource.COUNTER].bookings == 1
    assert by_source[BookingSource.PRIORITY].no_shows == 1
    assert by_source[BookingSource.LOTTERY].bookings == 0
    assert (counts.total.bookings, counts.total.cancelled, counts.total.no_shows) == (4, 1, 1)
    facility = counts.by_facility[0]
    assert facility.no_show_percent == 50
    assert {value: count for value, _label, count in counts.cancel_reasons}[CancelReason.BY_USER] == 1


def test_other_municipalities_are_not_counted(kasama: Municipality, mito: Municipality, gym: Gym) -> None:
    theirs = make_gym(mito)
    book(theirs.whole, theirs.morning, day(0))
    usage = statistics.utilisation(kasama, start=MONDAY, end=SUNDAY)
    assert [f.pk for f in usage.facilities] == [gym.facility.pk]
    assert usage.total.booked == 34


def test_the_screen(client: Client, kasama: Municipality, gym: Gym) -> None:
    url = reverse("facilities-statistics:index")
    sign_in(client, make_staff(kasama, Role.COUNTER_CLERK))
    refused = client.get(url)
    assert refused.status_code in (302, 403)
    sign_in(client, make_staff(kasama, Role.OFFICER))
    page = client.get(url, {"start": MONDAY.isoformat(), "end": SUNDAY.isoformat()})
    assert page.status_code == 200
    body = page.content.decode()
    assert "笠間市民体育館" in body
    assert '<td class="fac-heat fac-heat--5">100%</td>' in body
    assert '<td class="fac-heat fac-heat---1">－</td>' in body
    assert "<caption>" in body
    bad = client.get(url, {"start": SUNDAY.isoformat(), "end": MONDAY.isoformat()})
    assert "終了日は開始日と同じかそれより後にしてください。" in bad.content.decode()


def test_csv_exports(client: Client, kasama: Municipality, gym: Gym) -> None:
    sign_in(client, make_staff(kasama, Role.OFFICER))
    url = reverse("facilities-statistics:index")
    period: dict[str, Any] = {"start": MONDAY.isoformat(), "end": SUNDAY.isoformat(), "facilities": [gym.facility.pk]}
    months = client.get(url, {**period, "export": "utilisation"})
    assert months["Content-Type"].startswith("text/csv")
    text = months.content.decode()
    assert text.startswith("\ufeff")
    assert "笠間市民体育館,2027-03,245,34,14" in text
    times = client.get(url, {**period, "export": "times"}).content.decode()
    assert "水,午前,12,12,100" in times
    bookings = client.get(url, {**period, "export": "bookings"}).content.decode()
    assert "笠間市民体育館,4,1,1,1" in bookings


def test_isolation(client: Client, two_municipalities: TenantPair) -> None:
    home, other = two_municipalities.home, two_municipalities.other
    make_gym(home.municipality)
    make_gym(other.municipality, name_ja="水戸の秘密体育館")
    iso = TenantIsolation(client, two_municipalities)
    iso.assert_page_excludes("/staff/facilities/statistics/", as_user=home.staff, markers=["水戸の秘密体育館"])
    iso.assert_page_excludes(
        "/staff/facilities/statistics/?export=utilisation", as_user=home.staff, markers=["水戸の秘密体育館"]
    )
