"""Template helpers of the place pages: `{% place_facts page as place %}` (address, map
links, phone, hours — see services.places) and `{{ value|area }}` (㎡ and ha)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import template

from ..services import places

register = template.Library()


@register.simple_tag
def place_facts(page: Any) -> places.PlaceFacts:
    return places.place_facts(page)


@register.filter
def area(value: Decimal | None) -> str:
    return places.area_text(value)
