"""Template tags of the website's service pages: `{% dataset_listing as listing %}` gives
a `DatasetListPage` the rows of its dataset (searched by `?q=`)."""

from __future__ import annotations

from typing import Any

from django import template

from madoguchi.portal.forms import municipality_of
from madoguchi.portal.services.dataset_listing import Listing, listing

register = template.Library()


@register.simple_tag(takes_context=True)
def dataset_listing(context: template.Context) -> Listing:
    """The listing of the page's dataset for this request's query."""
    page: Any = context["page"]
    request = context.get("request")
    query = request.GET.get("q", "") if request is not None else ""
    return listing(municipality_of(page), page.dataset, query=query, language=page.locale.language_code)
