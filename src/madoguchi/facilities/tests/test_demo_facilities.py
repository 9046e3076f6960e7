"""The facilities demo loaded through core's `load_demo`: Kasama's facilities, the demo
residents' registrations, past and upcoming bookings, an open and a drawn lottery — and a
second run creates nothing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from madoguchi.audit.models import AuditEntry
from madoguchi.core.demo.loader import load_demo
from madoguchi.facilities import demo
from madoguchi.facilities.models import (
    Booking,
    BookingSource,
    BookingStatus,
    Facility,
    LotteryEntry,
    LotteryRound,
    Occupancy,
    Registration,
    RegistrationStatus,
    RoundStatus,
    Unit,
)

pytestmark = pytest.mark.django_db


def _counts() -> tuple[int, ...]:
    return (
        Facility.unscoped.count(),
        Unit.unscoped.count(),
        Registration.unscoped.count(),
        Booking.unscoped.count(),
        Occupancy.unscoped.count(),
        LotteryRound.unscoped.count(),
        LotteryEntry.unscoped.count(),
        AuditEntry.objects.count(),
    )


def test_the_demo_loads_facilities_bookings_and_lotteries_once(
    tmp_path: Path, django_capture_on_commit_callbacks: Any
) -> None:
    lines: list[str] = []
    with django_capture_on_commit_callbacks(execute=True):
        load_demo(out=lines.append, token_path=tmp_path / "tokens.json")
    assert Facility.unscoped.count() == len(demo.FACILITIES) >= 8
    assert any(line.startswith("施設 / facilities") for line in lines)
    club = Registration.unscoped.get(name="笠間バドミントンクラブ")
    assert club.status == RegistrationStatus.APPROVED
    assert club.card_number
    assert Registration.unscoped.filter(status=RegistrationStatus.PENDING).exists()
    bookings = Booking.unscoped.all()
    assert bookings.filter(status=BookingStatus.CHECKED_IN).count() >= 4
    assert bookings.filter(status=BookingStatus.NO_SHOW).count() == 1
    assert bookings.filter(source=BookingSource.FIRST_COME).count() >= 8
    assert bookings.filter(source=BookingSource.PRIORITY).exists()
    statuses = set(LotteryRound.unscoped.values_list("status", flat=True))
    assert RoundStatus.OPEN in statuses
    assert statuses & {RoundStatus.DRAWN, RoundStatus.FINISHED}
    assert bookings.filter(source=BookingSource.LOTTERY).exists()
    assert LotteryEntry.unscoped.filter(draw_rank__isnull=False).exists()
    # Every booking that holds its slot is in the grid.
    for booking in bookings.filter(status__in=[BookingStatus.CONFIRMED, BookingStatus.PROVISIONAL]):
        assert Occupancy.unscoped.filter(booking=booking).exists(), booking.number

    before = _counts()
    with django_capture_on_commit_callbacks(execute=True):
        report = load_demo(token_path=tmp_path / "tokens.json")
    assert _counts() == before
    assert not report.created["facility"]
