"""Property-based test of the whole API against its own OpenAPI document (schemathesis).

The document is loaded from the app itself (/api/v1/schema/ through WSGI, no network),
and every operation it lists is called with generated valid and invalid input, with the
token of a real staff member of Kasama, and checked with schemathesis' standard checks:
no server error, status codes and content types documented, bodies and headers conform
to the document, invalid input refused, authentication not ignored.

So that this is more than "the API answers 404 to random strings", tenant operations are
called in Kasama (the municipality of the token), and path parameters that have a known
value in `KNOWN_VALUES` are also called with it: every such operation must have answered
with a success at least once. An endpoint whose path takes an identifier adds an existing
one there (and creates it in `api_data`).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterator
from datetime import date
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
from madoguchi.api import services
from madoguchi.core.models import Department, Municipality
from madoguchi.payments import services as payment_services
from madoguchi.testing.factories import make_staff

from .conftest import IssuedToken

pytestmark = pytest.mark.django_db

EXAMPLES_PER_OPERATION = 15

KNOWN_INVOICE_NUMBER = "2520000000000010"

# Values that exist in `api_data`, by path template and parameter.
KNOWN_VALUES: dict[str, dict[str, str]] = {
    "/api/v1/{municipality_slug}/departments/{code}/": {"code": "soumu"},
    "/api/v1/municipalities/{slug}/": {"slug": "kasama"},
    "/api/v1/postal-codes/{code}/": {"code": "3091611"},
    # The first invoice of fiscal 2025 (手数料, item code 20) issued in `api_data`.
    "/api/v1/{municipality_slug}/invoices/{number}/": {"number": KNOWN_INVOICE_NUMBER},
    "/api/v1/{municipality_slug}/invoices/{number}/cancel/": {"number": KNOWN_INVOICE_NUMBER},
}


# Checks an operation is known to fail, e.g. {"GET /api/v1/…/": [positive_data_acceptance]}
# (from schemathesis.specs.openapi.checks), each with why: a bug to fix, then to remove here.
KNOWN_GAPS: dict[str, list[Any]] = {}


@pytest.fixture
def api_data(kasama: Municipality, mito: Municipality, soumu: Department) -> IssuedToken:
    """Kasama's data, and the token of a staff member holding every role (so that every
    operation has someone it allows)."""
    user = make_staff(kasama, *Role.values, email="integration@city.kasama.example")
    invoice = payment_services.create_invoice(
        municipality=kasama,
        item="fee",
        fiscal_year=2025,
        amount=300,
        due_date=date(2025, 6, 30),
        payer_name="笠間 太郎",
    )
    assert invoice.number == KNOWN_INVOICE_NUMBER
    token, raw = services.issue_token(municipality=kasama, user=user, name="schemathesis")
    return IssuedToken(token, raw, user)


@pytest.fixture
def wsgi_app() -> Iterator[WSGIHandler]:
    """The deployment's WSGI application, served in the test's database transaction: as
    Django's test client does, old connections are not closed at each request (that
    would close the test's own connection, on PostgreSQL)."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield WSGIHandler()
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


@pytest.fixture
def generous_rates(settings: Any) -> None:
    # Hundreds of calls in a few seconds: the rate limits have their own tests.
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"anon": "100000/min", "token": "100000/min"},
    }
    cache.clear()


def _fixed_path_parameters(path: str, *, known: bool) -> dict[str, str]:
    fixed: dict[str, str] = {}
    if "{municipality_slug}" in path:
        fixed["municipality_slug"] = "kasama"
    if known:
        fixed.update(KNOWN_VALUES.get(path, {}))
    return fixed


def _has_free_input(definition: dict[str, Any]) -> bool:
    """Whether invalid input can be made up: a parameter we do not fix, or a body."""
    names = {p["name"] for p in definition.get("parameters", [])} - {"municipality_slug"}
    return bool(names) or "requestBody" in definition


def _all_path_parameters_known(path: str) -> bool:
    return path in KNOWN_VALUES or path.count("{") == path.count("{municipality_slug}")


def test_api_conforms_to_its_openapi_document(
    api_data: IssuedToken, generous_rates: None, wsgi_app: WSGIHandler
) -> None:
    schema = schemathesis.openapi.from_wsgi("/api/v1/schema/", wsgi_app)
    auth = {"Authorization": f"Bearer {api_data.raw}"}
    statuses: dict[str, Counter[int]] = defaultdict(Counter)
    department_codes_seen: set[str] = set()
    skipped_negative: list[str] = []

    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 5, [op.label for op in operations]

    def run(operation: Any, mode: GenerationMode, known: bool) -> None:
        label = operation.label
        strategy = operation.as_strategy(
            generation_mode=mode,
            path_parameters=_fixed_path_parameters(operation.path, known=known),
            headers=auth,
        )

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
            case.validate_response(response, excluded_checks=KNOWN_GAPS.get(label, []))
            statuses[label][response.status_code] += 1
            if label.endswith("/departments/") and response.status_code == 200:
                department_codes_seen.update(d["code"] for d in response.json()["results"])

        try:
            call()
        except Unsatisfiable:
            # No invalid value exists for this operation's free parameters (e.g. a path
            # parameter that may be any string): nothing to refuse.
            if mode is not GenerationMode.NEGATIVE:
                raise
            skipped_negative.append(label)

    for operation in operations:
        run(operation, GenerationMode.POSITIVE, known=False)
        if _has_free_input(schema.raw_schema["paths"][operation.path][operation.method]):
            run(operation, GenerationMode.NEGATIVE, known=False)
        if _all_path_parameters_known(operation.path):
            run(operation, GenerationMode.POSITIVE, known=True)

    # Something real happened: with Kasama's token, Kasama's data came back …
    assert "soumu" in department_codes_seen
    # … and every operation whose path parameters are known answered with a success.
    for operation in operations:
        if _all_path_parameters_known(operation.path):
            assert any(200 <= code < 300 for code in statuses[operation.label]), (
                f"{operation.label} never succeeded: {dict(statuses[operation.label])}"
            )
    # Invalid input was produced and refused somewhere.
    assert any(code == 400 for counter in statuses.values() for code in counter)
