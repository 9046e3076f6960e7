"""施設の設定 in the staff console: facilities (search, filters by kind and area, CSV) and
their parts — photos, 区画 (spaces), 時間区分 and 利用区分 (slot patterns and slots), 利用単位
(units), 使用料 (fee rules) and 付帯設備 (extras). One screen per kind of part, each listing
the parts of the facility chosen in its filter; a facility's edit page links to all of them.

Everything needs MANAGE_FACILITIES. Changes go through `services.setup` (checked, audited);
what cannot be — a unit made of another facility's spaces, slots not on the half hour or
overlapping — comes back to the form as a message by the field.
"""

from __future__ import annotations

from typing import Any, ClassVar

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Count, Model, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail import hooks
from wagtail.admin import messages
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.menu import MenuItem
from wagtail.admin.ui.tables import Column, TitleColumn
from wagtail.admin.views import generic
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permissions import register_permission_policy

from madoguchi.accounts.permissions import request_municipality
from madoguchi.core.models import Department
from madoguchi.core.staff_views import (
    ConsoleExportMixin,
    RolePermissionPolicy,
    ServiceFormMixin,
    ServiceViewSetMixin,
    console_municipality,
    permission_menu_item,
)

from .. import permissions
from ..models import (
    Facility,
    FacilityKind,
    FacilityPhoto,
    FeeExtra,
    FeeRule,
    Slot,
    SlotPattern,
    Space,
    Unit,
)
from ..services import setup
from . import FACILITIES_MENU_HOOK

FACILITY_FIELDS = [
    "name_ja", "name_kana", "name_en", "slug", "kind", "area_ja", "area_en", "postal_code", "address_ja",
    "address_en", "latitude", "longitude", "access_ja", "access_en", "description_ja", "description_en",
    "accessibility_ja", "accessibility_en", "wheelchair_accessible", "accessible_toilet", "accessible_parking",
    "parking_spaces", "phone", "department", "opens_at", "closes_at", "closed_weekdays", "open_on_holidays",
    "year_end_closure", "booking_horizon_days", "booking_closes_days", "free_cancel_days", "cancel_deadline_days",
    "cancellation_fee_percent", "payment_due_days", "is_published", "sort_order",
]  # fmt: skip

TEXTAREA = forms.Textarea(attrs={"rows": 3})
TIME = forms.TimeInput(attrs={"type": "time", "step": 1800}, format="%H:%M")


def _municipality_id(request: HttpRequest | None) -> int | None:
    municipality = request_municipality(request) if request is not None else None
    return municipality.pk if municipality is not None else None


def _facilities(request: HttpRequest | None) -> QuerySet[Facility]:
    return Facility.objects.filter(municipality_id=_municipality_id(request))


