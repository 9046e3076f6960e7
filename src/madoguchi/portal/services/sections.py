"""The pages a section (カテゴリ) or an ordinary page lists below itself."""

from __future__ import annotations

from dataclasses import dataclass

from django.http import HttpRequest
from wagtail.models import Page

from madoguchi.core.context_processors import public_path


@dataclass(frozen=True)
class ChildCard:
    """One child page as a link card: its title, URL and a line about it."""

    title: str
    url: str
    summary: str


def child_cards(page: Page, request: HttpRequest | None) -> list[ChildCard]:
    """The live, public child pages in the editors' order: the summary is the page's
    search description, else its lead (リード文)."""
    cards = []
    for child in page.get_children().live().public().specific():
        url = child.get_url(request)
        if not url:
            continue
        summary = child.search_description or getattr(child, "lead", "") or ""
        cards.append(ChildCard(child.title, public_path(request, url) if request else url, summary))
    return cards
