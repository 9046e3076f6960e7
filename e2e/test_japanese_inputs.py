"""The Japanese input fields in Chromium, with the keyboard: postal code → address
autofill through htmx, the 和暦 date picker, and the same form without JavaScript."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from .layout import sideways_overflow

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True), pytest.mark.urls("e2e.japanese_urls")]


def test_postal_code_fills_the_address_and_says_so(page: Page, base_url: str) -> None:
    page.goto(f"{base_url}/japanese-form/")
    postal_code = page.get_by_label("郵便番号")
    postal_code.focus()
    page.keyboard.type("３０９－１６１１")
    expect(page.get_by_label("都道府県")).to_have_value("茨城県")
    expect(page.get_by_label("市区町村")).to_have_value("笠間市")
    expect(page.get_by_label("町域・番地")).to_have_value("笠間")
    status = page.locator("#id_postal_code_status")
    expect(status).to_have_attribute("role", "status")
    expect(status).to_have_text("住所を入力しました：茨城県笠間市笠間")
    # Focus stays where the resident is typing; the filled inputs keep their attributes.
    expect(postal_code).to_be_focused()
    expect(page.get_by_label("都道府県")).to_have_attribute("autocomplete", "address-level1")
    expect(page.get_by_label("市区町村")).to_have_attribute("maxlength", "50")
    # The resident goes on with the keyboard: Tab to the next fields and finish the town.
    page.keyboard.press("Tab")
    expect(page.get_by_label("都道府県")).to_be_focused()
    page.get_by_label("町域・番地").press("End")
    page.get_by_label("町域・番地").press_sequentially("１２３４ー５")


def test_unknown_postal_code_is_announced(page: Page, base_url: str) -> None:
    page.goto(f"{base_url}/japanese-form/")
    page.get_by_label("郵便番号").press_sequentially("1234567")
    expect(page.locator("#id_postal_code_status")).to_have_text(
        "郵便番号123-4567の住所は見つかりませんでした。住所を入力してください。"
    )
    expect(page.get_by_label("都道府県")).to_have_value("")


def fill_with_keyboard(page: Page) -> None:
    page.get_by_label("郵便番号").press_sequentially("3091611")
    expect(page.get_by_label("市区町村")).to_have_value("笠間市")
    page.get_by_label("町域・番地").press("End")
    page.keyboard.type("1234-5")
    page.keyboard.press("Tab")
    page.keyboard.type("やまだ　たろう")
    page.keyboard.press("Tab")
    # The 元号 select: choose 平成 with the keyboard, then year, month and day.
    expect(page.get_by_label("元号")).to_be_focused()
    page.get_by_label("元号").select_option(label="平成")
    page.keyboard.press("Tab")
    expect(page.get_by_label("年", exact=True)).to_be_focused()
    page.keyboard.type("31")
    page.keyboard.press("Tab")
    page.keyboard.type("5")
    page.keyboard.press("Tab")
    page.keyboard.type("1")
    page.keyboard.press("Tab")
    page.keyboard.type("0296771101")


def test_wareki_date_with_the_keyboard(page: Page, base_url: str) -> None:
    page.goto(f"{base_url}/japanese-form/")
    fill_with_keyboard(page)
    page.keyboard.press("Enter")
    # 平成31年5月1日 does not exist: the error says which day it is, nothing is lost.
    group = page.get_by_role("group", name="生年月日")
    expect(group).to_contain_text("平成31年5月1日という日付はありません。その日は令和元年5月1日（2019年5月1日）です。")
    expect(page.get_by_label("元号")).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_label("町域・番地")).to_have_value("笠間1234-5")
    expect(page.get_by_label("年", exact=True)).to_have_value("31")
    # Fix it with the keyboard: 令和 元年.
    page.get_by_label("元号").focus()
    page.get_by_label("元号").select_option(label="令和")
    page.keyboard.press("Tab")
    page.keyboard.press("Control+a")
    page.keyboard.type("元")
    page.get_by_role("button", name="送信").press("Enter")
    expect(page.get_by_role("heading", name="受け付けた内容")).to_be_visible()
    expect(page.locator('[data-field="birth_date"]')).to_have_text(re.compile(r"2019"))
    expect(page.locator('[data-field="postal_code"]')).to_have_text("309-1611")
    expect(page.locator('[data-field="name_kana"]')).to_have_text("ヤマダ\u3000タロウ")
    expect(page.locator('[data-field="phone"]')).to_have_text("0296-77-1101")


def test_the_form_fits_a_320px_phone(phone_page: Page, base_url: str) -> None:
    phone_page.goto(f"{base_url}/japanese-form/")
    overflow = sideways_overflow(phone_page)
    assert overflow <= 0, f"the form scrolls sideways by {overflow}px at 320px"


def test_without_javascript_the_resident_types_the_address(no_js_page: Page, base_url: str) -> None:
    page = no_js_page
    page.goto(f"{base_url}/japanese-form/")
    page.get_by_label("郵便番号").fill("〒３０９－１６１１")
    page.get_by_label("都道府県").fill("茨城県")
    page.get_by_label("市区町村").fill("笠間市")
    page.get_by_label("町域・番地").fill("笠間１２３４－５")
    page.get_by_label("氏名（フリガナ）").fill("ﾔﾏﾀﾞ ﾀﾛｳ")
    page.get_by_label("元号").select_option("reiwa")
    page.get_by_label("年", exact=True).fill("６")
    page.get_by_label("月", exact=True).fill("4")
    page.get_by_label("日", exact=True).fill("1")
    page.get_by_label("電話番号").fill("090-1234-5678")
    page.get_by_role("button", name="送信").click()
    expect(page.locator('[data-field="postal_code"]')).to_have_text("309-1611")
    expect(page.locator('[data-field="town"]')).to_have_text("笠間1234-5")
    expect(page.locator('[data-field="name_kana"]')).to_have_text("ヤマダ\u3000タロウ")
    expect(page.locator('[data-field="birth_date"]')).to_have_text(re.compile(r"2024"))


def test_bank_and_branch_found_by_name_with_the_keyboard(page: Page, base_url: str) -> None:
    page.goto(f"{base_url}/japanese-form/")
    # The picker needs htmx; the page's script shows it.
    summary = page.get_by_text("金融機関を名前で探す")
    expect(summary).to_be_visible()
    summary.focus()
    page.keyboard.press("Enter")
    search = page.get_by_label("金融機関名（ひらがな・カタカナも可）")
    search.focus()
    page.keyboard.type("じょうよう")
    expect(page.locator("#id_bank_code_picker_status")).to_have_text("1件見つかりました。")
    page.keyboard.press("Enter")  # submits nothing: the search is not part of the form
    expect(page.get_by_role("heading", name="受け付けた内容")).to_have_count(0)
    page.keyboard.press("Tab")
    choice = page.get_by_role("button", name="常陽（ジヨウヨウ） 0130")
    expect(choice).to_be_focused()
    page.keyboard.press("Enter")
    bank_code = page.get_by_label("金融機関コード")
    expect(bank_code).to_have_value("0130")
    expect(page.locator("#id_bank_code_status")).to_have_text("常陽（ジヨウヨウ）を選びました。")
    # The filled input still looks names up as the resident types.
    bank_code.fill("")
    bank_code.press_sequentially("0001")
    expect(page.locator("#id_bank_code_status")).to_have_text("みずほ（ミズホ）")
    bank_code.fill("")
    bank_code.press_sequentially("0130")
    expect(page.locator("#id_bank_code_status")).to_have_text("常陽（ジヨウヨウ）")
    # The branch: typed code is named at once, and its picker searches this bank.
    page.get_by_label("支店コード（店番）").press_sequentially("041")
    expect(page.locator("#id_branch_code_status")).to_have_text("笠間（カサマ）")
    branch_code = page.get_by_label("支店コード（店番）")
    branch_code.fill("")
    page.get_by_text("支店コードを支店名で探す").click()
    page.get_by_label("支店名（ひらがな・カタカナも可）").press_sequentially("みとし")
    page.get_by_role("button", name="水戸市役所（ミトシヤクシヨ） 109").press("Enter")
    expect(branch_code).to_have_value("109")
    expect(page.locator("#id_branch_code_status")).to_have_text("水戸市役所（ミトシヤクシヨ）を選びました。")
