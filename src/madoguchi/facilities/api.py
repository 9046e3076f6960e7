"""The API of facilities (公共施設予約).

Public (no token; every municipality of the deployment), router prefix `facilities`:

- GET /api/v1/facilities/ — published facilities, filters `municipality`, `kind`, `area`;
- GET /api/v1/facilities/{id}/ — one facility with its units and slots; `id` is
  "<municipality>.<facility>" (e.g. `kasama.sogo-koen-taiikukan`: URL names contain no dot);
- GET /api/v1/facilities/{id}/availability/?from=YYYY-MM-DD&days=N — the state of every
  slot of every unit for N days (1–31, default 7) from `from` (default today): 空き,
  予約済み, 抽選, 休館 …, as on the facility's calendar. A length in days instead of an end
  date, so that no combination of valid parameters is refused;
- GET /api/v1/facilities/public-facilities/?municipality=slug — 公共施設一覧 (open data,
  the columns of the 自治体標準オープンデータセット) as JSON, the same rows as the CSV.

Tenant (a token of the municipality; `facilities.view_bookings`), prefix `facility-bookings`:
GET list (filters `date`, `date_from`, `date_to`, `facility`, `status`, `source`) and GET
one by 予約番号. Bookings carry personal data: every read is written to the audit log.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import exceptions, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from madoguchi.api.models import ApiToken
from madoguchi.api.permissions import AllowPublic, HasPermission
from madoguchi.api.serializers import ErrorSerializer
from madoguchi.audit import services as audit
from madoguchi.core.models import Municipality
from madoguchi.core.tenancy import municipality_scope

from . import opendata, permissions
from .models import Booking, BookingSource, BookingStatus, CancelReason, Facility, FacilityKind, Slot, Unit
from .services import availability, calendar

SLUG = r"[-a-zA-Z0-9_]+"
FACILITY_ID = re.compile(rf"^({SLUG})\.({SLUG})$")
MAX_DAYS = 31
DEFAULT_DAYS = 7
# Days outside these years have no calendar: nobody books them, and times there do not
# survive the conversion to UTC.
FIRST_DAY = dt.date(1900, 1, 1)
LAST_DAY = dt.date(2999, 12, 31)

TIME_SCHEMA = {"type": "string", "pattern": r"^\d{2}:\d{2}$", "example": "09:00"}


def _hhmm(value: dt.time) -> str:
    return f"{value:%H:%M}"


def facility_id(facility: Facility) -> str:
    return f"{facility.municipality.slug}.{facility.slug}"


# --- Serializers ----------------------------------------------------------------------------


class SlotSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField(read_only=True)
    name_ja = serializers.CharField(read_only=True)
    name_en = serializers.CharField(read_only=True)
    starts_at = serializers.SerializerMethodField()
    ends_at = serializers.SerializerMethodField()
    time_of_day = serializers.ChoiceField(choices=["morning", "afternoon", "night"], read_only=True)

    @extend_schema_field(TIME_SCHEMA)
    def get_starts_at(self, obj: Slot) -> str:
        return _hhmm(obj.starts_at)

    @extend_schema_field(TIME_SCHEMA)
    def get_ends_at(self, obj: Slot) -> str:
        return _hhmm(obj.ends_at)


class UnitSerializer(serializers.Serializer[Any]):
    slug = serializers.CharField(read_only=True)
    name_ja = serializers.CharField(read_only=True)
    name_en = serializers.CharField(read_only=True)
    capacity = serializers.IntegerField(read_only=True, allow_null=True)
    area_m2 = serializers.IntegerField(read_only=True, allow_null=True)
    spaces = serializers.SerializerMethodField(help_text="使う区画のコード / codes of the spaces it uses")
    is_bookable_online = serializers.BooleanField(read_only=True)
    slots = serializers.SerializerMethodField()

    def get_spaces(self, obj: Unit) -> list[str]:
        return sorted(space.code for space in obj.spaces.all())

    @extend_schema_field(SlotSerializer(many=True))
    def get_slots(self, obj: Unit) -> list[dict[str, Any]]:
        return list(SlotSerializer(calendar.slots_of(obj), many=True).data)


class FacilitySerializer(serializers.Serializer[Facility]):
    id = serializers.SerializerMethodField(help_text="「団体.施設」の識別子 / <municipality>.<facility>")
    municipality = serializers.CharField(source="municipality.slug", read_only=True)
    municipality_code = serializers.CharField(source="municipality.code", read_only=True)
    slug = serializers.CharField(read_only=True)
    name_ja = serializers.CharField(read_only=True)
    name_kana = serializers.CharField(read_only=True)
    name_en = serializers.CharField(read_only=True)
    kind = serializers.ChoiceField(choices=FacilityKind.choices, read_only=True)
    area_ja = serializers.CharField(read_only=True)
    area_en = serializers.CharField(read_only=True)
    postal_code = serializers.CharField(read_only=True)
    address_ja = serializers.CharField(read_only=True)
    address_en = serializers.CharField(read_only=True)
    latitude = serializers.FloatField(read_only=True, allow_null=True)
    longitude = serializers.FloatField(read_only=True, allow_null=True)
    phone = serializers.CharField(read_only=True)
    opens_at = serializers.SerializerMethodField()
    closes_at = serializers.SerializerMethodField()
    closed_weekdays = serializers.SerializerMethodField(
        help_text="休館日の曜日（月曜日=0） / closed weekdays (Monday=0)"
    )
    open_on_holidays = serializers.BooleanField(read_only=True)
    year_end_closure = serializers.BooleanField(read_only=True)
    url = serializers.SerializerMethodField(help_text="施設のページ / the facility's page")

    def get_id(self, obj: Facility) -> str:
        return facility_id(obj)

    @extend_schema_field(TIME_SCHEMA)
    def get_opens_at(self, obj: Facility) -> str:
        return _hhmm(obj.opens_at)

    @extend_schema_field(TIME_SCHEMA)
    def get_closes_at(self, obj: Facility) -> str:
        return _hhmm(obj.closes_at)

    def get_closed_weekdays(self, obj: Facility) -> list[int]:
        return sorted(obj.closed_weekday_numbers())

    def get_url(self, obj: Facility) -> str:
        return opendata.facility_url(obj.municipality, obj)


class FacilityDetailSerializer(FacilitySerializer):
    access_ja = serializers.CharField(read_only=True)
    access_en = serializers.CharField(read_only=True)
    description_ja = serializers.CharField(read_only=True)
    description_en = serializers.CharField(read_only=True)
    accessibility_ja = serializers.CharField(read_only=True)
    accessibility_en = serializers.CharField(read_only=True)
    wheelchair_accessible = serializers.BooleanField(read_only=True)
    accessible_toilet = serializers.BooleanField(read_only=True)
    accessible_parking = serializers.BooleanField(read_only=True)
    parking_spaces = serializers.IntegerField(read_only=True, allow_null=True)
    booking_horizon_days = serializers.IntegerField(read_only=True)
    units = serializers.SerializerMethodField()

    @extend_schema_field(UnitSerializer(many=True))
    def get_units(self, obj: Facility) -> list[dict[str, Any]]:
        return list(UnitSerializer(availability.units_of(obj), many=True).data)


class SlotStateSerializer(serializers.Serializer[Any]):
    unit = serializers.CharField(help_text="利用単位の識別名 / unit slug")
    date = serializers.DateField()
    slot = serializers.IntegerField(help_text="利用区分のID / slot id")
    slot_name_ja = serializers.CharField()
    slot_name_en = serializers.CharField()
    starts_at = serializers.CharField()
    ends_at = serializers.CharField()
    state = serializers.ChoiceField(choices=availability.SlotState.choices)
    symbol = serializers.CharField(help_text="○ △ × 抽 － 休")
    state_label = serializers.CharField(help_text="状態の語（Accept-Language の言語） / the state in words")
    reason = serializers.CharField(help_text="理由（休館・受付期間外など） / why (closed, not open for booking …)")
    bookable = serializers.BooleanField(help_text="今オンラインで先着予約できる / bookable online now")


class AvailabilitySerializer(serializers.Serializer[Any]):
    facility = serializers.CharField()
    start = serializers.DateField(help_text="最初の日 / first day")
    end = serializers.DateField(help_text="最後の日 / last day")
    slots = SlotStateSerializer(many=True)


PUBLIC_FACILITY_ROW_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {column: {"type": "string"} for column in opendata.COLUMNS},
    "required": list(opendata.COLUMNS),
}
PUBLIC_FACILITIES_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "columns": {"type": "array", "items": {"type": "string", "enum": list(opendata.COLUMNS)}},
        "results": {"type": "array", "items": PUBLIC_FACILITY_ROW_SCHEMA},
    },
    "required": ["columns", "results"],
}


class BookingSerializer(serializers.ModelSerializer[Booking]):
    facility = serializers.CharField(source="facility.slug", read_only=True)
    facility_name_ja = serializers.CharField(source="facility.name_ja", read_only=True)
    unit = serializers.CharField(source="unit.slug", read_only=True)
    unit_name_ja = serializers.CharField(source="unit.name_ja", read_only=True)
    slot_name_ja = serializers.CharField(source="slot.name_ja", read_only=True)
    starts_at = serializers.SerializerMethodField()
    ends_at = serializers.SerializerMethodField()
    holder = serializers.CharField(source="display_holder", read_only=True, help_text="利用者名 / holder")
    card_number = serializers.SerializerMethodField(help_text="登録番号 / registration card number")
    # Empty while the booking stands.
    cancel_reason = serializers.ChoiceField(choices=CancelReason.choices, allow_blank=True, read_only=True)

    class Meta:
        model = Booking
        fields = [
            "number", "facility", "facility_name_ja", "unit", "unit_name_ja", "date", "slot", "slot_name_ja",
            "starts_at", "ends_at", "status", "source", "holder", "card_number", "purpose", "attendees",
            "resident_rate", "fee_amount", "invoice_number", "paid_at", "confirm_by", "checked_in_at",
            "cancelled_at", "cancel_reason", "cancellation_fee", "block_key", "created_at",
        ]  # fmt: skip
        read_only_fields = fields

    @extend_schema_field(TIME_SCHEMA)
    def get_starts_at(self, obj: Booking) -> str:
        return _hhmm(obj.starts_at)

    @extend_schema_field(TIME_SCHEMA)
    def get_ends_at(self, obj: Booking) -> str:
        return _hhmm(obj.ends_at)

    def get_card_number(self, obj: Booking) -> str:
        return obj.registration.card_number if obj.registration_id and obj.registration else ""


# --- Parameters -----------------------------------------------------------------------------


def _invalid(name: str, message: Any) -> exceptions.ValidationError:
    return exceptions.ValidationError({name: [str(message)]})


def _slug(value: str, name: str) -> str:
    if not re.fullmatch(SLUG, value) or len(value) > 80:
        raise _invalid(name, _("英数字・ハイフン・下線で指定してください。"))
    return value


def _date(value: str, name: str) -> dt.date:
    try:
        day = parse_date(value) if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value) else None
    except ValueError:
        day = None
    if day is None:
        raise _invalid(name, _("日付は YYYY-MM-DD で指定してください。"))
    return day


def _days(value: str) -> int:
    if not (value.isascii() and value.isdigit()) or not 1 <= int(value) <= MAX_DAYS:
        raise _invalid("days", _("日数は1から31までの整数で指定してください。"))
    return int(value)


ID_PARAMETER = OpenApiParameter(
    "id",
    {"type": "string", "pattern": rf"^{SLUG}\.{SLUG}$", "maxLength": 161},
    OpenApiParameter.PATH,
    description="「団体のURL名.施設の識別名」（例: kasama.sogo-koen-taiikukan） / <municipality>.<facility>",
)
SLUG_SCHEMA = {"type": "string", "pattern": rf"^{SLUG}$", "maxLength": 80}
LIST_PARAMETERS = [
    OpenApiParameter("municipality", SLUG_SCHEMA, description="団体のURL名 / municipality (URL name)"),
    OpenApiParameter("kind", OpenApiTypes.STR, enum=FacilityKind.values, description="種類 / kind"),
    OpenApiParameter(
        "area", {"type": "string", "maxLength": 80}, description="地区（日本語か英語の名称） / area (its name)"
    ),
]
AVAILABILITY_PARAMETERS = [
    ID_PARAMETER,
    OpenApiParameter("from", OpenApiTypes.DATE, description="最初の日（既定は今日） / first day (default today)"),
    OpenApiParameter(
        "days",
        {"type": "integer", "minimum": 1, "maximum": MAX_DAYS, "default": DEFAULT_DAYS},
        description="日数（1〜31） / number of days (1–31)",
    ),
    OpenApiParameter("unit", SLUG_SCHEMA, description="利用単位の識別名（既定はすべて） / one unit only"),
]
BOOKING_STATUSES = list(BookingStatus.values)
BOOKING_LIST_PARAMETERS = [
    OpenApiParameter("date", OpenApiTypes.DATE, description="利用日 / day of use"),
    OpenApiParameter("date_from", OpenApiTypes.DATE, description="この日以降の利用 / used on or after"),
    OpenApiParameter("date_to", OpenApiTypes.DATE, description="この日以前の利用 / used on or before"),
    OpenApiParameter("facility", SLUG_SCHEMA, description="施設の識別名 / facility (URL name)"),
    OpenApiParameter("status", OpenApiTypes.STR, enum=BOOKING_STATUSES, description="状態 / status"),
    OpenApiParameter("source", OpenApiTypes.STR, enum=BookingSource.values, description="予約の種類 / source"),
]
NUMBER_PARAMETER = OpenApiParameter(
    "number",
    {"type": "string", "minLength": 1, "maxLength": 20},
    OpenApiParameter.PATH,
    description="予約番号（例: F2026-000123） / booking number",
)


# --- Public: facilities ---------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(
        summary="施設の一覧 / Facilities",
        description=(
            "この配備のすべての団体の公開中の施設。\n\nThe published facilities of every municipality served here."
        ),
        parameters=LIST_PARAMETERS,
    ),
    retrieve=extend_schema(
        summary="施設 / One facility",
        description="利用単位と利用区分を含みます / With its units and their slots.",
        parameters=[ID_PARAMETER],
        responses={200: FacilityDetailSerializer},
    ),
    availability=extend_schema(
        summary="空き状況 / Availability",
        description=(
            "from から days 日間、各利用単位の各区分の状態（空き・予約済み・抽選受付・受付期間外・休館）。"
            "bookable はいまオンラインで先着予約できるかです。\n\n"
            "The state of every slot of every unit for `days` days from `from`: free, booked, in a lottery, "
            "not open for booking, closed. `bookable` says whether it can be booked online now, first come."
        ),
        parameters=AVAILABILITY_PARAMETERS,
        responses={200: AvailabilitySerializer},
    ),
    public_facilities=extend_schema(
        summary="公共施設一覧（オープンデータ） / Public facilities (open data)",
        description=(
            "自治体標準オープンデータセット「公共施設一覧」の項目（columns の順）。団体ごとの CSV は "
            "/{団体}/facilities/opendata/public-facilities.csv。\n\n"
            "The municipality's facilities in the columns of the standard open data set 公共施設一覧 "
            "(in the order of `columns`); the same rows as the CSV file."
        ),
        parameters=[
            OpenApiParameter(
                "municipality",
                SLUG_SCHEMA,
                description="団体のURL名（既定はすべての団体） / municipality (default: all)",
            )
        ],
        responses={
            200: PUBLIC_FACILITIES_SCHEMA,
            404: OpenApiResponse(ErrorSerializer, description="団体が見つからない / No such municipality"),
        },
    ),
)
class FacilityViewSet(viewsets.ReadOnlyModelViewSet[Facility]):
    """Public: the published facilities of every active municipality of the deployment."""

    serializer_class = FacilitySerializer
    permission_classes = [AllowPublic]
    # Public data: a token is neither needed nor looked at.
    authentication_classes: list[type] = []
    lookup_field = "id"
    lookup_value_regex = rf"{SLUG}\.{SLUG}"

    def get_queryset(self) -> QuerySet[Facility]:
        # Across municipalities on purpose (like the cross-municipality search): only
        # published facilities of active municipalities, and only public fields.
        facilities = Facility.unscoped.filter(is_published=True, municipality__is_active=True).select_related(
            "municipality"
        )
        if getattr(self, "swagger_fake_view", False) or self.action != "list":
            return facilities.order_by("municipality__code", "sort_order", "slug")
        params = self.request.query_params
        if (value := params.get("municipality")) is not None:
            facilities = facilities.filter(municipality__slug=_slug(value, "municipality"))
        if (value := params.get("kind")) is not None:
            if value not in FacilityKind.values:
                raise _invalid("kind", _("種類の指定が正しくありません。"))
            facilities = facilities.filter(kind=value)
        if (value := params.get("area")) is not None:
            if len(value) > 80 or "\x00" in value:
                raise _invalid("area", _("地区の指定が正しくありません。"))
            facilities = facilities.filter(Q(area_ja=value) | Q(area_en__iexact=value))
        return facilities.order_by("municipality__code", "sort_order", "name_kana", "slug")

    def get_object(self) -> Facility:
        match = FACILITY_ID.match(self.kwargs.get("id", ""))
        if match is None:
            raise Http404
        facility = self.get_queryset().filter(municipality__slug=match[1], slug=match[2]).first()
        if facility is None:
            raise Http404
        return facility

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        facility = self.get_object()
        with municipality_scope(facility.municipality):
            return Response(FacilityDetailSerializer(facility).data)

    @action(detail=True, methods=["get"], url_path="availability", url_name="availability")
    def availability(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        facility = self.get_object()
        params = request.query_params
        today = timezone.localdate()
        start = _date(params["from"], "from") if "from" in params else today
        days = _days(params["days"]) if "days" in params else DEFAULT_DAYS
        unit_slug = _slug(params["unit"], "unit") if "unit" in params else None
        end = start + dt.timedelta(days=days - 1) if start <= LAST_DAY else start
        first, last = max(start, FIRST_DAY), min(end, LAST_DAY)
        rows: list[dict[str, Any]] = []
        with municipality_scope(facility.municipality):
            units = [u for u in availability.units_of(facility) if unit_slug is None or u.slug == unit_slug]
            if unit_slug is not None and not units:
                raise Http404
            if units and first <= last:
                grid = availability.Calendar(facility, units, first, last)
                for day in grid.dates():
                    for unit in units:
                        for state in grid.unit_day(unit, day):
                            rows.append(
                                {
                                    "unit": unit.slug,
                                    "date": day,
                                    "slot": state.slot.pk,
                                    "slot_name_ja": state.slot.name_ja,
                                    "slot_name_en": state.slot.name_en,
                                    "starts_at": _hhmm(state.slot.starts_at),
                                    "ends_at": _hhmm(state.slot.ends_at),
                                    "state": state.state,
                                    "symbol": state.symbol,
                                    "state_label": state.label,
                                    "reason": str(state.reason),
                                    "bookable": state.bookable,
                                }
                            )
        body = {"facility": facility_id(facility), "start": start, "end": end, "slots": rows}
        return Response(AvailabilitySerializer(body).data)

    @action(detail=False, methods=["get"], url_path="public-facilities", url_name="public-facilities")
    def public_facilities(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        value = request.query_params.get("municipality")
        municipalities = Municipality.objects.filter(is_active=True).order_by("code")
        if value is not None:
            municipalities = municipalities.filter(slug=_slug(value, "municipality"))
            if not municipalities.exists():
                raise Http404
        rows = [row for municipality in municipalities for row in opendata.public_facility_rows(municipality)]
        return Response({"columns": list(opendata.COLUMNS), "results": rows})


# --- Tenant: bookings -----------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(
        summary="施設予約の一覧 / Facility bookings",
        description=(
            "この団体の施設予約（利用日順）。取得は監査ログに記録されます。\n\n"
            "The municipality's facility bookings, by day of use. Every read is audited."
        ),
        parameters=BOOKING_LIST_PARAMETERS,
    ),
    retrieve=extend_schema(summary="施設予約 / One facility booking", parameters=[NUMBER_PARAMETER]),
)
class BookingViewSet(viewsets.ReadOnlyModelViewSet[Booking]):
    serializer_class = BookingSerializer
    permission_classes = [HasPermission]
    required_permission = permissions.VIEW_BOOKINGS
    lookup_field = "number"
    lookup_value_regex = r"[^/\x00]+"

    def get_queryset(self) -> QuerySet[Booking]:
        if getattr(self, "swagger_fake_view", False):
            return Booking.objects.none()
        # The scoped manager limits this to the municipality of the URL.
        bookings = Booking.objects.exclude(number="").select_related("facility", "unit", "slot", "registration")
        bookings = bookings.order_by("date", "starts_at", "number")
        if self.action != "list":
            return bookings
        params = self.request.query_params
        if (value := params.get("date")) is not None:
            bookings = bookings.filter(date=_date(value, "date"))
        if (value := params.get("date_from")) is not None:
            bookings = bookings.filter(date__gte=_date(value, "date_from"))
        if (value := params.get("date_to")) is not None:
            bookings = bookings.filter(date__lte=_date(value, "date_to"))
        if (value := params.get("facility")) is not None:
            bookings = bookings.filter(facility__slug=_slug(value, "facility"))
        if (value := params.get("status")) is not None:
            if value not in BookingStatus.values:
                raise _invalid("status", _("状態の指定が正しくありません。"))
            bookings = bookings.filter(status=value)
        if (value := params.get("source")) is not None:
            if value not in BookingSource.values:
                raise _invalid("source", _("予約の種類の指定が正しくありません。"))
            bookings = bookings.filter(source=value)
        return bookings

    def _token_prefix(self, request: Request) -> str:
        return request.auth.key_prefix if isinstance(request.auth, ApiToken) else ""

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        response = super().list(request, *args, **kwargs)
        audit.record(
            action=audit.Action.VIEW,
            object_type="facilities.booking",
            personal_data=True,
            request=request._request,
            extra={
                "api": True,
                "token": self._token_prefix(request),
                "criteria": {k: v for k, v in request.query_params.items() if k not in ("limit", "offset")},
                "offset": request.query_params.get("offset", "0"),
            },
        )
        return response

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        booking = self.get_object()
        audit.record(
            action=audit.Action.VIEW,
            obj=booking,
            subject=booking.registration.user if booking.registration is not None else None,
            personal_data=booking.registration_id is not None,
            request=request._request,
            fields=["number", "registration", "holder_name", "purpose", "attendees", "fee_amount", "status"],
            extra={"api": True, "token": self._token_prefix(request)},
        )
        return Response(self.get_serializer(booking).data)
