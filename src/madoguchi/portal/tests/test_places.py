"""Places pages (tourism spots, specialties, business sites, shops), sections, ordinary
pages and the home page: structured fields as definition lists and tables with headings,
map links, phone links, both languages, one municipality's pages only."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone, translation

from madoguchi.core.models import Municipality
from madoguchi.portal.models import BusinessSiteStatus, NewsCategory, ShopKind, TourismCategory
from madoguchi.portal.services import home as home_services
from madoguchi.portal.services import places

from . import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _japanese() -> None:
    translation.activate("ja")


def html(client: Client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def squash(text: str) -> str:
    return re.sub(r"\s+", " ", text)


# --- factories ----------------------------------------------------------------------------------


def test_factories_make_every_page_type_in_both_languages(kasama: Municipality) -> None:
    home = f.home_page(kasama)
    section = f.make_section(home, "観光・文化", "tourism", english="Tourism", show_in_menus=True)
    news = f.make_news_index(section, english="News")
    f.make_news(news, "お知らせ1", "n1", english="Notice 1")
    events = f.make_event_index(home, english="Events")
    f.make_event(events, "笠間の菊まつり", "kiku", english={"title": "Kasama Chrysanthemum Festival"})
    pages = [
        f.make_content_page(section, "一般", "general", english="General"),
        f.make_tourism_spot(section, "笠間稲荷神社", "inari", english="Kasama Inari Shrine"),
        f.make_specialty(section, "笠間焼", "kasama-yaki", english="Kasama ware"),
        f.make_business_site(section, "工業団地", "park", english="Industrial park"),
        f.make_shop(section, "ギャラリーロード", "gallery-road", english="Gallery Road"),
        f.make_holiday_doctor_rota(home, english="Holiday doctors"),
        f.make_service_guide(home, "児童手当", "child-allowance", english="Child allowance"),
        f.make_disaster_hub(home, english="Disaster"),
        f.make_open_data_catalog(home, english="Open data"),
    ]
    for page in pages:
        assert page.live
        english = f.english_of(page)
        assert english.live
        assert english.locale.language_code == "en"
        assert english.url.startswith("/en/kasama/")


def test_translate_publishes_missing_english_parents(kasama: Municipality) -> None:
    section = f.make_section(f.home_page(kasama), "観光・文化", "tourism")
    spot = f.make_tourism_spot(section, "笠間稲荷神社", "inari", english="Kasama Inari Shrine")
    assert f.english_of(section).live
    assert f.english_of(spot).url == "/en/kasama/tourism/inari/"


# --- services -----------------------------------------------------------------------------------


def test_weekdays_are_written_in_calendar_order_and_every_day_is_daily() -> None:
    assert places.weekdays_text("水,月、火") == "月・火・水"
    assert places.weekdays_text("月,火,水,木,金,土,日") == "毎日"
    assert places.weekdays_text("月,火,水,木,金,土,日,祝") == "毎日・祝"
    assert places.weekdays_text("火水木金土日祝") == "火・水・木・金・土・日・祝"
    assert places.weekdays_text("") == ""


def test_time_ranges_and_areas() -> None:
    assert places.time_range(dt.time(9, 0), dt.time(17, 30)) == "9:00–17:30"
    assert places.time_range(dt.time(9, 0), None) == "9:00から"
    assert places.time_range(None, dt.time(0, 5)) == "0:05まで"
    assert places.area_text(Decimal("100000.00")) == "100,000㎡（10.00ha）"
    assert places.area_text(Decimal("2500.50")) == "2,500.5㎡"
    assert places.area_text(None) == ""


def test_map_links_need_both_coordinates() -> None:
    assert places.map_links(None, Decimal("140.1")) is None
    links = places.map_links(Decimal("36.387439"), Decimal("140.263233"))
    assert links is not None
    assert links.gsi == "https://maps.gsi.go.jp/#17/36.387439/140.263233/"
    assert links.osm == "https://www.openstreetmap.org/?mlat=36.387439&mlon=140.263233#map=17/36.387439/140.263233"


# --- tourism spot -------------------------------------------------------------------------------


def test_tourism_spot_shows_place_hours_and_fees_under_headings(client: Client, kasama: Municipality) -> None:
    section = f.make_section(f.home_page(kasama), "観光・文化", "tourism")
    f.make_tourism_spot(
        section,
        "笠間稲荷神社",
        "inari",
        category=TourismCategory.SHRINE_TEMPLE,
        lead="日本三大稲荷のひとつ。",
        body="<p>参拝の案内です。</p>",
        website="https://www.example.jp/inari",
        open_weekdays="月,火,水,木,金,土,日",
        opening_time=dt.time(8, 0),
        closing_time=dt.time(16, 30),
        hours_note="年中無休",
        admission="無料",
        access="JR水戸線 笠間駅から徒歩20分",
        parking="市営駐車場あり",
        barrier_free="多目的トイレあり",
    )
    body = squash(html(client, "/kasama/tourism/inari/"))
    assert "<h1>笠間稲荷神社</h1>" in body
    assert '<span class="page-kind__item">神社・寺院</span>' in body
    assert '<h2 id="place-heading">所在地・連絡先</h2>' in body
    assert "<dt>所在地</dt><dd>〒309-1611 茨城県笠間市笠間1</dd>" in body
    assert 'href="https://maps.gsi.go.jp/#17/36.387439/140.263233/"' in body
    assert (
        'href="https://www.openstreetmap.org/?mlat=36.387439&amp;mlon=140.263233#map=17/36.387439/140.263233"' in body
    )
    assert '<dt>電話番号</dt><dd><a href="tel:0296730001">0296-73-0001</a></dd>' in body
    assert 'href="https://www.example.jp/inari"' in body
    assert '<h2 id="hours-heading">開館日・開館時間</h2>' in body
    assert "<dt>開館日</dt><dd>毎日</dd>" in body
    assert "<dt>開館時間</dt><dd>8:00–16:30</dd>" in body
    assert "<dt>休館日・補足</dt><dd>年中無休</dd>" in body
    assert '<h2 id="visiting-heading">料金・アクセス</h2>' in body
    assert "<dt>料金</dt><dd>無料</dd>" in body
    assert "JR水戸線 笠間駅から徒歩20分" in body
    assert 'class="page-end"' in body  # related pages, feedback and share links follow


def test_place_without_location_or_hours_shows_no_empty_sections(client: Client, kasama: Municipality) -> None:
    f.make_tourism_spot(
        f.home_page(kasama), "名もない丘", "hill", postal_code="", address="", latitude=None, longitude=None, phone=""
    )
    body = html(client, "/kasama/hill/")
    assert "place-heading" not in body
    assert "hours-heading" not in body
    assert "visiting-heading" not in body


def test_english_tourism_spot_is_in_english_with_the_same_map(client: Client, kasama: Municipality) -> None:
    f.make_tourism_spot(
        f.home_page(kasama),
        "笠間稲荷神社",
        "inari",
        english={"title": "Kasama Inari Shrine", "address": "1 Kasama, Kasama, Ibaraki", "lead": "One of three."},
    )
    body = html(client, "/en/kasama/inari/")
    assert '<html lang="en"' in body
    assert "<h1>Kasama Inari Shrine</h1>" in body
    assert "1 Kasama, Kasama, Ibaraki" in body
    assert "https://maps.gsi.go.jp/#17/36.387439/140.263233/" in body
    assert "笠間稲荷神社" not in body.split("<main", 1)[1].split("</main>", 1)[0]


# --- specialty ------------------------------------------------------------------------------------


def test_specialty_shows_outline_and_where_to_buy(client: Client, kasama: Municipality) -> None:
    f.make_specialty(
        f.home_page(kasama),
        "笠間焼",
        "kasama-yaki",
        lead="江戸時代から続く焼き物。",
        season="通年（陶炎祭は5月）",
        producers="笠間焼協同組合",
        where_to_buy="<p>ギャラリーロードの窯元</p>",
    )
    body = squash(html(client, "/kasama/kasama-yaki/"))
    assert '<h2 id="outline-heading">概要</h2>' in body
    assert "<dt>種類</dt><dd>伝統工芸・工芸品</dd>" in body
    assert "<dt>時期・旬</dt><dd>通年（陶炎祭は5月）</dd>" in body
    assert "<dt>生産者・団体</dt><dd>笠間焼協同組合</dd>" in body
    assert '<h2 id="where-to-buy-heading">購入・体験できる場所</h2>' in body
    assert "ギャラリーロードの窯元" in body


# --- business site --------------------------------------------------------------------------------


def test_business_site_shows_a_table_with_row_headers(client: Client, kasama: Municipality) -> None:
    f.make_business_site(
        f.home_page(kasama),
        "茨城中央工業団地（笠間地区）",
        "industrial-park",
        status=BusinessSiteStatus.FOR_SALE,
        total_area_m2=Decimal("1250000.00"),
        available_area_m2=Decimal("35000.00"),
        price_per_m2=12000,
        price_note="区画により異なる",
        building_coverage=60,
        floor_area_ratio=200,
        utilities="上水道、工業用水",
        access="北関東自動車道 友部ICから約3km",
        incentives="固定資産税の課税免除（デモ）",
    )
    body = squash(html(client, "/kasama/industrial-park/"))
    assert '<caption id="outline-caption">面積・価格・用途地域</caption>' in body
    assert '<tr><th scope="row">総面積</th><td>1,250,000㎡（125.00ha）</td></tr>' in body
    assert '<tr><th scope="row">分譲可能面積</th><td>35,000㎡（3.50ha）</td></tr>' in body
    assert '<tr><th scope="row">分譲価格</th><td>1㎡あたり12,000円（区画により異なる）</td></tr>' in body
    assert '<tr><th scope="row">用途地域</th><td>工業専用地域</td></tr>' in body
    assert '<tr><th scope="row">建ぺい率</th><td>60%</td></tr>' in body
    assert '<tr><th scope="row">容積率</th><td>200%</td></tr>' in body
    assert '<span class="page-kind__item page-kind__item--status">分譲中</span>' in body
    assert "<dt>交通アクセス</dt>" in body
    assert "固定資産税の課税免除（デモ）" in body


# --- shop -----------------------------------------------------------------------------------------


def test_shopping_street_shows_shops_hours_and_closed_days(client: Client, kasama: Municipality) -> None:
    f.make_shop(
        f.home_page(kasama),
        "ギャラリーロード",
        "gallery-road",
        kind=ShopKind.STREET,
        number_of_shops=25,
        opening_hours="10:00〜17:00（店舗により異なる）",
        closed_days="店舗により異なる",
        payment="現金、クレジットカード",
    )
    body = squash(html(client, "/kasama/gallery-road/"))
    assert '<h2 id="outline-heading">商店街の概要</h2>' in body
    assert "<dt>店舗数</dt><dd>25</dd>" in body
    assert "<dt>支払い方法</dt><dd>現金、クレジットカード</dd>" in body
    assert '<h2 id="hours-heading">営業時間・定休日</h2>' in body
    assert "<dt>営業時間</dt><dd>10:00〜17:00（店舗により異なる）</dd>" in body
    assert "<dt>定休日</dt><dd>店舗により異なる</dd>" in body


def test_single_shop_is_a_shop(client: Client, kasama: Municipality) -> None:
    f.make_shop(f.home_page(kasama), "陶芸の店", "pottery-shop")
    body = html(client, "/kasama/pottery-shop/")
    assert "お店の概要" in body
    assert "店舗数" not in body


# --- sections and ordinary pages -------------------------------------------------------------------


def test_section_lists_its_live_pages_with_their_description_or_lead(client: Client, kasama: Municipality) -> None:
    section = f.make_section(f.home_page(kasama), "観光・文化", "tourism", lead="笠間の見どころ")
    f.make_tourism_spot(section, "笠間稲荷神社", "inari", lead="日本三大稲荷のひとつ")
    f.make_specialty(section, "笠間焼", "kasama-yaki", search_description="焼き物の里", lead="使われない")
    draft = f.make_content_page(section, "準備中", "draft")
    draft.unpublish()
    body = squash(html(client, "/kasama/tourism/"))
    assert '<p class="lead">笠間の見どころ</p>' in body
    assert '<h2 id="child-pages-heading" class="heading-chip">このカテゴリのページ</h2>' in body
    assert '<a class="link-card__link" href="/kasama/tourism/inari/">笠間稲荷神社</a>' in body
    assert '<p class="link-card__text">日本三大稲荷のひとつ</p>' in body
    assert '<p class="link-card__text">焼き物の里</p>' in body
    assert "使われない" not in body
    assert "準備中" not in body
    assert 'class="page-end"' in body


def test_empty_section_says_so(client: Client, kasama: Municipality) -> None:
    f.make_section(f.home_page(kasama), "市政情報", "administration")
    assert "このカテゴリのページはまだありません。" in html(client, "/kasama/administration/")


def test_content_page_shows_lead_body_child_pages_and_page_end(client: Client, kasama: Municipality) -> None:
    page = f.make_content_page(
        f.home_page(kasama), "ごみの出し方", "garbage", lead="分別の案内", body="<h2>燃やせるごみ</h2><p>週2回</p>"
    )
    f.make_content_page(page, "粗大ごみ", "large")
    body = html(client, "/kasama/garbage/")
    assert '<p class="lead">分別の案内</p>' in body
    assert "<h2>燃やせるごみ</h2>" in body
    assert "このページの下のページ" in body
    assert 'href="/kasama/garbage/large/"' in body
    assert 'class="page-end"' in body


def test_plain_japanese_page_gets_ruby_in_japanese_only(client: Client, kasama: Municipality) -> None:
    f.make_content_page(f.home_page(kasama), "市役所", "city-hall", plain_japanese=True, english="City hall")
    assert "<ruby>" in html(client, "/kasama/city-hall/")
    assert "<ruby>" not in html(client, "/en/kasama/city-hall/")


# --- home page --------------------------------------------------------------------------------------


def test_home_shows_important_notices_latest_news_and_upcoming_events(client: Client, kasama: Municipality) -> None:
    home = f.home_page(kasama)
    today = timezone.localdate()
    news = f.make_news_index(home)
    f.make_news(news, "断水のお知らせ", "water", category=NewsCategory.IMPORTANT, date=today)
    f.make_news(news, "古い重要なお知らせ", "old", category=NewsCategory.IMPORTANT, date=today - dt.timedelta(days=90))
    for n in range(6):
        f.make_news(news, f"お知らせ{n}", f"n{n}", date=today - dt.timedelta(days=n + 1))
    events = f.make_event_index(home)
    f.make_event(events, "終わった催し", "finished", start_date=today - dt.timedelta(days=3))
    f.make_event(
        events,
        "開催中の陶炎祭",
        "himatsuri",
        start_date=today - dt.timedelta(days=1),
        end_date=today + dt.timedelta(days=2),
        place_name="笠間芸術の森公園",
    )
    f.make_event(events, "菊まつり", "kiku", start_date=today + dt.timedelta(days=10))
    body = squash(html(client, "/kasama/"))
    important = body.split('id="important-heading"', 1)[1].split("</section>", 1)[0]
    assert "断水のお知らせ" in important
    assert "古い重要なお知らせ" not in important
    latest = body.split('id="latest-news-heading"', 1)[1].split("</section>", 1)[0]
    assert "断水のお知らせ" in latest
    assert latest.count('class="home-list__item"') == home_services.LATEST_NEWS
    assert "お知らせ4" not in latest  # the sixth newest
    assert 'href="/kasama/news/">お知らせ一覧へ</a>' in latest
    upcoming = body.split('id="upcoming-events-heading"', 1)[1].split("</section>", 1)[0]
    assert "終わった催し" not in upcoming
    assert upcoming.index("開催中の陶炎祭") < upcoming.index("菊まつり")
    assert "笠間芸術の森公園" in upcoming
    assert 'href="/kasama/events/">イベント一覧へ</a>' in upcoming


def test_home_without_news_or_events_shows_no_empty_lists(client: Client, kasama: Municipality) -> None:
    body = html(client, "/kasama/")
    for heading in ("important-heading", "latest-news-heading", "upcoming-events-heading"):
        assert heading not in body


def test_home_shows_only_its_own_municipality_and_language(
    client: Client, kasama: Municipality, mito: Municipality
) -> None:
    kasama_news = f.make_news_index(f.home_page(kasama), english="News")
    f.make_news(kasama_news, "笠間のお知らせ", "k1", english="Kasama notice")
    mito_news = f.make_news_index(f.home_page(mito))
    f.make_news(mito_news, "水戸の重要なお知らせ", "m1", category=NewsCategory.IMPORTANT)
    mito_events = f.make_event_index(f.home_page(mito))
    f.make_event(mito_events, "水戸の梅まつり", "ume")
    body = html(client, "/kasama/")
    assert "笠間のお知らせ" in body
    assert "水戸" not in body.split("<main", 1)[1]
    english = html(client, "/en/kasama/")
    assert "Kasama notice" in english
    assert "笠間のお知らせ" not in english
    assert "水戸の梅まつり" in html(client, "/mito/")


def test_place_details_include_serves_event_venues_too(kasama: Municipality) -> None:
    from django.template.loader import render_to_string

    events = f.make_event_index(f.home_page(kasama))
    event = f.make_event(
        events,
        "陶炎祭",
        "himatsuri",
        address="茨城県笠間市笠間2345",
        latitude=Decimal("36.380100"),
        longitude=Decimal("140.250200"),
        phone="0296-72-9222",
    )
    body = squash(render_to_string("portal/includes/place_details.html", {"place": event}))
    assert "<dt>所在地</dt><dd>茨城県笠間市笠間2345</dd>" in body
    assert 'href="https://maps.gsi.go.jp/#17/36.380100/140.250200/"' in body
    assert 'href="tel:0296729222"' in body
    assert "hours-heading" not in body  # events have dates, not opening hours
