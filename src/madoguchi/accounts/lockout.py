"""Lock-out after repeated sign-in failures, with a message that says when to retry.

The counting is allauth's `login_failed` rate limit (`ACCOUNT_RATE_LIMITS`): every
failed password for an e-mail address, and every wrong second-factor code of an account,
uses up one attempt per account (key) and per client address (ip); once either is used
up, sign-in is refused for the rest of the window, even with the right password. The
counts live in the cache — the database cache by default, Redis when REDIS_URL is set —
so every app server sees the same ones.

This module reads those counts to tell the person when the window ends, and records the
lock-out in the audit log once per window.
"""

from __future__ import annotations

import hashlib
import math
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils import timezone
from django.utils.formats import time_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

ACTION = "login_failed"
SCOPE_ACCOUNT = "account"
SCOPE_ADDRESS = "address"


@dataclass(frozen=True)
class LockOut:
    """Sign-in is refused until `until` because of failures per account or per address."""

    until: datetime
    scope: str

    @property
    def minutes_left(self) -> int:
        return max(1, math.ceil((self.until - timezone.now()).total_seconds() / 60))


def current_lockout(request: HttpRequest, key: str) -> LockOut | None:
    """The lock-out in force for this key (the account) or this client's address."""
    from allauth.core.internal import ratelimit

    now = time.time()
    found: LockOut | None = None
    for rate in ratelimit.get_rates(app="allauth.account", action=ACTION):
        cache_key = ratelimit.get_cache_key(request, app="allauth.account", action=ACTION, rate=rate, key=key)
        live = [ts for ts in cache.get(cache_key, []) if ts > now - rate.duration]
        if len(live) < rate.amount:
            continue
        # The window frees an attempt when its oldest failure ages out.
        until = datetime.fromtimestamp(min(live) + rate.duration, tz=UTC)
        scope = SCOPE_ADDRESS if rate.per == "ip" else SCOPE_ACCOUNT
        if found is None or until > found.until:
            found = LockOut(until=until, scope=scope)
    return found


def lockout_message(lockout: LockOut | None) -> str:
    if lockout is None:
        return _(
            "サインインの失敗が続いたため、サインインを一時的に停止しています。しばらくしてからもう一度お試しください。"
        )
    params: dict[str, Any] = {
        "time": time_format(timezone.localtime(lockout.until), "H:i"),
        "minutes": lockout.minutes_left,
    }
    if lockout.scope == SCOPE_ADDRESS:
        return (
            ngettext(
                "この接続元からのサインインの失敗が続いたため、サインインを一時的に停止しています。"
                "%(time)s（約%(minutes)d分後）以降にもう一度お試しください。",
                "この接続元からのサインインの失敗が続いたため、サインインを一時的に停止しています。"
                "%(time)s（約%(minutes)d分後）以降にもう一度お試しください。",
                lockout.minutes_left,
            )
            % params
        )
    return (
        ngettext(
            "サインインの失敗が続いたため、このアカウントへのサインインを一時的に停止しています。"
            "%(time)s（約%(minutes)d分後）以降にもう一度お試しください。",
            "サインインの失敗が続いたため、このアカウントへのサインインを一時的に停止しています。"
            "%(time)s（約%(minutes)d分後）以降にもう一度お試しください。",
            lockout.minutes_left,
        )
        % params
    )


def refuse(
    request: HttpRequest, *, key: str, user: Any = None, email: str = "", stage: str = "password"
) -> ValidationError:
    """The error to show for a locked-out sign-in; the first refusal of each lock-out
    window is also written to the audit log (one entry, however often it is retried)."""
    lockout = current_lockout(request, key)
    _record(request, lockout=lockout, key=key, user=user, email=email, stage=stage)
    return ValidationError(lockout_message(lockout), code="too_many_login_attempts")


def _record(request: HttpRequest, *, lockout: LockOut | None, key: str, user: Any, email: str, stage: str) -> None:
    from madoguchi.audit import services as audit

    until = lockout.until if lockout is not None else None
    scope = lockout.scope if lockout is not None else SCOPE_ACCOUNT
    subject = key if scope == SCOPE_ACCOUNT else (request.META.get("REMOTE_ADDR") or "")
    marker = hashlib.sha256(f"{scope}:{subject}:{until.timestamp() if until else ''}".encode()).hexdigest()
    timeout = max(60, int((until - timezone.now()).total_seconds()) + 60) if until else 15 * 60
    if not cache.add(f"madoguchi:lockout-recorded:{marker}", True, timeout=timeout):
        return
    profile = getattr(user, "staff_profile_or_none", None) if user is not None else None
    audit.record(
        action=audit.Action.LOCKED_OUT,
        obj=user,
        subject=user,
        request=request,
        municipality=profile.municipality if profile is not None else None,
        extra={
            "email": email or getattr(user, "email", ""),
            "scope": scope,
            "stage": stage,
            "until": until.isoformat() if until else "",
        },
    )
