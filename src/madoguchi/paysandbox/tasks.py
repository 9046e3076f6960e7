"""Sending the sandbox's notifications, in the task worker (django-tasks).

A sending is claimed, POSTed outside any transaction, then recorded; a failure (no
answer, or anything but a 2xx) is tried again with backoff up to
PAYSANDBOX_NOTIFY_MAX_ATTEMPTS. `deliver_due()` sends whatever is due without the queue
(for a backend that cannot defer, and for operators)."""

from __future__ import annotations

import logging
import urllib.error
import urllib.request
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone
from django_tasks import task

from . import conf
from .models import DeliveryStatus, SandboxDelivery
from .services import signed_request

logger = logging.getLogger(__name__)
TIMEOUT_S = 10
# A worker may pick a deferred task a moment early when clocks differ slightly.
DUE_TOLERANCE = timedelta(seconds=1)


@task()
def deliver_notification(delivery_id: int) -> str:
    return deliver(delivery_id)


def enqueue(delivery_id: int, run_after: datetime | None = None) -> bool:
    try:
        task_ = deliver_notification.using(queue_name=conf.queue_name())
        if run_after is not None and run_after > timezone.now() + DUE_TOLERANCE:
            if not task_.get_backend().supports_defer:
                logger.info("sandbox delivery %s: backend cannot defer; sent by deliver_due()", delivery_id)
                return False
            task_ = task_.using(run_after=run_after)
        task_.enqueue(delivery_id)
    except Exception:
        logger.exception("sandbox delivery %s: could not enqueue", delivery_id)
        return False
    return True


def enqueue_on_commit(delivery_id: int, run_after: datetime | None = None) -> None:
    transaction.on_commit(lambda: enqueue(delivery_id, run_after))


def _claim(delivery_id: int) -> SandboxDelivery | str:
    with transaction.atomic():
        delivery = SandboxDelivery.objects.select_for_update().select_related("event").filter(pk=delivery_id).first()
        if delivery is None:
            return "missing"
        if delivery.status != DeliveryStatus.QUEUED:
            return f"skipped: {delivery.status}"
        if delivery.due_at > timezone.now() + DUE_TOLERANCE:
            return "skipped: not due"
        delivery.status = DeliveryStatus.SENDING
        delivery.attempts += 1
        delivery.save(update_fields=["status", "attempts"])
    return delivery


def deliver(delivery_id: int) -> str:
    claimed = _claim(delivery_id)
    if isinstance(claimed, str):
        return claimed
    delivery = claimed
    body, headers = signed_request(delivery.event)
    url = delivery.event.payment.notify_url
    status: int | None = None
    error = ""
    try:
        request = urllib.request.Request(url, data=body, headers=headers, method="POST")  # noqa: S310 - http(s) only, checked at creation
        with urllib.request.urlopen(request, timeout=TIMEOUT_S) as response:  # noqa: S310
            status = int(response.status)
    except urllib.error.HTTPError as exc:
        status, error = exc.code, f"HTTP {exc.code}"
    except Exception as exc:  # noqa: BLE001 - any network failure is retried
        error = f"{type(exc).__name__}: {exc}"
    with transaction.atomic():
        delivery = SandboxDelivery.objects.select_for_update().get(pk=delivery_id)
        delivery.response_status = status
        if status is not None and 200 <= status < 300:
            delivery.status = DeliveryStatus.DELIVERED
            delivery.delivered_at = timezone.now()
            delivery.last_error = ""
        elif delivery.attempts >= conf.max_attempts():
            delivery.status = DeliveryStatus.FAILED
            delivery.last_error = error
        else:
            delivery.status = DeliveryStatus.QUEUED
            delivery.last_error = error
            delivery.due_at = timezone.now() + timedelta(seconds=2**delivery.attempts)
            enqueue_on_commit(delivery.pk, delivery.due_at)
        delivery.save()
    return delivery.status


def deliver_due() -> int:
    """Send every sending that is due now; returns how many were tried."""
    due = list(
        SandboxDelivery.objects.filter(status=DeliveryStatus.QUEUED, due_at__lte=timezone.now()).values_list(
            "pk", flat=True
        )
    )
    for pk in due:
        deliver(pk)
    return len(due)
