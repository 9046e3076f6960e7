"""Settings of the sandbox gateway, with their defaults.

PAYSANDBOX_SECRET                the key notifications are signed with and API calls
                                 authenticated by (derived from SECRET_KEY)
PAYSANDBOX_NOTIFY_REPEAT         how many times each notification is sent (2: every
                                 event arrives twice, as real gateways sometimes do)
PAYSANDBOX_NOTIFY_DELAY          seconds before the first sending of a notification (0)
PAYSANDBOX_NOTIFY_DELAYS         per event type, a delay that replaces NOTIFY_DELAY, e.g.
                                 {"payment.pending": 30}: the "in progress" notification
                                 then arrives after the final one (out of order)
PAYSANDBOX_NOTIFY_INTERVAL       seconds between the repeats of one notification (5)
PAYSANDBOX_NOTIFY_MAX_ATTEMPTS   attempts to deliver one sending before giving up (5)
PAYSANDBOX_SETTLE_AFTER          seconds after which a payment whose card authorisation
                                 "timed out" is settled when its status is asked (0)
PAYSANDBOX_QUEUE                 the task queue of the delivery task ("default")
"""

from __future__ import annotations

import hashlib
import hmac

from django.conf import settings


def secret() -> str:
    configured = str(getattr(settings, "PAYSANDBOX_SECRET", "") or "")
    if configured:
        return configured
    return hmac.new(settings.SECRET_KEY.encode(), b"madoguchi.paysandbox", hashlib.sha256).hexdigest()


def api_key() -> str:
    """The merchant's API key: what madoguchi sends as `Authorization: Bearer …`."""
    return hmac.new(secret().encode(), b"api-key", hashlib.sha256).hexdigest()


def notify_repeat() -> int:
    return max(1, int(getattr(settings, "PAYSANDBOX_NOTIFY_REPEAT", 2)))


def notify_delay() -> float:
    return max(0.0, float(getattr(settings, "PAYSANDBOX_NOTIFY_DELAY", 0)))


def notify_delay_for(event_type: str) -> float:
    delays = getattr(settings, "PAYSANDBOX_NOTIFY_DELAYS", None) or {}
    if event_type in delays:
        return max(0.0, float(delays[event_type]))
    return notify_delay()


def notify_interval() -> float:
    return max(0.0, float(getattr(settings, "PAYSANDBOX_NOTIFY_INTERVAL", 5)))


def max_attempts() -> int:
    return max(1, int(getattr(settings, "PAYSANDBOX_NOTIFY_MAX_ATTEMPTS", 5)))


def settle_after() -> float:
    return max(0.0, float(getattr(settings, "PAYSANDBOX_SETTLE_AFTER", 0)))


def queue_name() -> str:
    return str(getattr(settings, "PAYSANDBOX_QUEUE", "default"))
