"""The website's sections, ordinary pages, home page and place pages in a browser: a
visitor goes from the home page (重要なお知らせ, 新着情報, これからのイベント) through a
section to a tourism spot and finds its map links and phone; and every page type of this
part in Japanese and English, on a 320 px phone (no sideways scrolling) and on a desktop.
Every page is checked with axe-core and the CSP (conftest)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from madoguchi.core.models import Municipality
from madoguchi.portal.models import BusinessSiteStatus, NewsCategory, ShopKind, SpecialtyKind, TourismCategory
from madoguchi.portal.tests import factories as f

from .layout import sideways_overflow

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

BODY = "<h2>見どころ</h2><p>四季を通じて多くの方が訪れます。</p><ul><li>春</li><li>秋</li></ul>"
BODY_EN = "<h2>Highlights</h2><p>Visitors come all year round.</p><ul><li>Spring</li><li>Autumn</li></ul>"


def build_site(kasama: Municipality) -> list[str]:
    """A small Kasama site with one page of every type of this part, in both languages;
    returns the Japanese paths (the English ones are the same below /en/)."""
    today = timezone.localdate()
    home = f.home_page(kasama)
    news = f.make_news_index(home, english="News")
    f.make_news(news, "断水のお知らせ", "water", english="Water outage", category=NewsCategory.IMPORTANT, date=today)
    f.make_news(news, "ごみ収集日の変更", "garbage", english="Garbage collection days", date=today)
    events = f.make_event_index(home, english="Events")
    f.make_event(
        events,
        "笠間の菊まつり",
        "kiku",
        english="Kasama Chrysanthemum Festival",
        start_date=today + dt.timedelta(days=5),
        end_date=today + dt.timedelta(days=30),
        place_name="笠間稲荷神社",
    )
    tourism = f.make_section(
        home,
        "観光・文化",
        "tourism",
        english={"title": "Tourism and culture", "lead": "Places to visit in Kasama"},
        lead="笠間の見どころ",
        show_in_menus=True,
    )
    business = f.make_section(
        home, "産業・しごと", "business", english="Business and work", lead="企業誘致と地場産業", show_in_menus=True
    )
    f.make_tourism_spot(
        tourism,
        "笠間稲荷神社",
        "inari",
        english={
            "title": "Kasama Inari Shrine",
            "lead": "One of the three great Inari shrines of Japan.",
            "body": BODY_EN,
            "address": "1 Kasama, Kasama, Ibaraki",
            "admission": "Free",
            "access": "20 minutes on foot from Kasama Station (JR Mito Line)",
        },
        category=TourismCategory.SHRINE_TEMPLE,
        lead="日本三大稲荷のひとつに数えられる神社です。",
        body=BODY,
        website="https://www.example.jp/kasama-inari-jinja/visiting-information-for-worshippers",
        open_weekdays="月,火,水,木,金,土,日",
        opening_time=dt.time(8, 0),
        closing_time=dt.time(16, 30),
        hours_note="年中無休（デモ）",
        admission="無料",
        access="JR水戸線 笠間駅から徒歩20分\n北関東自動車道 友部ICから車で15分",
        parking="市営駐車場（有料）",
        barrier_free="多目的トイレあり",
    )
    f.make_specialty(
        business,
        "笠間焼",
        "kasama-yaki",
        english={"title": "Kasama ware", "lead": "Pottery made in Kasama since the Edo period."},
        kind=SpecialtyKind.CRAFT,
        lead="江戸時代から続く焼き物です。",
        body=BODY,
        season="通年（陶炎祭は5月）",
        producers="笠間焼協同組合（デモ）",
        where_to_buy="<p>ギャラリーロードの窯元・ギャラリー</p>",
    )
    f.make_business_site(
        business,
        "茨城中央工業団地（笠間地区）",
        "industrial-park",
        english={"title": "Ibaraki Central Industrial Park (Kasama)", "lead": "Sites for factories and logistics."},
        status=BusinessSiteStatus.FOR_SALE,
        total_area_m2=Decimal("1250000.00"),
        available_area_m2=Decimal("35000.00"),
        price_per_m2=12000,
        price_note="区画により異なる（デモ）",
        building_coverage=60,
        floor_area_ratio=200,
        utilities="上水道、工業用水、電力（特別高圧）",
        access="北関東自動車道 友部ICから約3km",
        incentives="固定資産税の課税免除（デモ）",
        address="茨城県笠間市安居",
        latitude=Decimal("36.351000"),
        longitude=Decimal("140.302000"),
        phone="0296-77-1101",
    )
    f.make_shop(
        tourism,
        "ギャラリーロード",
        "gallery-road",
        english={"title": "Gallery Road", "opening_hours": "10:00–17:00 (varies by shop)"},
        kind=ShopKind.STREET,
        number_of_shops=25,
        lead="窯元やギャラリーが並ぶ通りです。",
        opening_hours="10:00〜17:00（店舗により異なる）",
        closed_days="店舗により異なる",
        payment="現金、クレジットカード、QRコード決済",
        address="茨城県笠間市笠間2258-1付近",
        latitude=Decimal("36.380000"),
        longitude=Decimal("140.255000"),
    )
    f.make_content_page(
        home, "市役所へのアクセス", "access", english="Access to City Hall", lead="本庁舎と支所の案内", body=BODY
    )
    return [
        "/kasama/",
        "/kasama/tourism/",
        "/kasama/tourism/inari/",
        "/kasama/business/kasama-yaki/",
        "/kasama/business/industrial-park/",
        "/kasama/tourism/gallery-road/",
        "/kasama/access/",
    ]


def test_a_visitor_goes_from_the_home_page_to_a_shrine(page: Page, base_url: str, kasama: Municipality) -> None:
    build_site(kasama)
    page.goto(f"{base_url}/kasama/")
    expect(page.get_by_role("heading", level=1)).to_have_text("笠間市")
    important = page.get_by_role("region", name="重要なお知らせ")
    expect(important.get_by_role("link", name="断水のお知らせ")).to_be_visible()
    expect(page.get_by_role("region", name="新着情報").get_by_role("link", name="ごみ収集日の変更")).to_be_visible()
    expect(page.get_by_role("region", name="これからのイベント")).to_contain_text("笠間の菊まつり")

    page.get_by_role("region", name="分類から探す").get_by_role("link", name="観光・文化").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("観光・文化")
    cards = page.get_by_role("region", name="このカテゴリのページ")
    expect(cards).to_contain_text("日本三大稲荷のひとつに数えられる神社です。")
    cards.get_by_role("link", name="笠間稲荷神社").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("笠間稲荷神社")
    place = page.get_by_role("region", name="所在地・連絡先")
    expect(place.get_by_role("link", name="地理院地図で見る")).to_have_attribute(
        "href", "https://maps.gsi.go.jp/#17/36.387439/140.263233/"
    )
    expect(place.get_by_role("link", name="0296-73-0001")).to_have_attribute("href", "tel:0296730001")
    hours = page.get_by_role("region", name="開館日・開館時間")
    expect(hours).to_contain_text("8:00–16:30")
    expect(page.get_by_role("region", name="料金・アクセス")).to_contain_text("JR水戸線 笠間駅から徒歩20分")
    # The breadcrumbs lead back to the section.
    page.get_by_role("navigation", name="現在位置").get_by_role("link", name="観光・文化").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("観光・文化")


def test_business_site_table_is_read_with_row_headers(page: Page, base_url: str, kasama: Municipality) -> None:
    build_site(kasama)
    page.goto(f"{base_url}/kasama/business/industrial-park/")
    table = page.get_by_role("table", name="面積・価格・用途地域")
    expect(table.get_by_role("row", name="総面積")).to_contain_text("1,250,000㎡（125.00ha）")
    expect(table.get_by_role("rowheader", name="用途地域")).to_be_visible()
    expect(table.get_by_role("row", name="分譲価格")).to_contain_text("1㎡あたり12,000円")


@pytest.mark.parametrize("language", ["ja", "en"])
def test_every_page_type_on_a_desktop(page: Page, base_url: str, kasama: Municipality, language: str) -> None:
    for path in build_site(kasama):
        url = f"{base_url}{'/en' if language == 'en' else ''}{path}"
        response = page.goto(url)
        assert response is not None, url
        assert response.status == 200, url
        expect(page.locator("html")).to_have_attribute("lang", language)
        expect(page.get_by_role("heading", level=1)).to_be_visible()


@pytest.mark.parametrize("language", ["ja", "en"])
def test_every_page_type_on_a_phone(phone_page: Page, base_url: str, kasama: Municipality, language: str) -> None:
    page = phone_page
    for path in build_site(kasama):
        url = f"{base_url}{'/en' if language == 'en' else ''}{path}"
        response = page.goto(url)
        assert response is not None, url
        assert response.status == 200, url
        expect(page.locator("html")).to_have_attribute("lang", language)
        overflow = sideways_overflow(page)
        assert overflow <= 0, f"{url} is {overflow}px wider than the screen"
