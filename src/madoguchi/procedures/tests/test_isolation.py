"""Tenant isolation of procedures, with the check every module runs: from Kasama, nothing
of Mito's procedures, forms or applications can be seen or changed — on the residents'
pages, in the staff console (inbox, catalogue, form editor) and over the API."""

from __future__ import annotations

import pytest
from django.test import Client

from madoguchi.core.tenancy import municipality_scope
from madoguchi.procedures.models import SubmissionStatus
from madoguchi.testing.tenancy import TenantIsolation, TenantPair, sign_in

from .factories import FormVersionFactory, ProcedureFactory, SubmissionFactory

pytestmark = pytest.mark.django_db


def test_nothing_of_another_municipality_is_reachable(two_municipalities: TenantPair, client: Client) -> None:
    home, other = two_municipalities.home, two_municipalities.other
    ours = ProcedureFactory.create(municipality=home.municipality, slug="ours", name_ja="笠間の住民票")
    FormVersionFactory.create(procedure=ours, number=1)
    theirs = ProcedureFactory.create(municipality=other.municipality, slug="theirs", name_ja="水戸だけの手続")
    version = FormVersionFactory.create(procedure=theirs, number=1)
    submission = SubmissionFactory.create(
        form_version=version, applicant=other.resident, applicant_name="水戸 次郎", number="2026-900001"
    )
    draft = SubmissionFactory.create(
        form_version=version, applicant=home.resident, status=SubmissionStatus.DRAFT, number=""
    )
    iso = TenantIsolation(client, two_municipalities)
    markers = [theirs.name_ja, submission.number, "水戸 次郎"]

    # Residents' pages under Kasama's address.
    iso.assert_page_excludes(f"/{home.slug}/procedures/", as_user=home.resident, markers=markers)
    iso.assert_page_excludes(f"/{home.slug}/procedures/?q=手続", as_user=home.resident, markers=markers)
    iso.assert_page_excludes(f"/{home.slug}/procedures/my/", as_user=home.resident, markers=markers)
    iso.assert_unreachable(f"/{home.slug}/procedures/p/{theirs.slug}/", obj=theirs, as_user=home.resident)
    iso.assert_unreachable(f"/{home.slug}/procedures/p/{theirs.slug}/apply/", obj=theirs, as_user=home.resident)
    # Even one's own draft of another municipality's procedure is not reachable under Kasama.
    iso.assert_unreachable(f"/{home.slug}/procedures/apply/{draft.public_id}/step/1/", obj=draft, as_user=home.resident)
    iso.assert_unreachable(
        f"/{home.slug}/procedures/apply/{draft.public_id}/discard/", obj=draft, as_user=home.resident
    )
    iso.assert_unreachable(
        f"/{home.slug}/procedures/my/{submission.public_id}/", obj=submission, as_user=other.resident
    )

    # The console: Kasama's staff, in every role, see none of it.
    iso.assert_page_excludes("/staff/procedures/inbox/?status=", as_user=home.staff, markers=markers)
    iso.assert_page_excludes("/staff/procedures/catalog/", as_user=home.staff, markers=markers)
    iso.assert_unreachable(f"/staff/procedures/inbox/{submission.public_id}/", obj=submission, as_user=home.staff)
    iso.assert_unreachable(f"/staff/procedures/catalog/{theirs.pk}/", obj=theirs, as_user=home.staff)
    iso.assert_unreachable(f"/staff/procedures/catalog/{theirs.pk}/form/edit/", obj=theirs, as_user=home.staff)
    iso.assert_unreachable(f"/staff/procedures/catalog/{theirs.pk}/form/versions/1/", obj=version, as_user=home.staff)

    # The API.
    iso.assert_api_unreachable(f"/api/v1/{home.slug}/procedures/{theirs.slug}/", obj=theirs, token=home.token)
    iso.assert_api_unreachable(f"/api/v1/{home.slug}/procedures/{theirs.slug}/schema/", obj=theirs, token=home.token)
    iso.assert_api_cross_tenant_refused(f"/api/v1/{other.slug}/procedures/", token=home.token)

    # The same addresses answer for Kasama's own procedure (the refusals above are not typos).
    sign_in(client, home.staff)
    for url in (
        f"/{home.slug}/procedures/p/{ours.slug}/",
        f"/staff/procedures/catalog/{ours.pk}/",
        f"/staff/procedures/catalog/{ours.pk}/form/versions/1/",
    ):
        assert client.get(url).status_code == 200, url
    client.logout()
    api = client.get(f"/api/v1/{home.slug}/procedures/{ours.slug}/schema/", HTTP_AUTHORIZATION=f"Bearer {home.token}")
    assert api.status_code == 200

    with municipality_scope(other.municipality):
        submission.refresh_from_db()
    assert submission.status == SubmissionStatus.RECEIVED
