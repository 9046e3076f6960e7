"""納付書の取込 (the tax system's CSV, see `payments.imports`) and 収納の設定 in the staff
console.

The import is two steps: the file is checked (a dry run: what would be created, what is
already there, every rejected row with its line and column), then imported as a whole
with one click. Between the two the file is kept in the cache for a while, under a key
that only the staff member who uploaded it can use, so that it is not uploaded twice.
"""

from __future__ import annotations

import secrets
from typing import Any

from django import forms
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.urls import path, reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import FormView
from wagtail.admin import messages
from wagtail.admin.menu import MenuItem
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.viewsets.base import ViewSet

from madoguchi.audit import services as audit
from madoguchi.core.staff_views import check, console_municipality, permission_menu_item

from .. import imports, permissions
from ..models import PaymentSettings
from . import PAYMENTS_MENU_HOOK

UPLOAD_MAX_BYTES = 10 * 1024 * 1024
CACHE_SECONDS = 30 * 60
PREVIEW_ROWS = 200


def _cache_key(key: str) -> str:
    return f"payments-import:{key}"


class ImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("CSVファイル"),
        help_text=gettext_lazy(
            "UTF-8 または Shift_JIS。1行目は見出し（宛名番号、氏名、科目、年度、金額、納期限、識別子 …）。"
        ),
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > UPLOAD_MAX_BYTES:
            raise ValidationError(_("ファイルは10MB以下にしてください。"))
        return upload


class ConfirmForm(forms.Form):
    key = forms.CharField(max_length=64)


class InvoiceImportView(WagtailAdminTemplateMixin, FormView[ImportForm]):
    template_name = "payments/staff/invoice_import.html"
    form_class = ImportForm
    header_icon = "upload"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        check(request, permissions.MANAGE_INVOICES)
        self.municipality = console_municipality(request)
        return super().dispatch(request, *args, **kwargs)

    def get_page_title(self) -> str:
        return _("納付書の取込")

    def get_breadcrumbs_items(self) -> list[dict[str, Any]]:
        return [*self.breadcrumbs_items, {"url": "", "label": self.get_page_title()}]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {
            **super().get_context_data(**kwargs),
            "columns": list(imports.COLUMNS),
            "required": imports.REQUIRED,
        }

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if "key" in request.POST:
            return self.confirm(request)
        return super().post(request, *args, **kwargs)

    def form_valid(self, form: ImportForm) -> HttpResponse:
        upload = form.cleaned_data["file"]
        content = upload.read()
        report = imports.import_invoices(self.municipality, content, dry_run=True, actor=self.request.user)
        key = ""
        if report.ok and report.to_create:
            key = secrets.token_urlsafe(24)
            cache.set(
                _cache_key(key),
                {
                    "municipality": self.municipality.pk,
                    "user": self.request.user.pk,
                    "content": content,
                    "name": upload.name,
                },
                CACHE_SECONDS,
            )
        return render(
            self.request,
            self.template_name,
            {
                **self.get_context_data(form=form),
                "report": report,
                "file_name": upload.name,
                "preview": report.to_create[:PREVIEW_ROWS],
                "errors": report.errors[:1000],
                "key": key,
            },
        )

    def confirm(self, request: HttpRequest) -> HttpResponse:
        form = ConfirmForm(request.POST)
        stored = cache.get(_cache_key(form.data.get("key", ""))) if form.is_valid() else None
        if not stored or stored["municipality"] != self.municipality.pk or stored["user"] != request.user.pk:
            messages.error(request, _("確認した取込の期限が切れました。もう一度ファイルを選んでください。"))
            return HttpResponseRedirect(request.path)
        # Used once: a second click (or the back button) finds nothing to import.
        cache.delete(_cache_key(form.cleaned_data["key"]))
        report = imports.import_invoices(self.municipality, stored["content"], actor=request.user, request=request)
        if report.imported:
            messages.success(
                request,
                _("%(name)s から納付書を %(count)s 件取り込みました（取込済み %(existing)s 件）。")
                % {"name": stored["name"], "count": len(report.to_create), "existing": len(report.already_imported)},
            )
            return HttpResponseRedirect(reverse("payments-invoices:index"))
        messages.error(
            request, _("取り込めませんでした。何も取り込んでいません：%(error)s") % {"error": report.errors[0]}
        )
        return HttpResponseRedirect(request.path)


