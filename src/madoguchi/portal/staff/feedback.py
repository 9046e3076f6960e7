"""ページへの評価 in the staff console: readers' answers to 「このページは役に立ちましたか」
for the staff member's department (the municipality's administrators see every
department's), with search, filters, CSV export and a chart of the last 30 days.

Comments may hold personal details although the form asks for none: every listing page
and export is an audited read (AuditedListingMixin). Permission: VIEW_FEEDBACK.

Registered with Wagtail when this module is imported (from `portal.apps`).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import django_filters
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.urls import path
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy
from wagtail import hooks
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.menu import MenuItem
from wagtail.admin.ui.tables import Column
from wagtail.admin.views import generic
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permissions import register_permission_policy

from madoguchi.accounts.models import Role
from madoguchi.accounts.permissions import register, request_municipality, roles_of
from madoguchi.audit.views import DateRangeWidget
from madoguchi.core.models import Department
from madoguchi.core.staff_views import (
    AuditedListingMixin,
    ConsoleExportMixin,
    RolePermissionPolicy,
    ServiceViewSetMixin,
    check,
    console_municipality,
    permission_menu_item,
)

from ..models import PageFeedback
from ..services.feedback import daily_counts

# Staff read their own department's answers; administrators and auditors read all.
VIEW_FEEDBACK = register(
    "portal.view_feedback",
    gettext_lazy("ホームページへの評価の閲覧"),
    roles={Role.OFFICER, Role.APPROVER, Role.DEPARTMENT_HEAD, Role.MUNICIPAL_ADMIN, Role.AUDITOR},
)
#: Roles that see every department's answers.
ALL_DEPARTMENTS_ROLES = {Role.MUNICIPAL_ADMIN, Role.AUDITOR}
LISTED_FIELDS = ("page", "department", "helpful", "findable", "comment", "language", "created_at")
YES_NO = [("yes", gettext_lazy("はい")), ("no", gettext_lazy("いいえ"))]


def sees_all_departments(request: HttpRequest) -> bool:
    user = request.user
    if getattr(user, "is_superuser", False):
        return True
    return bool(roles_of(user, request_municipality(request)) & {str(r) for r in ALL_DEPARTMENTS_ROLES})


def visible_feedback(request: HttpRequest) -> QuerySet[PageFeedback]:
    """The answers this staff member may read: their municipality's, and only their own
    department's unless they see all departments."""
    municipality = console_municipality(request)
    answers = PageFeedback.unscoped.filter(municipality=municipality).select_related("page", "department")
    if sees_all_departments(request):
        return answers  # type: ignore[no-any-return]
    profile = getattr(request.user, "staff_profile_or_none", None)
    if profile is None or profile.department_id is None:
        return PageFeedback.unscoped.none()  # type: ignore[no-any-return]
    return answers.filter(department_id=profile.department_id)  # type: ignore[no-any-return]


def _departments(request: HttpRequest | None) -> QuerySet[Department]:
    municipality = request_municipality(request) if request is not None else None
    if municipality is None:
        return Department.unscoped.none()  # type: ignore[no-any-return]
    return Department.unscoped.filter(municipality=municipality).order_by("sort_order", "code")  # type: ignore[no-any-return]


def _yes_no(queryset: QuerySet[PageFeedback], name: str, value: str) -> QuerySet[PageFeedback]:
    if value not in ("yes", "no"):
        return queryset
    return queryset.filter(**{name: value == "yes"})


