"""オープンデータの取込 in the staff console: upload a CSV file in a dataset's standard layout;
a file with any broken row is refused whole and its errors are shown by line; the
municipality's imports are listed with their results (and each one's errors).

Staff who edit the website (EDIT_WEBSITE) import open data. Nothing here is personal
data (AED locations, hospitals … are public facts), so listings are not audited reads; each
import is audited by `portal.opendata.services.import_file`.

Registered with Wagtail when this module is imported (`portal.apps.PortalConfig.ready` imports it).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404
from django.urls import path, reverse, reverse_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView
from wagtail import hooks
from wagtail.admin import messages
from wagtail.admin.menu import MenuItem
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from madoguchi.core.staff_views import PermissionMenuItem, check, console_municipality
from madoguchi.core.tenancy import municipality_scope

from ..models import OpenDataImport, OpenDataImportStatus
from ..opendata import registry, services
from ..permissions import EDIT_WEBSITE

MAX_UPLOAD_BYTES = 10 * 1024 * 1024


def _dataset_choices() -> list[tuple[str, str]]:
    return [(d.key, f"{d.title_ja}（{d.key}）") for d in registry.all_datasets()]


class OpenDataImportForm(forms.Form):
    dataset = forms.ChoiceField(label=gettext_lazy("データセット"), choices=_dataset_choices)
    file = forms.FileField(
        label=gettext_lazy("CSVファイル"),
        help_text=gettext_lazy(
            "自治体標準オープンデータセットの列の並び（1行目が見出し）のCSV。UTF-8（BOMの有無は問いません）または"
            "Shift_JIS。1行でも誤りがあれば、何も取り込みません。"
        ),
    )
    replace_all = forms.BooleanField(
        label=gettext_lazy("ファイルにない行を削除する"),
        required=False,
        help_text=gettext_lazy("チェックしないと、ファイルにない行はそのまま残します。"),
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_("ファイルが大きすぎます（10MBまで）。"))
        return upload


class _OpenDataStaffView(WagtailAdminTemplateMixin, TemplateView):
    header_icon = "upload"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        check(request, EDIT_WEBSITE)
        self.municipality = console_municipality(request)
        return super().dispatch(request, *args, **kwargs)  # type: ignore[no-any-return]

    def imports(self) -> list[OpenDataImport]:
        with municipality_scope(self.municipality):
            return list(OpenDataImport.objects.filter(municipality=self.municipality).order_by("-created_at")[:50])


class OpenDataImportView(_OpenDataStaffView):
    """Upload → every row checked → all rows written, or none with the errors by line."""

    template_name = "portal/staff/opendata_import.html"

    def get_page_title(self) -> str:
        return _("オープンデータの取込")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context: dict[str, Any] = super().get_context_data(**kwargs)
        context.setdefault("form", OpenDataImportForm())
        context["imports"] = self.imports()
        context["datasets"] = [
            {
                "dataset": dataset,
                "count": len(services.record_rows(self.municipality, dataset)),
                "csv_url": reverse(
                    "portal:opendata-csv", kwargs={"municipality_slug": self.municipality.slug, "dataset": dataset.key}
                ),
                "file_name": dataset.file_name(self.municipality.code),
            }
            for dataset in registry.all_datasets()
        ]
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form = OpenDataImportForm(request.POST, request.FILES)
        if not form.is_valid():
            messages.error(request, _("入力に誤りがあります。"))
            return self._render(form, status=400)
        upload = form.cleaned_data["file"]
        run = services.import_file(
            self.municipality,
            form.cleaned_data["dataset"],
            upload,
            user=request.user,
            replace_all=form.cleaned_data["replace_all"],
            file_name=upload.name,
            request=request,
        )
        if run.status == OpenDataImportStatus.REJECTED:
            messages.error(request, _("ファイルに誤りがあるため、何も取り込んでいません。"))
            return self._render(form, status=400, run=run)
        messages.success(
            request,
            _("%(file)s を取り込みました（%(rows)s行：追加 %(created)s件、更新 %(updated)s件、削除 %(deleted)s件）。")
            % {
                "file": run.file_name,
                "rows": run.row_count,
                "created": run.created_count,
                "updated": run.updated_count,
                "deleted": run.deleted_count,
            },
        )
        # Redirect after POST: reloading the page does not upload the file again.
        return HttpResponseRedirect(reverse("portal_opendata_import"))

    def _render(self, form: OpenDataImportForm, *, status: int, run: OpenDataImport | None = None) -> HttpResponse:
        response = self.render_to_response(self.get_context_data(form=form, run=run))
        response.status_code = status
        return response


class OpenDataImportDetailView(_OpenDataStaffView):
    """One import: its result and every error with its line."""

    template_name = "portal/staff/opendata_import_detail.html"

    def get_page_title(self) -> str:
        return _("取込の結果")

    def get_breadcrumbs_items(self) -> list[dict[str, Any]]:
        return [
            *self.breadcrumbs_items,
            {"url": reverse("portal_opendata_import"), "label": _("オープンデータの取込")},
            {"url": "", "label": self.get_page_title()},
        ]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context: dict[str, Any] = super().get_context_data(**kwargs)
        with municipality_scope(self.municipality):
            context["run"] = get_object_or_404(OpenDataImport, pk=self.kwargs["pk"], municipality=self.municipality)
        return context


@hooks.register("register_admin_urls")
def register_opendata_urls() -> list[Any]:
    return [
        path("website/opendata/", OpenDataImportView.as_view(), name="portal_opendata_import"),
        path("website/opendata/<int:pk>/", OpenDataImportDetailView.as_view(), name="portal_opendata_import_detail"),
    ]


@hooks.register("register_admin_menu_item")
def register_opendata_menu_item() -> MenuItem:
    return PermissionMenuItem(
        gettext_lazy("オープンデータ"),
        reverse_lazy("portal_opendata_import"),
        name="portal-opendata",
        icon_name="upload",
        order=206,
        permission=EDIT_WEBSITE,
    )
