"""手続 and 分類 in the staff console: the catalog of procedures (search, filter by
department and category, create and edit) and its categories; each procedure links to
its 様式 (form) screens in `editor`. Everything needs MANAGE_PROCEDURES; a department
head manages their own department's procedures, those who hold VIEW_ALL_DEPARTMENTS
every department's. Changes go through `services.catalog` (audited).
"""

from __future__ import annotations

from typing import Any

import django_filters
from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import path, reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.menu import MenuItem
from wagtail.admin.ui.tables import Column, TitleColumn
from wagtail.admin.views import generic
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permissions import register_permission_policy

from madoguchi.accounts.permissions import request_municipality
from madoguchi.core.models import Department
from madoguchi.core.staff_views import (
    RolePermissionPolicy,
    ServiceFormMixin,
    ServiceViewSetMixin,
    changed_values,
    check,
    console_municipality,
    permission_menu_item,
)

from .. import permissions
from ..models import Procedure, ProcedureCategory
from ..services import catalog
from . import PROCEDURES_MENU_HOOK

PROCEDURE_FIELDS = [
    "name_ja", "name_en", "slug", "code", "reading", "keywords", "department", "category", "summary_ja",
    "summary_en", "eligibility_ja", "eligibility_en", "attachments_ja", "attachments_en", "identity_level",
    "availability", "fee_timing", "fee_note_ja", "fee_note_en", "processing_days", "paper_form", "retention_days",
    "retention_action", "is_published", "sort_order",
]  # fmt: skip
CATEGORY_FIELDS = ["name_ja", "name_en", "slug", "sort_order"]
PAPER_FORM_MAX_BYTES = 10 * 1024 * 1024


def _departments(request: HttpRequest | None) -> QuerySet[Department]:
    municipality = request_municipality(request) if request is not None else None
    if municipality is None:
        return Department.objects.none()
    return Department.objects.filter(municipality=municipality).order_by("sort_order", "code")


def _categories(request: HttpRequest | None) -> QuerySet[ProcedureCategory]:
    municipality = request_municipality(request) if request is not None else None
    if municipality is None:
        return ProcedureCategory.objects.none()
    return ProcedureCategory.objects.filter(municipality=municipality)


class ProcedureFilterSet(WagtailFilterSet):
    department = django_filters.ModelChoiceFilter(
        label=gettext_lazy("担当部署"), queryset=_departments, empty_label=gettext_lazy("すべて")
    )
    category = django_filters.ModelChoiceFilter(
        label=gettext_lazy("分類"), queryset=_categories, empty_label=gettext_lazy("すべて")
    )

    class Meta:
        model = Procedure
        fields: list[str] = []


