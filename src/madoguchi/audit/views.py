"""The audit log in the staff console, and the screen that asks for an access reason.

Every look at the log — a list, a search, one entry, an export — is itself an entry of
the log (action `view` or `export`, object type `audit.auditentry`), so that auditors
can see who has been reading it.
"""

from __future__ import annotations

import json
from typing import Any

import django_filters
from django import forms
from django.apps import apps
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import FormView
from django_filters.widgets import SuffixedMultiWidget
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.views import generic
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.admin.widgets import BooleanRadioSelect

from madoguchi.accounts.permissions import has_permission, request_municipality
from madoguchi.core.staff_views import ConsoleExportMixin, ServiceViewSetMixin, csv_cell, local_time

from . import access, permissions, services
from .models import Action, AuditEntry

LOG_OBJECT_TYPE = "audit.auditentry"
# Query parameters of the listing that are not a search or a filter.
_NOT_CRITERIA = {"p", "export", "_w_filter_fragment", "ordering"}


def _type_label(object_type: str) -> str:
    try:
        return str(apps.get_model(object_type)._meta.verbose_name)
    except (LookupError, ValueError):
        return object_type


class DateRangeWidget(SuffixedMultiWidget):
    """From / to as the browser's own date inputs. (Wagtail's date picker writes an
    inline script per field, which the Content-Security-Policy refuses.)"""

    template_name = "wagtailadmin/widgets/range_input.html"
    suffixes = ["from", "to"]

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        widgets = (
            forms.DateInput(attrs={"type": "date", "aria-label": gettext_lazy("この日から")}, format="%Y-%m-%d"),
            forms.DateInput(attrs={"type": "date", "aria-label": gettext_lazy("この日まで")}, format="%Y-%m-%d"),
        )
        super().__init__(widgets, attrs)

    def decompress(self, value: Any) -> list[Any]:
        return [value.start, value.stop] if value else [None, None]


class AuditEntryFilterSet(WagtailFilterSet):
    action = django_filters.ChoiceFilter(
        label=gettext_lazy("操作"), choices=Action.choices, empty_label=gettext_lazy("すべて")
    )
    personal_data = django_filters.BooleanFilter(label=gettext_lazy("個人情報"), widget=BooleanRadioSelect)
    actor = django_filters.CharFilter(
        label=gettext_lazy("操作者（メールアドレスの一部）"), field_name="actor_label", lookup_expr="icontains"
    )
    object_type = django_filters.ChoiceFilter(label=gettext_lazy("対象の種類"), empty_label=gettext_lazy("すべて"))
    subject_id = django_filters.NumberFilter(label=gettext_lazy("本人ID"))
    occurred_at = django_filters.DateFromToRangeFilter(label=gettext_lazy("日付"), widget=DateRangeWidget)

    class Meta:
        model = AuditEntry
        fields: list[str] = []

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        request = kwargs.get("request")
        types = (
            services.entries_for(request_municipality(request) if request else None)
            .exclude(object_type="")
            .values_list("object_type", flat=True)
            .distinct()
            .order_by("object_type")
        )
        self.filters["object_type"].extra["choices"] = [(t, f"{_type_label(t)} ({t})") for t in types]


def _criteria(request: HttpRequest) -> dict[str, str]:
    return {k: str(v) for k, v in request.GET.items() if k not in _NOT_CRITERIA and v}


class AuditLogIndexView(ConsoleExportMixin, generic.IndexView):
    # Entries carry no tenant scope: they stream straight from the database.
    materialize_export = False
    custom_field_preprocess = {
        "extra": {
            "csv": lambda v: csv_cell(json.dumps(v, ensure_ascii=False, sort_keys=True)),
            "xlsx": lambda v: json.dumps(v, ensure_ascii=False, sort_keys=True),
        },
        "fields": {"csv": lambda v: csv_cell(", ".join(v)), "xlsx": lambda v: ", ".join(v)},
    }

    def get_base_queryset(self) -> QuerySet[AuditEntry]:
        return services.entries_for(request_municipality(self.request))

    @cached_property
    def show_export_buttons(self) -> bool:
        return has_permission(self.request.user, permissions.EXPORT_LOG, request_municipality(self.request))

    def get_filename(self) -> str:
        municipality = request_municipality(self.request)
        chain = municipality.code if municipality else "all"
        return f"audit-log-{chain}-{timezone.localtime():%Y%m%d-%H%M%S}"

    def render_to_response(self, context: dict[str, Any], **response_kwargs: Any) -> HttpResponse:
        criteria = _criteria(self.request)
        if self.is_export:
            if not self.show_export_buttons:
                raise PermissionDenied
            services.record(
                action=Action.EXPORT,
                object_type=LOG_OBJECT_TYPE,
                request=self.request,
                extra={
                    "format": self.request.GET.get("export"),
                    "criteria": criteria,
                    "rows": context["object_list"].count(),
                },
            )
        else:
            services.record(
                action=Action.VIEW,
                object_type=LOG_OBJECT_TYPE,
                request=self.request,
                extra={"criteria": criteria, "page": self.request.GET.get("p", "1")},
            )
        return super().render_to_response(context, **response_kwargs)


