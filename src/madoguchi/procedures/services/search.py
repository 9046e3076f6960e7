"""Searching and browsing the residents' catalog (手続を探す).

A resident types what they call the procedure, in whatever script their keyboard gives:
「住民票」, 「じゅうみんひょう」, 「ジュウミンヒョウ」, half-width 「ｼﾞｭｳﾐﾝﾋｮｳ」 or full-width
letters. Both the query and each procedure's name, reading (よみがな, hiragana), keywords
and summary are folded to one form — NFKC (width), katakana to hiragana, lower case, no
spaces, 異体字 as the common character (`madoguchi.japanese.search.fold`) — and every
word of the query must occur in the folded text.

The catalog of one municipality is a few hundred rows at most, so the folding is done in
Python over the published procedures rather than in the database: it stays the same on
SQLite and PostgreSQL, and needs no index to maintain when a procedure changes.
"""

from __future__ import annotations

from django.db.models import QuerySet

from madoguchi.core.models import Municipality
from madoguchi.japanese.search import MAX_QUERY_LENGTH, fold, query_terms

from ..models import LifeEvent, Procedure, ProcedureCategory

__all__ = ["MAX_QUERY_LENGTH", "categories", "fold", "life_events", "published", "query_terms", "search"]


def published(municipality: Municipality) -> QuerySet[Procedure]:
    """The municipality's published procedures, in catalog order, with what the list
    shows loaded."""
    return (
        Procedure.objects.filter(municipality=municipality, is_published=True)
        .select_related("department", "category")
        .order_by("sort_order", "slug")
    )


def _haystacks(procedure: Procedure) -> tuple[str, str]:
    """(the folded name and reading, the folded rest) of a procedure."""
    names = fold(" ".join([procedure.name_ja, procedure.name_en, procedure.reading]))
    rest = fold(" ".join([procedure.keywords, procedure.summary_ja, procedure.summary_en, procedure.code]))
    return names, rest


def search(municipality: Municipality, query: str, *, category: ProcedureCategory | None = None) -> list[Procedure]:
    """The published procedures matching every word of `query` (all of them for an
    empty query), those found by name or reading first."""
    procedures = published(municipality)
    if category is not None:
        procedures = procedures.filter(category=category)
    terms = query_terms(query)
    if not terms:
        return list(procedures)
    by_name: list[Procedure] = []
    by_other: list[Procedure] = []
    for procedure in procedures:
        names, rest = _haystacks(procedure)
        if all(term in names for term in terms):
            by_name.append(procedure)
        elif all(term in names or term in rest for term in terms):
            by_other.append(procedure)
    return by_name + by_other


def categories(municipality: Municipality) -> list[tuple[ProcedureCategory, int]]:
    """The categories that have published procedures, with how many."""
    counts: dict[int, int] = {}
    for category_id in published(municipality).values_list("category_id", flat=True):
        if category_id is not None:
            counts[category_id] = counts.get(category_id, 0) + 1
    return [
        (c, counts[c.pk])
        for c in ProcedureCategory.objects.filter(municipality=municipality, pk__in=counts).order_by(
            "sort_order", "slug"
        )
    ]


def life_events(municipality: Municipality) -> list[LifeEvent]:
    """The published life events, to browse the catalog by them (their pages belong to
    the life events part)."""
    return list(LifeEvent.objects.filter(municipality=municipality, is_published=True).order_by("sort_order", "slug"))