class PartForm(forms.ModelForm[Any]):
    """A part's form: its choices of facilities, spaces, patterns … are the municipality's
    (set when the form is made, inside the request's scope). `scoped` maps a field to the
    model and the relations to load for its labels."""

    scoped: ClassVar[dict[str, tuple[type[Model], tuple[str, ...]]]] = {}

    def __init__(self, *args: Any, for_user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        municipality_id = self.instance.municipality_id
        for name, (model, related) in self.scoped.items():
            queryset = model._default_manager.filter(municipality_id=municipality_id)
            self.fields[name].queryset = queryset.select_related(*related) if related else queryset  # type: ignore[attr-defined]

    def m2m_values(self) -> dict[str, list[Model]]:
        return {
            name: list(self.cleaned_data.get(name) or [])
            for name, field in self.fields.items()
            if isinstance(field, forms.ModelMultipleChoiceField)
        }

    def validate_unique(self) -> None:
        # The constraints' own messages name the constraint ("facility_fee_rule_unique");
        # `setup.check_part` checks the same in words below, and the service checks every
        # constraint again when it saves.
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
        # The cross-row checks of the service, by field, before anything is saved.
        if not self.errors:
            try:
                setup.check_part(self.instance, self.m2m_values())
            except ValidationError as error:
                self._update_errors(error)  # type: ignore[attr-defined]


# --- Facilities ------------------------------------------------------------------------


class FacilityFilterSet(WagtailFilterSet):
    kind = django_filters.ChoiceFilter(
        label=gettext_lazy("種類"), choices=FacilityKind.choices, empty_label=gettext_lazy("すべて")
    )
    area = django_filters.ChoiceFilter(
        label=gettext_lazy("地区"), field_name="area_ja", choices=[], empty_label=gettext_lazy("すべて")
    )
    is_published = django_filters.BooleanFilter(label=gettext_lazy("公開"))

    class Meta:
        model = Facility
        fields: list[str] = []

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        areas = _facilities(self.request).exclude(area_ja="").order_by("area_ja").values_list("area_ja", flat=True)
        self.filters["area"].extra["choices"] = [(area, area) for area in dict.fromkeys(areas)]


class FacilityForm(PartForm):
    # Declared, not generated: a generated field would query tenant models when the form
    # class is created, outside any municipality's scope.
    scoped = {"department": (Department, ())}
    department = forms.ModelChoiceField(
        label=gettext_lazy("所管部署"), queryset=Department.unscoped.none(), required=False
    )

    class Meta:
        model = Facility
        fields = FACILITY_FIELDS
        widgets = {
            "access_ja": TEXTAREA,
            "access_en": TEXTAREA,
            "description_ja": TEXTAREA,
            "description_en": TEXTAREA,
            "accessibility_ja": TEXTAREA,
            "accessibility_en": TEXTAREA,
            "opens_at": TIME,
            "closes_at": TIME,
        }


class FacilityIndexView(ConsoleExportMixin, generic.IndexView):
    def get_base_queryset(self) -> QuerySet[Facility]:
        return Facility.objects.filter(municipality=console_municipality(self.request)).annotate(
            unit_count=Count("units", distinct=True)
        )

    @cached_property
    def columns(self) -> list[Any]:
        return [
            TitleColumn(
                "name_ja",
                label=gettext_lazy("施設名"),
                get_url=lambda f: reverse("facilities-setup:edit", args=[f.pk]),
                sort_key="name_ja",
            ),
            Column("kind", label=gettext_lazy("種類"), accessor="get_kind_display"),
            Column("area_ja", label=gettext_lazy("地区")),
            Column("unit_count", label=gettext_lazy("利用単位の数")),
            Column(
                "is_published",
                label=gettext_lazy("公開"),
                accessor=lambda f: _("公開") if f.is_published else _("非公開"),
            ),
        ]


class FacilityCreateView(ServiceFormMixin, generic.CreateView):
    def get_initial_form_instance(self) -> Facility:
        return Facility(municipality=console_municipality(self.request))

    def save_through_service(self) -> Model:
        return setup.save_part(
            self.form.instance, actor=self.request.user, request=self.request, fields=self.form.changed_data
        )


class FacilityEditView(ServiceFormMixin, generic.EditView):
    def save_through_service(self) -> Model:
        return setup.save_part(
            self.form.instance, actor=self.request.user, request=self.request, fields=self.form.changed_data
        )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context: dict[str, Any] = super().get_context_data(**kwargs)
        facility: Facility = self.object
        counts = {
            "photos": facility.photos.count(),
            "spaces": facility.spaces.count(),
            "patterns": facility.slot_patterns.count(),
            "slots": Slot.objects.filter(pattern__facility=facility).count(),
            "units": facility.units.count(),
            "fees": FeeRule.objects.filter(unit__facility=facility).count(),
            "extras": facility.fee_extras.count(),
        }
        context["parts"] = [
            {
                "label": viewset.menu_label,
                "count": counts[key],
                "list_url": f"{reverse(viewset.get_url_name('index'))}?facility={facility.pk}",
                "add_url": f"{reverse(viewset.get_url_name('add'))}?facility={facility.pk}",
            }
            for key, viewset in PART_VIEWSETS.items()
        ]
        return context


class FacilityViewSet(ServiceViewSetMixin, ModelViewSet):
    """施設: the municipality's facilities; each links to its parts."""

    dropped_url_names = ("delete_url_name", "history_url_name", "usage_url_name", "inspect_url_name")

    model = Facility
    name = "facilities-setup"
    url_prefix = "facilities/setup/facilities"
    icon = "home"
    menu_label = gettext_lazy("施設の設定")
    menu_order = 800
    menu_hook = FACILITIES_MENU_HOOK
    add_to_reference_index = False
    copy_view_enabled = False
    inspect_view_enabled = False
    form_class = FacilityForm
    index_view_class = FacilityIndexView
    add_view_class = FacilityCreateView
    edit_view_class = FacilityEditView
    filterset_class = FacilityFilterSet
    search_fields = ["name_ja", "name_kana", "name_en", "slug", "address_ja", "area_ja"]
    search_backend_name = None
    ordering = ["sort_order", "name_kana", "slug"]
    edit_template_name = "facilities/staff/setup/facility_edit.html"
    list_export = [
        "slug", "name_ja", "name_kana", "name_en", "kind", "area_ja", "postal_code", "address_ja", "latitude",
        "longitude", "phone", "opens_at", "closes_at", "closed_weekdays", "open_on_holidays", "year_end_closure",
        "wheelchair_accessible", "accessible_toilet", "accessible_parking", "parking_spaces", "is_published",
    ]  # fmt: skip
    export_filename = "facilities"

    def get_form_class(self, for_update: bool = False) -> type[FacilityForm]:
        return FacilityForm

    @cached_property
    def menu_item_class(self) -> type[MenuItem]:
        return permission_menu_item(permissions.MANAGE_FACILITIES)


# --- A facility's parts ----------------------------------------------------------------


def _facility_field(**kwargs: Any) -> forms.ModelChoiceField[Any]:
    return forms.ModelChoiceField(label=gettext_lazy("施設"), queryset=Facility.unscoped.none(), **kwargs)


class PhotoField(forms.ImageField):
    # The content decides what a file is (`setup.safe_photo`), not its name: the stored
    # name is a random one with the extension of the real format.
    default_validators = []  # type: ignore[misc]


class PhotoForm(PartForm):
    scoped = {"facility": (Facility, ())}
    facility = _facility_field()
    image = PhotoField(
        label=gettext_lazy("画像"),
        help_text=gettext_lazy("JPEG・PNG・WebP、5MBまで。位置情報などの付加情報は取り除いて保存します。"),
    )

    class Meta:
        model = FacilityPhoto
        fields = ["facility", "image", "alt_ja", "alt_en", "caption_ja", "caption_en", "sort_order"]
        help_texts = {
            "alt_ja": gettext_lazy(
                "写真が見えない人に読み上げられる説明です（例：体育館のアリーナ。バスケットゴール6基）。"
            ),
        }

    def clean_image(self) -> Any:
        upload = self.cleaned_data.get("image")
        if upload and hasattr(upload, "read") and getattr(upload, "content_type", None) is not None:
            return setup.safe_photo(upload)
        return upload

    def clean_alt_ja(self) -> str:
        alt = (self.cleaned_data.get("alt_ja") or "").strip()
        if not alt:
            raise ValidationError(_("代替テキストを入力してください。"))
        return alt


class SpaceForm(PartForm):
    scoped = {"facility": (Facility, ())}
    facility = _facility_field()

    class Meta:
        model = Space
        fields = ["facility", "code", "name_ja", "name_en"]


class SlotPatternForm(PartForm):
    scoped = {"facility": (Facility, ())}
    facility = _facility_field()

    class Meta:
        model = SlotPattern
        fields = ["facility", "name_ja", "name_en"]


class SlotForm(PartForm):
    scoped = {"pattern": (SlotPattern, ("facility",))}
    pattern = forms.ModelChoiceField(label=gettext_lazy("時間区分"), queryset=SlotPattern.unscoped.none())

    class Meta:
        model = Slot
        fields = ["pattern", "name_ja", "name_en", "starts_at", "ends_at", "sort_order"]
        widgets = {"starts_at": TIME, "ends_at": TIME}
        help_texts = {"starts_at": gettext_lazy("30分単位（例：9:00、13:30）。")}


class UnitForm(PartForm):
    scoped = {
        "facility": (Facility, ()),
        "spaces": (Space, ("facility",)),
        "slot_pattern": (SlotPattern, ("facility",)),
    }
    facility = _facility_field()
    spaces = forms.ModelMultipleChoiceField(
        label=gettext_lazy("使う区画"),
        queryset=Space.unscoped.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy("この施設の区画を選びます。区画を共有する利用単位は同じ時間に予約できません。"),
    )
    slot_pattern = forms.ModelChoiceField(label=gettext_lazy("時間区分"), queryset=SlotPattern.unscoped.none())

    class Meta:
        model = Unit
        fields = [
            "facility", "slug", "name_ja", "name_en", "spaces", "slot_pattern", "capacity", "area_m2",
            "description_ja", "description_en", "is_bookable_online", "is_active", "sort_order",
        ]  # fmt: skip
        widgets = {"description_ja": TEXTAREA, "description_en": TEXTAREA}


class FeeRuleForm(PartForm):
    scoped = {"unit": (Unit, ("facility",)), "slot": (Slot, ("pattern__facility",))}
    unit = forms.ModelChoiceField(label=gettext_lazy("利用単位"), queryset=Unit.unscoped.none())
    slot = forms.ModelChoiceField(
        label=gettext_lazy("利用区分"),
        queryset=Slot.unscoped.none(),
        required=False,
        help_text=gettext_lazy("空欄にすると、その利用単位の区分すべてに使う料金になります。"),
    )

    class Meta:
        model = FeeRule
        fields = ["unit", "slot", "day_kind", "residency", "amount"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # A slot's own name is short (午前); say whose it is.
        slot_field: Any = self.fields["slot"]
        slot_field.label_from_instance = lambda slot: (
            f"{slot.pattern.facility.name_ja} {slot.pattern.name_ja} {slot.label}"
        )


class FeeExtraForm(PartForm):
    scoped = {"facility": (Facility, ()), "units": (Unit, ("facility",))}
    facility = _facility_field()
    units = forms.ModelMultipleChoiceField(
        label=gettext_lazy("対象の利用単位"),
        queryset=Unit.unscoped.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy("選ばないと、この施設のすべての利用単位で使えます。"),
    )

    class Meta:
        model = FeeExtra
        fields = ["facility", "units", "code", "name_ja", "name_en", "amount", "night_only"]


class PartFilterSet(WagtailFilterSet):
    facility = django_filters.ModelChoiceFilter(
        label=gettext_lazy("施設"), queryset=_facilities, empty_label=gettext_lazy("すべて")
    )
    #: The lookup from the part to its facility.
    facility_path: ClassVar[str] = "facility"

    def filter_queryset(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        facility = self.form.cleaned_data.pop("facility", None)
        queryset = super().filter_queryset(queryset)
        if facility is not None:
            queryset = queryset.filter(**{self.facility_path: facility})
        return queryset


def _filterset(model: type[Model], path: str) -> type[PartFilterSet]:
    meta = type("Meta", (), {"model": model, "fields": []})
    return type(f"{model.__name__}FilterSet", (PartFilterSet,), {"Meta": meta, "facility_path": path})


class PartIndexView(generic.IndexView):
    facility_path = "facility"

    def get_base_queryset(self) -> QuerySet[Any]:
        municipality = console_municipality(self.request)
        return self.model._default_manager.filter(municipality=municipality)  # type: ignore[union-attr]

    def get_add_url(self) -> str | None:
        url: str | None = super().get_add_url()
        facility = self.request.GET.get("facility", "")
        return f"{url}?facility={facility}" if url and facility.isdigit() else url


class PartCreateView(ServiceFormMixin, generic.CreateView):
    #: The query parameter that chooses the new part's parent (?facility=, ?pattern=, ?unit=).
    parent_fields: ClassVar[dict[str, type[Model]]] = {}

    def get_initial_form_instance(self) -> Model:
        municipality = console_municipality(self.request)
        instance = self.model(municipality=municipality)  # type: ignore[misc]
        for name, model in self.parent_fields.items():
            value = self.request.GET.get(name, "")
            if value.isdigit():
                parent = model._default_manager.filter(municipality=municipality, pk=value).first()
                if parent is not None:
                    setattr(instance, name, parent)
        return instance

    def get_initial(self) -> dict[str, Any]:
        initial: dict[str, Any] = super().get_initial()
        value = self.request.GET.get("facility", "")
        if value.isdigit() and "pattern" in self.parent_fields:
            pattern = SlotPattern.objects.filter(facility_id=value).first()
            if pattern is not None:
                initial["pattern"] = pattern
        return initial

    def save_through_service(self) -> Model:
        form: PartForm = self.form  # type: ignore[assignment]
        return setup.save_part(
            form.instance,
            actor=self.request.user,
            request=self.request,
            fields=form.changed_data,
            m2m=form.m2m_values(),
        )


class PartEditView(ServiceFormMixin, generic.EditView):
    def save_through_service(self) -> Model:
        form: PartForm = self.form  # type: ignore[assignment]
        m2m = {name: values for name, values in form.m2m_values().items() if name in form.changed_data}
        return setup.save_part(
            form.instance, actor=self.request.user, request=self.request, fields=form.changed_data, m2m=m2m
        )


class PartDeleteView(generic.DeleteView):
    def delete_action(self) -> None:
        setup.delete_part(self.object, actor=self.request.user, request=self.request)

    def form_valid(self, form: Any) -> HttpResponse:
        try:
            return super().form_valid(form)  # type: ignore[no-any-return]
        except ValidationError as error:
            messages.error(self.request, " ".join(error.messages))
            return HttpResponseRedirect(reverse(self.edit_url_name, args=[self.object.pk]))  # type: ignore[arg-type]


class PartViewSet(ServiceViewSetMixin, ModelViewSet):
    """A kind of part of facilities, listed per facility; not in the menu (reached from
    the facility's page)."""

    dropped_url_names = ("history_url_name", "usage_url_name", "inspect_url_name")
    add_to_reference_index = False
    copy_view_enabled = False
    inspect_view_enabled = False
    search_backend_name = None
    index_view_class = PartIndexView
    add_view_class = PartCreateView
    edit_view_class = PartEditView
    delete_view_class = PartDeleteView
    part_form: type[PartForm]
    facility_path = "facility"
    parent_fields: ClassVar[dict[str, type[Model]]] = {"facility": Facility}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.filterset_class = _filterset(self.model, self.facility_path)
        self.add_view_class = type(  # type: ignore[assignment]
            f"{self.model.__name__}CreateView", (PartCreateView,), {"parent_fields": self.parent_fields}
        )

    def get_form_class(self, for_update: bool = False) -> type[PartForm]:
        return self.part_form


class PhotoViewSet(PartViewSet):
    model = FacilityPhoto
    name = "facilities-photos"
    url_prefix = "facilities/setup/photos"
    icon = "image"
    menu_label = gettext_lazy("写真")
    part_form = PhotoForm
    list_display = ["alt_ja", "facility", "caption_ja", "sort_order"]
    ordering = ["facility", "sort_order", "pk"]


class SpaceViewSet(PartViewSet):
    model = Space
    name = "facilities-spaces"
    url_prefix = "facilities/setup/spaces"
    icon = "placeholder"
    menu_label = gettext_lazy("区画")
    part_form = SpaceForm
    list_display = ["name_ja", "facility", "code", "name_en"]
    search_fields = ["name_ja", "name_en", "code"]
    ordering = ["facility", "code"]


class SlotPatternViewSet(PartViewSet):
    model = SlotPattern
    name = "facilities-patterns"
    url_prefix = "facilities/setup/patterns"
    icon = "time"
    menu_label = gettext_lazy("時間区分")
    part_form = SlotPatternForm
    list_display = ["name_ja", "facility", "name_en"]
    ordering = ["facility", "pk"]


class SlotViewSet(PartViewSet):
    model = Slot
    name = "facilities-slots"
    url_prefix = "facilities/setup/slots"
    icon = "time"
    menu_label = gettext_lazy("利用区分（時間帯）")
    part_form = SlotForm
    facility_path = "pattern__facility"
    parent_fields = {"pattern": SlotPattern}
    list_display = ["name_ja", "pattern", "starts_at", "ends_at", "sort_order"]
    ordering = ["pattern", "starts_at"]


class UnitViewSet(PartViewSet):
    model = Unit
    name = "facilities-units"
    url_prefix = "facilities/setup/units"
    icon = "table"
    menu_label = gettext_lazy("利用単位")
    part_form = UnitForm
    list_display = ["name_ja", "facility", "slug", "capacity", "is_bookable_online", "is_active"]
    search_fields = ["name_ja", "name_en", "slug"]
    ordering = ["facility", "sort_order", "slug"]


class FeeRuleViewSet(PartViewSet):
    model = FeeRule
    name = "facilities-fees"
    url_prefix = "facilities/setup/fees"
    icon = "tag"
    menu_label = gettext_lazy("使用料")
    part_form = FeeRuleForm
    facility_path = "unit__facility"
    parent_fields = {"unit": Unit}
    list_display = ["unit", "slot", "day_kind", "residency", "amount"]
    ordering = ["unit", "slot", "day_kind", "residency"]
    list_export = ["unit.facility.name_ja", "unit.name_ja", "slot.name_ja", "day_kind", "residency", "amount"]


class FeeExtraViewSet(PartViewSet):
    model = FeeExtra
    name = "facilities-extras"
    url_prefix = "facilities/setup/extras"
    icon = "plus"
    menu_label = gettext_lazy("付帯設備・加算料金")
    part_form = FeeExtraForm
    list_display = ["name_ja", "facility", "code", "amount", "night_only"]
    ordering = ["facility", "code"]


PART_VIEWSETS: dict[str, PartViewSet] = {
    "photos": PhotoViewSet(),
    "spaces": SpaceViewSet(),
    "patterns": SlotPatternViewSet(),
    "slots": SlotViewSet(),
    "units": UnitViewSet(),
    "fees": FeeRuleViewSet(),
    "extras": FeeExtraViewSet(),
}

_MANAGE = permissions.MANAGE_FACILITIES
register_permission_policy(
    Facility, RolePermissionPolicy(Facility, {"view": _MANAGE, "add": _MANAGE, "change": _MANAGE})
)
for _model in (FacilityPhoto, Space, SlotPattern, Slot, Unit, FeeRule, FeeExtra):
    register_permission_policy(
        _model, RolePermissionPolicy(_model, {"view": _MANAGE, "add": _MANAGE, "change": _MANAGE, "delete": _MANAGE})
    )


def viewsets() -> list[Any]:
    """The setup screens, registered below."""
    return [FacilityViewSet(), *PART_VIEWSETS.values()]


@hooks.register("register_admin_viewset")
def register_setup_viewsets() -> list[Any]:
    # The statistics screen comes in with these: wagtail_hooks imports this module only.
    from . import statistics

    return [*viewsets(), *statistics.viewsets()]
