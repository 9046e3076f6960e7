"""Channels: the ways a notification reaches its recipient (e-mail today; Web Push,
LINE and the like as modules add them).

A channel is a subclass of `Channel` registered once, usually in its module's
`AppConfig.ready()`::

    from madoguchi.notifications import channels

    class LineChannel(channels.Channel):
        name = "line"
        label = _("LINE")

        def address_for(self, user):
            return line_user_id_of(user)          # None: the user cannot be reached

        def send(self, delivery):
            response = post_to_line(delivery.address, delivery.body_text)
            if response.status == 400:
                raise channels.PermanentDeliveryError(response.text)   # no retry
            response.raise_for_status()           # any other exception: retried later
            return response.headers["X-Line-Request-Id"]

    channels.register(LineChannel())

The contract is small on purpose:

- `send(delivery)` delivers one already-rendered message and returns the provider's
  reference for it (kept as `provider_reference`), or raises. Raising
  `PermanentDeliveryError` marks the message failed at once; any other exception is a
  temporary failure, retried with backoff up to NOTIFICATION_MAX_ATTEMPTS.
- `send()` may be called more than once for the same message (a worker that died after
  the provider accepted the message but before the outbox recorded it). Pass
  `delivery.reference` to the provider where it supports de-duplication; e-mail uses
  it for the Message-ID.
- `send()` runs in the worker, outside any database transaction and outside any
  municipality scope; it must not change the outbox row itself.
"""

from __future__ import annotations

import abc
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from django.core.exceptions import ImproperlyConfigured
from django.utils.functional import Promise

if TYPE_CHECKING:
    from madoguchi.accounts.models import User

__all__ = [
    "Channel",
    "Delivery",
    "DeliveryError",
    "PermanentDeliveryError",
    "all_channels",
    "choices",
    "get",
    "register",
    "unregister",
]


class DeliveryError(Exception):
    """A temporary failure: the message is tried again later."""


class PermanentDeliveryError(DeliveryError):
    """The message can never be delivered as it is (address refused, content rejected)."""


@dataclass(frozen=True)
class Delivery:
    """What a channel sends: one message, rendered, with its secrets filled in."""

    message_id: int
    reference: str  # stable for the message: the same on every attempt
    address: str
    language: str
    subject: str
    body_text: str
    body_html: str
    sender_name: str
    reply_to: str = ""


class Channel(abc.ABC):
    """A way of delivering notifications. Subclasses set `name` and `label`."""

    name: ClassVar[str]
    label: ClassVar[str | Promise]

    @abc.abstractmethod
    def address_for(self, user: User) -> str | None:
        """The user's address on this channel, or None when they have none."""

    @abc.abstractmethod
    def send(self, delivery: Delivery) -> str:
        """Deliver the message; return the provider's reference or raise."""

    def validate_address(self, address: str) -> None:
        """Raise django.core.exceptions.ValidationError for an address this channel
        can never deliver to (checked before a message is stored)."""
        return None  # by default a channel accepts any address its users have


_REGISTRY: dict[str, Channel] = {}


def register(channel: Channel, *, replace: bool = False) -> Channel:
    """Make a channel available under its name."""
    name = getattr(channel, "name", "")
    if not name:
        raise ImproperlyConfigured(f"{type(channel).__name__} has no name")
    existing = _REGISTRY.get(name)
    if existing is not None and not replace and type(existing) is not type(channel):
        raise ImproperlyConfigured(f"notification channel {name!r} is already registered")
    _REGISTRY[name] = channel
    return channel


def unregister(name: str) -> None:
    _REGISTRY.pop(name, None)


def get(name: str) -> Channel:
    try:
        return _REGISTRY[name]
    except KeyError:
        raise ImproperlyConfigured(f"unknown notification channel {name!r}") from None


def all_channels() -> Iterator[Channel]:
    yield from sorted(_REGISTRY.values(), key=lambda c: c.name)


def choices() -> list[tuple[str, str]]:
    return [(c.name, str(c.label)) for c in all_channels()]
