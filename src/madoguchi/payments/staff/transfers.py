"""口座振替 in the staff console's 収納 menu.

- 口座振替の登録 (`payment-bank-accounts`): search, filter and export the registered
  accounts, register one (bank and branch from the Zengin table, with the lookups of
  `madoguchi.japanese`), and suspend, resume or cancel it.
- 口座振替の依頼 (`payment-transfers`): create the batch of a transfer date, download its
  Zengin request file, upload the bank's result file, and see each request's result.

Lists and details of accounts and requests are personal data: every look is audited.
"""

from __future__ import annotations

import contextlib
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import FormView, TemplateView
from wagtail.admin import messages
from wagtail.admin.ui.tables import Column, TitleColumn
from wagtail.admin.views import generic
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.viewsets.base import ViewSet
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permission_policies.base import BasePermissionPolicy
from wagtail.permissions import register_permission_policy

from madoguchi.accounts.permissions import Permission, has_permission, request_municipality
from madoguchi.audit import services as audit
from madoguchi.core.staff_views import (
    ConsoleExportMixin,
    RolePermissionPolicy,
    ServiceViewSetMixin,
    check,
    console_municipality,
    permission_menu_item,
)
from madoguchi.japanese import banks
from madoguchi.japanese.zengin_kana import ZenginKanaError, to_zengin_kana, zengin_kana_to_fullwidth

from .. import permissions, services, transfers, zengin
from ..models import BankAccount, BankAccountStatus, Item, TransferBatch, TransferBatchStatus
from . import PAYMENTS_MENU_HOOK
from .transfer_forms import BankAccountFilterSet, BatchForm, RegisterAccountForm, ResultFileForm

_POLICY: BasePermissionPolicy = RolePermissionPolicy(
    BankAccount,
    {"view": permissions.VIEW_INVOICES, "add": permissions.MANAGE_INVOICES, "change": permissions.MANAGE_INVOICES},
)
register_permission_policy(BankAccount, _POLICY)


def bank_label(bank_code: str, branch_code: str) -> str:
    bank = banks.get_bank(bank_code)
    branch = banks.get_branch(bank_code, branch_code)
    return f"{bank.name if bank else bank_code} {branch.name if branch else branch_code}"


# --- 口座振替の登録 -------------------------------------------------------------------------


class BankAccountIndexView(ConsoleExportMixin, generic.IndexView):
    def get_base_queryset(self) -> QuerySet[BankAccount]:
        return BankAccount.objects.all()

    def search_queryset(self, queryset: QuerySet[BankAccount]) -> QuerySet[BankAccount]:
        if not self.is_searching:
            return queryset
        query = self.search_query.strip()
        condition = Q()
        for name in ("payer_name", "payer_number", "customer_number", "account_number", "holder_kana"):
            condition |= Q(**{f"{name}__icontains": query})
        # Staff type ヤマダ or やまだ; the registration keeps ﾔﾏﾀﾞ.
        with contextlib.suppress(ZenginKanaError):
            condition |= Q(holder_kana__icontains=to_zengin_kana(query))
        return queryset.filter(condition)

    @cached_property
    def columns(self) -> list[Any]:
        return [
            TitleColumn(
                "payer_name",
                label=gettext_lazy("納付者氏名・名称"),
                get_url=lambda a: reverse("payment-bank-accounts:detail", args=[a.pk]),
                sort_key="payer_name",
            ),
            Column("customer_number", label=gettext_lazy("顧客番号"), sort_key="customer_number"),
            Column(
                "bank", label=gettext_lazy("金融機関・支店"), accessor=lambda a: bank_label(a.bank_code, a.branch_code)
            ),
            Column("account_number", label=gettext_lazy("口座番号"), accessor="account_number"),
            Column("holder", label=gettext_lazy("口座名義"), accessor="holder_kana"),
            Column("status", label=gettext_lazy("状態"), accessor="get_status_display", sort_key="status"),
            Column("valid_from", label=gettext_lazy("振替開始日"), sort_key="valid_from"),
        ]

    def render_to_response(self, context: dict[str, Any], **response_kwargs: Any) -> HttpResponse:
        criteria = {k: v for k, v in self.request.GET.items() if k not in ("p", "export", "_w_filter_fragment") and v}
        audit.record(
            action=audit.Action.EXPORT if self.is_export else audit.Action.VIEW,
            object_type="payments.bankaccount",
            personal_data=True,
            request=self.request,
            fields=transfers.ACCOUNT_FIELDS,
            extra={"criteria": criteria, "format": self.request.GET.get("export", "")},
        )
        return super().render_to_response(context, **response_kwargs)


