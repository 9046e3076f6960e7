"""E-mail, through Django's e-mail backend (EMAIL_URL: SMTP in production, files in the
demo, memory in tests).

Transactional mail only: no List-Unsubscribe (these are messages a resident's own
action or case caused, not a mailing list). The headers say that the mail was generated
automatically, so that vacation responders stay quiet, and the Message-ID is the same on
every attempt of one message, so that a duplicate delivery after a worker crash can be
recognised.
"""

from __future__ import annotations

import smtplib
from email.utils import formataddr, parseaddr
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.core.validators import validate_email
from django.utils.translation import gettext_lazy as _

from . import Channel, Delivery, DeliveryError, PermanentDeliveryError, register

if TYPE_CHECKING:
    from madoguchi.accounts.models import User


def message_id_domain() -> str:
    _name, address = parseaddr(settings.DEFAULT_FROM_EMAIL)
    return address.rpartition("@")[2] or "madoguchi.localhost"


def _is_permanent(exc: smtplib.SMTPException) -> bool:
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _msg in exc.recipients.values()]
        return bool(codes) and all(500 <= int(code) < 600 for code in codes)
    if isinstance(exc, smtplib.SMTPResponseException):
        return 500 <= int(exc.smtp_code) < 600
    return False


class EmailChannel(Channel):
    name = "email"
    label = _("電子メール")

    def address_for(self, user: User) -> str | None:
        return user.email or None

    def validate_address(self, address: str) -> None:
        validate_email(address)

    def send(self, delivery: Delivery) -> str:
        message_id = f"<{delivery.reference}@{message_id_domain()}>"
        _name, from_address = parseaddr(settings.DEFAULT_FROM_EMAIL)
        from_email = (
            formataddr((delivery.sender_name, from_address)) if delivery.sender_name else settings.DEFAULT_FROM_EMAIL
        )
        headers = {
            "Message-ID": message_id,
            "Auto-Submitted": "auto-generated",  # RFC 3834: no automatic replies
            "X-Auto-Response-Suppress": "All",  # the same, for Exchange
            "Content-Language": delivery.language,
        }
        email = EmailMultiAlternatives(
            subject=delivery.subject,
            body=delivery.body_text,
            from_email=from_email,
            to=[delivery.address],
            reply_to=[delivery.reply_to] if delivery.reply_to else None,
            headers=headers,
        )
        if delivery.body_html:
            email.attach_alternative(delivery.body_html, "text/html")
        try:
            sent = email.send(fail_silently=False)
        except smtplib.SMTPException as exc:
            if _is_permanent(exc):
                raise PermanentDeliveryError(f"{type(exc).__name__}: {exc}") from exc
            raise
        if sent != 1:
            raise DeliveryError("the e-mail backend accepted no message")
        return message_id


register(EmailChannel())
