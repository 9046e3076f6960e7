"""Residents' bookings: first-come booking within the rules, fees, payment, changes and
cancellations. The grid itself is `occupancy`: whatever this module checked, two
overlapping bookings are refused there by the database, so a race has exactly one
winner and every loser gets `SlotTakenError` and its clear message.

Payments: the usage fee is one invoice (item 施設使用料) per booking, issued when the
booking is confirmed, with the booking's number as its `source_reference` (so issuing it
again returns the same invoice), the booking as its origin and the resident's booking
page as the return URL. `record_paid` marks the booking paid when payments says so.
Cancelling follows the facility's rules (`cancellation_terms`): an unpaid invoice is
cancelled (and one for the cancellation fee issued when there is one); a paid one is
cancelled and what was paid beyond the cancellation fee is proposed for refund
(`payments.request_refund`, an approver decides there).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop, override

from madoguchi.audit import services as audit
from madoguchi.core import navigation
from madoguchi.core.models import Municipality
from madoguchi.core.tenancy import municipality_scope
from madoguchi.payments import services as payments
from madoguchi.payments.models import Invoice, InvoiceStatus, Item

from ..models import (
    ACTIVE_STATUSES,
    Booking,
    BookingSource,
    BookingStatus,
    CancelReason,
    EntryStatus,
    FeeExtra,
    LotteryEntry,
    Registration,
    RegistrationStatus,
    Slot,
    Unit,
)
from . import availability, fees, occupancy
from .availability import SlotState
from .occupancy import BookingError, SlotTakenError

logger = logging.getLogger(__name__)

#: Invoice statuses with nothing paid on them yet.
UNPAID_STATUSES = (InvoiceStatus.UNPAID,)
#: Reasons for which the booker pays no cancellation fee whoever cancels.
NO_FEE_REASONS = (CancelReason.CLOSURE, CancelReason.UNCONFIRMED, CancelReason.DECLINED)
#: The outcome note of a lottery win whose provisional booking was cancelled, by the
#: cancellation's reason (stored in Japanese, shown translated).
WIN_CANCELLED_NOTES: dict[str, Any] = {
    CancelReason.CLOSURE: gettext_lazy("臨時休館により当選の予約が取り消されました"),
    CancelReason.DECLINED: gettext_lazy("当選を辞退しました"),
    CancelReason.UNCONFIRMED: gettext_lazy("確定期限までに確定されませんでした"),
}
WIN_CANCELLED_NOTE = gettext_lazy("当選の予約が取り消されました")

__all__ = [
    "BookingError",
    "CancellationTerms",
    "SlotTakenError",
    "book",
    "booking_of",
    "bookings_of",
    "cancel",
    "cancellation_terms",
    "change",
    "confirm_provisional",
    "invoice_of",
    "issue_invoice",
    "move",
    "record_paid",
]


# --- helpers ----------------------------------------------------------------------------


def booking_url(booking: Booking) -> str:
    """The path of the resident's page of a booking ("" when the URLs are not mounted)."""
    try:
        return reverse(
            "facilities:booking",
            kwargs={"municipality_slug": booking.municipality.slug, "number": booking.number},
        )
    except NoReverseMatch:
        return ""


def fiscal_year_of(day: dt.date) -> int:
    """会計年度: April to March."""
    return day.year if day.month >= 4 else day.year - 1


def _locked(booking: Booking) -> Booking:
    with municipality_scope(booking.municipality_id):
        return (
            Booking.objects.select_for_update(of=("self",))
            .select_related("facility", "unit", "slot", "registration")
            .get(pk=booking.pk)
        )


def _check_usable(registration: Registration, actor: Any) -> None:
    """The registration is approved, not expired, and the actor's own."""
    if getattr(actor, "pk", None) is None or registration.user_id != actor.pk:
        raise BookingError("not_your_registration", _("この利用者登録では予約できません。"))
    today = timezone.localdate()
    if registration.status != RegistrationStatus.APPROVED or (
        registration.valid_until is not None and registration.valid_until < today
    ):
        raise BookingError(
            "registration_not_usable",
            _("この利用者登録は現在使えません（審査中・利用停止・期限切れなど）。"),
        )


