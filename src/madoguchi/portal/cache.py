"""The page response cache: the website's pages as anonymous readers see them, kept for a
few minutes so that a busy home page is rendered once, not once per reader.

What is cached: a Wagtail page answering a GET or HEAD without a query string, with status
200 and HTML, for a reader who is not signed in, not previewing, has no message waiting
and is not an htmx request, on a page without view restrictions. Everything else is served
as before. The key is the host, scheme, path, active language and display preferences
(text size and contrast, normalised, so that a strange cookie value does not multiply
entries).

Holes in the cached page: every page carries two per-reader secrets — the CSRF token (in
the htmx header attribute and in every form, such as the feedback form) and the CSP nonce
(of the inline colour style). Before a page is stored, both are replaced by placeholders;
each reader's copy gets their own token (`get_token`, which also sets their CSRF cookie)
and the nonce of their response's CSP header. A stored page therefore never carries
another reader's token, and cookies are never stored: only the body, its content type and
language.

Invalidation: one generation number for the whole site. Publishing, unpublishing, moving
or deleting any page — and changes to the data pages show (holiday duties, open data,
procedures, the municipality's and departments' details, view restrictions, sites) — bump
it; an entry from an older generation is a miss. A page's change shows on lists, menus,
related pages and the home page, so a per-page invalidation would have to know them all;
the generation costs one cache read per hit (fetched together with the entry). Time-based
content (upcoming events, the rota from today) is covered by the TTL.

Settings: `PORTAL_PAGE_CACHE` (on/off; off in tests unless a test turns it on) and
`PORTAL_PAGE_CACHE_TTL` (seconds, default 300). The cache is Django's default cache (the
database cache of the embedded set-up, Redis when configured), shared by all processes,
so a publish in one process (or in `publish_scheduled`) invalidates every process.

Wiring: importing this module registers the Wagtail `on_serve_page` hook and connects the
signals; `portal.apps` (or `portal.wagtail_hooks`) imports it.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import Model
from django.db.models.signals import post_delete, post_save
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import CSRF_SECRET_LENGTH, CSRF_TOKEN_LENGTH, get_token
from django.utils import translation
from wagtail import hooks
from wagtail.models import Page
from wagtail.signals import page_published, page_unpublished, post_page_move

from madoguchi.core import preferences

GENERATION_KEY = "portal:page-cache:generation"
KEY_PREFIX = "portal:page-cache:"
DEFAULT_TTL = 300
#: Stand-ins for the per-reader values; NUL never occurs in our HTML.
CSRF_PLACEHOLDER = "\x00csrf-token\x00"
NONCE_PLACEHOLDER = "\x00csp-nonce\x00"
STATUS_HEADER = "X-Page-Cache"
#: Response headers stored with the body (cookies and per-request headers never are).
KEPT_HEADERS = ("Content-Type", "Content-Language")
_TOKEN_CANDIDATE = re.compile(rf"[A-Za-z0-9]{{{CSRF_TOKEN_LENGTH}}}")


@dataclass(frozen=True)
class Entry:
    """One stored page: the generation it belongs to, its body with placeholders, headers."""

    generation: int
    content: str
    headers: tuple[tuple[str, str], ...]


def enabled() -> bool:
    return bool(getattr(settings, "PORTAL_PAGE_CACHE", not getattr(settings, "TESTING", False)))


def ttl() -> int:
    return int(getattr(settings, "PORTAL_PAGE_CACHE_TTL", DEFAULT_TTL))


# --- Which requests and responses ----------------------------------------------------------


def cacheable_request(request: HttpRequest) -> bool:
    """A request whose answer is the same for every anonymous reader with the same key."""
    if request.method not in ("GET", "HEAD") or request.META.get("QUERY_STRING"):
        return False
    if getattr(request, "is_preview", False) or getattr(request, "htmx", False):
        return False
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return False
    session = getattr(request, "session", None)
    # A message waiting to be shown (session storage) belongs to this reader's page only.
    return not (session is not None and session.get("_messages"))


def cache_key(request: HttpRequest) -> str:
    display = preferences.display_preferences(request).to_cookie()
    raw = "|".join([request.scheme or "", request.get_host(), request.path, translation.get_language() or "", display])
    return KEY_PREFIX + hashlib.sha256(raw.encode()).hexdigest()


def _cacheable_response(page: Page, response: HttpResponse) -> bool:
    if response.status_code != 200 or getattr(response, "streaming", False) or response.cookies:
        return False
    if not response.get("Content-Type", "").startswith("text/html"):
        return False
    cache_control = response.get("Cache-Control", "")
    if "private" in cache_control or "no-store" in cache_control or "no-cache" in cache_control:
        return False
    # A page behind a password or a sign-in is served to those let in; never keep it.
    return not page.get_view_restrictions().exists()


# --- Punching the holes ---------------------------------------------------------------------


def _unmask(token: str) -> str:
    """The CSRF secret of a masked token (Django's masking: the first half is the mask)."""
    from django.middleware.csrf import CSRF_ALLOWED_CHARS

    mask, cipher = token[:CSRF_SECRET_LENGTH], token[CSRF_SECRET_LENGTH:]
    chars = CSRF_ALLOWED_CHARS
    return "".join(chars[chars.index(x) - chars.index(y)] for x, y in zip(cipher, mask, strict=True))


def punch_holes(request: HttpRequest, content: str) -> str | None:
    """The page with this reader's CSRF tokens and CSP nonce replaced by placeholders;
    None when a per-reader secret would remain (the page is then not stored)."""
    nonce = getattr(request, "_csp_nonce", None)
    if nonce:
        content = content.replace(str(nonce), NONCE_PLACEHOLDER)
    secret = request.META.get("CSRF_COOKIE") or ""
    if len(secret) == CSRF_TOKEN_LENGTH:
        secret = _unmask(secret)
    if secret:
        content = _TOKEN_CANDIDATE.sub(
            lambda m: CSRF_PLACEHOLDER if _unmask(m.group(0)) == secret else m.group(0), content
        )
        if secret in content:
            return None
    session = getattr(request, "session", None)
    session_key = getattr(session, "session_key", None)
    if session_key and session_key in content:
        return None
    return content


def fill_holes(request: HttpRequest, content: str) -> str:
    """A stored page for this reader: their CSP nonce and their CSRF token (asking for the
    token sets the CSRF cookie on the response when the reader has none)."""
    if NONCE_PLACEHOLDER in content:
        content = content.replace(NONCE_PLACEHOLDER, str(request.csp_nonce))  # type: ignore[attr-defined]
    if CSRF_PLACEHOLDER in content:
        content = content.replace(CSRF_PLACEHOLDER, get_token(request))
    return content


# --- Store and look up -------------------------------------------------------------------------


def current_generation() -> int:
    value = cache.get(GENERATION_KEY)
    return int(value) if value is not None else 0


def _bump() -> None:
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:
        # No generation yet (or evicted): any new number differs from the entries' 0.
        cache.set(GENERATION_KEY, 1, None)


def invalidate(*args: Any, **kwargs: Any) -> None:
    """Every stored page is out of date (signal receiver, so it takes any arguments).

    Bumped at once and again on commit: a reader served between the two (while the
    change is not yet visible to other connections) may store the old page, and the
    second bump makes that entry out of date too (with Redis, outside the transaction)."""
    _bump()
    transaction.on_commit(_bump)


def lookup(key: str) -> tuple[Entry | None, int]:
    """The stored page for `key` when it is of the current generation, and the generation
    (one round trip to the cache for both)."""
    found = cache.get_many([GENERATION_KEY, key])
    generation = int(found.get(GENERATION_KEY) or 0)
    entry = found.get(key)
    if isinstance(entry, Entry) and entry.generation == generation:
        return entry, generation
    return None, generation


def store(request: HttpRequest, page: Page, response: HttpResponse, key: str, generation: int) -> bool:
    if not _cacheable_response(page, response):
        return False
    if hasattr(response, "render") and not getattr(response, "is_rendered", True):
        response.render()
    charset = response.charset or "utf-8"
    content = punch_holes(request, response.content.decode(charset))
    if content is None:
        return False
    headers = tuple((name, response[name]) for name in KEPT_HEADERS if name in response)
    cache.set(key, Entry(generation, content, headers), ttl())
    return True


def cached_response(request: HttpRequest, entry: Entry) -> HttpResponse:
    response = HttpResponse(fill_holes(request, entry.content))
    for name, value in entry.headers:
        response[name] = value
    response[STATUS_HEADER] = "hit"
    return response


@hooks.register("on_serve_page")
def page_cache(serve: Callable[[Page, HttpRequest, Any, Any], HttpResponse]) -> Callable[..., HttpResponse]:
    """Wraps Wagtail's serving of a page (after its before_serve_page hooks, so view
    restrictions are still checked on every request)."""

    def serve_cached(page: Page, request: HttpRequest, args: Any, kwargs: Any) -> HttpResponse:
        if not enabled() or not cacheable_request(request):
            return serve(page, request, args, kwargs)
        key = cache_key(request)
        entry, generation = lookup(key)
        if entry is not None:
            return cached_response(request, entry)
        response = serve(page, request, args, kwargs)
        stored = store(request, page, response, key, generation)
        response[STATUS_HEADER] = "miss" if stored else "skip"
        return response

    return serve_cached


# --- Invalidation --------------------------------------------------------------------------------


def _page_deleted(sender: type, instance: Any, **kwargs: Any) -> None:
    if isinstance(instance, Page):
        invalidate()


def connect_signals() -> None:
    """Connect the receivers that bump the generation (safe to call more than once)."""
    from wagtail.models import PageViewRestriction, Site

    from madoguchi.core.models import Department, Municipality

    from .models import HolidayDoctorDuty, OpenDataImport, OpenDataRecord

    page_published.connect(invalidate, dispatch_uid="portal-cache-published")
    page_unpublished.connect(invalidate, dispatch_uid="portal-cache-unpublished")
    post_page_move.connect(invalidate, dispatch_uid="portal-cache-moved")
    post_delete.connect(_page_deleted, dispatch_uid="portal-cache-page-deleted")
    models: list[type[Model]] = [
        HolidayDoctorDuty,
        OpenDataImport,
        OpenDataRecord,
        Municipality,
        Department,
        PageViewRestriction,
        Site,
    ]
    try:
        from madoguchi.procedures.models import Procedure

        models.append(Procedure)
    except ImportError:  # pragma: no cover - procedures is part of every deployment
        pass
    for model in models:
        label = model._meta.label_lower
        post_save.connect(invalidate, sender=model, dispatch_uid=f"portal-cache-save-{label}")
        post_delete.connect(invalidate, sender=model, dispatch_uid=f"portal-cache-delete-{label}")


connect_signals()
