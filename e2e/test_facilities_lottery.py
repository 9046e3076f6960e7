"""抽選 in a browser, on a 320 px phone: a club's representative finds the round, enters
it (a too-large number of attendees is refused with the entry kept), sees the entry; after
the draw the public page shows the seed and the results without names, and the winner
confirms the win; the round's page in English fits the phone too. Every page is checked
with axe-core and against the CSP (conftest)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from madoguchi.core.models import Municipality
from madoguchi.core.tenancy import municipality_scope
from madoguchi.facilities.models import EntryStatus, LotteryEntry
from madoguchi.facilities.services import lotteries
from madoguchi.facilities.tests.factories import make_gym, make_registration
from madoguchi.facilities.tests.test_lottery_services import after, make_round, weekday_in
from madoguchi.testing.factories import UserFactory

from .layout import sideways_overflow
from .sessions import sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _fits(page: Page) -> None:
    overflow = sideways_overflow(page)
    assert overflow <= 0, f"{page.url} is {overflow}px wider than the screen"


def test_a_group_enters_a_lottery_and_confirms_the_win(phone_page: Page, base_url: str, kasama: Municipality) -> None:
    page = phone_page
    gym = make_gym(kasama, name_ja="笠間市民体育館", name_en="Kasama Civic Gymnasium")
    lottery = make_round(gym)
    day = weekday_in(lottery.month)
    resident = UserFactory.create(email="club@resident.example", family_name="山田", given_name="花子")
    make_registration(kasama, user=resident, name="笠間バドミントンクラブ", card_number="G0000042")
    sign_in(page.context, base_url, resident)

    page.goto(f"{base_url}/kasama/facilities/lotteries/")
    expect(page.get_by_role("heading", name="抽選", level=1)).to_be_visible()
    page.get_by_role("link", name=re.compile("笠間市民体育館")).click()
    expect(page.locator("main")).to_contain_text(lottery.seed_commitment)
    _fits(page)
    page.get_by_role("link", name="この抽選に申し込む").click()
    expect(page.get_by_role("heading", name="抽選に申し込む", level=1)).to_be_visible()
    page.get_by_label("利用単位").select_option(str(gym.whole.pk))
    page.get_by_label("利用日").select_option(day.isoformat())
    page.get_by_label("利用区分（時間）").select_option(str(gym.night.pk))
    page.get_by_label("利用目的").fill("バドミントンの練習")
    page.get_by_label("利用人数").fill("500")
    page.get_by_role("button", name="申し込む").click()
    expect(page.locator("main")).to_contain_text("定員")
    expect(page.get_by_label("利用目的")).to_have_value("バドミントンの練習")
    page.get_by_label("利用人数").fill("24")
    page.get_by_role("button", name="申し込む").click()

    expect(page).to_have_url(re.compile(r"/kasama/facilities/my/entries/$"))
    with municipality_scope(kasama):
        entry = LotteryEntry.objects.get(round=lottery)
    expect(page.locator("main")).to_contain_text(entry.number)
    expect(page.locator("main")).to_contain_text("申込済み")
    _fits(page)

    # The draw (normally the periodic task at the draw time).
    lotteries.run_due(now=after(lottery, "draw_at"))
    lottery.refresh_from_db()
    page.goto(f"{base_url}/kasama/facilities/lotteries/{lottery.pk}/")
    expect(page.locator("main")).to_contain_text(lottery.seed)
    expect(page.get_by_role("table")).to_contain_text(entry.number)
    expect(page.locator("main")).not_to_contain_text("笠間バドミントンクラブ")
    _fits(page)

    page.goto(f"{base_url}/kasama/facilities/my/entries/")
    expect(page.locator("main")).to_contain_text("当選（確定待ち）")
    page.get_by_role("button", name=re.compile("確定する")).click()
    # Confirming leads to the booking, to pay its fee.
    expect(page).to_have_url(re.compile(r"/kasama/facilities/my/bookings/F\d{4}-\d{6}/$"))
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    entry.refresh_from_db()
    assert entry.status == EntryStatus.CONFIRMED

    page.goto(f"{base_url}/en/kasama/facilities/lotteries/{lottery.pk}/")
    expect(page.locator("html")).to_have_attribute("lang", re.compile("^en"))
    _fits(page)
