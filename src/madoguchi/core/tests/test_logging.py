"""Structured logs: one JSON access record per request, under the request's id."""

from __future__ import annotations

import io
import json
import logging
import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.utils.module_loading import import_string

from madoguchi.accounts.models import Role
from madoguchi.core.logging import RequestIdFilter
from madoguchi.core.models import Municipality
from madoguchi.testing.factories import UserFactory, make_staff

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[4]


@pytest.fixture
def log_lines() -> Iterator[io.StringIO]:
    """What the configured JSON formatter writes, for the access log and Django's own."""
    config = dict(settings.LOGGING["formatters"]["json"])
    formatter = import_string(config.pop("()"))(**config)
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(formatter)
    handler.addFilter(RequestIdFilter())
    loggers = [logging.getLogger("madoguchi.access"), logging.getLogger("django.request")]
    levels = [lg.level for lg in loggers]
    for lg in loggers:
        lg.addHandler(handler)
        lg.setLevel(logging.INFO)
    yield stream
    for lg, level in zip(loggers, levels, strict=True):
        lg.removeHandler(handler)
        lg.setLevel(level)


def records(stream: io.StringIO) -> list[dict]:
    return [json.loads(line) for line in stream.getvalue().splitlines() if line.strip()]


def test_a_request_writes_one_json_access_record_with_its_request_id(
    client: Client, kasama: Municipality, log_lines: io.StringIO
) -> None:
    response = client.get("/kasama/?q=個人の検索語", HTTP_X_REQUEST_ID="req-kasama-0001")
    assert response.status_code == 200
    assert response["X-Request-ID"] == "req-kasama-0001"
    [access] = [r for r in records(log_lines) if r["logger"] == "madoguchi.access"]
    assert access["request_id"] == "req-kasama-0001"
    assert access["level"] == "INFO"
    assert access["method"] == "GET"
    assert access["path"] == "/kasama/"
    assert access["status"] == 200
    assert access["municipality"] == "kasama"
    assert access["user_id"] is None
    assert access["duration_ms"] > 0
    assert datetime.fromisoformat(access["time"]).utcoffset() is not None
    assert access["message"].startswith("GET /kasama/ 200 ")
    # The query string (searches can hold personal data) is not logged.
    assert "検索語" not in log_lines.getvalue()


def test_records_are_readable_japanese_and_share_the_request_id(
    client: Client, kasama: Municipality, log_lines: io.StringIO
) -> None:
    client.get("/kasama/お知らせ/", HTTP_X_REQUEST_ID="req-404")
    [line] = [line for line in log_lines.getvalue().splitlines() if '"madoguchi.access"' in line]
    assert '"path": "/kasama/お知らせ/"' in line
    assert "\\u" not in line
    by_logger = {r["logger"]: r for r in records(log_lines)}
    assert by_logger["madoguchi.access"]["status"] == 404
    # Django's own record of the 404 carries the same id.
    assert by_logger["django.request"]["request_id"] == "req-404"


def test_an_unusable_request_id_is_replaced(client: Client, log_lines: io.StringIO) -> None:
    response = client.get("/healthz", HTTP_X_REQUEST_ID="bad id\nwith newline")
    assert len(response["X-Request-ID"]) == 32
    assert "\n" not in response["X-Request-ID"]


def test_access_record_names_the_user_of_a_session_and_of_a_token(
    client: Client, kasama: Municipality, log_lines: io.StringIO
) -> None:
    from madoguchi.api import services

    staff = make_staff(kasama, Role.OFFICER)
    _token, raw = services.issue_token(municipality=kasama, user=staff, name="ログ確認")
    client.get("/api/v1/kasama/me/", HTTP_AUTHORIZATION=f"Bearer {raw}")
    resident = UserFactory()
    client.force_login(resident, backend="allauth.account.auth_backends.AuthenticationBackend")
    client.get("/kasama/")
    users = [r["user_id"] for r in records(log_lines) if r["logger"] == "madoguchi.access"]
    assert users == [staff.pk, resident.pk]


def test_health_checks_are_logged_only_when_they_fail(client: Client, log_lines: io.StringIO) -> None:
    client.get("/healthz")
    assert not [r for r in records(log_lines) if r["logger"] == "madoguchi.access"]


def _log_in_subprocess(log_format: str | None) -> str:
    env = {k: v for k, v in os.environ.items() if k not in ("LOG_FORMAT", "LOG_LEVEL")}
    env.update({"DJANGO_SETTINGS_MODULE": "madoguchi.settings", "PYTHONPATH": str(ROOT / "src"), "LOG_LEVEL": "INFO"})
    if log_format:
        env["LOG_FORMAT"] = log_format
    code = (
        "import django, logging; django.setup(); "
        "logging.getLogger('madoguchi.example').warning('笠間市の%s', 'お知らせ', extra={'municipality': 'kasama'})"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True, timeout=120, check=True
    )
    [line] = [line for line in result.stderr.splitlines() if "madoguchi.example" in line]
    return line


def test_log_format_json_by_default_and_text_for_people() -> None:
    record = json.loads(_log_in_subprocess(None))
    assert record["message"] == "笠間市のお知らせ"
    assert record["level"] == "WARNING"
    assert record["logger"] == "madoguchi.example"
    assert record["municipality"] == "kasama"
    assert record["request_id"] == "-"
    text = _log_in_subprocess("text")
    assert text.endswith("WARNING madoguchi.example [-] 笠間市のお知らせ")