def _check_booking_limit(registration: Registration) -> None:
    """Part 2's `registrations.check_booking_limit` when it exists; the same rule here
    until then (ACTIVE_STATUSES bookings today or later reach max_active_bookings)."""
    try:
        from . import registrations
    except ImportError:  # pragma: no cover - part 2 not there yet
        registrations = None  # type: ignore[assignment]
    check = getattr(registrations, "check_booking_limit", None)
    if check is not None:
        check(registration)
        return
    count = Booking.objects.filter(
        registration=registration, status__in=ACTIVE_STATUSES, date__gte=timezone.localdate()
    ).count()
    if registration.max_active_bookings and count >= registration.max_active_bookings:
        raise BookingError(
            "booking_limit",
            _("同時に持てる予約の上限（%(limit)s件）に達しています。") % {"limit": registration.max_active_bookings},
        )


def _notify(booking: Booking, template: str, context: dict[str, Any], *, key: str) -> None:
    """E-mail the booker (the registration's address) after commit. A message that cannot
    be queued is logged: it never undoes the booking or the cancellation."""
    registration = booking.registration
    if registration is None:
        return
    from madoguchi.notifications import services as notifications

    recipient: Any = registration.user if registration.user.email else registration.email
    language = getattr(registration.user, "preferred_language", "") or None
    with override(language or "ja"):
        base = {
            "number": booking.number,
            "facility": booking.facility.name,
            "unit": booking.unit.name,
            "date": booking.date.isoformat(),
            "slot": booking.slot.label,
            "name": registration.name,
            "fee": booking.fee_amount,
            "url": navigation.absolute_url(booking_url(booking)),
        }

    def send() -> None:
        try:
            notifications.notify(
                recipient,
                f"facilities/{template}",
                {**base, **context},
                municipality=booking.municipality,
                language=language,
                idempotency_key=f"facilities:booking:{booking.pk}:{key}",
            )
        except notifications.NotificationError:
            logger.warning("booking %s: the e-mail %s could not be queued", booking.pk, template, exc_info=True)

    transaction.on_commit(send)


# --- booking ----------------------------------------------------------------------------


