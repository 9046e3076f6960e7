"""The counter (窓口): what staff do with bookings for residents — book on a resident's
behalf or for a holder without a registration, block bookings (一括予約), check-in
(利用確認) and no-shows (無断不使用). The grid itself is `occupancy`; cancelling is
`bookings.cancel` (the residents' rules, with `by_staff=True`)."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from madoguchi.audit import services as audit

from ..models import (
    Booking,
    BookingSource,
    BookingStatus,
    CancelReason,
    FeeExtra,
    Registration,
    Slot,
    Unit,
)
from . import availability, registrations
from .occupancy import BookingError, SlotTakenError, place_booking

#: The longest period one block booking may cover (a year of Wednesdays, not a decade).
BLOCK_MAX_DAYS = 366
#: Sources staff may choose for a single booking at the counter.
COUNTER_SOURCES = (BookingSource.COUNTER, BookingSource.PRIORITY)

#: How long before the slot starts staff may already check a booker in.
CHECK_IN_EARLY = dt.timedelta(hours=1)


def _slot_start(booking: Booking) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(booking.date, booking.starts_at))


def _slot_end(booking: Booking) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(booking.date, booking.ends_at))


def check_in_problem(booking: Booking, *, now: dt.datetime | None = None) -> str:
    """Why the booking cannot be checked in now ("" when it can, or already is)."""
    now = now or timezone.now()
    if booking.status == BookingStatus.CHECKED_IN:
        return ""
    if booking.status == BookingStatus.CANCELLED:
        return _("取り消された予約です。")
    if booking.status == BookingStatus.PROVISIONAL:
        return _("当選後の確定手続が済んでいない予約です。")
    if booking.status == BookingStatus.NO_SHOW:
        return _("無断不使用として記録された予約です。")
    if booking.date != timezone.localdate(now):
        return _("利用日（%(date)s）ではありません。") % {"date": booking.date.isoformat()}
    if now < _slot_start(booking) - CHECK_IN_EARLY:
        return _("利用開始の1時間前から確認できます。")
    if now > _slot_end(booking):
        return _("利用時間が終わっています。")
    return ""


@transaction.atomic
def check_in(booking: Booking, actor: Any, *, request: Any = None, now: dt.datetime | None = None) -> Booking:
    """利用確認: the booker came. Idempotent: a second check-in changes nothing."""
    locked = Booking.objects.select_for_update().get(pk=booking.pk)
    if locked.status == BookingStatus.CHECKED_IN:
        return locked
    problem = check_in_problem(locked, now=now)
    if problem:
        raise BookingError("cannot_check_in", problem)
    locked.status = BookingStatus.CHECKED_IN
    locked.checked_in_at = now or timezone.now()
    locked.checked_in_by = actor if getattr(actor, "is_authenticated", False) else None
    locked.save(update_fields=["status", "checked_in_at", "checked_in_by", "updated_at"])
    audit.record(
        action=audit.Action.UPDATE,
        obj=locked,
        municipality=locked.municipality,
        actor=actor,
        request=request,
        personal_data=locked.registration_id is not None,
        subject=_subject(locked),
        fields=["status", "checked_in_at"],
        extra={"what": "check_in", "number": locked.number},
    )
    booking.status, booking.checked_in_at, booking.checked_in_by = (
        locked.status,
        locked.checked_in_at,
        locked.checked_in_by,
    )
    return locked


def _subject(booking: Booking) -> Any:
    registration = booking.registration
    return registration.user if registration is not None and registration.user_id else None


# --- Booking at the counter --------------------------------------------------------------


def _check_staff_free(unit: Unit, day: dt.date, slot: Slot, *, now: dt.datetime | None = None) -> None:
    """Staff may book what the staff calendar shows free (past the online deadline, in a
    lottery's month, a unit not bookable online); never a closed day or a past slot."""
    if slot.pattern_id != unit.slot_pattern_id:
        raise BookingError("slot_not_of_unit", _("この利用単位にはない時間区分です。"))
    state = availability.slot_availability(unit, day, slot, now=now, for_staff=True)
    if state.state == availability.SlotState.BOOKED:
        raise SlotTakenError(_("この枠は既に予約されています。別の日時を選んでください。"))
    if not state.bookable:
        raise BookingError("not_bookable", state.reason or _("この枠は予約できません。"))


def _quote(unit: Unit, day: dt.date, slot: Slot, *, resident: bool, extras: Iterable[FeeExtra]) -> Any:
    from . import fees

    return fees.quote(unit, day, slot, resident=resident, extras=list(extras))


def issue_invoice(booking: Booking) -> Any:
    """The booking's usage fee invoice (part `bookings` issues it; idempotent by number)."""
    from . import bookings

    return bookings.issue_invoice(booking)


@transaction.atomic
def book_for(
    *,
    unit: Unit,
    day: dt.date,
    slot: Slot,
    actor: Any,
    registration: Registration | None = None,
    holder_name: str = "",
    purpose: str = "",
    attendees: int | None = None,
    extras: Iterable[FeeExtra] = (),
    source: str = BookingSource.COUNTER,
    request_key: str = "",
    resident_rate: bool | None = None,
    paid_at_counter: bool = False,
    request: Any = None,
    now: dt.datetime | None = None,
) -> Booking:
    """窓口予約: book on a resident's behalf (their registration) or for a holder without
    one (`holder_name`). The fee is the fee table's (none for priority bookings, the
    municipality's own use); with a fee an invoice is issued, and `paid_at_counter`
    records the cash taken at the counter on it. A second call with the same
    `request_key` returns the first booking (a double click books once)."""
    holder_name = " ".join(holder_name.split())
    if registration is None and not holder_name:
        raise BookingError("no_holder", _("利用者登録（登録番号）か利用者名を入力してください。"))
    if registration is not None and registration.municipality_id != unit.municipality_id:
        raise BookingError("registration_elsewhere", _("この利用者登録はこの団体のものではありません。"))
    # Usable when booking (at `now`), as online (`bookings.book`): a registration valid
    # today may book a day after its validity ends, like a resident's own booking.
    if registration is not None and not registrations.is_usable(registration, timezone.localdate(now)):
        raise BookingError("registration_not_usable", _("この利用者登録は承認されていないか、停止・失効しています。"))
    if source not in COUNTER_SOURCES:
        raise ValueError(f"not a counter source: {source!r}")
    if attendees is not None and unit.capacity and attendees > unit.capacity:
        raise BookingError(
            "over_capacity", _("利用人数が定員（%(capacity)s人）を超えています。") % {"capacity": unit.capacity}
        )
    if request_key:
        existing = Booking.objects.filter(municipality_id=unit.municipality_id, request_key=request_key).first()
        if existing is not None:
            return existing
    _check_staff_free(unit, day, slot, now=now)
    extras = list(extras)
    if resident_rate is None:
        resident_rate = registration.pays_resident_rate if registration is not None else True
    amount, breakdown = 0, []
    if source != BookingSource.PRIORITY:
        quote = _quote(unit, day, slot, resident=resident_rate, extras=extras)
        amount, breakdown = quote.amount, quote.lines
    booking = place_booking(
        unit=unit,
        slot=slot,
        date=day,
        source=source,
        registration=registration,
        holder_name=holder_name if registration is None else "",
        purpose=purpose,
        attendees=attendees,
        extras=extras,
        fee_amount=amount,
        fee_breakdown=breakdown,
        resident_rate=resident_rate,
        request_key=request_key,
        created_by=actor,
        audit_request=request,
    )
    if amount > 0:
        invoice = issue_invoice(booking)
        if paid_at_counter and invoice is not None:
            record_counter_payment(booking, invoice, actor=actor)
    return booking


def record_counter_payment(booking: Booking, invoice: Any, *, actor: Any) -> None:
    """Cash taken at the counter: a payment on the invoice (once; the reference is the
    booking's number), which marks the booking paid through `bookings.record_paid`."""
    from madoguchi.payments import services as payments
    from madoguchi.payments.models import Channel

    due = invoice.amount - invoice.paid_amount
    if due > 0:
        payments.record_payment(
            invoice,
            channel=Channel.COUNTER,
            reference=f"facilities:{booking.number}",
            amount=due,
            paid_on=timezone.localdate(),
            actor=actor,
            note=_("施設予約の窓口で受領"),
        )
    # payments announces the payment after commit; the booking is paid now (the later
    # announcement finds it paid and does nothing).
    from . import bookings

    bookings.record_paid(invoice)
    booking.refresh_from_db()


# --- Block bookings ------------------------------------------------------------------


@dataclass
class BlockResult:
    """一括予約の結果: the bookings made, and the days skipped with the reason."""

    block_key: uuid.UUID
    booked: list[Booking] = field(default_factory=list)
    skipped: list[tuple[dt.date, str]] = field(default_factory=list)


def block_days(start: dt.date, end: dt.date, weekdays: Iterable[int]) -> list[dt.date]:
    """The days from start to end (inclusive) falling on one of `weekdays` (0 = Monday)."""
    wanted = set(weekdays)
    return [
        start + dt.timedelta(days=n)
        for n in range((end - start).days + 1)
        if (start + dt.timedelta(days=n)).weekday() in wanted
    ]


def block_book(
    *,
    unit: Unit,
    slot: Slot,
    weekdays: Iterable[int],
    start: dt.date,
    end: dt.date,
    actor: Any,
    holder_name: str,
    purpose: str = "",
    request: Any = None,
    now: dt.datetime | None = None,
) -> BlockResult:
    """一括予約: one booking (source BLOCK, no fee: the municipality's own use) for every
    matching day, all with one `block_key`. Days that are closed, past or taken are
    skipped and listed; each day is its own transaction, so a clash on one day (even
    one that happens while this runs) costs only that day."""
    holder_name = " ".join(holder_name.split())
    weekdays = sorted(set(weekdays))
    if not holder_name:
        raise BookingError("no_holder", _("利用者名（行事名・団体名）を入力してください。"))
    if not weekdays:
        raise BookingError("no_weekday", _("曜日を1つ以上選んでください。"))
    if end < start:
        raise BookingError("bad_range", _("終了日は開始日と同じかそれより後にしてください。"))
    if (end - start).days >= BLOCK_MAX_DAYS:
        raise BookingError("range_too_long", _("一括予約の期間は1年以内にしてください。"))
    if slot.pattern_id != unit.slot_pattern_id:
        raise BookingError("slot_not_of_unit", _("この利用単位にはない時間区分です。"))
    result = BlockResult(block_key=uuid.uuid4())
    days = block_days(start, end, weekdays)
    if not days:
        return result
    grid = availability.Calendar(unit.facility, [unit], days[0], days[-1], now=now, for_staff=True)
    for day in days:
        state = grid.slot(unit, day, slot)
        if not state.bookable:
            reason = state.reason or (
                _("予約済み")
                if state.state == availability.SlotState.BOOKED
                else str(availability.SlotState(state.state).label)
            )
            result.skipped.append((day, str(reason)))
            continue
        try:
            with transaction.atomic():
                booking = place_booking(
                    unit=unit,
                    slot=slot,
                    date=day,
                    source=BookingSource.BLOCK,
                    holder_name=holder_name,
                    purpose=purpose,
                    block_key=result.block_key,
                    created_by=actor,
                    audit_request=request,
                )
        except SlotTakenError:
            result.skipped.append((day, _("予約済み")))
            continue
        result.booked.append(booking)
    return result


def block_bookings(block_key: Any) -> list[Booking]:
    return list(Booking.objects.filter(block_key=block_key).select_related("unit", "slot").order_by("date"))


def cancel_block(block_key: Any, *, actor: Any, request: Any = None) -> list[Booking]:
    """Cancel every booking of a block that still holds its slot (past ones stay)."""
    from . import bookings

    today = timezone.localdate()
    cancelled = []
    for booking in block_bookings(block_key):
        if booking.status in (BookingStatus.CONFIRMED, BookingStatus.PROVISIONAL) and booking.date >= today:
            cancelled.append(
                bookings.cancel(
                    booking,
                    actor=actor,
                    reason=CancelReason.BY_STAFF,
                    by_staff=True,
                    waive_fee=True,
                    request=request,
                )
            )
    return cancelled


# --- No-shows ---------------------------------------------------------------------------


def no_show_problem(booking: Booking, *, now: dt.datetime | None = None) -> str:
    """Why the booking cannot be marked as a no-show ("" when it can, or already is)."""
    now = now or timezone.now()
    if booking.status == BookingStatus.NO_SHOW:
        return ""
    if booking.status == BookingStatus.CHECKED_IN:
        return _("利用開始を確認済みの予約です。")
    if booking.status != BookingStatus.CONFIRMED:
        return _("「%(status)s」の予約は無断不使用にできません。") % {"status": booking.get_status_display()}
    if now < _slot_end(booking):
        return _("利用時間が終わってから記録できます。")
    return ""


@transaction.atomic
def mark_no_show(booking: Booking, actor: Any, *, request: Any = None, now: dt.datetime | None = None) -> Booking:
    """無断不使用: a confirmed booking whose slot ended without a check-in. Idempotent.
    The cells stay held (the slot is past); statistics count it."""
    locked = Booking.objects.select_for_update().get(pk=booking.pk)
    if locked.status == BookingStatus.NO_SHOW:
        return locked
    problem = no_show_problem(locked, now=now)
    if problem:
        raise BookingError("cannot_mark_no_show", problem)
    locked.status = BookingStatus.NO_SHOW
    locked.save(update_fields=["status", "updated_at"])
    audit.record(
        action=audit.Action.UPDATE,
        obj=locked,
        municipality=locked.municipality,
        actor=actor,
        request=request,
        personal_data=locked.registration_id is not None,
        subject=_subject(locked),
        fields=["status"],
        extra={"what": "no_show", "number": locked.number},
    )
    booking.status = locked.status
    return locked


def no_show_candidates(day: dt.date, *, now: dt.datetime | None = None) -> list[Booking]:
    """The day's confirmed bookings not checked in whose slot has ended (in the open
    municipality's scope), for the 無断不使用 list."""
    now = now or timezone.now()
    candidates = (
        Booking.objects.filter(date=day, status=BookingStatus.CONFIRMED)
        .select_related("facility", "unit", "slot", "registration")
        .order_by("starts_at", "facility__sort_order", "unit__sort_order", "pk")
    )
    return [booking for booking in candidates if now >= _slot_end(booking)]


@transaction.atomic
def set_note(booking: Booking, note: str, *, actor: Any, request: Any = None) -> Booking:
    """職員メモ: staff's own note on the booking (not shown to the booker)."""
    locked = Booking.objects.select_for_update().get(pk=booking.pk)
    note = note.strip()
    if locked.note == note:
        return locked
    locked.note = note
    locked.save(update_fields=["note", "updated_at"])
    audit.record(
        action=audit.Action.UPDATE,
        obj=locked,
        municipality=locked.municipality,
        actor=actor,
        request=request,
        personal_data=locked.registration_id is not None,
        subject=_subject(locked),
        fields=["note"],
        extra={"number": locked.number},
    )
    return locked


def find_registration(card_number: str) -> Registration | None:
    """The registration with this 登録番号 in the open municipality's scope."""
    card_number = card_number.strip().upper()
    if not card_number:
        return None
    return Registration.objects.filter(card_number__iexact=card_number).first()
