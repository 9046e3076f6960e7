"""Template tags of the open data catalogue: `{% opendata_catalogue as entries %}` gives
the catalogue page every dataset with its row count, update date and downloads."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import template
from django.urls import reverse

from madoguchi.portal.forms import municipality_of
from madoguchi.portal.opendata import services

register = template.Library()


@dataclass(frozen=True)
class Entry:
    key: str
    title: str
    description: str
    row_count: int
    column_count: int
    updated: Any
    downloads: int
    csv_name: str
    csv_url: str
    json_url: str


@register.simple_tag(takes_context=True)
def opendata_catalogue(context: template.Context) -> list[Entry]:
    """The datasets of the page's municipality, titled in the page's language."""
    page: Any = context["page"]
    municipality = municipality_of(page)
    if municipality is None:
        return []
    language = page.locale.language_code
    entries = []
    for item in services.catalogue(municipality):
        kwargs = {"municipality_slug": municipality.slug, "dataset": item.dataset.key}
        entries.append(
            Entry(
                key=item.dataset.key,
                title=item.dataset.title(language),
                description=item.dataset.description(language),
                row_count=item.row_count,
                column_count=len(item.dataset.columns),
                updated=item.updated,
                downloads=item.downloads,
                csv_name=item.csv_name,
                csv_url=reverse("portal:opendata-csv", kwargs=kwargs),
                json_url=reverse("portal:opendata-json", kwargs=kwargs),
            )
        )
    return entries