@transaction.atomic
def book(
    *,
    registration: Registration,
    unit: Unit,
    day: dt.date,
    slot: Slot,
    actor: Any,
    purpose: str = "",
    attendees: int | None = None,
    extras: Iterable[FeeExtra | int] = (),
    request_key: str = "",
    request: Any = None,
) -> Booking:
    """先着予約: book a free slot for a registration.

    The registration must be usable and the actor's own; the slot must be free now
    (`availability.slot_availability`: open, in the booking period, not in a lottery);
    the registration's limit of bookings at once is kept. The fee is quoted for the
    registration's rate, the invoice issued when there is a fee, and the booker e-mailed.
    A second call with the same `request_key` (a double submit) returns the first booking.
    Raises SlotTakenError when someone else holds the slot (also when they won a race a
    moment ago) and BookingError for everything else, always with a message."""
    municipality = unit.municipality
    if registration.municipality_id != municipality.pk:
        raise BookingError("not_your_registration", _("この利用者登録では予約できません。"))
    _check_usable(registration, actor)
    with municipality_scope(municipality):
        if request_key:
            existing = Booking.objects.filter(municipality=municipality, request_key=request_key).first()
            if existing is not None:
                if existing.registration_id != registration.pk:
                    raise BookingError(
                        "request_key_reused", _("送信の内容が正しくありません。もう一度お試しください。")
                    )
                return existing
        if slot.pattern_id != unit.slot_pattern_id:
            raise BookingError("slot_not_of_unit", _("この利用単位にはない時間区分です。"))
        if attendees is not None and unit.capacity and attendees > unit.capacity:
            raise BookingError(
                "over_capacity", _("利用人数が定員（%(capacity)s人）を超えています。") % {"capacity": unit.capacity}
            )
        state = availability.slot_availability(unit, day, slot)
        if state.state == SlotState.BOOKED:
            raise SlotTakenError()
        if not state.bookable:
            raise BookingError(
                "not_bookable", state.reason or _("この枠は予約できません（%(state)s）。") % {"state": state.label}
            )
        # One request at a time per registration, so that two at once cannot both pass
        # the limit (a no-op on SQLite, whose writes are serialised anyway).
        Registration.objects.select_for_update().filter(pk=registration.pk).first()
        _check_booking_limit(registration)
        quote = fees.quote(unit, day, slot, resident=registration.pays_resident_rate, extras=extras)
        extra_objects = list(FeeExtra.objects.filter(pk__in=_extra_pks(extras)))
        booking = occupancy.place_booking(
            unit=unit,
            slot=slot,
            date=day,
            source=BookingSource.FIRST_COME,
            registration=registration,
            purpose=purpose,
            attendees=attendees,
            extras=extra_objects,
            fee_amount=quote.amount,
            fee_breakdown=quote.lines,
            resident_rate=registration.pays_resident_rate,
            request_key=request_key,
            created_by=actor,
            audit_request=request,
        )
        invoice = issue_invoice(booking, actor=actor)
    _notify(
        booking,
        "booking_confirmed",
        {
            "invoice_number": invoice.number if invoice else "",
            "due_date": invoice.due_date.isoformat() if invoice else "",
        },
        key="confirmed",
    )
    return booking


def _extra_pks(extras: Iterable[FeeExtra | int]) -> list[int]:
    return [extra if isinstance(extra, int) else extra.pk for extra in extras]


# --- payment ----------------------------------------------------------------------------


def invoice_of(booking: Booking) -> Invoice | None:
    """The booking's current invoice (the usage fee, or after a cancellation the
    cancellation fee), or None."""
    if not booking.invoice_number:
        return None
    with municipality_scope(booking.municipality_id):
        return Invoice.objects.filter(municipality_id=booking.municipality_id, number=booking.invoice_number).first()


def _description(booking: Booking, what: str) -> str:
    # The invoice is the municipality's record: in Japanese whatever the booker's language.
    when = f"{booking.date:%Y-%m-%d} {booking.slot.name_ja}"
    return f"{what} {booking.facility.name_ja} {booking.unit.name_ja} {when}（予約番号 {booking.number}）"[:200]


def _create_invoice(booking: Booking, *, amount: int, reference: str, what: str, actor: Any) -> Invoice:
    today = timezone.localdate()
    # 納期限: the facility's days after booking, never after the use date (nor before today).
    due = max(today, min(today + dt.timedelta(days=booking.facility.payment_due_days), booking.date))
    registration = booking.registration
    payer = registration.user if registration is not None else None
    return payments.create_invoice(
        municipality=booking.municipality,
        item=Item.FACILITY_FEE,
        fiscal_year=fiscal_year_of(today),
        amount=amount,
        due_date=due,
        payable_until=max(due, booking.date),
        issued_on=today,
        description=_description(booking, what),
        payer=payer,
        payer_name=(booking.display_holder or "利用者")[:200],
        payer_email=registration.email if registration is not None else "",
        origin=booking,
        return_url=booking_url(booking),
        source_reference=reference,
        actor=actor,
    )