# --- 収納の設定 --------------------------------------------------------------------------

SETTINGS_FIELDS = [
    "convenience_company_code", "pay_easy_institution_number", "bank_transfer_account", "consignor_code",
    "consignor_name_kana", "collecting_bank_code", "collecting_branch_code",
]  # fmt: skip
DIGITS = {
    "convenience_company_code": 6,
    "pay_easy_institution_number": 5,
    "consignor_code": 10,
    "collecting_bank_code": 4,
    "collecting_branch_code": 3,
}


class PaymentSettingsForm(forms.ModelForm[PaymentSettings]):
    class Meta:
        model = PaymentSettings
        fields = SETTINGS_FIELDS

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for name, length in DIGITS.items():
            value = (data.get(name) or "").strip()
            if value and (len(value) != length or not value.isascii() or not value.isdigit()):
                self.add_error(name, _("%(length)s桁の数字で入力してください。") % {"length": length})
            data[name] = value
        return data


class PaymentSettingsView(WagtailAdminTemplateMixin, FormView[PaymentSettingsForm]):
    template_name = "wagtailadmin/generic/form.html"
    form_class = PaymentSettingsForm
    header_icon = "cog"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        check(request, permissions.MANAGE_SETTINGS)
        self.municipality = console_municipality(request)
        return super().dispatch(request, *args, **kwargs)

    def get_page_title(self) -> str:
        return _("収納の設定")

    def get_breadcrumbs_items(self) -> list[dict[str, Any]]:
        return [*self.breadcrumbs_items, {"url": "", "label": self.get_page_title()}]

    def get_form_kwargs(self) -> dict[str, Any]:
        kwargs = super().get_form_kwargs()
        kwargs["instance"] = PaymentSettings.objects.filter(municipality=self.municipality).first() or PaymentSettings(
            municipality=self.municipality
        )
        return kwargs

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {
            **super().get_context_data(**kwargs),
            "action_url": self.request.path,
            "submit_button_label": _("保存"),
            "submit_button_active_label": _("保存しています…"),
        }

    def form_valid(self, form: PaymentSettingsForm) -> HttpResponse:
        changed = [name for name in form.changed_data if name in SETTINGS_FIELDS]
        if changed:
            form.save()
            audit.record(
                action=audit.Action.UPDATE,
                obj=form.instance,
                municipality=self.municipality,
                request=self.request,
                fields=changed,
            )
        messages.success(self.request, _("収納の設定を保存しました。"))
        return HttpResponseRedirect(self.request.path)


class InvoiceImportViewSet(ViewSet):
    name = "payments-import"
    url_prefix = "payments/invoice-import"
    icon = "upload"
    menu_label = gettext_lazy("納付書の取込")
    menu_order = 110
    menu_hook = PAYMENTS_MENU_HOOK

    def get_urlpatterns(self) -> list[Any]:
        return [path("", InvoiceImportView.as_view(), name="index")]

    @cached_property
    def menu_item_class(self) -> type[MenuItem]:
        return permission_menu_item(permissions.MANAGE_INVOICES)


class PaymentSettingsViewSet(ViewSet):
    name = "payments-settings"
    url_prefix = "payments/settings"
    icon = "cog"
    menu_label = gettext_lazy("収納の設定")
    menu_order = 900
    menu_hook = PAYMENTS_MENU_HOOK

    def get_urlpatterns(self) -> list[Any]:
        return [path("", PaymentSettingsView.as_view(), name="edit")]

    @cached_property
    def menu_item_class(self) -> type[MenuItem]:
        return permission_menu_item(permissions.MANAGE_SETTINGS)
