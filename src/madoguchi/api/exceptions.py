"""Errors of the API: one JSON shape, translated messages."""

from __future__ import annotations

from typing import Any

from django_scopes.exceptions import ScopeError
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, ScopeError):
        # A tenant query without a tenant is a bug; never answer with data.
        raise exc
    response = drf_exception_handler(exc, context)
    if response is not None and isinstance(response.data, dict) and "detail" in response.data:
        response.data = {"error": {"status": response.status_code, "message": str(response.data["detail"])}}
    return response
