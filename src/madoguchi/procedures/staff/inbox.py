"""受付一覧: the inboxes of the staff console. A member of staff sees the submissions of
their own department (every department's with VIEW_ALL_DEPARTMENTS), open ones first by
due date, with filters, a search (number, name, the reading of the name in kana,
e-mail) and a CSV export. Every listing and export is an audited read of personal data.

The details of one submission and what staff do with it are in `inbox_detail`; the
dashboard in `dashboard`.
"""

from __future__ import annotations

from typing import Any

import django_filters
from django.core.exceptions import PermissionDenied
from django.db.models import F, QuerySet
from django.http import HttpRequest, HttpResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext, gettext_lazy
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.menu import MenuItem
from wagtail.admin.ui.tables import Column, TitleColumn
from wagtail.admin.views import generic
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permissions import register_permission_policy

from madoguchi.accounts.permissions import has_permission, request_municipality
from madoguchi.audit.views import DateRangeWidget
from madoguchi.core.models import Department
from madoguchi.core.staff_views import (
    AuditedListingMixin,
    ConsoleExportMixin,
    RolePermissionPolicy,
    ServiceViewSetMixin,
    console_municipality,
    permission_menu_item,
)

from .. import permissions
from ..models import OPEN_STATUSES, Procedure, Submission, SubmissionStatus
from ..services import processing
from . import PROCEDURES_MENU_HOOK

LISTED_FIELDS = ["number", "applicant_name", "applicant_email", "status", "due_on", "assignee"]

OPEN = "open"
ALL = "all"
ME = "me"
NOBODY = "none"


def _procedures(request: HttpRequest | None) -> QuerySet[Procedure]:
    if request is None:
        return Procedure.objects.none()
    municipality = request_municipality(request)
    if municipality is None:
        return Procedure.objects.none()
    queryset = Procedure.objects.filter(municipality=municipality).order_by("name_ja")
    if processing.sees_all_departments(request.user, municipality):
        return queryset
    return queryset.filter(department_id=processing.department_of(request.user))


def _departments(request: HttpRequest | None) -> QuerySet[Department]:
    municipality = request_municipality(request) if request is not None else None
    if municipality is None:
        return Department.objects.none()
    return Department.objects.filter(municipality=municipality).order_by("sort_order", "code")


class SubmissionFilterSet(WagtailFilterSet):
    status = django_filters.ChoiceFilter(
        label=gettext_lazy("状態"),
        choices=[
            (ALL, gettext_lazy("すべて")),
            *[(s.value, s.label) for s in SubmissionStatus if s != SubmissionStatus.DRAFT],
        ],
        empty_label=gettext_lazy("処理中のもの（受付・審査中・補正依頼中・承認）"),
        method="filter_status",
    )
    procedure = django_filters.ModelChoiceFilter(
        label=gettext_lazy("手続"), queryset=_procedures, empty_label=gettext_lazy("すべて")
    )
    assignee = django_filters.ChoiceFilter(
        label=gettext_lazy("担当者"),
        choices=[(ME, gettext_lazy("自分")), (NOBODY, gettext_lazy("未割当"))],
        empty_label=gettext_lazy("すべて"),
        method="filter_assignee",
    )
    overdue = django_filters.ChoiceFilter(
        label=gettext_lazy("処理期限"),
        choices=[("1", gettext_lazy("期限超過のみ"))],
        empty_label=gettext_lazy("すべて"),
        method="filter_overdue",
    )
    submitted = django_filters.DateFromToRangeFilter(
        label=gettext_lazy("受付日"), field_name="submitted_at", method="filter_submitted", widget=DateRangeWidget
    )
    department = django_filters.ModelChoiceFilter(
        label=gettext_lazy("担当部署"), queryset=_departments, empty_label=gettext_lazy("すべて")
    )

    class Meta:
        model = Submission
        fields: list[str] = []

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        request = self.request
        municipality = request_municipality(request) if request is not None else None
        if municipality is None or not processing.sees_all_departments(request.user, municipality):  # type: ignore[union-attr]
            # Those who see one department have nothing to choose.
            del self.filters["department"]

    def filter_queryset(self, queryset: QuerySet[Submission]) -> QuerySet[Submission]:
        queryset = super().filter_queryset(queryset)
        if not self.form.cleaned_data.get("status"):
            # The default view: what still needs work.
            queryset = queryset.filter(status__in=OPEN_STATUSES)
        return queryset

    def filter_status(self, queryset: QuerySet[Submission], name: str, value: str) -> QuerySet[Submission]:
        return queryset if value == ALL else queryset.filter(status=value)

    def filter_assignee(self, queryset: QuerySet[Submission], name: str, value: str) -> QuerySet[Submission]:
        if value == ME:
            return queryset.filter(assignee_id=getattr(self.request.user, "pk", None))  # type: ignore[union-attr]
        if value == NOBODY:
            return queryset.filter(assignee__isnull=True)
        return queryset

    def filter_overdue(self, queryset: QuerySet[Submission], name: str, value: str) -> QuerySet[Submission]:
        return queryset.filter(processing.overdue_q()) if value else queryset

    def filter_submitted(self, queryset: QuerySet[Submission], name: str, value: Any) -> QuerySet[Submission]:
        # Whole days in local time: "to 3 June" includes all of 3 June.
        if value and value.start:
            queryset = queryset.filter(submitted_at__date__gte=value.start)
        if value and value.stop:
            queryset = queryset.filter(submitted_at__date__lte=value.stop)
        return queryset


