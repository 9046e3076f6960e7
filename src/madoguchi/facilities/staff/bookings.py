"""施設予約 in the staff console: 予約一覧 (search, filters, CSV), a booking's page
(cancel with or without the fee, check in, no-show, note, cancel a block), 窓口予約 (book
from the staff calendar on a resident's behalf or for a holder without a registration),
一括予約 (block bookings) and 無断不使用 (no-shows of a day).

Lists and pages show bookers' personal data: every list, page and export is an audited
read. VIEW_BOOKINGS opens the lists and pages, MANAGE_BOOKINGS the actions.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import django_filters
from django import forms
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.generic import TemplateView
from wagtail import hooks
from wagtail.admin import messages
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.menu import MenuItem
from wagtail.admin.ui.tables import Column, TitleColumn
from wagtail.admin.views import generic
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.viewsets.base import ViewSet
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permissions import register_permission_policy

from madoguchi.accounts.permissions import Permission, has_permission, request_municipality
from madoguchi.audit import services as audit
from madoguchi.audit.views import DateRangeWidget
from madoguchi.core.staff_views import (
    AuditedListingMixin,
    ConsoleExportMixin,
    RolePermissionPolicy,
    ServiceViewSetMixin,
    check,
    console_municipality,
    permission_menu_item,
)

from .. import permissions
from ..models import Booking, BookingSource, BookingStatus, CancelReason, Facility, FeeExtra, Slot, Unit
from ..services import availability, counter
from ..services.occupancy import BookingError
from . import FACILITIES_MENU_HOOK
from .checkin import audit_booking_read

#: What the list shows of the bookers (for the audit entry).
LISTED_FIELDS = ["number", "holder", "card_number", "facility", "unit", "date", "slot", "status", "source", "fee"]
#: What a booking's page shows.
DETAIL_FIELDS = [*LISTED_FIELDS, "purpose", "attendees", "paid", "note", "email", "phone"]
WEEKDAYS = [
    (0, pgettext_lazy("曜日", "月")),
    (1, pgettext_lazy("曜日", "火")),
    (2, pgettext_lazy("曜日", "水")),
    (3, pgettext_lazy("曜日", "木")),
    (4, pgettext_lazy("曜日", "金")),
    (5, pgettext_lazy("曜日", "土")),
    (6, pgettext_lazy("曜日", "日")),
]


def may(request: HttpRequest, permission: Permission) -> bool:
    return has_permission(request.user, permission, request_municipality(request))


class DateInput(forms.DateInput):
    # The browser's own date input: Wagtail's date picker writes inline scripts.
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%d")


def parse_day(value: str | None, default: dt.date | None = None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value or "")
    except ValueError:
        return default


def detail_url(booking: Booking) -> str:
    return reverse("facilities-bookings:detail", args=[booking.number])


def slot_label(slot: Slot) -> str:
    return f"{slot.pattern.facility.name} {slot.name}（{slot.starts_at:%H:%M}–{slot.ends_at:%H:%M}）"


def facility_text(booking: Booking) -> str:
    return f"{booking.facility.name} {booking.unit.name}"


def slot_text(booking: Booking) -> str:
    return f"{booking.slot.name} {booking.starts_at:%H:%M}–{booking.ends_at:%H:%M}"


# --- 予約一覧 -------------------------------------------------------------------------


def _facilities(request: HttpRequest | None) -> QuerySet[Facility]:
    municipality = request_municipality(request) if request is not None else None
    if municipality is None:
        return Facility.objects.none()
    return Facility.objects.filter(municipality=municipality).order_by("sort_order", "name_kana", "pk")


class BookingFilterSet(WagtailFilterSet):
    facility = django_filters.ModelChoiceFilter(
        label=gettext_lazy("施設"), queryset=_facilities, empty_label=gettext_lazy("すべて")
    )
    status = django_filters.ChoiceFilter(
        label=gettext_lazy("状態"), choices=BookingStatus.choices, empty_label=gettext_lazy("すべて")
    )
    source = django_filters.ChoiceFilter(
        label=gettext_lazy("予約の種類"), choices=BookingSource.choices, empty_label=gettext_lazy("すべて")
    )
    date = django_filters.DateFromToRangeFilter(label=gettext_lazy("利用日"), widget=DateRangeWidget)
    block = django_filters.UUIDFilter(label=gettext_lazy("一括予約の識別子"), field_name="block_key")

    class Meta:
        model = Booking
        fields: list[str] = []


def search_bookings(queryset: QuerySet[Booking], query: str) -> QuerySet[Booking]:
    """予約番号, 利用者名 (registration or holder), フリガナ or 登録番号."""
    query = " ".join(query.split())
    if not query:
        return queryset
    return queryset.filter(
        Q(number__icontains=query)
        | Q(holder_name__icontains=query)
        | Q(registration__name__icontains=query)
        | Q(registration__name_kana__icontains=query)
        | Q(registration__card_number__iexact=query)
    )


class BookingIndexView(AuditedListingMixin, ConsoleExportMixin, generic.IndexView):
    is_searchable = True
    default_ordering = "-date"

    def get_base_queryset(self) -> QuerySet[Booking]:
        municipality = console_municipality(self.request)
        return Booking.objects.filter(municipality=municipality).select_related(
            "facility", "unit", "slot", "registration"
        )

    def search_queryset(self, queryset: QuerySet[Booking]) -> QuerySet[Booking]:
        return search_bookings(queryset, self.search_query) if self.is_searching else queryset

    def order_queryset(self, queryset: QuerySet[Booking]) -> QuerySet[Booking]:
        if self.ordering == "-date":
            return queryset.order_by("-date", "-starts_at", "-pk")
        if self.ordering == "date":
            return queryset.order_by("date", "starts_at", "pk")
        ordered: QuerySet[Booking] = super().order_queryset(queryset)
        return ordered.order_by(*ordered.query.order_by, "pk")

    @cached_property
    def columns(self) -> list[Any]:
        return [
            TitleColumn("number", label=gettext_lazy("予約番号"), get_url=detail_url, sort_key="number"),
            Column("date", label=gettext_lazy("利用日"), accessor=lambda b: b.date.isoformat(), sort_key="date"),
            Column("slot", label=gettext_lazy("利用区分"), accessor=slot_text),
            Column(
                "facility", label=gettext_lazy("施設・利用単位"), accessor=lambda b: f"{b.facility.name} {b.unit.name}"
            ),
            Column("holder", label=gettext_lazy("利用者"), accessor="display_holder"),
            Column("status", label=gettext_lazy("状態"), accessor="get_status_display", sort_key="status"),
            Column("source", label=gettext_lazy("予約の種類"), accessor="get_source_display", sort_key="source"),
        ]

    def to_row_dict(self, item: Any) -> dict[str, Any]:
        row = super().to_row_dict(item)
        row["holder"] = item.display_holder
        row["card_number"] = item.registration.card_number if item.registration_id else ""
        row["slot_name"] = item.slot.name_ja
        row["paid"] = item.paid_at is not None
        return row

    def get_filename(self) -> str:
        return f"facility-bookings-{console_municipality(self.request).code}-{timezone.localtime():%Y%m%d-%H%M%S}"

    audit_object_type = "facilities.booking"
    audit_fields = tuple(LISTED_FIELDS)


class BookingViewSet(ServiceViewSetMixin, ModelViewSet):
    """予約一覧: every booking of the municipality's facilities."""

    dropped_url_names = (
        "add_url_name",
        "edit_url_name",
        "delete_url_name",
        "history_url_name",
        "usage_url_name",
        "inspect_url_name",
    )

    model = Booking
    name = "facilities-bookings"
    url_prefix = "facilities/bookings"
    icon = "list-ul"
    menu_label = gettext_lazy("予約一覧")
    menu_order = 100
    menu_hook = FACILITIES_MENU_HOOK
    add_to_reference_index = False
    copy_view_enabled = False
    inspect_view_enabled = False
    index_view_class = BookingIndexView
    filterset_class = BookingFilterSet
    search_backend_name = None
    list_per_page = 50
    list_export = [
        "number", "date", "starts_at", "ends_at", "facility.name_ja", "unit.name_ja", "slot_name", "holder",
        "card_number", "status", "get_status_display", "get_source_display", "purpose", "attendees", "fee_amount",
        "paid", "cancellation_fee", "checked_in_at", "cancelled_at", "created_at",
    ]  # fmt: skip
    export_headings = {
        "facility.name_ja": gettext_lazy("施設"),
        "unit.name_ja": gettext_lazy("利用単位"),
        "slot_name": gettext_lazy("利用区分"),
        "holder": gettext_lazy("利用者"),
        "card_number": gettext_lazy("登録番号"),
        "status": gettext_lazy("状態（コード）"),
        "get_status_display": gettext_lazy("状態"),
        "get_source_display": gettext_lazy("予約の種類"),
        "paid": gettext_lazy("納付済み"),
    }

    def get_urlpatterns(self) -> list[Any]:
        return [
            path("", self.index_view, name="index"),
            path("results/", self.index_results_view, name="index_results"),
            path("<str:number>/", BookingDetailView.as_view(), name="detail"),
        ]

    @cached_property
    def menu_item_class(self) -> type[MenuItem]:
        return permission_menu_item(permissions.VIEW_BOOKINGS)


