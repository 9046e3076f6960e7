"""The API answers in the language of Accept-Language.

The site's pages take their language from the URL (/en/…, Japanese without a prefix),
and Django's LocaleMiddleware treats every unprefixed path — /api/ included — as
Japanese. An integration cannot put a language in the URL of the API, so for /api/ the
request's Accept-Language (or the language cookie) decides, Japanese by default.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils import translation


class ApiLanguageMiddleware:
    """Place after LocaleMiddleware; it only touches /api/ requests."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path_info.startswith("/api/"):
            language = translation.get_language_from_request(request)
            translation.activate(language)
            request.LANGUAGE_CODE = translation.get_language()  # type: ignore[attr-defined]
        return self.get_response(request)
