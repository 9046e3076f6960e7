"""Open data of facilities: 公共施設一覧 as CSV (see `facilities.opendata`)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_safe

from madoguchi.core.tenancy import get_request_municipality

from .. import opendata


@require_safe
def public_facilities_csv(request: HttpRequest, municipality_slug: str) -> HttpResponse:
    """公共施設一覧 of the municipality of the URL: public, cacheable for a few minutes."""
    municipality = get_request_municipality(request)
    response = HttpResponse(opendata.csv_bytes(municipality), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{municipality.code}_{opendata.FILE_NAME}"'
    response["Cache-Control"] = "public, max-age=300"
    return response
