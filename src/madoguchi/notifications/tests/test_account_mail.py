"""allauth's e-mails go through the outbox, in the recipient's language."""

from __future__ import annotations

import re
from pathlib import Path

import allauth
import pytest
from django.core import mail
from django.test import Client

from madoguchi.notifications import account_mail, rendering, tasks
from madoguchi.notifications.models import MessageStatus, OutboundMessage
from madoguchi.testing.factories import DEFAULT_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def deliver_all() -> None:
    for pk in OutboundMessage.unscoped.filter(status=MessageStatus.QUEUED).values_list("pk", flat=True):
        assert tasks.deliver(pk) == "sent"


def test_every_allauth_email_has_a_notification_template() -> None:
    templates = Path(allauth.__file__).parent / "templates"
    prefixes = sorted(
        str(p.relative_to(templates)).removesuffix("_subject.txt") for p in templates.glob("*/email/*_subject.txt")
    )
    assert "account/email/password_reset_key" in prefixes
    missing = [p for p in prefixes if not rendering.template_exists(account_mail.template_key(p))]
    assert missing == []


def test_signup_verification_mail_is_in_the_outbox_and_sent(client: Client, django_capture_on_commit_callbacks) -> None:
    data = {
        "kind": "resident",
        "family_name": "笠間",
        "given_name": "花子",
        "email": "hanako@example.jp",
        "password1": DEFAULT_PASSWORD,
        "password2": DEFAULT_PASSWORD,
        "preferred_language": "ja",
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/accounts/signup/", data)
    assert response.status_code == 302, response.content.decode()[:2000]

    message = OutboundMessage.unscoped.get(template_key="account/email_confirmation_signup")
    assert message.municipality is None
    assert message.address == "hanako@example.jp"
    assert message.recipient is not None
    assert message.recipient.email == "hanako@example.jp"
    assert message.language == "ja"
    assert message.subject == "【madoguchi】メールアドレスの確認"
    assert "/accounts/confirm-email/" not in message.body_text  # the key link is a secret
    assert "本人だけが使える情報のため表示しません" in rendering.mask(message.body_text)

    deliver_all()
    (sent,) = mail.outbox
    assert sent.to == ["hanako@example.jp"]
    assert sent.subject == message.subject
    link = re.search(r"http://testserver(/accounts/confirm-email/\S+/)", sent.body)
    assert link is not None, sent.body
    # The link works: it confirms the address.
    from allauth.account.models import EmailAddress

    client.post(link.group(1))
    assert EmailAddress.objects.get(email="hanako@example.jp").verified


def test_password_reset_mail_in_the_users_language_with_a_working_link(client: Client) -> None:
    user = UserFactory(email="anna@example.jp", preferred_language="en")
    response = client.post("/accounts/password/reset/", {"email": "anna@example.jp"})
    assert response.status_code == 302

    message = OutboundMessage.unscoped.get(template_key="account/password_reset_key")
    assert message.recipient == user
    assert message.language == "en"
    assert message.subject == "[madoguchi] Password reset"
    assert message.context == {}
    assert "/accounts/password/reset/key/" not in message.body_text + message.body_html

    deliver_all()
    (sent,) = mail.outbox
    path = re.search(r"http://testserver(/accounts/password/reset/key/\S+/)", sent.body).group(1)
    follow = client.get(path, follow=True)
    assert follow.status_code == 200
    assert b'name="password1"' in follow.content


def test_unknown_address_gets_the_page_language(client: Client) -> None:
    response = client.post("/en/accounts/password/reset/", {"email": "nobody@example.jp"})
    assert response.status_code == 302
    message = OutboundMessage.unscoped.get(template_key="account/unknown_account")
    assert message.recipient is None
    assert message.language == "en"
    assert "http://testserver/en/accounts/signup/" in message.body_text  # not a secret: kept readable


def test_split_context_keeps_plain_values_and_secrets_apart() -> None:
    from datetime import UTC, datetime

    plain, secrets = account_mail.split_context(
        "account/email/password_reset_key",
        {
            "user": object(),
            "request": object(),
            "password_reset_url": "https://x/key/",
            "uid": "1",
            "key": "abc",
            "timestamp": datetime(2025, 4, 1, tzinfo=UTC),
            "ip": "192.0.2.1",
        },
    )
    assert secrets == {"password_reset_url": "https://x/key/"}
    assert plain == {"timestamp": "2025-04-01T00:00:00+00:00", "ip": "192.0.2.1"}
    plain, secrets = account_mail.split_context(
        "account/email/account_already_exists", {"password_reset_url": "https://x/r/"}
    )
    assert plain == {"password_reset_url": "https://x/r/"}
    assert secrets == {}
