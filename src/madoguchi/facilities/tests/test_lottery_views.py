"""The residents' lottery pages: the public round with its commitment and results (no
names), the CSV, entering with errors shown and a double submit harmless, one's own
entries only, confirm / decline / withdraw, English; and tenant isolation."""

from __future__ import annotations

import pytest
from django.test import Client

from madoguchi.core.models import Municipality
from madoguchi.core.tenancy import municipality_scope
from madoguchi.facilities.models import EntryStatus, LotteryEntry
from madoguchi.facilities.services import lotteries
from madoguchi.testing.tenancy import TenantIsolation, TenantPair, sign_in

from .factories import make_gym, make_registration
from .test_lottery_services import after, make_round, weekday_in

pytestmark = pytest.mark.django_db

BASE = "/kasama/facilities"


def test_public_round_page_before_and_after_the_draw(kasama: Municipality, client: Client) -> None:
    gym = make_gym(kasama)
    lottery = make_round(gym)
    registration = make_registration(kasama, name="秘密のクラブ")
    entry = lotteries.enter(
        round=lottery, registration=registration, unit=gym.whole, slot=gym.morning,
        day=weekday_in(lottery.month), actor=registration.user,
    )  # fmt: skip
    page = client.get(f"{BASE}/lotteries/{lottery.pk}/").content.decode()
    assert lottery.seed_commitment in page
    assert lottery.seed not in page
    assert "この抽選に申し込む" in page
    assert client.get(f"{BASE}/lotteries/{lottery.pk}/results.csv").status_code == 404
    assert lottery.facility.name_ja in client.get(f"{BASE}/lotteries/").content.decode()

    lotteries.draw(lottery, now=after(lottery, "entry_closes_at"))
    page = client.get(f"{BASE}/lotteries/{lottery.pk}/").content.decode()
    entry.refresh_from_db()
    assert lottery.seed in page
    assert entry.number in page
    assert entry.draw_key in page
    assert "秘密のクラブ" not in page
    csv_text = client.get(f"{BASE}/lotteries/{lottery.pk}/results.csv").content.decode("utf-8-sig")
    assert csv_text.splitlines()[0].startswith("申込番号,")
    assert entry.number in csv_text
    assert "秘密のクラブ" not in csv_text
    english = client.get(f"/en{BASE}/lotteries/{lottery.pk}/").content.decode()
    assert "Results" in english or "results" in english


def test_enter_with_errors_and_twice(kasama: Municipality, client: Client) -> None:
    gym = make_gym(kasama)
    lottery = make_round(gym)
    registration = make_registration(kasama)
    url = f"{BASE}/lotteries/{lottery.pk}/enter/"
    assert client.get(url).status_code == 302  # sign-in first
    sign_in(client, registration.user)
    assert client.get(url).status_code == 200
    day = weekday_in(lottery.month)
    data = {
        "registration": registration.pk,
        "unit": gym.whole.pk,
        "day": day.isoformat(),
        "slot": gym.morning.pk,
        "purpose": "練習",
        "attendees": "500",
    }
    response = client.post(url, data)
    assert response.status_code == 400
    assert "定員" in response.content.decode()
    data["attendees"] = "20"
    assert client.post(url, data).status_code == 302
    assert client.post(url, data).status_code == 302
    with municipality_scope(kasama):
        assert LotteryEntry.objects.filter(round=lottery).count() == 1
        entry = LotteryEntry.objects.get(round=lottery)
    mine = client.get(f"{BASE}/my/entries/").content.decode()
    assert entry.number in mine
    # Withdraw: a page, then POST; twice is harmless.
    withdraw = f"{BASE}/my/entries/{entry.number}/withdraw/"
    assert client.get(withdraw).status_code == 200
    assert client.post(withdraw).status_code == 302
    assert client.post(withdraw).status_code == 302
    entry.refresh_from_db()
    assert entry.status == EntryStatus.WITHDRAWN


