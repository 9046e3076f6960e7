"""電子申請の状況: the dashboard of the staff console. Submissions received per week
(the last 12 weeks), the time from receipt to completion (median and distribution, by
procedure), counts by status and the number overdue, for the submissions the member of
staff may see (their department's, or all with VIEW_ALL_DEPARTMENTS).

Only counts are shown, no applicant's data: the page is not an audited read.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.urls import path, reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.generic import TemplateView
from wagtail.admin.menu import MenuItem
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.viewsets.base import ViewSet

from madoguchi.core.charts import bar_chart
from madoguchi.core.staff_views import check, console_municipality, permission_menu_item

from .. import permissions
from ..services import processing, processing_stats
from . import PROCEDURES_MENU_HOOK


def _days(value: float) -> str:
    text = f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"
    return _("%(days)s日") % {"days": text}


class DashboardView(WagtailAdminTemplateMixin, TemplateView):
    template_name = "procedures/staff/dashboard.html"
    header_icon = "view"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        check(request, permissions.VIEW_SUBMISSIONS)
        self.municipality = console_municipality(request)
        return super().dispatch(request, *args, **kwargs)  # type: ignore[no-any-return]

    def get_page_title(self) -> str:
        return _("電子申請の状況")

    def get_breadcrumbs_items(self) -> list[dict[str, Any]]:
        return [*self.breadcrumbs_items, {"url": "", "label": self.get_page_title()}]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        submissions = processing.visible_submissions(self.request.user, self.municipality)
        weeks = processing_stats.weekly_counts(submissions)
        times, durations = processing_stats.completion_times(submissions)
        overall = processing_stats.completion_summary(durations)
        week_chart = bar_chart(
            [(w.start.strftime("%Y-%m-%d"), w.count) for w in weeks],
            title=_("週ごとの受付件数（直近12週）"),
            value_label=lambda v: ngettext("%(count)s件", "%(count)s件", int(v)) % {"count": f"{int(v):,}"},
            label_width=120,
        )
        median_chart = bar_chart(
            [(t.procedure, t.median_days) for t in times],
            title=_("受付から完了までの日数（中央値、手続別）"),
            value_label=_days,
        )
        distribution_chart = bar_chart(
            [(_("%(range)s日") % {"range": label}, count) for label, count in overall["buckets"].items()],
            title=_("受付から完了までの日数の分布"),
            value_label=lambda v: ngettext("%(count)s件", "%(count)s件", int(v)) % {"count": f"{int(v):,}"},
            label_width=120,
        )
        return {
            **super().get_context_data(**kwargs),
            "sees_all": processing.sees_all_departments(self.request.user, self.municipality),
            "statuses": processing_stats.status_counts(submissions),
            "overdue": processing_stats.overdue_count(submissions),
            "overdue_url": f"{reverse('procedures-inbox:index')}?overdue=1",
            "weeks": weeks,
            "week_chart": week_chart,
            "times": times,
            "bucket_labels": [label for label, _limit in processing_stats.DURATION_BUCKETS],
            "median_chart": median_chart,
            "distribution_chart": distribution_chart,
            "overall": overall,
        }


class DashboardViewSet(ViewSet):
    name = "procedures-dashboard"
    url_prefix = "procedures/dashboard"
    icon = "view"
    menu_label = gettext_lazy("電子申請の状況")
    menu_hook = PROCEDURES_MENU_HOOK
    menu_order = 110

    def get_urlpatterns(self) -> list[Any]:
        return [path("", DashboardView.as_view(), name="index")]

    @cached_property
    def menu_item_class(self) -> type[MenuItem]:
        return permission_menu_item(permissions.VIEW_SUBMISSIONS)