class FeedbackFilterSet(WagtailFilterSet):
    department = django_filters.ModelChoiceFilter(
        label=gettext_lazy("担当部署"), queryset=_departments, empty_label=gettext_lazy("すべて")
    )
    helpful = django_filters.ChoiceFilter(
        label=gettext_lazy("役に立った"), choices=YES_NO, empty_label=gettext_lazy("すべて"), method=_yes_no
    )
    findable = django_filters.ChoiceFilter(
        label=gettext_lazy("見つけやすかった"), choices=YES_NO, empty_label=gettext_lazy("すべて"), method=_yes_no
    )
    with_comment = django_filters.BooleanFilter(
        label=gettext_lazy("ご意見のあるものだけ"),
        method="filter_with_comment",
        widget=django_filters.widgets.BooleanWidget(),
    )
    created_at = django_filters.DateFromToRangeFilter(label=gettext_lazy("送信日"), widget=DateRangeWidget)

    class Meta:
        model = PageFeedback
        fields: list[str] = []

    def filter_with_comment(self, queryset: QuerySet[PageFeedback], name: str, value: bool) -> QuerySet[PageFeedback]:
        return queryset.exclude(comment="") if value else queryset


def _yes_no_text(value: bool | None) -> str:
    if value is None:
        return "—"
    return str(gettext_lazy("はい") if value else gettext_lazy("いいえ"))


class FeedbackIndexView(AuditedListingMixin, ConsoleExportMixin, generic.IndexView):
    is_searchable = True
    default_ordering = "-created_at"
    template_name = "portal/staff/feedback_index.html"
    audit_object_type = "portal.pagefeedback"
    audit_fields = LISTED_FIELDS

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        check(request, VIEW_FEEDBACK)
        return super().dispatch(request, *args, **kwargs)  # type: ignore[no-any-return]

    def get_base_queryset(self) -> QuerySet[PageFeedback]:
        return visible_feedback(self.request)

    def search_queryset(self, queryset: QuerySet[PageFeedback]) -> QuerySet[PageFeedback]:
        if not self.is_searching:
            return queryset
        query = " ".join(self.search_query.split())
        return queryset.filter(Q(comment__icontains=query) | Q(page__title__icontains=query))

    def order_queryset(self, queryset: QuerySet[PageFeedback]) -> QuerySet[PageFeedback]:
        ordered: QuerySet[PageFeedback] = super().order_queryset(queryset)
        return ordered.order_by(*ordered.query.order_by, "-pk")

    @cached_property
    def columns(self) -> list[Any]:
        return [
            Column(
                "created_at",
                label=gettext_lazy("送信日時"),
                accessor=lambda f: timezone.localtime(f.created_at).strftime("%Y-%m-%d %H:%M"),
                sort_key="created_at",
            ),
            Column("page", label=gettext_lazy("ページ"), accessor=lambda f: f.page.title),
            Column("department", label=gettext_lazy("担当部署"), accessor=lambda f: f.department or "—"),
            Column(
                "helpful",
                label=gettext_lazy("役に立った"),
                accessor=lambda f: _yes_no_text(f.helpful),
                sort_key="helpful",
            ),
            Column("findable", label=gettext_lazy("見つけやすかった"), accessor=lambda f: _yes_no_text(f.findable)),
            Column("comment", label=gettext_lazy("ご意見"), accessor=lambda f: Truncator(f.comment).chars(80)),
            Column("language", label=gettext_lazy("言語"), sort_key="language"),
        ]

    def to_row_dict(self, item: Any) -> dict[str, Any]:
        row = super().to_row_dict(item)
        row["page_title"] = item.page.title
        row["page_url"] = item.page.url or ""
        row["department_name"] = item.department.name_ja if item.department_id else ""
        row["findable_text"] = _yes_no_text(item.findable)
        return row

    def get_filename(self) -> str:
        return f"page-feedback-{console_municipality(self.request).code}-{timezone.localtime():%Y%m%d-%H%M%S}"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context: dict[str, Any] = super().get_context_data(**kwargs)
        if not self.is_export:
            answers = self.filter_queryset(self.search_queryset(self.get_base_queryset()))
            context["summary"] = summary(answers)
            context["chart"] = chart(answers)
            context["all_departments"] = sees_all_departments(self.request)
        return context


