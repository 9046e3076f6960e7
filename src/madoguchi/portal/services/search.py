"""サイト内検索: the website's pages found by what residents type, in any Japanese script.

Each live, public page of a municipality's site has one `SearchEntry`, written when the
page is published and removed when it is unpublished or deleted (`portal.signals_search`).
The entry holds the page's title, body and title reading folded by
`madoguchi.japanese.search.fold` (NFKC width, katakana → hiragana, 異体字 → common
form, lower case, no spaces), so a plain substring test in the database finds
「かさまいなり」, 「カサマイナリ」, 「ｶｻﾏｲﾅﾘ」 or 「笠間稲荷」 in the page 「笠間稲荷神社」.

The title's reading is the editor's (`PortalPage.reading`) when given — the dictionary
misreads some place names — else pykakasi's. A query word with kanji is also tried by its
reading, so 「笠間いなり」 finds the page too.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils.html import strip_tags
from django.utils.text import Truncator
from wagtail.models import Page, PageViewRestriction
from wagtail.search import index

from madoguchi.core.models import Municipality
from madoguchi.japanese.reading import has_kanji, reading_of
from madoguchi.japanese.search import fold, query_terms

from ..forms import municipality_of
from ..models import SearchEntry

logger = logging.getLogger(__name__)

#: Longest folded body kept in the index (a page's first ~20,000 characters).
MAX_BODY = 20_000
SUMMARY_LENGTH = 120
#: At most this many entries are ranked for one query.
MAX_CANDIDATES = 500
_SPACES_RE = re.compile(r"\s+")


def _text(value: Any) -> str:
    if value is None:
        return ""
    if hasattr(value, "source"):  # RichText
        value = value.source
    return _SPACES_RE.sub(" ", strip_tags(str(value))).strip()


def page_text(page: Page) -> str:
    """The readable text of a page's own fields listed in its `search_fields` (lead,
    body, stream blocks …) except the title, as plain text."""
    parts: list[str] = []
    seen: set[str] = {"title"}
    for search_field in getattr(page, "search_fields", []):
        if not isinstance(search_field, index.SearchField):
            continue
        name = search_field.field_name
        if name in seen:
            continue
        seen.add(name)
        value = getattr(page, name, None)
        if callable(value):
            continue
        try:
            model_field = page._meta.get_field(name)
        except Exception:  # noqa: BLE001 - a search field may be a property, not a model field
            model_field = None
        if model_field is not None and hasattr(model_field, "get_searchable_content"):
            content = model_field.get_searchable_content(value)
            parts.append(_text(" ".join(str(c) for c in content)))
        else:
            parts.append(_text(value))
    description = getattr(page, "search_description", "")
    if description and description not in parts:
        parts.insert(0, description)
    return " ".join(p for p in parts if p)


def title_reading(page: Page) -> str:
    """The reading of the page's title: the editor's, else the dictionary's."""
    given = (getattr(page, "reading", "") or "").strip()
    if given:
        return given
    if page.locale.language_code != "ja":
        return ""
    return reading_of(page.title)


def _summary(page: Page, text: str) -> str:
    summary = getattr(page, "search_description", "") or getattr(page, "lead", "") or text
    return Truncator(_text(summary)).chars(SUMMARY_LENGTH)


def is_searchable(page: Page) -> bool:
    """Live, without a view restriction on it or an ancestor, below a municipality's
    home page."""
    if not page.live or page.expired:
        return False
    restricted = PageViewRestriction.objects.filter(page__in=Page.objects.ancestor_of(page, inclusive=True)).exists()
    return not restricted