register_permission_policy(Booking, RolePermissionPolicy(Booking, {"view": permissions.VIEW_BOOKINGS}))


# --- A booking's page ---------------------------------------------------------------


class NoteForm(forms.Form):
    note = forms.CharField(
        label=gettext_lazy("職員メモ"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("職員だけが読めます。利用者には表示されません。"),
    )


#: Actions of a booking's page, all MANAGE_BOOKINGS.
ACTIONS = ("cancel", "cancel_waived", "check_in", "no_show", "note", "cancel_block")


class BookingDetailView(WagtailAdminTemplateMixin, TemplateView):
    template_name = "facilities/staff/booking_detail.html"
    header_icon = "date"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        check(request, permissions.VIEW_BOOKINGS)
        municipality = console_municipality(request)
        self.booking = get_object_or_404(
            Booking.objects.select_related(
                "facility", "unit", "slot", "registration", "registration__user", "checked_in_by", "created_by"
            ),
            municipality=municipality,
            number=kwargs["number"],
        )
        return super().dispatch(request, *args, **kwargs)  # type: ignore[no-any-return]

    def get_page_title(self) -> str:
        return _("予約の詳細")

    def get_page_subtitle(self) -> str:
        return self.booking.number

    def get_breadcrumbs_items(self) -> list[dict[str, Any]]:
        return [
            *self.breadcrumbs_items,
            {"url": reverse("facilities-bookings:index"), "label": _("予約一覧")},
            {"url": "", "label": self.get_page_title(), "sublabel": self.get_page_subtitle()},
        ]

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return self.render_page()

    def render_page(self, note_form: NoteForm | None = None, status: int = 200) -> HttpResponse:
        audit_booking_read(self.request, self.booking, what="detail", fields=DETAIL_FIELDS)
        response = self.render_to_response(self.get_context_data(note_form=note_form))
        response.status_code = status
        return response

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        from ..services import bookings

        booking = self.booking
        may_manage = may(self.request, permissions.MANAGE_BOOKINGS)
        cancellable = booking.status in (BookingStatus.PROVISIONAL, BookingStatus.CONFIRMED, BookingStatus.NO_SHOW)
        terms = bookings.cancellation_terms(booking) if cancellable else None
        block_count = (
            Booking.objects.filter(block_key=booking.block_key, status=BookingStatus.CONFIRMED).count()
            if booking.block_key
            else 0
        )
        context: dict[str, Any] = super().get_context_data(**kwargs)
        context.update(
            booking=booking,
            registration=booking.registration,
            may_manage=may_manage,
            cancellable=cancellable and may_manage,
            terms=terms,
            check_in_problem=counter.check_in_problem(booking),
            no_show_problem=counter.no_show_problem(booking),
            note_form=kwargs.get("note_form") or NoteForm(initial={"note": booking.note}),
            block_count=block_count,
            block_url=f"{reverse('facilities-bookings:index')}?block={booking.block_key}" if booking.block_key else "",
            checkin_url=reverse("facilities_checkin", args=[booking.qr_token]),
            lines=[(line.get("label_ja", ""), line.get("amount", 0)) for line in booking.fee_breakdown or []],
        )
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        action = request.POST.get("action", "")
        if action not in ACTIONS:
            raise Http404
        if not may(request, permissions.MANAGE_BOOKINGS):
            raise PermissionDenied
        note_form = None
        try:
            if action == "note":
                note_form = NoteForm(request.POST)
                if not note_form.is_valid():
                    messages.error(request, _("入力内容を確認してください。"))
                    return self.render_page(note_form=note_form, status=400)
                message = self.act(action, note_form.cleaned_data)
            else:
                message = self.act(action, {})
        except BookingError as error:
            messages.error(request, error.message)
            return HttpResponseRedirect(detail_url(self.booking))
        messages.success(request, message)
        return HttpResponseRedirect(detail_url(self.booking))

    def act(self, action: str, data: dict[str, Any]) -> str:
        from ..services import bookings

        booking, user, request = self.booking, self.request.user, self.request
        if action in ("cancel", "cancel_waived"):
            if booking.status == BookingStatus.CANCELLED:
                return _("この予約は既に取り消されています。")
            done = bookings.cancel(
                booking,
                actor=user,
                reason=CancelReason.BY_STAFF,
                by_staff=True,
                waive_fee=action == "cancel_waived",
                request=request,
            )
            if done.cancellation_fee:
                return _("予約を取り消しました（取消手数料 %(fee)s円）。") % {"fee": f"{done.cancellation_fee:,}"}
            return _("予約を取り消しました（取消手数料なし）。")
        if action == "check_in":
            counter.check_in(booking, user, request=request)
            return _("利用開始を確認しました。")
        if action == "no_show":
            counter.mark_no_show(booking, user, request=request)
            return _("無断不使用として記録しました。")
        if action == "cancel_block":
            if not booking.block_key:
                raise Http404
            cancelled = counter.cancel_block(booking.block_key, actor=user, request=request)
            return _("一括予約の%(count)s件を取り消しました。") % {"count": len(cancelled)}
        counter.set_note(booking, data.get("note", ""), actor=user, request=request)
        return _("職員メモを保存しました。")


# --- 窓口予約 -----------------------------------------------------------------------


class CalendarForm(forms.Form):
    facility = forms.ModelChoiceField(label=gettext_lazy("施設"), queryset=Facility.objects.none(), empty_label=None)
    start = forms.DateField(label=gettext_lazy("表示する週の初日"), required=False, widget=DateInput())

    def __init__(self, *args: Any, municipality: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["facility"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Facility.objects.filter(municipality=municipality).order_by("sort_order", "name_kana", "pk")


class CounterCalendarView(WagtailAdminTemplateMixin, TemplateView):
    """The staff calendar: a week of a facility's units, free slots link to the form."""

    template_name = "facilities/staff/counter_calendar.html"
    header_icon = "date"
    days = 7

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        check(request, permissions.MANAGE_BOOKINGS)
        self.municipality = console_municipality(request)
        return super().dispatch(request, *args, **kwargs)  # type: ignore[no-any-return]

    def get_page_title(self) -> str:
        return _("窓口予約")

    def get_breadcrumbs_items(self) -> list[dict[str, Any]]:
        return [*self.breadcrumbs_items, {"url": "", "label": self.get_page_title()}]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context: dict[str, Any] = super().get_context_data(**kwargs)
        form = CalendarForm(self.request.GET or None, municipality=self.municipality)
        facility: Facility | None = None
        start = timezone.localdate()
        if form.is_bound and form.is_valid():
            facility = form.cleaned_data["facility"]
            start = form.cleaned_data.get("start") or start
        elif not form.is_bound:
            facility = form.fields["facility"].queryset.first()  # type: ignore[attr-defined]
            form = CalendarForm(initial={"facility": facility, "start": start}, municipality=self.municipality)
        grid: list[dict[str, Any]] = []
        days: list[dt.date] = []
        if facility is not None:
            units = availability.units_of(facility)
            end = start + dt.timedelta(days=self.days - 1)
            calendar = availability.Calendar(facility, units, start, end, for_staff=True)
            days = calendar.dates()
            for unit in units:
                rows = []
                for slot in sorted(unit.slot_pattern.slots.all(), key=lambda s: s.starts_at):
                    cells = []
                    for day in days:
                        state = calendar.slot(unit, day, slot)
                        url = (
                            reverse("facilities-counter:book", args=[unit.pk, day.isoformat(), slot.pk])
                            if state.bookable
                            else ""
                        )
                        cells.append({"state": state, "url": url})
                    rows.append({"slot": slot, "cells": cells})
                grid.append({"unit": unit, "rows": rows})

        def week_url(offset: int) -> str:
            if facility is None:
                return ""
            day = start + dt.timedelta(days=offset)
            return f"{reverse('facilities-counter:index')}?facility={facility.pk}&start={day.isoformat()}"

        context.update(
            form=form,
            facility=facility,
            days=days,
            grid=grid,
            previous_url=week_url(-self.days),
            next_url=week_url(self.days),
            symbols=availability.SYMBOLS if hasattr(availability, "SYMBOLS") else {},
        )
        return context


class CounterBookingForm(forms.Form):
    card_number = forms.CharField(
        label=gettext_lazy("登録番号"),
        required=False,
        max_length=20,
        help_text=gettext_lazy("利用者登録のある方は登録番号を入力してください。"),
    )
    holder_name = forms.CharField(
        label=gettext_lazy("利用者名（登録のない方・市の行事）"),
        required=False,
        max_length=120,
        help_text=gettext_lazy("登録番号がないときに入力してください。"),
    )
    source = forms.ChoiceField(
        label=gettext_lazy("予約の種類"),
        choices=[
            (BookingSource.COUNTER, BookingSource.COUNTER.label),
            (BookingSource.PRIORITY, BookingSource.PRIORITY.label),
        ],
        initial=BookingSource.COUNTER,
        widget=forms.RadioSelect,
        help_text=gettext_lazy("優先予約（市の行事等）には使用料がかかりません。"),
    )
    rate = forms.ChoiceField(
        label=gettext_lazy("料金区分"),
        choices=[
            ("auto", gettext_lazy("登録内容による（登録のない方は市内料金）")),
            ("resident", gettext_lazy("市内料金")),
            ("non_resident", gettext_lazy("市外料金")),
        ],
        initial="auto",
        widget=forms.RadioSelect,
    )
    purpose = forms.CharField(label=gettext_lazy("利用目的"), required=False, max_length=200)
    attendees = forms.IntegerField(label=gettext_lazy("利用人数"), required=False, min_value=1, max_value=100000)
    extras = forms.ModelMultipleChoiceField(
        label=gettext_lazy("付帯設備"),
        queryset=FeeExtra.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    paid_at_counter = forms.BooleanField(
        label=gettext_lazy("使用料を窓口で受け取った"),
        required=False,
        help_text=gettext_lazy("チェックしないときは納付書（オンライン納付）を発行します。"),
    )
    request_key = forms.CharField(widget=forms.HiddenInput, max_length=64)

    def __init__(self, *args: Any, unit: Unit, slot: Slot, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from ..services import fees

        field = self.fields["extras"]
        assert isinstance(field, forms.ModelMultipleChoiceField)
        field.queryset = FeeExtra.objects.filter(pk__in=[e.pk for e in fees.available_extras(unit, slot)])
        if unit.capacity:
            self.fields["attendees"].help_text = _("定員 %(capacity)s人") % {"capacity": unit.capacity}
        self.registration: Any = None

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        card_number = (data.get("card_number") or "").strip()
        holder_name = (data.get("holder_name") or "").strip()
        if card_number:
            self.registration = counter.find_registration(card_number)
            if self.registration is None:
                self.add_error("card_number", _("この登録番号の利用者登録は見つかりません。"))
        elif not holder_name:
            self.add_error("card_number", _("登録番号か利用者名を入力してください。"))
        return data


class CounterBookView(WagtailAdminTemplateMixin, TemplateView):
    """窓口予約 of one slot: who, what for, the fee, and how it is paid."""

    template_name = "facilities/staff/counter_book.html"
    header_icon = "date"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        check(request, permissions.MANAGE_BOOKINGS)
        municipality = console_municipality(request)
        self.unit = get_object_or_404(
            Unit.objects.select_related("facility", "slot_pattern"), municipality=municipality, pk=kwargs["unit"]
        )
        self.slot = get_object_or_404(Slot, pattern_id=self.unit.slot_pattern_id, pk=kwargs["slot"])
        day = parse_day(kwargs["day"])
        if day is None:
            raise Http404
        self.day = day
        return super().dispatch(request, *args, **kwargs)  # type: ignore[no-any-return]

    def get_page_title(self) -> str:
        return _("窓口予約")

    def get_page_subtitle(self) -> str:
        return f"{self.unit.facility.name} {self.unit.name} {self.day.isoformat()} {self.slot.name}"

    def get_breadcrumbs_items(self) -> list[dict[str, Any]]:
        return [
            *self.breadcrumbs_items,
            {"url": self.calendar_url(), "label": _("窓口予約")},
            {"url": "", "label": self.get_page_subtitle()},
        ]

    def calendar_url(self) -> str:
        return f"{reverse('facilities-counter:index')}?facility={self.unit.facility_id}&start={self.day.isoformat()}"

    def quotes(self) -> list[tuple[str, int | None]]:
        from ..services import fees

        rows: list[tuple[str, int | None]] = []
        for label, resident in ((_("市内料金"), True), (_("市外料金"), False)):
            try:
                rows.append((label, fees.quote(self.unit, self.day, self.slot, resident=resident).amount))
            except BookingError:
                rows.append((label, None))
        return rows

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form = CounterBookingForm(unit=self.unit, slot=self.slot, initial={"request_key": uuid.uuid4().hex})
        return self.render_form(form)

    def render_form(self, form: CounterBookingForm, status: int = 200) -> HttpResponse:
        state = availability.slot_availability(self.unit, self.day, self.slot, for_staff=True)
        response = self.render_to_response(
            self.get_context_data(
                form=form,
                state=state,
                unit=self.unit,
                slot=self.slot,
                day=self.day,
                quotes=self.quotes(),
                calendar_url=self.calendar_url(),
            )
        )
        response.status_code = status
        return response

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form = CounterBookingForm(request.POST, unit=self.unit, slot=self.slot)
        if not form.is_valid():
            messages.error(request, _("入力内容を確認してください。"))
            return self.render_form(form, status=400)
        data = form.cleaned_data
        rate = data["rate"]
        try:
            booking = counter.book_for(
                unit=self.unit,
                day=self.day,
                slot=self.slot,
                actor=request.user,
                registration=form.registration,
                holder_name=data.get("holder_name") or "",
                purpose=data.get("purpose") or "",
                attendees=data.get("attendees"),
                extras=list(data.get("extras") or []),
                source=data["source"],
                request_key=data["request_key"],
                resident_rate=None if rate == "auto" else rate == "resident",
                paid_at_counter=bool(data.get("paid_at_counter")),
                request=request,
            )
        except BookingError as error:
            form.add_error(None, error.message)
            messages.error(request, error.message)
            return self.render_form(form, status=400)
        messages.success(request, _("予約しました（予約番号 %(number)s）。") % {"number": booking.number})
        return HttpResponseRedirect(detail_url(booking))


class CounterViewSet(ViewSet):
    name = "facilities-counter"
    url_prefix = "facilities/counter"
    icon = "plus"
    menu_label = gettext_lazy("窓口予約")
    menu_order = 110
    menu_hook = FACILITIES_MENU_HOOK

    def get_urlpatterns(self) -> list[Any]:
        return [
            path("", CounterCalendarView.as_view(), name="index"),
            path("<int:unit>/<str:day>/<int:slot>/", CounterBookView.as_view(), name="book"),
        ]

    @cached_property
    def menu_item_class(self) -> type[MenuItem]:
        return permission_menu_item(permissions.MANAGE_BOOKINGS)


# --- 一括予約 -----------------------------------------------------------------------


class BlockForm(forms.Form):
    unit = forms.ModelChoiceField(label=gettext_lazy("利用単位"), queryset=Unit.objects.none())
    slot = forms.ModelChoiceField(label=gettext_lazy("利用区分"), queryset=Slot.objects.none())
    weekdays = forms.TypedMultipleChoiceField(
        label=gettext_lazy("曜日"), choices=WEEKDAYS, coerce=int, widget=forms.CheckboxSelectMultiple
    )
    start = forms.DateField(label=gettext_lazy("開始日"), widget=DateInput())
    end = forms.DateField(label=gettext_lazy("終了日"), widget=DateInput())
    holder_name = forms.CharField(
        label=gettext_lazy("利用者名（行事名・団体名）"),
        max_length=120,
        help_text=gettext_lazy("例：笠間市民スポーツ大会"),
    )
    purpose = forms.CharField(label=gettext_lazy("利用目的"), required=False, max_length=200)

    def __init__(self, *args: Any, municipality: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        unit_field = self.fields["unit"]
        slot_field = self.fields["slot"]
        assert isinstance(unit_field, forms.ModelChoiceField)
        assert isinstance(slot_field, forms.ModelChoiceField)
        unit_field.queryset = (
            Unit.objects.filter(municipality=municipality, is_active=True)
            .select_related("facility")
            .order_by("facility__sort_order", "facility__pk", "sort_order", "pk")
        )
        unit_field.label_from_instance = lambda u: f"{u.facility.name} {u.name}"  # type: ignore[method-assign,assignment]
        slot_field.queryset = (
            Slot.objects.filter(municipality=municipality)
            .select_related("pattern__facility")
            .order_by("pattern__facility__sort_order", "pattern__pk", "starts_at")
        )
        slot_field.label_from_instance = slot_label  # type: ignore[method-assign,assignment]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        unit, slot = data.get("unit"), data.get("slot")
        if unit is not None and slot is not None and slot.pattern_id != unit.slot_pattern_id:
            self.add_error("slot", _("この利用単位の利用区分を選んでください。"))
        start, end = data.get("start"), data.get("end")
        if start and end:
            if end < start:
                self.add_error("end", _("終了日は開始日と同じかそれより後にしてください。"))
            elif (end - start).days >= counter.BLOCK_MAX_DAYS:
                self.add_error("end", _("一括予約の期間は1年以内にしてください。"))
        return data


class BlockBookView(WagtailAdminTemplateMixin, TemplateView):
    template_name = "facilities/staff/block.html"
    header_icon = "date"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        check(request, permissions.MANAGE_BOOKINGS)
        self.municipality = console_municipality(request)
        return super().dispatch(request, *args, **kwargs)  # type: ignore[no-any-return]

    def get_page_title(self) -> str:
        return _("一括予約")

    def get_breadcrumbs_items(self) -> list[dict[str, Any]]:
        return [*self.breadcrumbs_items, {"url": "", "label": self.get_page_title()}]

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form = BlockForm(municipality=self.municipality)
        return self.render_to_response(self.get_context_data(form=form))

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form = BlockForm(request.POST, municipality=self.municipality)
        if not form.is_valid():
            messages.error(request, _("入力内容を確認してください。"))
            response = self.render_to_response(self.get_context_data(form=form))
            response.status_code = 400
            return response
        data = form.cleaned_data
        try:
            result = counter.block_book(
                unit=data["unit"],
                slot=data["slot"],
                weekdays=data["weekdays"],
                start=data["start"],
                end=data["end"],
                actor=request.user,
                holder_name=data["holder_name"],
                purpose=data.get("purpose") or "",
                request=request,
            )
        except BookingError as error:
            form.add_error(None, error.message)
            response = self.render_to_response(self.get_context_data(form=form))
            response.status_code = 400
            return response
        messages.success(
            request,
            _("%(booked)s件を予約しました。%(skipped)s日は予約できませんでした。")
            % {"booked": len(result.booked), "skipped": len(result.skipped)},
        )
        return self.render_to_response(
            self.get_context_data(
                form=BlockForm(municipality=self.municipality),
                result=result,
                block_url=f"{reverse('facilities-bookings:index')}?block={result.block_key}" if result.booked else "",
            )
        )


class BlockViewSet(ViewSet):
    name = "facilities-block"
    url_prefix = "facilities/block"
    icon = "list-ol"
    menu_label = gettext_lazy("一括予約")
    menu_order = 120
    menu_hook = FACILITIES_MENU_HOOK

    def get_urlpatterns(self) -> list[Any]:
        return [path("", BlockBookView.as_view(), name="index")]

    @cached_property
    def menu_item_class(self) -> type[MenuItem]:
        return permission_menu_item(permissions.MANAGE_BOOKINGS)


# --- 無断不使用 ---------------------------------------------------------------------


class NoShowView(WagtailAdminTemplateMixin, TemplateView):
    """The day's confirmed bookings whose slot ended without a check-in."""

    template_name = "facilities/staff/no_shows.html"
    header_icon = "warning"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        check(request, permissions.VIEW_BOOKINGS)
        self.municipality = console_municipality(request)
        today = timezone.localdate()
        self.day = parse_day(request.GET.get("day") or request.POST.get("day"), today) or today
        return super().dispatch(request, *args, **kwargs)  # type: ignore[no-any-return]

    def get_page_title(self) -> str:
        return _("無断不使用")

    def get_breadcrumbs_items(self) -> list[dict[str, Any]]:
        return [*self.breadcrumbs_items, {"url": "", "label": self.get_page_title()}]

    def page_url(self) -> str:
        return f"{reverse('facilities-no-shows:index')}?day={self.day.isoformat()}"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        candidates = counter.no_show_candidates(self.day)
        marked = list(
            Booking.objects.filter(date=self.day, status=BookingStatus.NO_SHOW)
            .select_related("facility", "unit", "slot", "registration")
            .order_by("starts_at", "pk")
        )
        audit.record(
            action=audit.Action.VIEW,
            object_type="facilities.booking",
            personal_data=True,
            fields=LISTED_FIELDS,
            request=request,
            extra={"what": "no_shows", "day": self.day.isoformat(), "count": len(candidates) + len(marked)},
        )
        return self.render_to_response(
            self.get_context_data(
                day=self.day,
                candidates=candidates,
                marked=marked,
                may_manage=may(request, permissions.MANAGE_BOOKINGS),
                previous_day=(self.day - dt.timedelta(days=1)).isoformat(),
                next_day=(self.day + dt.timedelta(days=1)).isoformat(),
            )
        )

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not may(request, permissions.MANAGE_BOOKINGS):
            raise PermissionDenied
        booking = get_object_or_404(Booking, municipality=self.municipality, number=request.POST.get("number", ""))
        try:
            counter.mark_no_show(booking, request.user, request=request)
        except BookingError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("%(number)s を無断不使用として記録しました。") % {"number": booking.number})
        return HttpResponseRedirect(self.page_url())


class NoShowViewSet(ViewSet):
    name = "facilities-no-shows"
    url_prefix = "facilities/no-shows"
    icon = "warning"
    menu_label = gettext_lazy("無断不使用")
    menu_order = 140
    menu_hook = FACILITIES_MENU_HOOK

    def get_urlpatterns(self) -> list[Any]:
        return [path("", NoShowView.as_view(), name="index")]

    @cached_property
    def menu_item_class(self) -> type[MenuItem]:
        return permission_menu_item(permissions.VIEW_BOOKINGS)


@hooks.register("register_admin_viewset")
def register_booking_viewsets() -> list[Any]:
    from .closures import ClosureViewSet

    return [BookingViewSet(), CounterViewSet(), BlockViewSet(), NoShowViewSet(), ClosureViewSet()]
