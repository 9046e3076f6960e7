"""The send task, run by the task worker (`manage.py db_worker`, or an RQ worker).

Delivery is at least once and safe to repeat:

1. claim: in a short transaction, lock the row; anything but a due, queued message is
   left alone (already sent, cancelled, failed, being sent by another worker, or not
   due yet); otherwise it becomes `sending` and the attempt is counted;
2. send through the channel, outside any transaction (an SMTP conversation must not hold
   a lock, and SQLite would block every other writer meanwhile);
3. record the outcome in a second short transaction: sent, or the error and either the
   next attempt (exponential backoff, re-enqueued with `run_after`) or failed.

An exception in step 2 is recorded in step 3. A worker that dies between 1 and 3 leaves
the row `sending` with `sending_started_at`; `services.sweep()` counts such an attempt
as failed once NOTIFICATION_SENDING_LEASE has passed and schedules the next one.
"""

from __future__ import annotations

import logging
import random
from datetime import datetime, timedelta

from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.utils import timezone
from django_tasks import task

from . import channels, conf, rendering, sealing
from .models import MessageStatus, OutboundMessage

logger = logging.getLogger(__name__)

MAX_ERROR_LENGTH = 2000
# A worker may pick a deferred task a moment early when clocks differ slightly.
DUE_TOLERANCE = timedelta(seconds=5)


@task()
def send_message(message_id: int) -> str:
    """Deliver one outbox message; returns what happened (for the task's result)."""
    return deliver(message_id)


def enqueue_send(message_id: int, run_after: datetime | None = None) -> bool:
    """Put the send task of a message on the queue; False when it was not enqueued
    (the sweep will then pick the message up). Never raises: the message is already
    stored, and losing a task must not undo the request that created it."""
    try:
        task_ = send_message.using(queue_name=conf.queue_name())
        if run_after is not None and run_after > timezone.now():
            if not task_.get_backend().supports_defer:
                logger.info("notification %s: backend cannot defer; left for the sweep", message_id)
                return False
            task_ = task_.using(run_after=run_after)
        task_.enqueue(message_id)
    except Exception:
        logger.exception("notification %s: could not enqueue the send task", message_id)
        return False
    return True


def enqueue_on_commit(message_id: int, run_after: datetime | None = None) -> None:
    transaction.on_commit(lambda: enqueue_send(message_id, run_after))


def backoff_delay(attempts: int) -> timedelta:
    """Wait after the `attempts`-th failed attempt: base · 2^(attempts-1), capped, with
    ±10 % jitter so that messages that failed together do not all retry together."""
    base = conf.retry_base_delay() * (2 ** max(0, attempts - 1))
    delay = min(base, conf.retry_max_delay()) * random.uniform(0.9, 1.1)  # noqa: S311 - spreading load, not security
    return timedelta(seconds=delay)


def _claim(message_id: int) -> OutboundMessage | str:
    now = timezone.now()
    with transaction.atomic():
        message = OutboundMessage.unscoped.select_for_update().filter(pk=message_id).first()
        if message is None:
            return "missing"
        if message.status != MessageStatus.QUEUED:
            return f"skipped: {message.status}"
        if message.next_attempt_at is not None and message.next_attempt_at > now + DUE_TOLERANCE:
            return "skipped: not due"
        message.status = MessageStatus.SENDING
        message.attempts += 1
        message.sending_started_at = now
        message.save(update_fields=["status", "attempts", "sending_started_at", "updated_at"])
    return message


def _delivery(message: OutboundMessage) -> channels.Delivery:
    subject, body_text, body_html = message.subject, message.body_text, message.body_html
    if message.has_secrets:
        marker, values = sealing.unseal(message.sealed_secrets)
        subject = rendering.reveal(subject, marker, values)
        body_text = rendering.reveal(body_text, marker, values)
        body_html = rendering.reveal(body_html, marker, values, as_html=True)
    municipality = message.municipality
    sender_name, reply_to = "", ""
    if municipality is not None:
        sender_name = municipality.name_en if message.language == "en" else municipality.name_ja
        reply_to = municipality.email
    return channels.Delivery(
        message_id=message.pk,
        reference=message.uuid.hex,
        address=message.address,
        language=message.language,
        subject=subject,
        body_text=body_text,
        body_html=body_html,
        sender_name=sender_name,
        reply_to=reply_to,
    )