def test_confirm_and_decline_only_ones_own(kasama: Municipality, client: Client) -> None:
    gym = make_gym(kasama)
    lottery = make_round(gym)
    day = weekday_in(lottery.month)
    mine = make_registration(kasama)
    other = make_registration(kasama)
    won = lotteries.enter(round=lottery, registration=mine, unit=gym.half_a, slot=gym.morning, day=day, actor=mine.user)
    second = lotteries.enter(
        round=lottery, registration=mine, unit=gym.half_b, slot=gym.night, day=day, actor=mine.user
    )
    theirs = lotteries.enter(
        round=lottery, registration=other, unit=gym.half_a, slot=gym.night, day=day, actor=other.user
    )
    lotteries.draw(lottery, now=after(lottery, "entry_closes_at"))
    sign_in(client, mine.user)
    assert client.post(f"{BASE}/my/entries/{theirs.number}/confirm/").status_code == 404
    response = client.post(f"{BASE}/my/entries/{won.number}/confirm/")
    assert response.status_code == 302
    won.refresh_from_db()
    assert won.status == EntryStatus.CONFIRMED
    assert client.post(f"{BASE}/my/entries/{second.number}/decline/").status_code == 302
    second.refresh_from_db()
    assert second.status == EntryStatus.DECLINED
    page = client.get(f"{BASE}/my/entries/").content.decode()
    assert won.number in page
    assert theirs.number not in page


def test_a_win_cancelled_by_a_closure_offers_no_confirmation(kasama: Municipality, client: Client) -> None:
    from madoguchi.facilities.services import closures
    from madoguchi.testing.factories import make_staff

    gym = make_gym(kasama)
    lottery = make_round(gym)
    day = weekday_in(lottery.month)
    mine = make_registration(kasama)
    won = lotteries.enter(round=lottery, registration=mine, unit=gym.whole, slot=gym.morning, day=day, actor=mine.user)
    lotteries.draw(lottery, now=after(lottery, "entry_closes_at"))
    confirm = f"{BASE}/my/entries/{won.number}/confirm/"
    sign_in(client, mine.user)
    assert confirm in client.get(f"{BASE}/my/entries/").content.decode()
    with municipality_scope(kasama):
        closures.create_closure(
            facility=gym.facility, units=[], starts_on=day, ends_on=day, reason_ja="停電",
            kind="maintenance", actor=make_staff(kasama, "municipal_admin"),
        )  # fmt: skip
    page = client.get(f"{BASE}/my/entries/").content.decode()
    assert confirm not in page
    assert "臨時休館により当選の予約が取り消されました" in page
    response = client.post(confirm)
    assert response.status_code == 400
    assert "確定できる当選ではありません。" in response.content.decode()
    won.refresh_from_db()
    assert won.status == EntryStatus.EXPIRED


def test_nothing_of_another_municipality_is_reachable(two_municipalities: TenantPair, client: Client) -> None:
    home, other = two_municipalities.home, two_municipalities.other
    gym = make_gym(other.municipality, name_ja="水戸だけの体育館")
    lottery = make_round(gym)
    registration = make_registration(other.municipality, user=home.resident, name="水戸の団体")
    entry = lotteries.enter(
        round=lottery, registration=registration, unit=gym.whole, slot=gym.morning,
        day=weekday_in(lottery.month), actor=home.resident,
    )  # fmt: skip
    iso = TenantIsolation(client, two_municipalities)
    markers = ["水戸だけの体育館", entry.number, "水戸の団体"]
    iso.assert_page_excludes(f"/{home.slug}/facilities/lotteries/", as_user=home.resident, markers=markers)
    iso.assert_page_excludes(f"/{home.slug}/facilities/my/entries/", as_user=home.resident, markers=markers)
    iso.assert_unreachable(f"/{home.slug}/facilities/lotteries/{lottery.pk}/", obj=lottery, as_user=home.resident)
    iso.assert_unreachable(f"/{home.slug}/facilities/lotteries/{lottery.pk}/enter/", obj=lottery, as_user=home.resident)
    iso.assert_unreachable(
        f"/{home.slug}/facilities/my/entries/{entry.number}/withdraw/", obj=entry, as_user=home.resident
    )
