"""`{{ html|document_file_info }}`: rendered rich text with each document link's type and
size written into the link (`portal.richtext.with_file_info`). Used by portal's override of
Wagtail's `wagtailcore/shared/richtext.html`, so every `|richtext` and RichText value gets it."""

from __future__ import annotations

from django import template
from django.utils.safestring import SafeString

from ..richtext import with_file_info

register = template.Library()


@register.filter
def document_file_info(html: str) -> SafeString:
    return with_file_info(html)
