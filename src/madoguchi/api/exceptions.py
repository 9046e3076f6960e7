"""Errors of the API: one JSON shape for every error, in the caller's language.

    {"error": {"status": 404, "code": "not_found", "message": "見つかりません。",
               "request_id": "3f2a…", "fields": {"limit": ["…"]}}}

`message` follows Accept-Language (Japanese by default, English with `en`); `code` is
stable for programs; `fields` is only there for invalid input and names each offending
field (nested fields as `parent.child`, list items as `items.0.name`); `request_id` is
what the operator finds the request by in the logs.
"""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.signals import got_request_exception
from django.http import Http404, HttpRequest, JsonResponse
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler
from rest_framework.views import set_rollback

from madoguchi.core.logging import request_id_var

logger = logging.getLogger("madoguchi.api")


def error_body(status_code: int, code: str, message: str, fields: dict[str, list[str]] | None = None) -> dict[str, Any]:
    error: dict[str, Any] = {
        "status": status_code,
        "code": code,
        "message": message,
        "request_id": request_id_var.get(),
    }
    if fields:
        error["fields"] = fields
    return {"error": error}


def flatten_errors(detail: Any, prefix: str = "") -> dict[str, list[str]]:
    """DRF's nested validation errors as {"a.b": ["message", …]}."""
    flat: dict[str, list[str]] = {}
    if isinstance(detail, dict):
        for key, value in detail.items():
            flat.update(flatten_errors(value, f"{prefix}.{key}" if prefix else str(key)))
    elif isinstance(detail, list) and any(isinstance(item, dict | list) for item in detail):
        for index, value in enumerate(detail):
            flat.update(flatten_errors(value, f"{prefix}.{index}" if prefix else str(index)))
    elif isinstance(detail, list):
        flat[prefix or "non_field_errors"] = [str(item) for item in detail]
    else:
        flat[prefix or "non_field_errors"] = [str(detail)]
    return {key: messages for key, messages in flat.items() if messages}


def _code(exc: exceptions.APIException) -> str:
    codes = exc.get_codes()
    return codes if isinstance(codes, str) else exc.default_code


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response:
    # Django's own 404 and 403 carry English texts naming models; use the API's.
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None:
        # Not an API error: a bug (a tenant query without a tenant — ScopeError — among
        # them). Roll back, log it with its traceback, tell Django's listeners (error
        # reporting, the test client), and answer in the API's shape without any detail.
        request = context.get("request")
        django_request: HttpRequest | None = getattr(request, "_request", None)
        set_rollback()
        logger.error("unexpected error in the API", exc_info=exc)
        got_request_exception.send(sender=None, request=django_request)
        return Response(
            error_body(500, "server_error", _("サーバーでエラーが発生しました。時間をおいてもう一度お試しください。")),
            status=status.HTTP_500_INTERNAL_SERVER_ERROR,
        )
    if isinstance(exc, exceptions.ValidationError):
        fields = flatten_errors(exc.detail)
        response.data = error_body(response.status_code, "invalid", _("入力内容に誤りがあります。"), fields)
    elif isinstance(exc, exceptions.APIException):
        detail = exc.detail
        message = str(detail) if not isinstance(detail, dict | list) else _("リクエストを処理できませんでした。")
        response.data = error_body(response.status_code, _code(exc), message)
    return response


def not_found(request: HttpRequest, *args: Any, **kwargs: Any) -> JsonResponse:
    """Any /api/ address that names no endpoint."""
    return JsonResponse(
        error_body(404, "not_found", _("このURLのAPIはありません。")),
        status=404,
        json_dumps_params={"ensure_ascii": False},
    )
