"""/sitemap.xml: every live, public page of the municipalities' websites in every
language (on a municipality's own host name, only that municipality's, with the paths
visitors see there), with its last publication date.

Wagtail's own sitemap lists the default site's tree only — the Japanese one — so the
pages are gathered here from each municipality's home page in each language."""

from __future__ import annotations

from typing import Any

from django.contrib.sitemaps import Sitemap
from django.contrib.sitemaps import views as sitemap_views
from django.http import HttpRequest, HttpResponse
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET
from wagtail.models import Page

from madoguchi.core.context_processors import public_path

from .models import MunicipalityHomePage


class PortalSitemap(Sitemap):  # type: ignore[type-arg]
    limit = 5000

    def __init__(self, request: HttpRequest) -> None:
        self.request = request

    def items(self) -> list[Page]:
        homes = MunicipalityHomePage.objects.live().public()
        slug = getattr(self.request, "bound_host_slug", None)
        if slug:
            homes = homes.filter(municipality__slug=slug)
        pages: list[Page] = []
        for home in homes.order_by("path"):
            pages.extend(
                Page.objects.descendant_of(home, inclusive=True).live().public().order_by("path").defer_streamfields()
            )
        return pages

    def location(self, item: Page) -> str:
        url = item.get_url(self.request) or ""
        return public_path(self.request, url) if url.startswith("/") else url

    def lastmod(self, item: Page) -> Any:
        return item.last_published_at or item.latest_revision_created_at


@require_GET
@cache_control(public=True, max_age=3600)
def sitemap(request: HttpRequest) -> HttpResponse:
    response: HttpResponse = sitemap_views.sitemap(
        request, {"pages": PortalSitemap(request)}, template_name="portal/sitemap.xml"
    )
    return response
