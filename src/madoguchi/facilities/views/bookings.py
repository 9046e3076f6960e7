"""The residents' booking pages: booking a free slot first-come (the slot, the fee, the
registration, purpose, attendees, extras), 予約一覧, one booking (status, fee, payment,
QR code for the check-in, cancel and change with the deadlines), paying, cancelling,
changing and moving.

Views are thin: every decision is `services.bookings`'. A resident sees only the bookings
of their own registrations (another person's booking number is a 404). Reading a
booking or the list is an audited read of personal data; every change is audited by the
services. Forms carry a submission key, so a double submit makes one booking.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from madoguchi.audit import services as audit
from madoguchi.core.models import Municipality
from madoguchi.core.tenancy import get_request_municipality
from madoguchi.payments.models import InvoiceStatus

from .. import qr
from ..forms import bookings as forms
from ..models import HOLDING_STATUSES, Booking, BookingStatus, Slot, Unit
from ..services import availability, bookings, calendar, fees
from ..services.occupancy import BookingError, SlotTakenError

MY_BOOKINGS = (_("予約一覧"), "facilities:my_bookings")


def _url(name: str, municipality: Municipality, query: dict[str, str] | None = None, **kwargs: Any) -> str:
    """A link to a page of facilities (or "" while its part has not registered it)."""
    try:
        url = reverse(f"facilities:{name}", kwargs={"municipality_slug": municipality.slug, **kwargs})
    except NoReverseMatch:
        return ""
    return f"{url}?{urlencode(query)}" if query else url


def _calendar_url(unit: Unit, day: dt.date) -> str:
    monday = day - dt.timedelta(days=day.weekday())
    return _url(
        "calendar",
        unit.municipality,
        {"start": monday.isoformat(), "unit": unit.slug},
        facility_slug=unit.facility.slug,
    )


def _my_page(municipality: Municipality) -> list[tuple[Any, Any]]:
    return [(_("施設予約マイページ"), "facilities:my")] if _url("my", municipality) else []


def _audit_read(request: HttpRequest, booking: Booking, fields: list[str]) -> None:
    audit.record(
        action=audit.Action.VIEW,
        obj=booking,
        request=request,
        personal_data=True,
        subject=request.user,  # type: ignore[arg-type]  # signed in
        fields=fields,
    )


def _own_booking(request: HttpRequest, number: str) -> Booking:
    booking = bookings.booking_of(request.user, get_request_municipality(request), number)
    if booking is None:
        raise Http404
    return booking


# --- booking a slot ---------------------------------------------------------------------


def _slot_of(request: HttpRequest, unit_pk: int, day: str, slot_pk: int) -> tuple[Unit, dt.date, Slot]:
    try:
        date = dt.date.fromisoformat(day)
    except ValueError:
        raise Http404 from None
    found = (
        Unit.objects.filter(pk=unit_pk, is_active=True, facility__is_published=True)
        .select_related("facility", "slot_pattern")
        .prefetch_related("spaces")
        .first()
    )
    if found is None:
        raise Http404
    slot = Slot.objects.filter(pk=slot_pk, pattern_id=found.slot_pattern_id).first()
    if slot is None:
        raise Http404
    return found, date, slot


def _quotes(unit: Unit, day: dt.date, slot: Slot) -> dict[str, fees.FeeQuote | None]:
    """The fee for residents and for others (None when the fee table has no fee)."""
    found: dict[str, fees.FeeQuote | None] = {}
    for key, resident in (("resident", True), ("non_resident", False)):
        try:
            found[key] = fees.quote(unit, day, slot, resident=resident)
        except BookingError:
            found[key] = None
    return found


def _already_booked(request: HttpRequest, municipality: Municipality) -> Booking | None:
    key = str(request.POST.get("request_key", ""))
    try:
        key = uuid.UUID(key).hex
    except ValueError:
        return None
    return Booking.objects.filter(municipality=municipality, request_key=key, registration__user=request.user).first()


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def book(request: HttpRequest, municipality_slug: str, unit: int, day: str, slot: int) -> HttpResponse:
    """予約の申込: the slot, its fee, and the form (GET); booking it (POST)."""
    municipality = get_request_municipality(request)
    found_unit, date, found_slot = _slot_of(request, unit, day, slot)
    facility = found_unit.facility
    state = availability.slot_availability(found_unit, date, found_slot)
    from ..services import registrations as registrations_service

    usable = registrations_service.usable_registrations(request.user, municipality)
    extras = fees.available_extras(found_unit, found_slot)
    quotes = _quotes(found_unit, date, found_slot)
    error = ""
    form = None
    if request.method == "POST" and (done := _already_booked(request, municipality)) is not None:
        # The same form sent again after it booked (a double click, a reload): its booking.
        return redirect(_url("booking", municipality, number=done.number))
    if usable and state.bookable and quotes["resident"] is not None:
        if request.method == "POST":
            form = forms.BookForm(request.POST, unit=found_unit, registrations=usable, extras=extras)
            if form.is_valid():
                try:
                    booking = bookings.book(
                        registration=form.chosen_registration(),
                        unit=found_unit,
                        day=date,
                        slot=found_slot,
                        actor=request.user,
                        purpose=form.cleaned_data["purpose"],
                        attendees=form.cleaned_data["attendees"],
                        extras=form.cleaned_data.get("extras") or (),
                        request_key=form.cleaned_data["request_key"],
                        request=request,
                    )
                except SlotTakenError as taken:
                    error = taken.message
                    state = availability.slot_availability(found_unit, date, found_slot)
                    form = None
                except BookingError as refused:
                    error = refused.message
                else:
                    messages.success(
                        request,
                        _t("予約しました。予約番号は %(number)s です。") % {"number": booking.number},
                    )
                    return redirect(_url("booking", municipality, number=booking.number))
        else:
            form = forms.BookForm(
                initial={"request_key": forms.new_request_key()},
                unit=found_unit,
                registrations=usable,
                extras=extras,
            )
    elif request.method == "POST" and state.state == availability.SlotState.BOOKED:
        # Taken between showing the form and sending it: the race was lost.
        error = SlotTakenError().message
    elif request.method == "POST":
        error = state.reason or _t("この枠は予約できません（%(state)s）。") % {"state": state.label}
    return render(
        request,
        "facilities/bookings/book.html",
        {
            "facility": facility,
            "unit": found_unit,
            "slot": found_slot,
            "day": date,
            "day_kind": calendar.day_kind(date),
            "state": state,
            "quotes": quotes,
            "extras": extras,
            "usable": usable,
            "form": form,
            "error": error,
            "calendar_url": _calendar_url(found_unit, date),
            "register_url": _url("register", municipality),
            "free_cancel_date": date - dt.timedelta(days=facility.free_cancel_days),
            "cancel_deadline_date": date - dt.timedelta(days=facility.cancel_deadline_days),
            "breadcrumbs": [
                (facility.name, _url("detail", municipality, facility_slug=facility.slug) or None),
                (_("予約の申込"), None),
            ],
        },
        status=409 if error and form is None and request.method == "POST" else 200,
    )


# --- the resident's bookings ------------------------------------------------------------


@login_required
@never_cache
def my_bookings(request: HttpRequest, municipality_slug: str) -> HttpResponse:
    """予約一覧: upcoming bookings first (soonest first), then past and cancelled ones."""
    municipality = get_request_municipality(request)
    mine = bookings.bookings_of(request.user, municipality)
    today = timezone.localdate()
    upcoming = sorted(
        (b for b in mine if b.date >= today and b.status in HOLDING_STATUSES), key=lambda b: (b.date, b.starts_at)
    )
    others = [b for b in mine if b not in upcoming]
    audit.record(
        action=audit.Action.VIEW,
        request=request,
        municipality=municipality,
        personal_data=True,
        subject=request.user,  # type: ignore[arg-type]
        object_type="facilities.booking",
        extra={"view": "my_bookings", "count": len(mine)},
    )
    return render(
        request,
        "facilities/bookings/my_bookings.html",
        {
            "upcoming": upcoming,
            "others": others,
            "search_url": _url("index", municipality),
            "breadcrumbs": [*_my_page(municipality), (_("予約一覧"), None)],
        },
    )


def _payment_state(booking: Booking) -> tuple[str, str, Any]:
    """(key, label, invoice) of the booking's fee."""
    invoice = bookings.invoice_of(booking)
    if booking.status == BookingStatus.CANCELLED:
        if booking.cancellation_fee and invoice is not None and invoice.status == InvoiceStatus.UNPAID:
            return "unpaid", _t("取消手数料が未納です"), invoice
        if invoice is not None and invoice.refunded_amount:
            return "refunded", _t("還付済み"), invoice
        return "none", "", invoice
    if booking.fee_amount <= 0:
        return "free", _t("使用料はかかりません"), None
    if booking.paid_at is not None or (
        invoice is not None and invoice.status in (InvoiceStatus.PAID, InvoiceStatus.OVERPAID)
    ):
        return "paid", _t("納付済み"), invoice
    if booking.status == BookingStatus.PROVISIONAL:
        return "pending", _t("確定後にお支払いいただけます"), None
    return "unpaid", _t("未納"), invoice


