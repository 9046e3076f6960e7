"""GET /api/v1/{municipality}/audit-entries/: the municipality's audit log, for the
auditors' own systems (an archive, a SIEM). The token must act for a staff account with
the auditor role; every read is itself recorded in the log."""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import exceptions, serializers, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from madoguchi.api.models import ApiToken
from madoguchi.api.permissions import HasPermission

from . import permissions, services
from .models import Action, AuditEntry


class AuditEntrySerializer(serializers.ModelSerializer[AuditEntry]):
    class Meta:
        model = AuditEntry
        fields = [
            "id", "chain", "sequence", "occurred_at", "actor_id", "actor_label", "action", "object_type",
            "object_id", "object_repr", "fields", "personal_data", "subject_id", "reason", "ip_address",
            "user_agent", "request_id", "extra", "previous_hash", "entry_hash",
        ]  # fmt: skip
        read_only_fields = fields


def _text(value: str, name: str) -> str:
    if "\x00" in value:
        raise exceptions.ValidationError({name: _("使えない文字が含まれています。")})
    return value


def _moment(value: str, name: str, *, end_of_day: bool = False) -> datetime.datetime:
    """An ISO 8601 date or date-time; a date alone means the whole day (Japan time)."""
    _text(value, name)
    invalid = exceptions.ValidationError({name: _("日付または日時（ISO 8601）で指定してください。")})
    parsed: datetime.datetime | None
    try:
        day = parse_date(value) if len(value) == 10 else None
        if day is not None:
            parsed = datetime.datetime.combine(day, datetime.time.max if end_of_day else datetime.time.min)
        else:
            try:
                parsed = datetime.datetime.fromisoformat(value)
            except ValueError:
                parsed = parse_datetime(value)
    except ValueError:
        raise invalid from None
    if parsed is None:
        raise invalid
    if timezone.is_naive(parsed):
        parsed = parsed.replace(tzinfo=timezone.get_current_timezone())
    try:
        return parsed.astimezone(datetime.UTC)
    except OverflowError:
        # Beyond the calendar's ends: as far back or forward as a date goes.
        edge = datetime.datetime.min if parsed.year < 2 else datetime.datetime.max
        return edge.replace(tzinfo=datetime.UTC)


def _flag(value: str, name: str) -> bool:
    if value.lower() in ("true", "1"):
        return True
    if value.lower() in ("false", "0"):
        return False
    raise exceptions.ValidationError({name: _("true または false で指定してください。")})


def _number(value: str, name: str) -> int:
    try:
        return int(value)
    except ValueError:
        raise exceptions.ValidationError({name: _("数値で指定してください。")}) from None


FILTER_PARAMETERS = [
    OpenApiParameter("action", OpenApiTypes.STR, enum=Action.values, description="操作 / action"),
    OpenApiParameter("personal_data", OpenApiTypes.BOOL, description="個人情報を含むか / involved personal data"),
    OpenApiParameter("actor_id", OpenApiTypes.INT, description="操作者の利用者ID / id of the acting account"),
    OpenApiParameter("subject_id", OpenApiTypes.INT, description="本人の利用者ID / id of the person concerned"),
    OpenApiParameter("object_type", OpenApiTypes.STR, description="対象の種類（app_label.model） / object type"),
    OpenApiParameter("object_id", OpenApiTypes.STR, description="対象ID / object id"),
    OpenApiParameter(
        "since", OpenApiTypes.DATETIME, description="この日時（または日付）以降 / at or after (ISO 8601 date or time)"
    ),
    OpenApiParameter(
        "until", OpenApiTypes.DATETIME, description="この日時（または日付）以前 / at or before (ISO 8601 date or time)"
    ),
    OpenApiParameter(
        "after_sequence",
        OpenApiTypes.INT,
        description="この連番より後の記録（差分の取得） / entries after this sequence number (incremental fetch)",
    ),
    OpenApiParameter(
        "ordering", OpenApiTypes.STR, enum=["sequence", "-sequence"], description="並び順（既定は新しい順） / order"
    ),
]


@extend_schema_view(
    list=extend_schema(
        summary="監査ログ / Audit log entries",
        description=(
            "この団体の監査ログ（ハッシュチェーン）。監査担当の役割を持つ職員のトークンが必要です。取得自体も監査ログに記録されます。\n\n"
            "The municipality's audit log (its hash chain). Needs a token of a staff account with the auditor "
            "role; every read is recorded in the log itself."
        ),
        parameters=FILTER_PARAMETERS,
    ),
    retrieve=extend_schema(summary="監査ログの記録 / One audit log entry"),
)
class AuditEntryViewSet(viewsets.ReadOnlyModelViewSet[AuditEntry]):
    serializer_class = AuditEntrySerializer
    permission_classes = [HasPermission]
    required_permission = permissions.READ_LOG_API

    def get_queryset(self) -> QuerySet[AuditEntry]:
        if getattr(self, "swagger_fake_view", False):  # drf-spectacular reading the types
            return AuditEntry.objects.none()
        municipality = self.request._request.municipality  # type: ignore[attr-defined]
        # The log is not a tenant model: the municipality is filtered here explicitly.
        entries = services.entries_for(municipality)
        if self.action != "list":
            return entries
        params = self.request.query_params
        if value := params.get("action"):
            if value not in Action.values:
                raise exceptions.ValidationError({"action": _("操作の指定が正しくありません。")})
            entries = entries.filter(action=value)
        if value := params.get("personal_data"):
            entries = entries.filter(personal_data=_flag(value, "personal_data"))
        for name in ("actor_id", "subject_id", "after_sequence"):
            if value := params.get(name):
                number = _number(value, name)
                entries = (
                    entries.filter(sequence__gt=number)
                    if name == "after_sequence"
                    else entries.filter(**{name: number})
                )
        if value := params.get("object_type"):
            entries = entries.filter(object_type=_text(value, "object_type"))
        if value := params.get("object_id"):
            entries = entries.filter(object_id=_text(value, "object_id"))
        if value := params.get("since"):
            entries = entries.filter(occurred_at__gte=_moment(value, "since"))
        if value := params.get("until"):
            entries = entries.filter(occurred_at__lte=_moment(value, "until", end_of_day=True))
        ordering = params.get("ordering", "-sequence")
        if ordering not in ("sequence", "-sequence"):
            raise exceptions.ValidationError({"ordering": _("sequence または -sequence で指定してください。")})
        return entries.order_by(ordering)

    def _record_read(self, request: Request, **extra: Any) -> None:
        token = request.auth if isinstance(request.auth, ApiToken) else None
        services.record(
            action=Action.VIEW,
            object_type="audit.auditentry",
            request=request._request,
            extra={"api": True, "token": token.key_prefix if token else "", **extra},
        )

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        response = super().list(request, *args, **kwargs)
        criteria = {k: v for k, v in request.query_params.items() if k not in ("limit", "offset")}
        self._record_read(request, criteria=criteria, offset=request.query_params.get("offset", "0"))
        return response

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        response = super().retrieve(request, *args, **kwargs)
        self._record_read(request, entry=kwargs.get("pk"))
        return response
