"""The counter's services: booking on a resident's behalf or for a holder (fee, invoice,
cash at the counter, double submit), block bookings (skipped days, one key, cancelling
the block), check-in and no-shows (when they are allowed, idempotent, audited)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from madoguchi.audit.models import AuditEntry
from madoguchi.core.models import Municipality
from madoguchi.core.tenancy import municipality_scope
from madoguchi.facilities.models import Booking, BookingSource, BookingStatus, Closure, Occupancy
from madoguchi.facilities.services import counter
from madoguchi.facilities.services.occupancy import BookingError, SlotTakenError, place_booking
from madoguchi.testing.factories import make_staff

from .factories import make_gym, make_registration, next_weekday

pytestmark = pytest.mark.django_db


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


def test_book_for_a_registration_computes_the_fee_and_issues_an_invoice(kasama: Municipality) -> None:
    gym = make_gym(kasama)
    staff = make_staff(kasama, "counter_clerk")
    registration = make_registration(kasama)
    day = next_weekday()
    with municipality_scope(kasama):
        booking = counter.book_for(
            unit=gym.whole, day=day, slot=gym.morning, actor=staff, registration=registration, purpose="練習"
        )
        assert booking.source == BookingSource.COUNTER
        assert booking.fee_amount == 2000
        assert booking.registration == registration
        assert booking.invoice_number
        assert booking.paid_at is None


def test_cash_at_the_counter_marks_the_booking_paid(kasama: Municipality) -> None:
    gym = make_gym(kasama)
    staff = make_staff(kasama, "counter_clerk")
    day = next_weekday()
    with municipality_scope(kasama):
        booking = counter.book_for(
            unit=gym.half_a,
            day=day,
            slot=gym.night,
            actor=staff,
            holder_name="  笠間 太郎 ",
            resident_rate=False,
            extras=[gym.lighting],
            paid_at_counter=True,
        )
        assert booking.holder_name == "笠間 太郎"
        assert booking.registration is None
        assert booking.fee_amount == 2000 + 500  # half, non-resident, weekday + lighting
        booking.refresh_from_db()
        assert booking.paid_at is not None


def test_priority_booking_is_free_and_a_double_submit_books_once(kasama: Municipality) -> None:
    gym = make_gym(kasama)
    staff = make_staff(kasama, "counter_clerk")
    day = next_weekday()
    with municipality_scope(kasama):
        kwargs: dict[str, Any] = {
            "unit": gym.whole,
            "day": day,
            "slot": gym.afternoon,
            "actor": staff,
            "holder_name": "市民大会",
        }
        first = counter.book_for(source=BookingSource.PRIORITY, request_key="k1", **kwargs)
        again = counter.book_for(source=BookingSource.PRIORITY, request_key="k1", **kwargs)
        assert first.pk == again.pk
        assert first.fee_amount == 0
        assert first.invoice_number == ""
        with pytest.raises(SlotTakenError):
            counter.book_for(unit=gym.half_b, day=day, slot=gym.afternoon, actor=staff, holder_name="別の人")


def test_book_for_needs_a_holder_and_refuses_closed_days(kasama: Municipality) -> None:
    gym = make_gym(kasama)
    staff = make_staff(kasama, "counter_clerk")
    day = next_weekday()
    with municipality_scope(kasama):
        with pytest.raises(BookingError) as caught:
            counter.book_for(unit=gym.whole, day=day, slot=gym.morning, actor=staff)
        assert caught.value.code == "no_holder"
        Closure.objects.create(municipality=kasama, facility=gym.facility, starts_on=day, ends_on=day, reason_ja="点検")
        with pytest.raises(BookingError) as caught:
            counter.book_for(unit=gym.whole, day=day, slot=gym.morning, actor=staff, holder_name="山田")
        assert "点検" in caught.value.message
        suspended = make_registration(kasama, status="suspended")
        with pytest.raises(BookingError):
            counter.book_for(
                unit=gym.whole, day=day + dt.timedelta(days=1), slot=gym.morning, actor=staff, registration=suspended
            )


def test_book_for_checks_the_registration_when_booking(kasama: Municipality) -> None:
    """A registration must be usable at the moment of booking (`now`, like the other
    dates of `book_for`), as online; its validity may end before the use day."""
    gym = make_gym(kasama)
    staff = make_staff(kasama, "counter_clerk")
    today = timezone.localdate()
    day = next_weekday()
    expired = make_registration(kasama, valid_until=today - dt.timedelta(days=1))
    ending = make_registration(kasama, valid_until=day - dt.timedelta(days=1))
    with municipality_scope(kasama):
        with pytest.raises(BookingError) as caught:
            counter.book_for(unit=gym.half_a, day=day, slot=gym.morning, actor=staff, registration=expired)
        assert caught.value.code == "registration_not_usable"
        # Booked a week ago (a record entered later, the demo's history), it was usable then.
        booked = counter.book_for(
            unit=gym.half_a, day=day, slot=gym.morning, actor=staff, registration=expired,
            now=at(today - dt.timedelta(days=7), 10),
        )  # fmt: skip
        assert booked.registration == expired
        assert counter.book_for(unit=gym.half_b, day=day, slot=gym.morning, actor=staff, registration=ending).pk


def test_block_booking_skips_taken_and_closed_days(kasama: Municipality) -> None:
    # Open every day of the year: the test must not depend on holidays near today.
    gym = make_gym(kasama, year_end_closure=False, open_on_holidays=True)
    staff = make_staff(kasama, "counter_clerk")
    start = next_weekday(weekday=0)  # a Monday
    end = start + dt.timedelta(weeks=4, days=-1)
    with municipality_scope(kasama):
        wednesdays = counter.block_days(start, end, [2])
        assert len(wednesdays) == 4
        taken = place_booking(unit=gym.half_a, slot=gym.night, date=wednesdays[1], source=BookingSource.FIRST_COME)
        Closure.objects.create(
            municipality=kasama, facility=gym.facility, starts_on=wednesdays[2], ends_on=wednesdays[2], reason_ja="工事"
        )
        result = counter.block_book(
            unit=gym.whole,
            slot=gym.night,
            weekdays=[2],
            start=start,
            end=end,
            actor=staff,
            holder_name="市民バレーボール教室",
        )
        booked_days = [booking.date for booking in result.booked]
        skipped_days = [day for day, _reason in result.skipped]
        assert skipped_days == [wednesdays[1], wednesdays[2]]
        assert booked_days == [wednesdays[0], wednesdays[3]]
        assert dict(result.skipped)[wednesdays[2]] == "工事"
        assert all(b.block_key == result.block_key and b.source == BookingSource.BLOCK for b in result.booked)
        assert all(b.fee_amount == 0 for b in result.booked)
        assert Booking.objects.get(pk=taken.pk).status == BookingStatus.CONFIRMED


def test_block_booking_checks_its_input(kasama: Municipality) -> None:
    gym = make_gym(kasama)
    staff = make_staff(kasama, "counter_clerk")
    day = next_weekday()
    common: dict[str, Any] = {"unit": gym.whole, "slot": gym.night, "actor": staff, "holder_name": "教室"}
    with municipality_scope(kasama):
        with pytest.raises(BookingError):
            counter.block_book(weekdays=[], start=day, end=day, **common)
        with pytest.raises(BookingError):
            counter.block_book(weekdays=[2], start=day, end=day - dt.timedelta(days=1), **common)
        with pytest.raises(BookingError):
            counter.block_book(weekdays=[2], start=day, end=day + dt.timedelta(days=400), **common)


def test_cancel_block_cancels_every_booking_of_it(kasama: Municipality) -> None:
    from madoguchi.facilities.services import bookings

    if not hasattr(bookings, "cancel"):
        pytest.skip("bookings.cancel (part 3) is not there yet")
    gym = make_gym(kasama)
    staff = make_staff(kasama, "counter_clerk")
    start = next_weekday()
    with municipality_scope(kasama):
        result = counter.block_book(
            unit=gym.half_b,
            slot=gym.morning,
            weekdays=[start.weekday()],
            start=start,
            end=start + dt.timedelta(weeks=2),
            actor=staff,
            holder_name="教室",
        )
        assert result.booked
        cancelled = counter.cancel_block(result.block_key, actor=staff)
        assert len(cancelled) == len(result.booked)
        assert not Occupancy.objects.filter(booking__block_key=result.block_key).exists()
        assert set(Booking.objects.filter(block_key=result.block_key).values_list("status", flat=True)) == {
            BookingStatus.CANCELLED
        }


def test_check_in_only_on_the_day_and_once(kasama: Municipality) -> None:
    gym = make_gym(kasama)
    staff = make_staff(kasama, "counter_clerk")
    registration = make_registration(kasama)
    day = next_weekday()
    with municipality_scope(kasama):
        booking = place_booking(
            unit=gym.whole, slot=gym.afternoon, date=day, source=BookingSource.FIRST_COME, registration=registration
        )
        with pytest.raises(BookingError):
            counter.check_in(booking, staff, now=at(day - dt.timedelta(days=1), 13))
        with pytest.raises(BookingError):
            counter.check_in(booking, staff, now=at(day, 11, 30))  # more than an hour early
        done = counter.check_in(booking, staff, now=at(day, 12, 30))
        assert done.status == BookingStatus.CHECKED_IN
        assert done.checked_in_by == staff
        again = counter.check_in(booking, staff, now=at(day, 14))
        assert again.checked_in_at == done.checked_in_at
        entries = AuditEntry.objects.filter(
            object_type="facilities.booking", object_id=str(booking.pk), action="update"
        )
        assert entries.count() == 1
        assert entries.get().personal_data


def test_no_show_after_the_slot_and_not_for_a_checked_in_booking(kasama: Municipality) -> None:
    gym = make_gym(kasama)
    staff = make_staff(kasama, "counter_clerk")
    day = next_weekday()
    with municipality_scope(kasama):
        booking = place_booking(unit=gym.half_a, slot=gym.morning, date=day, source=BookingSource.COUNTER)
        used = place_booking(unit=gym.half_b, slot=gym.morning, date=day, source=BookingSource.COUNTER)
        counter.check_in(used, staff, now=at(day, 9))
        with pytest.raises(BookingError):
            counter.mark_no_show(booking, staff, now=at(day, 11))
        assert [b.pk for b in counter.no_show_candidates(day, now=at(day, 12, 30))] == [booking.pk]
        marked = counter.mark_no_show(booking, staff, now=at(day, 12, 30))
        assert marked.status == BookingStatus.NO_SHOW
        assert counter.mark_no_show(booking, staff, now=at(day, 13)).status == BookingStatus.NO_SHOW
        with pytest.raises(BookingError):
            counter.mark_no_show(used, staff, now=at(day, 13))
        assert counter.no_show_candidates(day, now=at(day, 13)) == []
