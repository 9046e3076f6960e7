"""消込 in the staff console: 収納データの取込 (upload a notice file, see what it would do,
then import it; the list of imports), 消込の要確認 (the exception queue: search, filter,
export, and the staff's decisions on each notice) and 日計表 (the daily collection report
as a table, a chart and CSV).

Reading a notice shows its invoice's payer: that read is audited; every decision is
audited by the services (`payments.reconciliation`).
"""

from __future__ import annotations

import csv
import datetime
import io
import secrets
from collections.abc import Iterator
from typing import Any

from django import forms
from django.core.files.storage import default_storage
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView
from wagtail.admin import messages
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.viewsets.base import ViewSet

from madoguchi.accounts.permissions import Permission, has_permission, request_municipality
from madoguchi.audit import services as audit
from madoguchi.core.charts import bar_chart
from madoguchi.core.staff_views import check, console_municipality, csv_cell, permission_menu_item

from .. import permissions, reconciliation
from ..models import Channel, ExceptionReason, Invoice, Item, NoticeImport, NoticeKind, NoticeStatus, PaymentNotice
from ..notice_formats import NoticeFormatError, available_formats
from . import PAYMENTS_MENU_HOOK

# Uploads wait here between the preview and the import. In the file storage, not on the
# app server's disk: the import may be served by another app server than the preview.
UPLOAD_PREFIX = "payments/notice-uploads"


def _upload_name(token: str) -> str:
    return f"{UPLOAD_PREFIX}/{token}.bin"


SESSION_KEY = "payments-notice-uploads"


class StaffPage(WagtailAdminTemplateMixin, TemplateView):
    """A console page for one permission, in the staff member's municipality."""

    permission: Permission = permissions.VIEW_INVOICES
    header_icon = "doc-full"
    title: Any = ""

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        check(request, self.permission)
        self.municipality = console_municipality(request)
        return super().dispatch(request, *args, **kwargs)

    def get_page_title(self) -> str:
        return str(self.title)

    def get_breadcrumbs_items(self) -> list[dict[str, Any]]:
        return [*self.breadcrumbs_items, {"url": "", "label": self.get_page_title()}]

    def may(self, permission: Permission) -> bool:
        return has_permission(self.request.user, permission, request_municipality(self.request))


def _yen(value: int) -> str:
    return f"{value:,}円"


# --- 収納データの取込 -----------------------------------------------------------------------