class ProcedureForm(forms.ModelForm[Procedure]):
    # Declared, not generated: a generated field would query tenant models when the form
    # class is created, outside any municipality's scope.
    department = forms.ModelChoiceField(label=gettext_lazy("担当部署"), queryset=Department.unscoped.none())
    category = forms.ModelChoiceField(
        label=gettext_lazy("分類"), queryset=ProcedureCategory.unscoped.none(), required=False
    )

    class Meta:
        model = Procedure
        fields = PROCEDURE_FIELDS
        widgets = {
            "summary_ja": forms.Textarea(attrs={"rows": 3}),
            "summary_en": forms.Textarea(attrs={"rows": 3}),
            "eligibility_ja": forms.Textarea(attrs={"rows": 2}),
            "eligibility_en": forms.Textarea(attrs={"rows": 2}),
            "attachments_ja": forms.Textarea(attrs={"rows": 2}),
            "attachments_en": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args: Any, for_user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        municipality_id = self.instance.municipality_id
        departments = Department.objects.filter(municipality_id=municipality_id).order_by("sort_order", "code")
        own = catalog.own_department(for_user, self.instance.municipality) if for_user is not None else None
        if own is not None:
            departments = departments.filter(pk=own)
        self.fields["department"].queryset = departments  # type: ignore[attr-defined]
        self.fields["category"].queryset = ProcedureCategory.objects.filter(  # type: ignore[attr-defined]
            municipality_id=municipality_id
        )

    def clean_paper_form(self) -> Any:
        upload = self.cleaned_data.get("paper_form")
        if upload and hasattr(upload, "read") and getattr(upload, "content_type", None) is not None:
            # Checked by content: a PDF starts with %PDF-, whatever the file is called.
            head = upload.read(5)
            upload.seek(0)
            if head != b"%PDF-":
                raise ValidationError(_("申請書はPDFファイルを選んでください（ファイルの中身がPDFではありません）。"))
            if upload.size > PAPER_FORM_MAX_BYTES:
                raise ValidationError(_("申請書のPDFは10MB以下にしてください。"))
        return upload


def form_url(procedure: Procedure) -> str:
    return reverse("procedures-catalog:form", args=[procedure.pk])


class ProcedureIndexView(generic.IndexView):
    def get_base_queryset(self) -> QuerySet[Procedure]:
        return catalog.manageable_procedures(self.request.user, console_municipality(self.request)).select_related(
            "department", "category"
        )

    @cached_property
    def columns(self) -> list[Any]:
        return [
            TitleColumn(
                "name_ja",
                label=gettext_lazy("手続名"),
                get_url=lambda p: reverse("procedures-catalog:edit", args=[p.pk]),
                sort_key="name_ja",
            ),
            Column("department", label=gettext_lazy("担当部署"), accessor=lambda p: p.department.name),
            Column("category", label=gettext_lazy("分類"), accessor=lambda p: p.category.name if p.category else ""),
            Column("identity_level", label=gettext_lazy("本人確認"), accessor="get_identity_level_display"),
            Column("availability", label=gettext_lazy("申請方法"), accessor="get_availability_display"),
            Column(
                "is_published",
                label=gettext_lazy("公開"),
                accessor=lambda p: _("公開") if p.is_published else _("非公開"),
            ),
            FormLinkColumn("form", label=gettext_lazy("様式")),
        ]


class FormLinkColumn(Column):
    cell_template_name = "procedures/staff/catalog_form_cell.html"

    def get_cell_context_data(self, instance: Any, parent_context: Any) -> dict[str, Any]:
        context: dict[str, Any] = super().get_cell_context_data(instance, parent_context)
        context["url"] = form_url(instance)
        context["name"] = instance.name
        return context


class ProcedureCreateView(ServiceFormMixin, generic.CreateView):
    def get_initial_form_instance(self) -> Procedure:
        return Procedure(municipality=console_municipality(self.request))

    def save_through_service(self) -> Procedure:
        data = {name: self.form.cleaned_data[name] for name in PROCEDURE_FIELDS}
        if not data.get("paper_form"):
            data.pop("paper_form", None)
        return catalog.create_procedure(
            console_municipality(self.request), actor=self.request.user, request=self.request, **data
        )


class ProcedureEditView(ServiceFormMixin, generic.EditView):
    def get_object(self, queryset: Any = None) -> Procedure:
        procedure = super().get_object(queryset)
        if not catalog.may_manage(self.request.user, procedure):
            raise PermissionDenied
        return procedure  # type: ignore[no-any-return]

    def save_through_service(self) -> Procedure:
        fresh = Procedure.objects.get(pk=self.object.pk)
        return catalog.update_procedure(
            fresh, actor=self.request.user, request=self.request, **changed_values(self.form)
        )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context: dict[str, Any] = super().get_context_data(**kwargs)
        context["form_url"] = form_url(self.object)
        return context


class ProcedureViewSet(ServiceViewSetMixin, ModelViewSet):
    """手続: the municipality's procedures, and the 様式 screens of each."""

    dropped_url_names = ("delete_url_name", "history_url_name", "usage_url_name", "inspect_url_name")

    model = Procedure
    name = "procedures-catalog"
    url_prefix = "procedures/catalog"
    icon = "list-ul"
    menu_label = gettext_lazy("手続と様式")
    menu_order = 300
    menu_hook = PROCEDURES_MENU_HOOK
    add_to_reference_index = False
    copy_view_enabled = False
    inspect_view_enabled = False
    form_class = ProcedureForm
    index_view_class = ProcedureIndexView
    add_view_class = ProcedureCreateView
    edit_view_class = ProcedureEditView
    filterset_class = ProcedureFilterSet
    search_fields = ["name_ja", "name_en", "reading", "keywords", "code", "slug"]
    search_backend_name = None
    ordering = ["sort_order", "slug"]
    edit_template_name = "procedures/staff/catalog_edit.html"

    def get_form_class(self, for_update: bool = False) -> type[ProcedureForm]:
        return ProcedureForm

    def get_urlpatterns(self) -> list[Any]:
        from . import editor

        return [
            path("", self.index_view, name="index"),
            path("results/", self.index_results_view, name="index_results"),
            path("new/", self.add_view, name="add"),
            path("<int:pk>/", self.edit_view, name="edit"),
            path("<int:pk>/form/", editor.VersionsView.as_view(), name="form"),
            path("<int:pk>/form/draft/", editor.StartDraftView.as_view(), name="form_draft"),
            path("<int:pk>/form/edit/", editor.EditorView.as_view(), name="form_edit"),
            path("<int:pk>/form/preview/", editor.preview, name="form_preview"),
            path("<int:pk>/form/versions/<int:number>/", editor.VersionView.as_view(), name="form_version"),
        ]

    @cached_property
    def menu_item_class(self) -> type[MenuItem]:
        return permission_menu_item(permissions.MANAGE_PROCEDURES)


class CategoryForm(forms.ModelForm[ProcedureCategory]):
    class Meta:
        model = ProcedureCategory
        fields = CATEGORY_FIELDS

    def __init__(self, *args: Any, for_user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)


class CategoryIndexView(generic.IndexView):
    def get_base_queryset(self) -> QuerySet[ProcedureCategory]:
        return ProcedureCategory.objects.filter(municipality=console_municipality(self.request))


class CategoryCreateView(ServiceFormMixin, generic.CreateView):
    def get_initial_form_instance(self) -> ProcedureCategory:
        return ProcedureCategory(municipality=console_municipality(self.request))

    def save_through_service(self) -> ProcedureCategory:
        data = {name: self.form.cleaned_data[name] for name in CATEGORY_FIELDS}
        return catalog.create_category(
            console_municipality(self.request), actor=self.request.user, request=self.request, **data
        )


class CategoryEditView(ServiceFormMixin, generic.EditView):
    def save_through_service(self) -> ProcedureCategory:
        fresh = ProcedureCategory.objects.get(pk=self.object.pk)
        return catalog.update_category(
            fresh, actor=self.request.user, request=self.request, **changed_values(self.form)
        )


class CategoryViewSet(ServiceViewSetMixin, ModelViewSet):
    """分類: for browsing the catalog."""

    dropped_url_names = ("delete_url_name", "history_url_name", "usage_url_name", "inspect_url_name")

    model = ProcedureCategory
    name = "procedures-categories"
    url_prefix = "procedures/categories"
    icon = "folder-open-inverse"
    menu_label = gettext_lazy("手続の分類")
    menu_order = 310
    menu_hook = PROCEDURES_MENU_HOOK
    add_to_reference_index = False
    copy_view_enabled = False
    inspect_view_enabled = False
    form_class = CategoryForm
    index_view_class = CategoryIndexView
    add_view_class = CategoryCreateView
    edit_view_class = CategoryEditView
    list_display = ["name_ja", "name_en", "slug", "sort_order"]
    search_fields = ["name_ja", "name_en", "slug"]
    search_backend_name = None
    ordering = ["sort_order", "slug"]

    def get_form_class(self, for_update: bool = False) -> type[CategoryForm]:
        return CategoryForm

    @cached_property
    def menu_item_class(self) -> type[MenuItem]:
        return permission_menu_item(permissions.MANAGE_PROCEDURES)


_POLICY = {"view": permissions.MANAGE_PROCEDURES, "add": permissions.MANAGE_PROCEDURES}
register_permission_policy(
    Procedure, RolePermissionPolicy(Procedure, {**_POLICY, "change": permissions.MANAGE_PROCEDURES})
)
register_permission_policy(
    ProcedureCategory, RolePermissionPolicy(ProcedureCategory, {**_POLICY, "change": permissions.MANAGE_PROCEDURES})
)


def require_manager(request: HttpRequest) -> None:
    check(request, permissions.MANAGE_PROCEDURES)


def viewsets() -> list[Any]:
    """The forms part's console screens, for `procedures.wagtail_hooks`."""
    return [ProcedureViewSet(), CategoryViewSet()]