@login_required
@never_cache
def booking(request: HttpRequest, municipality_slug: str, number: str) -> HttpResponse:
    """One booking: what, when, status, fee and payment, the QR code, cancel and change."""
    municipality = get_request_municipality(request)
    found = _own_booking(request, number)
    _audit_read(request, found, ["number", "registration", "date", "status", "fee_amount", "purpose"])
    terms = bookings.cancellation_terms(found)
    pay_key, pay_label, invoice = _payment_state(found)
    starts = timezone.make_aware(dt.datetime.combine(found.date, found.starts_at))
    return render(
        request,
        "facilities/bookings/booking.html",
        {
            "booking": found,
            "lines": [
                {"label": fees.line_label(line), "amount": line.get("amount", 0)} for line in found.fee_breakdown
            ],
            "terms": terms,
            "pay_key": pay_key,
            "pay_label": pay_label,
            "invoice": invoice,
            "can_pay": pay_key == "unpaid" and (invoice is None or invoice.status == InvoiceStatus.UNPAID),
            "show_qr": found.status in (BookingStatus.CONFIRMED, BookingStatus.CHECKED_IN),
            # A lottery win is confirmed or declined on the entry's page (lotteries).
            "can_cancel": found.status == BookingStatus.CONFIRMED and terms.allowed,
            "entries_url": _url("my_entries", municipality) if found.status == BookingStatus.PROVISIONAL else "",
            "can_change": found.status == BookingStatus.CONFIRMED and starts > timezone.now(),
            "change_deadline": bookings.change_deadline(found),
            "calendar_url": _calendar_url(found.unit, found.date),
            "breadcrumbs": [*_my_page(municipality), MY_BOOKINGS, (found.number, None)],
        },
    )


