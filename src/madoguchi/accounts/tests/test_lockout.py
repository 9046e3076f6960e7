"""Lock-out after repeated failures: per account and per client address, for the
password and for the second factor, with a message saying when to retry, and one
LOCKED_OUT entry in the audit log. The counts live in the cache: the database cache by
default and Redis when REDIS_URL is set; both are tested."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from madoguchi.accounts.lockout import current_lockout
from madoguchi.audit.models import Action, AuditEntry
from madoguchi.core.models import Municipality
from madoguchi.testing.factories import DEFAULT_PASSWORD, UserFactory, make_staff, totp_code

pytestmark = pytest.mark.django_db

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def _redis_reachable() -> bool:
    try:
        import redis

        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=0.5).ping()
    except Exception:  # noqa: BLE001 - any failure means "not here"
        return False
    return True


@pytest.fixture(params=["database", "redis"])
def rate_limit_cache(request: pytest.FixtureRequest, settings) -> Iterator[str]:
    """Run the test on the database cache and on Redis."""
    if request.param == "redis":
        if not _redis_reachable():
            pytest.skip(f"Redis is not reachable at {REDIS_URL}")
        settings.CACHES = {
            "default": {
                "BACKEND": "django.core.cache.backends.redis.RedisCache",
                "LOCATION": REDIS_URL,
                "KEY_PREFIX": f"madoguchi-test-{os.getpid()}",
            }
        }
    cache.clear()
    yield request.param
    cache.clear()


def login(client: Client, email: str, password: str, ip: str = "192.0.2.10"):
    return client.post("/accounts/login/", {"login": email, "password": password}, REMOTE_ADDR=ip)


def errors(response) -> str:
    return " ".join(response.context["form"].non_field_errors())


def test_five_failures_lock_the_account_even_for_the_right_password(client: Client, rate_limit_cache: str) -> None:
    user = UserFactory(email="taro@example.jp")
    for _ in range(5):
        response = login(client, "taro@example.jp", "wrong-password")
        assert response.status_code == 200
        assert "一時的に停止" not in errors(response)
    response = login(client, "taro@example.jp", DEFAULT_PASSWORD)
    assert response.status_code == 200
    message = errors(response)
    assert "このアカウントへのサインインを一時的に停止しています" in message
    # It says when to try again: about 15 minutes from now, in local time.
    retry_at = timezone.localtime(timezone.now() + timedelta(minutes=15))
    assert re.search(r"\d{2}:\d{2}（約1[45]分後）以降", message), message
    assert retry_at.strftime("%H:") in message or (retry_at - timedelta(minutes=1)).strftime("%H:") in message
    assert "_auth_user_id" not in client.session
    # One audit entry for the lock-out, however often it is retried.
    login(client, "taro@example.jp", DEFAULT_PASSWORD)
    entries = AuditEntry.objects.filter(action=Action.LOCKED_OUT)
    assert entries.count() == 1
    entry = entries.get()
    assert entry.object_id == str(user.pk)
    assert entry.extra["scope"] == "account"
    assert entry.extra["stage"] == "password"
    assert entry.ip_address == "192.0.2.10"
    # Another account from the same address is not locked.
    other = UserFactory(email="jiro@example.jp")
    response = login(client, other.email, DEFAULT_PASSWORD)
    assert response.status_code == 302


def test_the_message_is_in_english_on_english_pages(client: Client, rate_limit_cache: str) -> None:
    UserFactory(email="taro@example.jp")
    for _ in range(5):
        client.post("/en/accounts/login/", {"login": "taro@example.jp", "password": "wrong"})
    response = client.post("/en/accounts/login/", {"login": "taro@example.jp", "password": DEFAULT_PASSWORD})
    assert re.search(
        r"Sign-in to this account is paused .* try again after \d{2}:\d{2} \(in about 1[45] minutes\)", errors(response)
    )


def test_the_lock_out_ends_after_the_window(client: Client, rate_limit_cache: str, monkeypatch) -> None:
    import time as time_module

    UserFactory(email="taro@example.jp")
    for _ in range(5):
        login(client, "taro@example.jp", "wrong")
    assert login(client, "taro@example.jp", DEFAULT_PASSWORD).status_code == 200
    later = time_module.time() + 15 * 60 + 1
    monkeypatch.setattr(time_module, "time", lambda: later)
    assert login(client, "taro@example.jp", DEFAULT_PASSWORD).status_code == 302


def test_a_success_does_not_reset_the_count(client: Client, rate_limit_cache: str) -> None:
    """Interleaving the right password would otherwise let guessing go on for ever."""
    UserFactory(email="taro@example.jp")
    for _ in range(4):
        login(client, "taro@example.jp", "wrong")
    assert login(Client(), "taro@example.jp", DEFAULT_PASSWORD).status_code == 302
    login(client, "taro@example.jp", "wrong")
    assert "一時的に停止" in errors(login(client, "taro@example.jp", DEFAULT_PASSWORD))


def test_many_failures_from_one_address_lock_the_address(client: Client, rate_limit_cache: str, settings) -> None:
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "login_failed": "3/15m/ip,5/15m/key", "login": ""}
    victim = UserFactory(email="victim@example.jp")
    for n in range(3):
        login(client, f"guess{n}@example.jp", "wrong", ip="198.51.100.7")
    response = login(client, victim.email, DEFAULT_PASSWORD, ip="198.51.100.7")
    assert "この接続元からのサインイン" in errors(response)
    entry = AuditEntry.objects.get(action=Action.LOCKED_OUT)
    assert entry.extra["scope"] == "address"
    # The account itself is fine from elsewhere.
    assert login(Client(), victim.email, DEFAULT_PASSWORD, ip="203.0.113.1").status_code == 302


def test_wrong_second_factor_codes_lock_the_staff_account(
    client: Client, kasama: Municipality, rate_limit_cache: str
) -> None:
    staff = make_staff(kasama)
    wrong = f"{(int(totp_code()) + 1) % 1_000_000:06d}"
    login(client, staff.email, DEFAULT_PASSWORD)
    for _ in range(5):
        response = client.post("/accounts/2fa/authenticate/", {"code": wrong})
        assert response.status_code == 200
    response = client.post("/accounts/2fa/authenticate/", {"code": totp_code()})
    assert response.status_code == 200
    message = " ".join(response.context["form"].errors["code"])
    assert "このアカウントへのサインインを一時的に停止しています" in message
    assert client.get("/staff/").status_code == 302
    entry = AuditEntry.objects.get(action=Action.LOCKED_OUT)
    assert entry.extra["stage"] == "second_factor"
    assert entry.municipality_code == kasama.code


def test_current_lockout_reads_the_shared_counts(rate_limit_cache: str, rf) -> None:
    request = rf.post("/accounts/login/", REMOTE_ADDR="192.0.2.99")
    assert current_lockout(request, "example.jp:nobody") is None


def test_too_many_requests_get_a_translated_page(client: Client, rate_limit_cache: str, settings) -> None:
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "login": "2/m/ip"}
    for _ in range(2):
        login(client, "someone@example.jp", "wrong")
    response = login(client, "someone@example.jp", "wrong")
    assert response.status_code == 429
    assert "しばらくしてからお試しください" in response.content.decode()
    response = client.post(
        "/en/accounts/login/", {"login": "someone@example.jp", "password": "x"}, REMOTE_ADDR="192.0.2.10"
    )
    assert response.status_code == 429
    assert "Please try again in a moment" in response.content.decode()