@transaction.atomic
def issue_invoice(booking: Booking, *, actor: Any = None) -> Invoice | None:
    """The usage fee invoice of a confirmed booking (None without a fee). Idempotent: the
    first invoice's `source_reference` is the booking number, and a booking that has an
    open or paid invoice gets that one back."""
    if booking.pk is None or booking.fee_amount <= 0:
        return None
    given = booking
    booking = _locked(booking)
    if booking.status != BookingStatus.CONFIRMED:
        return None
    current = invoice_of(booking)
    if current is not None and current.status != InvoiceStatus.CANCELLED:
        given.invoice_number = current.number
        return current
    earlier = payments.invoices_for_origin(booking)
    # A fee changed on an unpaid booking cancelled the first invoice: the next one gets
    # its own reference (payments keeps a reference for good).
    reference = booking.number if not earlier else f"{booking.number}-{len(earlier) + 1}"
    invoice = _create_invoice(booking, amount=booking.fee_amount, reference=reference, what="施設使用料", actor=actor)
    booking.invoice_number = given.invoice_number = invoice.number
    booking.save(update_fields=["invoice_number", "updated_at"])
    return invoice


@transaction.atomic
def record_paid(invoice: Any) -> list[Booking]:
    """The usage fee invoice was paid: mark its bookings paid, once."""
    if getattr(invoice, "origin_type", "") != "facilities.booking" or not invoice.number:
        return []
    with municipality_scope(invoice.municipality):
        bookings = list(Booking.objects.select_for_update().filter(invoice_number=invoice.number, paid_at__isnull=True))
        for booking in bookings:
            booking.paid_at = timezone.now()
            booking.save(update_fields=["paid_at", "updated_at"])
    return bookings


# --- lottery winners --------------------------------------------------------------------


@transaction.atomic
def confirm_provisional(booking: Booking, *, actor: Any) -> Booking:
    """A lottery winner confirms: provisional → confirmed, the fee computed for the
    registration's rate and the invoice issued. Idempotent (a confirmed booking is
    returned as it is). Whether the actor may confirm is the caller's (lotteries) to
    check; a confirmation after `confirm_by` is refused."""
    booking = _locked(booking)
    if booking.status == BookingStatus.CONFIRMED:
        return booking
    if booking.status != BookingStatus.PROVISIONAL:
        raise BookingError("not_provisional", _("この予約は確定できる状態ではありません。"))
    if booking.confirm_by is not None and booking.confirm_by < timezone.now():
        raise BookingError("confirm_expired", _("確定の期限を過ぎました。"))
    registration = booking.registration
    resident = registration.pays_resident_rate if registration is not None else booking.resident_rate
    with municipality_scope(booking.municipality_id):
        quote = fees.quote(booking.unit, booking.date, booking.slot, resident=resident, extras=booking.extras.all())
    booking.status = BookingStatus.CONFIRMED
    booking.resident_rate = resident
    booking.fee_amount = quote.amount
    booking.fee_breakdown = quote.lines
    booking.save(update_fields=["status", "resident_rate", "fee_amount", "fee_breakdown", "updated_at"])
    audit.record(
        action=audit.Action.UPDATE,
        obj=booking,
        municipality=booking.municipality,
        actor=actor,
        personal_data=registration is not None,
        subject=registration.user if registration is not None else None,
        fields=["status", "fee_amount"],
        extra={"number": booking.number},
    )
    invoice = issue_invoice(booking, actor=actor)
    _notify(
        booking,
        "booking_confirmed",
        {
            "invoice_number": invoice.number if invoice else "",
            "due_date": invoice.due_date.isoformat() if invoice else "",
        },
        key="confirmed",
    )
    return booking


# --- cancelling -------------------------------------------------------------------------


@dataclass(frozen=True)
class CancellationTerms:
    """What cancelling a booking now would mean: whether the booker may do it online,
    the cancellation fee, why (when not allowed), and the two dates of the rules."""

    allowed: bool
    fee: int
    reason: str
    free_until: dt.date
    deadline: dt.date

    @property
    def is_free(self) -> bool:
        return self.allowed and self.fee == 0


