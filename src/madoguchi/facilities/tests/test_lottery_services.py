"""Lottery rounds from announcement to release: entering within the rules, the draw in
bulk (provisional bookings on the grid, idempotent), replay, results, confirmation,
declining and the release of unconfirmed wins."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import IntegrityError
from django.utils import timezone

from madoguchi.core.models import Municipality
from madoguchi.core.tenancy import municipality_scope
from madoguchi.facilities.models import (
    Booking,
    BookingSource,
    BookingStatus,
    EntryStatus,
    LotteryEntry,
    LotteryRound,
    Occupancy,
    RoundStatus,
)
from madoguchi.facilities.services import draw as draw_algorithm
from madoguchi.facilities.services import lotteries, occupancy
from madoguchi.facilities.services.occupancy import BookingError

from .factories import Gym, make_gym, make_registration


def target_month() -> dt.date:
    today = timezone.localdate()
    return (today.replace(day=1) + dt.timedelta(days=64)).replace(day=1)


def weekday_in(month: dt.date, nth: int = 0) -> dt.date:
    """A weekday of the month that is not a holiday."""
    from madoguchi.japanese import holidays

    day = month + dt.timedelta(days=7)
    found = -1
    while True:
        if day.weekday() < 5 and not holidays.is_holiday(day):
            found += 1
            if found == nth:
                return day
        day += dt.timedelta(days=1)


def make_round(gym: Gym, **fields: Any) -> LotteryRound:
    now = timezone.now()
    values: dict[str, Any] = {
        "facility": gym.facility,
        "month": target_month(),
        "entry_opens_at": now - dt.timedelta(days=1),
        "entry_closes_at": now + dt.timedelta(days=1),
        "draw_at": now + dt.timedelta(days=2),
        "confirm_until": now + dt.timedelta(days=9),
        "actor": None,
    }
    values.update(fields)
    return lotteries.create_round(**values)


def after(lottery: LotteryRound, field: str, hours: int = 1) -> dt.datetime:
    return getattr(lottery, field) + dt.timedelta(hours=hours)


def test_round_commits_to_its_seed(kasama: Municipality) -> None:
    gym = make_gym(kasama)
    lottery = make_round(gym)
    assert len(lottery.seed) == 64
    assert lottery.seed_commitment == draw_algorithm.seed_commitment(lottery.seed)
    assert not lottery.seed_is_public
    with pytest.raises(BookingError) as caught:
        make_round(gym)
    assert caught.value.code == "round_exists"


def test_enter_is_idempotent_and_checks_the_wish(kasama: Municipality) -> None:
    gym = make_gym(kasama)
    lottery = make_round(gym)
    registration = make_registration(kasama)
    day = weekday_in(lottery.month)
    kwargs = {"round": lottery, "registration": registration, "unit": gym.whole, "slot": gym.morning}
    entry = lotteries.enter(**kwargs, day=day, actor=registration.user)
    assert entry.number == f"L{lottery.pk}-000001"
    assert lotteries.enter(**kwargs, day=day, actor=registration.user).pk == entry.pk
    with pytest.raises(BookingError) as caught:
        lotteries.enter(**kwargs, day=lottery.month - dt.timedelta(days=1), actor=registration.user)
    assert caught.value.code == "day_not_in_round"
    other = make_registration(kasama)
    with pytest.raises(BookingError) as caught:
        lotteries.enter(**kwargs, day=day, actor=other.user)
    assert caught.value.code == "not_yours"
    lotteries.withdraw(entry, registration.user)
    lotteries.withdraw(entry, registration.user)
    entry.refresh_from_db()
    assert entry.status == EntryStatus.WITHDRAWN


def test_entry_limit_per_month(kasama: Municipality) -> None:
    gym = make_gym(kasama)
    lottery = make_round(gym)
    registration = make_registration(kasama, max_lottery_entries_per_month=2)
    for n in range(2):
        lotteries.enter(
            round=lottery, registration=registration, unit=gym.whole, slot=gym.morning,
            day=weekday_in(lottery.month, n), actor=registration.user,
        )  # fmt: skip
    with pytest.raises(BookingError) as caught:
        lotteries.enter(
            round=lottery, registration=registration, unit=gym.whole, slot=gym.morning,
            day=weekday_in(lottery.month, 2), actor=registration.user,
        )  # fmt: skip
    assert caught.value.code == "entry_limit"


def test_closed_round_takes_no_entries(kasama: Municipality) -> None:
    gym = make_gym(kasama)
    lottery = make_round(gym)
    registration = make_registration(kasama)
    with pytest.raises(BookingError) as caught:
        lotteries.enter(
            round=lottery, registration=registration, unit=gym.whole, slot=gym.morning,
            day=weekday_in(lottery.month), actor=registration.user, now=after(lottery, "entry_closes_at"),
        )  # fmt: skip
    assert caught.value.code == "round_not_open"


def enter_many(lottery: LotteryRound, gym: Gym, kasama: Municipality, count: int) -> list[LotteryEntry]:
    day = weekday_in(lottery.month)
    entries = []
    for n in range(count):
        registration = make_registration(kasama)
        unit = [gym.whole, gym.half_a, gym.half_b][n % 3]
        entries.append(
            lotteries.enter(
                round=lottery, registration=registration, unit=unit, slot=gym.morning, day=day, actor=registration.user
            )
        )
    return entries


def test_the_whole_life_of_a_round(kasama: Municipality) -> None:
    gym = make_gym(kasama)
    lottery = make_round(gym)
    day = weekday_in(lottery.month)
    # A priority booking (市の行事) holds half B in the afternoon.
    occupancy.place_booking(
        unit=gym.half_b, slot=gym.afternoon, date=day, source=BookingSource.PRIORITY, holder_name="市民運動会"
    )
    entries = enter_many(lottery, gym, kasama, 9)
    blocked = make_registration(kasama)
    blocked_entry = lotteries.enter(
        round=lottery, registration=blocked, unit=gym.whole, slot=gym.afternoon, day=day, actor=blocked.user
    )

    # Before the entry close nothing can be drawn; run_due opens, publishes, draws, notifies.
    with pytest.raises(BookingError):
        lotteries.draw(lottery)
    steps = lotteries.run_due(now=after(lottery, "draw_at"))
    assert any(step.startswith("draw") for step in steps[lottery.pk])
    lottery.refresh_from_db()
    assert lottery.status == RoundStatus.DRAWN
    assert lottery.seed_is_public
    assert lottery.results_notified_at
    assert lotteries.run_due(now=after(lottery, "draw_at")) == {}
    assert lotteries.draw(lottery).already

    with municipality_scope(kasama):
        won = list(LotteryEntry.objects.filter(round=lottery, status=EntryStatus.WON).select_related("booking"))
        blocked_entry.refresh_from_db()
        # The whole floor or the two halves: one or two winners for the morning.
        assert 1 <= len(won) <= 2
        assert blocked_entry.status == EntryStatus.LOST
        assert blocked_entry.outcome_note == "優先予約（市の行事等）"
        for entry in won:
            assert entry.booking.status == BookingStatus.PROVISIONAL
            assert entry.booking.source == BookingSource.LOTTERY
            assert entry.booking.number.startswith("F")
            assert entry.booking.confirm_by == lottery.confirm_until
            assert entry.booking.fee_amount > 0
        assert Occupancy.objects.filter(booking__source=BookingSource.LOTTERY).count() == 12
        assert all(e.draw_key and e.draw_rank for e in LotteryEntry.objects.filter(round=lottery))
    assert lotteries.replay(lottery)

    # The results e-mail: one per registration.
    from madoguchi.notifications.models import OutboundMessage

    assert OutboundMessage.unscoped.filter(template_key="facilities/lottery_results").count() == 10

    first, *rest = won
    lotteries.confirm(first, first.registration.user)
    lotteries.confirm(first, first.registration.user)
    first.refresh_from_db()
    assert first.status == EntryStatus.CONFIRMED
    with municipality_scope(kasama):
        assert Booking.objects.get(pk=first.booking_id).status == BookingStatus.CONFIRMED

    # After the deadline the rest expire and their slots are free again.
    lotteries.run_due(now=after(lottery, "confirm_until"))
    lottery.refresh_from_db()
    assert lottery.status == RoundStatus.FINISHED
    with municipality_scope(kasama):
        for entry in rest:
            entry.refresh_from_db()
            assert entry.status == EntryStatus.EXPIRED
            booking = Booking.objects.get(pk=entry.booking_id)
            assert booking.status == BookingStatus.CANCELLED
            assert not booking.occupancies.exists()
    assert lotteries.replay(lottery)
    del entries


def test_decline_releases_the_slot(kasama: Municipality) -> None:
    gym = make_gym(kasama)
    lottery = make_round(gym)
    (entry,) = enter_many(lottery, gym, kasama, 1)
    lotteries.draw(lottery, now=after(lottery, "entry_closes_at"))
    entry.refresh_from_db()
    assert entry.status == EntryStatus.WON
    lotteries.decline(entry, entry.registration.user)
    lotteries.decline(entry, entry.registration.user)
    entry.refresh_from_db()
    assert entry.status == EntryStatus.DECLINED
    assert occupancy.is_free(entry.unit, entry.date, entry.slot)
    with pytest.raises(BookingError):
        lotteries.confirm(entry, entry.registration.user)


def test_replay_detects_a_tampered_outcome(kasama: Municipality) -> None:
    gym = make_gym(kasama)
    lottery = make_round(gym)
    enter_many(lottery, gym, kasama, 6)
    lotteries.draw(lottery, now=after(lottery, "entry_closes_at"))
    assert lotteries.replay(lottery)
    with municipality_scope(kasama):
        loser = LotteryEntry.objects.filter(round=lottery, status=EntryStatus.LOST).first()
        LotteryEntry.objects.filter(pk=loser.pk).update(status=EntryStatus.WON)
    report = lotteries.replay_report(lottery)
    assert not report.ok
    assert report.mismatches == [loser.number]


def test_win_limit_per_registration(kasama: Municipality) -> None:
    gym = make_gym(kasama)
    lottery = make_round(gym, max_wins_per_registration=1)
    registration = make_registration(kasama)
    day = weekday_in(lottery.month)
    for slot in gym.slots:
        lotteries.enter(
            round=lottery, registration=registration, unit=gym.whole, slot=slot, day=day, actor=registration.user
        )
    result = lotteries.draw(lottery, now=after(lottery, "entry_closes_at"))
    assert (result.won, result.lost) == (1, 2)
    assert result.reasons == {draw_algorithm.LIMIT: 2}


def test_bulk_creation_respects_the_grid(kasama: Municipality, monkeypatch: pytest.MonkeyPatch) -> None:
    """If the draw did not see a booking, the unique index still refuses the double booking
    and the whole draw is rolled back."""
    gym = make_gym(kasama)
    lottery = make_round(gym)
    (entry,) = enter_many(lottery, gym, kasama, 1)
    occupancy.place_booking(unit=entry.unit, slot=entry.slot, date=entry.date, source=BookingSource.PRIORITY)
    monkeypatch.setattr(lotteries, "_blocked_cells", lambda *args: {})
    with pytest.raises(IntegrityError):
        lotteries.draw(lottery, now=after(lottery, "entry_closes_at"))
    lottery.refresh_from_db()
    entry.refresh_from_db()
    assert lottery.status != RoundStatus.DRAWN
    assert entry.status == EntryStatus.ENTERED
    with municipality_scope(kasama):
        assert not Booking.objects.filter(source=BookingSource.LOTTERY).exists()


def test_a_draw_dated_in_the_past_still_sees_todays_bookings(kasama: Municipality) -> None:
    """A demo or trial may pass a `now` before bookings that exist: the draw still avoids
    them (the grid would refuse otherwise) and the replay agrees."""
    gym = make_gym(kasama)
    lottery = make_round(gym)
    (entry,) = enter_many(lottery, gym, kasama, 1)
    occupancy.place_booking(unit=entry.unit, slot=entry.slot, date=entry.date, source=BookingSource.PRIORITY)
    LotteryRound.objects.filter(pk=lottery.pk).update(
        entry_opens_at=lottery.entry_opens_at - dt.timedelta(days=30),
        entry_closes_at=lottery.entry_opens_at - dt.timedelta(days=20),
        draw_at=lottery.entry_opens_at - dt.timedelta(days=19),
    )
    lottery.refresh_from_db()
    lotteries.draw(lottery, now=after(lottery, "draw_at"))
    entry.refresh_from_db()
    assert entry.status == EntryStatus.LOST
    assert lotteries.replay(lottery)


def test_nothing_is_booked_between_the_seed_and_the_draw(kasama: Municipality) -> None:
    """Whoever knows the published seed knows the order of the entries: a booking made
    then could knock out a chosen entry. From the seed's publication to the draw nothing
    is booked for the round's units, nor units sharing their spaces, in its month."""
    from madoguchi.facilities.services import availability, counter
    from madoguchi.testing.factories import make_staff

    gym = make_gym(kasama)
    staff = make_staff(kasama, "municipal_admin")
    lottery = make_round(gym, units=[gym.half_a])
    day = weekday_in(lottery.month)
    # Before the seed is known, priority bookings are allowed.
    with municipality_scope(kasama):
        occupancy.place_booking(
            unit=gym.half_a, slot=gym.morning, date=day, source=BookingSource.PRIORITY, holder_name="市民運動会"
        )
    registration = make_registration(kasama)
    entry = lotteries.enter(
        round=lottery, registration=registration, unit=gym.half_a, slot=gym.night, day=day, actor=registration.user
    )
    assert lotteries.publish_seed(lottery, now=after(lottery, "entry_closes_at"))

    with municipality_scope(kasama):
        for unit in (gym.half_a, gym.whole):  # the round's unit, and the whole floor sharing its court
            with pytest.raises(BookingError) as caught:
                occupancy.place_booking(
                    unit=unit, slot=gym.afternoon, date=day, source=BookingSource.FIRST_COME, registration=registration
                )
            assert caught.value.code == "lottery_sealed"
        with pytest.raises(BookingError) as caught:
            counter.book_for(unit=gym.whole, day=day, slot=gym.night, actor=staff, holder_name="山田")
        assert "抽選" in caught.value.message
        block = counter.block_book(
            unit=gym.half_a,
            slot=gym.night,
            weekdays=[day.weekday()],
            start=day,
            end=day,
            actor=staff,
            holder_name="教室",
        )
        assert block.booked == []
        assert [d for d, _reason in block.skipped] == [day]
        with pytest.raises(BookingError) as caught:
            lotteries.place_priority(
                lottery, unit=gym.half_a, day=day, slot=gym.afternoon, holder_name="市民運動会", actor=staff
            )
        assert caught.value.code == "round_closed"
        # The staff calendar shows it as the lottery's, not bookable; other courts and months are free.
        grid = availability.Calendar(gym.facility, [gym.whole, gym.half_b], day, day, for_staff=True)
        sealed = grid.slot(gym.whole, day, gym.afternoon)
        assert sealed.state == availability.SlotState.LOTTERY
        assert not sealed.bookable
        assert grid.slot(gym.half_b, day, gym.afternoon).bookable
        occupancy.place_booking(unit=gym.half_b, slot=gym.afternoon, date=day, source=BookingSource.PRIORITY)
        later = weekday_in((lottery.month + dt.timedelta(days=40)).replace(day=1))
        occupancy.place_booking(unit=gym.half_a, slot=gym.afternoon, date=later, source=BookingSource.PRIORITY)

    # The draw writes its winners all the same, and then the month is open again.
    result = lotteries.draw(lottery, now=after(lottery, "draw_at"))
    entry.refresh_from_db()
    assert (result.won, entry.status) == (1, EntryStatus.WON)
    with municipality_scope(kasama):
        occupancy.place_booking(unit=gym.half_a, slot=gym.afternoon, date=day, source=BookingSource.PRIORITY)


