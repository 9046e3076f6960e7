"""The public pages of the foundation, as a resident with a browser uses them."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from madoguchi.core.models import Municipality

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_home_page_in_both_languages(page: Page, base_url: str, kasama: Municipality) -> None:
    page.goto(f"{base_url}/kasama/")
    expect(page.locator("html")).to_have_attribute("lang", "ja")
    expect(page.get_by_role("heading", level=1)).to_have_text("笠間市")
    page.get_by_role("link", name="English").click()
    expect(page).to_have_url(re.compile(r"/en/kasama/$"))
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", level=1)).to_have_text("Kasama City")


def test_skip_link_is_first_and_moves_focus_to_main(page: Page, base_url: str, kasama: Municipality) -> None:
    page.goto(f"{base_url}/kasama/")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="本文へスキップ")
    expect(skip).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("#main")).to_be_focused()


def test_text_size_and_contrast_persist_with_the_keyboard(page: Page, base_url: str, kasama: Municipality) -> None:
    page.goto(f"{base_url}/kasama/")
    page.get_by_text("文字サイズ・色").focus()
    page.keyboard.press("Enter")
    page.get_by_label("特大").check()
    page.get_by_label("高コントラスト").check()
    expect(page.locator("html")).to_have_class(re.compile(r"text-x-large.*contrast-high"))
    page.goto(f"{base_url}/")
    expect(page.locator("html")).to_have_class(re.compile(r"text-x-large.*contrast-high"))


def test_pages_fit_a_320px_phone(phone_page: Page, base_url: str, kasama: Municipality, mito: Municipality) -> None:
    for path in ("/", "/kasama/", "/en/kasama/", "/kasama/no-such-page/"):
        phone_page.goto(f"{base_url}{path}")
        overflow = phone_page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0, f"{path} scrolls sideways by {overflow}px at 320px"
