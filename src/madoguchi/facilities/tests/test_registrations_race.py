"""Card numbers under concurrency: clerks approving at the same moment never give the same
登録番号 (the counter row is locked), and a registration approved by two clerks at once gets
one number and one e-mail. Threads with their own connections; runs on SQLite (IMMEDIATE
transactions and the busy timeout serialise writers) and on PostgreSQL (row locks)."""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import close_old_connections, connection

from madoguchi.core.models import Municipality
from madoguchi.core.tenancy import municipality_scope
from madoguchi.facilities.models import Registration, RegistrationCounter, RegistrationStatus
from madoguchi.facilities.services import registrations as service
from madoguchi.notifications.models import OutboundMessage
from madoguchi.testing.factories import make_staff

from .factories import RegistrationFactory

pytestmark = pytest.mark.django_db(transaction=True)


def _together(calls: list[Callable[[], Any]]) -> list[BaseException]:
    barrier = threading.Barrier(len(calls))
    errors: list[BaseException] = []

    def run(call: Callable[[], Any]) -> None:
        try:
            barrier.wait()
            call()
        except BaseException as error:  # noqa: BLE001 - reported by the test
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    close_old_connections()
    return errors


def test_simultaneous_approvals_give_distinct_numbers(kasama: Municipality) -> None:
    clerk = make_staff(kasama, "counter_clerk")
    pending = [
        RegistrationFactory.create(municipality=kasama, status=RegistrationStatus.PENDING, card_number="")
        for _ in range(10)
    ]
    errors = _together([functools.partial(service.approve, r, actor=clerk) for r in pending])
    assert errors == []
    with municipality_scope(kasama):
        numbers = sorted(Registration.objects.values_list("card_number", flat=True))
        assert RegistrationCounter.objects.get(municipality=kasama).last == 10
    assert numbers == [f"G{n:06d}" for n in range(1, 11)]


def test_one_registration_approved_twice_at_once(kasama: Municipality) -> None:
    clerks = [make_staff(kasama, "counter_clerk") for _ in range(4)]
    registration = RegistrationFactory.create(municipality=kasama, status=RegistrationStatus.PENDING, card_number="")
    errors = _together([functools.partial(service.approve, registration, actor=c) for c in clerks])
    assert errors == []
    with municipality_scope(kasama):
        registration.refresh_from_db()
        assert RegistrationCounter.objects.get(municipality=kasama).last == 1
    assert registration.card_number == "G000001"
    assert OutboundMessage.unscoped.filter(template_key="facilities/registration_approve").count() == 1
