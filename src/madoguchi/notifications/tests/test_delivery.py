"""Idempotency, retries with backoff, failures and crash safety of the send task."""

from __future__ import annotations

import smtplib
from datetime import timedelta
from email.header import decode_header, make_header
from typing import Any

import pytest
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.utils import timezone, translation
from django_tasks_db.models import DBTaskResult

from madoguchi.core.models import Municipality
from madoguchi.notifications import services, tasks
from madoguchi.notifications.models import MessageStatus, OutboundMessage
from madoguchi.testing.factories import UserFactory

from .conftest import FlakyChannel

pytestmark = pytest.mark.django_db


SEND_TASK = "madoguchi.notifications.tasks.send_message"


def queued_tasks(message: OutboundMessage) -> list[DBTaskResult]:
    rows = DBTaskResult.objects.filter(task_path=SEND_TASK).order_by("enqueued_at")
    return [t for t in rows if t.args_kwargs["args"] == [message.pk]]


def make_due(message: OutboundMessage) -> None:
    OutboundMessage.unscoped.filter(pk=message.pk).update(next_attempt_at=timezone.now() - timedelta(seconds=1))


def notify(channel: str = "email", **kwargs: Any) -> OutboundMessage:
    user = kwargs.pop("user", None) or UserFactory()
    return services.notify(user, kwargs.pop("key", "account/password_changed"), {}, channel=channel, **kwargs)


def test_the_send_task_is_enqueued_when_the_transaction_commits(django_capture_on_commit_callbacks) -> None:
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        message = notify()
        assert queued_tasks(message) == []
    assert len(callbacks) == 1
    callbacks[0]()
    (task_row,) = queued_tasks(message)
    assert task_row.status == "READY"


def test_nothing_is_enqueued_when_the_transaction_rolls_back(django_capture_on_commit_callbacks) -> None:
    from django.db import transaction

    def failing_request() -> None:
        with transaction.atomic():
            notify()
            raise RuntimeError("the request failed")

    with django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(RuntimeError):
        failing_request()
    assert callbacks == []
    assert not OutboundMessage.unscoped.exists()
    assert not DBTaskResult.objects.filter(task_path=SEND_TASK).exists()


def test_a_second_identical_request_never_sends_twice(kasama: Municipality, django_capture_on_commit_callbacks) -> None:
    user = UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        first = services.notify(user, "account/password_changed", {}, municipality=kasama, idempotency_key="case:1")
        second = services.notify(user, "account/password_changed", {}, municipality=kasama, idempotency_key="case:1")
    assert first.pk == second.pk
    assert OutboundMessage.unscoped.count() == 1
    assert len(queued_tasks(first)) == 1
    # Even if its task runs twice, the message goes out once.
    assert tasks.deliver(first.pk) == "sent"
    assert tasks.deliver(first.pk) == "skipped: sent"
    assert len(mail.outbox) == 1


def test_idempotency_keys_belong_to_one_municipality(kasama: Municipality, mito: Municipality) -> None:
    user = UserFactory()
    in_kasama = services.notify(user, "account/password_changed", {}, municipality=kasama, idempotency_key="case:1")
    in_mito = services.notify(user, "account/password_changed", {}, municipality=mito, idempotency_key="case:1")
    assert in_kasama.pk != in_mito.pk


def test_a_key_reused_for_another_message_is_refused() -> None:
    user = UserFactory()
    services.notify(user, "account/password_changed", {}, idempotency_key="k")
    with pytest.raises(services.IdempotencyKeyReusedError):
        services.notify(user, "account/password_set", {}, idempotency_key="k")
    with pytest.raises(services.IdempotencyKeyReusedError):
        services.notify("other@example.jp", "account/password_changed", {}, idempotency_key="k")


def test_retries_with_backoff_until_the_channel_recovers(
    flaky: FlakyChannel, settings, django_capture_on_commit_callbacks
) -> None:
    settings.NOTIFICATION_RETRY_BASE_DELAY = 60
    flaky.failures = 2
    message = notify(channel="flaky")
    assert message.address.startswith("flaky:")

    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.deliver(message.pk) == "retry"
    message.refresh_from_db()
    assert message.status == MessageStatus.QUEUED
    assert message.attempts == 1
    assert message.last_error == "DeliveryError: failure 1 of 2"
    wait = (message.next_attempt_at - timezone.now()).total_seconds()
    assert 50 < wait < 70
    # The retry is a deferred task, due when the message is.
    (retry_task,) = queued_tasks(message)
    assert abs((retry_task.run_after - message.next_attempt_at).total_seconds()) < 1
    # A task that turns up early does nothing.
    assert tasks.deliver(message.pk) == "skipped: not due"

    make_due(message)
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.deliver(message.pk) == "retry"
    message.refresh_from_db()
    wait = (message.next_attempt_at - timezone.now()).total_seconds()
    assert message.attempts == 2
    assert 100 < wait < 140

    make_due(message)
    assert tasks.deliver(message.pk) == "sent"
    message.refresh_from_db()
    assert message.status == MessageStatus.SENT
    assert message.attempts == 3
    assert message.provider_reference == f"flaky-{message.uuid.hex}"
    assert message.next_attempt_at is None
    assert message.sent_at is not None
    assert [d.reference for d in flaky.delivered] == [message.uuid.hex]


