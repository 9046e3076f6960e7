"""The staff console (Wagtail's admin at /staff/): what every module's screens share,
and the screens of the core module: departments and the municipality's own settings.

Every console screen is scoped to the staff member's municipality (the middleware opens
that data scope for /staff/) and checks a permission of `madoguchi.accounts.permissions`,
also where Wagtail asks its permission policies: `RolePermissionPolicy` answers Wagtail
from the same roles.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

import phonenumbers
from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import FileExtensionValidator
from django.db.models import Model, Q, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.urls import path, reverse
from django.utils import timezone
from django.utils.encoding import force_str
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import FormView
from laces.components import Component
from wagtail.admin.menu import MenuItem
from wagtail.admin.views import generic
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.viewsets.base import ViewSet
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.coreutils import multigetattr
from wagtail.permission_policies.base import BasePermissionPolicy

from madoguchi.accounts.permissions import Permission, has_permission, request_municipality
from madoguchi.japanese.postal import normalize_postal_code

from . import permissions, services
from .models import Department, Municipality

# --- Shared by the console screens of every module ----------------------------------


class RolePermissionPolicy(BasePermissionPolicy):
    """Wagtail's view of a model's permissions, answered from madoguchi's permissions:
    `actions` maps Wagtail's action names ("add", "change", "delete", "view") to the
    permission each needs; an action not listed is refused."""

    def __init__(self, model: type[Model], actions: Mapping[str, Permission]) -> None:
        super().__init__(model)
        self.actions = dict(actions)

    def user_has_permission(self, user: Any, action: str) -> bool:
        permission = self.actions.get(action)
        return permission is not None and has_permission(user, permission)

    def user_has_any_permission(self, user: Any, actions: Iterable[str]) -> bool:
        return any(self.user_has_permission(user, action) for action in actions)

    def users_with_any_permission(self, actions: Iterable[str]) -> QuerySet[Any]:
        from madoguchi.accounts.models import User

        roles = set().union(*(self.actions[a].roles for a in actions if a in self.actions))
        holds_a_role = Q(is_superuser=True)
        for role in roles:
            # Roles are a JSON list; matching the quoted value works on SQLite and PostgreSQL.
            holds_a_role |= Q(staff_profile__roles__icontains=f'"{role}"')
        return User.objects.filter(is_active=True).filter(holds_a_role).distinct()


class PermissionMenuItem(MenuItem):
    """A menu item shown to those who hold `permission` in their municipality."""

    def __init__(self, *args: Any, permission: Permission, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.permission = permission

    def is_shown(self, request: HttpRequest) -> bool:
        return has_permission(request.user, self.permission, request_municipality(request))


def console_municipality(request: HttpRequest) -> Municipality:
    """The staff member's municipality; screens that act for one refuse without it
    (the deployment's operator has none and works in Django's admin)."""
    municipality = request_municipality(request)
    if municipality is None:
        raise PermissionDenied
    return municipality


def check(request: HttpRequest, permission: Permission) -> None:
    if not has_permission(request.user, permission, request_municipality(request)):
        raise PermissionDenied


def csv_cell(value: Any) -> str:
    """A text cell that a spreadsheet will not run as a formula (CSV injection)."""
    text = force_str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def local_time(value: datetime.datetime) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M:%S")


#: Query parameters of a console listing that are not search criteria.
NOT_CRITERIA = frozenset({"p", "export", "_w_filter_fragment", "ordering"})


def listing_criteria(request: HttpRequest) -> dict[str, str]:
    """What a console listing was searched and filtered by, for its audit entry."""
    return {k: str(v) for k, v in request.GET.items() if k not in NOT_CRITERIA and v}


class AuditedListingMixin:
    """A console listing of personal data (an index view with ConsoleExportMixin): every
    page shown and every export is an audited read. The entry says what was searched
    for, which page or format and how many rows, never the values."""

    audit_object_type: str = ""
    audit_fields: tuple[str, ...] = ()

    def render_to_response(self, context: dict[str, Any], **response_kwargs: Any) -> HttpResponse:
        from madoguchi.audit import services as audit

        request: HttpRequest = self.request  # type: ignore[attr-defined]
        exporting = bool(self.is_export)  # type: ignore[attr-defined]
        objects = context["object_list"]
        extra: dict[str, Any] = {"criteria": listing_criteria(request)}
        if exporting:
            rows = objects.count() if isinstance(objects, QuerySet) else len(objects)
            extra.update(format=request.GET.get("export"), rows=rows)
        else:
            paginator = context.get("paginator")
            extra.update(
                page=request.GET.get("p", "1"), count=paginator.count if paginator is not None else len(objects)
            )
        audit.record(
            action=audit.Action.EXPORT if exporting else audit.Action.VIEW,
            object_type=self.audit_object_type,
            personal_data=True,
            fields=list(self.audit_fields),
            request=request,
            extra=extra,
        )
        return super().render_to_response(context, **response_kwargs)  # type: ignore[misc,no-any-return]


class ConsoleExportMixin:
    """CSV/XLSX export of a console listing: text cannot become a formula, times are
    local, the CSV opens in Excel as UTF-8, and rows of tenant models are read while the
    municipality's data scope is still open (a streamed response is written after the
    view has returned, outside the scope)."""

    materialize_export = True
    custom_value_preprocess = {
        datetime.datetime: {"csv": local_time, "xlsx": lambda v: timezone.make_naive(timezone.localtime(v))},
        (datetime.date, datetime.time): {"xlsx": None},
        list: {"csv": lambda v: csv_cell(", ".join(force_str(x) for x in v)), "xlsx": lambda v: ", ".join(map(str, v))},
        bool: {"csv": lambda v: _("はい") if v else _("いいえ")},
        str: {"csv": csv_cell},
    }

    def to_row_dict(self, item: Any) -> dict[str, Any]:
        # A dotted path through an empty relation (a department without a parent) is an
        # empty cell, not an error in the middle of a download.
        row: dict[str, Any] = {}
        for field in self.list_export:  # type: ignore[attr-defined]
            try:
                row[field] = multigetattr(item, field)
            except AttributeError:
                row[field] = ""
        return row

    def stream_csv(self, queryset: Iterable[Any]) -> Iterator[str]:
        yield "\ufeff"
        yield from super().stream_csv(queryset)  # type: ignore[misc]

    def write_csv_response(self, queryset: QuerySet[Any]) -> HttpResponse:
        rows: Any = list(queryset) if self.materialize_export else queryset
        return super().write_csv_response(rows)  # type: ignore[misc,no-any-return]

    def write_xlsx_response(self, queryset: QuerySet[Any]) -> HttpResponse:
        return super().write_xlsx_response(list(queryset))  # type: ignore[misc,no-any-return]

    def get_heading(self, queryset: Any, field: str) -> str:
        model = getattr(self, "model", None)
        if isinstance(queryset, list) and model is not None:
            queryset = model._default_manager.none()
        return super().get_heading(queryset, field)  # type: ignore[misc,no-any-return]


class ServiceViewSetMixin:
    """A ModelViewSet whose objects change only through a module's services: the generic
    views it does not offer (`dropped_url_names`) are not linked from its pages, Wagtail's
    "edit this object" finder gets nothing to point at, and no Django model permissions
    are offered for groups (the role policy decides)."""

    dropped_url_names: tuple[str, ...] = ("edit_url_name", "delete_url_name", "history_url_name", "usage_url_name")

    def get_common_view_kwargs(self, **kwargs: Any) -> dict[str, Any]:
        view_kwargs: dict[str, Any] = super().get_common_view_kwargs(**kwargs)  # type: ignore[misc]
        for name in self.dropped_url_names:
            view_kwargs.pop(name, None)
        return view_kwargs

    def register_admin_url_finder(self) -> None:
        return None

    def register_permissions(self) -> None:
        return None


class ServiceFormMixin:
    """Create and edit views that save through a module's services: a ValidationError the
    service raises goes back to the form instead of ending in an error page."""

    form: forms.ModelForm[Any]

    def save_through_service(self) -> Any:
        raise NotImplementedError

    def save_instance(self) -> Any:
        return self.save_through_service()

    def form_valid(self, form: forms.ModelForm[Any]) -> HttpResponse:
        self.form = form
        try:
            self.object = self.save_instance()
        except ValidationError as error:
            form.add_error(None, error)
            self.produced_error_code = "validation_error"
            self.produced_error_message = self.get_error_message()  # type: ignore[attr-defined]
            return self.form_invalid(form)  # type: ignore[attr-defined,no-any-return]
        return self.save_action()  # type: ignore[attr-defined,no-any-return]


def changed_values(form: forms.ModelForm[Any]) -> dict[str, Any]:
    return {name: form.cleaned_data[name] for name in form.changed_data if name in form.cleaned_data}


# --- Departments ---------------------------------------------------------------------

DEPARTMENT_FIELDS = ["code", "name_ja", "name_en", "parent", "phone", "email", "sort_order", "is_active"]


class DepartmentForm(forms.ModelForm[Department]):
    # Declared, not generated: a generated field would query the tenant model when the
    # form class is created, outside any municipality's scope.
    parent = forms.ModelChoiceField(label=gettext_lazy("上位部署"), queryset=Department.unscoped.none(), required=False)

    class Meta:
        model = Department
        fields = DEPARTMENT_FIELDS

    def __init__(self, *args: Any, for_user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        others = Department.objects.filter(municipality_id=self.instance.municipality_id)
        if self.instance.pk:
            others = others.exclude(pk=self.instance.pk)
        self.fields["parent"].queryset = others  # type: ignore[attr-defined]

    def clean_code(self) -> str:
        code = self.cleaned_data["code"].strip()
        taken = Department.objects.filter(municipality_id=self.instance.municipality_id, code=code)
        if self.instance.pk:
            taken = taken.exclude(pk=self.instance.pk)
        if taken.exists():
            raise ValidationError(_("この部署コードは既に使われています。"))
        return code

    def clean_phone(self) -> str:
        return normalise_phone(self.cleaned_data.get("phone", ""))


def normalise_phone(value: str) -> str:
    """'0296771101' → '0296-77-1101'; a clear error for what is not a Japanese number."""
    value = (value or "").strip()
    if not value:
        return ""
    try:
        number = phonenumbers.parse(value, "JP")
    except phonenumbers.NumberParseException:
        number = None
    if number is None or not phonenumbers.is_valid_number(number):
        raise ValidationError(_("電話番号を正しく入力してください（例：0296-77-1101）。"))
    return str(phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL))


class DepartmentIndexView(ConsoleExportMixin, generic.IndexView):
    pass


class DepartmentCreateView(ServiceFormMixin, generic.CreateView):
    def get_initial_form_instance(self) -> Department:
        return Department(municipality=console_municipality(self.request))

    def save_through_service(self) -> Department:
        data = {name: self.form.cleaned_data[name] for name in DEPARTMENT_FIELDS}
        return services.create_department(
            console_municipality(self.request), actor=self.request.user, request=self.request, **data
        )


class DepartmentEditView(ServiceFormMixin, generic.EditView):
    def save_through_service(self) -> Department:
        fresh = Department.objects.get(pk=self.object.pk)
        return services.update_department(
            fresh, actor=self.request.user, request=self.request, **changed_values(self.form)
        )


class DepartmentViewSet(ModelViewSet):
    model = Department
    name = "departments"
    icon = "group"
    menu_label = gettext_lazy("部署")
    add_to_reference_index = False
    copy_view_enabled = False
    form_class = DepartmentForm
    index_view_class = DepartmentIndexView
    add_view_class = DepartmentCreateView
    edit_view_class = DepartmentEditView
    list_display = ["name_ja", "code", "name_en", "parent", "phone", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["code", "name_ja", "name_en"]
    search_backend_name = None
    ordering = ["sort_order", "code"]
    list_export = ["code", "name_ja", "name_en", "parent.code", "phone", "email", "sort_order", "is_active"]
    export_headings = {"parent.code": gettext_lazy("上位部署コード")}
    export_filename = "departments"

    def get_form_class(self, for_update: bool = False) -> type[DepartmentForm]:
        return DepartmentForm

    @cached_property
    def menu_item_class(self) -> type[MenuItem]:
        return permission_menu_item(permissions.MANAGE_MUNICIPALITY)


def permission_menu_item(permission: Permission) -> type[MenuItem]:
    """A MenuItem class for a viewset's `menu_item_class`, shown with `permission`."""

    class Item(PermissionMenuItem):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, permission=permission, **kwargs)

    return Item


