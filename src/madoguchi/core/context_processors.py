"""What every page template knows: the municipality, the other language, display options."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import get_language

from .preferences import display_preferences

_I18N_EXCLUDED = ("/staff/", "/api/", "/django-admin/", "/healthz", "/readyz", "/static/", "/media/", "/documents/")


def alternate_paths(path: str) -> dict[str, str]:
    """The same page in every language: Japanese has no prefix, English lives under /en/."""
    if path.startswith(_I18N_EXCLUDED):
        return {}
    base = path[3:] if path.startswith("/en/") else ("/" if path == "/en" else path)
    return {"ja": base, "en": "/en" + base}


def site(request: HttpRequest) -> dict[str, Any]:
    language = (get_language() or settings.LANGUAGE_CODE)[:2]
    bound_slug = getattr(request, "bound_host_slug", None)
    path = request.path
    if bound_slug:
        # On a municipality's own host name the visible URLs carry no slug.
        path = path.replace(f"/{bound_slug}", "", 1) or "/"
    alternates = alternate_paths(path)
    other_language = "en" if language == "ja" else "ja"
    return {
        "municipality": getattr(request, "municipality", None),
        "current_language": language,
        "other_language": other_language,
        "other_language_name": dict(settings.LANGUAGES)[other_language],
        "alternate_paths": alternates,
        "other_language_path": alternates.get(other_language),
        "display": display_preferences(request),
    }
