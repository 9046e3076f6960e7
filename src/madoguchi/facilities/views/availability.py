"""Availability pages (空き状況): the search of one municipality, the same search across
every municipality of the deployment, and a facility's calendar grid (units × slots by
day). Public pages: no personal data, only whether a slot is free.

`build_grid` makes the grid that `facilities/includes/calendar_grid.html` shows; other
screens (the staff's counter booking) can reuse both with their own cell links.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import groupby
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy
from django.views.decorators.http import require_safe

from madoguchi.core.models import Municipality
from madoguchi.core.tenancy import get_request_municipality
from madoguchi.japanese import holidays

from ..forms.catalog import AvailabilitySearchForm
from ..models import Slot, Unit
from ..services import calendar
from ..services.availability import SYMBOLS, Calendar, SlotAvailability, SlotState, units_of
from ..services.search import SearchResult, search_availability
from .catalog import WEEKDAY_NAMES, area_choices, published_facility

#: Days in a week view; wide screens may ask for two weeks (?days=14).
WEEK_DAYS = 7
ALLOWED_DAYS = (7, 14)
#: How far back and ahead the calendar can be moved (days from today).
CALENDAR_PAST_DAYS = 7
CALENDAR_FUTURE_DAYS = 400

SHORT_WEEKDAYS = (
    pgettext_lazy("曜日の略", "月"),
    pgettext_lazy("曜日の略", "火"),
    pgettext_lazy("曜日の略", "水"),
    pgettext_lazy("曜日の略", "木"),
    pgettext_lazy("曜日の略", "金"),
    pgettext_lazy("曜日の略", "土"),
    pgettext_lazy("曜日の略", "日"),
)

CellLink = Callable[[SlotAvailability], str | None]


@dataclass
class GridDay:
    """A column of the grid."""

    date: dt.date
    is_today: bool
    is_holiday: bool
    holiday_name: str | None

    @property
    def is_saturday(self) -> bool:
        return self.date.weekday() == 5


@dataclass
class GridCell:
    availability: SlotAvailability
    url: str | None = None

    @property
    def state(self) -> str:
        return self.availability.state


@dataclass
class GridRow:
    slot: Slot
    cells: list[GridCell]


@dataclass
class GridUnit:
    unit: Unit
    rows: list[GridRow]


@dataclass
class Grid:
    """What `calendar_grid.html` shows: days as columns, unit × slot as rows."""

    caption: str
    days: list[GridDay]
    units: list[GridUnit] = field(default_factory=list)

    @property
    def column_count(self) -> int:
        return len(self.days) + 1


def booking_link(municipality: Municipality) -> CellLink:
    """Free cells link to the booking page (`facilities:book`) of the municipality."""

    def link(availability: SlotAvailability) -> str | None:
        if not availability.bookable:
            return None
        try:
            return reverse(
                "facilities:book",
                kwargs={
                    "municipality_slug": municipality.slug,
                    "unit": availability.unit.pk,
                    "day": availability.date.isoformat(),
                    "slot": availability.slot.pk,
                },
            )
        except NoReverseMatch:  # the booking part is not installed
            return None

    return link


def build_grid(cal: Calendar, units: list[Unit], dates: list[dt.date], caption: str, link: CellLink) -> Grid:
    """The grid of `cal` for the units and dates, each cell with its link (or none)."""
    today = timezone.localdate()
    days = [GridDay(day, day == today, holidays.is_holiday(day), holidays.holiday_name(day)) for day in dates]
    grid = Grid(caption=caption, days=days)
    for unit in units:
        rows = []
        for slot in calendar.slots_of(unit):
            cells = []
            for day in dates:
                availability = cal.slot(unit, day, slot)
                cells.append(GridCell(availability, link(availability)))
            rows.append(GridRow(slot, cells))
        grid.units.append(GridUnit(unit, rows))
    return grid


def legend() -> list[tuple[str, str, str, str]]:
    """(state, symbol, word, what it means) for the legend under the grid."""
    meanings = {
        SlotState.FREE: _("予約できます。記号を選ぶと予約の手続に進みます。"),
        SlotState.PARTLY: _("一部の時間帯・区画が空いています。"),
        SlotState.BOOKED: _("ほかの予約があり、予約できません。"),
        SlotState.LOTTERY: _("抽選の対象です。抽選後に空いた枠を先着順で受け付けます。"),
        SlotState.UNAVAILABLE: _("受付期間外、またはオンラインでは予約できません。"),
        SlotState.CLOSED: _("休館日、または臨時休館です。"),
    }
    return [(state.value, SYMBOLS[state], str(state.label), meanings[state]) for state in SlotState]


def _int(value: str, default: int, allowed: tuple[int, ...]) -> int:
    try:
        number = int(value)
    except ValueError:
        return default
    return number if number in allowed else default


@require_safe
def facility_calendar(request: HttpRequest, municipality_slug: str, facility_slug: str) -> HttpResponse:
    """空き状況カレンダー: a week (or two) of one facility, one unit or all, as a table
    that reads without colour: each cell has its symbol and word (○ 空き)."""
    municipality = get_request_municipality(request)
    facility = published_facility(municipality, facility_slug)
    today = timezone.localdate()
    all_units = units_of(facility)
    errors: list[str] = []

    start = today
    if raw := request.GET.get("start", ""):
        try:
            start = dt.date.fromisoformat(raw)
        except ValueError:
            errors.append(_("日付は 2026-12-01 のように入力してください。今日からの空き状況を表示しています。"))
    earliest, latest = today - dt.timedelta(days=CALENDAR_PAST_DAYS), today + dt.timedelta(days=CALENDAR_FUTURE_DAYS)
    if not earliest <= start <= latest:
        errors.append(_("その日の空き状況は表示できません。今日からの空き状況を表示しています。"))
        start = today
    days = _int(request.GET.get("days", ""), WEEK_DAYS, ALLOWED_DAYS)
    end = start + dt.timedelta(days=days - 1)

    unit_slug = request.GET.get("unit", "")
    chosen = next((unit for unit in all_units if unit.slug == unit_slug), None)
    if unit_slug and chosen is None:
        errors.append(_("その利用単位はありません。すべての利用単位を表示しています。"))
    units = [chosen] if chosen else all_units

    cal = Calendar(facility, units, start, end)
    caption = _("%(facility)s の空き状況（%(start)s〜%(end)s）") % {
        "facility": facility.name,
        "start": formats.date_format(start, "DATE_FORMAT"),
        "end": formats.date_format(end, "DATE_FORMAT"),
    }
    grid = build_grid(cal, units, cal.dates(), caption, booking_link(municipality))

    def link(to: dt.date) -> str:
        query = f"?start={to.isoformat()}"
        if chosen:
            query += f"&unit={chosen.slug}"
        if days != WEEK_DAYS:
            query += f"&days={days}"
        return query

    previous = start - dt.timedelta(days=days)
    following = start + dt.timedelta(days=days)
    return render(
        request,
        "facilities/catalog/calendar.html",
        {
            "facility": facility,
            "grid": grid,
            "units": all_units,
            "unit": chosen,
            "start": start,
            "end": end,
            "days": days,
            "errors": errors,
            "legend": legend(),
            "previous_url": link(max(previous, earliest)) if start > earliest else None,
            "next_url": link(following) if following <= latest else None,
            "today_url": link(today) if start != today else None,
            "breadcrumbs": [
                (_("施設予約"), "facilities:index"),
                (facility.name, reverse("facilities:detail", args=[municipality.slug, facility.slug])),
                (_("空き状況"), None),
            ],
        },
    )


@dataclass
class MonthDay:
    """A day of the month view: the unit's whole day in one state (○ △ × 休 …)."""

    date: dt.date
    state: str
    url: str | None
    is_today: bool
    holiday_name: str | None

    @property
    def symbol(self) -> str:
        return SYMBOLS[SlotState(self.state)]

    @property
    def label(self) -> str:
        return str(SlotState(self.state).label)