# --- The municipality's own settings --------------------------------------------------


LOGO_MAX_BYTES = 2 * 1024 * 1024


class MunicipalitySettingsForm(forms.ModelForm[Municipality]):
    logo_upload = forms.ImageField(
        label=gettext_lazy("ロゴ画像"),
        required=False,
        validators=[FileExtensionValidator(["png", "jpg", "jpeg", "webp"])],
        help_text=gettext_lazy("PNG・JPEG・WebP、2MBまで。ページの上部に表示されます。"),
    )
    remove_logo = forms.BooleanField(label=gettext_lazy("ロゴを外す"), required=False)

    class Meta:
        model = Municipality
        fields = [
            "postal_code",
            "address",
            "address_en",
            "phone",
            "email",
            "office_hours_ja",
            "office_hours_en",
            "primary_colour",
            "accent_colour",
        ]
        # The colours' validators (format, contrast with white text) are the model's.
        widgets = {
            "primary_colour": forms.TextInput(attrs={"type": "color"}),
            "accent_colour": forms.TextInput(attrs={"type": "color"}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.instance.logo_id:
            del self.fields["remove_logo"]

    def clean_postal_code(self) -> str:
        value = self.cleaned_data.get("postal_code", "").strip()
        if not value:
            return ""
        normalised = normalize_postal_code(value)
        if normalised is None:
            raise ValidationError(_("郵便番号は7桁の数字で入力してください（例：309-1792）。"))
        return normalised

    def clean_phone(self) -> str:
        return normalise_phone(self.cleaned_data.get("phone", ""))

    def clean_primary_colour(self) -> str:
        return str(self.cleaned_data["primary_colour"]).lower()

    def clean_accent_colour(self) -> str:
        return str(self.cleaned_data["accent_colour"]).lower()

    def clean_logo_upload(self) -> Any:
        upload = self.cleaned_data.get("logo_upload")
        if upload and upload.size > LOGO_MAX_BYTES:
            raise ValidationError(_("ロゴ画像は2MB以下にしてください。"))
        return upload


class MunicipalitySettingsView(WagtailAdminTemplateMixin, FormView[MunicipalitySettingsForm]):
    template_name = "wagtailadmin/madoguchi/municipality_settings.html"
    form_class = MunicipalitySettingsForm
    header_icon = "cog"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        check(request, permissions.MANAGE_MUNICIPALITY)
        self.municipality = console_municipality(request)
        return super().dispatch(request, *args, **kwargs)

    def get_page_title(self) -> str:
        return _("団体の設定")

    def get_page_subtitle(self) -> str:
        return self.municipality.name

    def get_breadcrumbs_items(self) -> list[dict[str, Any]]:
        return [*self.breadcrumbs_items, {"url": "", "label": self.get_page_title()}]

    def get_form_kwargs(self) -> dict[str, Any]:
        kwargs = super().get_form_kwargs()
        # The form works on a copy: validation writes into its instance.
        kwargs["instance"] = Municipality.objects.get(pk=self.municipality.pk)
        return kwargs

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(
            action_url=self.request.path,
            submit_button_label=_("保存"),
            submit_button_active_label=_("保存しています…"),
            current=self.municipality,
        )
        return context

    def form_valid(self, form: MunicipalitySettingsForm) -> HttpResponse:
        from wagtail.admin import messages

        changes = {name: form.cleaned_data[name] for name in form.changed_data if name in form.Meta.fields}
        services.update_municipality(self.municipality, actor=self.request.user, request=self.request, **changes)
        if form.cleaned_data.get("logo_upload"):
            services.set_municipality_logo(
                self.municipality, form.cleaned_data["logo_upload"], actor=self.request.user, request=self.request
            )
        elif form.cleaned_data.get("remove_logo"):
            services.set_municipality_logo(self.municipality, None, actor=self.request.user, request=self.request)
        messages.success(self.request, _("団体の設定を保存しました。"))
        return HttpResponseRedirect(self.request.path)


class MunicipalitySettingsViewSet(ViewSet):
    name = "municipality"
    icon = "cog"
    menu_label = gettext_lazy("団体の設定")

    def get_urlpatterns(self) -> list[Any]:
        return [path("", MunicipalitySettingsView.as_view(), name="edit")]

    @cached_property
    def menu_item_class(self) -> type[MenuItem]:
        return permission_menu_item(permissions.MANAGE_MUNICIPALITY)


# --- Dashboard --------------------------------------------------------------------------


class StaffProfilePanel(Component):
    """The console's home: who you are here — municipality, department, roles."""

    name = "madoguchi_staff_profile"
    order = 50
    template_name = "wagtailadmin/madoguchi/staff_profile_panel.html"

    def __init__(self, request: HttpRequest) -> None:
        self.request = request

    def get_context_data(self, parent_context: Mapping[str, Any] | None = None) -> dict[str, Any]:
        user: Any = self.request.user
        profile = user.staff_profile_or_none
        return {
            "profile": profile,
            "municipality": profile.municipality if profile else None,
            "roles": profile.get_role_labels() if profile else [],
            "is_operator": bool(user.is_superuser),
            "settings_url": reverse("municipality:edit")
            if has_permission(user, permissions.MANAGE_MUNICIPALITY, request_municipality(self.request))
            else "",
        }
