"""The facilities API: public facilities and availability across municipalities, the open
data rows as JSON, and the municipality's bookings for its own integrations (token,
permission, audit, isolation)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from madoguchi.accounts.models import Role
from madoguchi.api import services as api_services
from madoguchi.audit.models import AuditEntry
from madoguchi.core.models import Municipality
from madoguchi.core.tenancy import municipality_scope
from madoguchi.facilities import opendata
from madoguchi.facilities.models import BookingSource, Facility
from madoguchi.facilities.services import occupancy
from madoguchi.testing.factories import make_staff

from .factories import Gym, make_gym, make_registration, next_weekday

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_rate_limits() -> None:
    cache.clear()


@pytest.fixture
def gym(kasama: Municipality) -> Gym:
    return make_gym(kasama, slug="sogo-koen", name_ja="総合公園体育館", area_ja="笠間地区", closed_weekdays="0")


def _token(municipality: Municipality, *roles: str) -> dict[str, str]:
    user = make_staff(municipality, *roles)
    _token, raw = api_services.issue_token(municipality=municipality, user=user, name="test")
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def test_public_list_spans_municipalities_and_filters(client: Client, gym: Gym, mito: Municipality) -> None:
    other = make_gym(mito, slug="mito-gym", kind="gym", area_ja="水戸地区")
    with municipality_scope(mito):
        hidden = make_gym(mito, slug="hidden").facility
        Facility.objects.filter(pk=hidden.pk).update(is_published=False)
    body = client.get("/api/v1/facilities/").json()
    ids = [item["id"] for item in body["results"]]
    assert "kasama.sogo-koen" in ids
    assert f"mito.{other.facility.slug}" in ids
    assert "mito.hidden" not in ids
    only_kasama = client.get("/api/v1/facilities/?municipality=kasama").json()["results"]
    assert [item["id"] for item in only_kasama] == ["kasama.sogo-koen"]
    assert only_kasama[0]["closed_weekdays"] == [0]
    assert only_kasama[0]["opens_at"] == "09:00"
    assert client.get("/api/v1/facilities/?area=水戸地区").json()["count"] == 1
    assert client.get("/api/v1/facilities/?kind=pool").json()["count"] == 0
    refused = client.get("/api/v1/facilities/?kind=castle")
    assert refused.status_code == 400
    assert "kind" in refused.json()["error"]["fields"]


def test_detail_has_units_and_slots(client: Client, gym: Gym) -> None:
    response = client.get("/api/v1/facilities/kasama.sogo-koen/")
    assert response.status_code == 200
    body = response.json()
    assert body["name_ja"] == "総合公園体育館"
    units = {unit["slug"]: unit for unit in body["units"]}
    assert units["whole"]["spaces"] == ["a", "b"]
    assert [slot["starts_at"] for slot in units["whole"]["slots"]] == ["09:00", "13:00", "18:00"]
    assert client.get("/api/v1/facilities/mito.sogo-koen/").status_code == 404
    assert client.get("/api/v1/facilities/kasama.nothing/").status_code == 404


def test_availability_shows_booked_and_closed(client: Client, gym: Gym, kasama: Municipality) -> None:
    day = next_weekday()  # a Wednesday some weeks ahead
    occupancy.place_booking(unit=gym.half_a, slot=gym.morning, date=day, source=BookingSource.FIRST_COME)
    monday = day - dt.timedelta(days=2)
    response = client.get(f"/api/v1/facilities/kasama.sogo-koen/availability/?from={monday}&days=3")
    assert response.status_code == 200
    body = response.json()
    assert body["start"] == str(monday)
    assert body["end"] == str(day)
    states = {(s["unit"], s["date"], s["starts_at"]): s for s in body["slots"]}
    assert len(body["slots"]) == 3 * 3 * 3  # three units, three slots, three days
    assert states[("half-a", str(day), "09:00")]["state"] == "booked"
    # The whole floor shares the booked half: booked too; the other half is free.
    assert states[("whole", str(day), "09:00")]["state"] == "booked"
    free = states[("half-b", str(day), "09:00")]
    assert free["state"] == "free"
    assert free["bookable"]
    assert free["symbol"] == "○"
    closed = states[("whole", str(monday), "13:00")]
    if closed["state"] != "closed":  # a Monday holiday moves the closing to Tuesday
        closed = states[("whole", str(monday + dt.timedelta(days=1)), "13:00")]
    assert closed["state"] == "closed"
    assert closed["symbol"] == "休"
    one_unit = client.get(f"/api/v1/facilities/kasama.sogo-koen/availability/?from={day}&days=1&unit=half-b")
    assert [s["unit"] for s in one_unit.json()["slots"]] == ["half-b"] * 3


def test_availability_refuses_bad_parameters(client: Client, gym: Gym) -> None:
    base = "/api/v1/facilities/kasama.sogo-koen/availability/"
    for query, field in (("days=32", "days"), ("days=0", "days"), ("from=2026-02-30", "from"), ("unit=a%20b", "unit")):
        response = client.get(f"{base}?{query}")
        assert response.status_code == 400, query
        assert field in response.json()["error"]["fields"]
    assert client.get(f"{base}?unit=nothing").status_code == 404
    default = client.get(base).json()
    assert default["start"] == str(timezone.localdate())
    assert len({s["date"] for s in default["slots"]}) == 7


def test_public_facilities_open_data_json(client: Client, gym: Gym) -> None:
    body = client.get("/api/v1/facilities/public-facilities/?municipality=kasama").json()
    assert body["columns"] == list(opendata.COLUMNS)
    (row,) = body["results"]
    assert row["名称"] == "総合公園体育館"
    assert row["都道府県コード又は市区町村コード"] == "082163"
    assert len(client.get("/api/v1/facilities/public-facilities/").json()["results"]) == 1
    assert client.get("/api/v1/facilities/public-facilities/?municipality=atlantis").status_code == 404


def test_bookings_need_a_token_with_the_permission(client: Client, gym: Gym, kasama: Municipality) -> None:
    url = "/api/v1/kasama/facility-bookings/"
    assert client.get(url).status_code == 401
    # Every staff role that reads bookings; a role without it is refused.
    assert client.get(url, **_token(kasama, Role.COUNTER_CLERK)).status_code == 200


def test_bookings_list_detail_filters_and_audit(client: Client, gym: Gym, kasama: Municipality) -> None:
    registration = make_registration(kasama, name="笠間バドミントンクラブ", card_number="G0000042")
    day = next_weekday()
    booking = occupancy.place_booking(
        unit=gym.whole, slot=gym.night, date=day, source=BookingSource.FIRST_COME, registration=registration
    )
    occupancy.place_booking(
        unit=gym.whole, slot=gym.morning, date=day + dt.timedelta(days=1), source=BookingSource.PRIORITY,
        holder_name="市民体育祭",
    )  # fmt: skip
    auth = _token(kasama, Role.OFFICER)
    with municipality_scope(kasama):
        before = AuditEntry.objects.filter(object_type="facilities.booking").count()
    body = client.get("/api/v1/kasama/facility-bookings/", **auth).json()
    assert next(b["number"] for b in body["results"]) == booking.number
    assert body["results"][0]["holder"] == "笠間バドミントンクラブ"
    assert body["results"][0]["card_number"] == "G0000042"
    assert body["results"][1]["holder"] == "市民体育祭"
    filtered = client.get(f"/api/v1/kasama/facility-bookings/?date={day}&source=first_come", **auth).json()
    assert filtered["count"] == 1
    assert client.get("/api/v1/kasama/facility-bookings/?status=lost", **auth).status_code == 400
    assert client.get("/api/v1/kasama/facility-bookings/?date_from=tomorrow", **auth).status_code == 400
    detail = client.get(f"/api/v1/kasama/facility-bookings/{booking.number}/", **auth)
    assert detail.status_code == 200
    assert detail.json()["starts_at"] == "18:00"
    with municipality_scope(kasama):
        entries = AuditEntry.objects.filter(object_type="facilities.booking").order_by("sequence")
        assert entries.count() == before + 3
        assert entries.last().personal_data  # type: ignore[union-attr]


def test_bookings_are_isolated_by_municipality(
    client: Client, gym: Gym, kasama: Municipality, mito: Municipality
) -> None:
    booking = occupancy.place_booking(
        unit=gym.whole, slot=gym.night, date=next_weekday(), source=BookingSource.PRIORITY, holder_name="行事"
    )
    mito_auth = _token(mito, Role.OFFICER)
    # Mito's token in Kasama's URL is refused; in Mito's URL, Kasama's booking does not exist.
    assert client.get("/api/v1/kasama/facility-bookings/", **mito_auth).status_code == 403
    assert client.get("/api/v1/mito/facility-bookings/", **mito_auth).json()["count"] == 0
    assert client.get(f"/api/v1/mito/facility-bookings/{booking.number}/", **mito_auth).status_code == 404
