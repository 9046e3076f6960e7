"""What every page template knows: the municipality, the languages, display options and
the navigation slots.

Views may override the language values in their own context: Wagtail pages do (their
translations decide which alternates exist, see `madoguchi.portal.models`), error pages
drop the alternates. The keys are:

- `alternates`: [Alternate] for `<link rel="alternate" hreflang=…>`, with x-default;
- `language_switch`: LanguageLink to the page in the other language (or its home);
- `page_language`: the value of `<html lang>`;
- `home_url`, `deployment_index_url`, `primary_navigation`, `footer_links`, `display`.

Nothing here touches the database until a template asks for a navigation slot, so the
500 page (which does not) renders while the database is down.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import DisallowedHost
from django.http import HttpRequest
from django.utils.translation import get_language

from . import navigation, preferences

_I18N_EXCLUDED = (
    "/staff/", "/api/", "/django-admin/", "/healthz", "/readyz", "/static/", "/media/", "/documents/", "/i18n/",
    "/robots.txt", "/favicon.ico",
)  # fmt: skip
LANGUAGE_NAMES = dict(settings.LANGUAGES)
DEFAULT_LANGUAGE = settings.LANGUAGE_CODE


@dataclass(frozen=True)
class Alternate:
    """One `<link rel="alternate">`: the page in `language` (or x-default) at `url`."""

    language: str
    url: str


@dataclass(frozen=True)
class LanguageLink:
    """The language switch: where the other language's reader goes.

    `same_page` is False when the page has no translation and the link leads to the home
    page in that language instead."""

    language: str
    name: str
    url: str
    same_page: bool = True


def request_language(request: HttpRequest | None = None) -> str:
    return (get_language() or DEFAULT_LANGUAGE)[:2]


def other_language(language: str) -> str:
    return next((code for code, _name in settings.LANGUAGES if code != language), DEFAULT_LANGUAGE)


def with_language_prefix(path: str, language: str) -> str:
    """'/kasama/x/' in English is '/en/kasama/x/'; Japanese has no prefix."""
    base = unprefixed(path)
    return base if language == DEFAULT_LANGUAGE else f"/{language}{base}"


def unprefixed(path: str) -> str:
    for code in LANGUAGE_NAMES:
        if code == DEFAULT_LANGUAGE:
            continue
        if path == f"/{code}":
            return "/"
        if path.startswith(f"/{code}/"):
            return path[len(code) + 1 :]
    return path


def alternate_paths(path: str) -> dict[str, str]:
    """The same page in every language, or nothing for paths that have one language."""
    if path.startswith(_I18N_EXCLUDED):
        return {}
    return {code: with_language_prefix(path, code) for code in LANGUAGE_NAMES}


def public_path(request: HttpRequest, path: str) -> str:
    """The path as the visitor sees it: on a municipality's own host name without the slug."""
    slug = getattr(request, "bound_host_slug", None)
    if not slug:
        return path
    language = None
    base = unprefixed(path)
    if base != path:
        language = path.split("/")[1]
    if base == f"/{slug}" or base.startswith(f"/{slug}/"):
        base = base[len(slug) + 1 :] or "/"
    return f"/{language}{base}" if language else base


def absolute(request: HttpRequest, path: str) -> str:
    """An absolute URL for links that must be absolute (hreflang); the path when the host
    is not one this deployment answers to (the 400 page of a bad Host header)."""
    try:
        return request.build_absolute_uri(path)
    except DisallowedHost:
        return path


def alternates_for(request: HttpRequest, paths: dict[str, str]) -> list[Alternate]:
    """`<link rel="alternate">` entries, with x-default on the Japanese page."""
    found = [Alternate(code, absolute(request, path)) for code, path in paths.items()]
    default = paths.get(DEFAULT_LANGUAGE)
    if default is not None:
        found.append(Alternate("x-default", absolute(request, default)))
    return found


def municipality_home_path(request: HttpRequest, municipality: Any, language: str) -> str:
    prefix = "" if language == DEFAULT_LANGUAGE else f"/{language}"
    if getattr(request, "bound_host_slug", None) == municipality.slug:
        return f"{prefix}/"
    return f"{prefix}/{municipality.slug}/"


def deployment_index_url(request: HttpRequest, language: str) -> str:
    path = "/" if language == DEFAULT_LANGUAGE else f"/{language}/"
    if getattr(request, "bound_host_slug", None):
        # On a municipality's own host name "/" is that municipality; the list of all
        # municipalities lives on the deployment's own address.
        return settings.SITE_URL.rstrip("/") + path
    return path


def _once(function: Callable[[], Any]) -> Callable[[], Any]:
    """A template calls a callable each time it reads it; compute the value once."""
    return functools.cache(function)


def site(request: HttpRequest) -> dict[str, Any]:
    language = request_language(request)
    other = other_language(language)
    municipality = getattr(request, "municipality", None)
    path = public_path(request, request.path)
    paths = alternate_paths(path)
    switch = None
    if other in paths:
        query = request.META.get("QUERY_STRING", "")
        switch = LanguageLink(other, LANGUAGE_NAMES[other], paths[other] + (f"?{query}" if query else ""))
    home_url = (
        municipality_home_path(request, municipality, language)
        if municipality is not None
        else deployment_index_url(request, language)
    )
    return {
        "municipality": municipality,
        "current_language": language,
        "page_language": language,
        "other_language": other,
        "other_language_name": LANGUAGE_NAMES[other],
        "alternates": alternates_for(request, paths),
        "language_switch": switch,
        "home_url": home_url,
        "deployment_index_url": deployment_index_url(request, language),
        "display": preferences.display_preferences(request),
        "display_cookie_name": preferences.COOKIE_NAME,
        "primary_navigation": _once(lambda: navigation.links(request, navigation.PRIMARY, home_url)),
        "footer_links": _once(lambda: navigation.links(request, navigation.FOOTER, home_url)),
    }
