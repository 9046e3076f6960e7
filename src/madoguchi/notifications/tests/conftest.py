"""Fixtures of the notification tests: channels registered for real, and task workers
run in the test process."""

from __future__ import annotations

import signal
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest

from madoguchi.notifications import channels


@dataclass
class FlakyChannel(channels.Channel):
    """A channel that fails `failures` times, then delivers (into `delivered`)."""

    failures: int = 0
    error: type[BaseException] = channels.DeliveryError
    delivered: list[channels.Delivery] = field(default_factory=list)
    calls: int = 0

    name = "flaky"
    label = "flaky"

    def address_for(self, user: object) -> str | None:
        return f"flaky:{user.pk}"  # type: ignore[attr-defined]

    def send(self, delivery: channels.Delivery) -> str:
        self.calls += 1
        if self.calls <= self.failures:
            raise self.error(f"failure {self.calls} of {self.failures}")
        self.delivered.append(delivery)
        return f"flaky-{delivery.reference}"


@pytest.fixture
def flaky() -> Iterator[FlakyChannel]:
    channel = FlakyChannel()
    channels.register(channel, replace=True)
    yield channel
    channels.unregister(channel.name)


@pytest.fixture
def restore_signals() -> Iterator[None]:
    """Workers install their own SIGINT/SIGTERM handlers; put pytest's back."""
    saved = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGQUIT)}
    yield
    for sig, handler in saved.items():
        signal.signal(sig, handler)
