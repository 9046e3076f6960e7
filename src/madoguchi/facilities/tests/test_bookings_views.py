"""The residents' booking pages: book a slot (double submit safe, a lost race told
clearly), the booking page with fee, pay button and QR code, paying, cancelling,
changing and moving; someone else's booking and another municipality's are unreachable."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import pytest
from django.test import Client

from madoguchi.audit.models import AuditEntry
from madoguchi.core.models import Municipality
from madoguchi.core.tenancy import municipality_scope
from madoguchi.facilities.models import Booking, BookingStatus, Registration
from madoguchi.facilities.services import bookings
from madoguchi.testing.factories import UserFactory
from madoguchi.testing.tenancy import TenantIsolation, TenantPair, sign_in

from .factories import Gym, make_gym, make_registration, next_weekday

pytestmark = pytest.mark.django_db


def book_url(municipality: Municipality, gym: Gym, day: dt.date, unit: Any = None, slot: Any = None) -> str:
    unit = unit or gym.whole
    slot = slot or gym.morning
    return f"/{municipality.slug}/facilities/book/{unit.pk}/{day:%Y-%m-%d}/{slot.pk}/"


def booking_url(booking: Booking, suffix: str = "") -> str:
    return f"/{booking.municipality.slug}/facilities/my/bookings/{booking.number}/{suffix}"


def form_data(registration: Registration, **extra: Any) -> dict[str, Any]:
    return {
        "registration": registration.pk,
        "purpose": "バドミントンの練習",
        "attendees": 12,
        "request_key": uuid.uuid4().hex,
        **extra,
    }


def test_book_page_shows_the_fee_and_books_once(kasama: Municipality, client: Client) -> None:
    gym = make_gym(kasama)
    registration = make_registration(kasama)
    day = next_weekday()
    sign_in(client, registration.user)
    page = client.get(book_url(kasama, gym, day))
    assert page.status_code == 200
    body = page.content.decode()
    assert "2,000円" in body
    assert "4,000円" in body  # 市外
    assert registration.name in body
    assert 'name="request_key"' in body
    data = form_data(registration)
    first = client.post(book_url(kasama, gym, day), data)
    assert first.status_code == 302
    with municipality_scope(kasama):
        booking = Booking.objects.get()
    assert first["Location"] == booking_url(booking)
    # The same form sent again (a double click): the same booking, no error.
    again = client.post(book_url(kasama, gym, day), data)
    assert again.status_code in (200, 302)
    with municipality_scope(kasama):
        assert Booking.objects.count() == 1
    assert AuditEntry.objects.filter(object_type="facilities.booking", action="create").count() == 1


def test_a_lost_race_is_told_clearly(kasama: Municipality, client: Client) -> None:
    gym = make_gym(kasama)
    day = next_weekday()
    registration = make_registration(kasama)
    sign_in(client, registration.user)
    page = client.get(book_url(kasama, gym, day, unit=gym.half_a))
    assert page.status_code == 200
    # Someone else books the whole floor while the form is open.
    winner = make_registration(kasama)
    bookings.book(registration=winner, unit=gym.whole, day=day, slot=gym.morning, actor=winner.user)
    response = client.post(book_url(kasama, gym, day, unit=gym.half_a), form_data(registration))
    assert response.status_code == 409
    assert "ほかの方が先に予約しました" in response.content.decode()


def test_bad_input_keeps_what_was_typed(kasama: Municipality, client: Client) -> None:
    gym = make_gym(kasama)
    registration = make_registration(kasama)
    sign_in(client, registration.user)
    response = client.post(book_url(kasama, gym, next_weekday()), form_data(registration, attendees=999))
    assert response.status_code == 200
    body = response.content.decode()
    assert "定員" in body
    assert "バドミントンの練習" in body
    with municipality_scope(kasama):
        assert not Booking.objects.exists()


def test_without_a_registration_the_page_says_how_to_register(kasama: Municipality, client: Client) -> None:
    gym = make_gym(kasama)
    sign_in(client, UserFactory.create())
    response = client.get(book_url(kasama, gym, next_weekday()))
    assert response.status_code == 200
    assert "利用者登録が必要です" in response.content.decode()
    assert client.get(f"/{kasama.slug}/facilities/book/{gym.whole.pk}/not-a-day/{gym.morning.pk}/").status_code == 404


def test_booking_page_pay_qr_and_cancel(kasama: Municipality, client: Client) -> None:
    gym = make_gym(kasama)
    registration = make_registration(kasama)
    booking = bookings.book(
        registration=registration, unit=gym.whole, day=next_weekday(), slot=gym.morning, actor=registration.user
    )
    sign_in(client, registration.user)
    page = client.get(booking_url(booking))
    body = page.content.decode()
    assert page.status_code == 200
    assert booking.number in body
    assert "使用料を支払う" in body
    assert "qr.svg" in body
    assert AuditEntry.objects.filter(action="view", object_type="facilities.booking").exists()
    svg = client.get(booking_url(booking, "qr.svg"))
    assert svg.status_code == 200
    assert svg["Content-Type"] == "image/svg+xml"
    assert b"<svg" in svg.content
    pay = client.post(booking_url(booking, "pay/"))
    invoice = bookings.invoice_of(booking)
    assert invoice is not None
    assert pay.status_code == 302
    assert pay["Location"] == f"/{kasama.slug}/payments/invoices/{invoice.number}/"
    confirm = client.get(booking_url(booking, "cancel/"))
    assert confirm.status_code == 200
    assert "取消手数料はかかりません" in confirm.content.decode()
    for _n in range(2):  # a double click cancels once
        done = client.post(booking_url(booking, "cancel/"))
        assert done.status_code == 302
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CANCELLED


def test_change_and_move(kasama: Municipality, client: Client) -> None:
    gym = make_gym(kasama)
    registration = make_registration(kasama)
    booking = bookings.book(
        registration=registration, unit=gym.whole, day=next_weekday(), slot=gym.night, actor=registration.user
    )
    sign_in(client, registration.user)
    assert client.get(booking_url(booking, "change/")).status_code == 200
    changed = client.post(
        booking_url(booking, "change/"),
        {"action": "details", "purpose": "大会", "attendees": 40, "extras": [gym.lighting.pk]},
    )
    assert changed.status_code == 302
    booking.refresh_from_db()
    assert (booking.purpose, booking.fee_amount) == ("大会", 2500)
    moved = client.post(
        booking_url(booking, "change/"),
        {
            "action": "move",
            "unit": gym.half_b.pk,
            "day": booking.date.isoformat(),
            "slot": gym.afternoon.pk,
            "request_key": uuid.uuid4().hex,
        },
    )
    assert moved.status_code == 302
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CANCELLED
    with municipality_scope(kasama):
        new = Booking.objects.get(status=BookingStatus.CONFIRMED)
    assert moved["Location"] == booking_url(new)
    assert new.unit_id == gym.half_b.pk


def test_my_bookings_and_someone_elses(kasama: Municipality, client: Client) -> None:
    gym = make_gym(kasama)
    registration = make_registration(kasama)
    booking = bookings.book(
        registration=registration, unit=gym.whole, day=next_weekday(), slot=gym.morning, actor=registration.user
    )
    sign_in(client, registration.user)
    listing = client.get(f"/{kasama.slug}/facilities/my/bookings/")
    assert listing.status_code == 200
    assert booking.number in listing.content.decode()
    client.logout()
    sign_in(client, UserFactory.create())
    for suffix in ("", "qr.svg", "cancel/", "change/"):
        assert client.get(booking_url(booking, suffix)).status_code == 404
    assert client.post(booking_url(booking, "cancel/")).status_code == 404
    assert client.post(booking_url(booking, "pay/")).status_code == 404
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CONFIRMED
    client.logout()
    assert client.get(booking_url(booking)).status_code == 302  # to sign in


def test_tenant_isolation(two_municipalities: TenantPair, client: Client) -> None:
    home, other = two_municipalities.home, two_municipalities.other
    gym = make_gym(other.municipality)
    registration = make_registration(other.municipality, user=home.resident)
    theirs = bookings.book(
        registration=registration, unit=gym.whole, day=next_weekday(), slot=gym.morning, actor=home.resident
    )
    iso = TenantIsolation(client, two_municipalities)
    iso.assert_page_excludes(f"/{home.slug}/facilities/my/bookings/", as_user=home.resident, markers=[theirs.number])
    base = f"/{home.slug}/facilities/my/bookings/{theirs.number}/"
    for url in (base, f"{base}cancel/", f"{base}change/", f"{base}pay/", f"{base}qr.svg"):
        iso.assert_unreachable(url, obj=theirs, as_user=home.resident)
    iso.assert_unreachable(
        f"/{home.slug}/facilities/book/{gym.whole.pk}/{next_weekday():%Y-%m-%d}/{gym.afternoon.pk}/",
        obj=theirs,
        as_user=home.resident,
    )


def test_a_lottery_win_waiting_for_confirmation(kasama: Municipality, client: Client) -> None:
    from django.utils import timezone

    from madoguchi.facilities.models import BookingSource
    from madoguchi.facilities.services import occupancy

    gym = make_gym(kasama)
    registration = make_registration(kasama)
    won = occupancy.place_booking(
        unit=gym.whole,
        slot=gym.morning,
        date=next_weekday(),
        source=BookingSource.LOTTERY,
        registration=registration,
        status=BookingStatus.PROVISIONAL,
        confirm_by=timezone.now() + dt.timedelta(days=3),
    )
    sign_in(client, registration.user)
    page = client.get(booking_url(won))
    body = page.content.decode()
    assert page.status_code == 200
    assert "抽選に当選しました" in body
    assert "予約を取り消す" not in body
    assert "qr.svg" not in body
    assert client.get(booking_url(won, "qr.svg")).status_code == 404
