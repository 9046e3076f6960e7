"""/healthz and /readyz: real checks, real failures (no check is mocked)."""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.db import connection
from django.test import Client
from django_tasks import task

from madoguchi.core import health

pytestmark = pytest.mark.django_db


@task()
def noop() -> None:
    """A task for the queue-depth check; never run here."""


def test_healthz_checks_database_cache_queue_and_storage(client: Client) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert "failed" not in body
    assert set(body["checks"]) == {"database", "cache", "task_queue", "storage"}
    assert all(check["status"] == "ok" for check in body["checks"].values())
    assert body["checks"]["database"]["vendor"] == connection.vendor
    assert body["checks"]["task_queue"]["backend"] == "database"
    assert body["checks"]["storage"]["backend"] == "FileSystemStorage"
    assert "no-cache" in response["Cache-Control"]


def test_healthz_reports_the_depth_of_the_database_queue(client: Client) -> None:
    before = client.get("/healthz").json()["checks"]["task_queue"]["queued"]
    noop.enqueue()
    noop.enqueue()
    queue = client.get("/healthz").json()["checks"]["task_queue"]
    assert queue["queued"] == before + 2
    assert queue["oldest_queued_seconds"] is not None


def test_unwritable_storage_fails_the_check_with_503(client: Client, settings, tmp_path: Path) -> None:
    # A directory that cannot be created: its parent is a file (fails for root too).
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("x")
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(blocker / "media")},
        },
    }
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "error"
    assert body["failed"] == ["storage"]
    assert body["checks"]["storage"] == {"status": "error", "error": "NotADirectoryError"}
    assert body["checks"]["database"]["status"] == "ok"
    # Nothing about the server's paths leaks into the answer.
    assert str(tmp_path) not in response.content.decode()


def test_unreachable_redis_fails_the_task_queue_check(client: Client, settings) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
    settings.RQ_QUEUES = {"default": {"URL": f"redis://127.0.0.1:{_free_port()}/0"}}
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["failed"] == ["task_queue"]
    assert body["checks"]["task_queue"]["error"] == "ConnectionError"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def redis_url(tmp_path: Path) -> Iterator[str]:
    """A throw-away redis-server, when one is installed."""
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.skip("redis-server is not installed")
    port = _free_port()
    process = subprocess.Popen(
        [
            binary,
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(tmp_path),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.05)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_reachable_redis_passes_with_the_queue_depth(client: Client, settings, redis_url: str) -> None:
    import redis
    from rq import Queue

    settings.TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
    settings.RQ_QUEUES = {"default": {"URL": redis_url}}
    Queue("default", connection=redis.Redis.from_url(redis_url)).enqueue("builtins.print", "x")
    response = client.get("/healthz")
    assert response.status_code == 200, response.json()
    assert response.json()["checks"]["task_queue"] == {
        "status": "ok",
        "backend": "rq",
        "queued": 1,
        "ms": response.json()["checks"]["task_queue"]["ms"],
    }


def test_readyz_checks_the_migrations(client: Client, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(health, "_migrations_applied", False)
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert set(ready.json()["checks"]) == {"database", "migrations"}

    # As on a server started from new code before `migrate` ran: one migration unrecorded.
    monkeypatch.setattr(health, "_migrations_applied", False)
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM django_migrations WHERE app = %s AND name = %s", ["api", "0002_initial"])
    not_ready = client.get("/readyz")
    assert not_ready.status_code == 503
    assert not_ready.json()["failed"] == ["migrations"]


def test_health_checks_are_not_redirected_to_https(client: Client, settings) -> None:
    settings.SECURE_SSL_REDIRECT = True
    assert client.get("/kasama/").status_code == 301
    assert client.get("/healthz").status_code == 200
    assert client.get("/readyz").status_code == 200
