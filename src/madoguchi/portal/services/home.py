"""What a municipality's home page shows besides its own fields: 重要なお知らせ, the latest
news and the upcoming events.

Every query reads only the live, public pages below the given home page — one
municipality's tree in one language — so a home page never shows another municipality's
news, nor the other language's. Dates are local dates (settings.TIME_ZONE).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Q
from django.utils import timezone
from wagtail.models import Page

from ..models import EventIndexPage, EventPage, NewsCategory, NewsIndexPage, NewsPage

#: How many items each list on the home page shows.
LATEST_NEWS = 5
UPCOMING_EVENTS = 5
IMPORTANT_NOTICES = 3
#: 重要なお知らせ older than this leave the top of the home page (they stay in the news list).
IMPORTANT_FOR_DAYS = 60


def latest_news(home: Page, limit: int = LATEST_NEWS) -> list[NewsPage]:
    """The newest news below the home page (by 掲載日, then first publication), 重要なお知らせ
    included."""
    found = NewsPage.objects.descendant_of(home).live().public()
    return list(found.order_by("-date", "-first_published_at", "-pk")[:limit])


def important_notices(
    home: Page, limit: int = IMPORTANT_NOTICES, today: dt.date | None = None, days: int = IMPORTANT_FOR_DAYS
) -> list[NewsPage]:
    """The municipality's recent 重要なお知らせ, newest first (none dated in the future)."""
    today = today or timezone.localdate()
    found = (
        NewsPage.objects.descendant_of(home)
        .live()
        .public()
        .filter(category=NewsCategory.IMPORTANT, date__lte=today, date__gte=today - dt.timedelta(days=days))
    )
    return list(found.order_by("-date", "-first_published_at", "-pk")[:limit])


def upcoming_events(home: Page, limit: int = UPCOMING_EVENTS, today: dt.date | None = None) -> list[EventPage]:
    """Events below the home page that have not ended yet (today's and running ones
    included), soonest first."""
    today = today or timezone.localdate()
    not_over = Q(end_date__gte=today) | Q(end_date__isnull=True, start_date__gte=today)
    found = EventPage.objects.descendant_of(home).live().public().filter(not_over)
    return list(found.order_by("start_date", "start_time", "pk")[:limit])


def first_index(home: Page, index_class: type[Page]) -> Page | None:
    """The first live index page of a kind below the home page (in tree order): where
    「お知らせ一覧へ」/「イベント一覧へ」 lead."""
    return index_class.objects.descendant_of(home).live().public().order_by("path").first()


@dataclass
class HomeHighlights:
    """The dated lists of the home page."""

    important: list[NewsPage] = field(default_factory=list)
    news: list[NewsPage] = field(default_factory=list)
    events: list[EventPage] = field(default_factory=list)
    news_index: Page | None = None
    event_index: Page | None = None


def home_highlights(home: Page, today: dt.date | None = None) -> HomeHighlights:
    """Everything dated that the home page shows."""
    return HomeHighlights(
        important=important_notices(home, today=today),
        news=latest_news(home),
        events=upcoming_events(home, today=today),
        news_index=first_index(home, NewsIndexPage),
        event_index=first_index(home, EventIndexPage),
    )
