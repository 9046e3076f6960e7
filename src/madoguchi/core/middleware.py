"""Request plumbing: request ids, the request's municipality and its data scope."""

from __future__ import annotations

import contextlib
import ipaddress
import logging
import re
import time
import uuid
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import MiddlewareNotUsed
from django.core.signals import request_finished
from django.http import HttpRequest, HttpResponse
from django.utils.functional import LazyObject, empty
from django_scopes import scope, scopes_disabled

from .logging import request_id_var
from .models import Municipality

_LANG_CODES = {code for code, _name in settings.LANGUAGES}
_REQUEST_ID_RE = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
_SLUG_RE = re.compile(r"^[-a-zA-Z0-9_]+$")
HOST_MAP_CACHE_KEY = "madoguchi:municipality-hosts"
access_logger = logging.getLogger("madoguchi.access")


class RequestIdMiddleware:
    """Give every request an id (or keep the proxy's X-Request-ID), and write one access
    record per request (logger `madoguchi.access`): method, path, status, duration,
    municipality and user, under that id. First in the chain, so that the duration
    covers every other middleware."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.headers.get("X-Request-ID", "")
        request_id = incoming if _REQUEST_ID_RE.match(incoming) else uuid.uuid4().hex
        request.request_id = request_id  # type: ignore[attr-defined]
        # Kept until the response is closed (request_finished), not just until this
        # returns: Django logs 4xx/5xx responses after the whole middleware chain.
        request_id_var.set(request_id)
        started = time.perf_counter()
        status = 500
        try:
            response = self.get_response(request)
            status = response.status_code
        finally:
            _log_access(request, status, time.perf_counter() - started)
        response["X-Request-ID"] = request_id
        return response


def _forget_request_id(**kwargs: object) -> None:
    request_id_var.set("-")


request_finished.connect(_forget_request_id, dispatch_uid="madoguchi-forget-request-id")


def _user_id(request: HttpRequest) -> int | None:
    # A user nobody asked for is not loaded just for the log (no extra session query).
    user = getattr(request, "user", None)
    if user is None or (isinstance(user, LazyObject) and user._wrapped is empty):
        return None
    return user.pk if user.is_authenticated else None


def _log_access(request: HttpRequest, status: int, seconds: float) -> None:
    municipality = getattr(request, "municipality", None)
    # Load balancers ask for the health checks every few seconds: only failures are news.
    quiet = request.path_info in ("/healthz", "/readyz") and status == 200
    access_logger.log(
        logging.DEBUG if quiet else logging.INFO,
        "%s %s %s %.1fms",
        request.method,
        request.path,
        status,
        seconds * 1000,
        extra={
            # The path without its query string: searches can hold personal data.
            "method": request.method,
            "path": request.path,
            "status": status,
            "duration_ms": round(seconds * 1000, 1),
            "municipality": municipality.slug if municipality is not None else None,
            "user_id": _user_id(request),
        },
    )


class ClientAddressMiddleware:
    """Behind the deployment's reverse proxies (BEHIND_PROXY=1), REMOTE_ADDR is the
    nearest proxy's address; the client's is the one the outermost of our proxies saw,
    the TRUSTED_PROXY_COUNT-th entry of X-Forwarded-For from the right (entries further
    left were written by the client and prove nothing). The audit log, allauth's
    lock-outs and the API's rate limits all read REMOTE_ADDR."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        if not getattr(settings, "BEHIND_PROXY", False):
            raise MiddlewareNotUsed
        self.get_response = get_response
        self.trusted = max(1, int(getattr(settings, "TRUSTED_PROXY_COUNT", 1)))

    def __call__(self, request: HttpRequest) -> HttpResponse:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        forwarded = [part for part in forwarded if part]
        if len(forwarded) >= self.trusted:
            # Not an address: keep the proxy's rather than trust garbage.
            with contextlib.suppress(ValueError):
                request.META["REMOTE_ADDR"] = str(ipaddress.ip_address(forwarded[-self.trusted]))
        return self.get_response(request)


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


_UNPREFIXED = (
    "/static/", "/media/", "/staff/", "/api/", "/django-admin/", "/healthz", "/readyz", "/i18n/", "/documents/",
    "/robots.txt", "/favicon.ico", "/apple-touch-icon",
)  # fmt: skip


class HostMunicipalityMiddleware:
    """A municipality bound to its own host name serves its pages at the host's root:
    https://www.city.example/ is /<slug>/ of the deployment."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path_info.startswith(_UNPREFIXED):
            # Health checks must answer (503) even when the database behind the host map is down.
            return self.get_response(request)
        host = request.get_host().split(":")[0].lower()
        slug = host_map().get(host)
        if slug:
            lang, segments = split_language(request.path_info)
            # Deployment-wide paths (sign-in, postal codes, bank lookups …) keep their place.
            deployment_path = bool(segments) and segments[0] in settings.RESERVED_SLUGS
            if not deployment_path and (not segments or segments[0] != slug):
                prefix = f"/{lang}" if lang else ""
                rest = request.path_info[len(prefix) :]
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
    if head in settings.RESERVED_SLUGS or not _SLUG_RE.match(head):
        # Not a slug (e.g. a NUL byte, which PostgreSQL refuses in a query): no tenant.
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
