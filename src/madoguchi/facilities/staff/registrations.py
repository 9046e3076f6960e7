"""利用者登録 in the staff console: the list of the municipality's registrations (search by
name, kana, card number, e-mail or phone; filters by status and kind; CSV export), one
registration with its members, and the decisions: approve, reject with a reason, suspend,
reinstate, change the limits. Permission: REVIEW_REGISTRATIONS.

Every listing and export is an audited read of personal data; the detail page asks for a
reason first (個人情報の閲覧理由) and every opening is audited; every decision is an
audited change made through `services.registrations`.
"""

from __future__ import annotations

from typing import Any

import django_filters
from django import forms as django_forms
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.urls import path, reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView
from wagtail import hooks
from wagtail.admin import messages
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.menu import MenuItem
from wagtail.admin.ui.tables import Column, TitleColumn
from wagtail.admin.views import generic
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permissions import register_permission_policy

from madoguchi.audit import access
from madoguchi.core.staff_views import (
    ConsoleExportMixin,
    RolePermissionPolicy,
    ServiceViewSetMixin,
    check,
    console_municipality,
    listing_criteria,
    permission_menu_item,
)

from .. import permissions
from ..forms import registrations as forms
from ..models import GroupMember, Registration, RegistrationKind, RegistrationStatus
from ..services import registrations as service
from . import FACILITIES_MENU_HOOK

S = RegistrationStatus
ALL = "all"
#: What the detail page shows (for the audit entry).
FIELDS_SHOWN = ["name", "name_kana", "representative_name", "address", "phone", "email", "members", "activity"]


def detail_url(registration: Registration) -> str:
    return reverse("facilities-registrations:detail", args=[registration.pk])


class RegistrationFilterSet(WagtailFilterSet):
    status = django_filters.ChoiceFilter(
        label=gettext_lazy("状態"),
        choices=[(ALL, gettext_lazy("すべて")), *S.choices],
        empty_label=gettext_lazy("審査中・承認済み・利用停止"),
        method="filter_status",
    )
    kind = django_filters.ChoiceFilter(
        label=gettext_lazy("登録の種類"), choices=RegistrationKind.choices, empty_label=gettext_lazy("すべて")
    )

    class Meta:
        model = Registration
        fields: list[str] = []

    def filter_queryset(self, queryset: QuerySet[Registration]) -> QuerySet[Registration]:
        queryset = super().filter_queryset(queryset)
        if not self.form.cleaned_data.get("status"):
            # The default view: what is alive (rejected and expired ones on request).
            queryset = queryset.filter(status__in=[S.PENDING, S.APPROVED, S.SUSPENDED])
        return queryset

    def filter_status(self, queryset: QuerySet[Registration], name: str, value: str) -> QuerySet[Registration]:
        return queryset if value == ALL else queryset.filter(status=value)


class RegistrationIndexView(ConsoleExportMixin, generic.IndexView):
    is_searchable = True
    default_ordering = "-submitted_at"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        check(request, permissions.REVIEW_REGISTRATIONS)
        return super().dispatch(request, *args, **kwargs)  # type: ignore[no-any-return]

    def get_base_queryset(self) -> QuerySet[Registration]:
        municipality = console_municipality(self.request)
        return Registration.objects.filter(municipality=municipality).select_related("user", "reviewed_by")

    def search_queryset(self, queryset: QuerySet[Registration]) -> QuerySet[Registration]:
        if not self.is_searching:
            return queryset
        return service.search(queryset, self.search_query)

    def order_queryset(self, queryset: QuerySet[Registration]) -> QuerySet[Registration]:
        ordered: QuerySet[Registration] = super().order_queryset(queryset)
        return ordered.order_by(*ordered.query.order_by, "-pk")

    @cached_property
    def columns(self) -> list[Any]:
        return [
            TitleColumn("name", label=gettext_lazy("氏名・団体名"), get_url=detail_url, sort_key="name_kana"),
            Column("name_kana", label=gettext_lazy("フリガナ")),
            Column("kind", label=gettext_lazy("登録の種類"), accessor="get_kind_display", sort_key="kind"),
            Column("card_number", label=gettext_lazy("登録番号"), sort_key="card_number"),
            Column("status", label=gettext_lazy("状態"), accessor="get_status_display", sort_key="status"),
            Column(
                "submitted_at",
                label=gettext_lazy("申請日時"),
                accessor=lambda r: timezone.localtime(r.submitted_at).strftime("%Y-%m-%d %H:%M"),
                sort_key="submitted_at",
            ),
            Column(
                "valid_until",
                label=gettext_lazy("有効期限"),
                accessor=lambda r: r.valid_until.isoformat() if r.valid_until else "",
                sort_key="valid_until",
            ),
        ]

    def to_row_dict(self, item: Any) -> dict[str, Any]:
        row = super().to_row_dict(item)
        row["resident_rate"] = item.pays_resident_rate
        return row

    def get_filename(self) -> str:
        return f"facility-registrations-{console_municipality(self.request).code}-{timezone.localtime():%Y%m%d-%H%M%S}"

    def render_to_response(self, context: dict[str, Any], **response_kwargs: Any) -> HttpResponse:
        criteria = listing_criteria(self.request)
        if self.is_export:
            count = len(context["object_list"]) if isinstance(context["object_list"], list) else None
            service.audit_list(
                console_municipality(self.request),
                request=self.request,
                what="export",
                count=count if count is not None else context["object_list"].count(),
                extra={"criteria": criteria, "format": self.request.GET.get("export")},
            )
        else:
            paginator = context.get("paginator")
            service.audit_list(
                console_municipality(self.request),
                request=self.request,
                what="staff_list",
                count=paginator.count if paginator is not None else len(context["object_list"]),
                extra={"criteria": criteria, "page": self.request.GET.get("p", "1")},
            )
        return super().render_to_response(context, **response_kwargs)  # type: ignore[no-any-return]


