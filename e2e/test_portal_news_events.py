"""お知らせ and イベント in the browser: every page (news list, news page, upcoming events,
the month calendar, past events, an event page) in Japanese and English at 320 px and at
desktop width — each visit is checked with axe-core by the harness — and the filters and the
calendar's months worked without JavaScript."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect
from wagtail.models import Locale

from madoguchi.core.models import Municipality
from madoguchi.portal.models import EventIndexPage, EventPage, NewsCategory, NewsIndexPage, NewsPage
from madoguchi.portal.services import home_page_for

from .layout import sideways_overflow

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def publish(page: Any) -> Any:
    page.save_revision().publish()
    page.refresh_from_db()
    return page


def translate(page: Any, **fields: Any) -> Any:
    translated = page.copy_for_translation(Locale.objects.get(language_code="en"), copy_parents=True)
    for name, value in fields.items():
        setattr(translated, name, value)
    return publish(translated)


def add(parent: Any, page: Any, **english: Any) -> Any:
    parent.add_child(instance=page)
    publish(page)
    if english:
        translate(page, **english)
    return page


def add_month(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


@pytest.fixture
def site(kasama: Municipality) -> dict[str, Any]:
    """Kasama's news (three categories, one only in Japanese) and events (this month, next
    month with a map, one long past), in Japanese and English."""
    today = timezone.localdate()
    home = home_page_for(kasama, "ja")
    locale = home.locale  # type: ignore[union-attr]
    news = add(
        home,
        NewsIndexPage(title="お知らせ", slug="news", locale=locale, lead="市からのお知らせ"),
        title="News",
        lead="News from the city",
    )
    add(
        news,
        NewsPage(
            title="年末年始のごみ収集",
            slug="garbage",
            locale=locale,
            date=today,
            category=NewsCategory.LIVING,
            lead="12月31日から1月3日まで収集を休みます。",
            body="<p>収集日をご確認ください。</p>",
        ),
        title="Garbage collection over the New Year",
        lead="No collection from 31 December to 3 January.",
        body="<p>Please check the collection days.</p>",
    )
    add(
        news,
        NewsPage(
            title="インフルエンザ予防接種の助成",
            slug="flu",
            locale=locale,
            date=today - dt.timedelta(days=3),
            category=NewsCategory.HEALTH,
            lead="65歳以上の方の接種費用を助成します。",
        ),
        title="Flu vaccination subsidy",
        lead="For people aged 65 and over.",
    )
    add(
        news,
        NewsPage(
            title="断水のお知らせ",
            slug="water",
            locale=locale,
            date=today - dt.timedelta(days=5),
            category=NewsCategory.IMPORTANT,
        ),
    )
    events = add(
        home,
        EventIndexPage(title="イベント", slug="events", locale=locale, lead="市内で開かれるイベント"),
        title="Events",
        lead="Events in the city",
    )
    add(
        events,
        EventPage(
            title="笠間の菊まつり",
            slug="kiku",
            locale=locale,
            start_date=today,
            end_date=today + dt.timedelta(days=2),
            place_name="笠間稲荷神社",
            is_free=True,
            lead="日本で最も古い菊まつり（デモ）",
        ),
        title="Kasama Chrysanthemum Festival",
        place_name="Kasama Inari Shrine",
        lead="Japan's oldest chrysanthemum festival (demo)",
    )
    next_month = add_month(today, 1).replace(day=10)
    add(
        events,
        EventPage(
            title="栗の料理教室",
            slug="kuri",
            locale=locale,
            start_date=next_month,
            start_time=dt.time(10, 0),
            end_time=dt.time(12, 30),
            place_name="笠間公民館",
            postal_code="309-1613",
            address="茨城県笠間市石井2068-1",
            latitude=Decimal("36.386100"),
            longitude=Decimal("140.256900"),
            fee="材料費500円",
            target="市内在住の方",
            capacity=20,
            organiser="笠間市",
            contact_name="生涯学習課",
            contact_phone="0296-77-1101",
            registration="電話で申し込んでください",
            registration_url="https://example.jp/apply",
        ),
        title="Chestnut cooking class",
        place_name="Kasama Community Centre",
        fee="500 yen for ingredients",
        target="Residents of Kasama",
        organiser="Kasama City",
        contact_name="Lifelong Learning Division",
        registration="Apply by phone",
    )
    add(
        events,
        EventPage(title="昨年の陶炎祭", slug="himatsuri", locale=locale, start_date=today - dt.timedelta(days=200)),
        title="Last year's pottery fair",
    )
    return {"today": today, "next_month": next_month}


JA_PAGES = [
    ("/kasama/news/", "お知らせ"),
    ("/kasama/news/garbage/", "年末年始のごみ収集"),
    ("/kasama/events/", "イベント"),
    ("/kasama/events/calendar/", "のイベントカレンダー"),
    ("/kasama/events/past/", "過去のイベント"),
    ("/kasama/events/kuri/", "栗の料理教室"),
]
EN_PAGES = [
    ("/en/kasama/news/", "News"),
    ("/en/kasama/news/garbage/", "Garbage collection over the New Year"),
    ("/en/kasama/events/", "Events"),
    # These headings are the catalogue's (English once the messages are merged): only the
    # year is certain here.
    ("/en/kasama/events/calendar/", str(timezone.localdate().year)),
    ("/en/kasama/events/past/", ""),
    ("/en/kasama/events/kuri/", "Chestnut cooking class"),
]


def visit_all(page: Page, base_url: str, pages: list[tuple[str, str]], *, lang: str, phone: bool) -> None:
    for path, heading in pages:
        response = page.goto(f"{base_url}{path}")
        assert response is not None
        assert response.status == 200, path
        expect(page.locator("html")).to_have_attribute("lang", lang)
        expect(page.get_by_role("heading", level=1)).to_contain_text(heading, ignore_case=True)
        if phone:
            assert sideways_overflow(page) == 0, path


def test_every_page_in_japanese_at_desktop_width(page: Page, base_url: str, site: dict[str, Any]) -> None:
    visit_all(page, base_url, JA_PAGES, lang="ja", phone=False)


def test_every_page_in_english_at_desktop_width(page: Page, base_url: str, site: dict[str, Any]) -> None:
    visit_all(page, base_url, EN_PAGES, lang="en", phone=False)


def test_every_page_in_japanese_on_a_320px_phone(phone_page: Page, base_url: str, site: dict[str, Any]) -> None:
    visit_all(phone_page, base_url, JA_PAGES, lang="ja", phone=True)


def test_every_page_in_english_on_a_320px_phone(phone_page: Page, base_url: str, site: dict[str, Any]) -> None:
    visit_all(phone_page, base_url, EN_PAGES, lang="en", phone=True)


def test_news_category_filter_without_javascript(no_js_page: Page, base_url: str, site: dict[str, Any]) -> None:
    page = no_js_page
    page.goto(f"{base_url}/kasama/news/")
    items = page.locator(".dated-list__title")
    expect(items).to_have_text(["年末年始のごみ収集", "インフルエンザ予防接種の助成", "断水のお知らせ"])
    filters = page.get_by_role("navigation", name="分類で絞り込む")
    expect(filters.get_by_role("link", name="すべて")).to_have_attribute("aria-current", "page")
    filters.get_by_role("link", name="健康・福祉").click()
    expect(page).to_have_url(f"{base_url}/kasama/news/?category=health")
    expect(items).to_have_text(["インフルエンザ予防接種の助成"])
    expect(page.get_by_role("heading", level=2, name="健康・福祉のお知らせ")).to_be_visible()
    page.get_by_role("link", name="インフルエンザ予防接種の助成").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("インフルエンザ予防接種の助成")
    page.get_by_role("link", name="お知らせへ戻る").click()
    expect(page).to_have_url(f"{base_url}/kasama/news/")


def test_event_month_filter_and_calendar_without_javascript(
    no_js_page: Page, base_url: str, site: dict[str, Any]
) -> None:
    page = no_js_page
    next_month: dt.date = site["next_month"]
    page.goto(f"{base_url}/kasama/events/")
    items = page.locator(".dated-list__title")
    expect(items).to_have_text(["笠間の菊まつり", "栗の料理教室"])
    page.get_by_label("開催月").select_option(f"{next_month:%Y-%m}")
    page.get_by_role("button", name="絞り込む").click()
    expect(page).to_have_url(f"{base_url}/kasama/events/?month={next_month:%Y-%m}")
    expect(items).to_have_text(["栗の料理教室"])

    page.get_by_role("navigation", name="イベントの表示方法").get_by_role("link", name="カレンダー").click()
    today: dt.date = site["today"]
    expect(page.get_by_role("heading", level=1)).to_have_text(f"{today.year}年{today.month}月のイベントカレンダー")
    expect(page.get_by_role("table")).to_be_visible()
    day_list = page.locator(f"#day-{today.isoformat()}")
    expect(day_list.get_by_role("link", name="笠間の菊まつり")).to_be_visible()
    page.get_by_role("link", name=f"次の月（{next_month.year}年{next_month.month}月）").click()
    expect(page).to_have_url(f"{base_url}/kasama/events/calendar/{next_month.year}/{next_month.month}/")
    page.locator(f"#day-{next_month.isoformat()}").get_by_role("link", name="栗の料理教室").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("栗の料理教室")


def test_event_page_facts_maps_and_calendar_file(page: Page, base_url: str, site: dict[str, Any]) -> None:
    page.goto(f"{base_url}/kasama/events/kuri/")
    facts = page.locator(".event-facts")
    for text in ("10:00〜12:30", "笠間公民館", "材料費500円", "20人", "生涯学習課", "電話で申し込んでください"):
        expect(facts).to_contain_text(text)
    expect(page.get_by_role("link", name="地理院地図で見る")).to_have_attribute(
        "href", "https://maps.gsi.go.jp/#17/36.386100/140.256900/"
    )
    expect(page.get_by_role("link", name="OpenStreetMapで見る")).to_be_visible()
    with page.expect_download() as download_info:
        page.get_by_role("link", name="カレンダーに登録する（iCalendar形式）").click()
    path = download_info.value.path()
    text = path.read_bytes().decode()
    assert text.startswith("BEGIN:VCALENDAR\r\n")
    assert "SUMMARY:栗の料理教室\r\n" in text


def test_feeds_are_linked_and_served_as_atom(page: Page, base_url: str, site: dict[str, Any]) -> None:
    for path, feed in (("/kasama/news/", "/kasama/news/feed/"), ("/en/kasama/events/", "/en/kasama/events/feed/")):
        page.goto(f"{base_url}{path}")
        link = page.locator('head link[rel="alternate"][type="application/atom+xml"]')
        expect(link).to_have_attribute("href", f"{base_url}{feed}")
        response = page.request.get(f"{base_url}{feed}")
        assert response.ok
        assert response.headers["content-type"].startswith("application/atom+xml")
        assert f'<link href="{base_url}{path}' in response.text()
