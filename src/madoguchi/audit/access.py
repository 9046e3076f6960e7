"""Reasons for opening a resident's personal data (個人情報の閲覧理由).

Before staff open a view that shows a resident's personal data, they state why; the
reason is kept in the session for that resident for a short while
(`PERSONAL_DATA_REASON_TTL`) and written into every audit entry of that access.

A view either uses the `reason_required` decorator or, when it must first check that the
person is one it may show at all, calls `reason_redirect()` itself::

    key = subject_key_for(person)
    if (redirect := reason_redirect(request, key)) is not None:
        return redirect
    audit.record(action=audit.Action.VIEW, obj=person, subject=person, personal_data=True, request=request)
"""

from __future__ import annotations

import functools
import re
import time
from collections.abc import Callable
from typing import Any, TypeVar
from urllib.parse import urlencode

from django.conf import settings
from django.db import models
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

SESSION_KEY = "madoguchi_access_reasons"
DETAIL_MAX_LENGTH = 500
# "<app_label>.<model_name>:<primary key>"
KEY_RE = re.compile(r"^[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*:[A-Za-z0-9_-]{1,64}$")


class Purpose(models.TextChoices):
    INQUIRY = "inquiry", _("本人からの問い合わせ・申請への対応")
    CASEWORK = "casework", _("担当業務の処理")
    CORRECTION = "correction", _("登録内容の訂正")
    INVESTIGATION = "investigation", _("調査・監査")
    OTHER = "other", _("その他")


def subject_key(subject_type: str, subject_id: Any) -> str:
    return f"{subject_type}:{subject_id}"


def subject_key_for(obj: models.Model) -> str:
    return subject_key(f"{obj._meta.app_label}.{obj._meta.model_name}", obj.pk)


def is_valid_key(key: str) -> bool:
    return bool(KEY_RE.match(key or ""))


def give_reason(request: HttpRequest, key: str, purpose: str, detail: str) -> str:
    """Keep the reason for this subject in the session; returns the text recorded."""
    if not is_valid_key(key):
        raise ValueError(f"not a subject key: {key!r}")
    reasons: dict[str, dict[str, Any]] = request.session.get(SESSION_KEY, {})
    now = time.time()
    reasons = {k: v for k, v in reasons.items() if v.get("expires", 0) > now}
    label = dict(Purpose.choices).get(purpose, purpose)
    detail = " ".join(detail.split())[:DETAIL_MAX_LENGTH]
    text = f"{label}: {detail}" if detail else str(label)
    reasons[key] = {"reason": text, "purpose": purpose, "expires": now + settings.PERSONAL_DATA_REASON_TTL}
    request.session[SESSION_KEY] = reasons
    return text


def reason_for_key(request: HttpRequest, key: str) -> str | None:
    entry = request.session.get(SESSION_KEY, {}).get(key)
    if entry and entry.get("expires", 0) > time.time():
        return str(entry["reason"])
    return None


def current_reason(request: HttpRequest, obj: models.Model | None) -> str | None:
    return reason_for_key(request, subject_key_for(obj)) if obj is not None else None


def reason_url(key: str, next_url: str) -> str:
    return f"{reverse('audit_access_reason')}?{urlencode({'key': key, 'next': next_url})}"


def reason_redirect(request: HttpRequest, key: str) -> HttpResponse | None:
    """A redirect to the reason screen when no reason for `key` is held, else None."""
    if reason_for_key(request, key) is not None:
        return None
    return redirect(reason_url(key, request.get_full_path()))


V = TypeVar("V", bound=Callable[..., HttpResponse])


def reason_required(key_from_kwargs: Callable[..., str]) -> Callable[[V], V]:
    """Views that show a resident's personal data: ask for a reason first.

    `key_from_kwargs(**view_kwargs)` names the resident (see `subject_key`).
    """

    def decorator(view: V) -> V:
        @functools.wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            response = reason_redirect(request, key_from_kwargs(**kwargs))
            if response is not None:
                return response
            return view(request, *args, **kwargs)

        return wrapped  # type: ignore[return-value]

    return decorator