class BankAccountConsoleMixin(WagtailAdminTemplateMixin):
    header_icon = "user"
    permission: Permission = permissions.VIEW_INVOICES
    request: HttpRequest

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        check(request, self.permission)
        self.municipality = console_municipality(request)
        return super().dispatch(request, *args, **kwargs)  # type: ignore[misc,no-any-return]

    def get_breadcrumbs_items(self) -> list[dict[str, Any]]:
        return [
            *self.breadcrumbs_items,
            {"url": reverse("payment-bank-accounts:index"), "label": _("口座振替の登録")},
            {"url": "", "label": self.get_page_title()},  # type: ignore[attr-defined]
        ]


class RegisterAccountView(BankAccountConsoleMixin, FormView[RegisterAccountForm]):
    template_name = "payments/staff/transfers/account_form.html"
    form_class = RegisterAccountForm
    permission = permissions.MANAGE_INVOICES

    def get_page_title(self) -> str:
        return _("口座振替の登録")

    def get_initial(self) -> dict[str, Any]:
        return {"valid_from": timezone.localdate(), "account_type": "1"}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(
            action_url=self.request.path,
            media=context["form"].media,
            submit_button_label=_("登録する"),
            submit_button_active_label=_("登録しています…"),
        )
        return context

    def form_valid(self, form: RegisterAccountForm) -> HttpResponse:
        data = form.cleaned_data
        try:
            account = transfers.register_account(
                self.municipality,
                payer_name=data["payer_name"],
                payer_number=data["payer_number"],
                customer_number=data["customer_number"],
                bank_code=data["bank_code"],
                branch_code=data["branch_code"],
                account_type=data["account_type"],
                account_number=data["account_number"],
                holder_name=data["account_holder_kana"],
                items=data["items"],
                valid_from=data["valid_from"],
                actor=self.request.user,
                request=self.request,
            )
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                form.add_error("account_holder_kana" if field == "holder_kana" else field, errors)
            return self.form_invalid(form)
        messages.success(
            self.request,
            _("%(name)s の口座振替を登録しました（顧客番号 %(number)s）。")
            % {"name": account.payer_name, "number": account.customer_number},
        )
        return HttpResponseRedirect(reverse("payment-bank-accounts:detail", args=[account.pk]))


class AccountDetailView(BankAccountConsoleMixin, TemplateView):
    template_name = "payments/staff/transfers/account_detail.html"

    def get_page_title(self) -> str:
        return _("口座振替の登録内容")

    def get_account(self) -> BankAccount:
        # The console's data scope is the staff member's municipality: another's is 404.
        return get_object_or_404(BankAccount.objects.all(), pk=self.kwargs["pk"])

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self.account = self.get_account()
        transfers.view_account(self.account, request=request)
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        account = self.account
        item_labels = dict(Item.choices)
        return {
            **super().get_context_data(**kwargs),
            "account": account,
            "bank": bank_label(account.bank_code, account.branch_code),
            "holder_fullwidth": zengin_kana_to_fullwidth(account.holder_kana),
            "items": [item_labels.get(i, i) for i in account.items],
            "may_change": has_permission(
                self.request.user, permissions.MANAGE_INVOICES, request_municipality(self.request)
            ),
            "requests": self.history(account),
        }

    @staticmethod
    def history(account: BankAccount) -> list[dict[str, Any]]:
        items = account.requests.select_related("invoice", "batch").order_by("-batch__transfer_date")[:50]
        return [{"request": item, "result": transfers.result_label(item.result_code)} for item in items]

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        check(request, permissions.MANAGE_INVOICES)
        account = self.get_account()
        status = request.POST.get("status", "")
        if status not in BankAccountStatus.values:
            raise Http404
        try:
            transfers.set_account_status(account, status, actor=request.user, request=request)
        except transfers.TransferError as error:
            messages.error(request, str(error.message))
        else:
            messages.success(
                request, _("状態を「%(status)s」にしました。") % {"status": BankAccountStatus(status).label}
            )
        return HttpResponseRedirect(reverse("payment-bank-accounts:detail", args=[account.pk]))


