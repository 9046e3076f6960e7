"""The deployment's URLs plus the bare view, which exists only for the benchmark."""

from django.http import HttpRequest, HttpResponse
from django.urls import path

from madoguchi.urls import handler400, handler403, handler404, handler500
from madoguchi.urls import urlpatterns as site_urlpatterns

BARE_PATH = "_bench/bare/"


def bare(request: HttpRequest) -> HttpResponse:
    """The least a Django view can do: what every page pays before doing anything."""
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [path(BARE_PATH, bare), *site_urlpatterns]

__all__ = ["handler400", "handler403", "handler404", "handler500", "urlpatterns"]
