"""Liveness and readiness for load balancers and orchestrators.

`/healthz` checks what a request needs (database, task queue, storage) and answers 503
when one of them fails; `/readyz` says whether this app server may take traffic (the
database is reachable and every migration has been applied).
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache

logger = logging.getLogger(__name__)


def check_database() -> dict[str, object]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return {"vendor": connection.vendor}


def check_task_queue() -> dict[str, object]:
    backend = settings.TASKS["default"]["BACKEND"]
    if backend.startswith("django_tasks_rq"):
        import django_rq

        queue = django_rq.get_queue("default")
        queue.connection.ping()
        return {"backend": "rq", "queued": queue.count}
    if backend.startswith("django_tasks_db"):
        from django_tasks_db.models import DBTaskResult

        queued = DBTaskResult.objects.ready().count()
        return {"backend": "database", "queued": queued}
    return {"backend": backend.rsplit(".", 1)[-1]}


def check_storage() -> dict[str, object]:
    name = default_storage.save(f"healthz/{uuid.uuid4().hex}.txt", ContentFile(b"ok"))
    try:
        with default_storage.open(name) as fh:
            if fh.read() != b"ok":
                raise OSError("storage returned other content")
    finally:
        default_storage.delete(name)
    return {"backend": type(default_storage._wrapped).__name__}  # type: ignore[attr-defined]


def _run(checks: dict[str, Callable[[], dict[str, object]]]) -> JsonResponse:
    results: dict[str, object] = {}
    healthy = True
    for name, check in checks.items():
        started = time.perf_counter()
        try:
            detail = check()
            results[name] = {"status": "ok", **detail, "ms": round((time.perf_counter() - started) * 1000, 1)}
        except Exception as exc:  # noqa: BLE001 - any failure makes the check fail
            healthy = False
            logger.exception("health check %s failed", name)
            results[name] = {"status": "error", "error": type(exc).__name__}
    return JsonResponse({"status": "ok" if healthy else "error", "checks": results}, status=200 if healthy else 503)


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    return _run({"database": check_database, "task_queue": check_task_queue, "storage": check_storage})


def check_migrations() -> dict[str, object]:
    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if plan:
        raise RuntimeError(f"{len(plan)} migrations not applied")
    return {}


@never_cache
def readyz(request: HttpRequest) -> JsonResponse:
    return _run({"database": check_database, "migrations": check_migrations})
