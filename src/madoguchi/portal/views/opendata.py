"""Open data downloads: each dataset of the 自治体標準オープンデータセット as CSV (the
standard's file) and JSON, public, counted per day (see `portal.opendata.services`)."""

from __future__ import annotations

import json

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils import translation
from django.views.decorators.http import require_safe

from madoguchi.core.tenancy import get_request_municipality

from ..models import MunicipalityHomePage, OpenDataCatalogPage
from ..opendata import registry, services


def _dataset(key: str) -> registry.Dataset:
    try:
        return registry.get(key)
    except KeyError:
        raise Http404 from None


def _count(request: HttpRequest, key: str, format: str) -> None:
    # HEAD (link checkers, some download managers probing) is not a download.
    if request.method == "GET":
        services.record_download(get_request_municipality(request), key, format)


@require_safe
def dataset_csv(request: HttpRequest, municipality_slug: str, dataset: str) -> HttpResponse:
    """The dataset's CSV: UTF-8 with BOM, CRLF, `<code>_<file id>.csv`."""
    municipality = get_request_municipality(request)
    found = _dataset(dataset)
    response = HttpResponse(services.csv_bytes(municipality, found.key), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{found.file_name(municipality.code)}"'
    # Not cached by shared caches: every download is counted.
    response["Cache-Control"] = "no-cache"
    response["Access-Control-Allow-Origin"] = "*"
    _count(request, found.key, "csv")
    return response


@require_safe
def dataset_json(request: HttpRequest, municipality_slug: str, dataset: str) -> HttpResponse:
    """The dataset as JSON: metadata (licence, update date), columns in order, rows."""
    municipality = get_request_municipality(request)
    found = _dataset(dataset)
    body = json.dumps(services.json_document(municipality, found.key), ensure_ascii=False, indent=1)
    response = HttpResponse(body.encode("utf-8"), content_type="application/json; charset=utf-8")
    response["Cache-Control"] = "no-cache"
    response["Access-Control-Allow-Origin"] = "*"
    _count(request, found.key, "json")
    return response


@require_safe
def catalogue(request: HttpRequest, municipality_slug: str) -> HttpResponse:
    """/<slug>/opendata/ → the municipality's catalogue page in the current language."""
    municipality = get_request_municipality(request)
    language = (translation.get_language() or "ja").split("-")[0]
    homes = MunicipalityHomePage.objects.live().filter(municipality=municipality)
    home = homes.filter(locale__language_code=language).first() or homes.filter(locale__language_code="ja").first()
    page = OpenDataCatalogPage.objects.live().descendant_of(home).first() if home is not None else None
    if page is None:
        raise Http404
    return HttpResponseRedirect(page.url)