def cancellation_terms(booking: Booking, *, now: dt.datetime | None = None) -> CancellationTerms:
    """The facility's rules for cancelling `booking` at `now`: free until
    `free_cancel_days` before the use date; then `cancellation_fee_percent` of the fee
    until `cancel_deadline_days` before it; after that only staff can cancel (the fee
    still applies unless they waive it). A provisional booking (a lottery win not yet
    confirmed) is declined for free."""
    facility = booking.facility
    today = timezone.localtime(now or timezone.now()).date()
    free_until = booking.date - dt.timedelta(days=facility.free_cancel_days)
    deadline = booking.date - dt.timedelta(days=facility.cancel_deadline_days)
    late_fee = fees.cancellation_fee(booking.fee_amount, facility.cancellation_fee_percent)
    if booking.status not in ACTIVE_STATUSES:
        return CancellationTerms(False, 0, _("この予約は取り消せる状態ではありません。"), free_until, deadline)
    if booking.status == BookingStatus.PROVISIONAL or today <= free_until:
        return CancellationTerms(True, 0, "", free_until, deadline)
    starts = timezone.make_aware(dt.datetime.combine(booking.date, booking.starts_at))
    if today <= deadline and starts > (now or timezone.now()):
        return CancellationTerms(True, late_fee, "", free_until, deadline)
    return CancellationTerms(
        False,
        late_fee,
        _("オンラインで取り消せる期限（%(deadline)s）を過ぎました。施設にお問い合わせください。")
        % {"deadline": f"{deadline:%Y-%m-%d}"},
        free_until,
        deadline,
    )


def _settle_cancelled(booking: Booking, fee: int, *, actor: Any) -> None:
    """The money side of a cancellation: cancel what is owed, refund what was paid
    beyond the cancellation fee, invoice the fee when nothing was paid."""
    invoice = invoice_of(booking)
    reason = gettext_noop("施設予約の取消")
    if invoice is None or invoice.status == InvoiceStatus.CANCELLED:
        if fee > 0:
            invoice = _create_invoice(
                booking, amount=fee, reference=f"{booking.number}-cancel", what="施設使用料（取消手数料）", actor=actor
            )
            booking.invoice_number = invoice.number
        return
    paid = invoice.paid_amount - invoice.refunded_amount
    if paid <= 0:
        payments.cancel_invoice(invoice, reason=reason, actor=actor)
        if fee > 0:
            new = _create_invoice(
                booking, amount=fee, reference=f"{booking.number}-cancel", what="施設使用料（取消手数料）", actor=actor
            )
            booking.invoice_number = new.number
        return
    refund = paid - fee
    if refund > 0:
        # What was paid stays on the cancelled invoice; the cancellation fee is what is
        # kept of it, the rest is proposed for refund.
        invoice = payments.cancel_invoice(invoice, reason=reason, actor=actor)
        payments.request_refund(
            invoice, amount=min(refund, payments.refundable_amount(invoice)), reason=reason, actor=actor
        )
    elif refund < 0:
        # Partly paid and the fee is more than what was paid: the rest is owed.
        payments.cancel_invoice(invoice, reason=reason, actor=actor)
        new = _create_invoice(
            booking, amount=-refund, reference=f"{booking.number}-cancel", what="施設使用料（取消手数料）", actor=actor
        )
        booking.invoice_number = new.number


