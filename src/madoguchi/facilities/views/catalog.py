"""The residents' catalog of facilities (施設の一覧・施設の案内): the list with filters by
kind and area (and the availability search form), and a facility's page. Public pages:
they show no personal data."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_safe

from madoguchi.core.models import Municipality
from madoguchi.core.tenancy import get_request_municipality

from ..forms.catalog import AvailabilitySearchForm
from ..models import (
    Closure,
    DayKind,
    Facility,
    FacilityKind,
    FeeExtra,
    FeeRule,
    LotteryRound,
    Residency,
    RoundStatus,
    Slot,
    SlotPattern,
    Unit,
    in_language,
)
from ..services import calendar
from ..services.availability import units_of

#: Rounds shown on a facility's page: those a resident can still enter or follow.
CURRENT_ROUND_STATUSES = (RoundStatus.SCHEDULED, RoundStatus.OPEN, RoundStatus.CLOSED, RoundStatus.DRAWN)
#: The fee table's columns, in this order.
FEE_COLUMNS = (
    (DayKind.WEEKDAY, Residency.RESIDENT),
    (DayKind.WEEKDAY, Residency.NON_RESIDENT),
    (DayKind.HOLIDAY, Residency.RESIDENT),
    (DayKind.HOLIDAY, Residency.NON_RESIDENT),
)
WEEKDAY_NAMES = (
    gettext_lazy("月曜日"),
    gettext_lazy("火曜日"),
    gettext_lazy("水曜日"),
    gettext_lazy("木曜日"),
    gettext_lazy("金曜日"),
    gettext_lazy("土曜日"),
    gettext_lazy("日曜日"),
)
GSI_MAP_URL = "https://maps.gsi.go.jp/#17/{lat}/{lon}/"
OSM_MAP_URL = "https://www.openstreetmap.org/?mlat={lat}&mlon={lon}#map=17/{lat}/{lon}"


def published_facility(municipality: Municipality, slug: str) -> Facility:
    """The municipality's published facility with that slug, or 404."""
    facility = Facility.objects.filter(municipality=municipality, slug=slug, is_published=True).first()
    if facility is None:
        raise Http404
    return facility


def area_choices(municipality: Municipality) -> list[tuple[str, str]]:
    """(area_ja, area in the page's language) of the published facilities, for filters."""
    seen: dict[str, str] = {}
    for area_ja, area_en in (
        Facility.objects.filter(municipality=municipality, is_published=True)
        .exclude(area_ja="")
        .order_by("area_ja")
        .values_list("area_ja", "area_en")
    ):
        seen.setdefault(area_ja, in_language(area_ja, area_en))
    return list(seen.items())


@require_safe
def index(request: HttpRequest, municipality_slug: str) -> HttpResponse:
    """施設の一覧: the published facilities, filtered by kind and area, with the
    availability search form."""
    municipality = get_request_municipality(request)
    areas = area_choices(municipality)
    kinds = dict(FacilityKind.choices)
    kind = request.GET.get("kind", "")
    kind = kind if kind in kinds else ""
    area = request.GET.get("area", "")
    area = area if area in dict(areas) else ""
    facilities = Facility.objects.filter(municipality=municipality, is_published=True).prefetch_related(
        Prefetch("units", queryset=Unit.objects.filter(is_active=True), to_attr="active_units")
    )
    if kind:
        facilities = facilities.filter(kind=kind)
    if area:
        facilities = facilities.filter(area_ja=area)
    present_kinds = set(
        Facility.objects.filter(municipality=municipality, is_published=True).values_list("kind", flat=True)
    )
    search_form = AvailabilitySearchForm(
        initial={**AvailabilitySearchForm.default_range(), "kind": kind, "area": area}, areas=areas
    )
    return render(
        request,
        "facilities/catalog/index.html",
        {
            "facilities": list(facilities),
            "kind": kind,
            "area": area,
            "kind_choices": [(value, label) for value, label in FacilityKind.choices if value in present_kinds],
            "area_choices": areas,
            "filtered": bool(kind or area),
            "search_form": search_form,
            "search_url": reverse("facilities:search", args=[municipality.slug]),
            "breadcrumbs": [(_("施設予約"), None)],
        },
    )


@dataclass
class FeeRow:
    """One line of the fee table: a slot (or every slot) of a unit and its four fees."""

    unit: Unit
    slot: Slot | None
    amounts: list[int | None]


