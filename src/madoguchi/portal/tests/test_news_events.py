"""お知らせ and イベント: the news list (newest first, by category, paged), a news page, the
event lists (upcoming with a month filter, the month calendar, the archive), an event page,
the Atom feeds (per language, absolute links), the iCalendar file, and that one
municipality's lists never show another's pages."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone, translation
from wagtail.models import Locale, Page

from madoguchi.core.models import Municipality
from madoguchi.portal.models import (
    EventIndexPage,
    EventPage,
    MunicipalityHomePage,
    NewsCategory,
    NewsIndexPage,
    NewsPage,
)
from madoguchi.portal.services import home_page_for
from madoguchi.portal.services import news_events as svc

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture(autouse=True)
def _japanese() -> None:
    translation.activate("ja")


def publish(page: Page) -> Any:
    page.save_revision().publish()
    page.refresh_from_db()
    return page


def translate(page: Page, **fields: Any) -> Any:
    translated = page.copy_for_translation(Locale.objects.get(language_code="en"), copy_parents=True)
    for name, value in fields.items():
        setattr(translated, name, value)
    return publish(translated)


def home_of(municipality: Municipality) -> MunicipalityHomePage:
    home = home_page_for(municipality, "ja")
    assert home is not None
    return home


def news_index(home: Page, slug: str = "news") -> NewsIndexPage:
    index = NewsIndexPage(title="お知らせ", slug=slug, locale=home.locale, lead="市からのお知らせです。")
    home.add_child(instance=index)
    return publish(index)  # type: ignore[no-any-return]


def event_index(home: Page, slug: str = "events") -> EventIndexPage:
    index = EventIndexPage(title="イベント", slug=slug, locale=home.locale, lead="市内のイベントです。")
    home.add_child(instance=index)
    return publish(index)  # type: ignore[no-any-return]


def add_news(index: Page, title: str, slug: str, date: dt.date, category: str = NewsCategory.LIVING, **kw: Any) -> Any:
    news = NewsPage(title=title, slug=slug, locale=index.locale, date=date, category=category, **kw)
    index.add_child(instance=news)
    return publish(news)


def add_event(index: Page, title: str, slug: str, start: dt.date, **kw: Any) -> Any:
    event = EventPage(title=title, slug=slug, locale=index.locale, start_date=start, **kw)
    index.add_child(instance=event)
    return publish(event)


TODAY = dt.date(2026, 11, 25)


@pytest.fixture
def frozen_today(monkeypatch: pytest.MonkeyPatch) -> dt.date:
    monkeypatch.setattr(svc, "today", lambda: TODAY)
    return TODAY


# --- News ----------------------------------------------------------------------------------


def test_news_list_is_newest_first_with_categories_and_a_feed_link(client: Client, kasama: Municipality) -> None:
    index = news_index(home_of(kasama))
    add_news(index, "古いお知らせ", "old", dt.date(2026, 10, 1))
    add_news(index, "新しいお知らせ", "new", dt.date(2026, 11, 20), NewsCategory.HEALTH, lead="健診の日程です。")
    add_news(index, "真ん中のお知らせ", "middle", dt.date(2026, 11, 1), NewsCategory.IMPORTANT)
    body = client.get("/kasama/news/").content.decode()
    assert body.index("新しいお知らせ") < body.index("真ん中のお知らせ") < body.index("古いお知らせ")
    assert '<time datetime="2026-11-20">2026年11月20日</time>' in body
    assert "健診の日程です。" in body
    assert '<a href="/kasama/news/new/">新しいお知らせ</a>' in body
    # Only the categories in use are offered, in the choices' order.
    assert body.index(">重要なお知らせ</a>") < body.index(">くらし・手続</a>") < body.index(">健康・福祉</a>")
    assert ">子育て・教育</a>" not in body
    assert 'aria-current="page">すべて</a>' in body
    assert (
        '<link rel="alternate" type="application/atom+xml" title="お知らせ (Atom)" '
        'href="http://testserver/kasama/news/feed/">' in body
    )


def test_news_category_filter_and_a_wrong_category(client: Client, kasama: Municipality) -> None:
    index = news_index(home_of(kasama))
    add_news(index, "健診のお知らせ", "checkup", dt.date(2026, 11, 20), NewsCategory.HEALTH)
    add_news(index, "ごみ収集のお知らせ", "garbage", dt.date(2026, 11, 21))
    body = client.get("/kasama/news/?category=health").content.decode()
    assert "健診のお知らせ" in body
    assert "ごみ収集のお知らせ" not in body
    assert '<a class="category-filter__link" href="/kasama/news/?category=health" aria-current="page">' in body
    assert "健康・福祉のお知らせ" in body
    response = client.get("/kasama/news/?category=nonsense")
    assert response.status_code == 200
    body = response.content.decode()
    assert "指定された分類はありません。" in body
    assert "健診のお知らせ" in body
    assert "ごみ収集のお知らせ" in body


def test_news_list_pages_keep_the_category(client: Client, kasama: Municipality) -> None:
    index = news_index(home_of(kasama))
    for n in range(svc.NEWS_PER_PAGE + 3):
        add_news(index, f"お知らせ{n:02d}", f"n{n}", dt.date(2026, 1, 1) + dt.timedelta(days=n), NewsCategory.HEALTH)
    body = client.get("/kasama/news/?category=health").content.decode()
    assert "23件中 1〜20件目" in body
    assert 'href="/kasama/news/?category=health&amp;page=2" rel="next"' in body
    body = client.get("/kasama/news/?category=health&page=2").content.decode()
    assert "お知らせ00" in body
    assert "お知らせ22" not in body
    assert 'href="/kasama/news/?category=health" rel="prev"' in body
    # A page past the end shows the last page, a malformed one the first.
    assert "お知らせ00" in client.get("/kasama/news/?page=99").content.decode()
    assert "お知らせ22" in client.get("/kasama/news/?page=x").content.decode()


def test_news_page_shows_date_category_body_and_way_back(client: Client, kasama: Municipality) -> None:
    index = news_index(home_of(kasama))
    add_news(index, "断水のお知らせ", "water", dt.date(2026, 11, 20), NewsCategory.IMPORTANT, body="<p>工事のため</p>")
    body = client.get("/kasama/news/water/").content.decode()
    assert "<h1>断水のお知らせ</h1>" in body
    assert "2026年11月20日" in body
    assert "重要なお知らせ" in body
    assert "<p>工事のため</p>" in body
    assert '<a href="/kasama/news/">お知らせへ戻る</a>' in body
    assert 'type="application/atom+xml"' in body


def test_news_feed_is_atom_per_language_with_absolute_links(client: Client, kasama: Municipality) -> None:
    home = home_of(kasama)
    index = news_index(home)
    news = add_news(index, "健診のお知らせ", "checkup", dt.date(2026, 11, 20), NewsCategory.HEALTH, lead="日程です。")
    add_news(index, "日本語だけのお知らせ", "ja-only", dt.date(2026, 11, 21))
    translate(index, title="News", lead="News from the city.")
    translate(news, title="Health check-ups", lead="The dates.")

    response = client.get("/kasama/news/feed/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    feed = ET.fromstring(response.content)
    assert feed.get("{http://www.w3.org/XML/1998/namespace}lang") == "ja"
    assert feed.findtext(f"{ATOM}title") == "お知らせ | 笠間市"
    entries = feed.findall(f"{ATOM}entry")
    assert [e.findtext(f"{ATOM}title") for e in entries] == ["日本語だけのお知らせ", "健診のお知らせ"]
    link = entries[1].find(f"{ATOM}link")
    assert link is not None
    assert link.get("href") == "http://testserver/kasama/news/checkup/"
    assert entries[1].findtext(f"{ATOM}summary") == "日程です。"
    category = entries[1].find(f"{ATOM}category")
    assert category is not None
    assert category.get("term") == "健康・福祉"

    translation.activate("en")
    english = ET.fromstring(client.get("/en/kasama/news/feed/").content)
    assert english.get("{http://www.w3.org/XML/1998/namespace}lang") == "en"
    english_entries = english.findall(f"{ATOM}entry")
    assert [e.findtext(f"{ATOM}title") for e in english_entries] == ["Health check-ups"]
    english_link = english_entries[0].find(f"{ATOM}link")
    assert english_link is not None
    assert english_link.get("href") == "http://testserver/en/kasama/news/checkup/"
    body = client.get("/en/kasama/news/").content.decode()
    assert 'href="http://testserver/en/kasama/news/feed/"' in body


def test_drafts_and_private_news_stay_out_of_list_and_feed(client: Client, kasama: Municipality) -> None:
    index = news_index(home_of(kasama))
    draft = NewsPage(title="下書きのお知らせ", slug="draft", locale=index.locale, date=dt.date(2026, 11, 1))
    index.add_child(instance=draft)
    draft.save_revision()
    draft.unpublish()
    assert "下書きのお知らせ" not in client.get("/kasama/news/").content.decode()
    assert "下書きのお知らせ" not in client.get("/kasama/news/feed/").content.decode()


# --- Events --------------------------------------------------------------------------------


@pytest.fixture
def events(kasama: Municipality, frozen_today: dt.date) -> EventIndexPage:
    index = event_index(home_of(kasama))
    add_event(index, "昨年の陶炎祭", "last-year", dt.date(2025, 4, 29), end_date=dt.date(2025, 5, 5))
    add_event(
        index,
        "菊まつり",
        "kiku",
        dt.date(2026, 10, 10),
        end_date=dt.date(2026, 11, 30),
        place_name="笠間稲荷神社",
        is_free=True,
    )
    add_event(
        index,
        "栗の講座",
        "kuri",
        dt.date(2026, 12, 5),
        start_time=dt.time(10, 0),
        end_time=dt.time(12, 0),
        place_name="笠間公民館",
        fee="500円",
    )
    add_event(index, "新春マラソン", "marathon", dt.date(2027, 1, 10), start_time=dt.time(9, 0))
    return index


def test_upcoming_events_are_soonest_first_and_leave_out_ended_ones(client: Client, events: EventIndexPage) -> None:
    body = client.get("/kasama/events/").content.decode()
    assert body.index("菊まつり") < body.index("栗の講座") < body.index("新春マラソン")
    assert "昨年の陶炎祭" not in body
    assert '<time datetime="2026-12-05">2026年12月5日（土）</time> 10:00〜12:00' in body
    assert "場所：笠間公民館" in body
    assert '<span class="tag tag--free">無料</span>' in body
    assert '<option value="2026-12">2026年12月</option>' in body
    assert 'href="http://testserver/kasama/events/feed/"' in body


def test_month_filter_and_a_wrong_month(client: Client, events: EventIndexPage) -> None:
    body = client.get("/kasama/events/?month=2026-12").content.decode()
    assert "栗の講座" in body
    assert "新春マラソン" not in body
    assert "菊まつり" not in body
    assert '<option value="2026-12" selected>' in body
    assert "2026年12月のイベント" in body
    body = client.get("/kasama/events/?month=2026-11").content.decode()
    assert "菊まつり" in body
    assert "栗の講座" not in body
    body = client.get("/kasama/events/?month=2027-02").content.decode()
    assert "この月に予定されているイベントはありません。" in body
    response = client.get("/kasama/events/?month=12月")
    assert response.status_code == 200
    body = response.content.decode()
    assert "月の指定が正しくありません。" in body
    assert "栗の講座" in body
    assert "新春マラソン" in body


def test_past_events_archive(client: Client, events: EventIndexPage) -> None:
    body = client.get("/kasama/events/past/").content.decode()
    assert "<h1>過去のイベント</h1>" in body
    assert "昨年の陶炎祭" in body
    assert "栗の講座" not in body
    assert "菊まつり" not in body


def test_month_calendar_lists_each_day_and_pages_by_month(client: Client, events: EventIndexPage) -> None:
    body = client.get("/kasama/events/calendar/").content.decode()
    assert "2026年11月のイベントカレンダー" in body
    assert '<caption id="event-month-caption">' in body
    # The festival runs every day to the 30th; today is marked in words.
    assert 'href="#day-2026-11-30"' in body
    assert 'id="day-2026-11-30"' in body
    assert "今日" in body
    assert "勤労感謝の日" in body  # 23 November, a holiday
    assert 'href="/kasama/events/calendar/2026/12/" rel="next"' in body
    assert 'href="/kasama/events/calendar/2026/10/" rel="prev"' in body
    body = client.get("/kasama/events/calendar/2026/12/").content.decode()
    assert 'id="day-2026-12-05"' in body
    assert "栗の講座" in body
    assert "菊まつり" not in body
    assert 'href="/kasama/events/kuri/"' in body
    # The past event's month is reachable; months far away and impossible ones are not found.
    assert client.get("/kasama/events/calendar/2025/04/").status_code == 200
    assert client.get("/kasama/events/calendar/2030/1/").status_code == 404
    assert client.get("/kasama/events/calendar/2026/13/").status_code == 404


def test_month_calendar_weeks_start_on_sunday(events: EventIndexPage, frozen_today: dt.date) -> None:
    cal = svc.month_calendar(events, dt.date(2026, 11, 1))
    assert cal.weeks[0][0] is not None
    assert cal.weeks[0][0].date == dt.date(2026, 11, 1)
    assert all(len(week) == 7 for week in cal.weeks)
    days = {day.date: day for day in cal.days_with_events}
    assert [e.title for e in days[dt.date(2026, 11, 15)].events] == ["菊まつり"]
    assert dt.date(2026, 10, 31) not in days


def test_event_page_shows_when_where_fee_organiser_contact_registration_and_maps(
    client: Client, kasama: Municipality, frozen_today: dt.date
) -> None:
    index = event_index(home_of(kasama))
    add_event(
        index,
        "笠間の栗まつり",
        "chestnut",
        dt.date(2026, 12, 5),
        end_date=dt.date(2026, 12, 6),
        start_time=dt.time(10, 0),
        end_time=dt.time(15, 0),
        schedule_note="雨天決行",
        place_name="笠間芸術の森公園",
        postal_code="309-1611",
        address="茨城県笠間市笠間2345",
        latitude=Decimal("36.384500"),
        longitude=Decimal("140.263600"),
        access="JR笠間駅から徒歩20分",
        parking="300台",
        fee="大人500円",
        target="どなたでも",
        capacity=200,
        organiser="笠間市観光協会",
        contact_name="観光課",
        contact_phone="0296-77-1101",
        registration="電話で申込",
        registration_url="https://example.jp/apply",
        lead="栗の味覚を楽しむ",
    )
    body = client.get("/kasama/events/chestnut/").content.decode()
    for text in (
        "2026年12月5日（土）",
        "2026年12月6日（日）",
        "10:00〜15:00",
        "雨天決行",
        "笠間芸術の森公園",
        "〒309-1611 茨城県笠間市笠間2345",
        "https://maps.gsi.go.jp/#17/36.384500/140.263600/",
        "https://www.openstreetmap.org/?mlat=36.384500&amp;mlon=140.263600#map=17/36.384500/140.263600",
        "JR笠間駅から徒歩20分",
        "300台",
        "大人500円",
        "どなたでも",
        "200人",
        "笠間市観光協会",
        "観光課",
        'href="tel:0296771101"',
        "電話で申込",
        'href="https://example.jp/apply"',
        'href="/kasama/events/ics/',
        '<a href="/kasama/events/">イベントへ戻る</a>',
    ):
        assert text in body, text
    assert "このイベントは終了しました。" not in body


def test_a_past_event_says_so_and_offers_no_registration(client: Client, events: EventIndexPage) -> None:
    page = EventPage.objects.get(slug="last-year")
    page.registration_url = "https://example.jp/apply"
    publish(page)
    body = client.get("/kasama/events/last-year/").content.decode()
    assert "このイベントは終了しました。" in body
    assert "https://example.jp/apply" not in body
    assert "/ics/" not in body


def test_event_feed_lists_upcoming_events_with_when_and_where(client: Client, events: EventIndexPage) -> None:
    feed = ET.fromstring(client.get("/kasama/events/feed/").content)
    entries = feed.findall(f"{ATOM}entry")
    assert [e.findtext(f"{ATOM}title") for e in entries] == ["菊まつり", "栗の講座", "新春マラソン"]
    summary = entries[1].findtext(f"{ATOM}summary") or ""
    assert "2026年12月5日（土） 10:00〜12:00" in summary
    assert "場所：笠間公民館" in summary
    link = entries[1].find(f"{ATOM}link")
    assert link is not None
    assert link.get("href") == "http://testserver/kasama/events/kuri/"


# --- iCalendar -----------------------------------------------------------------------------


def test_ics_escaping_and_folding() -> None:
    assert svc.ics_escape("a,b;c\\d\ne") == "a\\,b\\;c\\\\d\\ne"
    line = "SUMMARY:" + "笠間の栗まつり" * 10
    folded = svc.ics_fold(line)
    parts = folded.split("\r\n")
    assert all(len(p.encode()) <= 75 for p in parts)
    assert all(p.startswith(" ") for p in parts[1:])
    assert "".join(p[1:] if i else p for i, p in enumerate(parts)) == line


def test_ics_file_of_an_event(client: Client, events: EventIndexPage) -> None:
    kuri = EventPage.objects.get(slug="kuri")
    response = client.get(f"/kasama/events/ics/{kuri.pk}/")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    text = response.content.decode()
    assert text.startswith("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n")
    assert text.endswith("END:VCALENDAR\r\n")
    assert "\n" not in text.replace("\r\n", "")
    unfolded = text.replace("\r\n ", "")
    assert "DTSTART:20261205T010000Z" in unfolded  # 10:00 in Japan
    assert "DTEND:20261205T030000Z" in unfolded
    assert "SUMMARY:栗の講座" in unfolded
    assert "LOCATION:笠間公民館" in unfolded
    assert "URL:http://testserver/kasama/events/kuri/" in unfolded
    assert f"UID:event-{kuri.translation_key}@testserver" in unfolded


def test_ics_of_an_all_day_event_of_several_days(events: EventIndexPage) -> None:
    kiku = EventPage.objects.get(slug="kiku")
    text = svc.event_ics(kiku, url="http://x/", host="x", now=timezone.now())
    assert "DTSTART;VALUE=DATE:20261010\r\n" in text
    assert "DTEND;VALUE=DATE:20261201\r\n" in text  # exclusive: the day after the last
    assert "RRULE" not in text


def test_ics_of_a_timed_event_of_several_days_repeats_daily(kasama: Municipality) -> None:
    index = event_index(home_of(kasama))
    event = add_event(
        index, "展示会", "ex", dt.date(2026, 12, 1), end_date=dt.date(2026, 12, 3), start_time=dt.time(9, 30)
    )
    text = svc.event_ics(event, url="http://x/", host="x")
    assert "DTSTART:20261201T003000Z\r\n" in text
    assert "RRULE:FREQ=DAILY;COUNT=3\r\n" in text


# --- Tenancy -------------------------------------------------------------------------------


def test_one_municipalitys_lists_feeds_and_files_never_show_anothers(
    client: Client, kasama: Municipality, mito: Municipality, frozen_today: dt.date
) -> None:
    kasama_news = news_index(home_of(kasama))
    mito_news = news_index(home_of(mito))
    add_news(kasama_news, "笠間のお知らせ", "k", dt.date(2026, 11, 1))
    add_news(mito_news, "水戸のお知らせ", "m", dt.date(2026, 11, 2))
    kasama_events = event_index(home_of(kasama))
    mito_events = event_index(home_of(mito))
    add_event(kasama_events, "笠間のイベント", "k", dt.date(2026, 12, 1))
    mito_event = add_event(mito_events, "水戸のイベント", "m", dt.date(2026, 12, 1))
    for url in (
        "/kasama/news/",
        "/kasama/news/feed/",
        "/kasama/events/",
        "/kasama/events/feed/",
        "/kasama/events/calendar/2026/12/",
    ):
        body = client.get(url).content.decode()
        assert "水戸" not in body, url
        assert "笠間の" in body, url
    assert client.get(f"/kasama/events/ics/{mito_event.pk}/").status_code == 404
    assert client.get(f"/mito/events/ics/{mito_event.pk}/").status_code == 200


def test_english_pages_render(client: Client, kasama: Municipality, frozen_today: dt.date) -> None:
    home = home_of(kasama)
    index = event_index(home)
    event = add_event(index, "栗の講座", "kuri", dt.date(2026, 12, 5), start_time=dt.time(10, 0), is_free=True)
    translate(index, title="Events", lead="Events in the city.")
    translate(event, title="Chestnut class", lead="Learn to cook chestnuts.")
    nindex = news_index(home)
    news = add_news(nindex, "健診", "checkup", dt.date(2026, 11, 20))
    translate(nindex, title="News", lead="")
    translate(news, title="Check-ups", lead="")
    translation.activate("en")
    for url in (
        "/en/kasama/events/",
        "/en/kasama/events/calendar/",
        "/en/kasama/events/past/",
        "/en/kasama/events/kuri/",
        "/en/kasama/news/",
        "/en/kasama/news/checkup/",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert '<html lang="en"' in response.content.decode(), url
    assert "Chestnut class" in client.get("/en/kasama/events/").content.decode()


# --- Editing -------------------------------------------------------------------------------


@pytest.mark.parametrize("slug", ["calendar", "past", "feed", "ics"])
def test_an_event_may_not_take_a_slug_the_index_routes_answer_to(kasama: Municipality, slug: str) -> None:
    index = event_index(home_of(kasama))
    event = EventPage(title="催し", slug=slug, locale=index.locale, start_date=dt.date(2026, 12, 1))
    with pytest.raises(ValidationError) as raised:
        index.add_child(instance=event)
    assert "slug" in raised.value.message_dict


def test_news_may_not_be_called_feed(kasama: Municipality) -> None:
    index = news_index(home_of(kasama))
    news = NewsPage(title="フィード", slug="feed", locale=index.locale, date=dt.date(2026, 12, 1))
    with pytest.raises(ValidationError):
        index.add_child(instance=news)
