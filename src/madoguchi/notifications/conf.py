"""Settings of the notification service, with their defaults.

NOTIFICATION_MAX_ATTEMPTS      attempts before a message is marked failed (5)
NOTIFICATION_RETRY_BASE_DELAY  seconds before the first retry; doubled each time (60)
NOTIFICATION_RETRY_MAX_DELAY   longest wait between two attempts, in seconds (6 hours)
NOTIFICATION_SENDING_LEASE     seconds after which a send that never finished (the
                               worker died) counts as a failed attempt (10 minutes)
NOTIFICATION_REQUEUE_GRACE     seconds a due message may wait for its task before the
                               sweep enqueues it again (5 minutes)
NOTIFICATION_SECRET_TTL        seconds the secrets of a failed message are kept for a
                               resend (3 days, as long as a password-reset link lives)
NOTIFICATION_QUEUE             the task queue of the send task ("default")
"""

from __future__ import annotations

from django.conf import settings


def max_attempts() -> int:
    return max(1, int(getattr(settings, "NOTIFICATION_MAX_ATTEMPTS", 5)))


def retry_base_delay() -> float:
    return float(getattr(settings, "NOTIFICATION_RETRY_BASE_DELAY", 60))


def retry_max_delay() -> float:
    return float(getattr(settings, "NOTIFICATION_RETRY_MAX_DELAY", 6 * 60 * 60))


def sending_lease() -> float:
    return float(getattr(settings, "NOTIFICATION_SENDING_LEASE", 10 * 60))


def requeue_grace() -> float:
    return float(getattr(settings, "NOTIFICATION_REQUEUE_GRACE", 5 * 60))


def secret_ttl() -> float:
    return float(getattr(settings, "NOTIFICATION_SECRET_TTL", 3 * 24 * 60 * 60))


def queue_name() -> str:
    return str(getattr(settings, "NOTIFICATION_QUEUE", "default"))
