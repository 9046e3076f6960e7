"""Pagination of every list in the API: `?limit=…&offset=…`, strictly checked.

A limit or offset that is not a whole number in range is refused with a 400 that names
the parameter, instead of being silently replaced: an integration that asks for 1000
rows and quietly gets 50 would lose data without noticing.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import LimitOffsetPagination
from rest_framework.request import Request
from rest_framework.settings import api_settings

MAX_LIMIT = 200
# Larger offsets overflow the databases' integer types; no list is that long.
MAX_OFFSET = 2**31 - 1


def _parse(value: str | None, *, minimum: int, maximum: int) -> int | None:
    if value is None:
        return None
    text = value.strip()
    if not text.isascii() or not text.isdigit():
        raise ValueError(value)
    number = int(text)
    if not minimum <= number <= maximum:
        raise ValueError(value)
    return number


class ApiPagination(LimitOffsetPagination):
    max_limit = MAX_LIMIT
    # Lazy, like DRF's own: the OpenAPI document is built in the caller's language.
    limit_query_description = _("1ページの件数（1〜200、省略時50） / Items per page (1–200, default 50)")  # type: ignore[assignment]
    offset_query_description = _("先頭から飛ばす件数（省略時0） / Items to skip (default 0)")  # type: ignore[assignment]

    @property
    def default_limit(self) -> int:  # type: ignore[override]
        return int(api_settings.PAGE_SIZE or 50)

    def paginate_queryset(  # type: ignore[override]
        self, queryset: QuerySet[Any], request: Request, view: Any = None
    ) -> list[Any] | None:
        errors: dict[str, list[str]] = {}
        try:
            self._limit = _parse(request.query_params.get(self.limit_query_param), minimum=1, maximum=MAX_LIMIT)
        except ValueError:
            errors[self.limit_query_param] = [str(_("limit は 1 から 200 までの整数で指定してください。"))]
        try:
            self._offset = _parse(request.query_params.get(self.offset_query_param), minimum=0, maximum=MAX_OFFSET)
        except ValueError:
            errors[self.offset_query_param] = [str(_("offset は 0 以上の整数で指定してください。"))]
        if errors:
            raise ValidationError(errors)
        return super().paginate_queryset(queryset, request, view)

    def get_limit(self, request: Request) -> int:
        return self._limit if self._limit is not None else self.default_limit

    def get_offset(self, request: Request) -> int:
        return self._offset or 0

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.limit_query_param:
                parameter["schema"] = {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT, "default": 50}
            elif parameter["name"] == self.offset_query_param:
                parameter["schema"] = {"type": "integer", "minimum": 0, "maximum": MAX_OFFSET, "default": 0}
        return parameters  # type: ignore[no-any-return]
