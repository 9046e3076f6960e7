"""Accounts in the staff console: 職員 (the municipality's staff, for its administrators)
and 利用者 (the residents and businesses who use the municipality's services).

Opening one resident's details asks for a reason first and records a `view` of
personal data with that reason; a search of the directory is recorded too.
"""

from __future__ import annotations

from functools import reduce
from operator import and_, or_
from typing import Any

import django_filters
from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView
from wagtail.admin import messages
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.ui.tables import Column, TitleColumn
from wagtail.admin.views import generic
from wagtail.admin.views.generic.base import BaseListingView, WagtailAdminTemplateMixin
from wagtail.admin.viewsets.base import ViewSet
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.admin.widgets import BooleanRadioSelect

from madoguchi.audit import access
from madoguchi.audit import services as audit
from madoguchi.core import permissions as core_permissions
from madoguchi.core.models import Department
from madoguchi.core.staff_views import (
    ConsoleExportMixin,
    ServiceFormMixin,
    changed_values,
    check,
    console_municipality,
    permission_menu_item,
)

from . import permissions, services
from .models import AccountKind, Role, StaffProfile, User

# --- 職員: staff ------------------------------------------------------------------------


def _departments(municipality_id: int | None) -> QuerySet[Department]:
    return Department.objects.filter(municipality_id=municipality_id, is_active=True)


