"""Booking a facility first-come, in Chromium: a resident with an approved registration
picks a free slot in the calendar, sees the fee, books, pays through the sandbox gateway,
comes back to the booking and sees it paid with its QR code; then books another slot,
cancels it and sees that slot free again. And the booking pages in English on a 320 px
phone (booking, booking form, list, change, cancel). Every page on the way is checked with axe-core (conftest)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core.management import call_command
from playwright.sync_api import BrowserContext, Page, expect

from madoguchi.core.models import Municipality
from madoguchi.facilities.models import Booking, BookingStatus
from madoguchi.facilities.services import bookings
from madoguchi.facilities.tests.factories import make_gym, make_registration, next_weekday
from madoguchi.testing.factories import UserFactory

from .layout import sideways_overflow
from .sessions import sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def run_tasks() -> None:
    """What the task worker does: run every task that is due (the gateway's notices)."""
    call_command("db_worker", batch=True, startup_delay=False, reload=False, interval=0, verbosity=0)


@pytest.fixture
def gateway_settings(settings: object) -> None:
    settings.PAYSANDBOX_NOTIFY_REPEAT = 1  # type: ignore[attr-defined]
    settings.PAYSANDBOX_NOTIFY_INTERVAL = 0  # type: ignore[attr-defined]
    settings.PAYSANDBOX_NOTIFY_DELAYS = {}  # type: ignore[attr-defined]
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}  # type: ignore[attr-defined]


def _monday(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def test_a_resident_books_pays_sees_the_qr_code_and_cancels_another(
    page: Page, context: BrowserContext, base_url: str, kasama: Municipality, gateway_settings: None
) -> None:
    gym = make_gym(kasama, slug="sogo-koen", name_ja="笠間市総合公園体育館", free_cancel_days=7)
    resident = UserFactory.create(email="hanako@example.jp", family_name="笠間", given_name="花子")
    registration = make_registration(kasama, user=resident, name="笠間バドミントンクラブ")
    day = next_weekday(weeks_ahead=3)
    sign_in(context, base_url, resident)

    # The calendar: the free morning of the whole floor links to the booking form.
    page.goto(f"{base_url}/kasama/facilities/sogo-koen/calendar/?start={_monday(day):%Y-%m-%d}&unit=whole")
    book_path = f"/kasama/facilities/book/{gym.whole.pk}/{day:%Y-%m-%d}/{gym.morning.pk}/"
    page.locator(f'a[href="{book_path}"]').click()

    expect(page.get_by_role("heading", level=1)).to_have_text("予約の申込")
    expect(page.get_by_role("table")).to_contain_text("2,000円")
    page.get_by_label("利用目的").fill("バドミントンの練習")
    page.get_by_label("利用人数").fill("12")
    page.get_by_role("button", name="予約する").click()

    expect(page.get_by_text(re.compile(r"予約しました。予約番号は F\d{4}-\d{6} です。"))).to_be_visible()
    booking = Booking.unscoped.get(registration=registration)
    expect(page.get_by_role("heading", level=1)).to_contain_text(booking.number)
    expect(page.get_by_text("未納", exact=True)).to_be_visible()
    expect(page.get_by_role("img", name=re.compile("確認用QRコード"))).to_be_visible()

    # Pay through the sandbox gateway.
    page.get_by_role("button", name="使用料を支払う").click()
    page.get_by_label("クレジットカード").check()
    page.get_by_role("button", name="支払いに進む").click()
    expect(page).to_have_url(re.compile(r"/sandbox-gateway/pay/sbx_pay_"))
    expect(page.get_by_text("2,000円")).to_be_visible()
    page.get_by_role("textbox", name="カード番号").fill("4242 4242 4242 4242")
    page.get_by_role("button", name="支払う", exact=True).click()
    expect(page).to_have_url(re.compile(r"/kasama/payments/return/"))
    run_tasks()
    expect(page.get_by_text("お支払いが完了しました")).to_be_visible(timeout=15_000)
    page.get_by_role("link", name="お手続きの画面に戻る").click()
    expect(page).to_have_url(f"{base_url}/kasama/facilities/my/bookings/{booking.number}/")
    expect(page.get_by_text("納付済み", exact=True)).to_be_visible()
    qr = page.get_by_role("img", name=re.compile("確認用QRコード"))
    expect(qr).to_be_visible()
    # The image is really there (not a broken link): it has loaded with a width.
    page.wait_for_function("(img => img.complete && img.naturalWidth > 0)(document.querySelector('.fac-qr img'))")
    booking.refresh_from_db()
    assert booking.paid_at is not None

    # Another slot, booked and then cancelled: the slot is free again.
    other_path = f"/kasama/facilities/book/{gym.half_a.pk}/{day:%Y-%m-%d}/{gym.night.pk}/"
    page.goto(f"{base_url}{other_path}")
    page.get_by_label("利用目的").fill("自主練習")
    page.get_by_label("利用人数").fill("4")
    page.get_by_role("button", name="予約する").click()
    expect(page.get_by_text(re.compile("予約しました"))).to_be_visible()
    page.get_by_role("link", name="予約を取り消す").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("予約の取消")
    expect(page.get_by_text("取消手数料はかかりません")).to_be_visible()
    page.get_by_role("button", name="予約を取り消す").click()
    expect(page.get_by_text(re.compile(r"予約 F\d{4}-\d{6} を取り消しました。"))).to_be_visible()
    expect(page.get_by_text("取消", exact=True).first).to_be_visible()
    assert Booking.unscoped.filter(registration=registration, status=BookingStatus.CANCELLED).count() == 1

    page.goto(f"{base_url}/kasama/facilities/sogo-koen/calendar/?start={_monday(day):%Y-%m-%d}&unit=half-a")
    expect(page.locator(f'a[href="{other_path}"]')).to_be_visible()


def test_the_booking_page_in_english_on_a_phone(phone_page: Page, base_url: str, kasama: Municipality) -> None:
    page = phone_page
    gym = make_gym(kasama, slug="sogo-koen", name_ja="笠間市総合公園体育館", name_en="Kasama Park Gymnasium")
    resident = UserFactory.create(email="emily@resident.example", preferred_language="en")
    registration = make_registration(kasama, user=resident, name="Kasama Badminton Club")
    booking = bookings.book(
        registration=registration,
        unit=gym.whole,
        day=next_weekday(),
        slot=gym.night,
        actor=resident,
        purpose="Practice",
        attendees=10,
        extras=[gym.lighting],
    )
    sign_in(page.context, base_url, resident)
    page.goto(f"{base_url}/en/kasama/facilities/my/bookings/{booking.number}/")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("table")).to_contain_text("Whole floor Night")
    expect(page.get_by_role("table")).to_contain_text("Lighting")
    overflow = sideways_overflow(page)
    assert overflow <= 0, f"{page.url} is {overflow}px wider than the screen"
    for path in (
        f"book/{gym.half_a.pk}/{next_weekday():%Y-%m-%d}/{gym.morning.pk}/",
        "my/bookings/",
        f"my/bookings/{booking.number}/change/",
        f"my/bookings/{booking.number}/cancel/",
    ):
        page.goto(f"{base_url}/en/kasama/facilities/{path}")
        expect(page.locator("html")).to_have_attribute("lang", "en")
        overflow = sideways_overflow(page)
        assert overflow <= 0, f"{page.url} is {overflow}px wider than the screen"
