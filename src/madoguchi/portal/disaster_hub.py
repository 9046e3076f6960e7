"""What is happening now, for the disaster information hub (防災情報): a registry of
providers that other modules register into.

A provider is a callable `(municipality, language) -> list[HubItem]`: the disaster module
(to come) will register one for evacuation orders and shelters that are open, another
may bring river gauges or weather warnings. The hub page asks every provider and shows
what they return, most severe first; with no providers, or none with anything to say,
the page says there is no current alert.

A provider that fails (a gauge's server is down) must not take the page down: its error
is logged and the other providers' items are still shown.

    from madoguchi.portal import disaster_hub

    def shelters(municipality, language):
        return [disaster_hub.HubItem(title="避難所を開設しました", level=disaster_hub.Level.WARNING)]

    disaster_hub.register("disaster.shelters", shelters)
"""

from __future__ import annotations

import datetime as dt
import enum
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass

from madoguchi.core.models import Municipality

logger = logging.getLogger(__name__)


class Level(enum.IntEnum):
    """How severe an item is; the page lists the most severe first and marks each with a
    word, not only a colour. The numbers only order them."""

    INFO = 10  # お知らせ (a shelter is open for voluntary evacuation, a drill)
    WARNING = 20  # 注意・警戒 (高齢者等避難, a warning)
    EMERGENCY = 30  # 緊急 (避難指示, 緊急安全確保, an emergency warning)


@dataclass(frozen=True)
class HubItem:
    """One thing residents should know now. `title` and `body` are already in the
    language the provider was asked for; `url` leads to the details."""

    title: str
    level: Level = Level.INFO
    body: str = ""
    url: str = ""
    issued_at: dt.datetime | None = None
    area: str = ""
    source: str = ""


Provider = Callable[[Municipality, str], list[HubItem]]

_providers: dict[str, Provider] = {}
_lock = threading.Lock()


def register(name: str, provider: Provider) -> Provider:
    """Add (or replace) the provider called `name`; returns it, so it can decorate."""
    with _lock:
        _providers[name] = provider
    return provider


def unregister(name: str) -> None:
    with _lock:
        _providers.pop(name, None)


def providers() -> dict[str, Provider]:
    """The registered providers, by name (a copy)."""
    with _lock:
        return dict(_providers)


def current_items(municipality: Municipality, language: str) -> list[HubItem]:
    """Every provider's items for the municipality, most severe first, then newest."""
    items: list[HubItem] = []
    for name, provider in sorted(providers().items()):
        try:
            found = provider(municipality, language)
        except Exception:
            logger.exception("disaster hub provider %s failed", name)
            continue
        items.extend(item if item.source else _with_source(item, name) for item in found or [])
    epoch = dt.datetime.min.replace(tzinfo=dt.UTC)
    return sorted(items, key=lambda item: (-int(item.level), -(item.issued_at or epoch).timestamp()))


def _with_source(item: HubItem, name: str) -> HubItem:
    from dataclasses import replace

    return replace(item, source=name)
