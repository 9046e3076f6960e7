"""The send task on real task backends: django-tasks-db's worker and an RQ worker
against Redis, each run in the test process."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import transaction
from django_tasks_db.models import DBTaskResult

from madoguchi.notifications import services
from madoguchi.notifications.models import MessageStatus, OutboundMessage
from madoguchi.testing.factories import UserFactory

from .conftest import FlakyChannel

SEND_TASK = "madoguchi.notifications.tasks.send_message"

# The database worker works in its own transactions, as it does in production.
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _autocommit_connection() -> None:
    """These tests need the connection as a worker has it: in autocommit mode. A test
    elsewhere that breaks the database mid-request can leave the shared connection in
    manual transaction mode; give it back its autocommit then."""
    from django.db import connection

    if connection.connection is not None and not connection.in_atomic_block and not connection.get_autocommit():
        connection.rollback()
        connection.set_autocommit(True)


def run_db_worker_batch() -> None:
    call_command("db_worker", batch=True, startup_delay=False, reload=False, interval=0, verbosity=0)


def test_the_database_worker_sends_the_queue(restore_signals: None) -> None:
    users = [UserFactory(preferred_language=lang) for lang in ("ja", "en")]
    with transaction.atomic():
        messages = [services.notify(u, "account/password_changed", {}) for u in users]
    assert DBTaskResult.objects.filter(task_path=SEND_TASK, status="READY").count() == 2

    run_db_worker_batch()

    assert {m.subject for m in mail.outbox} == {"【madoguchi】パスワードの変更", "[madoguchi] Change of password"}
    for message in messages:
        message.refresh_from_db()
        assert message.status == MessageStatus.SENT
        assert message.attempts == 1
    assert set(DBTaskResult.objects.filter(task_path=SEND_TASK).values_list("status", flat=True)) == {"SUCCESSFUL"}


def test_the_database_worker_retries(flaky: FlakyChannel, settings, restore_signals: None) -> None:
    settings.NOTIFICATION_RETRY_BASE_DELAY = 0  # the retry is due at once, so one batch sees it
    flaky.failures = 1
    message = services.notify(UserFactory(), "account/password_changed", {}, channel="flaky")

    run_db_worker_batch()

    message.refresh_from_db()
    assert message.status == MessageStatus.SENT
    assert message.attempts == 2
    assert message.last_error == "DeliveryError: failure 1 of 1"
    assert DBTaskResult.objects.filter(task_path=SEND_TASK, status="SUCCESSFUL").count() == 2


def test_the_database_worker_leaves_a_deferred_retry_for_later(
    flaky: FlakyChannel, settings, restore_signals: None
) -> None:
    settings.NOTIFICATION_RETRY_BASE_DELAY = 3600
    flaky.failures = 1
    message = services.notify(UserFactory(), "account/password_changed", {}, channel="flaky")

    run_db_worker_batch()

    message.refresh_from_db()
    assert message.status == MessageStatus.QUEUED
    assert message.attempts == 1
    deferred = DBTaskResult.objects.get(task_path=SEND_TASK, status="READY")
    assert abs((deferred.run_after - message.next_attempt_at).total_seconds()) < 1


REDIS_URL = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0"


@pytest.fixture
def rq_backend(settings) -> Iterator[str]:
    """The RQ backend on a queue of this test's own (other tests may share the Redis)."""
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.RedisError as exc:
        if os.environ.get("CI") == "true":
            pytest.fail(f"Redis is not reachable at {REDIS_URL}, and CI needs it: {exc}")
        pytest.skip(f"Redis is not reachable at {REDIS_URL}")
    queue = f"notifications-test-{uuid.uuid4().hex[:12]}"
    settings.RQ_QUEUES = {queue: {"URL": REDIS_URL, "DEFAULT_TIMEOUT": 60}}
    settings.RQ = {"JOB_CLASS": "django_tasks_rq.Job"}
    settings.TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": [queue]}}
    settings.NOTIFICATION_QUEUE = queue
    yield queue
    import django_rq

    connection = django_rq.get_connection(queue)
    for key in connection.scan_iter(match=f"*{queue}*"):
        connection.delete(key)


def run_rq_burst(queue: str) -> None:
    import django_rq

    worker = django_rq.get_worker(queue, worker_class="rq.worker.SimpleWorker")
    worker.work(burst=True)


def test_the_rq_worker_sends_the_queue(rq_backend: str, flaky: FlakyChannel, settings, restore_signals: None) -> None:
    import django_rq

    settings.NOTIFICATION_RETRY_BASE_DELAY = 0
    flaky.failures = 1
    user = UserFactory(preferred_language="en")
    with transaction.atomic():
        by_mail = services.notify(user, "account/password_changed", {})
        by_flaky = services.notify(user, "account/password_changed", {}, channel="flaky")
    assert django_rq.get_queue(rq_backend).count == 2

    run_rq_burst(rq_backend)

    by_mail.refresh_from_db()
    by_flaky.refresh_from_db()
    assert by_mail.status == by_flaky.status == MessageStatus.SENT
    assert by_flaky.attempts == 2  # failed once; the retry went through Redis too
    assert [m.subject for m in mail.outbox] == ["[madoguchi] Change of password"]
    assert django_rq.get_queue(rq_backend).count == 0


def test_the_rq_backend_defers_retries_with_the_scheduler(
    rq_backend: str, flaky: FlakyChannel, settings, restore_signals: None
) -> None:
    import django_rq
    from rq.registry import ScheduledJobRegistry

    settings.NOTIFICATION_RETRY_BASE_DELAY = 3600
    flaky.failures = 1
    message = services.notify(UserFactory(), "account/password_changed", {}, channel="flaky")

    run_rq_burst(rq_backend)

    message.refresh_from_db()
    assert message.status == MessageStatus.QUEUED
    assert message.attempts == 1
    registry = ScheduledJobRegistry(queue=django_rq.get_queue(rq_backend))
    (job_id,) = registry.get_job_ids()
    scheduled = registry.get_scheduled_time(job_id)
    assert abs((scheduled - message.next_attempt_at).total_seconds()) < 1
    assert OutboundMessage.unscoped.count() == 1
