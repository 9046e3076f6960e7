"""`{{ text|ruby:page }}`: furigana over the kanji of pages written in やさしい日本語.

Applied by every page template to the title, lead and body. When the page is marked
やさしい日本語 (`plain_japanese`) and is in Japanese, each run of kanji gets its reading in
`<ruby>…<rt>…</rt></ruby>`; otherwise the value comes back unchanged. HTML (rich text) is
annotated in its text only — never inside tags, attribute values, existing ruby, scripts
or code.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from django import template
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from madoguchi.japanese.reading import furigana, has_kanji

register = template.Library()

_TAG_RE = re.compile(r"(<!--.*?-->|<[^>]*>)", re.DOTALL)
_TAG_NAME_RE = re.compile(r"<\s*(/?)\s*([a-zA-Z0-9]+)")
#: Elements whose text is left alone: ruby already given, code, and non-text content.
_SKIP_ELEMENTS = frozenset({"ruby", "rt", "rp", "script", "style", "code", "pre", "kbd", "samp", "textarea", "svg"})
_ENTITY_RE = re.compile(r"(&[#a-zA-Z0-9]+;)")


def wants_ruby(page: Any) -> bool:
    """A page written in やさしい日本語, in Japanese."""
    if page is None or not getattr(page, "plain_japanese", False):
        return False
    locale = getattr(page, "locale", None)
    return locale is None or getattr(locale, "language_code", "ja") == "ja"


@lru_cache(maxsize=4096)
def _annotate_escaped(text: str) -> str:
    """Ruby for an already escaped run of text (entities kept as they are)."""
    out: list[str] = []
    for part in _ENTITY_RE.split(text):
        if not part or part.startswith("&") or not has_kanji(part):
            out.append(part)
            continue
        for chars, reading in furigana(part):
            if reading:
                out.append(f"<ruby>{chars}<rp>(</rp><rt>{reading}</rt><rp>)</rp></ruby>")
            else:
                out.append(chars)
    return "".join(out)


def ruby_html(html: str) -> str:
    """Furigana for the text of an HTML fragment."""
    out: list[str] = []
    skipping: list[str] = []
    for part in _TAG_RE.split(html):
        if not part:
            continue
        if part.startswith("<"):
            out.append(part)
            match = _TAG_NAME_RE.match(part)
            if match is not None and not part.endswith("/>"):
                closing, name = match.group(1) == "/", match.group(2).lower()
                if name in _SKIP_ELEMENTS:
                    if closing:
                        if name in skipping:
                            del skipping[len(skipping) - 1 - skipping[::-1].index(name)]
                    else:
                        skipping.append(name)
            continue
        out.append(part if skipping else _annotate_escaped(part))
    return "".join(out)


@register.filter(name="ruby")
def ruby(value: Any, page: Any = None) -> Any:
    """Furigana over the kanji of `value` when `page` is written in やさしい日本語."""
    if value is None or value == "" or not wants_ruby(page):
        return value
    if hasattr(value, "__html__"):
        html = str(value.__html__())
    elif isinstance(value, SafeString):
        html = str(value)
    else:
        html = str(escape(str(value)))
    return mark_safe(ruby_html(html))  # noqa: S308 - the input was escaped or already safe HTML


__all__ = ["ruby", "ruby_html", "wants_ruby"]
