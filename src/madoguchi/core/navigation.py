"""Navigation slots of the page layout that modules fill.

The header has a primary navigation and the footer a list of links. A module adds its
entries from its AppConfig.ready(), the way it registers permissions:

    from madoguchi.core import navigation
    navigation.register("procedures", _("手続"), "procedures:catalog", order=10)

A URL name of a municipality's page (under `/<slug>/`) is reversed with that slug; an
entry whose URL cannot be built for the current page (a municipality's page on the
deployment index) is left out. A provider adds entries computed per request, such as the
website's menu pages (see `madoguchi.portal.navigation`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse

PRIMARY = "primary"
FOOTER = "footer"
SLOTS = (PRIMARY, FOOTER)


@dataclass(frozen=True)
class NavEntry:
    """A registered entry: label (lazy translation) and the URL name it links to."""

    key: str
    label: Any
    url_name: str
    slot: str = PRIMARY
    order: int = 100
    # Decides per request whether the entry shows (for instance only to signed-in users).
    visible: Callable[[HttpRequest], bool] | None = None


@dataclass(frozen=True)
class NavLink:
    """An entry resolved for one request."""

    label: str
    url: str
    order: int = 100
    current: bool = False


NavProvider = Callable[[HttpRequest, str], list[NavLink]]

_entries: dict[str, NavEntry] = {}
_providers: list[NavProvider] = []


def register(
    key: str,
    label: Any,
    url_name: str,
    *,
    slot: str = PRIMARY,
    order: int = 100,
    visible: Callable[[HttpRequest], bool] | None = None,
) -> None:
    """Add (or replace, by key) an entry of a navigation slot."""
    if slot not in SLOTS:
        raise ValueError(f"unknown navigation slot {slot!r}; use one of {SLOTS}")
    _entries[key] = NavEntry(key=key, label=label, url_name=url_name, slot=slot, order=order, visible=visible)


def register_provider(provider: NavProvider) -> None:
    """Add a function that returns links for (request, slot)."""
    if provider not in _providers:
        _providers.append(provider)


def unregister(key: str) -> None:
    _entries.pop(key, None)


def resolve(url_name: str, municipality: Any = None, **kwargs: Any) -> str | None:
    """The URL of a named page, for the municipality when the page belongs to one."""
    if municipality is not None:
        try:
            return reverse(url_name, kwargs={"municipality_slug": municipality.slug, **kwargs})
        except NoReverseMatch:
            pass
    try:
        return reverse(url_name, kwargs=kwargs or None)
    except NoReverseMatch:
        return None


def absolute_url(path: str) -> str:
    """`path` on the deployment's own address (SITE_URL), for links that leave the site:
    e-mails, QR codes, open data. An empty path stays empty."""
    from django.conf import settings

    base = getattr(settings, "SITE_URL", "") or ""
    return f"{base.rstrip('/')}{path}" if base and path else path


def is_current(request: HttpRequest, url: str, home_url: str | None = None) -> bool:
    """The link is the page shown, or a section the page is part of (never just the home)."""
    path = request.path
    if path == url:
        return True
    return url != home_url and url.endswith("/") and len(url) > 1 and path.startswith(url)


def links(request: HttpRequest, slot: str, home_url: str | None = None) -> list[NavLink]:
    """The links of a slot for this request, in order."""
    municipality = getattr(request, "municipality", None)
    found: list[NavLink] = []
    for entry in _entries.values():
        if entry.slot != slot or (entry.visible is not None and not entry.visible(request)):
            continue
        url = resolve(entry.url_name, municipality)
        if url is None:
            continue
        found.append(NavLink(label=str(entry.label), url=url, order=entry.order))
    for provider in _providers:
        found.extend(provider(request, slot))
    found.sort(key=lambda link: link.order)
    return [
        NavLink(label=link.label, url=link.url, order=link.order, current=is_current(request, link.url, home_url))
        for link in found
    ]
