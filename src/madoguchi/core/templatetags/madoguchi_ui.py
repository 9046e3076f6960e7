"""Template helpers of the page layout: breadcrumbs, telephone links, theme colours."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django import template

from madoguchi.core import navigation
from madoguchi.core.colours import HEX_COLOUR

register = template.Library()


@dataclass(frozen=True)
class Crumb:
    label: str
    url: str | None


def _crumb_url(target: Any, municipality: Any) -> str | None:
    if not target:
        return None
    target = str(target)
    if target.startswith(("/", "http://", "https://")):
        return target
    # A URL name; a municipality's page takes the municipality's slug.
    return navigation.resolve(target, municipality)


@register.simple_tag(takes_context=True)
def breadcrumb_trail(context: template.Context, items: Iterable[Sequence[Any]] | None) -> list[Crumb]:
    """Resolve a view's `breadcrumbs` — (label, URL name, path or None) pairs, the last
    one the current page — below the home link of the layout."""
    municipality = context.get("municipality")
    trail = [Crumb(label=str(label), url=_crumb_url(target, municipality)) for label, target, *_rest in items or []]
    if trail:
        # The current page is never a link, whatever the view passed.
        trail[-1] = Crumb(label=trail[-1].label, url=None)
    return trail


@register.filter
def tel_href(number: str) -> str:
    """'0296-77-1101' → 'tel:0296771101'."""
    digits = re.sub(r"[^0-9+]", "", number or "")
    return f"tel:{digits}" if digits else ""


@register.filter
def css_colour(value: str, default: str = "#0031d8") -> str:
    """A theme colour as it may go into CSS: only #RRGGBB, whatever the database holds."""
    return value if isinstance(value, str) and HEX_COLOUR.match(value) else default
