"""Deployment-wide pages: the list of municipalities, display options, robots.txt and
the icons browsers ask for, and the error pages."""

from __future__ import annotations

import logging
from itertools import groupby
from typing import Any

from django.conf import settings
from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseNotAllowed,
    HttpResponsePermanentRedirect,
    HttpResponseRedirect,
    HttpResponseServerError,
)
from django.shortcuts import render
from django.templatetags.static import static
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

from . import preferences
from .models import Municipality

logger = logging.getLogger(__name__)


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


def set_display_preferences(request: HttpRequest) -> HttpResponse:
    """Keep the chosen text size and contrast (no account needed) and go back to the page
    the form was on. This is what the options do without JavaScript."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    chosen = preferences.choose(
        preferences.display_preferences(request),
        text_size=request.POST.get("text_size"),
        contrast=request.POST.get("contrast"),
    )
    response = HttpResponseRedirect(_safe_next(request))
    preferences.remember(response, chosen, secure=request.is_secure())
    return response


ROBOTS_TXT = """User-agent: *
Disallow: /staff/
Disallow: /django-admin/
Disallow: /api/
Disallow: /accounts/
Disallow: /en/accounts/
Disallow: /preferences/
Disallow: /en/preferences/
"""


@require_GET
@cache_control(public=True, max_age=24 * 3600)
def robots_txt(request: HttpRequest) -> HttpResponse:
    """Crawlers may read the public pages, not the staff console, the API or accounts; the
    sitemap (every municipality's published pages, /sitemap.xml) is named by its full URL,
    as the robots.txt standard asks."""
    sitemap = f"Sitemap: {settings.SITE_URL.rstrip('/')}/sitemap.xml\n"
    return HttpResponse(ROBOTS_TXT + "\n" + sitemap, content_type="text/plain; charset=utf-8")


@require_GET
def favicon(request: HttpRequest) -> HttpResponse:
    """Browsers ask for /favicon.ico on their own; send them to the static icon."""
    return HttpResponsePermanentRedirect(static("madoguchi/favicon.ico"))


@require_GET
def apple_touch_icon(request: HttpRequest) -> HttpResponse:
    """iOS asks for /apple-touch-icon(-precomposed).png on its own."""
    return HttpResponsePermanentRedirect(static("madoguchi/apple-touch-icon.png"))


# --- Error pages ------------------------------------------------------------------------
# Django calls these from settings-independent handlers (urls.handler400 …). They show
# the page in the language of the URL, with the municipality's header when the URL names
# a municipality, and without links to other languages (an error has no translation).


def _activate_language_of(request: HttpRequest) -> str:
    """The error may come before LocaleMiddleware ran; the URL's prefix decides."""
    language = translation.get_language_from_path(request.path_info) or settings.LANGUAGE_CODE
    translation.activate(language)
    request.LANGUAGE_CODE = language  # type: ignore[attr-defined]
    return language


ERROR_TITLES = {
    400: _("リクエストを処理できませんでした"),
    403: _("このページを表示する権限がありません"),
    "csrf": _("送信を受け付けられませんでした"),
    404: _("ページが見つかりません"),
    500: _("システムエラーが発生しました"),
}


def _error_page(
    request: HttpRequest, status: int, template: str, title: Any, extra: dict[str, Any] | None = None
) -> HttpResponse:
    _activate_language_of(request)
    context: dict[str, Any] = {
        "alternates": [],
        "breadcrumbs": None,
        "status_code": status,
        "error_title": title,
        **(extra or {}),
    }
    return render(request, template, context, status=status)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error_page(request, 400, "errors/400.html", ERROR_TITLES[400])


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error_page(request, 403, "errors/403.html", ERROR_TITLES[403])


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A form sent without a valid CSRF token, most often because the page was open for
    long: say so, in the page's language, rather than Django's developer page."""
    return _error_page(request, 403, "errors/403_csrf.html", ERROR_TITLES["csrf"])


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error_page(request, 404, "errors/404.html", ERROR_TITLES[404])


FALLBACK_500 = (
    "システムエラーが発生しました。しばらくしてからもう一度お試しください。\n"
    "A system error occurred. Please try again later.\n"
)


def server_error(request: HttpRequest) -> HttpResponse:
    """The 500 page must render while the database (or anything else) is down: it uses
    only what the request already holds — the municipality the middleware found, the
    language of the URL — and none of the parts of the layout that query (account,
    messages, navigation, logo)."""
    try:
        return _error_page(
            request,
            500,
            "errors/500.html",
            ERROR_TITLES[500],
            {"minimal_chrome": True, "municipality": getattr(request, "municipality", None)},
        )
    except Exception:
        logger.exception("the 500 page could not be rendered")
        return HttpResponseServerError(FALLBACK_500, content_type="text/plain; charset=utf-8")