class RegistrationViewSet(ServiceViewSetMixin, ModelViewSet):
    """利用者登録: the municipality's registrations and their review."""

    dropped_url_names = (
        "add_url_name",
        "edit_url_name",
        "delete_url_name",
        "history_url_name",
        "usage_url_name",
        "inspect_url_name",
    )

    model = Registration
    name = "facilities-registrations"
    url_prefix = "facilities/registrations"
    icon = "user"
    menu_label = gettext_lazy("利用者登録")
    menu_order = 300
    menu_hook = FACILITIES_MENU_HOOK
    add_to_reference_index = False
    copy_view_enabled = False
    inspect_view_enabled = False
    index_view_class = RegistrationIndexView
    filterset_class = RegistrationFilterSet
    search_backend_name = None
    list_per_page = 50
    list_export = [
        "card_number", "kind", "get_kind_display", "status", "get_status_display", "name", "name_kana",
        "representative_name", "representative_name_kana", "postal_code", "address", "phone", "email",
        "member_count", "resident_member_count", "resident_rate", "activity", "max_active_bookings",
        "max_lottery_entries_per_month", "valid_until", "submitted_at", "reviewed_at",
    ]  # fmt: skip
    export_headings = {
        "kind": gettext_lazy("登録の種類（コード）"),
        "get_kind_display": gettext_lazy("登録の種類"),
        "status": gettext_lazy("状態（コード）"),
        "get_status_display": gettext_lazy("状態"),
        "resident_rate": gettext_lazy("市内料金"),
    }

    def get_urlpatterns(self) -> list[Any]:
        return [
            path("", self.index_view, name="index"),
            path("results/", self.index_results_view, name="index_results"),
            path("<int:pk>/", RegistrationDetailView.as_view(), name="detail"),
        ]

    @cached_property
    def menu_item_class(self) -> type[MenuItem]:
        return permission_menu_item(permissions.REVIEW_REGISTRATIONS)


register_permission_policy(Registration, RolePermissionPolicy(Registration, {"view": permissions.REVIEW_REGISTRATIONS}))


# --- One registration -------------------------------------------------------------------

#: The buttons of the detail page, and the statuses each is offered in.
ACTIONS: dict[str, tuple[str, ...]] = {
    "approve": (S.PENDING,),
    "reject": (S.PENDING,),
    "suspend": (S.APPROVED,),
    "reinstate": (S.SUSPENDED,),
    "limits": (S.PENDING, S.APPROVED, S.SUSPENDED),
}


def find_registration(request: HttpRequest, pk: int) -> Registration:
    """The registration of the staff member's municipality; else 404."""
    check(request, permissions.REVIEW_REGISTRATIONS)
    municipality = console_municipality(request)
    found = (
        Registration.objects.filter(municipality=municipality, pk=pk)
        .select_related("user", "reviewed_by", "municipality")
        .first()
    )
    if found is None:
        raise Http404
    return found


