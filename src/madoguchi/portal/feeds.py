"""Atom feeds (RFC 4287) of a news index and an event index, one per language: the feed of
the English index lists the English pages. Every link is absolute (feed readers fetch the
feed on their own), and on a municipality's own host name it is the address visitors see.

The feeds are served by the index pages' routes (`feed/`), so they follow the page tree:
a municipality's feed can only list that municipality's pages."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.syndication.views import Feed
from django.http import HttpRequest
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _
from wagtail.models import Page

from madoguchi.core.context_processors import absolute, public_path

from .services import news_events


def page_url(request: HttpRequest, page: Page) -> str:
    """The page's absolute address as visitors see it."""
    url = page.get_url(request) or ""
    return absolute(request, public_path(request, url)) if url else ""


def feed_title(index: Page) -> str:
    home = index.specific.municipality_home()  # type: ignore[attr-defined]
    name = home.title if home is not None else ""
    return f"{index.title} | {name}" if name else index.title


class _IndexFeed(Feed):  # type: ignore[type-arg]
    """An index page's feed; built per request around the index page it serves."""

    feed_type = Atom1Feed

    def __init__(self, index: Page) -> None:
        super().__init__()
        self.index = index
        # The feed's xml:lang is the index page's language, not the request's.
        self.language = index.locale.language_code

    def __call__(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        self.request = request
        return super().__call__(request, *args, **kwargs)

    def title(self) -> str:
        return feed_title(self.index)

    def link(self) -> str:
        return page_url(self.request, self.index)

    def feed_url(self) -> str:
        return absolute(self.request, public_path(self.request, self.request.path))

    def feed_guid(self) -> str:
        return self.link()

    def item_title(self, item: Page) -> str:
        return item.title

    def item_link(self, item: Page) -> str:
        return page_url(self.request, item)

    def item_guid(self, item: Page) -> str:
        return self.item_link(item)

    def item_updateddate(self, item: Page) -> dt.datetime | None:
        return item.last_published_at


class NewsFeed(_IndexFeed):
    """お知らせの Atom フィード: the newest news, with their categories."""

    def subtitle(self) -> str:
        return self.index.specific.lead or _("新着のお知らせ")  # type: ignore[attr-defined]

    def items(self) -> Any:
        return news_events.news_below(self.index)[: news_events.FEED_ITEMS]

    def item_description(self, item: Any) -> str:
        return str(item.lead or item.search_description or "")

    def item_pubdate(self, item: Any) -> dt.datetime:
        # The 掲載日 is the date the news is about; take the hour it was first published
        # when that was the same day, so that items of one day keep their order.
        published = item.first_published_at
        if published is not None and timezone.localtime(published).date() == item.date:
            return published  # type: ignore[no-any-return]
        return dt.datetime.combine(item.date, dt.time(0), tzinfo=timezone.get_current_timezone())

    def item_categories(self, item: Any) -> list[str]:
        return [str(item.get_category_display())]


class EventFeed(_IndexFeed):
    """イベントの Atom フィード: the events to come, soonest first; each item says when and
    where in its summary."""

    def subtitle(self) -> str:
        return self.index.specific.lead or _("これからのイベント")  # type: ignore[attr-defined]

    def items(self) -> Any:
        return news_events.upcoming_events(self.index)[: news_events.FEED_ITEMS]

    def item_description(self, item: Any) -> str:
        parts = [news_events.event_when(item)]
        if item.place_name:
            parts.append(_("場所：%(place)s") % {"place": item.place_name})
        if item.lead:
            parts.append(item.lead)
        return "\n".join(parts)

    def item_pubdate(self, item: Any) -> dt.datetime | None:
        return item.first_published_at  # type: ignore[no-any-return]

    def item_categories(self, item: Any) -> list[str]:
        return [str(item.get_category_display())]
