"""臨時休館 in the staff console: the list of closures (upcoming, or all) and a new one in
two steps — the form, then a confirmation listing the bookings it will cancel (their
bookers are e-mailed) — so that nobody cancels forty bookings by accident.
MANAGE_FACILITIES; the confirmation shows bookers' names, an audited read."""

from __future__ import annotations

from typing import Any

from django import forms
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.urls import path, reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView
from wagtail.admin import messages
from wagtail.admin.menu import MenuItem
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.viewsets.base import ViewSet

from madoguchi.audit import services as audit
from madoguchi.core.staff_views import check, console_municipality, permission_menu_item

from .. import permissions
from ..models import Closure, ClosureKind, Facility, Unit
from ..services import closures
from ..services.occupancy import BookingError
from . import FACILITIES_MENU_HOOK
from .bookings import DateInput


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%H:%M")


class ClosureForm(forms.Form):
    facility = forms.ModelChoiceField(label=gettext_lazy("施設"), queryset=Facility.objects.none())
    units = forms.ModelMultipleChoiceField(
        label=gettext_lazy("対象の利用単位"),
        queryset=Unit.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy("選ばないときは施設全体。区画を共有する利用単位（全面と半面など）も休館になります。"),
    )
    kind = forms.ChoiceField(label=gettext_lazy("種類"), choices=ClosureKind.choices, initial=ClosureKind.MAINTENANCE)
    starts_on = forms.DateField(label=gettext_lazy("開始日"), widget=DateInput())
    ends_on = forms.DateField(label=gettext_lazy("終了日"), widget=DateInput())
    starts_at = forms.TimeField(
        label=gettext_lazy("開始時刻"), required=False, widget=TimeInput(), help_text=gettext_lazy("空欄は終日。")
    )
    ends_at = forms.TimeField(label=gettext_lazy("終了時刻"), required=False, widget=TimeInput())
    reason_ja = forms.CharField(
        label=gettext_lazy("理由"), max_length=200, help_text=gettext_lazy("利用者へのメールと空き状況に表示されます。")
    )
    reason_en = forms.CharField(label=gettext_lazy("理由（英語）"), max_length=300, required=False)

    def __init__(self, *args: Any, municipality: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        facility_field = self.fields["facility"]
        units_field = self.fields["units"]
        assert isinstance(facility_field, forms.ModelChoiceField)
        assert isinstance(units_field, forms.ModelMultipleChoiceField)
        facility_field.queryset = Facility.objects.filter(municipality=municipality).order_by("sort_order", "pk")
        units_field.queryset = (
            Unit.objects.filter(municipality=municipality)
            .select_related("facility")
            .order_by("facility__sort_order", "facility__pk", "sort_order", "pk")
        )
        units_field.label_from_instance = lambda u: f"{u.facility.name} {u.name}"  # type: ignore[method-assign,assignment]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        facility = data.get("facility")
        units = data.get("units") or []
        if facility is not None and any(unit.facility_id != facility.pk for unit in units):
            self.add_error("units", _("選んだ施設の利用単位だけを選んでください。"))
        if data.get("starts_on") and data.get("ends_on"):
            try:
                closures.validate(
                    starts_on=data["starts_on"],
                    ends_on=data["ends_on"],
                    starts_at=data.get("starts_at"),
                    ends_at=data.get("ends_at"),
                    reason_ja=data.get("reason_ja") or "-",
                )
            except BookingError as error:
                field = {"half_times": "ends_at", "bad_times": "ends_at"}.get(error.code, "ends_on")
                self.add_error(field, error.message)
        if data.get("starts_on") and data["starts_on"] < timezone.localdate():
            self.add_error("starts_on", _("開始日には今日以降の日付を入力してください。"))
        return data


class ClosureListView(WagtailAdminTemplateMixin, TemplateView):
    template_name = "facilities/staff/closures.html"
    header_icon = "warning"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        check(request, permissions.MANAGE_FACILITIES)
        console_municipality(request)
        return super().dispatch(request, *args, **kwargs)  # type: ignore[no-any-return]

    def get_page_title(self) -> str:
        return _("臨時休館")

    def get_breadcrumbs_items(self) -> list[dict[str, Any]]:
        return [*self.breadcrumbs_items, {"url": "", "label": self.get_page_title()}]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        include_past = self.request.GET.get("past") == "1"
        context: dict[str, Any] = super().get_context_data(**kwargs)
        context.update(
            closures=closures.closures_of(include_past=include_past),
            include_past=include_past,
            add_url=reverse("facilities-closures:add"),
        )
        return context


class ClosureCreateView(WagtailAdminTemplateMixin, TemplateView):
    """Step 1: the form (POST without `confirm`) → step 2: what it cancels (POST with
    `confirm`) → the closure, the cancellations and the e-mails, in one transaction."""

    template_name = "facilities/staff/closure_form.html"
    header_icon = "warning"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        check(request, permissions.MANAGE_FACILITIES)
        self.municipality = console_municipality(request)
        return super().dispatch(request, *args, **kwargs)  # type: ignore[no-any-return]

    def get_page_title(self) -> str:
        return _("臨時休館の登録")

    def get_breadcrumbs_items(self) -> list[dict[str, Any]]:
        return [
            *self.breadcrumbs_items,
            {"url": reverse("facilities-closures:index"), "label": _("臨時休館")},
            {"url": "", "label": self.get_page_title()},
        ]

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return self.render_to_response(self.get_context_data(form=ClosureForm(municipality=self.municipality)))

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form = ClosureForm(request.POST, municipality=self.municipality)
        if not form.is_valid():
            messages.error(request, _("入力内容を確認してください。"))
            response = self.render_to_response(self.get_context_data(form=form))
            response.status_code = 400
            return response
        data = form.cleaned_data
        if "confirm" not in request.POST:
            return self.preview(form)
        try:
            _closure, cancelled = closures.create_closure(
                facility=data["facility"],
                units=list(data["units"]),
                starts_on=data["starts_on"],
                ends_on=data["ends_on"],
                starts_at=data.get("starts_at"),
                ends_at=data.get("ends_at"),
                reason_ja=data["reason_ja"],
                reason_en=data.get("reason_en") or "",
                kind=data["kind"],
                actor=request.user,
                request=request,
            )
        except BookingError as error:
            form.add_error(None, error.message)
            response = self.render_to_response(self.get_context_data(form=form))
            response.status_code = 400
            return response
        messages.success(
            request,
            _("臨時休館を登録しました。%(count)s件の予約を取り消し、利用者にメールで知らせました。")
            % {"count": len(cancelled)},
        )
        return HttpResponseRedirect(reverse("facilities-closures:index"))

    def preview(self, form: ClosureForm) -> HttpResponse:
        """What the closure would cancel, computed from an unsaved closure."""
        data = form.cleaned_data
        facility = data["facility"]
        chosen = closures.sharing_units(facility, list(data["units"]))
        probe = Closure(
            municipality=self.municipality,
            facility=facility,
            starts_on=data["starts_on"],
            ends_on=data["ends_on"],
            starts_at=data.get("starts_at"),
            ends_at=data.get("ends_at"),
        )
        affected = closures.affected_bookings(probe)
        if chosen:
            wanted = {unit.pk for unit in chosen}
            affected = [booking for booking in affected if booking.unit_id in wanted]
        audit.record(
            action=audit.Action.VIEW,
            object_type="facilities.booking",
            personal_data=True,
            fields=["number", "holder", "date", "unit", "slot"],
            request=self.request,
            extra={"what": "closure_preview", "count": len(affected)},
        )
        return self.render_to_response(
            self.get_context_data(form=form, preview=True, affected=affected, units=chosen, facility=facility)
        )


class ClosureViewSet(ViewSet):
    name = "facilities-closures"
    url_prefix = "facilities/closures"
    icon = "warning"
    menu_label = gettext_lazy("臨時休館")
    menu_order = 150
    menu_hook = FACILITIES_MENU_HOOK

    def get_urlpatterns(self) -> list[Any]:
        return [
            path("", ClosureListView.as_view(), name="index"),
            path("add/", ClosureCreateView.as_view(), name="add"),
        ]

    @cached_property
    def menu_item_class(self) -> type[MenuItem]:
        return permission_menu_item(permissions.MANAGE_FACILITIES)
