"""The race for one slot: many residents press 予約する at the same moment.

200 threads, each with its own database connection and its own approved registration,
wait at a barrier and then call `bookings.book` for the same slot together. Exactly one
booking is made; every other attempt gets `SlotTakenError` with its clear message; one
Booking and its occupancy rows exist. The same test runs on SQLite (the default run) and
on PostgreSQL (`DATABASE_URL=postgres://…`; the CI runs the suite on both).

PostgreSQL allows `max_connections` (100 by default) connections, some of them already
used (the test's own, other sessions). The number of connections open at once is bounded
by a semaphore sized from `SHOW max_connections` minus the connections in use minus a
margin: all 200 attempts are started together and still race, at most N of them hold a
connection at the same moment. SQLite has no such limit (the writes are serialised by
its lock; `transaction_mode=IMMEDIATE` and the busy timeout make the others wait).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from typing import Any

import pytest
from django.db import close_old_connections, connection

from madoguchi.core.models import Municipality
from madoguchi.facilities.models import Booking, BookingStatus, Occupancy, Registration, Slot, Unit
from madoguchi.facilities.services import bookings
from madoguchi.facilities.services.occupancy import SlotTakenError
from madoguchi.testing.factories import UserFactory

from .factories import make_gym, make_registration, next_weekday

#: Connections left free on PostgreSQL for everything else (the test's own, the server's).
CONNECTION_MARGIN = 10


def connection_limit() -> int | None:
    """How many threads may hold a database connection at once (None: no limit)."""
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SHOW max_connections")
        maximum = int(cursor.fetchone()[0])
        cursor.execute("SELECT count(*) FROM pg_stat_activity")
        in_use = int(cursor.fetchone()[0])
    return max(2, maximum - in_use - CONNECTION_MARGIN)


def registrations(municipality: Municipality, count: int) -> list[Registration]:
    users = UserFactory.create_batch(count)
    return [make_registration(municipality, user=user, max_active_bookings=10) for user in users]


def race(attempts: list[Callable[[], Booking]]) -> tuple[list[Booking], list[SlotTakenError], list[BaseException]]:
    """Run the attempts together (a barrier releases them at once), each thread with its
    own connection, at most `connection_limit()` connections open at once."""
    limit = connection_limit()
    gate: Any = threading.BoundedSemaphore(limit) if limit else None
    barrier = threading.Barrier(len(attempts))
    won: list[Booking] = []
    lost: list[SlotTakenError] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def run(attempt: Callable[[], Booking]) -> None:
        try:
            barrier.wait(timeout=120)
            holding: AbstractContextManager[Any] = gate if gate is not None else nullcontext()
            with holding:
                try:
                    booking = attempt()
                    with lock:
                        won.append(booking)
                except SlotTakenError as taken:
                    with lock:
                        lost.append(taken)
                finally:
                    # Each thread's own connection, closed before the semaphore lets the
                    # next thread open one.
                    close_old_connections()
                    connection.close()
        except BaseException as error:  # noqa: BLE001 - reported by the test
            with lock:
                errors.append(error)

    threads = [threading.Thread(target=run, args=(attempt,)) for attempt in attempts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return won, lost, errors


def attempt_for(registration: Registration, unit: Unit, slot: Slot, day: Any) -> Callable[[], Booking]:
    def attempt() -> Booking:
        return bookings.book(
            registration=registration, unit=unit, day=day, slot=slot, actor=registration.user, purpose="練習"
        )

    return attempt


@pytest.mark.django_db(transaction=True)
def test_200_residents_race_for_one_slot_and_one_wins(kasama: Municipality) -> None:
    gym = make_gym(kasama)
    day = next_weekday()
    people = registrations(kasama, 200)
    won, lost, errors = race([attempt_for(r, gym.whole, gym.morning, day) for r in people])
    assert errors == []
    assert len(won) == 1
    assert len(lost) == 199
    assert {error.code for error in lost} == {"slot_taken"}
    assert all("ほかの方が先に予約しました" in error.message for error in lost)
    assert Booking.objects.filter(unit=gym.whole, date=day).count() == 1
    booking = Booking.objects.get(unit=gym.whole, date=day)
    assert booking.status == BookingStatus.CONFIRMED
    assert booking.pk == won[0].pk
    assert booking.number.startswith("F")
    assert Occupancy.objects.filter(date=day).count() == 2 * 6  # both halves × six half hours
    assert Occupancy.objects.filter(date=day).exclude(booking=booking).count() == 0


@pytest.mark.django_db(transaction=True)
def test_whole_floor_against_a_half_one_of_the_overlapping_wins(kasama: Municipality) -> None:
    gym = make_gym(kasama)
    day = next_weekday()
    people = registrations(kasama, 40)
    attempts = [
        attempt_for(r, gym.whole if n % 2 == 0 else gym.half_a, gym.afternoon, day) for n, r in enumerate(people)
    ]
    won, lost, errors = race(attempts)
    assert errors == []
    assert len(won) == 1
    assert len(lost) == 39
    kept = Booking.objects.filter(date=day)
    assert kept.count() == 1
    cells = 2 * 8 if kept.get().unit_id == gym.whole.pk else 8
    assert Occupancy.objects.filter(date=day).count() == cells
    # The other half is still free exactly when the winner was the half.
    if kept.get().unit_id == gym.half_a.pk:
        other = bookings.book(
            registration=people[0], unit=gym.half_b, day=day, slot=gym.afternoon, actor=people[0].user
        )
        assert other.status == BookingStatus.CONFIRMED
