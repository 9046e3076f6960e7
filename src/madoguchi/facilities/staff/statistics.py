"""施設の利用統計 in the staff console: 利用率 by facility and month and by weekday and time
of day, as heat maps that are tables (the percentage written in every cell, the shade only
repeats it), the cells behind them, bookings by source, cancellations by reason and
no-shows by facility; filters by facility and period; CSV of each table.

VIEW_STATISTICS. Only counts are shown, no booker's data; a CSV export is recorded in the
audit log all the same (what was exported, not personal data).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

from django import forms
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.urls import path
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext, pgettext_lazy
from django.views.generic import TemplateView
from wagtail.admin.menu import MenuItem
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.viewsets.base import ViewSet

from madoguchi.audit import services as audit
from madoguchi.core.charts import bar_chart
from madoguchi.core.models import Municipality
from madoguchi.core.staff_views import check, console_municipality, csv_cell, permission_menu_item

from .. import permissions
from ..models import Facility, TimeOfDay
from ..services import statistics
from . import FACILITIES_MENU_HOOK

WEEKDAYS = (
    pgettext_lazy("曜日", "月"),
    pgettext_lazy("曜日", "火"),
    pgettext_lazy("曜日", "水"),
    pgettext_lazy("曜日", "木"),
    pgettext_lazy("曜日", "金"),
    pgettext_lazy("曜日", "土"),
    pgettext_lazy("曜日", "日"),
)
EXPORTS = ("utilisation", "times", "bookings")


def default_period(today: dt.date) -> tuple[dt.date, dt.date]:
    """The last six months, this one included."""
    month = today.replace(day=1)
    for _step in range(5):
        month = (month - dt.timedelta(days=1)).replace(day=1)
    end = (today.replace(day=1) + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
    return month, end


class StatisticsFilterForm(forms.Form):
    start = forms.DateField(label=gettext_lazy("開始日"), widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=gettext_lazy("終了日"), widget=forms.DateInput(attrs={"type": "date"}))
    facilities = forms.ModelMultipleChoiceField(
        label=gettext_lazy("施設"),
        queryset=Facility.unscoped.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy("選ばないと、すべての施設を集計します。"),
    )

    def __init__(self, *args: Any, municipality: Municipality, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["facilities"].queryset = Facility.objects.filter(  # type: ignore[attr-defined]
            municipality=municipality
        ).order_by("sort_order", "name_kana", "slug")

    def clean(self) -> dict[str, Any]:
        data: dict[str, Any] = super().clean() or {}
        start, end = data.get("start"), data.get("end")
        if start and end:
            if end < start:
                self.add_error("end", _("終了日は開始日と同じかそれより後にしてください。"))
            elif (end - start).days >= statistics.MAX_DAYS:
                self.add_error("end", _("集計できる期間は2年までです。"))
        return data


class StatisticsView(WagtailAdminTemplateMixin, TemplateView):
    template_name = "facilities/staff/statistics/index.html"
    header_icon = "view"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        check(request, permissions.VIEW_STATISTICS)
        self.municipality = console_municipality(request)
        return super().dispatch(request, *args, **kwargs)  # type: ignore[no-any-return]

    def get_page_title(self) -> str:
        return _("施設の利用統計")

    def get_breadcrumbs_items(self) -> list[dict[str, Any]]:
        return [*self.breadcrumbs_items, {"url": "", "label": self.get_page_title()}]

    @cached_property
    def filters(self) -> StatisticsFilterForm:
        start, end = default_period(timezone.localdate())
        data = self.request.GET.copy()
        data.setdefault("start", start.isoformat())
        data.setdefault("end", end.isoformat())
        return StatisticsFilterForm(data, municipality=self.municipality)

    def period(self) -> tuple[dt.date, dt.date, list[Facility] | None]:
        form = self.filters
        if form.is_valid():
            chosen = list(form.cleaned_data["facilities"])
            return form.cleaned_data["start"], form.cleaned_data["end"], chosen or None
        start, end = default_period(timezone.localdate())
        return start, end, None

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        export = request.GET.get("export", "")
        if export in EXPORTS and self.filters.is_valid():
            return self.export(export)
        return super().get(request, *args, **kwargs)  # type: ignore[no-any-return]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        start, end, chosen = self.period()
        usage = statistics.utilisation(self.municipality, start=start, end=end, facilities=chosen)
        counts = statistics.booking_counts(self.municipality, start=start, end=end, facilities=chosen)
        month_rows = [
            {
                "facility": facility,
                "cells": [usage.cell(facility.pk, month) for month in usage.months],
                "total": usage.by_facility.get(facility.pk) or statistics.Tally(),
            }
            for facility in usage.facilities
        ]
        time_rows = [
            {
                "label": TimeOfDay(time).label,
                "cells": [usage.by_weekday_time.get((weekday, index)) or statistics.Tally() for weekday in range(7)],
            }
            for index, time in enumerate(statistics.TIMES_OF_DAY)
        ]
        source_chart = bar_chart(
            [(row.label, row.bookings) for row in counts.by_source],
            title=_("予約の種類ごとの件数（取消を除く）"),
            value_label=lambda v: ngettext("%(count)s件", "%(count)s件", int(v)) % {"count": f"{int(v):,}"},
            label_width=200,
        )
        query = self.request.GET.copy()
        query.pop("export", None)
        return {
            **super().get_context_data(**kwargs),
            "filters": self.filters,
            "start": start,
            "end": end,
            "usage": usage,
            "months": usage.months,
            "month_rows": month_rows,
            "month_totals": [usage.by_month.get(month) or statistics.Tally() for month in usage.months],
            "time_rows": time_rows,
            "weekdays": WEEKDAYS,
            "counts": counts,
            "source_chart": source_chart,
            "levels": [
                (0, _("0%")),
                (1, _("20%未満")),
                (2, _("20〜39%")),
                (3, _("40〜59%")),
                (4, _("60〜79%")),
                (5, _("80%以上")),
            ],
            "export_query": query.urlencode(),
        }

    # --- CSV ------------------------------------------------------------------------

    def export(self, kind: str) -> HttpResponse:
        start, end, chosen = self.period()
        rows: list[list[Any]]
        if kind == "bookings":
            counts = statistics.booking_counts(self.municipality, start=start, end=end, facilities=chosen)
            rows = [[_("施設"), _("予約件数（取消を除く）"), _("取消"), _("無断不使用"), _("利用済み")]]
            rows += [
                [r.facility.name_ja, r.bookings, r.cancelled, r.no_shows, r.checked_in] for r in counts.by_facility
            ]
            rows.append([])
            rows.append([_("予約の種類"), _("予約件数（取消を除く）"), _("取消"), _("無断不使用"), _("利用済み")])
            rows += [[r.label, r.bookings, r.cancelled, r.no_shows, r.checked_in] for r in counts.by_source]
            rows.append([])
            rows.append([_("取消の理由"), _("件数")])
            rows += [[label or _("（理由なし）"), count] for _value, label, count in counts.cancel_reasons]
        else:
            usage = statistics.utilisation(self.municipality, start=start, end=end, facilities=chosen)
            heading = [_("利用可能（30分単位）"), _("予約済み（30分単位）"), _("利用率（％）")]
            if kind == "utilisation":
                rows = [[_("施設"), _("年月"), *heading]]
                for facility in usage.facilities:
                    for month in usage.months:
                        tally = usage.cell(facility.pk, month)
                        rows.append([facility.name_ja, f"{month:%Y-%m}", *self._numbers(tally)])
            else:
                rows = [[_("曜日"), _("時間帯"), *heading]]
                for weekday in range(7):
                    for index, time in enumerate(statistics.TIMES_OF_DAY):
                        tally = usage.by_weekday_time.get((weekday, index)) or statistics.Tally()
                        rows.append([WEEKDAYS[weekday], TimeOfDay(time).label, *self._numbers(tally)])
        audit.record(
            action=audit.Action.EXPORT,
            municipality=self.municipality,
            request=self.request,
            object_type="facilities.booking",
            extra={"statistics": kind, "start": start.isoformat(), "end": end.isoformat()},
        )
        out = io.StringIO()
        out.write("\ufeff")
        writer = csv.writer(out)
        for row in rows:
            writer.writerow([csv_cell(cell) if isinstance(cell, str) else cell for cell in row])
        response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
        name = f"facility-statistics-{kind}-{start:%Y%m%d}-{end:%Y%m%d}.csv"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response

    @staticmethod
    def _numbers(tally: statistics.Tally) -> list[Any]:
        return [tally.available, tally.booked, "" if tally.percent is None else tally.percent]


class StatisticsViewSet(ViewSet):
    name = "facilities-statistics"
    url_prefix = "facilities/statistics"
    icon = "view"
    menu_label = gettext_lazy("利用統計")
    menu_hook = FACILITIES_MENU_HOOK
    menu_order = 700

    def get_urlpatterns(self) -> list[Any]:
        return [path("", StatisticsView.as_view(), name="index")]

    @cached_property
    def menu_item_class(self) -> type[MenuItem]:
        return permission_menu_item(permissions.VIEW_STATISTICS)


def viewsets() -> list[Any]:
    return [StatisticsViewSet()]
