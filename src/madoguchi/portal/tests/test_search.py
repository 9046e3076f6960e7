"""サイト内検索: the index follows publishing, Japanese queries in any script find pages,
and a municipality's search shows only its own pages in the reader's language."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import translation
from wagtail.models import Locale, Page, PageViewRestriction

from madoguchi.core.models import Municipality
from madoguchi.japanese.search import fold, query_terms
from madoguchi.portal.models import ContentPage, SearchEntry, SectionPage
from madoguchi.portal.services import home_page_for
from madoguchi.portal.services.search import reindex, search
from madoguchi.procedures.services import search as procedure_search

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _japanese() -> None:
    translation.activate("ja")


def add_page(parent: Page, title: str, slug: str, cls: type[Page] = ContentPage, **fields: object) -> Page:
    page = cls(title=title, slug=slug, locale=parent.locale, **fields)
    parent.add_child(instance=page)
    page.save_revision().publish()
    page.refresh_from_db()
    return page


def titles(municipality: Municipality, query: str, language: str = "ja") -> list[str]:
    return [hit.title for hit in search(municipality, language, query)]


@pytest.fixture
def home(kasama: Municipality) -> Page:
    page = home_page_for(kasama)
    assert page is not None
    return page


@pytest.fixture
def shrine(home: Page) -> Page:
    return add_page(
        home, "笠間稲荷神社", "inari", lead="日本三大稲荷のひとつ。", body="<p>ＡＥＤは社務所にあります。</p>"
    )


# Folding ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "folded"),
    [
        ("カサマイナリ", "かさまいなり"),
        ("ｶｻﾏｲﾅﾘ", "かさまいなり"),
        ("ＡＥＤ　設置", "aed設置"),
        ("髙橋", "高橋"),
        ("山﨑", "山崎"),
        ("齋藤・齊藤", "斎藤斎藤"),
        ("渡邊 渡邉", "渡辺渡辺"),
    ],
)
def test_fold(typed: str, folded: str) -> None:
    assert fold(typed) == folded


def test_query_words_split_at_any_space() -> None:
    assert query_terms("笠間　いなり  ｼﾞﾝｼﾞｬ") == ["笠間", "いなり", "じんじゃ"]


def test_procedures_use_the_same_folding() -> None:
    assert procedure_search.fold is fold


# The index follows publishing ---------------------------------------------------------------


def test_publishing_writes_the_entry_with_the_title_reading(kasama: Municipality, shrine: Page) -> None:
    entry = SearchEntry.unscoped.get(page_id=shrine.pk)
    assert (entry.municipality, entry.language, entry.url) == (kasama, "ja", "/kasama/inari/")
    assert entry.folded_reading == "かさまいなりじんじゃ"
    assert entry.summary == "日本三大稲荷のひとつ。"
    assert "aedは社務所にあります" in entry.folded_body


def test_unpublish_and_delete_remove_the_entry(shrine: Page) -> None:
    shrine.unpublish()
    assert not SearchEntry.unscoped.filter(page_id=shrine.pk).exists()
    shrine.save_revision().publish()
    assert SearchEntry.unscoped.filter(page_id=shrine.pk).exists()
    shrine.delete()
    assert not SearchEntry.unscoped.filter(page_id=shrine.pk).exists()


def test_a_moved_branch_gets_its_new_urls(home: Page, shrine: Page) -> None:
    section = add_page(home, "観光", "kanko", cls=SectionPage)
    shrine.move(section, pos="last-child")
    assert SearchEntry.unscoped.get(page_id=shrine.pk).url == "/kasama/kanko/inari/"


def test_private_pages_are_not_searchable(shrine: Page) -> None:
    PageViewRestriction.objects.create(page=shrine, restriction_type=PageViewRestriction.LOGIN)
    assert not SearchEntry.unscoped.filter(page_id=shrine.pk).exists()


def test_drafts_are_not_searchable(home: Page) -> None:
    draft = ContentPage(title="下書きの稲荷", slug="draft", locale=home.locale, live=False)
    home.add_child(instance=draft)
    draft.save_revision()
    assert not SearchEntry.unscoped.filter(page_id=draft.pk).exists()


# Searching -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "query", ["かさまいなり", "カサマイナリ", "ｶｻﾏｲﾅﾘ", "笠間稲荷", "笠間いなり", "いなり じんじゃ"]
)
def test_kana_and_kanji_find_the_kanji_title(kasama: Municipality, shrine: Page, query: str) -> None:
    assert titles(kasama, query) == ["笠間稲荷神社"]


def test_full_width_letters_find_half_width_and_back(kasama: Municipality, home: Page, shrine: Page) -> None:
    add_page(home, "AED設置場所", "aed")
    assert titles(kasama, "ＡＥＤ") == ["AED設置場所", "笠間稲荷神社"]  # by title first, then by text
    assert titles(kasama, "aed") == ["AED設置場所", "笠間稲荷神社"]


def test_variant_kanji_are_found_by_the_common_ones(kasama: Municipality, home: Page) -> None:
    add_page(home, "髙﨑家住宅", "takasaki")
    assert titles(kasama, "高崎") == ["髙﨑家住宅"]


def test_the_editors_reading_wins_over_the_dictionary(kasama: Municipality, home: Page) -> None:
    add_page(home, "佐白山", "sashiroyama", reading="さしろさん")
    assert titles(kasama, "さしろさん") == ["佐白山"]
    assert titles(kasama, "さはくさん") == []  # the dictionary's misreading is not indexed


def test_every_word_must_match(kasama: Municipality, shrine: Page) -> None:
    assert titles(kasama, "いなり 栗") == []
    assert titles(kasama, "") == []


def test_search_shows_only_the_municipalitys_own_pages(kasama: Municipality, mito: Municipality, shrine: Page) -> None:
    from madoguchi.portal.services import create_home_page

    mito_home = create_home_page(mito)
    add_page(mito_home, "水戸の稲荷", "inari")
    assert titles(mito, "いなり") == ["水戸の稲荷"]
    assert titles(kasama, "いなり") == ["笠間稲荷神社"]


def test_english_pages_are_searched_in_english(kasama: Municipality, shrine: Page) -> None:
    translated = shrine.copy_for_translation(Locale.objects.get(language_code="en"))
    translated.title = "Kasama Inari Shrine"
    translated.reading = ""
    translated.save_revision().publish()
    assert titles(kasama, "inari", "en") == ["Kasama Inari Shrine"]
    assert titles(kasama, "shrine", "ja") == []


def test_reindex_rebuilds_and_removes_stale_entries(kasama: Municipality, shrine: Page) -> None:
    SearchEntry.unscoped.all().delete()
    out = io.StringIO()
    call_command("portal_reindex", "kasama", stdout=out)
    assert SearchEntry.unscoped.filter(page_id=shrine.pk).exists()
    # The home page in Japanese and English, and the shrine.
    assert "kasama: 3/3 pages" in out.getvalue()
    ContentPage.objects.filter(pk=shrine.pk).update(live=False)
    assert reindex(kasama) == 2
    assert not SearchEntry.unscoped.filter(page_id=shrine.pk).exists()


# The page ------------------------------------------------------------------------------


def test_search_page_without_script(client: Client, shrine: Page) -> None:
    response = client.get("/kasama/search/", {"q": "ｶｻﾏｲﾅﾘ"})
    assert response.status_code == 200
    body = response.content.decode()
    assert '<a href="/kasama/inari/">笠間稲荷神社</a>' in body
    assert "1件あります" in body
    assert 'value="ｶｻﾏｲﾅﾘ"' in body


def test_nothing_found_says_what_to_try(client: Client, shrine: Page) -> None:
    body = client.get("/kasama/search/", {"q": "存在しない言葉"}).content.decode()
    assert "見つかりませんでした" in body


def test_english_search_page(client: Client, kasama: Municipality, shrine: Page) -> None:
    translated = shrine.copy_for_translation(Locale.objects.get(language_code="en"))
    translated.title = "Kasama Inari Shrine"
    translated.save_revision().publish()
    body = client.get("/en/kasama/search/", {"q": "Inari"}).content.decode()
    assert 'href="/en/kasama/inari/"' in body
    assert "笠間稲荷神社" not in body.split("<main", 1)[1].split("</main>", 1)[0]


def test_header_has_the_search_box(client: Client, shrine: Page) -> None:
    body = client.get("/kasama/inari/").content.decode()
    assert 'role="search"' in body
    assert 'action="/kasama/search/"' in body
    assert '<meta property="og:title" content="笠間稲荷神社">' in body
    assert '<meta property="og:url" content="http://testserver/kasama/inari/">' in body


# sitemap.xml ---------------------------------------------------------------------------


def test_sitemap_lists_live_public_pages_in_every_language(client: Client, home: Page, shrine: Page) -> None:
    translated = shrine.copy_for_translation(Locale.objects.get(language_code="en"))
    translated.title = "Kasama Inari Shrine"
    translated.save_revision().publish()
    draft = ContentPage(title="下書き", slug="draft", locale=home.locale, live=False)
    home.add_child(instance=draft)
    private = add_page(home, "職員向け", "private")
    PageViewRestriction.objects.create(page=private, restriction_type=PageViewRestriction.LOGIN)
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    body = response.content.decode()
    assert "<loc>http://testserver/kasama/inari/</loc>" in body
    assert "<loc>http://testserver/en/kasama/inari/</loc>" in body
    assert "<loc>http://testserver/kasama/</loc>" in body
    assert "/draft/" not in body
    assert "/private/" not in body
    assert "<lastmod>" in body