@login_required
@require_POST
def booking_pay(request: HttpRequest, municipality_slug: str, number: str) -> HttpResponse:
    """お支払い: issue the invoice if there is none yet and go to the payments page where
    the resident pays online (sent twice, the same invoice)."""
    municipality = get_request_municipality(request)
    found = _own_booking(request, number)
    here = _url("booking", municipality, number=found.number)
    invoice = bookings.invoice_of(found)
    if found.status == BookingStatus.CONFIRMED and (invoice is None or invoice.status == InvoiceStatus.CANCELLED):
        invoice = bookings.issue_invoice(found, actor=request.user)
    if invoice is None or invoice.status == InvoiceStatus.CANCELLED:
        messages.error(request, _t("この予約には、お支払いいただくものがありません。"))
        return redirect(here)
    return redirect(
        reverse("payments:invoice_detail", kwargs={"municipality_slug": municipality.slug, "number": invoice.number})
    )


@login_required
def booking_qr(request: HttpRequest, municipality_slug: str, number: str) -> HttpResponse:
    """The booking's QR code (SVG) for the check-in at the facility."""
    found = _own_booking(request, number)
    if found.status not in (BookingStatus.CONFIRMED, BookingStatus.CHECKED_IN):
        raise Http404
    response = HttpResponse(qr.svg(found), content_type="image/svg+xml")
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def booking_cancel(request: HttpRequest, municipality_slug: str, number: str) -> HttpResponse:
    """取消: the confirmation with the cancellation fee that would apply (GET); cancelling
    (POST; sent twice, cancelled once)."""
    municipality = get_request_municipality(request)
    found = _own_booking(request, number)
    here = _url("booking", municipality, number=found.number)
    if request.method == "POST":
        if found.status == BookingStatus.CANCELLED:
            return redirect(here)
        try:
            bookings.cancel(found, actor=request.user, request=request)
        except BookingError as refused:
            messages.error(request, refused.message)
        else:
            messages.success(request, _t("予約 %(number)s を取り消しました。") % {"number": found.number})
        return redirect(here)
    if found.status == BookingStatus.CANCELLED:
        return redirect(here)
    _audit_read(request, found, ["number", "date", "fee_amount"])
    terms = bookings.cancellation_terms(found)
    return render(
        request,
        "facilities/bookings/cancel.html",
        {
            "booking": found,
            "terms": terms,
            "refund": max(0, found.fee_amount - terms.fee) if found.paid_at else 0,
            "form": forms.ConfirmForm(),
            "breadcrumbs": [*_my_page(municipality), MY_BOOKINGS, (found.number, here), (_("予約の取消"), None)],
        },
    )


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def booking_change(request: HttpRequest, municipality_slug: str, number: str) -> HttpResponse:
    """変更: the details (purpose, attendees, extras) of the same slot, or another slot of
    the same facility before the change deadline (booked and the old one cancelled in
    one transaction)."""
    municipality = get_request_municipality(request)
    found = _own_booking(request, number)
    here = _url("booking", municipality, number=found.number)
    if found.status != BookingStatus.CONFIRMED:
        messages.error(request, _t("この予約は変更できる状態ではありません。"))
        return redirect(here)
    extras = fees.available_extras(found.unit, found.slot)
    units = availability.units_of(found.facility)
    slots = sorted({s for u in units for s in calendar.slots_of(u)}, key=lambda s: (s.starts_at, s.pk))
    deadline = bookings.change_deadline(found)
    can_move = timezone.localdate() <= deadline
    details_form = forms.ChangeForm(
        initial={
            "purpose": found.purpose,
            "attendees": found.attendees,
            "extras": list(found.extras.values_list("pk", flat=True)),
        },
        unit=found.unit,
        extras=extras,
    )
    move_form = forms.MoveForm(
        initial={
            "unit": found.unit_id,
            "day": found.date,
            "slot": found.slot_id,
            "request_key": forms.new_request_key(),
        },
        units=units,
        slots=slots,
    )
    error = ""
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "move" and can_move:
                move_form = forms.MoveForm(request.POST, units=units, slots=slots)
                if move_form.is_valid():
                    data = move_form.cleaned_data
                    new = bookings.move(
                        found,
                        actor=request.user,
                        unit=move_form.units[data["unit"]],
                        day=data["day"],
                        slot=move_form.slots[data["slot"]],
                        request_key=data["request_key"],
                        request=request,
                    )
                    messages.success(
                        request,
                        _t("日時を変更しました。新しい予約番号は %(number)s です。") % {"number": new.number},
                    )
                    return redirect(_url("booking", municipality, number=new.number))
            elif action == "details":
                details_form = forms.ChangeForm(request.POST, unit=found.unit, extras=extras)
                if details_form.is_valid():
                    data = details_form.cleaned_data
                    bookings.change(
                        found,
                        actor=request.user,
                        purpose=data["purpose"],
                        attendees=data["attendees"],
                        extras=data.get("extras") or [],
                        request=request,
                    )
                    messages.success(request, _t("予約の内容を変更しました。"))
                    return redirect(here)
        except BookingError as refused:
            error = refused.message
    else:
        _audit_read(request, found, ["number", "purpose", "attendees"])
    return render(
        request,
        "facilities/bookings/change.html",
        {
            "booking": found,
            "details_form": details_form,
            "move_form": move_form,
            "can_move": can_move,
            "deadline": deadline,
            "error": error,
            "calendar_url": _calendar_url(found.unit, found.date),
            "breadcrumbs": [*_my_page(municipality), MY_BOOKINGS, (found.number, here), (_("予約の変更"), None)],
        },
    )
