"""What the end of every website page shows (`portal/includes/page_end.html`) and the
page's share metadata (OGP, Twitter card): related pages, the update date, share links."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from django import template
from django.http import HttpRequest
from wagtail.models import Page

from madoguchi.core.context_processors import absolute, public_path

register = template.Library()

#: How many related pages the end of a page lists.
MAX_RELATED = 6


@dataclass(frozen=True)
class ShareLink:
    network: str
    label: str
    url: str


@dataclass
class PageEnd:
    """What `page_end.html` renders for one page."""

    related: list[tuple[str, str]] = field(default_factory=list)
    url: str = ""
    share_links: list[ShareLink] = field(default_factory=list)


def related_pages(page: Page, request: HttpRequest | None = None) -> list[tuple[str, str]]:
    """(title, URL) of the page's related pages: those the editor chose (in the page's
    language when translated, live and public only), else its live sibling pages."""
    chosen: list[Page] = []
    for block in getattr(page, "related_pages", None) or []:
        target = block.value
        if target is None:
            continue
        target = target.localized
        if target.pk != page.pk and target.live and target not in chosen:
            chosen.append(target)
    if chosen:
        public_ids = set(Page.objects.filter(pk__in=[p.pk for p in chosen]).public().values_list("pk", flat=True))
        candidates = [p for p in chosen if p.pk in public_ids]
    else:
        candidates = list(
            page.get_siblings(inclusive=False).live().public().in_menu().order_by("path")[:MAX_RELATED]
        ) or list(page.get_siblings(inclusive=False).live().public().order_by("path")[:MAX_RELATED])
    found: list[tuple[str, str]] = []
    for candidate in candidates[:MAX_RELATED]:
        url = candidate.get_url(request)
        if url:
            found.append((candidate.title, public_path(request, url) if request is not None else url))
    return found


def page_absolute_url(page: Page, request: HttpRequest | None) -> str:
    url = page.get_url(request) or ""
    if request is None or not url:
        return page.full_url or url
    return absolute(request, public_path(request, url))


def share_links(title: str, url: str) -> list[ShareLink]:
    """Links that open each network's own share screen: no script of theirs runs here."""
    return [
        ShareLink("x", "X", "https://x.com/intent/post?" + urlencode({"text": title, "url": url})),
        ShareLink("facebook", "Facebook", "https://www.facebook.com/sharer/sharer.php?" + urlencode({"u": url})),
        ShareLink("line", "LINE", "https://social-plugins.line.me/lineit/share?" + urlencode({"url": url})),
    ]


@register.simple_tag(takes_context=True)
def page_end(context: template.Context, page: Page | None = None) -> PageEnd:
    """Related pages, the page's address and share links, for `page_end.html`."""
    page = page or context.get("page")
    request = context.get("request")
    if page is None or not getattr(page, "pk", None):
        return PageEnd()
    url = page_absolute_url(page, request)
    return PageEnd(related=related_pages(page, request), url=url, share_links=share_links(page.title, url))


@register.simple_tag(takes_context=True)
def page_share_url(context: template.Context, page: Page) -> str:
    """The page's absolute public address (og:url, canonical)."""
    return page_absolute_url(page, context.get("request"))


@register.simple_tag(takes_context=True)
def share_image_url(context: template.Context, page: Page) -> str:
    """Absolute URL of the page's listing image for OGP (1200 px wide), or ""."""
    image = getattr(page, "listing_image", None)
    if image is None:
        return ""
    try:
        rendition = image.get_rendition("width-1200")
    except Exception:  # noqa: BLE001 - a missing image file must not break the page
        return ""
    request = context.get("request")
    url = rendition.url
    if url.startswith("/") and request is not None:
        return request.build_absolute_uri(url)
    return url


@register.filter
def is_portal_page(value: Any) -> bool:
    """A Wagtail page (not a paginator's page) — base.html's share metadata needs one."""
    return isinstance(value, Page)
