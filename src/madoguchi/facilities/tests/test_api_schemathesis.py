"""The facilities API against its OpenAPI document (schemathesis), as the API's own
`test_schemathesis` checks every operation, here with facilities and bookings to find:
each operation is called with generated valid and invalid input, and with the known
facility and booking, and must answer with a success for those.

The API's suite-wide test runs these operations too (with nothing to find, so they answer
404 or empty lists); this one makes sure the successes conform to the document.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core import signals
from django.core.cache import cache
from django.core.handlers.wsgi import WSGIHandler
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as hypothesis_settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode

from madoguchi.accounts.models import Role
from madoguchi.api import services as api_services
from madoguchi.core.models import Municipality
from madoguchi.facilities.models import BookingSource
from madoguchi.facilities.services import occupancy
from madoguchi.testing.factories import make_staff

from .factories import make_gym, make_registration, next_weekday

pytestmark = pytest.mark.django_db

EXAMPLES_PER_OPERATION = 15


@pytest.fixture
def wsgi_app() -> Iterator[WSGIHandler]:
    # As in madoguchi.api.tests.test_schemathesis: the test's own connection stays open.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield WSGIHandler()
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


@pytest.fixture
def generous_rates(settings: Any) -> None:
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"anon": "100000/min", "token": "100000/min"},
    }
    cache.clear()


def test_facilities_api_conforms_to_its_document(
    kasama: Municipality, generous_rates: None, wsgi_app: WSGIHandler
) -> None:
    gym = make_gym(kasama, slug="sogo-koen", closed_weekdays="0")
    registration = make_registration(kasama)
    day = next_weekday()
    booking = occupancy.place_booking(
        unit=gym.whole, slot=gym.night, date=day, source=BookingSource.FIRST_COME, registration=registration
    )
    occupancy.place_booking(
        unit=gym.half_a, slot=gym.morning, date=day, source=BookingSource.PRIORITY, holder_name="行事"
    )
    user = make_staff(kasama, *Role.values)
    _token, raw = api_services.issue_token(municipality=kasama, user=user, name="schemathesis")
    known: dict[str, dict[str, str]] = {
        "/api/v1/facilities/{id}/": {"id": "kasama.sogo-koen"},
        "/api/v1/facilities/{id}/availability/": {"id": "kasama.sogo-koen"},
        "/api/v1/{municipality_slug}/facility-bookings/{number}/": {"number": booking.number},
    }

    schema = schemathesis.openapi.from_wsgi("/api/v1/schema/", wsgi_app)
    auth = {"Authorization": f"Bearer {raw}"}
    statuses: dict[str, Counter[int]] = defaultdict(Counter)
    operations = [
        op
        for op in (result.ok() for result in schema.get_all_operations())
        if op.path.startswith("/api/v1/facilities/") or "/facility-bookings/" in op.path
    ]
    assert len(operations) == 6, [op.label for op in operations]

    known_query = {"/api/v1/facilities/public-facilities/": {"municipality": "kasama"}}

    def run(operation: Any, mode: GenerationMode, fixed: dict[str, str], query: dict[str, str] | None = None) -> None:
        strategy = operation.as_strategy(generation_mode=mode, path_parameters=fixed, headers=auth, query=query)

        @given(case=strategy)
        @hypothesis_settings(
            max_examples=EXAMPLES_PER_OPERATION,
            derandomize=True,
            database=None,
            deadline=None,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        def call(case: schemathesis.Case) -> None:
            response = case.call()
            case.validate_response(response)
            statuses[operation.label][response.status_code] += 1

        try:
            call()
        except Unsatisfiable:
            if mode is not GenerationMode.NEGATIVE:
                raise

    for operation in operations:
        tenant = {"municipality_slug": "kasama"} if "{municipality_slug}" in operation.path else {}
        run(operation, GenerationMode.POSITIVE, tenant)
        run(operation, GenerationMode.NEGATIVE, tenant)
        run(
            operation,
            GenerationMode.POSITIVE,
            {**tenant, **known.get(operation.path, {})},
            known_query.get(operation.path),
        )

    for operation in operations:
        assert any(200 <= code < 300 for code in statuses[operation.label]), (
            f"{operation.label} never succeeded: {dict(statuses[operation.label])}"
        )
    assert any(code == 400 for counter in statuses.values() for code in counter)
