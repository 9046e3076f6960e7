"""The whole journey of facility booking, tried as new users would, on the demo data that
`make demo` loads:

- a new club registers as a group, the 施設予約 counter clerk approves it in the console,
  the club enters the open lottery of 笠間市総合公園's arena, the draw runs at its time,
  the club reads its result (and the e-mail), confirms the win and pays the usage fee
  through the sandbox gateway;
- another club books a free slot of 笠間公民館 first come from its calendar and cancels
  it, and the slot is free again.

Every page on the way is checked with axe-core and against the Content-Security-Policy
(conftest)."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from playwright.sync_api import BrowserContext, Page, expect

from madoguchi.accounts.models import User
from madoguchi.core.demo.loader import load_demo
from madoguchi.core.models import Municipality
from madoguchi.core.tenancy import municipality_scope
from madoguchi.facilities.models import (
    Booking,
    BookingStatus,
    EntryStatus,
    Facility,
    LotteryEntry,
    LotteryRound,
    Registration,
    RegistrationStatus,
    RoundStatus,
    Unit,
)
from madoguchi.facilities.services import availability, calendar, lotteries
from madoguchi.facilities.tests.factories import make_registration
from madoguchi.notifications.models import OutboundMessage
from madoguchi.testing.factories import UserFactory

from .sessions import sign_in
from .test_staff_console import console_assets, serve_assets

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

__all__ = ["console_assets"]


def run_tasks() -> None:
    """What the task worker does: run every task that is due (the gateway's notices)."""
    call_command("db_worker", batch=True, startup_delay=False, reload=False, interval=0, verbosity=0)


@pytest.fixture
def demo(settings: Any, tmp_path: Path) -> Municipality:
    """The demo data, as `make demo` loads it, with the task queue in the database."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
    settings.PAYSANDBOX_NOTIFY_REPEAT = 1
    settings.PAYSANDBOX_NOTIFY_INTERVAL = 0
    settings.PAYSANDBOX_NOTIFY_DELAYS = {}
    load_demo(token_path=tmp_path / "tokens.json")
    return Municipality.objects.get(slug="kasama")


def _as(context: BrowserContext, base_url: str, user: User) -> None:
    context.clear_cookies()
    sign_in(context, base_url, user)


def _quiet_weekday(facility: Facility, unit: Unit, month: dt.date, taken: set[dt.date]) -> dt.date:
    """A weekday of the month the facility opens and nobody has entered for."""
    day = month
    while day.month == month.month:
        if day.weekday() < 5 and day not in taken and calendar.regular_closed_reason(facility, day) is None:
            return day
        day += dt.timedelta(days=1)
    raise AssertionError("no quiet weekday in the month")


def _pay_through_the_sandbox(page: Page, amount: str) -> None:
    page.get_by_role("button", name="使用料を支払う").click()
    page.get_by_label("クレジットカード").check()
    page.get_by_role("button", name="支払いに進む").click()
    expect(page).to_have_url(re.compile(r"/sandbox-gateway/pay/sbx_pay_"))
    expect(page.get_by_text(amount)).to_be_visible()
    page.get_by_role("textbox", name="カード番号").fill("4242 4242 4242 4242")
    page.get_by_role("button", name="支払う", exact=True).click()
    expect(page).to_have_url(re.compile(r"/kasama/payments/return/"))
    run_tasks()
    expect(page.get_by_text("お支払いが完了しました")).to_be_visible(timeout=15_000)
    page.get_by_role("link", name="お手続きの画面に戻る").click()


def test_a_club_registers_wins_a_lottery_pays_and_another_books_and_cancels(
    page: Page,
    context: BrowserContext,
    base_url: str,
    demo: Municipality,
    console_assets: dict[str, tuple[str, bytes]],
) -> None:
    serve_assets(context, console_assets)
    with municipality_scope(demo):
        lottery = LotteryRound.objects.get(facility__slug="sogo-koen", status=RoundStatus.OPEN)
        park = lottery.facility
        whole = Unit.objects.get(facility=park, slug="whole")
        night = next(s for s in calendar.slots_of(whole) if s.name_ja == "夜間")
        entered_days = set(LotteryEntry.objects.filter(round=lottery).values_list("date", flat=True))
        day = _quiet_weekday(park, whole, lottery.month, entered_days)

    # 1. A new club's representative registers the club as a group.
    representative = UserFactory.create(
        email="kenta@resident.example", family_name="佐藤", given_name="健太", preferred_language="ja"
    )
    _as(context, base_url, representative)
    page.goto(f"{base_url}/kasama/")
    page.get_by_role("navigation", name=re.compile("メイン|主な")).get_by_role("link", name="施設予約").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("施設")
    page.goto(f"{base_url}/kasama/facilities/register/")
    page.get_by_role("link", name="団体登録を申請する").click()
    page.get_by_label("団体名", exact=True).fill("友部ママさんバレーボールクラブ")
    page.get_by_label("団体名（フリガナ）").fill("ともべままさんばれーぼーるくらぶ")
    page.get_by_label("主な活動内容").fill("ソフトバレーボール")
    page.get_by_label("代表者氏名", exact=True).fill("佐藤 健太")
    page.get_by_label("代表者氏名（フリガナ）").fill("サトウ ケンタ")
    page.get_by_label("郵便番号").fill("309-1703")
    page.get_by_label("住所").fill("茨城県笠間市中央三丁目2番1号")
    page.get_by_label("電話番号").fill("0296-77-1101")
    rows = page.locator(".fac-members__row")
    for i in range(5):
        rows.nth(i).get_by_label("氏名").fill(f"会員{i + 1}")
        if i < 4:
            rows.nth(i).get_by_label("市内在住・在勤・在学").check()
    page.get_by_label("利用規則を守り、登録内容に誤りがないことを確認しました").check()
    page.get_by_role("button", name="申請する").click()
    expect(page.locator("main")).to_contain_text("審査中")
    with municipality_scope(demo):
        registration = Registration.objects.get(user=representative)

    # 2. The counter clerk approves it in the console and a card number is given.
    _as(context, base_url, User.objects.get(email="clerk@kasama.example"))
    page.goto(f"{base_url}/staff/facilities/registrations/")
    search = page.get_by_role("textbox", name="検索")
    search.fill("トモベママサン")
    search.press("Enter")
    page.get_by_role("link", name="友部ママさんバレーボールクラブ").click()
    page.get_by_label("目的").select_option(label="担当業務の処理")
    page.get_by_label("具体的な理由").fill("利用者登録の審査のため")
    page.get_by_role("button", name="理由を記録して開く").click()
    page.get_by_role("button", name="承認して登録番号を発行する").click()
    expect(page.locator(".messages")).to_contain_text("承認しました。")
    with municipality_scope(demo):
        registration.refresh_from_db()
    assert registration.status == RegistrationStatus.APPROVED
    assert registration.card_number

    # 3. The club enters the open lottery for a night of the arena.
    _as(context, base_url, representative)
    page.goto(f"{base_url}/kasama/facilities/my/")
    expect(page.locator("main")).to_contain_text(registration.card_number)
    page.goto(f"{base_url}/kasama/facilities/lotteries/")
    page.get_by_role("link", name=re.compile("笠間市総合公園")).first.click()
    expect(page.locator("main")).to_contain_text(lottery.seed_commitment)
    page.get_by_role("link", name="この抽選に申し込む").click()
    page.get_by_label("利用単位").select_option(str(whole.pk))
    page.get_by_label("利用日").select_option(day.isoformat())
    page.get_by_label("利用区分（時間）").select_option(str(night.pk))
    page.get_by_label("利用目的").fill("ソフトバレーボールの練習")
    page.get_by_label("利用人数").fill("12")
    page.get_by_role("button", name="申し込む").click()
    expect(page).to_have_url(re.compile(r"/kasama/facilities/my/entries/$"))
    with municipality_scope(demo):
        entry = LotteryEntry.objects.get(round=lottery, registration=registration)
    expect(page.locator("main")).to_contain_text(entry.number)

    # 4. The periodic job at the draw time: entries close, the seed is published, the
    # draw runs and the results are e-mailed.
    lotteries.run_due(now=lottery.draw_at + dt.timedelta(minutes=1))
    with municipality_scope(demo):
        lottery.refresh_from_db()
        entry.refresh_from_db()
    assert lottery.status == RoundStatus.DRAWN
    assert entry.status == EntryStatus.WON
    assert lotteries.replay(lottery)
    assert OutboundMessage.objects.filter(
        template_key="facilities/lottery_results", address=representative.email
    ).exists()
    page.goto(f"{base_url}/kasama/facilities/lotteries/{lottery.pk}/")
    expect(page.locator("main")).to_contain_text(lottery.seed)
    expect(page.get_by_role("table").first).to_contain_text(entry.number)
    expect(page.locator("main")).not_to_contain_text("友部ママさんバレーボールクラブ")

    # 5. The club confirms the win and pays the usage fee.
    page.goto(f"{base_url}/kasama/facilities/my/entries/")
    expect(page.locator("main")).to_contain_text("当選（確定待ち）")
    page.get_by_role("button", name=re.compile("確定する")).first.click()
    expect(page).to_have_url(re.compile(r"/kasama/facilities/my/bookings/F\d{4}-\d{6}/$"))
    with municipality_scope(demo):
        entry.refresh_from_db()
        booking = Booking.objects.get(lottery_entry=entry)
    assert entry.status == EntryStatus.CONFIRMED
    assert booking.status == BookingStatus.CONFIRMED
    assert booking.fee_amount > 0
    expect(page.get_by_role("heading", level=1)).to_contain_text(booking.number)
    _pay_through_the_sandbox(page, f"{booking.fee_amount:,}円")
    expect(page).to_have_url(f"{base_url}/kasama/facilities/my/bookings/{booking.number}/")
    expect(page.get_by_text("納付済み", exact=True)).to_be_visible()
    expect(page.get_by_role("img", name=re.compile("確認用QRコード"))).to_be_visible()
    with municipality_scope(demo):
        booking.refresh_from_db()
    assert booking.paid_at is not None

    # 6. Another club books a free slot first come, and cancels it.
    secretary = UserFactory.create(email="taku@resident.example", family_name="鈴木", given_name="一郎")
    make_registration(demo, user=secretary, name="笠間卓球同好会", card_number="G0009001")
    _as(context, base_url, secretary)
    with municipality_scope(demo):
        hall = Facility.objects.get(slug="kasama-kominkan")
        room = Unit.objects.get(facility=hall, slug="room-1")
        units = availability.units_of(hall)
        start = dt.date.today() + dt.timedelta(days=14)
        cal = availability.Calendar(hall, units, start, start + dt.timedelta(days=13))
        free = next(a for d in cal.dates() for a in cal.unit_day(room, d) if a.bookable)
    page.goto(f"{base_url}/kasama/facilities/kasama-kominkan/calendar/?start={free.date:%Y-%m-%d}&unit=room-1")
    book_path = f"/kasama/facilities/book/{room.pk}/{free.date:%Y-%m-%d}/{free.slot.pk}/"
    page.locator(f'a[href="{book_path}"]').first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("予約の申込")
    expect(page.locator("main")).to_contain_text("笠間卓球同好会")
    page.get_by_role("radio", name=re.compile("笠間卓球同好会")).check()
    page.get_by_label("利用目的").fill("自治会の打合せ")
    page.get_by_label("利用人数").fill("8")
    page.get_by_role("button", name="予約する").click()
    expect(page.get_by_text(re.compile(r"予約しました。予約番号は F\d{4}-\d{6} です。"))).to_be_visible()
    page.get_by_role("link", name="予約を取り消す").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("予約の取消")
    page.get_by_role("button", name="予約を取り消す").click()
    expect(page.get_by_text(re.compile(r"予約 F\d{4}-\d{6} を取り消しました。"))).to_be_visible()
    page.goto(f"{base_url}/kasama/facilities/kasama-kominkan/calendar/?start={free.date:%Y-%m-%d}&unit=room-1")
    expect(page.locator(f'a[href="{book_path}"]').first).to_be_visible()