class DueColumn(Column):
    """The due date, and 「期限超過」 in words with an icon (not colour alone) when an open
    submission is past it."""

    cell_template_name = "procedures/staff/inbox_due_cell.html"

    def get_cell_context_data(self, instance: Any, parent_context: Any) -> dict[str, Any]:
        context: dict[str, Any] = super().get_cell_context_data(instance, parent_context)
        context["overdue"] = processing.is_overdue(instance, parent_context.get("today"))
        return context


def detail_url(submission: Submission) -> str:
    return reverse("procedures-inbox:detail", args=[submission.public_id])


class SubmissionIndexView(AuditedListingMixin, ConsoleExportMixin, generic.IndexView):
    is_searchable = True
    default_ordering = "due_on"

    def get_base_queryset(self) -> QuerySet[Submission]:
        municipality = console_municipality(self.request)
        return processing.visible_submissions(self.request.user, municipality).select_related(
            "procedure", "assignee", "department"
        )

    def search_queryset(self, queryset: QuerySet[Submission]) -> QuerySet[Submission]:
        if not self.is_searching:
            return queryset
        keys = processing.kana_field_keys(console_municipality(self.request))
        return processing.search(queryset, self.search_query, keys)

    def order_queryset(self, queryset: QuerySet[Submission]) -> QuerySet[Submission]:
        # Nearest due date first, those without one last, on every database.
        if self.ordering == "due_on":
            return queryset.order_by(F("due_on").asc(nulls_last=True), "submitted_at", "pk")
        if self.ordering == "-due_on":
            return queryset.order_by(F("due_on").desc(nulls_last=True), "-submitted_at", "-pk")
        ordered: QuerySet[Submission] = super().order_queryset(queryset)
        return ordered.order_by(*ordered.query.order_by, "pk")

    @cached_property
    def columns(self) -> list[Any]:
        return [
            TitleColumn("number", label=gettext_lazy("受付番号"), get_url=detail_url, sort_key="number"),
            Column("procedure", label=gettext_lazy("手続"), accessor=lambda s: s.procedure.name),
            Column("applicant_name", label=gettext_lazy("申請者"), sort_key="applicant_name"),
            Column("status", label=gettext_lazy("状態"), accessor="get_status_display", sort_key="status"),
            Column(
                "submitted_at",
                label=gettext_lazy("受付日時"),
                accessor=lambda s: (
                    timezone.localtime(s.submitted_at).strftime("%Y-%m-%d %H:%M") if s.submitted_at else ""
                ),
                sort_key="submitted_at",
            ),
            DueColumn("due_on", label=gettext_lazy("処理期限"), sort_key="due_on"),
            Column(
                "assignee",
                label=gettext_lazy("担当者"),
                accessor=lambda s: s.assignee.get_full_name() if s.assignee else gettext_lazy("未割当"),
            ),
        ]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context: dict[str, Any] = super().get_context_data(**kwargs)
        context["today"] = timezone.localdate()
        return context

    def to_row_dict(self, item: Any) -> dict[str, Any]:
        row = super().to_row_dict(item)
        row["overdue_text"] = gettext("期限超過") if processing.is_overdue(item) else ""
        row["assignee_name"] = item.assignee.get_full_name() if item.assignee_id and item.assignee else ""
        return row

    @cached_property
    def show_export_buttons(self) -> bool:
        return has_permission(self.request.user, permissions.PROCESS_SUBMISSIONS, request_municipality(self.request))

    def get_filename(self) -> str:
        return f"submissions-{console_municipality(self.request).code}-{timezone.localtime():%Y%m%d-%H%M%S}"

    audit_object_type = "procedures.submission"
    audit_fields = tuple(LISTED_FIELDS)

    def render_to_response(self, context: dict[str, Any], **response_kwargs: Any) -> HttpResponse:
        if self.is_export and not self.show_export_buttons:
            raise PermissionDenied
        return super().render_to_response(context, **response_kwargs)