def deliver(message_id: int) -> str:
    claimed = _claim(message_id)
    if isinstance(claimed, str):
        return claimed
    message = claimed
    try:
        channel = channels.get(message.channel)
        delivery = _delivery(message)
    except (ImproperlyConfigured, sealing.SecretsUnavailableError, rendering.SecretMissingError) as exc:
        # The channel or a secret is gone: trying again cannot help.
        return record_failure(message.pk, exc, permanent=True)
    except Exception as exc:  # noqa: BLE001 - recorded on the message, retried
        return record_failure(message.pk, exc)
    try:
        reference = channel.send(delivery)
    except channels.PermanentDeliveryError as exc:
        return record_failure(message.pk, exc, permanent=True)
    except Exception as exc:  # noqa: BLE001 - any provider error is a temporary failure, retried
        return record_failure(message.pk, exc)
    except BaseException as exc:
        # The worker is being stopped mid-send: count the attempt, then let it stop.
        record_failure(message.pk, exc)
        raise
    return record_success(message.pk, reference)


def record_success(message_id: int, reference: str) -> str:
    with transaction.atomic():
        message = OutboundMessage.unscoped.select_for_update().get(pk=message_id)
        if message.status == MessageStatus.SENT:
            return "sent"
        message.status = MessageStatus.SENT
        message.sent_at = timezone.now()
        message.provider_reference = (reference or "")[:255]
        message.next_attempt_at = None
        message.sending_started_at = None
        message.sealed_secrets = ""
        message.save(
            update_fields=[
                "status",
                "sent_at",
                "provider_reference",
                "next_attempt_at",
                "sending_started_at",
                "sealed_secrets",
                "updated_at",
            ]
        )
    return "sent"


def describe_error(exc: BaseException) -> str:
    text = f"{type(exc).__name__}: {exc}".strip().rstrip(":")
    return text[:MAX_ERROR_LENGTH]


def record_failure(
    message_id: int, exc: BaseException | str, *, permanent: bool = False, started_before: datetime | None = None
) -> str:
    """Record a failed attempt; schedule the next one or give up. With `started_before`,
    only an attempt that started before then (a stalled one) is settled."""
    error = exc if isinstance(exc, str) else describe_error(exc)
    if not isinstance(exc, str):
        logger.warning("notification %s: attempt failed: %s", message_id, error)
    with transaction.atomic():
        message = OutboundMessage.unscoped.select_for_update().get(pk=message_id)
        if message.status != MessageStatus.SENDING:
            # Someone else has already settled this attempt (the sweep, or a duplicate).
            return f"skipped: {message.status}"
        if started_before is not None and (
            message.sending_started_at is None or message.sending_started_at >= started_before
        ):
            return "skipped: still sending"
        message.last_error = error
        message.sending_started_at = None
        fields: list[str] = ["status", "last_error", "sending_started_at", "next_attempt_at", "updated_at"]
        if permanent or message.attempts >= conf.max_attempts():
            message.status = MessageStatus.FAILED
            message.next_attempt_at = None
            outcome = "failed"
        else:
            message.status = MessageStatus.QUEUED
            message.next_attempt_at = timezone.now() + backoff_delay(message.attempts)
            enqueue_on_commit(message.pk, message.next_attempt_at)
            outcome = "retry"
        message.save(update_fields=fields)
    return outcome


def settle_stalled(message_id: int, started_before: datetime) -> str:
    """A send that never finished: count it as a failed attempt (used by the sweep)."""
    return record_failure(
        message_id, "interrupted: the worker stopped before the attempt was recorded", started_before=started_before
    )