@transaction.atomic
def cancel(
    booking: Booking,
    *,
    actor: Any,
    reason: str = CancelReason.BY_USER,
    by_staff: bool = False,
    waive_fee: bool = False,
    request: Any = None,
) -> Booking:
    """Cancel a booking by the facility's rules (`cancellation_terms`), free its slot, and
    settle the money (see the module's docstring). A resident cancels only their own
    booking and only before the deadline; staff (`by_staff`) at any time, with the fee
    or without it (`waive_fee`; never a fee for a closure or an unconfirmed lottery win).
    Idempotent: a cancelled booking is returned unchanged."""
    booking = _locked(booking)
    if booking.status == BookingStatus.CANCELLED:
        return booking
    terms = cancellation_terms(booking)
    registration = booking.registration
    if not by_staff:
        if registration is None or registration.user_id != getattr(actor, "pk", None):
            raise BookingError("not_your_booking", _("この予約は取り消せません。"))
        if not terms.allowed:
            raise BookingError("cancel_deadline", terms.reason)
    elif booking.status not in ACTIVE_STATUSES and booking.status != BookingStatus.NO_SHOW:
        raise BookingError("not_cancellable", _("この予約は取り消せる状態ではありません。"))
    fee = 0 if waive_fee or reason in NO_FEE_REASONS else terms.fee
    previous = booking.status
    booking.status = BookingStatus.CANCELLED
    booking.cancelled_at = timezone.now()
    booking.cancel_reason = reason
    booking.cancellation_fee = fee
    with municipality_scope(booking.municipality_id):
        occupancy.release(booking)
        if previous == BookingStatus.CONFIRMED or booking.invoice_number:
            _settle_cancelled(booking, fee, actor=actor)
        _end_lottery_win(booking, reason, actor=actor, request=request)
    booking.save(
        update_fields=["status", "cancelled_at", "cancel_reason", "cancellation_fee", "invoice_number", "updated_at"]
    )
    audit.record(
        action=audit.Action.UPDATE,
        obj=booking,
        municipality=booking.municipality,
        actor=actor,
        request=request,
        personal_data=registration is not None,
        subject=registration.user if registration is not None else None,
        fields=["status", "cancel_reason", "cancellation_fee"],
        extra={"number": booking.number, "by_staff": by_staff, "fee": fee},
    )
    with override("ja"):
        reason_label = str(CancelReason(reason).label)
    if reason != CancelReason.CLOSURE:
        # A closure's bookers hear of it from `closures`, with the closure's reason.
        _notify(
            booking,
            "booking_cancelled",
            {"cancellation_fee": fee, "reason": reason, "reason_label": reason_label},
            key="cancelled",
        )
    return booking


def _end_lottery_win(booking: Booking, reason: str, *, actor: Any, request: Any) -> None:
    """A lottery win (当選・確定待ち) whose provisional booking is cancelled (a closure, staff)
    can no longer be confirmed: the entry becomes 辞退 (reason DECLINED) or 確定期限切れ, with
    a note saying why, so that its pages offer no confirmation that would fail."""
    entry = LotteryEntry.objects.select_for_update().filter(booking=booking, status=EntryStatus.WON).first()
    if entry is None:
        return
    entry.status = EntryStatus.DECLINED if reason == CancelReason.DECLINED else EntryStatus.EXPIRED
    with override("ja"):
        entry.outcome_note = str(WIN_CANCELLED_NOTES.get(reason, WIN_CANCELLED_NOTE))
    entry.decided_at = booking.cancelled_at
    entry.save(update_fields=["status", "outcome_note", "decided_at"])
    registration = booking.registration
    audit.record(
        action=audit.Action.UPDATE,
        obj=entry,
        municipality=booking.municipality,
        actor=actor,
        request=request,
        personal_data=registration is not None,
        subject=registration.user if registration is not None else None,
        fields=["status", "outcome_note"],
        extra={"step": "booking_cancelled", "booking": booking.number},
    )


# --- changing ---------------------------------------------------------------------------


