"""Reasons for opening a resident's personal data (個人情報の閲覧理由).

Before staff open a view that shows a resident's personal data, they state why; the
reason is kept in the session for that resident for a short while
(`PERSONAL_DATA_REASON_TTL`) and written into every audit entry of that access.
"""

from __future__ import annotations

import functools
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


class Purpose(models.TextChoices):
    INQUIRY = "inquiry", _("本人からの問い合わせ・申請への対応")
    CASEWORK = "casework", _("担当業務の処理")
    CORRECTION = "correction", _("登録内容の訂正")
    INVESTIGATION = "investigation", _("調査・監査")
    OTHER = "other", _("その他")


def subject_key(subject_type: str, subject_id: Any) -> str:
    return f"{subject_type}:{subject_id}"


def _key_for(obj: models.Model | None) -> str | None:
    if obj is None:
        return None
    return subject_key(f"{obj._meta.app_label}.{obj._meta.model_name}", obj.pk)


def give_reason(request: HttpRequest, key: str, purpose: str, detail: str) -> str:
    reasons: dict[str, dict[str, Any]] = request.session.get(SESSION_KEY, {})
    now = time.time()
    reasons = {k: v for k, v in reasons.items() if v.get("expires", 0) > now}
    label = dict(Purpose.choices).get(purpose, purpose)
    text = f"{label}: {detail}".strip().rstrip(":")
    reasons[key] = {"reason": text, "expires": now + settings.PERSONAL_DATA_REASON_TTL}
    request.session[SESSION_KEY] = reasons
    return text


def reason_for_key(request: HttpRequest, key: str) -> str | None:
    entry = request.session.get(SESSION_KEY, {}).get(key)
    if entry and entry.get("expires", 0) > time.time():
        return str(entry["reason"])
    return None


def current_reason(request: HttpRequest, obj: models.Model | None) -> str | None:
    key = _key_for(obj)
    return reason_for_key(request, key) if key else None


V = TypeVar("V", bound=Callable[..., HttpResponse])


def reason_required(key_from_kwargs: Callable[..., str]) -> Callable[[V], V]:
    """Views that show a resident's personal data: ask for a reason first.

    `key_from_kwargs(**view_kwargs)` names the resident (see `subject_key`).
    """

    def decorator(view: V) -> V:
        @functools.wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            key = key_from_kwargs(**kwargs)
            if reason_for_key(request, key) is None:
                query = urlencode({"key": key, "next": request.get_full_path()})
                return redirect(f"{reverse('audit_access_reason')}?{query}")
            return view(request, *args, **kwargs)

        return wrapped  # type: ignore[return-value]

    return decorator
