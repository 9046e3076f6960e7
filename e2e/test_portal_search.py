"""サイト内検索 in a browser. Must show: typing a kana reading finds a page whose title is
in kanji (「かさまいなり」 → 笠間稲荷神社), as do katakana, half-width katakana and
full-width letters; the search works without JavaScript; the search page and a page's end
(related pages, share links, feedback) pass axe-core in Japanese and English on a 320 px
phone and a desktop."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from madoguchi.core.models import Municipality
from madoguchi.portal.tests import factories as f

from .layout import sideways_overflow

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def build_site(kasama: Municipality) -> None:
    home = f.home_page(kasama)
    tourism = f.make_section(
        home, "観光・文化", "tourism", english="Tourism and culture", lead="笠間の見どころ", show_in_menus=True
    )
    f.make_tourism_spot(
        tourism,
        "笠間稲荷神社",
        "inari",
        english={"title": "Kasama Inari Shrine", "lead": "One of the three great Inari shrines of Japan."},
        lead="日本三大稲荷のひとつに数えられる神社です。",
        body="<p>境内にＡＥＤがあります（デモ）。</p>",
    )
    f.make_content_page(
        tourism,
        "笠間芸術の森公園",
        "art-park",
        english={"title": "Kasama Art Forest Park", "lead": "A park of ceramics and art."},
        lead="陶芸と芸術の公園です。",
    )
    f.make_content_page(home, "AED設置場所", "aed", english="AED locations", lead="市内のAEDの場所")


def test_kana_reading_finds_the_kanji_title_from_the_header(page: Page, base_url: str, kasama: Municipality) -> None:
    build_site(kasama)
    page.goto(f"{base_url}/kasama/")
    header_search = page.get_by_role("search", name="サイト内検索")
    header_search.get_by_role("searchbox", name="サイト内を検索する言葉").fill("かさまいなり")
    header_search.get_by_role("button", name="検索").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("サイト内検索")
    expect(page.get_by_role("status")).to_contain_text("「かさまいなり」に一致するページが1件あります。")
    page.get_by_role("link", name="笠間稲荷神社").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("笠間稲荷神社")


@pytest.mark.parametrize(
    ("typed", "found"),
    [
        ("カサマイナリ", "笠間稲荷神社"),
        ("ｶｻﾏｲﾅﾘ", "笠間稲荷神社"),
        ("げいじゅつのもり", "笠間芸術の森公園"),
        ("ＡＥＤ", "AED設置場所"),
    ],
)
def test_katakana_half_width_and_full_width_letters(
    page: Page, base_url: str, kasama: Municipality, typed: str, found: str
) -> None:
    build_site(kasama)
    page.goto(f"{base_url}/kasama/search/")
    page.get_by_role("searchbox", name="探したい言葉").fill(typed)
    page.get_by_role("main").get_by_role("button", name="検索").click()
    results = page.get_by_role("main").get_by_role("list").first
    expect(results.get_by_role("link").first).to_have_text(found)


def test_search_works_without_javascript(no_js_page: Page, base_url: str, kasama: Municipality) -> None:
    build_site(kasama)
    page = no_js_page
    page.goto(f"{base_url}/kasama/search/")
    page.get_by_role("searchbox", name="探したい言葉").fill("いなり")
    page.get_by_role("main").get_by_role("button", name="検索").click()
    expect(page.get_by_role("link", name="笠間稲荷神社")).to_be_visible()


def test_nothing_found(page: Page, base_url: str, kasama: Municipality) -> None:
    build_site(kasama)
    page.goto(f"{base_url}/kasama/search/?q=%E5%AD%98%E5%9C%A8%E3%81%97%E3%81%AA%E3%81%84")
    expect(page.get_by_role("status")).to_contain_text("0件")
    expect(page.get_by_role("main")).to_contain_text("見つかりませんでした")


def test_english_search(page: Page, base_url: str, kasama: Municipality) -> None:
    build_site(kasama)
    page.goto(f"{base_url}/en/kasama/")
    header_search = page.get_by_role("search")
    header_search.get_by_role("searchbox").fill("inari")
    header_search.get_by_role("button").click()
    page.get_by_role("link", name="Kasama Inari Shrine").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Kasama Inari Shrine")
    expect(page.locator("html")).to_have_attribute("lang", "en")


PATHS = ["/kasama/search/?q=%E3%81%84%E3%81%AA%E3%82%8A", "/kasama/search/", "/kasama/tourism/inari/"]


@pytest.mark.parametrize("language", ["ja", "en"])
def test_search_and_page_end_on_a_phone(phone_page: Page, base_url: str, kasama: Municipality, language: str) -> None:
    build_site(kasama)
    for path in PATHS:
        url = f"{base_url}{'/en' if language == 'en' else ''}{path}"
        response = phone_page.goto(url)
        assert response is not None
        assert response.status == 200, url
        expect(phone_page.locator("html")).to_have_attribute("lang", language)
        overflow = sideways_overflow(phone_page)
        assert overflow <= 0, f"{url} is {overflow}px wider than the screen"


@pytest.mark.parametrize("language", ["ja", "en"])
def test_search_and_page_end_on_a_desktop(page: Page, base_url: str, kasama: Municipality, language: str) -> None:
    build_site(kasama)
    for path in PATHS:
        url = f"{base_url}{'/en' if language == 'en' else ''}{path}"
        response = page.goto(url)
        assert response is not None
        assert response.status == 200, url
        expect(page.locator("html")).to_have_attribute("lang", language)
        expect(page.get_by_role("heading", level=1)).to_be_visible()
