"""Production security settings: `check --deploy`, headers, cookies, the session timeout."""

from __future__ import annotations

import os
import re
import secrets
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from django.utils import timezone

from madoguchi.core.models import Municipality
from madoguchi.testing.factories import UserFactory

ROOT = Path(__file__).resolve().parents[4]


def production_environment(tmp_path: Path, **overrides: str) -> dict[str, str]:
    """The example production environment of deploy/madoguchi.env.example (what
    docs/operations.md tells an operator to set), with real secrets, and a local database
    and directories instead of the servers'."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "MADOGUCHI_", "SECURE_", "DATABASE_"))}
    for line in (ROOT / "deploy" / "madoguchi.env.example").read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            name, _, value = line.partition("=")
            env[name.strip()] = value.strip()
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "madoguchi.settings",
            "PYTHONPATH": str(ROOT / "src"),
            "MADOGUCHI_TESTING": "0",
            "MADOGUCHI_VAR_DIR": str(tmp_path),
            "STATIC_ROOT": str(tmp_path / "static"),
            "SECRET_KEY": secrets.token_urlsafe(64),
            "AUDIT_CHAIN_KEY": secrets.token_urlsafe(64),
            "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
            "LOG_LEVEL": "WARNING",
        }
    )
    env.update(overrides)
    return env


def deploy_check(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_production_settings_pass_check_deploy(tmp_path: Path) -> None:
    result = deploy_check(production_environment(tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_check_deploy_fails_on_a_weak_production_setting(tmp_path: Path) -> None:
    # The check above can fail: here with session cookies sent over plain HTTP.
    result = deploy_check(production_environment(tmp_path, SECURE_COOKIES="0"))
    assert result.returncode != 0
    assert "security.W012" in result.stdout + result.stderr


# --- Headers --------------------------------------------------------------------------


def assert_common_headers(response) -> None:
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    csp = response["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in csp
    assert "default-src 'self'" in csp
    assert "object-src 'none'" in csp
    assert "unsafe-inline" not in csp
    assert "unsafe-eval" not in csp


@pytest.mark.django_db
def test_page_headers_with_a_csp_nonce(client: Client, kasama: Municipality) -> None:
    response = client.get("/kasama/")
    assert response.status_code == 200
    assert_common_headers(response)
    csp = response["Content-Security-Policy"]
    nonce = re.search(r"'nonce-([^']+)'", csp).group(1)
    assert re.search(r"script-src 'self' 'nonce-", csp)
    assert re.search(r"style-src 'self' 'nonce-", csp)
    # The page's inline style carries this response's nonce, and a second response another.
    assert f'nonce="{nonce}"' in response.content.decode()
    assert nonce not in client.get("/kasama/")["Content-Security-Policy"]
    assert "Strict-Transport-Security" not in response  # not over plain HTTP, nor without the setting


@pytest.mark.django_db
def test_staff_console_relaxation_is_for_staff_console_only(client: Client, kasama: Municipality) -> None:
    relaxed = "style-src-elem 'self' 'unsafe-inline'"
    assert relaxed in client.get("/staff/")["Content-Security-Policy"]
    assert relaxed not in client.get("/kasama/")["Content-Security-Policy"]
    assert "style-src-elem" not in client.get("/api/v1/municipalities/")["Content-Security-Policy"]
    # Scripts stay strict on /staff/ too.
    assert "'unsafe-inline'" not in re.search(
        r"script-src[^;]*", client.get("/staff/")["Content-Security-Policy"]
    ).group(0)


@pytest.mark.django_db
def test_api_headers(client: Client, kasama: Municipality) -> None:
    response = client.get("/api/v1/municipalities/")
    assert response.status_code == 200
    assert_common_headers(response)


@pytest.mark.django_db
def test_hsts_when_configured_and_over_https(client: Client, settings, kasama: Municipality) -> None:
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    assert "Strict-Transport-Security" not in client.get("/kasama/")
    secure = client.get("/kasama/", secure=True)
    assert secure["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    assert client.get("/api/v1/municipalities/", secure=True)["Strict-Transport-Security"].startswith("max-age=")


@pytest.mark.django_db
def test_behind_the_proxy_https_is_taken_from_x_forwarded_proto(settings, kasama: Municipality) -> None:
    settings.BEHIND_PROXY = True
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.SECURE_SSL_REDIRECT = True
    client = Client()
    assert client.get("/kasama/").status_code == 301
    assert client.get("/kasama/", HTTP_X_FORWARDED_PROTO="https").status_code == 200


@pytest.mark.django_db
def test_client_address_behind_the_proxy(settings) -> None:
    settings.BEHIND_PROXY = True
    settings.TRUSTED_PROXY_COUNT = 1
    proxy = Client(REMOTE_ADDR="10.0.0.2")

    def client_address(forwarded_for: str) -> str:
        response = proxy.get("/healthz", HTTP_X_FORWARDED_FOR=forwarded_for)
        return str(response.wsgi_request.META["REMOTE_ADDR"])

    # What the client wrote itself (left) is not believed; what our proxy added is.
    assert client_address("1.2.3.4, 203.0.113.50") == "203.0.113.50"
    assert client_address("not-an-address") == "10.0.0.2"
    settings.TRUSTED_PROXY_COUNT = 2  # a load balancer in front of nginx
    proxy = Client(REMOTE_ADDR="10.0.0.2")
    assert client_address("1.2.3.4, 203.0.113.50, 10.0.0.1") == "203.0.113.50"
    assert client_address("203.0.113.50") == "10.0.0.2"  # fewer hops than proxies: keep the proxy's


@pytest.mark.django_db
def test_client_address_is_the_socket_peer_without_a_proxy(settings) -> None:
    assert settings.BEHIND_PROXY is False
    response = Client(REMOTE_ADDR="198.51.100.1").get("/healthz", HTTP_X_FORWARDED_FOR="203.0.113.50")
    assert response.wsgi_request.META["REMOTE_ADDR"] == "198.51.100.1"


# --- Cookies and sessions -------------------------------------------------------------


@pytest.mark.django_db
def test_session_cookie_is_secure_httponly_and_ends_with_the_browser(
    client: Client, settings, kasama: Municipality
) -> None:
    settings.SESSION_COOKIE_SECURE = True
    settings.CSRF_COOKIE_SECURE = True
    client.force_login(UserFactory(), backend="allauth.account.auth_backends.AuthenticationBackend")
    response = client.get("/kasama/", secure=True)
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["secure"] is True
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"
    assert cookie["max-age"] == ""
    assert cookie["expires"] == ""


@pytest.mark.django_db
def test_session_ends_after_the_idle_timeout(client: Client, settings, kasama: Municipality) -> None:
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    resident = UserFactory()
    client.force_login(resident, backend="allauth.account.auth_backends.AuthenticationBackend")
    key = client.session.session_key

    # Each request moves the end of the session to 30 minutes after it.
    Session.objects.filter(session_key=key).update(expire_date=timezone.now() + timedelta(minutes=5))
    assert client.get("/accounts/").status_code == 200
    expiry = Session.objects.get(session_key=key).expire_date
    assert timedelta(minutes=29) < expiry - timezone.now() <= timedelta(minutes=30)

    # 31 minutes without a request: the session is over and the account page asks to sign in.
    Session.objects.filter(session_key=key).update(expire_date=timezone.now() - timedelta(minutes=1))
    response = client.get("/accounts/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]
