"""Structured logs: one JSON object per line (or plain text with LOG_FORMAT=text).

Every record carries the id of the request that produced it (`request_id`, also sent to
the client as X-Request-ID and written into audit entries), so that one request can be
followed through the access log, the application's own records and the audit log. Each
request also leaves one access record (logger `madoguchi.access`, see
`madoguchi.core.middleware.RequestIdMiddleware`) with its municipality, user, path,
status and duration.
"""

from __future__ import annotations

import logging
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

from pythonjsonlogger.json import JsonFormatter as _JsonFormatter

request_id_var: ContextVar[str] = ContextVar("request_id", default="-")


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id_var.get()
        return True


class JsonFormatter(_JsonFormatter):
    """JSON lines with an ISO 8601 time in the server's time zone, and Japanese text
    left readable (not escaped to \\uXXXX)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("json_ensure_ascii", False)
        super().__init__(*args, **kwargs)

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:  # noqa: N802 - logging's name
        return datetime.fromtimestamp(record.created, tz=UTC).astimezone().isoformat(timespec="milliseconds")
