"""GET /<slug>/search/?q=…: サイト内検索 over the municipality's pages in the reader's
language (a plain GET form: works without script)."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import get_language

from madoguchi.core.context_processors import public_path
from madoguchi.core.tenancy import get_request_municipality
from madoguchi.japanese.search import MAX_QUERY_LENGTH

from ..services.search import search

PER_PAGE = 20


def results(request: HttpRequest, municipality_slug: str) -> HttpResponse:
    municipality = get_request_municipality(request)
    query = (request.GET.get("q") or "").strip()[:MAX_QUERY_LENGTH]
    language = (get_language() or "ja")[:2]
    hits = search(municipality, language, query) if query else []
    paginator = Paginator(hits, PER_PAGE)
    page_obj = paginator.get_page(request.GET.get("p"))
    shown = [(hit, public_path(request, hit.url)) for hit in page_obj.object_list]
    return render(
        request,
        "portal/search.html",
        {"query": query, "results": shown, "result_page": page_obj, "count": paginator.count},
    )
