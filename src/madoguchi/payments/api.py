"""/api/v1/{municipality}/invoices/: invoices and their payments for the tax and
accounting systems.

- GET list (filters: status, item, fiscal_year, payer_number, source_reference,
  updated_since) and GET one (by 納付番号), with the payments recorded on it;
- POST: issue an invoice; with `source_reference` the call is idempotent (the same
  reference again answers 200 with the invoice already issued, another amount or item
  for it 409);
- POST …/{number}/cancel/: cancel it (取消し), idempotent too.

Reading needs `payments.view_invoices`, writing `payments.manage_invoices`; every read
(invoices carry personal data) and every change is written to the audit log.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import exceptions, mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from madoguchi.api.models import ApiToken
from madoguchi.api.permissions import HasPermission
from madoguchi.api.serializers import ErrorSerializer
from madoguchi.audit import services as audit
from madoguchi.audit.api import _moment, _number, _text
from madoguchi.japanese.postal import normalize_postal_code

from . import permissions, services
from .models import Invoice, InvoiceStatus, Item, Payment


class PaymentSerializer(serializers.ModelSerializer[Payment]):
    class Meta:
        model = Payment
        fields = ["channel", "reference", "amount", "paid_on", "recorded_at"]
        read_only_fields = fields


class InvoiceSerializer(serializers.ModelSerializer[Invoice]):
    balance = serializers.IntegerField(read_only=True, help_text="未納額（過納はマイナス） / Still owed")
    payments = PaymentSerializer(many=True, read_only=True)

    class Meta:
        model = Invoice
        fields = [
            "number", "confirmation_number", "status", "item", "fiscal_year", "instalment", "description",
            "amount", "paid_amount", "refunded_amount", "balance", "issued_on", "due_date", "payable_until",
            "payer_number", "payer_name", "payer_name_kana", "payer_postal_code", "payer_address",
            "source_reference", "cancelled_at", "cancel_reason", "created_at", "updated_at", "payments",
        ]  # fmt: skip
        read_only_fields = fields


# Patterns the OpenAPI document states, so that integrations (and schemathesis) know
# what is refused: no NUL (the databases cannot store it) and, where required, something
# other than spaces.
# (An optional field's empty value is documented separately, so the patterns do not match it.)
NO_NUL = r"^[^\x00]+$"
NOT_BLANK = r"^[^\x00]*[^\x00\s][^\x00]*$"
POSTAL_CODE = r"^[0-9]{3}-?[0-9]{4}$"


class TextField(serializers.RegexField):
    """A text field that takes text only: DRF's would turn a JSON number into its digits,
    which the OpenAPI document (type: string) says is refused."""

    def to_internal_value(self, data: Any) -> str:
        if not isinstance(data, str):
            self.fail("invalid")
        return str(super().to_internal_value(data))


def _text_field(max_length: int, *, required: bool = False, **kwargs: Any) -> serializers.RegexField:
    return TextField(
        NOT_BLANK if required else NO_NUL,
        max_length=max_length,
        required=required,
        allow_blank=not required,
        trim_whitespace=False,
        **kwargs,
    )


class InvoiceCreateSerializer(serializers.Serializer[dict[str, Any]]):
    item = serializers.ChoiceField(choices=Item.choices, help_text="科目 / item")
    fiscal_year = serializers.IntegerField(min_value=2000, max_value=2099, help_text="年度 / fiscal year")
    instalment = serializers.IntegerField(min_value=0, max_value=12, default=0, help_text="期別 / instalment")
    amount = serializers.IntegerField(min_value=1, max_value=9_999_999_999, help_text="金額（円） / amount in yen")
    due_date = serializers.DateField(help_text="納期限 / due date")
    payable_until = serializers.DateField(
        required=False, help_text="取扱期限（既定は納期限） / last day payable at stores (default: the due date)"
    )
    issued_on = serializers.DateField(required=False, help_text="発行日（既定は今日） / issue date (default: today)")
    payer_name = _text_field(200, required=True, help_text="納付者氏名・名称 / payer's name")
    payer_name_kana = _text_field(200, help_text="フリガナ / payer's name in katakana")
    payer_number = _text_field(20, help_text="宛名番号 / payer's number in the tax system")
    payer_postal_code = serializers.RegexField(
        POSTAL_CODE, max_length=8, required=False, allow_blank=True, help_text="郵便番号 / postal code"
    )
    payer_address = _text_field(300, help_text="住所 / address")
    description = _text_field(200, help_text="内容 / description")
    source_reference = _text_field(
        100, help_text="送信元での識別子（冪等キー） / the sending system's key (idempotency key)"
    )

    def validate_payer_name(self, value: str) -> str:
        return value.strip() or value

    def validate_payer_postal_code(self, value: str) -> str:
        return normalize_postal_code(value) or "" if value else ""


class CancelSerializer(serializers.Serializer[dict[str, Any]]):
    reason = _text_field(200, required=True, help_text="取消理由 / reason")

    def validate_reason(self, value: str) -> str:
        return value.strip() or value


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = _("この識別子の納付書は、別の内容で発行済みです。")
    default_code = "conflict"


NUMBER_PARAMETER = OpenApiParameter(
    "number",
    {"type": "string", "minLength": 1, "maxLength": 20},
    OpenApiParameter.PATH,
    description="納付番号 / invoice number",
)
LIST_PARAMETERS = [
    OpenApiParameter("status", OpenApiTypes.STR, enum=InvoiceStatus.values, description="状態 / status"),
    OpenApiParameter("item", OpenApiTypes.STR, enum=Item.values, description="科目 / item"),
    OpenApiParameter(
        "fiscal_year", {"type": "integer", "minimum": 1, "maximum": 9999}, description="年度 / fiscal year"
    ),
    OpenApiParameter("payer_number", OpenApiTypes.STR, description="宛名番号 / payer's number"),
    OpenApiParameter("source_reference", OpenApiTypes.STR, description="送信元での識別子 / source reference"),
    OpenApiParameter(
        "updated_since",
        OpenApiTypes.DATETIME,
        description="この日時（または日付）以降に変わったもの / changed at or after (ISO 8601 date or time)",
    ),
]
CONFLICT = OpenApiResponse(ErrorSerializer, description="識別子が別の内容で発行済み / source_reference exists")


@extend_schema_view(
    list=extend_schema(
        summary="納付書の一覧 / Invoices",
        description=(
            "納付書と収納状況（新しく更新された順）。取得は監査ログに記録されます。\n\n"
            "Invoices and what was paid on them, most recently changed first. Every read is audited."
        ),
        parameters=LIST_PARAMETERS,
    ),
    retrieve=extend_schema(summary="納付書 / One invoice", parameters=[NUMBER_PARAMETER]),
    create=extend_schema(
        summary="納付書の発行 / Issue an invoice",
        description=(
            "source_reference を付けると冪等です：同じ識別子は発行済みの納付書を 200 で返し、"
            "別の科目・金額なら 409 です。\n\n"
            "Idempotent with `source_reference`: the same reference answers 200 with the invoice already "
            "issued; another item or amount for it answers 409."
        ),
        request=InvoiceCreateSerializer,
        responses={201: InvoiceSerializer, 200: InvoiceSerializer, 409: CONFLICT},
    ),
    cancel=extend_schema(
        summary="納付書の取消し / Cancel an invoice",
        description="取消し済みなら何もしません / Does nothing to an invoice already cancelled.",
        parameters=[NUMBER_PARAMETER],
        request=CancelSerializer,
        responses={200: InvoiceSerializer},
    ),
)
class InvoiceViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet[Invoice]):
    serializer_class = InvoiceSerializer
    permission_classes = [HasPermission]
    required_permission = permissions.VIEW_INVOICES
    required_permissions = {"create": permissions.MANAGE_INVOICES, "cancel": permissions.MANAGE_INVOICES}
    lookup_field = "number"
    lookup_value_regex = r"[^/\x00]+"

    def get_queryset(self) -> QuerySet[Invoice]:
        if getattr(self, "swagger_fake_view", False):
            return Invoice.objects.none()
        # The scoped manager limits this to the municipality of the URL.
        invoices = Invoice.objects.prefetch_related("payments").order_by("-updated_at", "-id")
        if self.action != "list":
            return invoices
        params = self.request.query_params
        if value := params.get("status"):
            if value not in InvoiceStatus.values:
                raise exceptions.ValidationError({"status": [_("状態の指定が正しくありません。")]})
            invoices = invoices.filter(status=value)
        if value := params.get("item"):
            if value not in Item.values:
                raise exceptions.ValidationError({"item": [_("科目の指定が正しくありません。")]})
            invoices = invoices.filter(item=value)
        if value := params.get("fiscal_year"):
            year = _number(value, "fiscal_year")
            if not 1 <= year <= 9999:
                raise exceptions.ValidationError({"fiscal_year": [_("年度の指定が正しくありません。")]})
            invoices = invoices.filter(fiscal_year=year)
        if value := params.get("payer_number"):
            invoices = invoices.filter(payer_number=_text(value, "payer_number"))
        if value := params.get("source_reference"):
            invoices = invoices.filter(source_reference=_text(value, "source_reference"))
        if value := params.get("updated_since"):
            invoices = invoices.filter(updated_at__gte=_moment(value, "updated_since"))
        return invoices

    def _token_prefix(self, request: Request) -> str:
        return request.auth.key_prefix if isinstance(request.auth, ApiToken) else ""

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        response = super().list(request, *args, **kwargs)
        audit.record(
            action=audit.Action.VIEW,
            object_type="payments.invoice",
            personal_data=True,
            request=request._request,
            extra={
                "api": True,
                "token": self._token_prefix(request),
                "criteria": {k: v for k, v in request.query_params.items() if k not in ("limit", "offset")},
                "offset": request.query_params.get("offset", "0"),
            },
        )
        return response

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        invoice = self.get_object()
        audit.record(
            action=audit.Action.VIEW,
            obj=invoice,
            subject=invoice.payer,
            personal_data=True,
            request=request._request,
            fields=["payer_name", "payer_address", "amount", "status", "payments"],
            extra={"api": True, "token": self._token_prefix(request)},
        )
        return Response(self.get_serializer(invoice).data)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        form = InvoiceCreateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        municipality = request._request.municipality  # type: ignore[attr-defined]
        reference = data.get("source_reference", "")
        existed = bool(reference) and Invoice.objects.filter(source_reference=reference).exists()
        try:
            invoice = services.create_invoice(municipality=municipality, actor=request.user, **data)
        except services.PaymentError as error:
            raise Conflict() from error
        except DjangoValidationError as error:
            raise exceptions.ValidationError(
                error.message_dict if hasattr(error, "error_dict") else {"non_field_errors": error.messages}
            ) from None
        invoice = Invoice.objects.prefetch_related("payments").get(pk=invoice.pk)
        return Response(
            InvoiceSerializer(invoice).data, status=status.HTTP_200_OK if existed else status.HTTP_201_CREATED
        )

    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        invoice = self.get_object()
        form = CancelSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        services.cancel_invoice(invoice, reason=form.validated_data["reason"], actor=request.user)
        invoice = Invoice.objects.prefetch_related("payments").get(pk=invoice.pk)
        return Response(InvoiceSerializer(invoice).data)