class AuditEntryInspectView(generic.InspectView):
    template_name = "audit/entry_inspect.html"

    def get_object(self, queryset: Any = None) -> AuditEntry:
        return get_object_or_404(services.entries_for(request_municipality(self.request)), pk=self.pk)

    def get_page_title(self) -> str:
        return _("監査ログの記録")

    def get_page_subtitle(self) -> str:
        return f"{self.object.chain} #{self.object.sequence}"

    def get_occurred_at_display_value(self) -> str:
        return local_time(self.object.occurred_at)

    def get_fields_display_value(self) -> str:
        return ", ".join(self.object.fields) or "-"

    def get_extra_display_value(self) -> str:
        return json.dumps(self.object.extra, ensure_ascii=False, indent=1, sort_keys=True) if self.object.extra else "-"

    def get_object_type_display_value(self) -> str:
        return _type_label(self.object.object_type) if self.object.object_type else "-"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        services.record(action=Action.VIEW, obj=self.object, request=request)
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        entry = self.object
        context["hash_matches"] = any(entry.compute_hash(key) == entry.entry_hash for key in services.chain_keys())
        return context


class AuditLogViewSet(ServiceViewSetMixin, ModelViewSet):
    """監査ログ: search, filter, read and export the municipality's log."""

    dropped_url_names = ("add_url_name", "edit_url_name", "delete_url_name", "history_url_name", "usage_url_name")

    model = AuditEntry
    name = "audit-log"
    icon = "history"
    menu_label = gettext_lazy("監査ログ")
    menu_order = 900
    add_to_admin_menu = True
    add_to_reference_index = False
    copy_view_enabled = False
    inspect_view_enabled = True
    index_view_class = AuditLogIndexView
    inspect_view_class = AuditEntryInspectView
    filterset_class = AuditEntryFilterSet
    list_display = ["occurred_at", "actor_label", "action", "object_repr", "object_type", "personal_data", "reason"]
    search_fields = ["actor_label", "object_repr", "object_id", "reason", "ip_address", "request_id"]
    search_backend_name = None
    ordering = "-occurred_at"
    list_per_page = 50
    inspect_view_fields = [
        "chain", "sequence", "occurred_at", "actor_label", "actor_id", "action", "object_type", "object_id",
        "object_repr", "fields", "personal_data", "subject_id", "reason", "ip_address", "user_agent",
        "request_id", "extra", "previous_hash", "entry_hash",
    ]  # fmt: skip
    list_export = [
        "chain", "sequence", "occurred_at", "actor_id", "actor_label", "action", "get_action_display",
        "object_type", "object_id", "object_repr", "fields", "personal_data", "subject_id", "reason",
        "ip_address", "user_agent", "request_id", "extra", "previous_hash", "entry_hash",
    ]  # fmt: skip
    export_headings = {"get_action_display": gettext_lazy("操作（表示名）"), "action": gettext_lazy("操作（コード）")}

    def get_urlpatterns(self) -> list[Any]:
        # Entries are only ever read here: no add, edit, delete, copy or history views.
        return [
            path("", self.index_view, name="index"),
            path("results/", self.index_results_view, name="index_results"),
            path("inspect/<int:pk>/", self.inspect_view, name="inspect"),
        ]


# --- The access reason screen ---------------------------------------------------------


class AccessReasonForm(forms.Form):
    purpose = forms.ChoiceField(
        label=gettext_lazy("目的"), choices=[("", gettext_lazy("選んでください")), *access.Purpose.choices]
    )
    detail = forms.CharField(
        label=gettext_lazy("具体的な理由"),
        max_length=access.DETAIL_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("例：窓口で本人から転居の手続について問い合わせがあったため"),
    )

    def clean_detail(self) -> str:
        detail = " ".join(self.cleaned_data["detail"].split())
        if len(detail) < 4:
            raise forms.ValidationError(_("理由を具体的に入力してください。"))
        return detail


def _safe_next(request: HttpRequest, candidate: str) -> str:
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return reverse("wagtailadmin_home")


class AccessReasonView(WagtailAdminTemplateMixin, FormView[AccessReasonForm]):
    """Ask why the staff member is opening a resident's personal data, keep the answer
    for that resident in the session, and go on to the page that asked."""

    template_name = "audit/access_reason.html"
    form_class = AccessReasonForm
    header_icon = "help"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        self.key = request.POST.get("key") or request.GET.get("key", "")
        if not access.is_valid_key(self.key):
            raise Http404
        self.next_url = _safe_next(request, request.POST.get("next") or request.GET.get("next", ""))
        return super().dispatch(request, *args, **kwargs)

    def get_page_title(self) -> str:
        return _("閲覧の理由")

    def get_breadcrumbs_items(self) -> list[dict[str, Any]]:
        return [*self.breadcrumbs_items, {"url": "", "label": self.get_page_title()}]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        subject_type, _sep, subject_id = self.key.partition(":")
        context.update(
            key=self.key,
            next_url=self.next_url,
            subject_label=_type_label(subject_type),
            subject_id=subject_id,
            ttl_minutes=max(1, settings.PERSONAL_DATA_REASON_TTL // 60),
            action_url=reverse("audit_access_reason"),
            submit_button_label=_("理由を記録して開く"),
            submit_button_active_label=_("記録しています…"),
            cancel_url=reverse("wagtailadmin_home"),
        )
        return context

    def form_valid(self, form: AccessReasonForm) -> HttpResponse:
        access.give_reason(self.request, self.key, form.cleaned_data["purpose"], form.cleaned_data["detail"])
        return HttpResponseRedirect(self.next_url)
