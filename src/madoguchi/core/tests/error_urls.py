"""The deployment's URLs plus views that fail, for the error page tests."""

from __future__ import annotations

from django.conf.urls.i18n import i18n_patterns
from django.http import HttpRequest, HttpResponse
from django.urls import path

from madoguchi.urls import handler400, handler403, handler404, handler500
from madoguchi.urls import urlpatterns as deployment_urlpatterns

__all__ = ["handler400", "handler403", "handler404", "handler500", "urlpatterns"]


def failing_view(request: HttpRequest, municipality_slug: str) -> HttpResponse:
    raise RuntimeError("a bug in a view")


def database_goes_down(request: HttpRequest, municipality_slug: str) -> HttpResponse:
    """The database stops answering in the middle of the request, then the view fails."""
    blocker = request.META["test.django_db_blocker"]
    blocker.block()  # stays blocked after this view; the test restores it
    raise RuntimeError("the database went away")


urlpatterns = [
    *i18n_patterns(
        path("<slug:municipality_slug>/fail/", failing_view),
        path("<slug:municipality_slug>/db-down/", database_goes_down),
        prefix_default_language=False,
    ),
    *deployment_urlpatterns,
]