class StaffForm(forms.ModelForm[StaffProfile]):
    # Declared, not generated: a generated field would query the tenant model when the
    # form class is created, outside any municipality's scope.
    department = forms.ModelChoiceField(label=gettext_lazy("所属"), queryset=Department.unscoped.none())
    family_name = forms.CharField(label=gettext_lazy("姓"), max_length=50)
    given_name = forms.CharField(label=gettext_lazy("名"), max_length=50)
    roles = forms.MultipleChoiceField(
        label=gettext_lazy("役割"), choices=Role.choices, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = StaffProfile
        fields = ["department", "staff_number", "title"]

    field_order = ["email", "family_name", "given_name", "department", "roles", "title", "staff_number"]

    def __init__(self, *args: Any, for_user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = _departments(self.instance.municipality_id)  # type: ignore[attr-defined]
        if self.instance.pk:
            user = self.instance.user
            self.initial.update(family_name=user.family_name, given_name=user.given_name, roles=self.instance.roles)


class StaffCreateForm(StaffForm):
    email = forms.EmailField(
        label=gettext_lazy("メールアドレス"),
        help_text=gettext_lazy("職員に割り当てたメールアドレス。パスワード設定の案内をここに送ります。"),
    )

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].strip().lower()
        if User.objects.filter(email__iexact=email).exists():
            raise ValidationError(_("このメールアドレスのアカウントは既にあります。"))
        return email


class StaffFilterSet(WagtailFilterSet):
    department = django_filters.ModelChoiceFilter(
        label=gettext_lazy("所属"), queryset=Department.objects.none(), empty_label=gettext_lazy("すべて")
    )
    role = django_filters.ChoiceFilter(
        label=gettext_lazy("役割"), choices=Role.choices, method="filter_role", empty_label=gettext_lazy("すべて")
    )
    active = django_filters.BooleanFilter(
        label=gettext_lazy("有効"), field_name="user__is_active", widget=BooleanRadioSelect
    )

    class Meta:
        model = StaffProfile
        fields: list[str] = []

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.filters["department"].queryset = Department.objects.all()

    def filter_role(self, queryset: QuerySet[StaffProfile], name: str, value: str) -> QuerySet[StaffProfile]:
        # Roles are a JSON list; the quoted value matches one element on every database.
        return queryset.filter(roles__icontains=f'"{value}"') if value else queryset


def _status(profile: StaffProfile) -> str:
    return str(_("有効") if profile.user.is_active else _("停止中"))


class StaffIndexView(ConsoleExportMixin, generic.IndexView):
    def get_base_queryset(self) -> QuerySet[StaffProfile]:
        return StaffProfile.objects.select_related("user", "department")

    @cached_property
    def columns(self) -> list[Any]:
        return [
            TitleColumn(
                "name",
                label=gettext_lazy("氏名"),
                accessor=lambda p: p.user.get_full_name() or p.user.email,
                get_url=self.get_edit_url,
                sort_key="user__family_name",
            ),
            Column("email", label=gettext_lazy("メールアドレス"), accessor="user.email", sort_key="user__email"),
            Column("department", label=gettext_lazy("所属"), accessor="department.name", sort_key="department__code"),
            Column("roles", label=gettext_lazy("役割"), accessor=lambda p: "、".join(p.get_role_labels())),
            Column("title", label=gettext_lazy("職名"), sort_key="title"),
            Column("status", label=gettext_lazy("状態"), accessor=_status),
        ]

    def render_to_response(self, context: dict[str, Any], **response_kwargs: Any) -> HttpResponse:
        if self.is_export:
            audit.record(
                action=audit.Action.EXPORT,
                object_type="accounts.staffprofile",
                personal_data=True,
                request=self.request,
                extra={"format": self.request.GET.get("export"), "rows": context["object_list"].count()},
            )
        return super().render_to_response(context, **response_kwargs)

    def get_list_more_buttons(self, instance: StaffProfile) -> list[Any]:
        from wagtail.admin.widgets.button import Button

        buttons: list[Any] = super().get_list_more_buttons(instance)
        if self.user_has_permission("change"):
            if instance.user.is_active:
                label, name = _("停止"), "staff-members:deactivate"
            else:
                label, name = _("再開"), "staff-members:reactivate"
            buttons.append(Button(label, url=reverse(name, args=[instance.pk]), icon_name="lock", priority=40))
        return buttons


class StaffCreateView(ServiceFormMixin, generic.CreateView):
    def get_initial_form_instance(self) -> StaffProfile:
        return StaffProfile(municipality=console_municipality(self.request))

    def save_through_service(self) -> StaffProfile:
        data = self.form.cleaned_data
        profile = services.create_staff(
            email=data["email"],
            municipality=console_municipality(self.request),
            department=data["department"],
            roles=data["roles"],
            family_name=data["family_name"],
            given_name=data["given_name"],
            staff_number=data["staff_number"],
            title=data["title"],
            actor=self.request.user,  # type: ignore[arg-type]
            request=self.request,
        )
        services.invite_staff(profile, request=self.request)
        return profile

    def get_success_message(self, instance: StaffProfile) -> str:
        return _("職員 %(name)s を登録し、パスワード設定の案内を %(email)s に送りました。") % {
            "name": instance.user.get_full_name(),
            "email": instance.user.email,
        }


class StaffEditView(ServiceFormMixin, generic.EditView):
    def save_through_service(self) -> StaffProfile:
        fresh = StaffProfile.objects.select_related("user").get(pk=self.object.pk)
        return services.update_staff(
            fresh,
            actor=self.request.user,  # type: ignore[arg-type]
            request=self.request,
            **changed_values(self.form),
        )

    def get_success_message(self) -> str:
        return _("職員 %(name)s の登録内容を変更しました。") % {"name": self.object.user.get_full_name()}


class StaffActivationView(WagtailAdminTemplateMixin, TemplateView):
    """停止 / 再開: confirm, then stop (or restart) a staff account."""

    template_name = "accounts/staff/confirm_activation.html"
    activate = False
    header_icon = "lock"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        check(request, core_permissions.MANAGE_MUNICIPALITY)
        console_municipality(request)
        self.profile = get_object_or_404(StaffProfile.objects.select_related("user", "department"), pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_page_title(self) -> str:
        return _("職員アカウントの再開") if self.activate else _("職員アカウントの停止")

    def get_page_subtitle(self) -> str:
        return self.profile.user.get_full_name() or self.profile.user.email

    def get_breadcrumbs_items(self) -> list[dict[str, Any]]:
        return [
            *self.breadcrumbs_items,
            {"url": reverse("staff-members:index"), "label": _("職員")},
            {"url": "", "label": self.get_page_title(), "sublabel": self.get_page_subtitle()},
        ]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {**super().get_context_data(**kwargs), "profile": self.profile, "activate": self.activate}

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        name = self.profile.user.get_full_name() or self.profile.user.email
        try:
            with transaction.atomic():
                if self.activate:
                    services.set_active(self.profile.user, True, actor=request.user, request=request)  # type: ignore[arg-type]
                else:
                    services.deactivate_staff(self.profile, actor=request.user, request=request)  # type: ignore[arg-type]
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            if self.activate:
                messages.success(request, _("%(name)s のアカウントを再開しました。") % {"name": name})
            else:
                messages.success(request, _("%(name)s のアカウントを停止しました。") % {"name": name})
        return HttpResponseRedirect(reverse("staff-members:index"))


class StaffViewSet(ModelViewSet):
    """職員: the municipality's staff accounts, their roles and departments."""

    model = StaffProfile
    name = "staff-members"
    icon = "user"
    menu_label = gettext_lazy("職員")
    add_to_reference_index = False
    copy_view_enabled = False
    index_view_class = StaffIndexView
    add_view_class = StaffCreateView
    edit_view_class = StaffEditView
    filterset_class = StaffFilterSet
    search_fields = ["user__email", "user__family_name", "user__given_name", "staff_number", "title"]
    search_backend_name = None
    ordering = ["department__sort_order", "staff_number"]
    list_export = [
        "user.email", "user.family_name", "user.given_name", "department.code", "department.name_ja",
        "roles", "title", "staff_number", "user.is_active",
    ]  # fmt: skip
    export_headings = {
        "user.email": gettext_lazy("メールアドレス"),
        "user.family_name": gettext_lazy("姓"),
        "user.given_name": gettext_lazy("名"),
        "department.code": gettext_lazy("部署コード"),
        "department.name_ja": gettext_lazy("所属"),
        "roles": gettext_lazy("役割"),
        "user.is_active": gettext_lazy("有効"),
    }
    export_filename = "staff"

    def get_form_class(self, for_update: bool = False) -> type[StaffForm]:
        return StaffForm if for_update else StaffCreateForm

    def get_urlpatterns(self) -> list[Any]:
        return [
            *super().get_urlpatterns(),
            path("<int:pk>/deactivate/", StaffActivationView.as_view(activate=False), name="deactivate"),
            path("<int:pk>/reactivate/", StaffActivationView.as_view(activate=True), name="reactivate"),
        ]

    @cached_property
    def menu_item_class(self) -> type[Any]:
        return permission_menu_item(core_permissions.MANAGE_MUNICIPALITY)


# --- 利用者: the directory of residents and businesses ----------------------------------

PERSON_SEARCH_FIELDS = (
    "email",
    "family_name",
    "given_name",
    "family_name_kana",
    "given_name_kana",
    "display_name",
    "organisation_name",
    "corporate_number",
)
# What the details screen shows, and so what each opening records as read.
PERSON_FIELDS_SHOWN = [
    "family_name", "given_name", "family_name_kana", "given_name_kana", "display_name", "organisation_name",
    "corporate_number", "email", "kind", "preferred_language", "is_active", "date_joined",
]  # fmt: skip


def masked_email(email: str) -> str:
    """'taro.yamada@example.jp' → 't***@example.jp': enough to tell people apart."""
    local, _sep, domain = email.partition("@")
    return f"{local[:1]}***@{domain}" if domain else "***"


class PeopleIndexView(BaseListingView):
    """Search the municipality's residents and businesses. Nothing is listed before a
    search: the directory is for finding one person, not for browsing."""

    is_searchable = True
    page_title = gettext_lazy("利用者")
    header_icon = "group"
    index_url_name = "people:index"
    index_results_url_name = "people:index_results"
    paginate_by = 20
    default_ordering = "family_name_kana"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        check(request, permissions.VIEW_PEOPLE)
        self.municipality = console_municipality(request)
        return super().dispatch(request, *args, **kwargs)

    @cached_property
    def columns(self) -> list[Any]:
        return [
            TitleColumn(
                "name",
                label=gettext_lazy("氏名・名称"),
                accessor=lambda u: (
                    u.organisation_name if u.kind == AccountKind.BUSINESS else (u.get_full_name() or "-")
                ),
                get_url=lambda u: reverse("people:detail", args=[u.pk]),
            ),
            Column(
                "kana", label=gettext_lazy("ふりがな"), accessor=lambda u: f"{u.family_name_kana} {u.given_name_kana}"
            ),
            Column("kind", label=gettext_lazy("区分"), accessor="get_kind_display"),
            Column("email", label=gettext_lazy("メールアドレス（一部）"), accessor=lambda u: masked_email(u.email)),
        ]

    def get_base_queryset(self) -> QuerySet[User]:
        return services.people_of(self.municipality)

    def search_queryset(self, queryset: QuerySet[User]) -> QuerySet[User]:
        if not self.is_searching:
            return queryset.none()
        words = self.search_query.split()
        per_word = [reduce(or_, (Q(**{f"{f}__icontains": w}) for f in PERSON_SEARCH_FIELDS)) for w in words]
        return queryset.filter(reduce(and_, per_word))

    def get_context_data(self, *args: Any, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(*args, **kwargs)
        if not self.is_searching:
            context["no_results_message"] = _("氏名・ふりがな・メールアドレス・事業者名・法人番号で検索してください。")
        return context

    def render_to_response(self, context: dict[str, Any], **response_kwargs: Any) -> HttpResponse:
        if self.is_searching:
            audit.record(
                action=audit.Action.VIEW,
                object_type="accounts.user",
                personal_data=True,
                request=self.request,
                fields=["name", "kind", "email"],
                extra={"search": self.search_query, "results": context["items_count"]},
            )
        return super().render_to_response(context, **response_kwargs)


class PersonDetailView(WagtailAdminTemplateMixin, TemplateView):
    """One resident's or business's details: a reason first, then a recorded read."""

    template_name = "accounts/staff/person_detail.html"
    header_icon = "user"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        check(request, permissions.VIEW_PEOPLE)
        municipality = console_municipality(request)
        person = services.people_of(municipality).filter(pk=kwargs["pk"]).first()
        if person is None:
            # Someone who never used this municipality's services is not its to look at.
            raise Http404
        self.person: User = person
        redirect = access.reason_redirect(request, access.subject_key_for(self.person))
        if redirect is not None:
            return redirect
        entry = audit.record(
            action=audit.Action.VIEW,
            obj=self.person,
            subject=self.person,
            personal_data=True,
            fields=PERSON_FIELDS_SHOWN,
            request=request,
        )
        if not entry.reason:
            raise PermissionDenied  # a reason is always recorded with this read
        self.reason = entry.reason
        return super().get(request, *args, **kwargs)

    def get_page_title(self) -> str:
        return _("利用者の詳細")

    def get_page_subtitle(self) -> str:
        return self.person.organisation_name or self.person.get_full_name() or self.person.email

    def get_breadcrumbs_items(self) -> list[dict[str, Any]]:
        return [
            *self.breadcrumbs_items,
            {"url": reverse("people:index"), "label": _("利用者")},
            {"url": "", "label": self.get_page_title(), "sublabel": self.get_page_subtitle()},
        ]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        person = self.person
        rows = []
        for name in PERSON_FIELDS_SHOWN:
            display = getattr(person, f"get_{name}_display", None)
            value = display() if display is not None else getattr(person, name)
            if isinstance(value, bool):
                value = _("はい") if value else _("いいえ")
            rows.append((getattr(person._meta.get_field(name), "verbose_name", name), value))
        return {**super().get_context_data(**kwargs), "person": person, "rows": rows, "reason": self.reason}


class PeopleViewSet(ViewSet):
    name = "people"
    icon = "group"
    menu_label = gettext_lazy("利用者")
    menu_order = 300
    add_to_admin_menu = True

    def get_urlpatterns(self) -> list[Any]:
        return [
            path("", PeopleIndexView.as_view(), name="index"),
            path("results/", PeopleIndexView.as_view(results_only=True), name="index_results"),
            path("<int:pk>/", PersonDetailView.as_view(), name="detail"),
        ]

    @cached_property
    def menu_item_class(self) -> type[Any]:
        return permission_menu_item(permissions.VIEW_PEOPLE)
