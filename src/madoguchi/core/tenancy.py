"""Helpers for code that runs outside a request (tasks, commands) and for views."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.http import Http404, HttpRequest
from django_scopes import scope

from .models import Municipality


@contextmanager
def municipality_scope(municipality: Municipality | int) -> Iterator[None]:
    """Open the data scope of one municipality, as a request to its pages does."""
    pk = municipality.pk if isinstance(municipality, Municipality) else municipality
    with scope(municipality=pk):
        yield


def get_request_municipality(request: HttpRequest) -> Municipality:
    """The municipality of the request, or 404 when the URL names none."""
    municipality: Municipality | None = getattr(request, "municipality", None)
    if municipality is None:
        raise Http404
    return municipality
