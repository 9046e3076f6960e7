"""施設予約 in the staff console, in a browser: a counter clerk books a slot at the counter
for a registered group (by its card number) from the staff calendar, finds the booking in
予約一覧 by searching, opens it and checks the group in through the QR code's address
(/staff/facilities/check-in/<token>/); a department head (臨時休館 needs
MANAGE_FACILITIES, which counter clerks do not hold) closes the gym for a day and, after
the confirmation listing it, cancels the booking on that day. The list and a booking's
page in English on a 320 px phone.
Every page is checked with axe-core and against the Content-Security-Policy (conftest)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import BrowserContext, Page, expect
from wagtail.users.models import UserProfile

from madoguchi.accounts.models import Role
from madoguchi.core.models import Municipality
from madoguchi.core.tenancy import municipality_scope
from madoguchi.facilities.models import Booking, BookingSource, BookingStatus, CancelReason, Closure
from madoguchi.facilities.services import counter
from madoguchi.facilities.services.occupancy import place_booking
from madoguchi.facilities.tests.factories import make_gym, make_registration, next_weekday
from madoguchi.testing.factories import make_staff

from .layout import sideways_overflow
from .sessions import sign_in
from .test_staff_console import console_assets, serve_assets

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

__all__ = ["console_assets"]


@pytest.fixture(autouse=True)
def _assets(context: BrowserContext, console_assets: dict[str, tuple[str, bytes]]) -> None:
    serve_assets(context, console_assets)


class _Clock:
    """django.utils.timezone as `services.counter` sees it, with `now()` fixed: check-in
    opens an hour before the slot on the day of use, and a test cannot wait for that.
    The live server runs in this process, so its requests read the same clock."""

    def __init__(self, now: dt.datetime) -> None:
        self._now = now

    def now(self) -> dt.datetime:
        return self._now

    def localdate(self, value: dt.datetime | None = None) -> dt.date:
        return timezone.localdate(value or self._now)

    def __getattr__(self, name: str) -> Any:
        return getattr(timezone, name)


def _day_after_tomorrow_or_later() -> dt.date:
    """A working Wednesday within the next fortnight (never today: its slots may be over)."""
    return next_weekday(timezone.localdate() + dt.timedelta(days=1), weeks_ahead=0)


def test_a_clerk_books_at_the_counter_finds_the_booking_and_checks_in(
    page: Page, base_url: str, kasama: Municipality, monkeypatch: pytest.MonkeyPatch
) -> None:
    gym = make_gym(kasama, name_ja="笠間市民体育館", name_kana="カサマシミンタイイクカン")
    club = make_registration(kasama, name="友部バドミントンクラブ", card_number="G0004567")
    other = make_registration(kasama, name="岩間卓球クラブ", card_number="G0009999")
    day = _day_after_tomorrow_or_later()
    with municipality_scope(kasama):
        decoy = place_booking(
            unit=gym.half_b, slot=gym.night, date=day, source=BookingSource.FIRST_COME, registration=other
        )
    clerk = make_staff(kasama, Role.COUNTER_CLERK)
    sign_in(page.context, base_url, clerk)

    # 窓口予約: the week starting on the day, the gym's whole floor, the morning.
    page.goto(f"{base_url}/staff/")
    page.get_by_role("button", name="施設予約").click()
    page.get_by_role("link", name="窓口予約").click()
    expect(page.get_by_role("heading", name="窓口予約", level=1)).to_be_visible()
    page.locator("main").get_by_label("施設").select_option(label="笠間市民体育館")
    page.get_by_label("表示する週の初日").fill(day.isoformat())
    page.get_by_role("button", name="表示する").click()
    whole = page.get_by_role("table", name=re.compile("笠間市民体育館 全面"))
    expect(whole).to_be_visible()
    whole.get_by_role("link", name=f"（{day.month}/{day.day} 午前）").click()

    expect(page.locator("main")).to_contain_text("○")
    page.get_by_role("button", name="予約する").click()  # nobody named: a clear error
    expect(page.locator("main")).to_contain_text("登録番号か利用者名を入力してください。")
    page.get_by_label("登録番号").fill("g0004567")
    page.get_by_label("利用目的").fill("バドミントン練習")
    page.get_by_label("利用人数").fill("24")
    page.get_by_label("使用料を窓口で受け取った").check()
    page.get_by_role("button", name="予約する").click()
    expect(page.locator(".messages")).to_contain_text("予約しました")
    with municipality_scope(kasama):
        booking = Booking.objects.get(registration=club)
    assert booking.source == BookingSource.COUNTER
    assert (booking.date, booking.slot_id, booking.fee_amount) == (day, gym.morning.pk, 2000)
    assert booking.paid_at is not None

    # 予約一覧: search by the group's name, open it.
    page.goto(f"{base_url}/staff/facilities/bookings/")
    expect(page.get_by_role("link", name=decoy.number)).to_be_visible()
    search = page.get_by_role("textbox", name="検索")
    search.fill("友部バドミントン")
    search.press("Enter")
    expect(page.get_by_role("link", name=decoy.number)).to_have_count(0)
    page.get_by_role("link", name=booking.number).click()
    expect(page.get_by_role("heading", name="予約の詳細", level=1)).to_be_visible()
    expect(page.locator("main")).to_contain_text("G0004567")
    expect(page.locator("main")).to_contain_text("納付済み")
    expect(page.locator("main")).to_contain_text("利用日（")  # not the day of use yet: no check-in

    # On the day, half an hour before the slot: the QR code's address, then the button.
    slot_start = timezone.make_aware(dt.datetime.combine(day, gym.morning.starts_at))
    monkeypatch.setattr(counter, "timezone", _Clock(slot_start - dt.timedelta(minutes=30)))
    page.goto(f"{base_url}/staff/facilities/check-in/{booking.qr_token}/")
    expect(page.get_by_role("heading", name="利用確認", level=1)).to_be_visible()
    expect(page.locator("main")).to_contain_text("友部バドミントンクラブ")
    page.get_by_role("button", name="利用開始を確認する").click()
    expect(page.locator(".messages")).to_contain_text(f"利用開始を確認しました（{booking.number}）。")
    expect(page.locator("main")).to_contain_text("利用開始を確認済みです。")
    with municipality_scope(kasama):
        booking.refresh_from_db()
    assert booking.status == BookingStatus.CHECKED_IN
    assert booking.checked_in_by == clerk


def test_a_temporary_closure_cancels_a_booking_after_a_confirmation(
    page: Page, base_url: str, kasama: Municipality
) -> None:
    gym = make_gym(kasama, name_ja="笠間市民体育館")
    club = make_registration(kasama, name="友部バドミントンクラブ")
    day = _day_after_tomorrow_or_later() + dt.timedelta(weeks=1)
    with municipality_scope(kasama):
        hit = place_booking(
            unit=gym.half_a, slot=gym.afternoon, date=day, source=BookingSource.FIRST_COME, registration=club
        )
        spared = place_booking(
            unit=gym.half_a, slot=gym.afternoon, date=day + dt.timedelta(days=1), source=BookingSource.COUNTER,
            holder_name="笠間市スポーツ協会",
        )  # fmt: skip
    head = make_staff(kasama, Role.DEPARTMENT_HEAD)
    sign_in(page.context, base_url, head)

    page.goto(f"{base_url}/staff/facilities/closures/")
    expect(page.get_by_role("heading", name="臨時休館", level=1)).to_be_visible()
    page.get_by_role("link", name="臨時休館を登録する").click()
    page.locator("main").get_by_label("施設").select_option(label="笠間市民体育館")
    page.get_by_label("開始日").fill(day.isoformat())
    page.get_by_label("終了日").fill(day.isoformat())
    page.get_by_role("textbox", name=re.compile(r"^理由\*?$")).fill("空調設備の修理")
    page.get_by_role("button", name="確認する").click()

    expect(page.get_by_role("heading", name="登録の確認", level=2)).to_be_visible()
    expect(page.locator("main")).to_contain_text(hit.number)
    expect(page.locator("main")).not_to_contain_text(spared.number)
    with municipality_scope(kasama):
        assert not Closure.objects.exists()  # nothing yet
    page.get_by_role("button", name="この内容で登録する").click()
    expect(page.locator(".messages")).to_contain_text("1件の予約を取り消し")
    expect(page.get_by_role("table", name="臨時休館の一覧")).to_contain_text("空調設備の修理")

    with municipality_scope(kasama):
        hit.refresh_from_db()
        spared.refresh_from_db()
    assert (hit.status, hit.cancel_reason) == (BookingStatus.CANCELLED, CancelReason.CLOSURE)
    assert spared.status == BookingStatus.CONFIRMED


def _fits(page: Page) -> None:
    overflow = sideways_overflow(page)
    assert overflow <= 0, f"{page.url} is {overflow}px wider than the screen"


def test_the_booking_list_and_a_booking_in_english_on_a_phone(
    phone_page: Page, base_url: str, kasama: Municipality, console_assets: dict[str, tuple[str, bytes]]
) -> None:
    page = phone_page
    serve_assets(page.context, console_assets)
    gym = make_gym(kasama, name_en="Kasama Civic Gymnasium")
    club = make_registration(kasama, name="友部バドミントンクラブ", card_number="G0004567")
    with municipality_scope(kasama):
        booking = place_booking(
            unit=gym.whole, slot=gym.night, date=_day_after_tomorrow_or_later(), source=BookingSource.FIRST_COME,
            registration=club,
        )  # fmt: skip
    clerk = make_staff(kasama, Role.COUNTER_CLERK)
    profile = UserProfile.get_for_user(clerk)
    profile.preferred_language = "en"
    profile.save()
    sign_in(page.context, base_url, clerk)

    page.goto(f"{base_url}/staff/facilities/bookings/")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    _fits(page)
    page.get_by_role("link", name=booking.number).click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("main")).to_contain_text("G0004567")
    expect(page.locator("main")).to_contain_text("Kasama Civic Gymnasium")
    _fits(page)