class RegistrationDetailView(WagtailAdminTemplateMixin, TemplateView):
    template_name = "facilities/registrations/staff_detail.html"
    header_icon = "user"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        self.registration = find_registration(request, kwargs["pk"])
        self.bound: dict[str, django_forms.Form] = {}
        key = access.subject_key_for(self.registration.user)
        if (to_reason := access.reason_redirect(request, key)) is not None:
            if request.method == "POST":
                return HttpResponseRedirect(access.reason_url(key, request.path))
            return to_reason
        return super().dispatch(request, *args, **kwargs)  # type: ignore[no-any-return]

    def get_page_title(self) -> str:
        return _("利用者登録の詳細")

    def get_page_subtitle(self) -> str:
        return f"{self.registration.card_number or ''} {self.registration.name}".strip()

    def get_breadcrumbs_items(self) -> list[dict[str, Any]]:
        return [
            *self.breadcrumbs_items,
            {"url": reverse("facilities-registrations:index"), "label": _("利用者登録")},
            {"url": "", "label": self.get_page_title(), "sublabel": self.get_page_subtitle()},
        ]

    def form_for(self, action: str, data: Any = None) -> django_forms.Form:
        if action in self.bound:
            return self.bound[action]
        if action in ("reject", "suspend"):
            return forms.ReasonForm(data, prefix=action)
        if action in ("approve", "reinstate"):
            return forms.NoteForm(data, prefix=action)
        return forms.LimitsForm(
            data,
            prefix="limits",
            initial={key: getattr(self.registration, key) for key in service.LIMIT_FIELDS},
        )

    def available(self) -> list[str]:
        return [action for action, statuses in ACTIONS.items() if self.registration.status in statuses]

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return self.render_page()

    def render_page(self, status: int = 200) -> HttpResponse:
        registration = self.registration
        service.audit_read(registration, request=self.request, what="staff_detail", fields=FIELDS_SHOWN)
        response = self.render_to_response(self.get_context_data())
        response.status_code = status
        return response

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        registration = self.registration
        today = timezone.localdate()
        actions = self.available()
        return {
            **super().get_context_data(**kwargs),
            "registration": registration,
            "reason": access.current_reason(self.request, registration.user) or "",
            "shown_status": S(service.shown_status(registration, today)).label,
            "members": list(GroupMember.objects.filter(registration=registration)),
            "active_bookings": service.active_booking_count(registration, today),
            "actions": actions,
            "forms": {action: self.form_for(action) for action in actions},
        }

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        action = request.POST.get("action", "")
        if action not in ACTIONS:
            raise Http404
        check(request, permissions.REVIEW_REGISTRATIONS)
        here = detail_url(self.registration)
        if action not in self.available():
            messages.info(request, _("この操作は既に行われたか、今の状態ではできません。"))
            return HttpResponseRedirect(here)
        form = self.form_for(action, request.POST)
        if not form.is_valid():
            self.bound[action] = form
            messages.error(request, _("入力内容を確認してください。"))
            return self.render_page(status=400)
        try:
            message = self.act(action, form.cleaned_data)
        except service.RegistrationError as error:
            messages.error(request, error.messages[0])
            return HttpResponseRedirect(here)
        messages.success(request, message)
        return HttpResponseRedirect(here)

    def act(self, action: str, data: dict[str, Any]) -> str:
        registration, user, request = self.registration, self.request.user, self.request
        if action == "approve":
            done = service.approve(registration, actor=user, note=data.get("note", ""), request=request)
            return _("承認しました。登録番号は %(number)s です。申請者にメールで知らせます。") % {
                "number": done.card_number
            }
        if action == "reject":
            service.reject(registration, actor=user, reason=data["reason"], request=request)
            return _("不承認にしました。申請者にメールで知らせます。")
        if action == "suspend":
            service.suspend(registration, actor=user, reason=data["reason"], request=request)
            return _("利用を停止しました。申請者にメールで知らせます。")
        if action == "reinstate":
            service.reinstate(registration, actor=user, note=data.get("note", ""), request=request)
            return _("利用を再開しました。申請者にメールで知らせます。")
        changed = service.update_limits(
            registration,
            actor=user,
            max_active_bookings=data["max_active_bookings"],
            max_lottery_entries_per_month=data["max_lottery_entries_per_month"],
            request=request,
        )
        return _("上限を変更しました。") if changed else _("変更はありませんでした。")


@hooks.register("register_admin_viewset")
def register_registration_viewsets() -> list[Any]:
    return [RegistrationViewSet()]