def _month(value: str) -> dt.date | None:
    try:
        year, month = (int(part) for part in value.split("-", 1))
        return dt.date(year, month, 1)
    except ValueError:
        return None


def _add_months(month: dt.date, count: int) -> dt.date:
    index = month.year * 12 + month.month - 1 + count
    return dt.date(index // 12, index % 12 + 1, 1)


@require_safe
def facility_month(request: HttpRequest, municipality_slug: str, facility_slug: str) -> HttpResponse:
    """月の空き状況: one unit's month, a day per cell with the summary of its slots
    (○ 空き, △ 一部空き, × 予約済み, 休 休館 …); a day with a free slot links to its week."""
    municipality = get_request_municipality(request)
    facility = published_facility(municipality, facility_slug)
    today = timezone.localdate()
    units = units_of(facility)
    errors: list[str] = []
    this_month = today.replace(day=1)
    month = this_month
    if raw := request.GET.get("month", ""):
        parsed = _month(raw)
        if parsed is None or not this_month <= parsed <= _add_months(this_month, 12):
            errors.append(_("その月の空き状況は表示できません。今月の空き状況を表示しています。"))
        else:
            month = parsed
    unit = next((u for u in units if u.slug == request.GET.get("unit", "")), units[0] if units else None)
    weeks: list[list[MonthDay | None]] = []
    if unit is not None:
        last = _add_months(month, 1) - dt.timedelta(days=1)
        cal = Calendar(facility, [unit], month, last)
        calendar_url = reverse("facilities:calendar", args=[municipality.slug, facility.slug])
        week: list[MonthDay | None] = [None] * month.weekday()
        for day in cal.dates():
            state = cal.day_summary(unit, day)
            url = (
                f"{calendar_url}?start={day.isoformat()}&unit={unit.slug}"
                if state in (SlotState.FREE, SlotState.PARTLY)
                else None
            )
            week.append(MonthDay(day, state, url, day == today, holidays.holiday_name(day)))
            if len(week) == WEEK_DAYS:
                weeks.append(week)
                week = []
        if week:
            weeks.append(week + [None] * (WEEK_DAYS - len(week)))

    def link(to: dt.date) -> str:
        return f"?month={to:%Y-%m}" + (f"&unit={unit.slug}" if unit else "")

    previous, following = _add_months(month, -1), _add_months(month, 1)
    return render(
        request,
        "facilities/catalog/month.html",
        {
            "facility": facility,
            "units": units,
            "unit": unit,
            "month": month,
            "weeks": weeks,
            "weekdays": [(str(short), str(full)) for short, full in zip(SHORT_WEEKDAYS, WEEKDAY_NAMES, strict=True)],
            "errors": errors,
            "legend": legend(),
            "previous_url": link(previous) if previous >= this_month else None,
            "next_url": link(following) if following <= _add_months(this_month, 12) else None,
            "breadcrumbs": [
                (_("施設予約"), "facilities:index"),
                (facility.name, reverse("facilities:detail", args=[municipality.slug, facility.slug])),
                (_("月の空き状況"), None),
            ],
        },
    )


def _run_search(form: AvailabilitySearchForm, municipalities: list[Municipality]) -> list[SearchResult]:
    data = form.cleaned_data
    return search_availability(
        municipalities,
        start=data["start"],
        end=data["end"],
        kinds=[data["kind"]] if data.get("kind") else (),
        areas=[data["area"]] if data.get("area") else (),
        time_of_day=data.get("time_of_day") or (),
        min_capacity=data.get("min_capacity"),
    )


def _search_form(request: HttpRequest, areas: list[tuple[str, str]] | None) -> AvailabilitySearchForm:
    if "start" in request.GET or "end" in request.GET:
        return AvailabilitySearchForm(request.GET, areas=areas)
    return AvailabilitySearchForm(initial=AvailabilitySearchForm.default_range(), areas=areas)


@require_safe
def search(request: HttpRequest, municipality_slug: str) -> HttpResponse:
    """空き状況の検索: units with free slots in a date range (≤ 31 days), by kind, area,
    time of day and number of people; each free slot links to its booking."""
    municipality = get_request_municipality(request)
    form = _search_form(request, area_choices(municipality))
    results = _run_search(form, [municipality]) if form.is_bound and form.is_valid() else None
    context: dict[str, Any] = {
        "form": form,
        "results": results,
        "action": reverse("facilities:search", args=[municipality.slug]),
        "breadcrumbs": [(_("施設予約"), "facilities:index"), (_("空き状況の検索"), None)],
    }
    return render(request, "facilities/catalog/search.html", context)


@dataclass
class MunicipalityResults:
    municipality: Municipality
    results: list[SearchResult]


@require_safe
def search_all(request: HttpRequest) -> HttpResponse:
    """施設の空き状況（すべての自治体）: the same search across every active municipality
    of the deployment, results grouped by municipality."""
    form = _search_form(request, None)
    groups: list[MunicipalityResults] | None = None
    if form.is_bound and form.is_valid():
        municipalities = list(Municipality.objects.filter(is_active=True).order_by("code"))
        results = _run_search(form, municipalities)
        groups = [
            MunicipalityResults(municipality, list(items))
            for municipality, items in groupby(results, key=lambda r: r.municipality)
        ]
    return render(
        request,
        "facilities/catalog/search_all.html",
        {
            "form": form,
            "groups": groups,
            "result_count": sum(len(g.results) for g in groups or []),
            "action": reverse("facilities-search-all"),
            "breadcrumbs": [(_("施設の空き状況（すべての自治体）"), None)],
        },
    )
