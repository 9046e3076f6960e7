"""The facilities catalog in a browser: a resident finds a free evening with the search,
opens the facility's calendar and moves by week; the calendar and a facility's page in
English on a 320 px phone (the grid scrolls inside its own region, the page does not);
and the deployment-wide search without JavaScript, refusing a range that is too long.
Every page is checked with axe-core and the CSP (conftest)."""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import Page, expect

from madoguchi.core.models import Municipality
from madoguchi.facilities.models import BookingSource
from madoguchi.facilities.services import occupancy
from madoguchi.facilities.tests.factories import make_gym, next_weekday

from .layout import sideways_overflow

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _fits(page: Page) -> None:
    overflow = sideways_overflow(page)
    assert overflow <= 0, f"{page.url} is {overflow}px wider than the screen"


def test_a_resident_searches_and_reads_the_calendar(page: Page, base_url: str, kasama: Municipality) -> None:
    gym = make_gym(kasama, name_ja="笠間市民体育館", latitude="36.384400", longitude="140.266600")
    day = next_weekday()
    occupancy.place_booking(unit=gym.whole, slot=gym.morning, date=day, source=BookingSource.FIRST_COME)

    page.goto(f"{base_url}/kasama/facilities/")
    expect(page.get_by_role("heading", level=1)).to_have_text("施設予約")
    page.get_by_label("利用日（から）").fill(day.isoformat())
    page.get_by_label("利用日（まで）").fill(day.isoformat())
    page.get_by_label("夜間").check()
    page.get_by_label("利用人数").fill("80")
    page.get_by_role("button", name="空きを探す").click()

    expect(page.get_by_role("status")).to_contain_text("1件")
    result = page.locator(".facility-result")
    expect(result).to_contain_text("全面")
    expect(result).to_contain_text("夜間 18:00–21:30")
    result.get_by_role("link", name="全面の空き状況カレンダー").click()

    grid = page.get_by_role("table")
    expect(grid.locator("caption")).to_contain_text("笠間市民体育館")
    # The booked morning and the free afternoon read as symbol and word, not as colour.
    morning = grid.get_by_role("row", name="全面 午前")
    expect(morning.get_by_role("cell").first).to_have_text("× 予約済み")
    afternoon = grid.get_by_role("row", name="全面 午後")
    expect(afternoon.get_by_role("cell").first).to_contain_text("○ 空き")
    expect(afternoon.get_by_role("cell").first.get_by_role("link")).to_have_attribute(
        "href", f"/kasama/facilities/book/{gym.whole.pk}/{day.isoformat()}/{gym.afternoon.pk}/"
    )
    expect(page.get_by_role("heading", name="記号の説明")).to_be_visible()

    page.get_by_role("link", name="次の週").click()
    expect(page.locator("caption")).to_contain_text(f"{(day + dt.timedelta(days=7)).month}月")
    page.get_by_role("link", name="前の週").click()
    expect(grid.get_by_role("row", name="全面 午前").get_by_role("cell").first).to_have_text("× 予約済み")

    page.get_by_role("link", name="笠間市民体育館の案内（料金・利用のきまり）").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("笠間市民体育館")
    expect(page.get_by_role("link", name="地理院地図で見る")).to_have_attribute(
        "href", "https://maps.gsi.go.jp/#17/36.384400/140.266600/"
    )
    expect(page.get_by_role("table", name="使用料（円）")).to_contain_text("3,000円")


def test_calendar_and_facility_in_english_on_a_phone(phone_page: Page, base_url: str, kasama: Municipality) -> None:
    page = phone_page
    gym = make_gym(kasama, name_en="Kasama Civic Gymnasium", closed_weekdays="0")
    page.goto(f"{base_url}/en/kasama/facilities/{gym.facility.slug}/calendar/?days=14")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Kasama Civic Gymnasium")
    expect(page.get_by_role("table")).to_contain_text("Whole floor")
    _fits(page)
    # The grid is wider than the phone: it scrolls in its own region, reachable by keyboard.
    region = page.locator(".availability-grid-wrap")
    expect(region).to_have_attribute("tabindex", "0")
    assert region.evaluate("el => el.scrollWidth > el.clientWidth")
    page.goto(f"{base_url}/en/kasama/facilities/{gym.facility.slug}/calendar/month/?unit=half-a")
    expect(page.locator("caption")).to_contain_text("Half A")
    _fits(page)
    page.goto(f"{base_url}/en/kasama/facilities/{gym.facility.slug}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Kasama Civic Gymnasium")
    _fits(page)
    day = next_weekday()
    page.goto(f"{base_url}/en/kasama/facilities/search/?start={day.isoformat()}&end={day.isoformat()}")
    expect(page.locator(".facility-result").first).to_contain_text("Kasama Civic Gymnasium")
    _fits(page)


def test_every_municipality_without_javascript(
    no_js_page: Page, base_url: str, kasama: Municipality, mito: Municipality
) -> None:
    page = no_js_page
    make_gym(kasama, name_ja="笠間の体育館")
    make_gym(mito, name_ja="水戸の体育館")
    day = next_weekday()

    page.goto(f"{base_url}/facilities/")
    page.get_by_label("利用日（から）").fill(day.isoformat())
    page.get_by_label("利用日（まで）").fill((day + dt.timedelta(days=40)).isoformat())
    page.get_by_role("button", name="空きを探す").click()
    expect(page.get_by_text("一度に探せるのは31日間までです。期間を短くしてください。")).to_be_visible()
    expect(page.get_by_label("利用日（から）")).to_have_value(day.isoformat())

    page.get_by_label("利用日（まで）").fill(day.isoformat())
    page.get_by_role("button", name="空きを探す").click()
    expect(page.get_by_role("heading", name="水戸市")).to_be_visible()
    expect(page.get_by_role("heading", name="笠間市")).to_be_visible()
    page.get_by_role("link", name="水戸の体育館").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("水戸の体育館")
    assert "/mito/facilities/" in page.url
