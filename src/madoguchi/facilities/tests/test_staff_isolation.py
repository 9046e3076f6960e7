"""Tenant isolation of 施設予約 with the check every module runs: from Kasama nothing of
Mito's facilities, bookings, closures, registrations or lottery rounds can be seen or
changed — in the staff console (予約一覧 and its CSV, a booking's page, 窓口予約, 一括予約,
無断不使用, 利用確認 from the QR code's address, 臨時休館) and on the residents' pages under
/kasama/facilities/ (catalog, calendar, booking, one's bookings, registrations, lotteries,
open data) — and the same addresses answer for Kasama's own (the refusals are not typos)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django_scopes import scopes_disabled

from madoguchi.core.tenancy import municipality_scope
from madoguchi.facilities.models import Booking, BookingSource, BookingStatus, Closure, ClosureKind
from madoguchi.facilities.services import lotteries
from madoguchi.facilities.services.occupancy import place_booking
from madoguchi.testing.tenancy import TenantIsolation, TenantPair, sign_in

from .factories import make_gym, make_registration, next_weekday
from .test_lottery_services import make_round, weekday_in

pytestmark = pytest.mark.django_db


def _body(response: object) -> str:
    streaming = getattr(response, "streaming", False)
    content = b"".join(response.streaming_content) if streaming else response.content  # type: ignore[attr-defined]
    return content.decode("utf-8-sig")


def test_nothing_of_another_municipality_is_reachable(two_municipalities: TenantPair, client: Client) -> None:
    home, other = two_municipalities.home, two_municipalities.other
    day = next_weekday()
    ours_gym = make_gym(home.municipality, slug="ours", name_ja="笠間の体育館")
    theirs_gym = make_gym(other.municipality, slug="theirs", name_ja="水戸だけの体育館")
    ours_club = make_registration(home.municipality, user=home.resident, name="笠間の会", card_number="G0000001")
    theirs_club = make_registration(other.municipality, user=other.resident, name="水戸の団体", card_number="G7777777")
    # The Kasama resident's own registration and booking made in Mito: not under Kasama.
    mine_in_mito = make_registration(other.municipality, user=home.resident, name="水戸の私の会")
    with municipality_scope(home.municipality):
        ours = place_booking(
            unit=ours_gym.whole,
            slot=ours_gym.morning,
            date=day,
            source=BookingSource.FIRST_COME,
            registration=ours_club,
        )
    with municipality_scope(other.municipality):
        # First a booking whose number Kasama's booking shares (numbers are per municipality).
        place_booking(unit=theirs_gym.whole, slot=theirs_gym.night, date=day, source=BookingSource.BLOCK,
                      holder_name="水戸市民大会")  # fmt: skip
        theirs = place_booking(
            unit=theirs_gym.half_a, slot=theirs_gym.morning, date=day, source=BookingSource.FIRST_COME,
            registration=theirs_club,
        )  # fmt: skip
        mine_there = place_booking(
            unit=theirs_gym.half_b, slot=theirs_gym.morning, date=day, source=BookingSource.FIRST_COME,
            registration=mine_in_mito,
        )  # fmt: skip
        closure = Closure.objects.create(
            municipality=other.municipality, facility=theirs_gym.facility, starts_on=day + dt.timedelta(days=7),
            ends_on=day + dt.timedelta(days=7), kind=ClosureKind.MAINTENANCE, reason_ja="水戸の休館理由",
        )  # fmt: skip
    theirs_round = make_round(theirs_gym)
    entry = lotteries.enter(
        round=theirs_round, registration=mine_in_mito, unit=theirs_gym.whole, slot=theirs_gym.morning,
        day=weekday_in(theirs_round.month), actor=home.resident,
    )  # fmt: skip
    ours_round = make_round(ours_gym)
    assert ours.number not in (theirs.number, mine_there.number)

    iso = TenantIsolation(client, two_municipalities)
    markers = [
        "水戸だけの体育館", "水戸の団体", "水戸の私の会", "水戸市民大会", "水戸の休館理由", theirs_club.card_number,
        theirs.number, mine_there.number, theirs.qr_token, entry.number,
    ]  # fmt: skip
    staff, resident = home.staff, home.resident

    # --- The console: Kasama's staff, in every role. -----------------------------------
    for url in (
        "/staff/facilities/bookings/",
        "/staff/facilities/bookings/?q=水戸",
        f"/staff/facilities/bookings/?facility={theirs_gym.facility.pk}",
        f"/staff/facilities/counter/?facility={theirs_gym.facility.pk}&start={day.isoformat()}",
        f"/staff/facilities/no-shows/?day={day.isoformat()}",
        "/staff/facilities/closures/?past=1",
        "/staff/facilities/closures/add/",
        "/staff/facilities/block/",
    ):
        iso.assert_page_excludes(url, as_user=staff, markers=markers)
    # A search shows what was searched for in its box: every marker but that one.
    for url, typed in (
        (f"/staff/facilities/bookings/?q={theirs_club.card_number}", theirs_club.card_number),
        (f"/staff/facilities/check-in/?number={theirs.number}", theirs.number),
    ):
        iso.assert_page_excludes(url, as_user=staff, markers=[m for m in markers if m != typed])
    export = client.get("/staff/facilities/bookings/?export=csv")
    assert export.status_code == 200
    text = _body(export)
    assert ours.number in text
    assert "笠間の会" in text
    assert all(marker not in text for marker in markers)

    iso.assert_unreachable(f"/staff/facilities/bookings/{theirs.number}/", obj=theirs, as_user=staff)
    iso.assert_unreachable(f"/staff/facilities/check-in/{theirs.qr_token}/", obj=theirs, as_user=staff)
    iso.assert_unreachable(
        f"/staff/facilities/counter/{theirs_gym.whole.pk}/{day.isoformat()}/{theirs_gym.afternoon.pk}/",
        obj=theirs_gym.whole, as_user=staff,
    )  # fmt: skip
    # Kasama's unit with Mito's slot.
    iso.assert_unreachable(
        f"/staff/facilities/counter/{ours_gym.whole.pk}/{day.isoformat()}/{theirs_gym.afternoon.pk}/",
        obj=ours_gym.whole, as_user=staff,
    )  # fmt: skip

    # Mito's objects named in Kasama's forms are refused, and nothing is made or changed.
    sign_in(client, staff)
    counter_url = f"/staff/facilities/counter/{ours_gym.whole.pk}/{day.isoformat()}/{ours_gym.afternoon.pk}/"
    response = client.post(counter_url, {"card_number": theirs_club.card_number, "source": "counter",
                                         "rate": "auto", "request_key": "k-isolation-1"})  # fmt: skip
    assert response.status_code == 400
    assert "この登録番号の利用者登録は見つかりません。" in response.content.decode()
    response = client.post("/staff/facilities/block/", {
        "unit": theirs_gym.whole.pk, "slot": theirs_gym.afternoon.pk, "weekdays": [day.weekday()],
        "start": day.isoformat(), "end": (day + dt.timedelta(days=14)).isoformat(), "holder_name": "越境",
    })  # fmt: skip
    assert response.status_code == 400
    response = client.post("/staff/facilities/no-shows/", {"day": day.isoformat(), "number": theirs.number})
    assert response.status_code == 404
    response = client.post("/staff/facilities/closures/add/", {
        "facility": theirs_gym.facility.pk, "kind": ClosureKind.MAINTENANCE, "starts_on": day.isoformat(),
        "ends_on": day.isoformat(), "reason_ja": "越境", "confirm": "1",
    })  # fmt: skip
    assert response.status_code == 400
    with scopes_disabled():
        assert not Booking.objects.filter(unit=ours_gym.whole, slot=ours_gym.afternoon).exists()
        assert not Booking.objects.filter(holder_name="越境").exists()
        assert list(Closure.objects.filter(facility=theirs_gym.facility)) == [closure]
        assert Booking.objects.get(pk=theirs.pk).status == BookingStatus.CONFIRMED

    # --- The residents' pages under Kasama's address. ---------------------------------
    base = f"/{home.slug}/facilities"
    for url in (
        f"{base}/",
        f"{base}/search/?start={day.isoformat()}&end={(day + dt.timedelta(days=6)).isoformat()}",
        f"{base}/my/",
        f"{base}/my/bookings/",
        f"{base}/my/entries/",
        f"{base}/lotteries/",
        f"{base}/opendata/public-facilities.csv",
    ):
        iso.assert_page_excludes(url, as_user=resident, markers=markers)
    theirs_facility = theirs_gym.facility
    iso.assert_unreachable(f"{base}/{theirs_facility.slug}/", obj=theirs_facility, as_user=resident)
    iso.assert_unreachable(f"{base}/{theirs_facility.slug}/calendar/", obj=theirs_facility, as_user=resident)
    iso.assert_unreachable(
        f"{base}/book/{theirs_gym.whole.pk}/{day.isoformat()}/{theirs_gym.afternoon.pk}/",
        obj=theirs_gym.whole, as_user=resident,
    )  # fmt: skip
    for suffix in ("", "pay/", "cancel/", "change/", "qr.svg"):
        iso.assert_unreachable(f"{base}/my/bookings/{mine_there.number}/{suffix}", obj=mine_there, as_user=resident)
        iso.assert_unreachable(f"{base}/my/bookings/{theirs.number}/{suffix}", obj=theirs, as_user=other.resident)
    iso.assert_unreachable(f"{base}/my/registrations/{mine_in_mito.pk}/", obj=mine_in_mito, as_user=resident)
    for url in (
        f"{base}/lotteries/{theirs_round.pk}/",
        f"{base}/lotteries/{theirs_round.pk}/results.csv",
        f"{base}/lotteries/{theirs_round.pk}/enter/",
    ):
        iso.assert_unreachable(url, obj=theirs_round, as_user=resident)
    for action in ("confirm", "decline", "withdraw"):
        iso.assert_unreachable(f"{base}/my/entries/{entry.number}/{action}/", obj=entry, as_user=resident)

    # --- Controls: the same addresses answer for Kasama's own. ------------------------
    sign_in(client, staff)
    for url in (
        f"/staff/facilities/bookings/{ours.number}/",
        f"/staff/facilities/check-in/{ours.qr_token}/",
        f"/staff/facilities/counter/{ours_gym.whole.pk}/{day.isoformat()}/{ours_gym.afternoon.pk}/",
    ):
        assert client.get(url).status_code == 200, url
    listed = client.get("/staff/facilities/bookings/").content.decode()
    assert ours.number in listed
    assert "笠間の会" in listed
    sign_in(client, resident)
    for url in (
        f"{base}/{ours_gym.facility.slug}/",
        f"{base}/{ours_gym.facility.slug}/calendar/",
        f"{base}/book/{ours_gym.whole.pk}/{day.isoformat()}/{ours_gym.afternoon.pk}/",
        f"{base}/my/bookings/{ours.number}/",
        f"{base}/my/registrations/{ours_club.pk}/",
        f"{base}/lotteries/{ours_round.pk}/",
    ):
        assert client.get(url).status_code == 200, url
    assert "笠間の体育館" in client.get(f"{base}/").content.decode()

    with scopes_disabled():
        assert Booking.objects.get(pk=mine_there.pk).status == BookingStatus.CONFIRMED
