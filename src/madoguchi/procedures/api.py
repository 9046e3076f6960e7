"""/api/v1/{municipality}/procedures/: the municipality's catalog of procedures and the
JSON Schema of each procedure's form, for other systems (a portal, a kiosk, the
prefecture's shared system) that list procedures or prepare data for them.

- GET list / GET one (by 識別名 slug): published procedures with department, category,
  identity level, fee timing, availability and the current version of the form;
- GET …/{slug}/schema/: the JSON Schema (2020-12) of the current published form
  (`?version=N` for an older published version), titles in the language of
  Accept-Language.

The catalog is public information, but the tenant API is for the municipality's own
integrations: like every endpoint under /api/v1/{municipality}/, it needs an API token
of that municipality (any staff member's token will do: `procedures.view_catalog` is
held by every staff role). Drafts of forms are never shown.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import exceptions, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from madoguchi.accounts.models import Role
from madoguchi.accounts.permissions import register
from madoguchi.api.permissions import HasPermission

from . import formdef
from .jsonschema import to_json_schema
from .models import FormVersion, Procedure
from .services import forms as form_services

VIEW_CATALOG = register("procedures.view_catalog", _("APIでの手続一覧・様式の取得"), roles=set(Role.values))


class CatalogDepartmentSerializer(serializers.Serializer[Any]):
    code = serializers.CharField(read_only=True)
    name_ja = serializers.CharField(read_only=True)
    name_en = serializers.CharField(read_only=True)


class CatalogCategorySerializer(serializers.Serializer[Any]):
    slug = serializers.CharField(read_only=True)
    name_ja = serializers.CharField(read_only=True)
    name_en = serializers.CharField(read_only=True)


class ProcedureSerializer(serializers.ModelSerializer[Procedure]):
    department = CatalogDepartmentSerializer(read_only=True)
    category = CatalogCategorySerializer(read_only=True, allow_null=True)
    current_version = serializers.SerializerMethodField(help_text="公開中の様式の版 / current form version")

    class Meta:
        model = Procedure
        fields = [
            "slug", "code", "name_ja", "name_en", "reading", "summary_ja", "summary_en", "department", "category",
            "eligibility_ja", "eligibility_en", "attachments_ja", "attachments_en", "fee_note_ja", "fee_note_en",
            "fee_timing", "processing_days", "identity_level", "availability", "current_version", "updated_at",
        ]  # fmt: skip
        read_only_fields = fields

    def get_current_version(self, obj: Procedure) -> int | None:
        numbers = [v.number for v in obj.form_versions.all() if v.published_at is not None]
        return max(numbers) if numbers else None


SLUG_PARAMETER = OpenApiParameter(
    "slug",
    {"type": "string", "pattern": "^[-a-zA-Z0-9_]+$", "maxLength": 80},
    OpenApiParameter.PATH,
    description="手続の識別名 / procedure slug",
)
VERSION_PARAMETER = OpenApiParameter(
    "version",
    {"type": "integer", "minimum": 1, "maximum": 2147483647},
    description="様式の版（既定は公開中の版） / form version (default: the current one)",
)


@extend_schema_view(
    list=extend_schema(
        summary="手続の一覧 / Procedures",
        description="公開中の手続（表示順） / The municipality's published procedures, in display order.",
    ),
    retrieve=extend_schema(summary="手続 / One procedure", parameters=[SLUG_PARAMETER]),
    form_schema=extend_schema(
        summary="様式のJSON Schema / JSON Schema of the form",
        description=(
            "公開中の様式（または ?version= の版）を JSON Schema 2020-12 で返します。"
            "題名は Accept-Language の言語です。\n\n"
            "The form of the procedure as JSON Schema (draft 2020-12): the current published version, or the "
            "published version given by `?version=`. Titles are in the language of Accept-Language."
        ),
        parameters=[SLUG_PARAMETER, VERSION_PARAMETER],
        responses={200: OpenApiTypes.OBJECT},
    ),
)
class ProcedureViewSet(viewsets.ReadOnlyModelViewSet[Procedure]):
    serializer_class = ProcedureSerializer
    permission_classes = [HasPermission]
    required_permission = VIEW_CATALOG
    lookup_field = "slug"
    lookup_value_regex = r"[-a-zA-Z0-9_]+"

    def get_queryset(self) -> QuerySet[Procedure]:
        if getattr(self, "swagger_fake_view", False):
            return Procedure.objects.none()
        # The scoped manager limits this to the municipality of the URL.
        return (
            Procedure.objects.filter(is_published=True)
            .select_related("department", "category")
            .prefetch_related("form_versions")
            .order_by("sort_order", "slug")
        )

    @action(detail=True, methods=["get"], url_path="schema", url_name="schema")
    def form_schema(self, request: Request, **kwargs: Any) -> Response:
        procedure = self.get_object()
        raw = request.query_params.get("version")
        number: int | None = None
        if raw is not None:
            text = raw.strip()
            if not (text.isascii() and text.isdigit()) or not 1 <= int(text) <= 2147483647:
                raise exceptions.ValidationError({"version": [_("版は1以上の整数で指定してください。")]})
            number = int(text)
        version: FormVersion | None = form_services.version_of(procedure, number)
        if version is None:
            raise exceptions.NotFound(_("公開された様式の版が見つかりません。"))
        language = (get_language() or "ja")[:2]
        body = to_json_schema(
            formdef.parse(version.definition),
            language=language,
            title=procedure.name_en if language == "en" and procedure.name_en else procedure.name_ja,
            id=request.build_absolute_uri(f"{request.path}?version={version.number}"),
        )
        body["x-version"] = version.number
        body["x-published-at"] = version.published_at.isoformat() if version.published_at else None
        return Response(body)
