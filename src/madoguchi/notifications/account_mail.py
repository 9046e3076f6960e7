"""allauth's e-mails (address verification, password reset, sign-in codes, security
notices) sent through the notification service.

`AccountAdapter.send_mail()` hands every account e-mail to `send_account_mail()`: it
maps allauth's template (`account/email/password_reset_key`) to a notification template
(`account/password_reset_key`), keeps only plain values of allauth's context, and passes
what unlocks an account (verification links, reset links, codes) as secrets, so that they
are sent but never stored readable. Account e-mails belong to the deployment, not to a
municipality (`municipality=None`).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from django.contrib.auth import get_user_model
from django.utils import translation

from . import rendering, services
from .models import OutboundMessage

logger = logging.getLogger(__name__)

#: Values of allauth's context that unlock something: sent, never stored readable.
SECRET_NAMES = frozenset({"activate_url", "code"})
#: Per template, further secret names (the reset link carries the reset key; the same
#: name in `account_already_exists` is the public "forgot your password" page).
SECRET_NAMES_BY_PREFIX = {"account/email/password_reset_key": frozenset({"password_reset_url"})}
#: Plain values worth keeping for the templates and for staff.
PLAIN_NAMES = frozenset(
    {"signup_url", "password_reset_url", "from_email", "to_email", "deleted_email", "ip", "user_agent", "timestamp"}
)


def template_key(template_prefix: str) -> str:
    """'account/email/password_reset_key' → 'account/password_reset_key'."""
    app, _sep, name = template_prefix.partition("/email/")
    return f"{app}/{name}" if name else template_prefix


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    return value if isinstance(value, str | int | float | bool) or value is None else str(value)


def split_context(template_prefix: str, context: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    """allauth's context → (plain JSON context, secrets)."""
    secret_names = SECRET_NAMES | SECRET_NAMES_BY_PREFIX.get(template_prefix, frozenset())
    plain: dict[str, Any] = {}
    secrets: dict[str, str] = {}
    for name, value in context.items():
        if value in (None, ""):
            continue
        if name in secret_names:
            secrets[name] = str(value)
        elif name in PLAIN_NAMES:
            plain[name] = _plain(value)
        elif name == "provider":
            plain["provider"] = str(getattr(value, "name", value))
    return plain, secrets


def _recipient(email: str, context: Mapping[str, Any]) -> Any:
    user = context.get("user")
    if isinstance(user, get_user_model()):
        return user
    return get_user_model()._default_manager.filter(email__iexact=email).first()


def send_account_mail(template_prefix: str, email: str, context: Mapping[str, Any]) -> OutboundMessage | None:
    """Queue an allauth e-mail; None when madoguchi has no template for it (allauth then
    sends its own, see the adapter)."""
    key = template_key(template_prefix)
    if not rendering.template_exists(key):
        logger.error("no notification template for allauth's %s: sent without the outbox", template_prefix)
        return None
    plain, secrets = split_context(template_prefix, context)
    user = _recipient(email, context)
    # Someone without an account gets the language of the page they used.
    language = None if user is not None else translation.get_language()
    message: OutboundMessage = services.notify(
        user if user is not None else email, key, plain, language=language, secrets=secrets, address=email
    )
    return message
