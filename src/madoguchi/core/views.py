"""Deployment-wide pages: the list of municipalities, display options, error pages."""

from __future__ import annotations

from itertools import groupby

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from . import preferences
from .models import Municipality


def deployment_index(request: HttpRequest) -> HttpResponse:
    """「/」: every municipality served by this deployment, by prefecture."""
    municipalities = Municipality.objects.filter(is_active=True).order_by("code")
    by_prefecture = [
        (items[0].prefecture_name, items)
        for _code, group in groupby(municipalities, key=lambda m: m.prefecture)
        for items in [list(group)]
    ]
    return render(request, "core/deployment_index.html", {"by_prefecture": by_prefecture})


def _safe_next(request: HttpRequest, fallback: str = "/") -> str:
    target = request.POST.get("next") or request.META.get("HTTP_REFERER") or fallback
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return fallback


@require_POST
def set_display_preferences(request: HttpRequest) -> HttpResponse:
    """Keep the chosen text size and contrast for a year (no account needed)."""
    current = preferences.display_preferences(request)
    chosen = preferences.parse(
        f"{request.POST.get('text_size', current.text_size)}.{request.POST.get('contrast', current.contrast)}"
    )
    response = HttpResponseRedirect(_safe_next(request))
    response.set_cookie(
        preferences.COOKIE_NAME,
        chosen.to_cookie(),
        max_age=365 * 24 * 3600,
        samesite="Lax",
        secure=request.is_secure(),
        httponly=False,  # the page script reads it to switch without a reload
    )
    return response


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "errors/400.html", status=400)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "errors/403.html", status=403)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "errors/404.html", status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    # Rendered without context processors' database work: the database may be the failure.
    return render(request, "errors/500.html", {"municipality": None}, status=500)
