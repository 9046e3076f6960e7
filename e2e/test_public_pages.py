"""The public pages as residents use them: in both languages, by keyboard alone, with
larger text or high contrast (with and without JavaScript), and on a 320 px phone.
Every page visited here is also checked with axe-core by the harness (conftest.py)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect
from wagtail.models import Locale

from madoguchi.core import services as core_services
from madoguchi.core.models import Municipality
from madoguchi.portal.models import ContentPage
from madoguchi.portal.services import home_page_for

from .layout import sideways_overflow

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def add_page(parent: object, title: str, slug: str, *, in_menu: bool = False, english: str = "") -> ContentPage:
    """A published page below `parent`, with its English translation when `english` is given."""
    page = ContentPage(
        title=title,
        slug=slug,
        locale=parent.locale,
        show_in_menus=in_menu,
        lead=f"{title}についてのご案内です。",  # type: ignore[attr-defined]
    )
    parent.add_child(instance=page)  # type: ignore[attr-defined]
    page.save_revision().publish()
    if english:
        translated = page.copy_for_translation(Locale.objects.get(language_code="en"))
        translated.title = english
        translated.lead = f"About {english.lower()}."
        translated.save_revision().publish()
    return page


@pytest.fixture
def site(kasama: Municipality) -> Municipality:
    """Kasama with contact details and a small website: a section in the menu (in both
    languages), a page below it, and a page only in Japanese."""
    core_services.update_municipality(
        kasama,
        postal_code="309-1792",
        address="茨城県笠間市中央三丁目2番1号",
        address_en="3-2-1 Chuo, Kasama, Ibaraki",
        phone="0296-77-1101",
        office_hours_ja="平日 午前8時30分から午後5時15分まで",
        office_hours_en="Weekdays 8:30 a.m. to 5:15 p.m.",
    )
    home = home_page_for(kasama, "ja")
    living = add_page(home, "くらし・手続", "living", in_menu=True, english="Living")
    add_page(living, "住民票", "registry", english="Residence certificates")
    add_page(home, "お知らせ", "notice")
    return kasama


PUBLIC_PAGES = [
    "/",
    "/en/",
    "/kasama/",
    "/en/kasama/",
    "/kasama/living/",
    "/en/kasama/living/",
    "/kasama/living/registry/",
    "/en/kasama/living/registry/",
    "/kasama/notice/",
    "/kasama/no-such-page/",
    "/en/kasama/no-such-page/",
]


def alternates(page: Page) -> dict[str, str]:
    links = page.locator('head link[rel="alternate"]')
    return {
        links.nth(i).get_attribute("hreflang") or "": links.nth(i).get_attribute("href") or ""
        for i in range(links.count())
    }


def test_pages_in_both_languages_set_lang_and_alternates(page: Page, base_url: str, site: Municipality) -> None:
    for path, lang, ja_path, en_path in [
        ("/", "ja", "/", "/en/"),
        ("/en/", "en", "/", "/en/"),
        ("/kasama/", "ja", "/kasama/", "/en/kasama/"),
        ("/en/kasama/", "en", "/kasama/", "/en/kasama/"),
        ("/kasama/living/registry/", "ja", "/kasama/living/registry/", "/en/kasama/living/registry/"),
        ("/en/kasama/living/registry/", "en", "/kasama/living/registry/", "/en/kasama/living/registry/"),
    ]:
        page.goto(f"{base_url}{path}")
        expect(page.locator("html")).to_have_attribute("lang", lang)
        assert alternates(page) == {
            "ja": f"{base_url}{ja_path}",
            "en": f"{base_url}{en_path}",
            "x-default": f"{base_url}{ja_path}",
        }, path
    page.goto(f"{base_url}/kasama/")
    expect(page.get_by_role("heading", level=1)).to_have_text("笠間市")
    page.goto(f"{base_url}/en/kasama/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Kasama City")
    expect(page.get_by_role("contentinfo")).to_contain_text("Weekdays 8:30 a.m. to 5:15 p.m.")


def test_language_switch_keeps_the_page(page: Page, base_url: str, site: Municipality) -> None:
    page.goto(f"{base_url}/kasama/living/registry/")
    switch = page.get_by_role("link", name="English")
    expect(switch).to_have_attribute("hreflang", "en")
    expect(switch).to_have_attribute("lang", "en")
    switch.click()
    expect(page).to_have_url(f"{base_url}/en/kasama/living/registry/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Residence certificates")
    page.get_by_role("link", name="日本語").click()
    expect(page).to_have_url(f"{base_url}/kasama/living/registry/")
    expect(page.get_by_role("heading", level=1)).to_have_text("住民票")


def test_page_without_translation_sends_english_readers_home(page: Page, base_url: str, site: Municipality) -> None:
    page.goto(f"{base_url}/kasama/notice/")
    assert alternates(page) == {}
    page.get_by_role("link", name="English (home page)").click()
    expect(page).to_have_url(f"{base_url}/en/kasama/")
    expect(page.locator("html")).to_have_attribute("lang", "en")


def test_translated_404_in_both_languages(page: Page, base_url: str, site: Municipality) -> None:
    response = page.goto(f"{base_url}/kasama/no-such-page/")
    assert response is not None
    assert response.status == 404
    expect(page.locator("html")).to_have_attribute("lang", "ja")
    expect(page.get_by_role("heading", level=1)).to_have_text("ページが見つかりません")
    expect(page.get_by_role("banner")).to_contain_text("笠間市")
    page.get_by_role("link", name="English").click()
    expect(page).to_have_url(f"{base_url}/en/kasama/no-such-page/")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", level=1)).to_have_text("Page not found")
    page.get_by_role("link", name="Go to the Kasama City home page").click()
    expect(page).to_have_url(f"{base_url}/en/kasama/")


def test_skip_link_is_first_and_moves_focus_to_main(page: Page, base_url: str, site: Municipality) -> None:
    page.goto(f"{base_url}/kasama/living/")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="本文へ移動")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    page.keyboard.press("Enter")
    expect(page.locator("#main")).to_be_focused()
    page.keyboard.press("Tab")  # the next stop is in the content, past the header
    assert page.evaluate("document.activeElement.closest('main') !== null")


def _focus_is_visible(page: Page) -> bool:
    return bool(
        page.evaluate(
            """() => {
              const s = getComputedStyle(document.activeElement);
              return s.outlineStyle !== "none" && parseFloat(s.outlineWidth) >= 2;
            }"""
        )
    )


def test_header_controls_by_keyboard_alone(page: Page, base_url: str, site: Municipality) -> None:
    page.goto(f"{base_url}/kasama/")
    expected = [
        ("link", "本文へ移動"),
        ("link", "笠間市"),
        ("link", "English"),
        ("link", "サインイン"),
        ("summary", "文字サイズ・色"),
        ("link", "申請・届出"),  # the primary navigation: modules first, then the menu pages
        ("link", "施設予約"),
        ("link", "お支払い"),
    ]
    for role, name in expected:
        page.keyboard.press("Tab")
        target = (
            page.locator("summary", has_text=name)
            if role == "summary"
            else page.get_by_role("link", name=name, exact=True)
        )
        expect(target.first).to_be_focused()
        assert _focus_is_visible(page), f"no visible focus on {name}"

    # Back to the display options: open them, choose with the arrow keys, close with Escape.
    for _link in expected[expected.index(("summary", "文字サイズ・色")) + 1 :]:
        page.keyboard.press("Shift+Tab")
    page.keyboard.press("Enter")
    options = page.locator("details.display-options")
    expect(options).to_have_attribute("open", "")
    page.keyboard.press("Tab")
    expect(page.get_by_role("radio", name="標準").first).to_be_focused()
    page.keyboard.press("ArrowRight")
    expect(page.get_by_role("radio", name="大きく", exact=True)).to_be_checked()
    expect(page.locator("html")).to_have_class(re.compile(r"\btext-large\b"))
    expect(page.get_by_role("status").filter(has_text="表示を切り替えました")).to_be_visible()
    page.keyboard.press("Escape")
    expect(options).not_to_have_attribute("open", "")
    expect(page.locator("summary", has_text="文字サイズ・色")).to_be_focused()


def test_text_size_and_contrast_persist_across_pages_and_reloads(page: Page, base_url: str, site: Municipality) -> None:
    page.goto(f"{base_url}/kasama/living/")
    page.get_by_text("文字サイズ・色").click()
    page.get_by_label("さらに大きく").check()
    page.get_by_label("白黒反転（高コントラスト）").check()
    html = page.locator("html")
    expect(html).to_have_class(re.compile(r"\btext-x-large\b.*\bcontrast-high\b|\bcontrast-high\b.*\btext-x-large\b"))
    expect(page.get_by_role("button", name="この設定にする")).to_be_hidden()  # applied already
    page.get_by_role("button", name="閉じる").click()
    font_size = page.evaluate("getComputedStyle(document.documentElement).fontSize")
    assert font_size == "24px"
    background = page.evaluate("getComputedStyle(document.body).backgroundColor")
    assert background == "rgb(0, 0, 0)"

    page.reload()
    expect(html).to_have_class(re.compile(r"\btext-x-large\b"))
    expect(html).to_have_class(re.compile(r"\bcontrast-high\b"))
    for path in ("/", "/en/kasama/", "/kasama/living/registry/", "/kasama/no-such-page/"):
        page.goto(f"{base_url}{path}")
        expect(html).to_have_class(re.compile(r"\btext-x-large\b"))
        expect(html).to_have_class(re.compile(r"\bcontrast-high\b"))

    page.get_by_text("文字サイズ・色").click()
    page.get_by_label("標準").first.check()
    page.get_by_label("標準").nth(1).check()
    page.reload()
    expect(html).to_have_class("text-standard contrast-standard")


def test_text_size_and_contrast_work_without_javascript(no_js_page: Page, base_url: str, site: Municipality) -> None:
    page = no_js_page
    page.goto(f"{base_url}/kasama/living/")
    page.get_by_text("文字サイズ・色").click()  # <details> opens without any script
    page.get_by_label("大きく", exact=True).check()
    page.get_by_label("白黒反転（高コントラスト）").check()
    html = page.locator("html")
    expect(html).to_have_class("text-standard contrast-standard")  # nothing happens until sent
    page.get_by_role("button", name="この設定にする").click()
    expect(page).to_have_url(f"{base_url}/kasama/living/")
    expect(html).to_have_class("text-large contrast-high")
    page.goto(f"{base_url}/en/kasama/")
    expect(html).to_have_class("text-large contrast-high")
    page.reload()
    expect(html).to_have_class("text-large contrast-high")


@pytest.mark.parametrize("display", ["standard.standard", "x-large.high"])
def test_every_public_page_fits_a_320px_phone(
    phone_page: Page, base_url: str, site: Municipality, mito: Municipality, display: str
) -> None:
    phone_page.context.add_cookies([{"name": "madoguchi_display", "value": display, "url": base_url}])
    for path in PUBLIC_PAGES:
        phone_page.goto(f"{base_url}{path}")
        overflow = sideways_overflow(phone_page)
        assert overflow <= 0, f"{path} scrolls sideways by {overflow}px at 320px ({display})"
    # The open display options fit too.
    phone_page.get_by_text("Text size and colours").click()
    panel = phone_page.locator(".display-options__panel")
    expect(panel).to_be_visible()
    box = panel.bounding_box()
    assert box is not None
    assert box["x"] >= 0
    assert box["x"] + box["width"] <= 320
    overflow = sideways_overflow(phone_page)
    assert overflow <= 0


def test_breadcrumbs_show_where_the_page_is(page: Page, base_url: str, site: Municipality) -> None:
    page.goto(f"{base_url}/kasama/living/registry/")
    trail = page.get_by_role("navigation", name="現在位置")
    expect(trail.get_by_role("listitem")).to_have_text(["ホーム", "くらし・手続", "住民票"])
    expect(trail.locator('[aria-current="page"]')).to_have_text("住民票")
    trail.get_by_role("link", name="くらし・手続").click()
    expect(page).to_have_url(f"{base_url}/kasama/living/")
    expect(page.get_by_role("navigation", name="現在位置").get_by_role("listitem")).to_have_text(
        ["ホーム", "くらし・手続"]
    )
    page.get_by_role("navigation", name="現在位置").get_by_role("link", name="ホーム").click()
    expect(page).to_have_url(f"{base_url}/kasama/")
    expect(page.get_by_role("navigation", name="現在位置")).to_have_count(0)  # the home page is the top
    page.goto(f"{base_url}/en/kasama/living/registry/")
    expect(page.get_by_role("navigation", name="You are here").get_by_role("listitem")).to_have_text(
        ["Home", "Living", "Residence certificates"]
    )