class UploadForm(forms.Form):
    format = forms.ChoiceField(label=gettext_lazy("形式"))
    file = forms.FileField(label=gettext_lazy("収納データのファイル"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["format"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(f.name, f.label) for f in available_formats()]


class ImportListView(StaffPage):
    template_name = "payments/staff/reconciliation/imports.html"
    title = gettext_lazy("収納データの取込")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        imports = NoticeImport.objects.select_related("imported_by").order_by("-imported_at")
        page = Paginator(imports, 50).get_page(self.request.GET.get("p"))
        page.object_list = list(page.object_list)
        channels = dict(Channel.choices)
        for item in page.object_list:
            setattr(item, "channel_label", channels.get(item.channel, item.channel))  # noqa: B010
        return {
            **super().get_context_data(**kwargs),
            "page": page,
            "may_upload": self.may(permissions.RECORD_PAYMENTS),
        }


class UploadView(StaffPage):
    """Choose a file → a dry run shows what it would do → import it with one click. The
    file waits on disk between the two, named by a token kept in the staff member's
    session (a notice file can be large; it does not belong in the cache)."""

    template_name = "payments/staff/reconciliation/upload.html"
    permission = permissions.RECORD_PAYMENTS
    title = gettext_lazy("収納データのファイルを取り込む")

    def get_breadcrumbs_items(self) -> list[dict[str, Any]]:
        return [
            *self.breadcrumbs_items,
            {"url": reverse("payment-notices:index"), "label": _("収納データの取込")},
            {"url": "", "label": self.get_page_title()},
        ]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.setdefault("form", UploadForm())
        return context

    def _pending(self) -> dict[str, dict[str, Any]]:
        return dict(self.request.session.get(SESSION_KEY, {}))

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        token = request.POST.get("token", "")
        if token:
            return self._import(token)
        form = UploadForm(request.POST, request.FILES)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form))
        upload = form.cleaned_data["file"]
        token = secrets.token_urlsafe(24)
        discard_stale_uploads()
        stored = default_storage.save(_upload_name(token), upload)
        error = outcome = None
        try:
            with default_storage.open(stored, "rb") as stream:
                outcome = reconciliation.import_notice_file(
                    self.municipality,
                    form.cleaned_data["format"],
                    stream,
                    file_name=upload.name,
                    actor=request.user,
                    dry_run=True,
                )
        except NoticeFormatError as problem:
            error = _("%(line)s 行目：%(message)s ファイル全体を取り込みません。") % {
                "line": problem.line,
                "message": problem.message,
            }
        except reconciliation.DuplicateFileError as duplicate:
            error = _("このファイルは %(when)s に取込済みです（%(name)s）。") % {
                "when": timezone.localtime(duplicate.notice_import.imported_at).strftime("%Y-%m-%d %H:%M"),
                "name": duplicate.notice_import.file_name,
            }
        if error or outcome is None:
            default_storage.delete(stored)
            form.add_error("file", error or "")
            return self.render_to_response(self.get_context_data(form=form))
        pending = self._pending()
        pending[token] = {
            "format": form.cleaned_data["format"],
            "name": upload.name,
            "m": self.municipality.pk,
            "stored": stored,
        }
        request.session[SESSION_KEY] = pending
        return self.render_to_response(
            self.get_context_data(
                form=UploadForm(),
                outcome=outcome,
                kind_label=NoticeKind(outcome.kind).label,
                token=token,
                file_name=upload.name,
            )
        )

    def _import(self, token: str) -> HttpResponse:
        pending = self._pending()
        entry = pending.pop(token, None)
        stored = entry.get("stored", "") if entry is not None else ""
        if entry is None or entry["m"] != self.municipality.pk or not stored or not default_storage.exists(stored):
            messages.error(self.request, _("確認したファイルが見つかりません。もう一度選んでください。"))
            return HttpResponseRedirect(reverse("payment-notices:upload"))
        self.request.session[SESSION_KEY] = pending
        try:
            with default_storage.open(stored, "rb") as stream:
                outcome = reconciliation.import_notice_file(
                    self.municipality,
                    entry["format"],
                    stream,
                    file_name=entry["name"],
                    actor=self.request.user,
                    request=self.request,
                )
        except (NoticeFormatError, reconciliation.DuplicateFileError) as problem:
            messages.error(self.request, str(problem))
            return HttpResponseRedirect(reverse("payment-notices:upload"))
        finally:
            default_storage.delete(stored)
        messages.success(
            self.request,
            _("%(name)s を取り込みました：%(records)s 件、消込 %(matched)s 件、要確認 %(exceptions)s 件。")
            % {
                "name": entry["name"],
                "records": f"{outcome.records:,}",
                "matched": f"{outcome.matched:,}",
                "exceptions": f"{outcome.exceptions:,}",
            },
        )
        return HttpResponseRedirect(reverse("payment-notices:index"))


def discard_stale_uploads(max_age: datetime.timedelta = datetime.timedelta(days=1)) -> None:
    """Delete files previewed and never imported; run before each new upload."""
    cutoff = timezone.now() - max_age
    try:
        _dirs, names = default_storage.listdir(UPLOAD_PREFIX)
    except FileNotFoundError:
        return
    for name in names:
        path = f"{UPLOAD_PREFIX}/{name}"
        try:
            if default_storage.get_modified_time(path) < cutoff:
                default_storage.delete(path)
        except (FileNotFoundError, NotImplementedError):
            continue


class NoticeImportViewSet(ViewSet):
    name = "payment-notices"
    url_prefix = "payments/notices"
    icon = "upload"
    menu_label = gettext_lazy("収納データの取込")
    menu_hook = PAYMENTS_MENU_HOOK
    menu_order = 400

    def get_urlpatterns(self) -> list[Any]:
        return [
            path("", ImportListView.as_view(), name="index"),
            path("upload/", UploadView.as_view(), name="upload"),
        ]

    @cached_property
    def menu_item_class(self) -> type[Any]:
        return permission_menu_item(permissions.VIEW_INVOICES)


# --- 消込の要確認 (the exception queue) ------------------------------------------------------