class SubmissionViewSet(ServiceViewSetMixin, ModelViewSet):
    """受付一覧: the department's submissions."""

    dropped_url_names = (
        "add_url_name",
        "edit_url_name",
        "delete_url_name",
        "history_url_name",
        "usage_url_name",
        "inspect_url_name",
    )

    model = Submission
    name = "procedures-inbox"
    url_prefix = "procedures/inbox"
    icon = "tasks"
    menu_label = gettext_lazy("受付一覧")
    menu_order = 100
    menu_hook = PROCEDURES_MENU_HOOK
    add_to_reference_index = False
    copy_view_enabled = False
    inspect_view_enabled = False
    index_view_class = SubmissionIndexView
    filterset_class = SubmissionFilterSet
    search_backend_name = None
    list_per_page = 50
    list_export = [
        "number", "procedure.name_ja", "department.name_ja", "applicant_name", "applicant_email", "status",
        "get_status_display", "submitted_at", "due_on", "overdue_text", "assignee_name", "fee_amount",
    ]  # fmt: skip
    export_headings = {
        "procedure.name_ja": gettext_lazy("手続"),
        "department.name_ja": gettext_lazy("担当部署"),
        "status": gettext_lazy("状態（コード）"),
        "get_status_display": gettext_lazy("状態"),
        "overdue_text": gettext_lazy("期限超過"),
        "assignee_name": gettext_lazy("担当者"),
    }

    def get_urlpatterns(self) -> list[Any]:
        from .inbox_detail import SubmissionDetailView, attachment_download

        return [
            path("", self.index_view, name="index"),
            path("results/", self.index_results_view, name="index_results"),
            path("<uuid:public_id>/", SubmissionDetailView.as_view(), name="detail"),
            path("<uuid:public_id>/attachments/<int:pk>/", attachment_download, name="attachment"),
        ]

    @cached_property
    def menu_item_class(self) -> type[MenuItem]:
        return permission_menu_item(permissions.VIEW_SUBMISSIONS)


register_permission_policy(
    Submission,
    RolePermissionPolicy(Submission, {"view": permissions.VIEW_SUBMISSIONS}),
)


def viewsets() -> list[Any]:
    """The processing part's console screens, for `procedures.wagtail_hooks`."""
    from .dashboard import DashboardViewSet

    return [SubmissionViewSet(), DashboardViewSet()]