class BankAccountViewSet(ServiceViewSetMixin, ModelViewSet):
    """口座振替の登録."""

    dropped_url_names = ("edit_url_name", "delete_url_name", "history_url_name", "usage_url_name", "copy_url_name")

    model = BankAccount
    name = "payment-bank-accounts"
    url_prefix = "payments/bank-accounts"
    icon = "user"
    menu_label = gettext_lazy("口座振替の登録")
    menu_hook = PAYMENTS_MENU_HOOK
    menu_order = 500
    add_to_reference_index = False
    copy_view_enabled = False
    inspect_view_enabled = False
    permission_policy = _POLICY
    index_view_class = BankAccountIndexView
    filterset_class = BankAccountFilterSet
    search_fields = ["payer_name", "payer_number", "customer_number", "account_number", "holder_kana"]
    search_backend_name = None
    ordering = "-created_at"
    list_per_page = 50
    list_export = [
        "customer_number", "payer_number", "payer_name", "bank_code", "branch_code", "account_type",
        "account_number", "holder_kana", "items", "get_status_display", "valid_from", "created_at",
    ]  # fmt: skip
    export_headings = {"get_status_display": gettext_lazy("状態")}
    export_filename = "bank-accounts"

    def get_urlpatterns(self) -> list[Any]:
        return [
            path("", self.index_view, name="index"),
            path("results/", self.index_results_view, name="index_results"),
            path("add/", RegisterAccountView.as_view(), name="add"),
            path("<int:pk>/", AccountDetailView.as_view(), name="detail"),
        ]

    @cached_property
    def menu_item_class(self) -> type[Any]:
        return permission_menu_item(permissions.VIEW_INVOICES)


# --- 口座振替の依頼 -------------------------------------------------------------------------


class TransferConsoleMixin(WagtailAdminTemplateMixin):
    header_icon = "list-ul"
    request: HttpRequest

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        check(request, permissions.VIEW_INVOICES)
        self.municipality = console_municipality(request)
        return super().dispatch(request, *args, **kwargs)  # type: ignore[misc,no-any-return]

    def get_breadcrumbs_items(self) -> list[dict[str, Any]]:
        items = [*self.breadcrumbs_items, {"url": reverse("payment-transfers:index"), "label": _("口座振替の依頼")}]
        title = self.get_page_title()  # type: ignore[attr-defined]
        if title != _("口座振替の依頼"):
            items.append({"url": "", "label": title})
        return items

    def may(self, permission: Permission) -> bool:
        return has_permission(self.request.user, permission, request_municipality(self.request))


class BatchIndexView(TransferConsoleMixin, TemplateView):
    template_name = "payments/staff/transfers/batch_index.html"

    def get_page_title(self) -> str:
        return _("口座振替の依頼")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(
            batches=TransferBatch.objects.all().order_by("-transfer_date", "-pk")[:100],
            form=kwargs.get("form") or BatchForm(),
            may_create=self.may(permissions.MANAGE_INVOICES),
        )
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        check(request, permissions.MANAGE_INVOICES)
        form = BatchForm(request.POST)
        if form.is_valid():
            try:
                batch = transfers.create_batch(
                    self.municipality, form.cleaned_data["transfer_date"], actor=request.user, request=request
                )
            except transfers.TransferError as error:
                form.add_error("transfer_date", str(error.message))
            else:
                messages.success(
                    request,
                    _("振替日 %(date)s の依頼を作成しました（%(count)d件）。")
                    % {"date": batch.transfer_date.isoformat(), "count": batch.record_count},
                )
                return HttpResponseRedirect(reverse("payment-transfers:detail", args=[batch.pk]))
        return self.render_to_response(self.get_context_data(form=form))


class BatchDetailView(TransferConsoleMixin, TemplateView):
    template_name = "payments/staff/transfers/batch_detail.html"

    def get_page_title(self) -> str:
        return _("口座振替の依頼の内容")

    def get_batch(self) -> TransferBatch:
        return get_object_or_404(TransferBatch.objects.all(), pk=self.kwargs["pk"])

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self.batch = self.get_batch()
        return self.show(ResultFileForm())

    def show(self, form: ResultFileForm, status: int = 200) -> HttpResponse:
        audit.record(
            action=audit.Action.VIEW,
            obj=self.batch,
            request=self.request,
            personal_data=True,
            fields=["requests"],
        )
        return self.render_to_response(self.get_context_data(form=form), status=status)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        show = self.request.GET.get("show", "")
        requests = transfers.requests_of(self.batch)
        if show == "failed":
            requests = requests.exclude(result_code="").exclude(result_code=zengin.TRANSFERRED)
        rows = [
            {
                "request": item,
                "bank": bank_label(item.bank_account.bank_code, item.bank_account.branch_code),
                "result": transfers.result_label(item.result_code),
            }
            for item in requests
        ]
        context.update(
            batch=self.batch,
            rows=rows,
            show=show,
            may_export=self.may(permissions.MANAGE_INVOICES),
            may_import=self.may(permissions.RECORD_PAYMENTS) and self.batch.status != TransferBatchStatus.DRAFT,
            upload_url=reverse("payment-transfers:results", args=[self.batch.pk]),
            download_url=reverse("payment-transfers:request_file", args=[self.batch.pk]),
            result_codes=[(code, label) for code, label in zengin.RESULT_CODES.items()],
            outcomes=self.outcomes(),
        )
        return context

    def outcomes(self) -> list[tuple[str, str, int, int]]:
        """Per result code: code, name, count and amount (結果待ち under '')."""
        totals: dict[str, tuple[int, int]] = {}
        for code, amount in transfers.requests_of(self.batch).values_list("result_code", "amount"):
            count, total = totals.get(code, (0, 0))
            totals[code] = (count + 1, total + amount)
        return [
            (code, transfers.result_label(code) or _("結果待ち"), count, total)
            for code, (count, total) in sorted(totals.items())
        ]


