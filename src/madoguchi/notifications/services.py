"""The notification service: the only way modules send notifications and change the outbox.

    from madoguchi.notifications import services as notifications

    notifications.notify(
        application.applicant, "procedures/application_received",
        {"procedure": procedure.name_ja, "number": application.number, "url": url},
        municipality=application.municipality,
        idempotency_key=f"procedures:application:{application.pk}:received",
    )

`notify()` renders the templates `notifications/<key>/` in the recipient's language,
stores the message in the outbox and enqueues its send task when the caller's
transaction commits (nothing is sent for a request that is rolled back). Sending, retries
and failures are the worker's business (`tasks.py`).
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from madoguchi.audit import services as audit
from madoguchi.core.models import Municipality

from . import channels, conf, rendering, sealing, tasks
from .models import MessageStatus, OutboundMessage

if TYPE_CHECKING:
    from madoguchi.accounts.models import User

logger = logging.getLogger(__name__)

__all__ = [
    "IdempotencyKeyReusedError",
    "NotificationError",
    "cancel",
    "notify",
    "record_read",
    "retry",
    "staff_messages",
    "sweep",
]

# Context names that smell of a secret: such values go in `secrets=`, never in the
# stored context.
_SECRET_NAME_RE = re.compile(r"(password|passwd|token|secret|otp)|^(key|code|activate_url|password_reset_url)$")


class NotificationError(ValueError):
    """A request to the service that cannot be carried out; the message is for staff."""


class IdempotencyKeyReusedError(NotificationError):
    """The idempotency key was used before for another recipient or template."""


def _language_for(recipient: User | None, language: str | None) -> str:
    available = {code for code, _name in settings.LANGUAGES}
    for candidate in (language, getattr(recipient, "preferred_language", None), settings.LANGUAGE_CODE):
        if candidate and candidate[:2] in available:
            return candidate[:2]
    return settings.LANGUAGE_CODE


def _json_context(context: Mapping[str, Any]) -> dict[str, Any]:
    for name in context:
        if _SECRET_NAME_RE.search(str(name)):
            raise NotificationError(f"context value {name!r} looks like a secret: pass it in secrets=")
    try:
        return dict(json.loads(json.dumps(dict(context), cls=DjangoJSONEncoder)))
    except TypeError as exc:
        raise NotificationError(f"the context must be JSON: {exc}") from exc


def _sender(municipality: Municipality | None) -> dict[str, str]:
    if municipality is None:
        return {"name": str(getattr(settings, "WAGTAIL_SITE_NAME", "madoguchi")), "url": settings.SITE_URL}
    return {
        "name": municipality.name,
        "url": settings.SITE_URL.rstrip("/")
        + ("/en" if translation.get_language() == "en" else "")
        + f"/{municipality.slug}/",
        "phone": municipality.phone,
        "email": municipality.email,
        "address": municipality.address,
    }


def _recipient_name(recipient: User | None) -> str:
    if recipient is None:
        return ""
    return recipient.get_full_name() or recipient.display_name


@dataclass(frozen=True)
class _Rendered:
    subject: str
    body_text: str
    body_html: str


def _render(
    key: str,
    context: dict[str, Any],
    secret_placeholders: dict[str, str],
    *,
    recipient: User | None,
    address: str,
    municipality: Municipality | None,
    language: str,
) -> _Rendered:
    with translation.override(language):
        sender = _sender(municipality)
        template_context = {
            **context,
            **secret_placeholders,
            "recipient": {"name": _recipient_name(recipient), "address": address},
            "sender": sender,
            "site_url": settings.SITE_URL,
            "language": language,
        }
        content = rendering.render(key, template_context)
        subject = str(_("【%(sender)s】%(subject)s") % {"sender": sender["name"], "subject": content.subject})
    return _Rendered(subject=subject[:255], body_text=content.body_text, body_html=content.body_html)


def _scoped_key(idempotency_key: str | None, municipality: Municipality | None) -> str | None:
    if not idempotency_key:
        return None
    # Keys are per municipality: one municipality's key can never find (and so reveal or
    # suppress) another's message.
    scope = municipality.code if municipality is not None else "deployment"
    return f"{scope}:{idempotency_key}"[:255]


def _existing(key: str, *, template_key: str, address: str) -> OutboundMessage:
    message: OutboundMessage = OutboundMessage.unscoped.get(idempotency_key=key)
    if message.template_key != template_key or message.address != address:
        raise IdempotencyKeyReusedError(f"idempotency key {key!r} was used for another message")
    return message


def notify(
    recipient: User | str,
    template_key: str,
    context: Mapping[str, Any] | None = None,
    *,
    municipality: Municipality | None = None,
    language: str | None = None,
    idempotency_key: str | None = None,
    secrets: Mapping[str, str] | None = None,
    channel: str = "email",
    address: str | None = None,
) -> OutboundMessage:
    """Render, store and (on commit) enqueue one notification.

    `recipient` is an account or, for someone without one, an address on the channel;
    `address` sends to another address of the account (e.g. the old one after a change).
    `context` is JSON and is kept for staff; `secrets` (links with keys, codes) are
    rendered into what is sent but masked in what is kept. The language is `language`,
    else the recipient's preferred language, else Japanese. A second call with the same
    `idempotency_key` (in the same municipality) returns the first message and sends
    nothing. Raises NotificationError for an unknown template, channel or address.
    """
    provider = channels.get(channel)
    user: User | None = recipient if isinstance(recipient, get_user_model()) else None  # type: ignore[assignment]
    if address:
        address = address.strip()
    elif user is not None:
        address = provider.address_for(user) or ""
    else:
        address = str(recipient).strip()
    if not address:
        raise NotificationError(f"the recipient has no address for channel {channel!r}")
    try:
        provider.validate_address(address)
    except ValidationError as exc:
        raise NotificationError(f"invalid address for channel {channel!r}") from exc
    if not rendering.template_exists(template_key):
        raise NotificationError(f"no notification template {template_key!r}")
    scoped_key = _scoped_key(idempotency_key, municipality)
    if scoped_key and OutboundMessage.unscoped.filter(idempotency_key=scoped_key).exists():
        return _existing(scoped_key, template_key=template_key, address=address)

    stored_context = _json_context(context or {})
    lang = _language_for(user, language)
    secret_values = {str(k): str(v) for k, v in (secrets or {}).items()}
    marker = rendering.new_marker()
    secret_placeholders = rendering.placeholders(marker, list(secret_values))
    rendered = _render(
        template_key,
        stored_context,
        secret_placeholders,
        recipient=user,
        address=address,
        municipality=municipality,
        language=lang,
    )
    message = OutboundMessage(
        municipality=municipality,
        recipient=user,
        address=address,
        language=lang,
        template_key=template_key,
        context=stored_context,
        subject=rendered.subject,
        body_text=rendered.body_text,
        body_html=rendered.body_html,
        channel=channel,
        status=MessageStatus.QUEUED,
        next_attempt_at=timezone.now(),
        idempotency_key=scoped_key,
        sealed_secrets=sealing.seal(marker, secret_values) if secret_values else "",
    )
    try:
        with transaction.atomic():
            message.save(force_insert=True)
    except IntegrityError:
        # The same request, at the same moment, in another process: it won.
        if scoped_key and OutboundMessage.unscoped.filter(idempotency_key=scoped_key).exists():
            return _existing(scoped_key, template_key=template_key, address=address)
        raise
    tasks.enqueue_on_commit(message.pk)
    return message


class InvalidTransitionError(NotificationError):
    """The message is not in a state that allows this."""


@transaction.atomic
def retry(message: OutboundMessage, *, actor: Any = None, request: HttpRequest | None = None) -> OutboundMessage:
    """Send a message again (staff's 再送).

    A failed or cancelled message goes back to the queue with a fresh count of attempts.
    A sent message is copied into a new message (`resent_from` points to the original),
    so that the record of the first delivery stays as it was. A message whose secrets
    (a reset link, a code) are gone cannot be sent again: the resident asks anew.
    """
    locked: OutboundMessage = OutboundMessage.unscoped.select_for_update().get(pk=message.pk)
    if locked.status in (MessageStatus.QUEUED, MessageStatus.SENDING):
        raise InvalidTransitionError(str(_("このメッセージは送信待ちまたは送信中です。")))
    if locked.has_secrets:
        try:
            sealing.unseal(locked.sealed_secrets)
        except sealing.SecretsUnavailableError:
            raise InvalidTransitionError(
                str(
                    _(
                        "本人だけが使えるリンクやコードを含むメッセージのため、再送できません。本人に手続きをやり直してもらってください。"
                    )
                )
            ) from None
    now = timezone.now()
    if locked.status == MessageStatus.SENT:
        target = OutboundMessage(
            municipality=locked.municipality,
            recipient=locked.recipient,
            address=locked.address,
            language=locked.language,
            template_key=locked.template_key,
            context=locked.context,
            subject=locked.subject,
            body_text=locked.body_text,
            body_html=locked.body_html,
            channel=locked.channel,
            status=MessageStatus.QUEUED,
            next_attempt_at=now,
            sealed_secrets=locked.sealed_secrets,
            resent_from=locked,
        )
        target.save(force_insert=True)
    else:
        target = locked
        target.status = MessageStatus.QUEUED
        target.attempts = 0
        target.next_attempt_at = now
        target.save(update_fields=["status", "attempts", "next_attempt_at", "updated_at"])
    audit.record(
        action=audit.Action.SEND,
        obj=target,
        request=request,
        actor=actor,
        municipality=locked.municipality,
        fields=["status"],
        extra={"retry_of": locked.pk},
    )
    tasks.enqueue_on_commit(target.pk)
    return target


@transaction.atomic
def cancel(message: OutboundMessage, *, actor: Any = None, request: HttpRequest | None = None) -> OutboundMessage:
    """Stop a queued (or failed) message from being sent (staff's 取消し)."""
    locked: OutboundMessage = OutboundMessage.unscoped.select_for_update().get(pk=message.pk)
    if locked.status not in (MessageStatus.QUEUED, MessageStatus.FAILED):
        raise InvalidTransitionError(str(_("送信待ちまたは送信失敗のメッセージだけを取り消せます。")))
    locked.status = MessageStatus.CANCELLED
    locked.next_attempt_at = None
    locked.sealed_secrets = ""
    locked.save(update_fields=["status", "next_attempt_at", "sealed_secrets", "updated_at"])
    audit.record(
        action=audit.Action.UPDATE,
        obj=locked,
        request=request,
        actor=actor,
        municipality=locked.municipality,
        fields=["status"],
    )
    return locked


def staff_messages(municipality: Municipality | None) -> Any:
    """The outbox as staff of `municipality` may see it; None is the deployment's
    operator, who sees every municipality's messages and the account e-mails."""
    if municipality is None:
        return OutboundMessage.unscoped.all()
    return OutboundMessage.unscoped.filter(municipality=municipality)


def record_read(message: OutboundMessage, request: HttpRequest, *, what: str = "detail") -> None:
    """Audit that staff read a message: its address and body are the recipient's
    personal data."""
    audit.record(
        action=audit.Action.VIEW,
        obj=message,
        personal_data=True,
        subject=message.recipient,
        request=request,
        municipality=message.municipality,
        fields=["address", "subject", "body_text", "body_html"],
        extra={"view": what},
    )


@dataclass
class SweepResult:
    settled: int = 0
    requeued: int = 0
    secrets_erased: int = 0


def sweep(now: Any = None) -> SweepResult:
    """Repair what crashes and lost tasks leave behind; safe to run at any time, from
    any number of processes (`manage.py notifications_sweep`).

    - a send that started longer ago than NOTIFICATION_SENDING_LEASE and never finished
      is counted as a failed attempt (and retried or failed);
    - a queued message due for longer than NOTIFICATION_REQUEUE_GRACE has lost its task
      (the queue was down when it was created, or the backend cannot defer): it is
      enqueued again, which is harmless if its task does still exist;
    - secrets of failed messages older than NOTIFICATION_SECRET_TTL are erased.
    """
    now = now or timezone.now()
    result = SweepResult()
    lease_cutoff = now - timedelta(seconds=conf.sending_lease())
    stalled = OutboundMessage.unscoped.filter(status=MessageStatus.SENDING, sending_started_at__lt=lease_cutoff)
    for pk in stalled.values_list("pk", flat=True):
        if tasks.settle_stalled(pk, lease_cutoff) in ("retry", "failed"):
            result.settled += 1
    grace_cutoff = now - timedelta(seconds=conf.requeue_grace())
    for pk in OutboundMessage.unscoped.due(grace_cutoff).values_list("pk", flat=True):
        # Moving the due time to now keeps the next sweep from enqueueing it yet again
        # while the worker catches up.
        if OutboundMessage.unscoped.due(grace_cutoff).filter(pk=pk).update(next_attempt_at=now) and tasks.enqueue_send(
            pk
        ):
            result.requeued += 1
    ttl_cutoff = now - timedelta(seconds=conf.secret_ttl())
    result.secrets_erased = (
        OutboundMessage.unscoped.filter(status=MessageStatus.FAILED, updated_at__lt=ttl_cutoff)
        .exclude(sealed_secrets="")
        .update(sealed_secrets="")
    )
    return result