def test_a_cancelled_win_can_no_longer_be_confirmed(kasama: Municipality) -> None:
    """A closure (or staff) cancelling a winner's provisional booking ends the win: the
    entry expires (or is declined, for that reason) with a note, and confirming is refused."""
    from madoguchi.facilities.models import CancelReason
    from madoguchi.facilities.services import bookings, closures
    from madoguchi.testing.factories import make_staff

    gym = make_gym(kasama)
    staff = make_staff(kasama, "municipal_admin")
    lottery = make_round(gym)
    day = weekday_in(lottery.month)
    registration = make_registration(kasama)
    closed, declined = (
        lotteries.enter(
            round=lottery, registration=registration, unit=unit, slot=slot, day=day, actor=registration.user
        )
        for unit, slot in ((gym.half_a, gym.morning), (gym.half_b, gym.night))
    )
    lotteries.draw(lottery, now=after(lottery, "entry_closes_at"))
    with municipality_scope(kasama):
        closures.create_closure(
            facility=gym.facility, units=[gym.half_a], starts_on=day, ends_on=day, starts_at=dt.time(9),
            ends_at=dt.time(12), reason_ja="床の補修", kind="maintenance", actor=staff,
        )  # fmt: skip
        declined.refresh_from_db()
        bookings.cancel(declined.booking, actor=staff, reason=CancelReason.DECLINED, by_staff=True)
    closed.refresh_from_db()
    declined.refresh_from_db()
    assert (closed.status, closed.outcome_note) == (EntryStatus.EXPIRED, "臨時休館により当選の予約が取り消されました")
    assert (declined.status, declined.outcome_note) == (EntryStatus.DECLINED, "当選を辞退しました")
    assert closed.decided_at is not None
    with pytest.raises(BookingError) as caught:
        lotteries.confirm(closed, registration.user)
    assert caught.value.code == "not_won"
    # The results stay what the seed gives; finishing the round finds nothing left to expire.
    assert lotteries.replay(lottery)
    assert lotteries.finish(lottery, now=after(lottery, "confirm_until")) == 0


def test_a_round_needs_fees_for_its_units(kasama: Municipality) -> None:
    """Winners pay the fee table's fee: a round whose units (or, with none chosen, the
    facility's units) lack one would give 0 yen wins that cannot be confirmed."""
    from madoguchi.facilities.models import FeeRule

    gym = make_gym(kasama)
    with municipality_scope(kasama):
        FeeRule.objects.filter(unit=gym.half_b, residency="non_resident").delete()
    with pytest.raises(BookingError) as caught:
        make_round(gym)
    assert caught.value.code == "no_fee_rule"
    assert "半面B" in caught.value.message
    with pytest.raises(BookingError):
        make_round(gym, units=[gym.half_a, gym.half_b])
    assert not LotteryRound.objects.exists()
    # The units that have their fees can have a round.
    assert make_round(gym, units=[gym.whole, gym.half_a]).pk