def index_page(page: Page) -> SearchEntry | None:
    """Write (or remove) the page's entry to match what the public sees now."""
    page = page.specific
    municipality = municipality_of(page)
    if municipality is None or not is_searchable(page):
        remove_page(page)
        return None
    url = page.get_url(None) or ""
    if not url:
        remove_page(page)
        return None
    text = page_text(page)
    reading = title_reading(page)
    values = {
        "municipality": municipality,
        "language": page.locale.language_code,
        "title": page.title[:255],
        "url": url[:500],
        "summary": _summary(page, text)[:300],
        "page_type": str(page._meta.verbose_name)[:100],
        "folded_title": fold(page.title)[:600],
        "folded_reading": fold(reading)[:600],
        "folded_body": fold(text)[:MAX_BODY],
        "published_at": page.last_published_at or page.first_published_at,
    }
    entry, _created = SearchEntry.unscoped.update_or_create(page_id=page.pk, defaults=values)
    return entry  # type: ignore[no-any-return]


def remove_page(page: Page) -> None:
    SearchEntry.unscoped.filter(page_id=page.pk).delete()


def index_subtree(page: Page) -> int:
    """Re-index a page and its descendants (after a move, an unpublish of a branch or a
    change of view restriction: their URLs or visibility changed)."""
    count = 0
    for descendant in Page.objects.descendant_of(page, inclusive=True).specific().iterator():
        if index_page(descendant) is not None:
            count += 1
    return count


def reindex(municipality: Municipality | None = None, *, progress: Callable[[int, int], None] | None = None) -> int:
    """Rebuild the index of one municipality's site (or of all); returns the entries
    written. Entries of pages no longer searchable are removed."""
    from ..models import MunicipalityHomePage

    homes = MunicipalityHomePage.objects.all()
    if municipality is not None:
        homes = homes.filter(municipality=municipality)
    pages = Page.objects.none()
    for home in homes:
        pages = pages | Page.objects.descendant_of(home, inclusive=True)
    page_ids = list(pages.values_list("pk", flat=True))
    total = len(page_ids)
    written = 0
    with transaction.atomic():
        stale = SearchEntry.unscoped.exclude(page_id__in=page_ids)
        if municipality is not None:
            stale = stale.filter(municipality=municipality)
        stale.delete()
        for done, page in enumerate(Page.objects.filter(pk__in=page_ids).specific().iterator(), start=1):
            if index_page(page) is not None:
                written += 1
            if progress is not None:
                progress(done, total)
    return written


@dataclass(frozen=True)
class SearchHit:
    entry: SearchEntry
    by_title: bool

    @property
    def title(self) -> str:
        return self.entry.title

    @property
    def url(self) -> str:
        return self.entry.url

    @property
    def summary(self) -> str:
        return self.entry.summary

    @property
    def page_type(self) -> str:
        return self.entry.page_type

    @property
    def published_at(self) -> Any:
        return self.entry.published_at


def _term_alternatives(term: str, raw_word: str) -> list[str]:
    """A folded query word and, when it has kanji, its folded reading."""
    alternatives = [term]
    if has_kanji(raw_word):
        reading = fold(reading_of(raw_word))
        if reading and reading != term:
            alternatives.append(reading)
    return alternatives


def search(municipality: Municipality, language: str, query: str) -> list[SearchHit]:
    """The municipality's pages in `language` matching every word of `query`: those
    found by title or title reading first, then by text; newest first within each."""
    terms = query_terms(query)
    if not terms:
        return []
    raw_words = [w for w in (query or "").split() if fold(w)]
    entries = SearchEntry.unscoped.filter(municipality=municipality, language=language)
    alternatives: list[list[str]] = []
    for position, term in enumerate(terms):
        raw = raw_words[position] if position < len(raw_words) else term
        options = _term_alternatives(term, raw)
        alternatives.append(options)
        condition = Q()
        for option in options:
            condition |= (
                Q(folded_title__contains=option) | Q(folded_reading__contains=option) | Q(folded_body__contains=option)
            )
        entries = entries.filter(condition)
    found = list(entries.defer("folded_body").order_by("-published_at", "pk")[:MAX_CANDIDATES])
    hits = [SearchHit(e, _in_title(e, alternatives)) for e in found]
    return [h for h in hits if h.by_title] + [h for h in hits if not h.by_title]


def _in_title(entry: SearchEntry, alternatives: Iterable[list[str]]) -> bool:
    return all(
        any(option in entry.folded_title or option in entry.folded_reading for option in options)
        for options in alternatives
    )
