"""The open data API (public, no token), router prefix `opendata`:

- GET /api/v1/opendata/ — the datasets (file id, titles, columns in the standard's order,
  licence);
- GET /api/v1/opendata/{dataset}/?municipality=<slug> — one municipality's rows of a
  dataset, the same as its CSV file (`/<slug>/opendata/<dataset>.csv`), with the licence
  and update date. Counted as a JSON download.

Register on the public router in api/urls.py:
`public.register("opendata", OpenDataViewSet, basename="opendata")` ("opendata" must be in
settings.RESERVED_SLUGS).
"""

from __future__ import annotations

import re
from typing import Any

from django.http import Http404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import exceptions, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from madoguchi.api.permissions import AllowPublic
from madoguchi.api.serializers import ErrorSerializer
from madoguchi.core.models import Municipality

from .opendata import registry, services

SLUG = re.compile(r"^[-a-zA-Z0-9_]{1,60}$")

DATASET_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "dataset": {"type": "string"},
        "title": {"type": "string"},
        "title_en": {"type": "string"},
        "columns": {"type": "array", "items": {"type": "string"}},
        "required": {"type": "array", "items": {"type": "string"}},
        "license": {"type": "string"},
    },
    "required": ["dataset", "title", "title_en", "columns", "required", "license"],
}
DOCUMENT_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "dataset": {"type": "string"},
        "title": {"type": "string"},
        "title_en": {"type": "string"},
        "municipality": {
            "type": "object",
            "properties": {"code": {"type": "string"}, "name": {"type": "string"}, "name_en": {"type": "string"}},
        },
        "license": {"type": "string"},
        "license_url": {"type": "string"},
        "updated": {"type": "string", "format": "date-time", "nullable": True},
        "columns": {"type": "array", "items": {"type": "string"}},
        "rows": {"type": "array", "items": {"type": "object", "additionalProperties": {"type": "string"}}},
    },
    "required": ["dataset", "columns", "rows", "license"],
}


def _describe(dataset: registry.Dataset) -> dict[str, Any]:
    return {
        "dataset": dataset.key,
        "title": dataset.title_ja,
        "title_en": dataset.title_en,
        "columns": list(dataset.columns),
        "required": [column for column in dataset.columns if column in dataset.required],
        "license": services.LICENCE,
    }


@extend_schema_view(
    list=extend_schema(
        summary="オープンデータのデータセット / Open data datasets",
        description=(
            "自治体標準オープンデータセットのうち公開しているデータセットと、その列（標準の順）。\n\n"
            "The datasets of the standard open data set this deployment publishes, with their columns in order."
        ),
        responses={200: DATASET_SCHEMA},  # a list action: drf-spectacular makes it an array
    ),
    retrieve=extend_schema(
        summary="オープンデータ（団体ごと） / One municipality's open data",
        description=(
            "団体のデータセットの行（CSVファイルと同じ内容）。ライセンス CC BY 4.0。\n\n"
            "The municipality's rows of the dataset, as in its CSV file. Licence CC BY 4.0."
        ),
        parameters=[
            OpenApiParameter("dataset", OpenApiTypes.STR, OpenApiParameter.PATH, enum=list(registry.DATASETS)),
            OpenApiParameter(
                "municipality",
                OpenApiTypes.STR,
                required=True,
                allow_blank=False,
                pattern=SLUG.pattern,
                description="団体のURL名 / municipality slug",
            ),
        ],
        responses={
            200: DOCUMENT_SCHEMA,
            400: OpenApiResponse(ErrorSerializer, description="団体の指定がない / municipality missing"),
            404: OpenApiResponse(ErrorSerializer, description="見つからない / not found"),
        },
    ),
)
class OpenDataViewSet(viewsets.ViewSet):
    """Public: open data of every active municipality of the deployment."""

    permission_classes = [AllowPublic]
    authentication_classes: list[type] = []
    lookup_field = "dataset"
    lookup_value_regex = r"[a-z_]+"

    def list(self, request: Request) -> Response:
        return Response([_describe(dataset) for dataset in registry.all_datasets()])

    def retrieve(self, request: Request, dataset: str = "") -> Response:
        if dataset not in registry.DATASETS:
            raise Http404
        slug = request.query_params.get("municipality")
        if not slug:
            raise exceptions.ValidationError({"municipality": [_("団体のURL名を指定してください。")]})
        # A name no municipality can have is simply not found.
        municipality = Municipality.objects.filter(slug=slug, is_active=True).first() if SLUG.match(slug) else None
        if municipality is None:
            raise Http404
        services.record_download(municipality, dataset, "json")
        return Response(services.json_document(municipality, dataset))
