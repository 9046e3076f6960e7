"""Liveness and readiness for load balancers and orchestrators.

`/healthz` checks what requests need — the database, the cache, the task queue and the
file storage — and answers 503 naming the checks that failed; `/readyz` says whether
this app server may take traffic: the database answers and every migration is applied
(a server started from new code before `migrate` ran is not ready).

Both answer JSON without any secret: a failing check gives its exception's class name,
the details go to the log. Neither runs in the request's transaction, so that a database
that is down gives a 503 from the check, not a 500 from opening the transaction.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache

logger = logging.getLogger(__name__)

Check = Callable[[], dict[str, Any]]


def check_database() -> dict[str, Any]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return {"vendor": connection.vendor}


def check_cache() -> dict[str, Any]:
    key = f"madoguchi:healthz:{uuid.uuid4().hex}"
    cache.set(key, "ok", 30)
    try:
        if cache.get(key) != "ok":
            raise OSError("the cache did not return what was stored")
    finally:
        cache.delete(key)
    return {"backend": settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1]}


def check_task_queue() -> dict[str, Any]:
    """The queue the worker reads: reachable, and how much work waits in it."""
    backend = str(settings.TASKS["default"]["BACKEND"])
    if backend.startswith("django_tasks_rq"):
        import redis
        from rq import Queue

        url = settings.RQ_QUEUES["default"]["URL"]
        conn = redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2)
        conn.ping()
        return {"backend": "rq", "queued": Queue("default", connection=conn).count}
    if backend.startswith("django_tasks_db"):
        from django_tasks_db.models import DBTaskResult

        ready = DBTaskResult.objects.ready()
        oldest = ready.order_by("enqueued_at").values_list("enqueued_at", flat=True).first()
        return {
            "backend": "database",
            "queued": ready.count(),
            # A queue whose oldest task keeps ageing has no worker taking from it.
            "oldest_queued_seconds": round((timezone.now() - oldest).total_seconds()) if oldest else None,
        }
    return {"backend": backend.rsplit(".", 1)[-1]}


def check_storage() -> dict[str, Any]:
    """Write, read back and delete a small file where uploads go."""
    name = default_storage.save(f"healthz/{uuid.uuid4().hex}.txt", ContentFile(b"ok"))
    try:
        with default_storage.open(name) as fh:
            if fh.read() != b"ok":
                raise OSError("the storage returned other content than was written")
    finally:
        default_storage.delete(name)
    return {"backend": type(default_storage._wrapped).__name__}  # type: ignore[attr-defined]


_migrations_applied = False


def check_migrations() -> dict[str, Any]:
    # Once applied, migrations stay applied for the life of this process: check until then.
    global _migrations_applied
    if not _migrations_applied:
        executor = MigrationExecutor(connection)
        plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
        if plan:
            raise RuntimeError(f"{len(plan)} migrations are not applied")
        _migrations_applied = True
    return {}


def run_checks(checks: dict[str, Check]) -> tuple[bool, dict[str, Any]]:
    results: dict[str, Any] = {}
    failed: list[str] = []
    for name, check in checks.items():
        started = time.perf_counter()
        try:
            detail = check()
        except Exception as exc:
            failed.append(name)
            logger.exception("health check %s failed", name, extra={"check": name})
            results[name] = {"status": "error", "error": type(exc).__name__}
            if name == "database":
                # A broken connection is not reused by the next check or request.
                connection.close_if_unusable_or_obsolete()
        else:
            results[name] = {"status": "ok", **detail, "ms": round((time.perf_counter() - started) * 1000, 1)}
    body: dict[str, Any] = {"status": "error" if failed else "ok", "checks": results}
    if failed:
        body["failed"] = failed
    return not failed, body


def _respond(checks: dict[str, Check]) -> JsonResponse:
    healthy, body = run_checks(checks)
    return JsonResponse(body, status=200 if healthy else 503)


@never_cache
@transaction.non_atomic_requests
def healthz(request: HttpRequest) -> JsonResponse:
    return _respond(
        {"database": check_database, "cache": check_cache, "task_queue": check_task_queue, "storage": check_storage}
    )


@never_cache
@transaction.non_atomic_requests
def readyz(request: HttpRequest) -> JsonResponse:
    return _respond({"database": check_database, "migrations": check_migrations})