def test_backoff_is_capped(settings) -> None:
    settings.NOTIFICATION_RETRY_BASE_DELAY = 60
    settings.NOTIFICATION_RETRY_MAX_DELAY = 600
    assert 54 <= tasks.backoff_delay(1).total_seconds() <= 66
    assert 216 <= tasks.backoff_delay(3).total_seconds() <= 264
    assert 540 <= tasks.backoff_delay(12).total_seconds() <= 660


def test_max_attempts_then_failed(flaky: FlakyChannel, settings, django_capture_on_commit_callbacks) -> None:
    settings.NOTIFICATION_MAX_ATTEMPTS = 3
    flaky.failures = 99
    message = notify(channel="flaky")
    outcomes = []
    for _attempt in range(3):
        make_due(message)
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            outcomes.append(tasks.deliver(message.pk))
    assert outcomes == ["retry", "retry", "failed"]
    assert callbacks == []  # the last failure enqueues nothing
    message.refresh_from_db()
    assert message.status == MessageStatus.FAILED
    assert message.attempts == 3
    assert message.next_attempt_at is None
    assert message.last_error == "DeliveryError: failure 3 of 99"
    assert tasks.deliver(message.pk) == "skipped: failed"
    assert flaky.calls == 3


def test_a_permanent_error_fails_at_once(flaky: FlakyChannel) -> None:
    from madoguchi.notifications.channels import PermanentDeliveryError

    flaky.failures, flaky.error = 1, PermanentDeliveryError
    message = notify(channel="flaky")
    assert tasks.deliver(message.pk) == "failed"
    message.refresh_from_db()
    assert message.status == MessageStatus.FAILED
    assert message.attempts == 1


def test_an_exception_mid_send_leaves_a_consistent_row(flaky: FlakyChannel) -> None:
    flaky.failures, flaky.error = 1, ZeroDivisionError
    message = notify(channel="flaky")
    assert tasks.deliver(message.pk) == "retry"
    message.refresh_from_db()
    assert message.status == MessageStatus.QUEUED
    assert message.attempts == 1
    assert message.sending_started_at is None
    assert message.last_error.startswith("ZeroDivisionError: failure 1")
    assert message.sent_at is None
    assert message.next_attempt_at > timezone.now()


def test_a_worker_stopped_mid_send_records_the_attempt_and_stops(flaky: FlakyChannel) -> None:
    flaky.failures, flaky.error = 1, KeyboardInterrupt
    message = notify(channel="flaky")
    with pytest.raises(KeyboardInterrupt):
        tasks.deliver(message.pk)
    message.refresh_from_db()
    assert message.status == MessageStatus.QUEUED
    assert message.attempts == 1
    assert message.last_error.startswith("KeyboardInterrupt")


def test_a_worker_killed_mid_send_is_settled_by_the_sweep(
    flaky: FlakyChannel, settings, django_capture_on_commit_callbacks
) -> None:
    settings.NOTIFICATION_SENDING_LEASE = 600
    message = notify(channel="flaky")
    claimed = tasks._claim(message.pk)  # the worker claimed it, then died (kill -9)
    assert isinstance(claimed, OutboundMessage)
    assert claimed.status == MessageStatus.SENDING

    assert services.sweep().settled == 0  # still within the lease: it may be sending
    started = timezone.now() - timedelta(seconds=601)
    OutboundMessage.unscoped.filter(pk=message.pk).update(sending_started_at=started)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.sweep().settled == 1
    message.refresh_from_db()
    assert message.status == MessageStatus.QUEUED
    assert message.attempts == 1
    assert message.last_error.startswith("interrupted")
    assert len(queued_tasks(message)) == 1  # the retry is scheduled
    make_due(message)
    assert tasks.deliver(message.pk) == "sent"


def test_the_sweep_requeues_a_message_whose_task_was_lost(settings) -> None:
    settings.NOTIFICATION_REQUEUE_GRACE = 300
    message = notify()  # its on-commit enqueue never ran: the queue was down
    assert queued_tasks(message) == []
    assert services.sweep().requeued == 0  # not overdue yet
    later = timezone.now() + timedelta(seconds=301)
    assert services.sweep(now=later).requeued == 1
    assert len(queued_tasks(message)) == 1
    assert services.sweep(now=later).requeued == 0  # not again while the worker catches up


