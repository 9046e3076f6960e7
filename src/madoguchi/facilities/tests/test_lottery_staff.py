"""抽選の管理 in the console: only MANAGE_LOTTERIES; creating a round; priority bookings
before the draw (the entries overlapping them lose); the seed hidden before entries
close; drawing now once the time has passed; the replay check; the audited CSV; another
municipality's round unreachable."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from madoguchi.accounts.models import Role
from madoguchi.audit.models import AuditEntry
from madoguchi.core.models import Municipality
from madoguchi.core.tenancy import municipality_scope
from madoguchi.facilities.models import (
    Booking,
    BookingSource,
    EntryStatus,
    Facility,
    LotteryEntry,
    LotteryRound,
    RoundStatus,
)
from madoguchi.facilities.services import lotteries
from madoguchi.testing.factories import make_staff
from madoguchi.testing.tenancy import sign_in

from .factories import make_gym, make_registration
from .test_lottery_services import after, make_round, target_month, weekday_in

pytestmark = pytest.mark.django_db

LIST = "/staff/facilities/lotteries/"


def test_only_lottery_managers(kasama: Municipality, client: Client) -> None:
    sign_in(client, make_staff(kasama, Role.COUNTER_CLERK))
    assert client.get(LIST).status_code in (302, 403)
    sign_in(client, make_staff(kasama, Role.OFFICER))
    assert client.get(LIST).status_code == 200


def test_create_a_round_place_priority_and_draw(kasama: Municipality, client: Client) -> None:
    gym = make_gym(kasama)
    sign_in(client, make_staff(kasama, Role.OFFICER))
    now = timezone.localtime()
    fmt = "%Y-%m-%dT%H:%M"
    response = client.post(
        f"{LIST}add/",
        {
            "facility": gym.facility.pk,
            "month": target_month().strftime("%Y-%m"),
            "units": [gym.whole.pk, gym.half_a.pk, gym.half_b.pk],
            "entry_opens_at": (now - dt.timedelta(days=1)).strftime(fmt),
            "entry_closes_at": (now + dt.timedelta(days=1)).strftime(fmt),
            "draw_at": (now + dt.timedelta(days=2)).strftime(fmt),
            "confirm_until": (now + dt.timedelta(days=9)).strftime(fmt),
            "max_wins_per_registration": "0",
        },
    )
    assert response.status_code == 302
    with municipality_scope(kasama):
        lottery = LotteryRound.objects.get()
    detail = f"{LIST}{lottery.pk}/"
    page = client.get(detail).content.decode()
    assert lottery.seed_commitment in page
    assert lottery.seed not in page

    day = weekday_in(lottery.month)
    response = client.post(
        detail,
        {
            "action": "priority",
            "priority-unit": gym.half_a.pk,
            "priority-day": day.isoformat(),
            "priority-slot": gym.morning.pk,
            "priority-holder_name": "市民運動会",
        },
    )
    assert response.status_code == 302
    with municipality_scope(kasama):
        assert Booking.objects.filter(source=BookingSource.PRIORITY, holder_name="市民運動会").count() == 1
    registration = make_registration(kasama)
    entry = lotteries.enter(
        round=lottery, registration=registration, unit=gym.whole, slot=gym.morning, day=day, actor=registration.user
    )

    # Too early: refused with a message, nothing drawn.
    client.post(detail, {"action": "draw"})
    lottery.refresh_from_db()
    assert lottery.status != RoundStatus.DRAWN
    LotteryRound.objects.filter(pk=lottery.pk).update(
        entry_opens_at=now - dt.timedelta(days=5),
        entry_closes_at=now - dt.timedelta(days=2),
        draw_at=now - dt.timedelta(days=1),
    )
    client.post(detail, {"action": "draw"})
    client.post(detail, {"action": "draw"})
    lottery.refresh_from_db()
    entry.refresh_from_db()
    assert lottery.status == RoundStatus.DRAWN
    assert entry.status == EntryStatus.LOST
    assert entry.outcome_note == "優先予約（市の行事等）"
    response = client.post(detail, {"action": "verify"}, follow=True)
    assert "検証しました" in response.content.decode()

    csv_text = client.get(f"{detail}entries.csv").content.decode("utf-8-sig")
    assert registration.name in csv_text
    assert entry.number in csv_text
    assert AuditEntry.objects.filter(action="export", personal_data=True, extra__what="lottery_entries_csv").exists()


def test_priority_bookings_respect_the_calendar_and_the_seed(kasama: Municipality, client: Client) -> None:
    """A priority booking is refused on a regular closed day and in a temporary closure,
    with the reason, and once the seed is published (until the draw)."""
    from madoguchi.facilities.models import Closure

    gym = make_gym(kasama)
    lottery = make_round(gym)
    day, closed_day = weekday_in(lottery.month), weekday_in(lottery.month, 1)
    with municipality_scope(kasama):
        Closure.objects.create(municipality=kasama, facility=gym.facility, starts_on=day, ends_on=day, reason_ja="点検")
        Facility.objects.filter(pk=gym.facility.pk).update(closed_weekdays=str(closed_day.weekday()))
    sign_in(client, make_staff(kasama, Role.OFFICER))
    detail = f"{LIST}{lottery.pk}/"

    def priority(on: dt.date) -> Any:
        return client.post(
            detail,
            {
                "action": "priority",
                "priority-unit": gym.whole.pk,
                "priority-day": on.isoformat(),
                "priority-slot": gym.morning.pk,
                "priority-holder_name": "市民運動会",
            },
        )

    response = priority(day)
    assert response.status_code == 400
    assert "点検" in response.content.decode()
    response = priority(closed_day)
    assert response.status_code == 400
    assert "定期休館日" in response.content.decode()
    with municipality_scope(kasama):
        assert not Booking.objects.exists()
    lotteries.publish_seed(lottery, now=after(lottery, "entry_closes_at"))
    response = priority(day + dt.timedelta(days=2))
    assert response.status_code == 302
    page = client.get(detail).content.decode()
    assert "抽選が終わるまで優先予約は入れられません" in page
    assert 'value="priority"' not in page
    with municipality_scope(kasama):
        assert not Booking.objects.exists()


def test_the_round_form_names_units_without_fees(kasama: Municipality, client: Client) -> None:
    from madoguchi.facilities.models import FeeRule

    gym = make_gym(kasama)
    with municipality_scope(kasama):
        FeeRule.objects.filter(unit=gym.half_a).delete()
    sign_in(client, make_staff(kasama, Role.OFFICER))
    now = timezone.localtime()
    fmt = "%Y-%m-%dT%H:%M"
    response = client.post(
        f"{LIST}add/",
        {
            "facility": gym.facility.pk,
            "month": target_month().strftime("%Y-%m"),
            "entry_opens_at": (now - dt.timedelta(days=1)).strftime(fmt),
            "entry_closes_at": (now + dt.timedelta(days=1)).strftime(fmt),
            "draw_at": (now + dt.timedelta(days=2)).strftime(fmt),
            "confirm_until": (now + dt.timedelta(days=9)).strftime(fmt),
            "max_wins_per_registration": "0",
        },
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "使用料が設定されていない利用区分があります" in page
    assert "半面A 午前" in page
    assert not LotteryRound.objects.exists()


def test_another_municipalitys_round_is_unreachable(kasama: Municipality, mito: Municipality, client: Client) -> None:
    theirs = make_round(make_gym(mito))
    sign_in(client, make_staff(kasama, Role.OFFICER))
    assert client.get(f"{LIST}{theirs.pk}/").status_code == 404
    assert client.get(f"{LIST}{theirs.pk}/entries.csv").status_code == 404
    assert client.post(f"{LIST}{theirs.pk}/", {"action": "draw"}).status_code == 404
    with municipality_scope(mito):
        assert not LotteryEntry.objects.exists()
