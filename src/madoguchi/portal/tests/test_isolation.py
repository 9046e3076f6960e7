"""Tenant isolation of the website, with the check every module runs: from Kasama, nothing
of Mito's website can be seen or changed — search, the feedback form, the open data files,
and the console's screens for the holiday doctor rota, open data imports and feedback."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import translation

from madoguchi.core.models import Municipality
from madoguchi.core.tenancy import municipality_scope
from madoguchi.portal.models import (
    ContentPage,
    DutyKind,
    HolidayDoctorDuty,
    MunicipalityHomePage,
    OpenDataImport,
    OpenDataRecord,
    PageFeedback,
)
from madoguchi.portal.opendata import services as opendata
from madoguchi.portal.services import create_home_page, home_page_for
from madoguchi.testing.tenancy import TenantIsolation, TenantPair, sign_in

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _japanese() -> None:
    translation.activate("ja")


def home_of(municipality: Municipality) -> MunicipalityHomePage:
    return home_page_for(municipality, "ja") or create_home_page(municipality)


def add_page(municipality: Municipality, title: str, slug: str) -> ContentPage:
    home = home_of(municipality)
    page = ContentPage(title=title, slug=slug, locale=home.locale, lead=f"{title}の案内")
    home.add_child(instance=page)
    page.save_revision().publish()
    page.refresh_from_db()
    return page


def duty(municipality: Municipality, institution: str) -> HolidayDoctorDuty:
    return HolidayDoctorDuty.unscoped.create(
        municipality=municipality,
        date=dt.date.today() + dt.timedelta(days=7),
        kind=DutyKind.INTERNAL,
        institution=institution,
        address="茨城県",
        phone="029-000-0000",
        opens_at=dt.time(9, 0),
        closes_at=dt.time(17, 0),
    )


def imported(municipality: Municipality, file_name: str) -> OpenDataImport:
    run = opendata.import_file(municipality, "aed", b"NO\r\n", file_name=file_name)
    return run


def test_nothing_of_another_municipalitys_website_is_reachable(two_municipalities: TenantPair, client: Client) -> None:
    home, other = two_municipalities.home, two_municipalities.other
    kasama, mito = home.municipality, other.municipality
    ours = add_page(kasama, "粗大ごみの出し方 笠間", "sodai-gomi")
    theirs = add_page(mito, "粗大ごみの出し方 水戸だけ", "sodai-gomi")
    for municipality, name in ((kasama, "笠間市役所のAED"), (mito, "水戸だけのAED")):
        with municipality_scope(municipality):
            OpenDataRecord.objects.create(municipality=municipality, dataset="aed", record_id="1", data={"名称": name})
    with municipality_scope(mito):
        PageFeedback.objects.create(
            municipality=mito, page=theirs, helpful=False, comment="水戸への意見です", language="ja"
        )
    our_duty, their_duty = duty(kasama, "笠間内科"), duty(mito, "水戸だけ内科")
    our_run, their_run = imported(kasama, "082163_kasama.csv"), imported(mito, "082015_mito_only.csv")

    iso = TenantIsolation(client, two_municipalities)
    markers = ["水戸だけ", "水戸だけのAED", "水戸への意見です", "082015_mito_only.csv"]

    # Residents: search, the feedback form, the open data files.
    iso.assert_page_excludes(f"/{home.slug}/search/?q=粗大ごみ", as_user=None, markers=markers)
    iso.assert_page_excludes(f"/{home.slug}/search/?q=そだいごみ", as_user=home.resident, markers=markers)
    iso.assert_unreachable(f"/{home.slug}/feedback/{theirs.pk}/", obj=theirs, as_user=None)
    iso.assert_unreachable(f"/{home.slug}/feedback/{theirs.pk}/", obj=theirs, as_user=home.resident)
    with municipality_scope(mito):
        assert PageFeedback.objects.count() == 1  # nothing was added to Mito's page
    iso.assert_page_excludes(f"/{home.slug}/opendata/aed.csv", as_user=None, markers=markers)
    iso.assert_page_excludes(f"/{home.slug}/opendata/aed.json", as_user=None, markers=markers)

    # The console: Kasama's staff, holding every role, see and change none of it.
    iso.assert_page_excludes("/staff/website/holiday-doctors/", as_user=home.staff, markers=markers)
    iso.assert_unreachable(f"/staff/website/holiday-doctors/edit/{their_duty.pk}/", obj=their_duty, as_user=home.staff)
    iso.assert_unreachable(
        f"/staff/website/holiday-doctors/delete/{their_duty.pk}/", obj=their_duty, as_user=home.staff
    )
    iso.assert_page_excludes("/staff/website/opendata/", as_user=home.staff, markers=markers)
    iso.assert_unreachable(f"/staff/website/opendata/{their_run.pk}/", obj=their_run, as_user=home.staff)
    iso.assert_page_excludes("/staff/website/feedback/", as_user=home.staff, markers=markers)
    iso.assert_page_excludes("/staff/website/feedback/?q=意見", as_user=home.staff, markers=markers)
    # The CSV exports (streamed) of the console's listings.
    for export in ("/staff/website/holiday-doctors/?export=csv", "/staff/website/feedback/?export=csv"):
        response = client.get(export)
        assert response.status_code == 200, export
        text = b"".join(response.streaming_content).decode("utf-8-sig")  # type: ignore[attr-defined]
        assert not [marker for marker in markers if marker in text], export

    # The same kinds of address answer for Kasama's own (the refusals above are not typos).
    client.logout()
    for url, marker in (
        (f"/{home.slug}/search/?q=粗大ごみ", ours.title),
        (f"/{home.slug}/opendata/aed.csv", "笠間市役所のAED"),
        (f"/{home.slug}/opendata/aed.json", "笠間市役所のAED"),
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert marker in response.content.decode(), url
    # …and under Mito's own address its data is there: the markers would have been seen.
    assert "水戸だけ" in client.get(f"/{other.slug}/search/?q=粗大ごみ").content.decode()
    assert "水戸だけのAED" in client.get(f"/{other.slug}/opendata/aed.csv").content.decode("utf-8-sig")
    assert (
        client.post(f"/{home.slug}/feedback/{ours.pk}/", {"helpful": "no", "comment": "笠間への意見"}).status_code
        == 302
    )
    sign_in(client, home.staff)
    for url, marker in (
        ("/staff/website/holiday-doctors/", "笠間内科"),
        (f"/staff/website/holiday-doctors/edit/{our_duty.pk}/", "笠間内科"),
        (f"/staff/website/opendata/{our_run.pk}/", "082163_kasama.csv"),
        ("/staff/website/feedback/", "笠間への意見"),
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert marker in response.content.decode(), url