def summary(answers: QuerySet[PageFeedback]) -> dict[str, Any]:
    """Totals of the filtered answers, and per department (most unhelpful first)."""
    totals = answers.aggregate(total=Count("pk"), helpful=Count("pk", filter=Q(helpful=True)))
    total, helpful = totals["total"] or 0, totals["helpful"] or 0
    rows = (
        answers.values("department__name_ja")
        .annotate(total=Count("pk"), no=Count("pk", filter=Q(helpful=False)))
        .order_by("-no", "department__name_ja")
    )
    return {
        "total": total,
        "helpful": helpful,
        "not_helpful": total - helpful,
        "percent": round(100 * helpful / total) if total else None,
        "departments": [(r["department__name_ja"] or "—", r["total"], r["no"]) for r in rows],
    }


CHART_DAYS = 30
CHART_HEIGHT = 80
BAR_WIDTH = 10


def chart(answers: QuerySet[PageFeedback], *, today: dt.date | None = None) -> dict[str, Any]:
    """Bars of the last 30 days for an SVG (heights as attributes: no inline styles
    under the CSP), with the numbers for a table that screen readers use."""
    days = daily_counts(answers, days=CHART_DAYS, today=today or timezone.localdate())
    peak = max((d.total for d in days), default=0) or 1
    bars = []
    for index, day in enumerate(days):
        yes_height = round(CHART_HEIGHT * day.helpful / peak)
        no_height = round(CHART_HEIGHT * day.not_helpful / peak)
        bars.append(
            {
                "day": day,
                "x": index * (BAR_WIDTH + 2),
                "yes_y": CHART_HEIGHT - yes_height,
                "yes_height": yes_height,
                "no_y": CHART_HEIGHT - yes_height - no_height,
                "no_height": no_height,
            }
        )
    return {"bars": bars, "width": CHART_DAYS * (BAR_WIDTH + 2), "height": CHART_HEIGHT, "bar_width": BAR_WIDTH,
            "days": [d for d in days if d.total]}  # fmt: skip


class FeedbackViewSet(ServiceViewSetMixin, ModelViewSet):
    """ページへの評価: the answers of the municipality's readers."""

    dropped_url_names = (
        "add_url_name",
        "edit_url_name",
        "delete_url_name",
        "history_url_name",
        "usage_url_name",
        "inspect_url_name",
    )

    model = PageFeedback
    name = "portal-feedback"
    url_prefix = "website/feedback"
    icon = "help"
    menu_label = gettext_lazy("ページへの評価")
    menu_order = 260
    add_to_admin_menu = True
    add_to_reference_index = False
    copy_view_enabled = False
    inspect_view_enabled = False
    index_view_class = FeedbackIndexView
    filterset_class = FeedbackFilterSet
    search_backend_name = None
    list_per_page = 50
    list_export = [
        "created_at", "page_title", "page_url", "department_name", "helpful", "findable_text", "comment", "language",
    ]  # fmt: skip
    export_headings = {
        "created_at": gettext_lazy("送信日時"),
        "page_title": gettext_lazy("ページ"),
        "page_url": gettext_lazy("URL"),
        "department_name": gettext_lazy("担当部署"),
        "helpful": gettext_lazy("役に立った"),
        "findable_text": gettext_lazy("見つけやすかった"),
        "comment": gettext_lazy("ご意見"),
        "language": gettext_lazy("言語"),
    }

    def get_urlpatterns(self) -> list[Any]:
        return [
            path("", self.index_view, name="index"),
            path("results/", self.index_results_view, name="index_results"),
        ]

    @cached_property
    def menu_item_class(self) -> type[MenuItem]:
        return permission_menu_item(VIEW_FEEDBACK)


register_permission_policy(PageFeedback, RolePermissionPolicy(PageFeedback, {"view": VIEW_FEEDBACK}))


@hooks.register("register_admin_viewset")
def register_feedback_viewset() -> FeedbackViewSet:
    return FeedbackViewSet()