def test_the_sweep_erases_old_secrets_of_failed_messages(settings) -> None:
    settings.NOTIFICATION_SECRET_TTL = 60
    message = services.notify(UserFactory(), "account/login_code", {}, secrets={"code": "123456"})
    OutboundMessage.unscoped.filter(pk=message.pk).update(status=MessageStatus.FAILED)
    assert services.sweep().secrets_erased == 0
    assert services.sweep(now=timezone.now() + timedelta(seconds=61)).secrets_erased == 1
    message.refresh_from_db()
    assert message.sealed_secrets == ""
    with pytest.raises(services.InvalidTransitionError):
        services.retry(message)


def test_cancel_stops_a_queued_message() -> None:
    message = notify()
    services.cancel(message)
    message.refresh_from_db()
    assert message.status == MessageStatus.CANCELLED
    assert tasks.deliver(message.pk) == "skipped: cancelled"
    assert mail.outbox == []
    with pytest.raises(services.InvalidTransitionError):
        services.cancel(message)


def test_retry_requeues_a_failed_message_and_copies_a_sent_one(flaky: FlakyChannel, settings) -> None:
    settings.NOTIFICATION_MAX_ATTEMPTS = 1
    flaky.failures = 1
    message = notify(channel="flaky")
    assert tasks.deliver(message.pk) == "failed"
    services.retry(message)
    message.refresh_from_db()
    assert message.status == MessageStatus.QUEUED
    assert message.attempts == 0
    assert tasks.deliver(message.pk) == "sent"

    message.refresh_from_db()
    copy = services.retry(message)
    assert copy.pk != message.pk
    assert copy.resent_from_id == message.pk
    assert copy.uuid != message.uuid
    assert (copy.subject, copy.body_text, copy.status) == (message.subject, message.body_text, MessageStatus.QUEUED)
    assert tasks.deliver(copy.pk) == "sent"
    assert len(flaky.delivered) == 2
    with pytest.raises(services.InvalidTransitionError):
        services.retry(notify(channel="flaky"))  # still queued


def test_a_sent_message_with_secrets_cannot_be_resent() -> None:
    message = services.notify(UserFactory(), "account/login_code", {}, secrets={"code": "123456"})
    tasks.deliver(message.pk)
    message.refresh_from_db()
    with translation.override("ja"), pytest.raises(services.InvalidTransitionError, match="再送できません"):
        services.retry(message)


def test_email_headers(kasama: Municipality) -> None:
    from madoguchi.core import services as core_services

    core_services.update_municipality(kasama, email="info@city.kasama.example")
    user = UserFactory(email="resident@example.jp", preferred_language="ja")
    message = services.notify(user, "account/password_changed", {}, municipality=kasama)
    assert tasks.deliver(message.pk) == "sent"
    (sent,) = mail.outbox
    message.refresh_from_db()
    assert sent.extra_headers["Message-ID"] == f"<{message.uuid.hex}@madoguchi.localhost>" == message.provider_reference
    assert sent.extra_headers["Auto-Submitted"] == "auto-generated"
    assert sent.extra_headers["Content-Language"] == "ja"
    rendered = sent.message().as_string()
    assert "List-Unsubscribe" not in rendered
    assert sent.to == ["resident@example.jp"]
    assert sent.reply_to == ["info@city.kasama.example"]
    assert str(make_header(decode_header(sent.from_email))) == "笠間市 <no-reply@madoguchi.localhost>"
    assert sent.subject == "【笠間市】パスワードの変更"


class RefusingBackend(BaseEmailBackend):
    """An SMTP server that refuses some recipients for good and is busy for others."""

    def send_messages(self, email_messages: Any) -> int:
        for message in email_messages:
            address = message.to[0]
            if address.endswith("@refused.example"):
                raise smtplib.SMTPRecipientsRefused({address: (550, b"5.1.1 no such user")})
            if address.endswith("@busy.example"):
                raise smtplib.SMTPRecipientsRefused({address: (451, b"4.3.0 try again later")})
        return len(email_messages)


@pytest.mark.parametrize(("address", "outcome"), [("x@refused.example", "failed"), ("x@busy.example", "retry")])
def test_smtp_refusals_are_permanent_or_temporary_by_their_code(settings, address: str, outcome: str) -> None:
    settings.EMAIL_BACKEND = f"{__name__}.RefusingBackend"
    message = services.notify(address, "account/unknown_account", {"signup_url": "https://example.jp/"})
    assert tasks.deliver(message.pk) == outcome
    message.refresh_from_db()
    assert "SMTPRecipientsRefused" in message.last_error
