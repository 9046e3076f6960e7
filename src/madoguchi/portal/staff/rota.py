"""休日当番医 in the staff console: the municipality's duties (search, filters by kind and
dates, CSV export in the rota file's layout), one duty at a time (add, edit, delete) and
a whole rota from the medical association's CSV file (取込), which is refused whole with
every broken row and its line when anything is wrong.

Staff who edit the website (EDIT_WEBSITE) keep the rota. Nothing here is personal data
(clinics, their addresses and phone numbers are public), so the listing is not an audited
read; every change is audited by `services.rota`.

Registered with Wagtail when this module is imported (`portal.apps.PortalConfig.ready` imports it).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import django_filters
from django import forms
from django.db.models import Model, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.urls import path, reverse
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
from wagtail.admin.widgets.button import HeaderButton
from wagtail.permissions import register_permission_policy

from madoguchi.core.staff_views import (
    ConsoleExportMixin,
    RolePermissionPolicy,
    ServiceFormMixin,
    check,
    console_municipality,
    permission_menu_item,
)

from ..models import DutyKind, HolidayDoctorDuty
from ..permissions import EDIT_WEBSITE
from ..services import rota

DUTY_FORM_FIELDS = ["date", "kind", "institution", "address", "phone", "opens_at", "closes_at", "note"]
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TIME = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")


class DutyForm(forms.ModelForm[HolidayDoctorDuty]):
    class Meta:
        model = HolidayDoctorDuty
        fields = DUTY_FORM_FIELDS
        widgets = {"date": DATE, "opens_at": TIME, "closes_at": TIME}

    def __init__(self, *args: Any, for_user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)

    def validate_unique(self) -> None:
        # The constraint's own message names the constraint; `rota.save_duty` says it in
        # words, by the field.
        return None

    def _post_clean(self) -> None:
        model_clean = self.instance.full_clean
        self.instance.full_clean = lambda *args, **kwargs: model_clean(  # type: ignore[method-assign]
            *args, **{**kwargs, "validate_constraints": False}
        )
        try:
            super()._post_clean()  # type: ignore[misc]
        finally:
            del self.instance.full_clean


class DutyFilterSet(WagtailFilterSet):
    kind = django_filters.ChoiceFilter(
        label=gettext_lazy("診療科目"), choices=DutyKind.choices, empty_label=gettext_lazy("すべて")
    )
    date_from = django_filters.DateFilter(
        label=gettext_lazy("日付（から）"), field_name="date", lookup_expr="gte", widget=DATE
    )
    date_to = django_filters.DateFilter(
        label=gettext_lazy("日付（まで）"), field_name="date", lookup_expr="lte", widget=DATE
    )

    class Meta:
        model = HolidayDoctorDuty
        fields: list[str] = []


def _own_duties(request: HttpRequest) -> QuerySet[HolidayDoctorDuty]:
    """The duties of the staff member's municipality (another's are a 404)."""
    return HolidayDoctorDuty.objects.filter(municipality=console_municipality(request))


class DutyIndexView(ConsoleExportMixin, generic.IndexView):
    def get_base_queryset(self) -> QuerySet[HolidayDoctorDuty]:
        return _own_duties(self.request)

    @cached_property
    def columns(self) -> list[Any]:
        return [
            TitleColumn(
                "date",
                label=gettext_lazy("日付"),
                get_url=lambda d: reverse("portal-rota:edit", args=[d.pk]),
                sort_key="date",
                accessor=lambda d: d.date.isoformat(),
            ),
            Column("kind", label=gettext_lazy("診療科目"), accessor="get_kind_display"),
            Column("institution", label=gettext_lazy("医療機関名"), sort_key="institution"),
            Column("phone", label=gettext_lazy("電話番号")),
            Column(
                "hours",
                label=gettext_lazy("受付時間"),
                accessor=lambda d: f"{d.opens_at:%H:%M}–{d.closes_at:%H:%M}",
            ),
        ]

    @cached_property
    def header_buttons(self) -> list[Any]:
        buttons = list(super().header_buttons)
        buttons.append(HeaderButton(label=_("CSVから取り込む"), url=reverse("portal-rota:import"), icon_name="upload"))
        return buttons

    def to_row_dict(self, item: HolidayDoctorDuty) -> dict[str, Any]:
        # The rota file's layout, so that an exported file imports again.
        values = rota.export_rows(item.municipality, [item])[1]
        return dict(zip(self.list_export, values, strict=True))


class DutyCreateView(ServiceFormMixin, generic.CreateView):
    def get_initial_form_instance(self) -> HolidayDoctorDuty:
        return HolidayDoctorDuty(municipality=console_municipality(self.request))

    def save_through_service(self) -> Model:
        return rota.save_duty(self.form.instance, actor=self.request.user, request=self.request)


class DutyEditView(ServiceFormMixin, generic.EditView):
    def get_object(self, queryset: Any = None) -> HolidayDoctorDuty:
        return super().get_object(_own_duties(self.request))  # type: ignore[no-any-return]

    def save_through_service(self) -> Model:
        return rota.save_duty(
            self.form.instance, actor=self.request.user, request=self.request, fields=self.form.changed_data
        )


class DutyDeleteView(generic.DeleteView):
    def get_object(self, queryset: Any = None) -> HolidayDoctorDuty:
        return super().get_object(_own_duties(self.request))  # type: ignore[no-any-return]

    def delete_action(self) -> None:
        rota.delete_duty(self.object, actor=self.request.user, request=self.request)


class RotaImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("当番表のCSVファイル"),
        help_text=gettext_lazy(
            "見出しの行に 日付・診療科目・医療機関名・所在地・電話番号・受付開始・受付終了・備考 の列がある"
            "CSV（UTF-8）。1行でも誤りがあれば、何も取り込みません。"
        ),
    )


class RotaImportView(WagtailAdminTemplateMixin, TemplateView):
    """Upload → every row checked → all rows written, or none with the errors by line."""

    template_name = "portal/staff/rota_import.html"
    header_icon = "upload"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        check(request, EDIT_WEBSITE)
        self.municipality = console_municipality(request)
        return super().dispatch(request, *args, **kwargs)  # type: ignore[no-any-return]

    def get_page_title(self) -> str:
        return _("休日当番医の取込")

    def get_breadcrumbs_items(self) -> list[dict[str, Any]]:
        return [
            *self.breadcrumbs_items,
            {"url": reverse("portal-rota:index"), "label": _("休日当番医")},
            {"url": "", "label": self.get_page_title()},
        ]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context: dict[str, Any] = super().get_context_data(**kwargs)
        context.setdefault("form", RotaImportForm())
        context["columns"] = rota.ROTA_COLUMNS
        context["example_date"] = (
            dt.date.today() + dt.timedelta(days=(6 - dt.date.today().weekday()) or 7)
        ).isoformat()
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form = RotaImportForm(request.POST, request.FILES)
        if not form.is_valid():
            return self._refused(form, [])
        upload = form.cleaned_data["file"]
        try:
            result = rota.import_rota(
                self.municipality, upload.read(), actor=request.user, request=request, file_name=upload.name
            )
        except rota.RotaImportError as error:
            return self._refused(form, error.errors)
        messages.success(
            request,
            _(
                "当番表を取り込みました（%(rows)s行：追加 %(created)s件、更新 %(updated)s件、"
                "変更なし %(unchanged)s件）。"
            )
            % {
                "rows": result.rows,
                "created": result.created,
                "updated": result.updated,
                "unchanged": result.unchanged,
            },
        )
        return HttpResponseRedirect(reverse("portal-rota:index"))

    def _refused(self, form: RotaImportForm, errors: list[rota.RowError]) -> HttpResponse:
        messages.error(self.request, _("ファイルに誤りがあるため、何も取り込んでいません。"))
        response = self.render_to_response(self.get_context_data(form=form, errors=errors))
        response.status_code = 400
        return response


class RotaViewSet(ModelViewSet):
    """休日当番医: the duties of the holiday doctor rota shown on the website."""

    model = HolidayDoctorDuty
    name = "portal-rota"
    url_prefix = "website/holiday-doctors"
    icon = "date"
    menu_label = gettext_lazy("休日当番医")
    menu_order = 205
    add_to_reference_index = False
    copy_view_enabled = False
    inspect_view_enabled = False
    form_class = DutyForm
    index_view_class = DutyIndexView
    add_view_class = DutyCreateView
    edit_view_class = DutyEditView
    delete_view_class = DutyDeleteView
    filterset_class = DutyFilterSet
    search_fields = ["institution", "address", "phone", "note"]
    search_backend_name = None
    ordering = ["date", "kind", "institution"]
    list_export = list(rota.DUTY_FIELDS)
    export_headings = dict(zip(rota.DUTY_FIELDS, rota.ROTA_COLUMNS, strict=True))
    export_filename = "holiday_doctors"

    def get_form_class(self, for_update: bool = False) -> type[DutyForm]:
        return DutyForm

    def get_urlpatterns(self) -> list[Any]:
        return [*super().get_urlpatterns(), path("import/", RotaImportView.as_view(), name="import")]

    def register_admin_url_finder(self) -> None:
        return None

    def register_permissions(self) -> None:
        return None

    @cached_property
    def menu_item_class(self) -> type[MenuItem]:
        return permission_menu_item(EDIT_WEBSITE)


register_permission_policy(
    HolidayDoctorDuty,
    RolePermissionPolicy(
        HolidayDoctorDuty, {"view": EDIT_WEBSITE, "add": EDIT_WEBSITE, "change": EDIT_WEBSITE, "delete": EDIT_WEBSITE}
    ),
)


@hooks.register("register_admin_viewset")
def register_rota_viewset() -> list[Any]:
    return [RotaViewSet()]