@transaction.atomic
def change(
    booking: Booking,
    *,
    actor: Any,
    purpose: str | None = None,
    attendees: int | None = None,
    extras: Iterable[FeeExtra | int] | None = None,
    request: Any = None,
) -> Booking:
    """Change a booking's purpose, attendees or extras (the booker's own, active, before
    the slot starts). A different fee on an unpaid booking cancels its invoice and
    issues one for the new fee; a paid booking's extras are changed at the facility."""
    booking = _locked(booking)
    _check_changeable(booking, actor)
    changed: list[str] = []
    if purpose is not None and purpose != booking.purpose:
        booking.purpose = purpose
        changed.append("purpose")
    if attendees != booking.attendees:
        if attendees is not None and booking.unit.capacity and attendees > booking.unit.capacity:
            raise BookingError(
                "over_capacity",
                _("利用人数が定員（%(capacity)s人）を超えています。") % {"capacity": booking.unit.capacity},
            )
        booking.attendees = attendees
        changed.append("attendees")
    with municipality_scope(booking.municipality_id):
        if extras is not None and set(_extra_pks(extras)) != set(booking.extras.values_list("pk", flat=True)):
            quote = fees.quote(booking.unit, booking.date, booking.slot, resident=booking.resident_rate, extras=extras)
            if quote.amount != booking.fee_amount and booking.paid_at is not None:
                raise BookingError(
                    "paid_fee_change",
                    _("使用料をお支払い済みのため、付帯設備の変更は施設の窓口でお願いします。"),
                )
            booking.extras.set(list(FeeExtra.objects.filter(pk__in=_extra_pks(extras))))
            if quote.amount != booking.fee_amount:
                current = invoice_of(booking)
                if current is not None and current.status == InvoiceStatus.UNPAID:
                    payments.cancel_invoice(current, reason=gettext_noop("施設予約の変更"), actor=actor)
                booking.fee_amount = quote.amount
                changed.append("fee_amount")
            booking.fee_breakdown = quote.lines
            changed.append("extras")
    if not changed:
        return booking
    booking.save()
    audit.record(
        action=audit.Action.UPDATE,
        obj=booking,
        municipality=booking.municipality,
        actor=actor,
        request=request,
        personal_data=True,
        subject=actor,
        fields=changed,
        extra={"number": booking.number},
    )
    if "fee_amount" in changed:
        issue_invoice(booking, actor=actor)
    return booking


def _check_changeable(booking: Booking, actor: Any) -> None:
    registration = booking.registration
    if registration is None or registration.user_id != getattr(actor, "pk", None):
        raise BookingError("not_your_booking", _("この予約は変更できません。"))
    if booking.status != BookingStatus.CONFIRMED:
        raise BookingError("not_changeable", _("この予約は変更できる状態ではありません。"))
    starts = timezone.make_aware(dt.datetime.combine(booking.date, booking.starts_at))
    if starts <= timezone.now():
        raise BookingError("not_changeable", _("利用の開始時刻を過ぎた予約は変更できません。"))


def change_deadline(booking: Booking) -> dt.date:
    """The last day to move a booking to another slot: the free-cancel deadline."""
    return booking.date - dt.timedelta(days=booking.facility.free_cancel_days)


