"""利用者登録 in a browser: a club's representative applies for a group registration with
JavaScript turned off (a clear error keeps what was typed; more member rows without
scripts); a counter clerk finds it in the console by its kana, gives the reason for
opening it and approves it; the representative sees the card number on the my page in
English on a 320 px phone. Every page is checked with axe-core and against the CSP
(conftest)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from madoguchi.accounts.models import Role, User
from madoguchi.core.models import Municipality
from madoguchi.core.tenancy import municipality_scope
from madoguchi.facilities.models import Registration, RegistrationKind, RegistrationStatus
from madoguchi.facilities.services import registrations
from madoguchi.testing.factories import UserFactory, make_staff

from .layout import sideways_overflow
from .sessions import sign_in
from .test_staff_console import console_assets, serve_assets

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

__all__ = ["console_assets"]


def _fits(page: Page) -> None:
    overflow = sideways_overflow(page)
    assert overflow <= 0, f"{page.url} is {overflow}px wider than the screen"


def test_a_group_applies_without_javascript(no_js_page: Page, base_url: str, kasama: Municipality) -> None:
    page = no_js_page
    resident: User = UserFactory.create(email="club@resident.example", family_name="山田", given_name="花子")
    sign_in(page.context, base_url, resident)

    page.goto(f"{base_url}/kasama/facilities/register/")
    expect(page.get_by_role("heading", name="利用者登録", level=1)).to_be_visible()
    page.get_by_role("link", name="団体登録を申請する").click()
    expect(page.get_by_role("heading", name="団体登録の申請", level=1)).to_be_visible()

    page.get_by_label("団体名", exact=True).fill("笠間バドミントンクラブ")
    page.get_by_label("団体名（フリガナ）").fill("かさまばどみんとんくらぶ")
    page.get_by_label("主な活動内容").fill("バドミントン")
    page.get_by_label("代表者氏名", exact=True).fill("山田 花子")
    page.get_by_label("代表者氏名（フリガナ）").fill("ヤマダ ハナコ")
    page.get_by_label("郵便番号").fill("309-1611")
    page.get_by_label("住所").fill("茨城県笠間市笠間1532")
    page.get_by_label("電話番号").fill("0296-77-1101")
    names = [f"会員{n}" for n in range(1, 8)]
    rows = page.locator(".fac-members__row")
    expect(rows).to_have_count(5)
    for i, name in enumerate(names[:5]):
        rows.nth(i).get_by_label("氏名").fill(name)
        if i < 4:
            rows.nth(i).get_by_label("市内在住・在勤・在学").check()

    # Two more members: more rows, without scripts and without losing anything.
    page.get_by_role("button", name="入力欄を増やす").click()
    expect(rows).to_have_count(10)
    expect(page.get_by_label("団体名", exact=True)).to_have_value("笠間バドミントンクラブ")
    expect(rows.nth(4).get_by_label("氏名")).to_have_value("会員5")
    rows.nth(5).get_by_label("氏名").fill(names[5])
    rows.nth(6).get_by_label("氏名").fill(names[6])

    # Forgot the confirmation: a clear error, everything still there.
    page.get_by_role("button", name="申請する").click()
    expect(page.locator("#form-errors")).to_contain_text("入力内容を確認してください。")
    expect(page.locator("main")).to_contain_text("確認のチェックを入れてください。")
    expect(rows.nth(6).get_by_label("氏名")).to_have_value("会員7")
    page.get_by_label("利用規則を守り、登録内容に誤りがないことを確認しました").check()
    page.get_by_role("button", name="申請する").click()

    expect(page).to_have_url(re.compile(r"/kasama/facilities/my/registrations/\d+/$"))
    expect(page.locator("main")).to_contain_text("利用者登録を申請しました。")
    expect(page.locator("main")).to_contain_text("審査中")
    expect(page.locator("main")).to_contain_text("7人（うち市内在住・在勤・在学 4人）")
    with municipality_scope(kasama):
        registration = Registration.objects.get(user=resident)
    assert registration.name_kana == "カサマバドミントンクラブ"
    assert registration.pays_resident_rate

    page.goto(f"{base_url}/kasama/facilities/my/")
    expect(page.locator("main")).to_contain_text("笠間バドミントンクラブ")


def test_a_clerk_approves_and_the_card_number_shows_on_a_phone(
    page: Page,
    phone_page: Page,
    base_url: str,
    kasama: Municipality,
    context: BrowserContext,
    console_assets: dict[str, tuple[str, bytes]],
) -> None:
    serve_assets(context, console_assets)
    resident: User = UserFactory.create(email="tennis@resident.example", preferred_language="en")
    registration = registrations.submit(
        municipality=kasama,
        user=resident,
        kind=RegistrationKind.GROUP,
        data={
            "name": "友部テニス同好会",
            "name_kana": "トモベテニスドウコウカイ",
            "representative_name": "友部 太郎",
            "representative_name_kana": "トモベ タロウ",
            "postal_code": "309-1703",
            "address": "茨城県笠間市中央三丁目2番1号",
            "phone": "0296-77-1101",
            "email": "tennis@resident.example",
            "member_count": 12,
            "resident_member_count": 9,
            "activity": "テニス",
        },
        members=[],
    )
    clerk = make_staff(kasama, Role.COUNTER_CLERK)
    sign_in(page.context, base_url, clerk)

    page.goto(f"{base_url}/staff/facilities/registrations/")
    search = page.get_by_role("textbox", name="検索")
    search.fill("トモベテニス")
    search.press("Enter")
    page.get_by_role("link", name="友部テニス同好会").click()
    expect(page.get_by_role("heading", name="閲覧の理由", level=2)).to_be_visible()
    page.get_by_label("目的").select_option(label="担当業務の処理")
    page.get_by_label("具体的な理由").fill("利用者登録の審査のため")
    page.get_by_role("button", name="理由を記録して開く").click()
    expect(page.locator("main")).to_contain_text("この閲覧は監査ログに記録されました。")
    expect(page.locator("main")).to_contain_text("茨城県笠間市中央三丁目2番1号")
    page.get_by_role("button", name="承認して登録番号を発行する").click()
    expect(page.locator(".messages")).to_contain_text("承認しました。登録番号は G000001 です。")
    with municipality_scope(kasama):
        registration.refresh_from_db()
    assert registration.status == RegistrationStatus.APPROVED

    phone = phone_page
    sign_in(phone.context, base_url, resident)
    phone.goto(f"{base_url}/en/kasama/facilities/my/")
    expect(phone.locator("html")).to_have_attribute("lang", "en")
    expect(phone.locator("main")).to_contain_text("G000001")
    _fits(phone)
    phone.locator("main").get_by_role("link", name="友部テニス同好会").click()
    expect(phone).to_have_url(re.compile(rf"/en/kasama/facilities/my/registrations/{registration.pk}/$"))
    expect(phone.locator("main")).to_contain_text("G000001")
    _fits(phone)
