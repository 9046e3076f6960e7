"""Tenant isolation of 利用者登録: from Kasama nothing of Mito's registrations can be seen or
changed — on the residents' pages and in the staff console — and the same addresses
answer for Kasama's own."""

from __future__ import annotations

import pytest
from django.test import Client

from madoguchi.core.tenancy import municipality_scope
from madoguchi.facilities.models import RegistrationStatus
from madoguchi.testing.tenancy import TenantIsolation, TenantPair, sign_in

from .factories import RegistrationFactory

pytestmark = pytest.mark.django_db


def test_nothing_of_another_municipality_is_reachable(two_municipalities: TenantPair, client: Client) -> None:
    home, other = two_municipalities.home, two_municipalities.other
    ours = RegistrationFactory.create(municipality=home.municipality, user=home.resident, name="笠間の会")
    theirs = RegistrationFactory.create(
        municipality=other.municipality, name="水戸だけの会", card_number="G7777777", status=RegistrationStatus.PENDING
    )
    # The Kasama resident's own registration made in Mito is not reachable under Kasama.
    mine_in_mito = RegistrationFactory.create(municipality=other.municipality, user=home.resident, name="水戸の私の会")
    iso = TenantIsolation(client, two_municipalities)
    markers = [theirs.name, theirs.card_number, mine_in_mito.name]

    base = f"/{home.slug}/facilities"
    iso.assert_page_excludes(f"{base}/my/", as_user=home.resident, markers=markers)
    iso.assert_page_excludes(f"{base}/register/", as_user=home.resident, markers=markers)
    iso.assert_unreachable(f"{base}/my/registrations/{theirs.pk}/", obj=theirs, as_user=home.resident)
    iso.assert_unreachable(f"{base}/my/registrations/{mine_in_mito.pk}/", obj=mine_in_mito, as_user=home.resident)
    iso.assert_unreachable(f"{base}/my/registrations/{theirs.pk}/", obj=theirs, as_user=other.resident)

    iso.assert_page_excludes("/staff/facilities/registrations/?status=all", as_user=home.staff, markers=markers)
    iso.assert_page_excludes("/staff/facilities/registrations/?status=all&q=水戸", as_user=home.staff, markers=markers)
    iso.assert_unreachable(f"/staff/facilities/registrations/{theirs.pk}/", obj=theirs, as_user=home.staff)

    export = client.get("/staff/facilities/registrations/?export=csv&status=all")
    body = b"".join(export.streaming_content if export.streaming else [export.content]).decode("utf-8-sig")  # type: ignore[attr-defined]
    assert "笠間の会" in body
    assert all(marker not in body for marker in markers)

    # The same addresses answer for Kasama's own (the refusals above are not typos).
    sign_in(client, home.resident)
    assert client.get(f"{base}/my/registrations/{ours.pk}/").status_code == 200
    sign_in(client, home.staff)
    assert client.get(f"/staff/facilities/registrations/{ours.pk}/").status_code == 302  # the reason first

    with municipality_scope(other.municipality):
        theirs.refresh_from_db()
    assert theirs.status == RegistrationStatus.PENDING
