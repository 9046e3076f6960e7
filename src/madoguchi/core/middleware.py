"""Request plumbing: request ids, the request's municipality and its data scope."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django_scopes import scope, scopes_disabled

from .logging import request_id_var
from .models import Municipality

_LANG_CODES = {code for code, _name in settings.LANGUAGES}
_REQUEST_ID_RE = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
HOST_MAP_CACHE_KEY = "madoguchi:municipality-hosts"


class RequestIdMiddleware:
    """Give every request an id (or keep the proxy's X-Request-ID) for the logs."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.headers.get("X-Request-ID", "")
        request_id = incoming if _REQUEST_ID_RE.match(incoming) else uuid.uuid4().hex
        request.request_id = request_id  # type: ignore[attr-defined]
        token = request_id_var.set(request_id)
        try:
            response = self.get_response(request)
        finally:
            request_id_var.reset(token)
        response["X-Request-ID"] = request_id
        return response


def split_language(path: str) -> tuple[str | None, list[str]]:
    """'/en/kasama/x/' → ('en', ['kasama', 'x'])."""
    segments = [s for s in path.split("/") if s]
    if segments and segments[0] in _LANG_CODES:
        return segments[0], segments[1:]
    return None, segments


def host_map() -> dict[str, str]:
    """Host name → municipality slug, for municipalities bound to their own host."""
    mapping: dict[str, str] | None = cache.get(HOST_MAP_CACHE_KEY)
    if mapping is None:
        mapping = {}
        for slug, hosts in Municipality.objects.filter(is_active=True).values_list("slug", "host_names"):
            for host in hosts or []:
                mapping[str(host).lower()] = slug
        cache.set(HOST_MAP_CACHE_KEY, mapping, 60)
    return mapping


_UNPREFIXED = ("/static/", "/media/", "/staff/", "/api/", "/django-admin/", "/healthz", "/readyz", "/i18n/", "/documents/")


class HostMunicipalityMiddleware:
    """A municipality bound to its own host name serves its pages at the host's root:
    https://www.city.example/ is /<slug>/ of the deployment."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        host = request.get_host().split(":")[0].lower()
        slug = host_map().get(host)
        if slug and not request.path_info.startswith(_UNPREFIXED):
            lang, segments = split_language(request.path_info)
            if not segments or segments[0] != slug:
                prefix = f"/{lang}" if lang else ""
                rest = request.path_info[len(prefix):]
                request.path_info = f"{prefix}/{slug}{rest}"
            request.bound_host_slug = slug  # type: ignore[attr-defined]
        return self.get_response(request)


def municipality_for_path(path: str) -> Municipality | None:
    _lang, segments = split_language(path)
    if not segments:
        return None
    head = segments[0]
    if head == "api" and len(segments) >= 3 and segments[1] == "v1":
        head = segments[2]
    if head in settings.RESERVED_SLUGS:
        return None
    return Municipality.objects.filter(slug=head, is_active=True).first()


class MunicipalityMiddleware:
    """Set `request.municipality` and open the data scope of that municipality.

    Public pages and the API take the municipality from the URL (`/<slug>/…`,
    `/api/v1/<slug>/…`); the staff console uses the staff member's own municipality.
    Queries on tenant models outside any scope fail loudly (django-scopes), so a view that
    forgot its tenant cannot leak another municipality's rows.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        path = request.path_info
        municipality: Municipality | None
        user = request.user
        operator = bool(getattr(user, "is_superuser", False))
        if path.startswith(("/staff/", "/django-admin/")):
            profile = user.staff_profile_or_none if user.is_authenticated else None  # type: ignore[union-attr]
            municipality = profile.municipality if profile is not None else None
        else:
            municipality = municipality_for_path(path)
        request.municipality = municipality  # type: ignore[attr-defined]
        if municipality is not None:
            with scope(municipality=municipality.pk):
                return self.get_response(request)
        if operator and path.startswith(("/staff/", "/django-admin/")):
            # The deployment's operator works across municipalities, and is audited.
            with scopes_disabled():
                return self.get_response(request)
        return self.get_response(request)
