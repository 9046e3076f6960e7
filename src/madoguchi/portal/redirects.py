"""Redirects from a page's old address (Wagtail's `Redirect`, created when a page moves or
changes its slug) for municipalities on their own host name too.

Wagtail stores a redirect's old path as the page's path in the deployment, which is
`/<slug>/…` (`/kasama/kurashi/gomi`). On a municipality bound to its own host name
(`core.middleware.HostMunicipalityMiddleware`) a reader asks for `/kurashi/gomi/`; the host
middleware rewrites `path_info` to `/kasama/kurashi/gomi/`, but Wagtail's middleware looks
the redirect up by `request.get_full_path()`, built from `request.path`, which keeps the
address as asked — and finds nothing. Here the lookup uses the rewritten path instead.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from wagtail.contrib.redirects.middleware import RedirectMiddleware as WagtailRedirectMiddleware


class RedirectMiddleware(WagtailRedirectMiddleware):
    """Wagtail's redirect middleware, looking up the deployment path on bound hosts."""

    def process_response(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        if response.status_code != 404 or not getattr(request, "bound_host_slug", None):
            return super().process_response(request, response)  # type: ignore[no-any-return]
        deployment_path = request.META.get("SCRIPT_NAME", "").rstrip("/") + request.path_info
        asked = request.path
        request.path = deployment_path
        try:
            return super().process_response(request, response)  # type: ignore[no-any-return]
        finally:
            request.path = asked