def fee_table(units: list[Unit]) -> list[FeeRow]:
    """使用料: per unit and slot, the fee on weekdays/土日祝 for residents/others. A slot
    without a rule of its own takes the unit's slot-less rule."""
    rules: dict[tuple[int, int | None, str, str], int] = {
        (rule.unit_id, rule.slot_id, rule.day_kind, rule.residency): rule.amount
        for rule in FeeRule.objects.filter(unit__in=units)
    }
    rows: list[FeeRow] = []
    for unit in units:
        slots = calendar.slots_of(unit)
        per_slot = [
            [rules.get((unit.pk, slot.pk, d, r), rules.get((unit.pk, None, d, r))) for d, r in FEE_COLUMNS]
            for slot in slots
        ]
        if per_slot and all(amounts == per_slot[0] for amounts in per_slot):
            # The same fee for every slot: one line says it.
            rows.append(FeeRow(unit, None, per_slot[0]))
        else:
            rows.extend(FeeRow(unit, slot, amounts) for slot, amounts in zip(slots, per_slot, strict=True))
    return rows


def closed_days_text(facility: Facility) -> list[str]:
    """休館日 in words: 「毎週月曜日（祝日の場合は翌日）」, 「年末年始（12月29日〜1月3日）」."""
    lines = []
    closed = sorted(facility.closed_weekday_numbers())
    if closed:
        names = _("、").join(str(WEEKDAY_NAMES[n]) for n in closed)
        if facility.open_on_holidays:
            lines.append(_("毎週%(days)s（祝日の場合は開館し、翌日の平日が休館）") % {"days": names})
        else:
            lines.append(_("毎週%(days)s") % {"days": names})
    if not facility.open_on_holidays:
        lines.append(_("国民の祝日・休日"))
    if facility.year_end_closure:
        lines.append(_("年末年始（12月29日〜1月3日）"))
    return lines


def map_links(facility: Facility) -> dict[str, str] | None:
    """Links to 地理院地図 and OpenStreetMap at the facility (no map script is loaded)."""
    if facility.latitude is None or facility.longitude is None:
        return None
    lat = f"{Decimal(facility.latitude):.6f}"
    lon = f"{Decimal(facility.longitude):.6f}"
    return {
        "latitude": lat,
        "longitude": lon,
        "gsi": GSI_MAP_URL.format(lat=lat, lon=lon),
        "osm": OSM_MAP_URL.format(lat=lat, lon=lon),
    }


def _patterns(units: list[Unit]) -> list[tuple[SlotPattern, list[Slot]]]:
    seen: dict[int, tuple[SlotPattern, list[Slot]]] = {}
    for unit in units:
        if unit.slot_pattern_id not in seen:
            seen[unit.slot_pattern_id] = (unit.slot_pattern, calendar.slots_of(unit))
    return list(seen.values())


@require_safe
def detail(request: HttpRequest, municipality_slug: str, facility_slug: str) -> HttpResponse:
    """施設の案内: address and map position, access, photos, accessibility, units, hours and
    closed days, slots, fees, cancellation rules, temporary closures and lotteries."""
    municipality = get_request_municipality(request)
    facility = published_facility(municipality, facility_slug)
    today = timezone.localdate()
    units = units_of(facility)
    extras = list(FeeExtra.objects.filter(facility=facility).prefetch_related("units"))
    closures = list(
        Closure.objects.filter(facility=facility, ends_on__gte=today)
        .prefetch_related("units")
        .order_by("starts_on")[:20]
    )
    rounds = list(
        LotteryRound.objects.filter(facility=facility, status__in=CURRENT_ROUND_STATUSES).order_by("month", "pk")
    )
    context: dict[str, Any] = {
        "facility": facility,
        "units": units,
        "photos": list(facility.photos.all()),
        "patterns": _patterns(units),
        "fee_rows": fee_table(units),
        "extras": extras,
        "closures": closures,
        "rounds": rounds,
        "closed_days": closed_days_text(facility),
        "map": map_links(facility),
        "today": today,
        "calendar_start": today,
        "free_cancel_days": facility.free_cancel_days,
        "breadcrumbs": [(_("施設予約"), "facilities:index"), (facility.name, None)],
    }
    return render(request, "facilities/catalog/detail.html", context)
