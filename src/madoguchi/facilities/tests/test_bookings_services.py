"""First-come booking, fees, invoices and cancellations through the services."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from madoguchi.core.models import Municipality
from madoguchi.core.tenancy import municipality_scope
from madoguchi.facilities.models import (
    Booking,
    BookingSource,
    BookingStatus,
    CancelReason,
    FeeExtra,
    FeeRule,
    Occupancy,
    RegistrationStatus,
)
from madoguchi.facilities.services import bookings, fees, occupancy
from madoguchi.facilities.services.occupancy import BookingError, SlotTakenError
from madoguchi.notifications.models import OutboundMessage
from madoguchi.payments import services as payments
from madoguchi.payments.models import Channel, Invoice, InvoiceStatus, Item, Refund
from madoguchi.testing.factories import UserFactory

from .factories import Gym, make_gym, make_registration, next_weekday


def _saturday() -> dt.date:
    return next_weekday(weekday=5)


def test_quote_by_day_kind_residency_and_extras(kasama: Municipality) -> None:
    gym = make_gym(kasama)
    with municipality_scope(kasama):
        assert fees.quote(gym.whole, next_weekday(), gym.morning, resident=True).amount == 2000
        assert fees.quote(gym.whole, next_weekday(), gym.morning, resident=False).amount == 4000
        holiday = fees.quote(gym.half_a, _saturday(), gym.morning, resident=True)
        assert holiday.amount == 1500
        assert holiday.lines[0]["label_ja"] == "半面A 午前（土日祝日・市内）"
        assert holiday.lines[0]["label_en"].startswith("Half A Morning (")
        with_light = fees.quote(gym.whole, next_weekday(), gym.night, resident=True, extras=[gym.lighting])
        assert with_light.amount == 2500
        assert [line["kind"] for line in with_light.lines] == ["use", "extra"]


def test_quote_slot_rule_wins_and_night_only_extras(kasama: Municipality) -> None:
    gym = make_gym(kasama)
    day = next_weekday()
    with municipality_scope(kasama):
        FeeRule.objects.create(
            municipality=kasama, unit=gym.whole, slot=gym.night, day_kind="weekday", residency="resident", amount=2600
        )
        assert fees.quote(gym.whole, day, gym.night, resident=True).amount == 2600
        assert fees.quote(gym.whole, day, gym.morning, resident=True).amount == 2000
        FeeExtra.objects.filter(pk=gym.lighting.pk).update(night_only=True)
        with pytest.raises(BookingError) as caught:
            fees.quote(gym.whole, day, gym.morning, resident=True, extras=[gym.lighting.pk])
        assert caught.value.code == "extra_not_available"
        FeeRule.objects.filter(unit=gym.half_a).delete()
        with pytest.raises(BookingError) as caught:
            fees.quote(gym.half_a, day, gym.morning, resident=True)
        assert caught.value.code == "no_fee_rule"


def _book(gym: Gym, registration: Any, day: dt.date | None = None, **kwargs: Any) -> Booking:
    return bookings.book(
        registration=registration,
        unit=kwargs.pop("unit", gym.whole),
        day=day or next_weekday(),
        slot=kwargs.pop("slot", gym.morning),
        actor=registration.user,
        **kwargs,
    )


def test_book_issues_the_invoice_and_emails(kasama: Municipality, django_capture_on_commit_callbacks: Any) -> None:
    gym = make_gym(kasama)
    registration = make_registration(kasama)
    with django_capture_on_commit_callbacks(execute=True):
        booking = _book(gym, registration, purpose="練習", attendees=20, extras=[gym.lighting], request_key="k1")
    assert booking.status == BookingStatus.CONFIRMED
    assert booking.source == BookingSource.FIRST_COME
    assert booking.fee_amount == 2500
    invoice = bookings.invoice_of(booking)
    assert invoice is not None
    assert invoice.item == Item.FACILITY_FEE
    assert invoice.source_reference == booking.number
    assert invoice.origin_type == "facilities.booking"
    assert invoice.return_url == f"/{kasama.slug}/facilities/my/bookings/{booking.number}/"
    assert invoice.due_date <= booking.date
    assert bookings.issue_invoice(booking) == invoice  # idempotent
    mails = OutboundMessage.unscoped.filter(template_key="facilities/booking_confirmed")
    assert mails.count() == 1
    # The same submission again is the same booking.
    assert _book(gym, registration, purpose="練習", request_key="k1").pk == booking.pk
    with municipality_scope(kasama):
        assert Booking.objects.count() == 1


def test_book_refuses_what_is_not_allowed(kasama: Municipality) -> None:
    gym = make_gym(kasama)
    registration = make_registration(kasama)
    other = make_registration(kasama)
    _book(gym, registration)
    with pytest.raises(SlotTakenError) as taken:
        _book(gym, other, unit=gym.half_a)
    assert "先に予約" in taken.value.message
    with pytest.raises(BookingError) as caught:
        bookings.book(
            registration=registration, unit=gym.whole, day=next_weekday(), slot=gym.night, actor=UserFactory()
        )
    assert caught.value.code == "not_your_registration"
    pending = make_registration(kasama, status=RegistrationStatus.PENDING)
    with pytest.raises(BookingError) as caught:
        _book(gym, pending, slot=gym.night)
    assert caught.value.code == "registration_not_usable"
    with pytest.raises(BookingError) as caught:
        _book(gym, registration, slot=gym.night, attendees=500)
    assert caught.value.code == "over_capacity"
    with pytest.raises(BookingError) as caught:
        _book(gym, registration, day=timezone.localdate() + dt.timedelta(days=400), slot=gym.night)
    assert caught.value.code == "not_bookable"
    limited = make_registration(kasama, max_active_bookings=1)
    _book(gym, limited, slot=gym.afternoon)
    with pytest.raises(BookingError) as caught:
        _book(gym, limited, slot=gym.night)
    assert caught.value.code == "booking_limit"


def test_cancel_free_then_with_fee_then_not_online(kasama: Municipality) -> None:
    gym = make_gym(kasama, free_cancel_days=7, cancel_deadline_days=2, cancellation_fee_percent=50)
    registration = make_registration(kasama)
    day = next_weekday(weeks_ahead=3)
    booking = _book(gym, registration, day=day)
    free_time = timezone.make_aware(dt.datetime.combine(day - dt.timedelta(days=7), dt.time(12)))
    late_time = timezone.make_aware(dt.datetime.combine(day - dt.timedelta(days=3), dt.time(12)))
    too_late = timezone.make_aware(dt.datetime.combine(day - dt.timedelta(days=1), dt.time(12)))
    assert bookings.cancellation_terms(booking, now=free_time).fee == 0
    assert bookings.cancellation_terms(booking, now=free_time).allowed
    late = bookings.cancellation_terms(booking, now=late_time)
    assert (late.allowed, late.fee) == (True, 1000)
    refused = bookings.cancellation_terms(booking, now=too_late)
    assert not refused.allowed
    assert "期限" in refused.reason
    assert refused.free_until == day - dt.timedelta(days=7)
    assert refused.deadline == day - dt.timedelta(days=2)


def test_cancel_unpaid_cancels_the_invoice_and_frees_the_slot(kasama: Municipality) -> None:
    gym = make_gym(kasama)
    registration = make_registration(kasama)
    booking = _book(gym, registration)
    invoice = bookings.invoice_of(booking)
    assert invoice is not None
    with pytest.raises(BookingError):
        bookings.cancel(booking, actor=UserFactory())
    cancelled = bookings.cancel(booking, actor=registration.user)
    assert cancelled.status == BookingStatus.CANCELLED
    assert cancelled.cancellation_fee == 0
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.CANCELLED
    with municipality_scope(kasama):
        assert not Occupancy.objects.filter(booking=booking).exists()
    # Twice is once; the slot can be booked again.
    assert bookings.cancel(booking, actor=registration.user).cancelled_at == cancelled.cancelled_at
    assert _book(gym, make_registration(kasama)).status == BookingStatus.CONFIRMED


def _pay(invoice: Invoice) -> None:
    payments.record_payment(
        invoice,
        channel=Channel.ONLINE_CARD,
        reference=f"t-{invoice.number}",
        amount=invoice.amount,
        paid_on=timezone.localdate(),
    )


def test_cancel_paid_with_fee_refunds_the_rest(
    kasama: Municipality, monkeypatch: pytest.MonkeyPatch, django_capture_on_commit_callbacks: Any
) -> None:
    gym = make_gym(kasama, free_cancel_days=30, cancel_deadline_days=1, cancellation_fee_percent=30)
    registration = make_registration(kasama)
    booking = _book(gym, registration)
    invoice = bookings.invoice_of(booking)
    assert invoice is not None
    with django_capture_on_commit_callbacks(execute=True):
        _pay(invoice)
    booking.refresh_from_db()
    assert booking.paid_at is not None
    cancelled = bookings.cancel(booking, actor=registration.user)
    assert cancelled.cancellation_fee == 600
    with municipality_scope(kasama):
        refund = Refund.objects.get(invoice=invoice)
    assert refund.amount == 1400


def test_cancel_unpaid_with_fee_invoices_the_fee(kasama: Municipality) -> None:
    gym = make_gym(kasama, free_cancel_days=30, cancel_deadline_days=1, cancellation_fee_percent=50)
    registration = make_registration(kasama)
    booking = _book(gym, registration)
    first = bookings.invoice_of(booking)
    cancelled = bookings.cancel(booking, actor=registration.user)
    fee_invoice = bookings.invoice_of(cancelled)
    assert first is not None
    assert fee_invoice is not None
    assert fee_invoice != first
    assert fee_invoice.amount == 1000
    assert fee_invoice.source_reference == f"{booking.number}-cancel"


def test_staff_cancel_after_deadline_and_waived(kasama: Municipality) -> None:
    gym = make_gym(kasama, free_cancel_days=60, cancel_deadline_days=50)
    registration = make_registration(kasama)
    booking = _book(gym, registration)
    with pytest.raises(BookingError) as caught:
        bookings.cancel(booking, actor=registration.user)
    assert caught.value.code == "cancel_deadline"
    staff = UserFactory()
    cancelled = bookings.cancel(booking, actor=staff, by_staff=True, waive_fee=True, reason=CancelReason.BY_STAFF)
    assert cancelled.cancellation_fee == 0
    assert cancelled.cancel_reason == CancelReason.BY_STAFF


def test_confirm_provisional(kasama: Municipality) -> None:
    gym = make_gym(kasama)
    registration = make_registration(kasama, member_count=10, resident_member_count=2)
    booking = occupancy.place_booking(
        unit=gym.whole,
        slot=gym.morning,
        date=next_weekday(),
        source=BookingSource.LOTTERY,
        registration=registration,
        status=BookingStatus.PROVISIONAL,
        confirm_by=timezone.now() + dt.timedelta(days=3),
    )
    assert bookings.issue_invoice(booking) is None
    confirmed = bookings.confirm_provisional(booking, actor=registration.user)
    assert confirmed.status == BookingStatus.CONFIRMED
    assert confirmed.fee_amount == 4000  # 市外料金: few members live in the city
    assert bookings.invoice_of(confirmed) is not None
    assert bookings.confirm_provisional(confirmed, actor=registration.user).invoice_number == confirmed.invoice_number
    with municipality_scope(kasama):
        assert Invoice.objects.count() == 1


def test_move_books_the_new_slot_and_cancels_the_old_in_one_go(kasama: Municipality) -> None:
    gym = make_gym(kasama)
    registration = make_registration(kasama)
    blocker = make_registration(kasama)
    booking = _book(gym, registration)
    _book(gym, blocker, slot=gym.afternoon)
    with pytest.raises(SlotTakenError):
        bookings.move(booking, actor=registration.user, unit=gym.half_b, day=booking.date, slot=gym.afternoon)
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CONFIRMED  # nothing changed
    with municipality_scope(kasama):
        assert Occupancy.objects.filter(booking=booking).count() == 12
    new = bookings.move(booking, actor=registration.user, unit=gym.whole, day=booking.date, slot=gym.night)
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CANCELLED
    assert new.status == BookingStatus.CONFIRMED
    assert new.invoice_number
    assert new.invoice_number == bookings.invoice_of(new).number  # type: ignore[union-attr]
    with municipality_scope(kasama):
        assert not Occupancy.objects.filter(booking=booking).exists()
    moved_half = bookings.move(new, actor=registration.user, unit=gym.half_a, day=new.date, slot=gym.morning)
    assert moved_half.fee_amount == 1000
    invoice = bookings.invoice_of(moved_half)
    assert invoice is not None
    assert invoice.amount == 1000


def test_change_details_and_extras(kasama: Municipality) -> None:
    gym = make_gym(kasama)
    registration = make_registration(kasama)
    booking = _book(gym, registration, slot=gym.night)
    changed = bookings.change(booking, actor=registration.user, purpose="大会", attendees=30, extras=[gym.lighting])
    assert changed.purpose == "大会"
    assert changed.fee_amount == 2500
    invoice = bookings.invoice_of(changed)
    assert invoice is not None
    assert invoice.amount == 2500
    assert invoice.source_reference == f"{booking.number}-2"


def test_bookings_of_only_the_users_own(kasama: Municipality, mito: Municipality) -> None:
    gym = make_gym(kasama)
    registration = make_registration(kasama)
    mine = _book(gym, registration, day=next_weekday(weeks_ahead=2))
    later = _book(gym, registration, day=next_weekday(weeks_ahead=3))
    _book(gym, make_registration(kasama), slot=gym.night)
    assert [b.pk for b in bookings.bookings_of(registration.user, kasama)] == [later.pk, mine.pk]
    assert bookings.bookings_of(registration.user, mito) == []
    assert bookings.booking_of(registration.user, kasama, mine.number) == mine
    assert bookings.booking_of(UserFactory(), kasama, mine.number) is None


def test_cancel_emails_the_booker_but_not_for_a_closure(
    kasama: Municipality, django_capture_on_commit_callbacks: Any
) -> None:
    gym = make_gym(kasama)
    registration = make_registration(kasama)
    first = _book(gym, registration)
    second = _book(gym, registration, slot=gym.night)
    with django_capture_on_commit_callbacks(execute=True):
        bookings.cancel(first, actor=registration.user)
        bookings.cancel(second, actor=UserFactory(), by_staff=True, reason=CancelReason.CLOSURE)
    mails = list(OutboundMessage.unscoped.filter(template_key="facilities/booking_cancelled"))
    assert len(mails) == 1
    assert first.number in mails[0].subject
    second.refresh_from_db()
    assert second.cancellation_fee == 0


def test_move_to_an_overlapping_unit_of_the_same_slot(kasama: Municipality) -> None:
    gym = make_gym(kasama)
    registration = make_registration(kasama)
    booking = _book(gym, registration)
    half = bookings.move(booking, actor=registration.user, unit=gym.half_a, day=booking.date, slot=gym.morning)
    assert half.unit_id == gym.half_a.pk
    with municipality_scope(kasama):
        assert Occupancy.objects.filter(date=booking.date).count() == 6
    # The freed half is bookable by someone else.
    assert _book(gym, make_registration(kasama), unit=gym.half_b).status == BookingStatus.CONFIRMED
