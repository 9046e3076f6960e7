"""The occupancy grid: two bookings of a space at one moment are impossible, whether the
units are the same or overlap (a half and the whole floor), and the database says so even
when the code's own check is skipped."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction

from madoguchi.core.models import Municipality
from madoguchi.core.tenancy import municipality_scope
from madoguchi.facilities.models import Booking, BookingSource, Occupancy
from madoguchi.facilities.services import occupancy
from madoguchi.facilities.services.occupancy import SlotTakenError

from .factories import make_gym, make_registration, next_weekday


def test_same_unit_twice_is_refused(kasama: Municipality) -> None:
    gym = make_gym(kasama)
    day = next_weekday()
    first = occupancy.place_booking(unit=gym.whole, slot=gym.morning, date=day, source=BookingSource.FIRST_COME)
    assert first.number.startswith("F")
    with pytest.raises(SlotTakenError) as caught:
        occupancy.place_booking(unit=gym.whole, slot=gym.morning, date=day, source=BookingSource.FIRST_COME)
    assert "先に予約" in caught.value.message
    with municipality_scope(kasama):
        assert Booking.objects.count() == 1
        assert Occupancy.objects.filter(booking=first).count() == 2 * 6  # two spaces × six half hours


def test_halves_are_independent_but_the_whole_overlaps_both(kasama: Municipality) -> None:
    gym = make_gym(kasama)
    day = next_weekday()
    occupancy.place_booking(unit=gym.half_a, slot=gym.afternoon, date=day, source=BookingSource.FIRST_COME)
    occupancy.place_booking(unit=gym.half_b, slot=gym.afternoon, date=day, source=BookingSource.FIRST_COME)
    with pytest.raises(SlotTakenError):
        occupancy.place_booking(unit=gym.whole, slot=gym.afternoon, date=day, source=BookingSource.FIRST_COME)
    # Another slot of the same day is free.
    occupancy.place_booking(unit=gym.whole, slot=gym.night, date=day, source=BookingSource.FIRST_COME)


def test_database_refuses_an_overlap_the_code_did_not_check(
    kasama: Municipality, monkeypatch: pytest.MonkeyPatch
) -> None:
    gym = make_gym(kasama)
    day = next_weekday()
    occupancy.place_booking(unit=gym.whole, slot=gym.morning, date=day, source=BookingSource.FIRST_COME)
    # Two requests that both passed the check before either wrote: only the index is left.
    monkeypatch.setattr(occupancy, "is_free", lambda *args: True)
    with pytest.raises(SlotTakenError):
        occupancy.place_booking(unit=gym.half_b, slot=gym.morning, date=day, source=BookingSource.FIRST_COME)
    with municipality_scope(kasama):
        assert Booking.objects.count() == 1
        booking = Booking.objects.get()
        with pytest.raises(IntegrityError), transaction.atomic():
            Occupancy.objects.create(municipality=kasama, booking=booking, space=gym.space_a, date=day, cell=18)


def test_same_request_key_books_once(kasama: Municipality) -> None:
    gym = make_gym(kasama)
    registration = make_registration(kasama)
    day = next_weekday()
    kwargs = {"unit": gym.half_a, "slot": gym.morning, "date": day, "source": BookingSource.FIRST_COME}
    first = occupancy.place_booking(registration=registration, request_key="k-1", **kwargs)
    again = occupancy.place_booking(registration=registration, request_key="k-1", **kwargs)
    assert again.pk == first.pk


def test_release_frees_the_cells(kasama: Municipality) -> None:
    gym = make_gym(kasama)
    day = next_weekday()
    booking = occupancy.place_booking(unit=gym.whole, slot=gym.morning, date=day, source=BookingSource.FIRST_COME)
    with municipality_scope(kasama):
        assert occupancy.release(booking) == 12
    occupancy.place_booking(unit=gym.half_a, slot=gym.morning, date=day, source=BookingSource.FIRST_COME)