@transaction.atomic
def move(
    booking: Booking,
    *,
    actor: Any,
    unit: Unit,
    day: dt.date,
    slot: Slot,
    request_key: str = "",
    request: Any = None,
) -> Booking:
    """Move a booking to another free slot of the same facility, before the change
    deadline: the new slot is booked and the old one cancelled in ONE transaction (if
    the new slot is taken, nothing changes). The payment follows when the fee is the
    same; otherwise the old invoice is cancelled (and refunded if paid) and the new
    booking gets its own."""
    booking = _locked(booking)
    _check_changeable(booking, actor)
    if request_key:
        with municipality_scope(booking.municipality_id):
            again = Booking.objects.filter(municipality_id=booking.municipality_id, request_key=request_key).first()
        if again is not None:
            return again
    if unit.facility_id != booking.facility_id:
        raise BookingError("other_facility", _("同じ施設の枠にのみ変更できます。"))
    if timezone.localdate() > change_deadline(booking):
        raise BookingError(
            "change_deadline",
            _("日時を変更できる期限（%(deadline)s）を過ぎました。施設にお問い合わせください。")
            % {"deadline": f"{change_deadline(booking):%Y-%m-%d}"},
        )
    if unit.pk == booking.unit_id and day == booking.date and slot.pk == booking.slot_id:
        raise BookingError("same_slot", _("今の予約と同じ枠です。別の枠を選んでください。"))
    registration = booking.registration
    assert registration is not None  # _check_changeable
    with municipality_scope(booking.municipality_id):
        extras = list(booking.extras.all())
        # The old cells are freed first, so that a move to an overlapping slot (the whole
        # floor → its half) is possible; if the new slot cannot be booked the exception
        # rolls this back with everything else.
        occupancy.release(booking)
        state = availability.slot_availability(unit, day, slot)
        if state.state == SlotState.BOOKED:
            raise SlotTakenError()
        if not state.bookable:
            raise BookingError(
                "not_bookable", state.reason or _("この枠は予約できません（%(state)s）。") % {"state": state.label}
            )
        if booking.attendees is not None and unit.capacity and booking.attendees > unit.capacity:
            raise BookingError(
                "over_capacity", _("利用人数が定員（%(capacity)s人）を超えています。") % {"capacity": unit.capacity}
            )
        allowed = {extra.pk for extra in fees.available_extras(unit, slot)}
        extras = [extra for extra in extras if extra.pk in allowed]
        quote = fees.quote(unit, day, slot, resident=booking.resident_rate, extras=extras)
        new = occupancy.place_booking(
            unit=unit,
            slot=slot,
            date=day,
            source=booking.source,
            registration=registration,
            purpose=booking.purpose,
            attendees=booking.attendees,
            extras=extras,
            fee_amount=quote.amount,
            fee_breakdown=quote.lines,
            resident_rate=booking.resident_rate,
            request_key=request_key,
            created_by=actor,
            note=_("予約 %(number)s から変更") % {"number": booking.number},
            audit_request=request,
        )
        old_invoice = invoice_of(booking)
        carry = (
            old_invoice is not None
            and old_invoice.status != InvoiceStatus.CANCELLED
            and quote.amount == booking.fee_amount
        )
        if carry:
            assert old_invoice is not None
            # Same fee: the invoice (paid or not) now stands for the new booking.
            new.invoice_number = old_invoice.number
            new.paid_at = booking.paid_at
            new.save(update_fields=["invoice_number", "paid_at", "updated_at"])
            booking.invoice_number = ""
        booking.status = BookingStatus.CANCELLED
        booking.cancelled_at = timezone.now()
        booking.cancel_reason = CancelReason.BY_USER
        booking.note = (booking.note + "\n" if booking.note else "") + _("予約 %(number)s に変更") % {
            "number": new.number
        }
        if not carry and booking.invoice_number:
            _settle_cancelled(booking, 0, actor=actor)
        booking.save()
    audit.record(
        action=audit.Action.UPDATE,
        obj=booking,
        municipality=booking.municipality,
        actor=actor,
        request=request,
        personal_data=True,
        subject=actor,
        fields=["status", "cancel_reason"],
        extra={"number": booking.number, "moved_to": new.number},
    )
    if not carry:
        issue_invoice(new, actor=actor)
    _notify(new, "booking_moved", {"old_number": booking.number}, key="moved")
    return new


# --- lookups ----------------------------------------------------------------------------


def bookings_of(user: Any, municipality: Municipality) -> list[Booking]:
    """The bookings of the user's registrations in the municipality, newest use date
    first."""
    if getattr(user, "pk", None) is None:
        return []
    with municipality_scope(municipality):
        return list(
            Booking.objects.filter(municipality=municipality, registration__user=user)
            .select_related("facility", "unit", "slot", "registration")
            .order_by("-date", "-starts_at", "-pk")
        )


def booking_of(user: Any, municipality: Municipality, number: str) -> Booking | None:
    """One of the user's bookings by its number, or None (also for someone else's)."""
    if getattr(user, "pk", None) is None:
        return None
    with municipality_scope(municipality):
        return (
            Booking.objects.filter(municipality=municipality, registration__user=user, number=number)
            .select_related("facility", "unit", "slot", "registration")
            .first()
        )