class RequestFileView(TransferConsoleMixin, TemplateView):
    """The Zengin request file. POST writes it (the first time; afterwards it returns the
    file already written) and sends it; GET sends a file already written."""

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        check(request, permissions.MANAGE_INVOICES)
        batch = get_object_or_404(TransferBatch.objects.all(), pk=kwargs["pk"])
        if not batch.request_file:
            return HttpResponseRedirect(reverse("payment-transfers:detail", args=[batch.pk]))
        return self.send(batch)

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        check(request, permissions.MANAGE_INVOICES)
        batch = get_object_or_404(TransferBatch.objects.all(), pk=kwargs["pk"])
        return self.send(batch)

    def send(self, batch: TransferBatch) -> HttpResponse:
        try:
            data = transfers.export_request_file(batch, actor=self.request.user, request=self.request)
        except (transfers.TransferError, ValueError) as error:
            messages.error(self.request, str(getattr(error, "message", error)))
            return HttpResponseRedirect(reverse("payment-transfers:detail", args=[batch.pk]))
        response = HttpResponse(data, content_type="application/octet-stream")
        response["Content-Disposition"] = f'attachment; filename="furikae-{batch.transfer_date:%Y%m%d}-{batch.pk}.txt"'
        response["Cache-Control"] = "no-store"
        return response


class ResultUploadView(BatchDetailView):
    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return HttpResponseRedirect(reverse("payment-transfers:detail", args=[kwargs["pk"]]))

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        check(request, permissions.RECORD_PAYMENTS)
        self.batch = self.get_batch()
        form = ResultFileForm(request.POST, request.FILES)
        if not form.is_valid():
            return self.show(form, status=400)
        try:
            summary = transfers.import_result_file(
                self.batch, form.cleaned_data["file"], actor=request.user, request=request
            )
        except zengin.ZenginError as error:
            form.add_error(
                "file", _("取り込めませんでした。何も取り込んでいません。%(error)s") % {"error": error.message}
            )
            return self.show(form, status=400)
        except (transfers.TransferError, services.PaymentError) as error:
            form.add_error("file", str(getattr(error, "message", error)))
            return self.show(form, status=400)
        messages.success(
            request,
            _("振替結果を取り込みました：振替済 %(done)d件、振替不能 %(failed)d件（新たに記録した収納 %(new)d件）。")
            % {"done": summary.transferred, "failed": summary.failed, "new": summary.payments_recorded},
        )
        return HttpResponseRedirect(reverse("payment-transfers:detail", args=[self.batch.pk]))


class TransferBatchViewSet(ViewSet):
    """口座振替の依頼."""

    name = "payment-transfers"
    url_prefix = "payments/transfers"
    icon = "list-ul"
    menu_label = gettext_lazy("口座振替の依頼")
    menu_hook = PAYMENTS_MENU_HOOK
    menu_order = 510

    def get_urlpatterns(self) -> list[Any]:
        return [
            path("", BatchIndexView.as_view(), name="index"),
            path("<int:pk>/", BatchDetailView.as_view(), name="detail"),
            path("<int:pk>/request-file/", RequestFileView.as_view(), name="request_file"),
            path("<int:pk>/results/", ResultUploadView.as_view(), name="results"),
        ]

    @cached_property
    def menu_item_class(self) -> type[Any]:
        return permission_menu_item(permissions.VIEW_INVOICES)


def viewsets() -> list[Any]:
    """The 収納 menu's account transfer screens (registered by payments.wagtail_hooks)."""
    return [BankAccountViewSet(), TransferBatchViewSet()]
