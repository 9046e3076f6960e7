"""The residents' catalog pages: the facility list with its filters, a facility's page,
the calendar grid (a real table that reads without colour), the availability search with
its errors, the deployment-wide search, and tenant isolation."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from madoguchi.core.models import Municipality
from madoguchi.core.tenancy import municipality_scope
from madoguchi.facilities.models import BookingSource, Closure, FacilityKind, FeeRule, LotteryRound
from madoguchi.facilities.services import occupancy
from madoguchi.testing.tenancy import TenantIsolation, TenantPair

from .factories import make_gym, next_weekday

pytestmark = pytest.mark.django_db


def _book_url(municipality: Municipality, unit: int, day: dt.date, slot: int) -> str | None:
    try:
        return reverse(
            "facilities:book",
            kwargs={"municipality_slug": municipality.slug, "unit": unit, "day": day.isoformat(), "slot": slot},
        )
    except NoReverseMatch:  # the booking part is not there yet
        return None


def test_index_lists_and_filters(client: Client, kasama: Municipality) -> None:
    gym = make_gym(kasama, name_ja="笠間市民体育館", area_ja="笠間地区")
    hall = make_gym(kasama, name_ja="友部公民館", kind=FacilityKind.COMMUNITY_HALL, area_ja="友部地区")
    hidden = make_gym(kasama, name_ja="非公開の体育館", is_published=False)
    page = client.get("/kasama/facilities/").content.decode()
    assert gym.facility.name_ja in page
    assert hall.facility.name_ja in page
    assert hidden.facility.name_ja not in page
    assert 'action="/kasama/facilities/search/"' in page
    page = client.get("/kasama/facilities/?kind=community_hall").content.decode()
    assert hall.facility.name_ja in page
    assert gym.facility.name_ja not in page
    page = client.get("/kasama/facilities/?area=笠間地区").content.decode()
    assert gym.facility.name_ja in page
    assert hall.facility.name_ja not in page
    # Unknown values are ignored, not an error.
    assert client.get("/kasama/facilities/?kind=zzz&area=zzz").status_code == 200


def test_detail_page(client: Client, kasama: Municipality) -> None:
    gym = make_gym(
        kasama,
        latitude="36.384400",
        longitude="140.266600",
        closed_weekdays="0",
        access_ja="笠間駅から徒歩10分",
        accessibility_ja="スロープあり",
        wheelchair_accessible=True,
    )
    today = timezone.localdate()
    with municipality_scope(kasama):
        FeeRule.objects.create(
            municipality=kasama, unit=gym.whole, slot=gym.night, day_kind="weekday", residency="resident", amount=2500
        )
        Closure.objects.create(
            municipality=kasama,
            facility=gym.facility,
            starts_on=today + dt.timedelta(days=10),
            ends_on=today + dt.timedelta(days=11),
            reason_ja="床の張り替え",
        )
        Closure.objects.create(
            municipality=kasama,
            facility=gym.facility,
            starts_on=today - dt.timedelta(days=30),
            ends_on=today - dt.timedelta(days=29),
            reason_ja="過去の工事",
        )
        LotteryRound.objects.create(
            municipality=kasama,
            facility=gym.facility,
            month=(today + dt.timedelta(days=62)).replace(day=1),
            status="open",
            entry_opens_at=timezone.now(),
            entry_closes_at=timezone.now() + dt.timedelta(days=5),
            draw_at=timezone.now() + dt.timedelta(days=6),
            confirm_until=timezone.now() + dt.timedelta(days=12),
            seed="00" * 32,
            seed_commitment="11" * 32,
        )
    response = client.get(f"/kasama/facilities/{gym.facility.slug}/")
    assert response.status_code == 200
    page = response.content.decode()
    for text in ("笠間駅から徒歩10分", "スロープあり", "車いすで利用できます", "全面", "半面A", "定員"):
        assert text in page
    assert "https://maps.gsi.go.jp/#17/36.384400/140.266600/" in page
    assert "https://www.openstreetmap.org/?mlat=36.384400&amp;mlon=140.266600" in page
    assert "毎週月曜日" in page
    assert "年末年始" in page
    assert "9:00–12:00" in page
    assert "18:00–21:30" in page
    # Fees: the whole floor's night has its own weekday rule, so its slots are listed one by one.
    assert "2,500円" in page
    assert "6,000円" in page
    assert "照明" in page
    assert "床の張り替え" in page
    assert "過去の工事" not in page
    assert "分の抽選" in page
    assert f'href="/kasama/facilities/{gym.facility.slug}/calendar/"' in page
    assert "<script" not in page.split("</head>", 1)[1]


def test_unknown_or_unpublished_facility_is_404(client: Client, kasama: Municipality) -> None:
    hidden = make_gym(kasama, is_published=False)
    assert client.get("/kasama/facilities/nothing-here/").status_code == 404
    assert client.get(f"/kasama/facilities/{hidden.facility.slug}/").status_code == 404
    assert client.get(f"/kasama/facilities/{hidden.facility.slug}/calendar/").status_code == 404


def test_calendar_grid_is_an_accessible_table(client: Client, kasama: Municipality) -> None:
    gym = make_gym(kasama)
    day = next_weekday()
    occupancy.place_booking(unit=gym.half_a, slot=gym.morning, date=day, source=BookingSource.FIRST_COME)
    response = client.get(f"/kasama/facilities/{gym.facility.slug}/calendar/?start={day.isoformat()}")
    assert response.status_code == 200
    page = response.content.decode()
    table = page[page.index("<table") : page.index("</table>")]
    assert "<caption" in table
    assert gym.facility.name_ja in table
    assert table.count('<th scope="col"') == 8  # the corner and seven days
    assert table.count('scope="rowgroup"') == 3  # whole, half A, half B
    assert table.count('<th scope="row"') == 9  # three slots of three units
    assert table.count("<td") == 63
    assert "予約済み" in table
    assert "空き" in table
    assert "×" in table
    assert "○" in table
    grid = response.context["grid"]
    whole_morning = grid.units[0].rows[0].cells[0]
    assert whole_morning.state == "booked"
    assert whole_morning.url is None
    afternoon = grid.units[0].rows[1].cells[0]
    assert afternoon.state == "free"
    assert afternoon.url == _book_url(kasama, gym.whole.pk, day, gym.afternoon.pk)
    if afternoon.url:
        assert f'href="{afternoon.url}"' in table
    # Navigation by week, and the legend.
    assert f"?start={(day + dt.timedelta(days=7)).isoformat()}" in page
    assert f"?start={(day - dt.timedelta(days=7)).isoformat()}" in page
    assert "記号の説明" in page


def test_calendar_of_one_unit_two_weeks_and_bad_input(client: Client, kasama: Municipality) -> None:
    gym = make_gym(kasama)
    url = f"/kasama/facilities/{gym.facility.slug}/calendar/"
    response = client.get(f"{url}?unit=half-b&days=14")
    assert [u.unit for u in response.context["grid"].units] == [gym.half_b]
    assert len(response.context["grid"].days) == 14
    for query in ("?start=2026-13-45", "?start=1999-01-01", "?unit=nope", "?days=99"):
        response = client.get(url + query)
        assert response.status_code == 200
        assert response.context["start"] == timezone.localdate() or query == "?unit=nope"
    page = client.get(f"{url}?start=not-a-date").content.decode()
    assert 'role="alert"' in page
    assert "2026-12-01" in page


def test_closed_days_read_as_closed(client: Client, kasama: Municipality) -> None:
    gym = make_gym(kasama, closed_weekdays="2")
    wednesday = next_weekday(weekday=2)
    response = client.get(f"/kasama/facilities/{gym.facility.slug}/calendar/?start={wednesday.isoformat()}")
    cells = [row.cells[0] for row in response.context["grid"].units[0].rows]
    assert {cell.state for cell in cells} == {"closed"}
    assert "休館" in response.content.decode()


def test_search_page(client: Client, kasama: Municipality) -> None:
    gym = make_gym(kasama)
    day = next_weekday()
    page = client.get("/kasama/facilities/search/")
    assert page.status_code == 200
    assert page.context["results"] is None
    response = client.get(
        "/kasama/facilities/search/",
        {"start": day.isoformat(), "end": day.isoformat(), "time_of_day": ["night"], "min_capacity": "80"},
    )
    results = response.context["results"]
    assert [r.unit for r in results] == [gym.whole]
    html = response.content.decode()
    assert "空きのある利用単位が 1件あります。" in html
    assert f"calendar/?start={day.isoformat()}&amp;unit=whole" in html
    if url := _book_url(kasama, gym.whole.pk, day, gym.night.pk):
        assert f'href="{url}"' in html


@pytest.mark.parametrize(
    ("start_days", "end_days", "message"),
    [
        (-1, 3, "今日以降の日付を入力してください。"),
        (5, 2, "終わりの日は始めの日と同じかそれより後にしてください。"),
        (1, 40, "一度に探せるのは31日間までです。"),
    ],
)
def test_search_errors(client: Client, kasama: Municipality, start_days: int, end_days: int, message: str) -> None:
    today = timezone.localdate()
    response = client.get(
        "/kasama/facilities/search/",
        {
            "start": (today + dt.timedelta(days=start_days)).isoformat(),
            "end": (today + dt.timedelta(days=end_days)).isoformat(),
            "min_capacity": "12",
        },
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert response.context["results"] is None
    assert message in html
    assert 'aria-invalid="true"' in html
    assert 'value="12"' in html  # nothing typed is lost


def test_search_rejects_garbage(client: Client, kasama: Municipality) -> None:
    response = client.get("/kasama/facilities/search/", {"start": "x", "end": "", "kind": "nope", "min_capacity": "-3"})
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"start", "end", "kind", "min_capacity"}


def test_deployment_wide_search(client: Client, kasama: Municipality, mito: Municipality) -> None:
    ours = make_gym(kasama, name_ja="笠間の体育館")
    theirs = make_gym(mito, name_ja="水戸の体育館")
    make_gym(mito, name_ja="水戸の非公開", is_published=False)
    day = next_weekday()
    assert client.get("/facilities/").status_code == 200
    response = client.get("/facilities/", {"start": day.isoformat(), "end": day.isoformat()})
    html = response.content.decode()
    assert [g.municipality for g in response.context["groups"]] == [mito, kasama]  # by 団体コード
    assert ours.facility.name_ja in html
    assert theirs.facility.name_ja in html
    assert "水戸の非公開" not in html
    assert f"/kasama/facilities/{ours.facility.slug}/" in html
    assert f"/mito/facilities/{theirs.facility.slug}/" in html
    english = client.get("/en/facilities/", {"start": day.isoformat(), "end": day.isoformat()}).content.decode()
    assert f"/en/mito/facilities/{theirs.facility.slug}/" in english


def test_english_pages_use_english_names(client: Client, kasama: Municipality) -> None:
    gym = make_gym(kasama)
    page = client.get(f"/en/kasama/facilities/{gym.facility.slug}/calendar/").content.decode()
    assert re.search(r'<html lang="en"', page)
    assert gym.facility.name_en in page
    assert "Whole floor" in page
    assert "Morning" in page


def test_nothing_of_another_municipality_is_reachable(two_municipalities: TenantPair, client: Client) -> None:
    home, other = two_municipalities.home, two_municipalities.other
    make_gym(home.municipality, name_ja="笠間の体育館", slug="kasama-gym")
    theirs = make_gym(other.municipality, name_ja="水戸だけの体育館", slug="mito-gym", area_ja="水戸だけの地区")
    day = next_weekday()
    iso = TenantIsolation(client, two_municipalities)
    markers = [theirs.facility.name_ja, "水戸だけの地区"]
    iso.assert_page_excludes(f"/{home.slug}/facilities/", as_user=home.resident, markers=markers)
    iso.assert_page_excludes(
        f"/{home.slug}/facilities/search/?start={day.isoformat()}&end={day.isoformat()}",
        as_user=home.resident,
        markers=markers,
    )
    iso.assert_unreachable(f"/{home.slug}/facilities/mito-gym/", obj=theirs.facility, as_user=home.resident)
    iso.assert_unreachable(f"/{home.slug}/facilities/mito-gym/calendar/", obj=theirs.facility, as_user=home.resident)


def test_month_view_summarises_days(client: Client, kasama: Municipality) -> None:
    gym = make_gym(kasama, closed_weekdays="0")
    day = next_weekday()
    occupancy.place_booking(unit=gym.half_a, slot=gym.morning, date=day, source=BookingSource.FIRST_COME)
    url = f"/kasama/facilities/{gym.facility.slug}/calendar/month/"
    response = client.get(f"{url}?month={day:%Y-%m}&unit=whole")
    assert response.status_code == 200
    days = {d.date: d for week in response.context["weeks"] for d in week if d}
    assert len(days) >= 28
    assert all(len(week) == 7 for week in response.context["weeks"])
    assert days[day].state == "partly"
    assert days[day].url == f"/kasama/facilities/{gym.facility.slug}/calendar/?start={day.isoformat()}&unit=whole"
    assert days[day + dt.timedelta(days=5)].state == "closed"  # the Monday after
    html = response.content.decode()
    assert "<caption" in html
    assert "△" in html
    assert "一部空き" in html
    response = client.get(f"{url}?month=1999-01")
    assert response.status_code == 200
    assert response.context["month"] == timezone.localdate().replace(day=1)
    assert 'role="alert"' in response.content.decode()
    assert client.get(f"{url}?month=garbage").status_code == 200