class QueueFilterForm(forms.Form):
    q = forms.CharField(label=gettext_lazy("検索（納付番号・データの識別子）"), required=False)
    status = forms.ChoiceField(
        label=gettext_lazy("状態"),
        required=False,
        choices=[("", gettext_lazy("すべて")), *NoticeStatus.choices],
    )
    reason = forms.ChoiceField(
        label=gettext_lazy("要確認の理由"),
        required=False,
        choices=[("", gettext_lazy("すべて")), *ExceptionReason.choices],
    )
    channel = forms.ChoiceField(
        label=gettext_lazy("収納チャネル"), required=False, choices=[("", gettext_lazy("すべて")), *Channel.choices]
    )
    date_from = forms.DateField(
        label=gettext_lazy("収納日（から）"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=gettext_lazy("収納日（まで）"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


def filtered_notices(data: dict[str, Any]) -> QuerySet[PaymentNotice]:
    notices = PaymentNotice.objects.select_related("invoice", "notice_import").order_by("-paid_on", "-id")
    status = data.get("status", NoticeStatus.EXCEPTION)
    if status:
        notices = notices.filter(status=status)
    if data.get("q"):
        term = data["q"].strip()
        notices = notices.filter(Q(invoice_number__icontains=term) | Q(record_key__icontains=term))
    if data.get("reason"):
        notices = notices.filter(exception_reason=data["reason"])
    if data.get("channel"):
        notices = notices.filter(channel=data["channel"])
    if data.get("date_from"):
        notices = notices.filter(paid_on__gte=data["date_from"])
    if data.get("date_to"):
        notices = notices.filter(paid_on__lte=data["date_to"])
    return notices


class ExceptionQueueView(StaffPage):
    template_name = "payments/staff/reconciliation/queue.html"
    title = gettext_lazy("消込の要確認")

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:  # type: ignore[override]
        data = request.GET.copy()
        if "status" not in data:
            data["status"] = NoticeStatus.EXCEPTION
        self.form = QueueFilterForm(data)
        criteria = self.form.cleaned_data if self.form.is_valid() else {"status": NoticeStatus.EXCEPTION}
        self.notices = filtered_notices(criteria)
        if request.GET.get("export") == "csv":
            return self.export(criteria)
        return super().get(request, *args, **kwargs)

    def export(self, criteria: dict[str, Any]) -> StreamingHttpResponse:
        audit.record(
            action=audit.Action.EXPORT,
            object_type="payments.paymentnotice",
            request=self.request,
            extra={"format": "csv", "criteria": {k: str(v) for k, v in criteria.items() if v}},
        )
        # Read inside the municipality's scope: the response streams after the view returns.
        rows = list(self.notices.values_list(
            "paid_on", "channel", "kind", "record_key", "invoice_number", "amount", "status",
            "exception_reason", "notice_import__file_name", "decision_note",
        ))  # fmt: skip
        channels, reasons, statuses = dict(Channel.choices), dict(ExceptionReason.choices), dict(NoticeStatus.choices)
        heading = [
            _("収納日"), _("収納チャネル"), _("種別"), _("データの識別子"), _("納付番号"), _("金額（円）"),
            _("状態"), _("要確認の理由"), _("ファイル名"), _("確認の内容"),
        ]  # fmt: skip

        def lines() -> Iterator[str]:
            buffer = io.StringIO()
            writer = csv.writer(buffer)
            yield "\ufeff"
            writer.writerow(heading)
            for paid_on, channel, kind, key, number, amount, status, reason, file_name, note in rows:
                writer.writerow(
                    [
                        paid_on.isoformat(),
                        str(channels.get(channel, channel)),
                        kind,
                        csv_cell(key),
                        csv_cell(number),
                        amount,
                        str(statuses.get(status, status)),
                        str(reasons.get(reason, reason)),
                        csv_cell(file_name or ""),
                        csv_cell(note),
                    ]
                )
                yield buffer.getvalue()
                buffer.seek(0)
                buffer.truncate()

        response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="payment-notices-{timezone.localdate():%Y%m%d}.csv"'
        return response

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        page = Paginator(self.notices, 50).get_page(self.request.GET.get("p"))
        page.object_list = list(page.object_list)
        channels = dict(Channel.choices)
        for notice in page.object_list:
            setattr(notice, "channel_label", channels.get(notice.channel, notice.channel))  # noqa: B010
        query = self.request.GET.copy()
        query.pop("p", None)
        query["export"] = "csv"
        return {
            **super().get_context_data(**kwargs),
            "form": self.form,
            "page": page,
            "export_query": query.urlencode(),
        }


class DecisionForm(forms.Form):
    action = forms.ChoiceField(
        choices=[("match", "match"), ("ignore", "ignore"), ("refund", "refund")], widget=forms.HiddenInput
    )
    invoice_number = forms.CharField(label=gettext_lazy("消し込む納付書の納付番号"), max_length=20, required=False)
    allow_cancelled = forms.BooleanField(
        label=gettext_lazy("取り消された納付書への納付として受け入れる"), required=False
    )
    note = forms.CharField(label=gettext_lazy("理由・確認の内容"), max_length=300, required=False)


class NoticeDetailView(StaffPage):
    template_name = "payments/staff/reconciliation/notice.html"
    title = gettext_lazy("収納通知の確認")

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if request.method == "POST":
            self.permission = permissions.RECORD_PAYMENTS
        return super().dispatch(request, *args, **kwargs)

    def get_notice(self) -> PaymentNotice:
        return get_object_or_404(
            PaymentNotice.objects.select_related("invoice", "notice_import", "decided_by"), pk=self.kwargs["pk"]
        )

    def get_breadcrumbs_items(self) -> list[dict[str, Any]]:
        return [
            *self.breadcrumbs_items,
            {"url": reverse("payment-exceptions:index"), "label": _("消込の要確認")},
            {"url": "", "label": self.get_page_title()},
        ]

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self.notice = self.get_notice()
        return super().get(request, *args, **kwargs)

    def candidate(self) -> Invoice | None:
        if self.notice.invoice is not None:
            return self.notice.invoice
        return Invoice.objects.filter(number=self.notice.invoice_number).first() if self.notice.invoice_number else None

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        candidate = self.candidate()
        if candidate is not None:
            audit.record(
                action=audit.Action.VIEW,
                obj=candidate,
                request=self.request,
                personal_data=True,
                subject=candidate.payer,
                fields=["number", "payer_name", "amount", "status"],
                extra={"via": "payment_notice", "notice": self.notice.pk},
            )
        form = kwargs.pop("form", None) or DecisionForm(
            initial={"invoice_number": candidate.number if candidate else self.notice.invoice_number}
        )
        return {
            **super().get_context_data(**kwargs),
            "notice": self.notice,
            "candidate": candidate,
            "form": form,
            "may_decide": self.notice.status == NoticeStatus.EXCEPTION and self.may(permissions.RECORD_PAYMENTS),
            "channel_label": dict(Channel.choices).get(self.notice.channel, self.notice.channel),
            "details": sorted((k, v) for k, v in self.notice.details.items() if v not in ("", None)),
        }

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self.notice = self.get_notice()
        form = DecisionForm(request.POST)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form))
        data = form.cleaned_data
        try:
            if data["action"] == "ignore":
                reconciliation.ignore(self.notice, actor=request.user, reason=data["note"], request=request)
                messages.success(request, _("対象外にしました。"))
            else:
                invoice = Invoice.objects.filter(number=data["invoice_number"].strip()).first()
                if invoice is None:
                    form.add_error("invoice_number", _("この納付番号の納付書はありません。"))
                    return self.render_to_response(self.get_context_data(form=form))
                if data["action"] == "refund":
                    refund = reconciliation.refund_overpayment(
                        self.notice, invoice, actor=request.user, reason=data["note"], request=request
                    )
                    messages.success(
                        request,
                        _("収納を記録し、%(amount)s の還付を起案しました。決裁を受けてください。")
                        % {"amount": _yen(refund.amount)},
                    )
                else:
                    reconciliation.match_manually(
                        self.notice,
                        invoice,
                        actor=request.user,
                        note=data["note"],
                        allow_cancelled=data["allow_cancelled"],
                        request=request,
                    )
                    messages.success(request, _("納付書 %(number)s に消し込みました。") % {"number": invoice.number})
        except reconciliation.DecisionError as error:
            form.add_error(None, str(error))
            return self.render_to_response(self.get_context_data(form=form))
        return HttpResponseRedirect(reverse("payment-exceptions:detail", args=[self.notice.pk]))


class ExceptionQueueViewSet(ViewSet):
    name = "payment-exceptions"
    url_prefix = "payments/exceptions"
    icon = "warning"
    menu_label = gettext_lazy("消込の要確認")
    menu_hook = PAYMENTS_MENU_HOOK
    menu_order = 410

    def get_urlpatterns(self) -> list[Any]:
        return [
            path("", ExceptionQueueView.as_view(), name="index"),
            path("<int:pk>/", NoticeDetailView.as_view(), name="detail"),
        ]

    @cached_property
    def menu_item_class(self) -> type[Any]:
        return permission_menu_item(permissions.VIEW_INVOICES)


# --- 日計表 (daily collection report) -----------------------------------------------------


class ReportForm(forms.Form):
    start = forms.DateField(label=gettext_lazy("収納日（から）"), widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=gettext_lazy("収納日（まで）"), widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start"), data.get("end")
        if start and end:
            if end < start:
                raise forms.ValidationError(_("期間の終わりは始めより後の日にしてください。"))
            if (end - start).days > 366:
                raise forms.ValidationError(_("期間は1年以内にしてください。"))
        return data


class CollectionReportView(StaffPage):
    template_name = "payments/staff/reconciliation/report.html"
    title = gettext_lazy("日計表（チャネル別・科目別の収納額）")

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        today = timezone.localdate()
        data = request.GET if "start" in request.GET else {"start": today.replace(day=1), "end": today}
        self.form = ReportForm(data)
        self.rows: list[reconciliation.CollectionRow] = []
        if self.form.is_valid():
            start, end = self.form.cleaned_data["start"], self.form.cleaned_data["end"]
            self.rows = reconciliation.daily_collection(self.municipality, start, end)
            if request.GET.get("export") == "csv":
                return self.export(start, end)
        return super().get(request, *args, **kwargs)

    def export(self, start: datetime.date, end: datetime.date) -> HttpResponse:
        audit.record(
            action=audit.Action.EXPORT,
            object_type="payments.payment",
            request=self.request,
            extra={"report": "daily_collection", "start": start.isoformat(), "end": end.isoformat()},
        )
        buffer = io.StringIO()
        buffer.write("\ufeff")
        writer = csv.writer(buffer)
        writer.writerow([_("収納日"), _("収納チャネル"), _("科目"), _("件数"), _("金額（円）")])
        channels, items = dict(Channel.choices), dict(Item.choices)
        for row in self.rows:
            writer.writerow(
                [
                    row.day.isoformat(),
                    channels.get(row.channel, row.channel),
                    items.get(row.item, row.item),
                    row.count,
                    row.amount,
                ]
            )
        response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="daily-collection-{start:%Y%m%d}-{end:%Y%m%d}.csv"'
        return response

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        channels, items = dict(Channel.choices), dict(Item.choices)
        totals = reconciliation.totals_by_channel(self.rows)
        chart = bar_chart(
            [(str(channels.get(c, c)), amount) for c, _count, amount in totals],
            title=_("チャネル別の収納額"),
            unit="円",
            bar_height=28,
            gap=10,
            label_width=200,
            value_room=140,
        )
        query = self.request.GET.copy()
        query["export"] = "csv"
        if self.form.is_valid():
            query["start"] = self.form.cleaned_data["start"].isoformat()
            query["end"] = self.form.cleaned_data["end"].isoformat()
        return {
            **super().get_context_data(**kwargs),
            "form": self.form,
            "rows": [
                {
                    "day": r.day,
                    "channel": channels.get(r.channel, r.channel),
                    "item": items.get(r.item, r.item),
                    "count": r.count,
                    "amount": r.amount,
                }
                for r in self.rows
            ],
            "totals": [{"channel": channels.get(c, c), "count": n, "amount": a} for c, n, a in totals],
            "grand_total": sum(a for _c, _n, a in totals),
            "grand_count": sum(n for _c, n, _a in totals),
            "chart": chart,
            "export_query": query.urlencode(),
        }


class CollectionReportViewSet(ViewSet):
    name = "collection-report"
    url_prefix = "payments/collection-report"
    icon = "table"
    menu_label = gettext_lazy("日計表")
    menu_hook = PAYMENTS_MENU_HOOK
    menu_order = 420

    def get_urlpatterns(self) -> list[Any]:
        return [path("", CollectionReportView.as_view(), name="index")]

    @cached_property
    def menu_item_class(self) -> type[Any]:
        return permission_menu_item(permissions.VIEW_INVOICES)


def viewsets() -> list[ViewSet]:
    """The reconciliation screens, for `payments.wagtail_hooks.register_viewsets`."""
    return [NoticeImportViewSet(), ExceptionQueueViewSet(), CollectionReportViewSet()]
