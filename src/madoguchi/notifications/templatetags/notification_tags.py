"""Filters for notification templates, whose context is plain JSON."""

from __future__ import annotations

from datetime import datetime

from django import template
from django.utils import formats, timezone

register = template.Library()


@register.filter
def local_datetime(value: str | datetime | None) -> str:
    """An ISO 8601 date-time from the context, in local time and the active language's
    format (2025年4月1日9:30 / April 1, 2025, 9:30 a.m.)."""
    if not value:
        return ""
    if isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            return value
    else:
        moment = value
    if timezone.is_aware(moment):
        moment = timezone.localtime(moment)
    return str(formats.date_format(moment, "DATETIME_FORMAT"))
