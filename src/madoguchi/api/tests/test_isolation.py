"""Tenant isolation through the API and the pages that exist: Kasama cannot reach Mito."""

from __future__ import annotations

import pytest
from django.test import Client

from madoguchi.api import services
from madoguchi.api.models import ApiToken
from madoguchi.core import services as core_services
from madoguchi.testing.tenancy import TenantIsolation, TenantPair

from .conftest import sign_in_staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def mito_department(two_municipalities: TenantPair):
    return core_services.create_department(
        two_municipalities.other.municipality, code="mito-kikaku", name_ja="水戸企画課", name_en="Mito Planning"
    )


def test_kasama_token_is_refused_everywhere_under_mito(client: Client, two_municipalities: TenantPair) -> None:
    home, other = two_municipalities.home, two_municipalities.other
    iso = TenantIsolation(client, two_municipalities)
    for endpoint in ("me/", "departments/", "departments/mito-kikaku/"):
        iso.assert_api_cross_tenant_refused(f"/api/v1/{other.slug}/{endpoint}", token=home.token)
    # Refused as a token of the wrong municipality, not as a missing one.
    response = client.get(f"/api/v1/{other.slug}/me/", HTTP_AUTHORIZATION=f"Bearer {home.token}")
    assert response.status_code == 403
    # The same token works at home.
    assert client.get(f"/api/v1/{home.slug}/me/", HTTP_AUTHORIZATION=f"Bearer {home.token}").status_code == 200


def test_kasama_token_cannot_see_a_mito_department_by_code(
    client: Client, two_municipalities: TenantPair, mito_department
) -> None:
    home = two_municipalities.home
    iso = TenantIsolation(client, two_municipalities)
    iso.assert_api_unreachable(f"/api/v1/{home.slug}/departments/mito-kikaku/", obj=mito_department, token=home.token)
    listed = client.get(f"/api/v1/{home.slug}/departments/?limit=200", HTTP_AUTHORIZATION=f"Bearer {home.token}")
    assert listed.status_code == 200
    codes = {d["code"] for d in listed.json()["results"]}
    assert codes
    assert "mito-kikaku" not in codes
    # Mito's own token sees it: the 404 above is isolation, not a missing row.
    other = two_municipalities.other
    own = client.get(f"/api/v1/{other.slug}/departments/mito-kikaku/", HTTP_AUTHORIZATION=f"Bearer {other.token}")
    assert own.status_code == 200
    assert own.json()["name_ja"] == "水戸企画課"


def test_me_never_mixes_municipalities(client: Client, two_municipalities: TenantPair) -> None:
    for tenant in (two_municipalities.home, two_municipalities.other):
        me = client.get(f"/api/v1/{tenant.slug}/me/", HTTP_AUTHORIZATION=f"Bearer {tenant.token}").json()
        assert me["municipality"]["slug"] == tenant.slug
        assert me["account"]["email"] == tenant.staff.email


def test_kasama_home_page_shows_nothing_of_mito(
    client: Client, two_municipalities: TenantPair, mito_department
) -> None:
    home, other = two_municipalities.home, two_municipalities.other
    iso = TenantIsolation(client, two_municipalities)
    markers = [other.municipality.name_ja, other.municipality.name_en, "水戸企画課"]
    iso.assert_page_excludes(f"/{home.slug}/", as_user=None, markers=markers)
    iso.assert_page_excludes(f"/en/{home.slug}/", as_user=None, markers=markers)


def test_token_console_shows_and_reaches_only_its_own_municipality(
    client: Client, two_municipalities: TenantPair
) -> None:
    home, other = two_municipalities.home, two_municipalities.other
    mito_token = ApiToken.unscoped.get(municipality=other.municipality)
    services.issue_token(municipality=other.municipality, user=other.staff, name="水戸の連携")
    iso = TenantIsolation(client, two_municipalities)
    # Kasama's administrator (the pair's staff hold every role).
    iso.assert_page_excludes("/staff/api-tokens/", as_user=home.staff, markers=["水戸の連携", mito_token.key_prefix])
    iso.assert_unreachable(f"/staff/api-tokens/{mito_token.pk}/revoke/", obj=mito_token, as_user=home.staff)
    # The same screen as Mito's administrator does show it: the page above was not empty by accident.
    sign_in_staff(client, other.staff)
    assert "水戸の連携" in client.get("/staff/api-tokens/").content.decode()
