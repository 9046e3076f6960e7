"""The municipality's website pages: home page sections, languages from the page's
translations, breadcrumbs from the tree, menu pages in the navigation."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import translation
from wagtail.blocks import StructBlockValidationError
from wagtail.models import Locale, Page

from madoguchi.core import services as core_services
from madoguchi.core.models import Municipality
from madoguchi.portal.models import ContentPage, MunicipalityHomePage, QuickLinkBlock
from madoguchi.portal.services import home_page_for

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _japanese() -> None:
    translation.activate("ja")


def publish(page: Page) -> Page:
    page.save_revision().publish()
    page.refresh_from_db()
    return page


def add_page(parent: Page, title: str, slug: str, *, in_menu: bool = False, **fields: object) -> ContentPage:
    page = ContentPage(title=title, slug=slug, locale=parent.locale, show_in_menus=in_menu, **fields)
    parent.add_child(instance=page)
    return publish(page)  # type: ignore[return-value]


def translate(page: Page, title: str) -> Page:
    translated = page.copy_for_translation(Locale.objects.get(language_code="en"))
    translated.title = title
    return publish(translated)


@pytest.fixture
def home(kasama: Municipality) -> MunicipalityHomePage:
    page = home_page_for(kasama, "ja")
    assert page is not None
    return page


def test_empty_sections_do_not_show(client: Client, home: MunicipalityHomePage) -> None:
    body = client.get("/kasama/").content.decode()
    for heading in ("よく使う手続", "分類から探す", "お問い合わせ"):
        assert heading not in body
    assert 'class="breadcrumbs"' not in body  # the home page is the top of the trail


def test_home_page_shows_lead_quick_links_body_menu_pages_and_contact(
    client: Client, kasama: Municipality, home: MunicipalityHomePage
) -> None:
    core_services.update_municipality(kasama, address="茨城県笠間市中央三丁目2番1号", phone="0296-77-1101")
    moving = add_page(home, "引越しの手続", "moving")
    add_page(home, "くらし・手続", "living", in_menu=True, search_description="届出、証明書、税")
    home.lead = "笠間市の手続と情報"
    home.body = "<h2>市長あいさつ</h2><p>ようこそ。</p>"
    home.quick_links = [
        ("link", {"page": moving, "url": "", "title": "", "description": "転入・転出・転居"}),
        ("link", {"page": None, "url": "https://www.example.jp/tax", "title": "市税の納付", "description": ""}),
    ]
    publish(home)
    body = client.get("/kasama/").content.decode()
    assert '<p class="lead">笠間市の手続と情報</p>' in body
    assert "よく使う手続" in body
    assert '<a class="link-card__link" href="/kasama/moving/">引越しの手続</a>' in body
    assert "転入・転出・転居" in body
    assert '<a class="link-card__link" href="https://www.example.jp/tax">市税の納付</a>' in body
    assert "<h2>市長あいさつ</h2>" in body
    assert "分類から探す" in body
    assert "届出、証明書、税" in body
    assert "お問い合わせ" in body
    assert 'href="tel:0296771101"' in body
    # Menu pages are also the primary navigation of every page of the municipality.
    assert '<a class="primary-nav__link" href="/kasama/living/">くらし・手続</a>' in body
    assert (
        '<a class="primary-nav__link" href="/kasama/living/" aria-current="page">'
        in client.get("/kasama/living/").content.decode()
    )


def test_quick_links_follow_the_page_into_english(client: Client, home: MunicipalityHomePage) -> None:
    moving = add_page(home, "引越しの手続", "moving")
    translate(moving, "Moving")
    home.quick_links = [("link", {"page": moving, "url": "", "title": "", "description": ""})]
    publish(home)
    english_home = home.get_translation(Locale.objects.get(language_code="en"))
    english_home.quick_links = home.quick_links
    publish(english_home)
    body = client.get("/en/kasama/").content.decode()
    assert '<a class="link-card__link" href="/en/kasama/moving/">Moving</a>' in body


def test_quick_link_needs_a_target_and_a_label_for_external_urls() -> None:
    block = QuickLinkBlock()
    with pytest.raises(StructBlockValidationError):
        block.clean(block.to_python({"page": None, "url": "", "title": "x", "description": ""}))
    with pytest.raises(StructBlockValidationError):
        block.clean(block.to_python({"page": None, "url": "https://www.example.jp/", "title": "", "description": ""}))
    block.clean(block.to_python({"page": None, "url": "https://www.example.jp/", "title": "外部", "description": ""}))


def test_translated_page_sets_lang_and_lists_both_languages(client: Client, home: MunicipalityHomePage) -> None:
    living = add_page(home, "くらし・手続", "living")
    translate(living, "Living")
    for path, lang in (("/kasama/living/", "ja"), ("/en/kasama/living/", "en")):
        body = client.get(path).content.decode()
        assert f'<html lang="{lang}"' in body
        assert '<link rel="alternate" hreflang="ja" href="http://testserver/kasama/living/">' in body
        assert '<link rel="alternate" hreflang="en" href="http://testserver/en/kasama/living/">' in body
        assert '<link rel="alternate" hreflang="x-default" href="http://testserver/kasama/living/">' in body
    ja = client.get("/kasama/living/").content.decode()
    assert 'href="/en/kasama/living/" hreflang="en" lang="en"' in ja
    assert "(home page)" not in ja


def test_untranslated_page_advertises_no_alternate_and_sends_english_readers_home(
    client: Client, home: MunicipalityHomePage
) -> None:
    add_page(home, "お知らせ", "notice")
    body = client.get("/kasama/notice/").content.decode()
    assert '<html lang="ja"' in body
    assert 'rel="alternate"' not in body
    assert 'href="/en/kasama/" hreflang="en" lang="en"' in body
    assert '<span class="lang-switch__note"> (home page)</span>' in body
    assert client.get("/en/kasama/notice/").status_code == 404


def test_unpublished_translation_is_not_an_alternate(client: Client, home: MunicipalityHomePage) -> None:
    living = add_page(home, "くらし・手続", "living")
    english = translate(living, "Living")
    english.unpublish()
    body = client.get("/kasama/living/").content.decode()
    assert 'rel="alternate"' not in body
    assert 'href="/en/kasama/" hreflang="en"' in body


def test_breadcrumbs_follow_the_ancestors_below_the_home_page(client: Client, home: MunicipalityHomePage) -> None:
    living = add_page(home, "くらし・手続", "living")
    registry = add_page(living, "住民票", "registry")
    add_page(registry, "住民票の写しの交付", "copy")
    body = client.get("/kasama/living/registry/copy/").content.decode()
    trail = body.split('<ol class="breadcrumbs__list">', 1)[1].split("</ol>", 1)[0]
    assert '<a class="breadcrumbs__link" href="/kasama/">ホーム</a>' in trail
    assert '<a class="breadcrumbs__link" href="/kasama/living/">くらし・手続</a>' in trail
    assert '<a class="breadcrumbs__link" href="/kasama/living/registry/">住民票</a>' in trail
    assert '<li class="breadcrumbs__item" aria-current="page">住民票の写しの交付</li>' in trail
    assert trail.index("ホーム") < trail.index("くらし・手続") < trail.index("住民票の写しの交付")
    assert "madoguchi</a>" not in trail  # nothing above the municipality's home page


def test_content_page_lists_its_pages_and_update_date(client: Client, home: MunicipalityHomePage) -> None:
    living = add_page(home, "くらし・手続", "living", lead="毎日のくらしの手続")
    add_page(living, "住民票", "registry")
    body = client.get("/kasama/living/").content.decode()
    assert "<h1>くらし・手続</h1>" in body
    assert "毎日のくらしの手続" in body
    assert '<a class="link-card__link" href="/kasama/living/registry/">住民票</a>' in body
    assert "更新日" in body
    assert "<time datetime=" in body


def test_another_municipalitys_menu_pages_stay_out(
    client: Client, home: MunicipalityHomePage, mito: Municipality
) -> None:
    add_page(home, "くらし・手続", "living", in_menu=True)
    body = client.get("/mito/").content.decode()
    assert "くらし・手続" not in body
