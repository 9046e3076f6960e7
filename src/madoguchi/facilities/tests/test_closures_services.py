"""臨時休館: creating one cancels the bookings it covers (only those: other units, other
hours, other days and used bookings stay), with no fee, frees their slots, e-mails each
booker once, and closes units that share a space with the chosen ones."""

from __future__ import annotations

import datetime as dt

import pytest

from madoguchi.core.models import Municipality
from madoguchi.core.tenancy import municipality_scope
from madoguchi.facilities.models import BookingSource, BookingStatus, CancelReason, Closure, Occupancy
from madoguchi.facilities.services import bookings, closures
from madoguchi.facilities.services.occupancy import BookingError, place_booking
from madoguchi.notifications.models import OutboundMessage
from madoguchi.testing.factories import make_staff

from .factories import make_gym, make_registration, next_weekday

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(not hasattr(bookings, "cancel"), reason="bookings.cancel (part 3) is not there yet"),
]


def test_closure_cancels_covered_bookings_and_emails_their_bookers(kasama: Municipality) -> None:
    gym = make_gym(kasama)
    staff = make_staff(kasama, "municipal_admin")
    day = next_weekday()
    club = make_registration(kasama)
    with municipality_scope(kasama):
        covered = place_booking(
            unit=gym.half_a, slot=gym.morning, date=day, source=BookingSource.FIRST_COME, registration=club,
            fee_amount=1000,
        )  # fmt: skip
        other_hours = place_booking(unit=gym.half_a, slot=gym.night, date=day, source=BookingSource.FIRST_COME)
        other_day = place_booking(
            unit=gym.half_a, slot=gym.morning, date=day + dt.timedelta(days=1), source=BookingSource.FIRST_COME
        )
        holder_only = place_booking(
            unit=gym.half_b, slot=gym.afternoon, date=day, source=BookingSource.COUNTER, holder_name="山田"
        )
        closure, cancelled = closures.create_closure(
            facility=gym.facility,
            starts_on=day,
            ends_on=day,
            starts_at=dt.time(8),
            ends_at=dt.time(17),
            reason_ja="床の補修",
            reason_en="Floor repairs",
            kind="maintenance",
            actor=staff,
        )
        assert {b.pk for b in cancelled} == {covered.pk, holder_only.pk}
        covered.refresh_from_db()
        assert covered.status == BookingStatus.CANCELLED
        assert covered.cancel_reason == CancelReason.CLOSURE
        assert covered.cancellation_fee == 0
        assert not Occupancy.objects.filter(booking=covered).exists()
        for kept in (other_hours, other_day):
            kept.refresh_from_db()
            assert kept.status == BookingStatus.CONFIRMED
        assert closure.notified_at is not None
        messages = OutboundMessage.objects.filter(template_key="facilities/closure_cancelled")
        assert messages.count() == 1  # the holder without a registration has no address
        message = messages.get()
        assert "床の補修" in message.body_text
        assert covered.number in message.subject
        # Only the closure's e-mail: not also the general cancellation one.
        assert not OutboundMessage.objects.filter(template_key="facilities/booking_cancelled").exists()


def test_closing_a_half_closes_the_whole_floor_too(kasama: Municipality) -> None:
    gym = make_gym(kasama)
    staff = make_staff(kasama, "municipal_admin")
    day = next_weekday()
    with municipality_scope(kasama):
        whole = place_booking(unit=gym.whole, slot=gym.morning, date=day, source=BookingSource.FIRST_COME)
        closure, cancelled = closures.create_closure(
            facility=gym.facility, units=[gym.half_a], starts_on=day, ends_on=day, reason_ja="照明の交換",
            actor=staff,
        )  # fmt: skip
        assert [b.pk for b in cancelled] == [whole.pk]
        assert {u.pk for u in closure.units.all()} == {gym.half_a.pk, gym.whole.pk}
        # half B does not share a space with half A: it stays open and bookable.
        place_booking(unit=gym.half_b, slot=gym.morning, date=day, source=BookingSource.FIRST_COME)


def test_closure_input_is_checked_and_nothing_is_kept_on_error(kasama: Municipality) -> None:
    gym = make_gym(kasama)
    other = make_gym(kasama)
    staff = make_staff(kasama, "municipal_admin")
    day = next_weekday()
    with municipality_scope(kasama):
        for kwargs in (
            {"starts_on": day, "ends_on": day - dt.timedelta(days=1), "reason_ja": "x"},
            {"starts_on": day, "ends_on": day, "starts_at": dt.time(9), "reason_ja": "x"},
            {"starts_on": day, "ends_on": day, "starts_at": dt.time(12), "ends_at": dt.time(9), "reason_ja": "x"},
            {"starts_on": day, "ends_on": day, "reason_ja": "  "},
            {"starts_on": day, "ends_on": day, "reason_ja": "x", "units": [other.whole]},
        ):
            with pytest.raises(BookingError):
                closures.create_closure(facility=gym.facility, actor=staff, **kwargs)  # type: ignore[arg-type]
        assert not Closure.objects.exists()


def test_a_paid_booking_is_refunded_in_full(kasama: Municipality) -> None:
    from madoguchi.facilities.services import counter

    gym = make_gym(kasama)
    staff = make_staff(kasama, "municipal_admin")
    club = make_registration(kasama)
    day = next_weekday()
    with municipality_scope(kasama):
        booking = counter.book_for(
            unit=gym.whole, day=day, slot=gym.night, actor=staff, registration=club, paid_at_counter=True
        )
        assert booking.paid_at is not None
        _closure, cancelled = closures.create_closure(
            facility=gym.facility, starts_on=day, ends_on=day, reason_ja="停電", actor=staff
        )
        assert [b.pk for b in cancelled] == [booking.pk]
        from madoguchi.payments.models import Refund

        refund = Refund.objects.get()
        assert refund.amount == booking.fee_amount
