"""A smoke test of the facilities bench's data generator (bench/facilities.py): the
facilities it makes can be searched and drawn like any other. The bench itself is not run."""

from __future__ import annotations

import datetime as dt

import pytest

from bench import facilities as bench
from madoguchi.core.models import Municipality
from madoguchi.core.tenancy import municipality_scope
from madoguchi.facilities.models import Booking, Occupancy

pytestmark = pytest.mark.django_db


def test_bench_data_generator(kasama: Municipality) -> None:
    with municipality_scope(kasama):
        hourly = bench.make_facility(kasama, "bench-hourly", units=2, hourly=True)
        wishes = bench.wishes_of(hourly, dt.date(2027, 2, 1), 100)
        assert len(set(wishes)) == 100
        (gym,) = bench.search_data(kasama, 1, 5)
        assert gym.units.count() == 3
        assert Booking.objects.filter(facility=gym).exists()
        # Every booking is in the grid (no overlaps: the unique index would have refused them).
        assert Occupancy.objects.filter(booking__facility=gym).count() >= Booking.objects.filter(facility=gym).count()
