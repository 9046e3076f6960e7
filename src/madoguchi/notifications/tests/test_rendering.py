"""Rendering in the recipient's language, and what is (not) stored."""

from __future__ import annotations

import pytest
from django.core import mail

from madoguchi.core.models import Municipality
from madoguchi.notifications import rendering, services, tasks
from madoguchi.notifications.models import MessageStatus
from madoguchi.notifications.templatetags.notification_tags import local_datetime
from madoguchi.testing.factories import UserFactory

pytestmark = pytest.mark.django_db

CHANGE = {
    "from_email": "old@example.jp",
    "to_email": "new@example.jp",
    "ip": "192.0.2.1",
    "timestamp": "2025-04-01T00:30:00+00:00",
}


def test_japanese_recipient_gets_japanese(kasama: Municipality) -> None:
    user = UserFactory(family_name="山田", given_name="花子", preferred_language="ja")
    message = services.notify(user, "account/email_changed", CHANGE, municipality=kasama)
    assert message.language == "ja"
    assert message.subject == "【笠間市】メールアドレスの変更"
    assert message.body_text.startswith("山田 花子 様\n")
    assert "メールアドレスが old@example.jp から new@example.jp に変更されました。" in message.body_text
    assert "日時: 2025年4月1日9:30" in message.body_text  # Japan time
    assert message.body_text.rstrip().endswith("このメールは自動で送信しています。")
    assert message.status == MessageStatus.QUEUED
    assert message.municipality == kasama
    assert message.context == CHANGE


def test_english_recipient_gets_english(kasama: Municipality) -> None:
    user = UserFactory(family_name="Smith", given_name="Anna", preferred_language="en")
    message = services.notify(user, "account/email_changed", CHANGE, municipality=kasama)
    assert message.language == "en"
    assert message.subject == "[Kasama City] Change of e-mail address"
    assert message.body_text.startswith("Dear Smith Anna,\n")
    assert "Your e-mail address was changed from old@example.jp to new@example.jp." in message.body_text
    assert "Date: April 1, 2025, 9:30 a.m." in message.body_text
    assert "笠間" not in message.body_text
    assert "様" not in message.body_text


def test_explicit_language_wins_and_the_active_language_is_left_alone(kasama: Municipality) -> None:
    from django.utils import translation

    user = UserFactory(preferred_language="ja")
    with translation.override("ja"):
        message = services.notify(user, "account/password_changed", {}, municipality=kasama, language="en")
        assert translation.get_language() == "ja"
    assert message.language == "en"
    assert "Your password was changed." in message.body_text


def test_text_is_not_html_escaped_but_html_is() -> None:
    user = UserFactory(family_name="R&D <Lab>", given_name="", preferred_language="en")
    message = services.notify(user, "account/unknown_account", {"signup_url": "https://example.jp/s?a=1&b=2"})
    assert "R&D <Lab>" in message.body_text
    assert "https://example.jp/s?a=1&b=2" in message.body_text
    assert "R&amp;D &lt;Lab&gt;" in message.body_html
    assert 'href="https://example.jp/s?a=1&amp;b=2"' in message.body_html
    assert '<html lang="en">' in message.body_html
    assert message.subject == "[madoguchi] Account not found"


def test_secrets_are_sent_but_never_stored_readable() -> None:
    user = UserFactory(preferred_language="ja")
    link = "https://example.jp/accounts/password/reset/key/1-abc123secret/"
    message = services.notify(user, "account/password_reset_key", {}, secrets={"password_reset_url": link})
    for stored in (message.subject, message.body_text, message.body_html, message.sealed_secrets, str(message.context)):
        assert "abc123secret" not in stored
    assert message.has_secrets
    assert "本人だけが使える情報のため表示しません" in rendering.mask(message.body_text)
    assert "[[" not in rendering.mask(message.body_html)

    assert tasks.deliver(message.pk) == "sent"
    sent = mail.outbox[-1]
    assert link in sent.body
    html_body, mime = sent.alternatives[0]
    assert mime == "text/html"
    assert f'href="{link}"' in html_body
    message.refresh_from_db()
    assert message.status == MessageStatus.SENT
    assert message.sealed_secrets == ""


@pytest.mark.parametrize(
    ("recipient", "key", "context", "problem"),
    [
        ("someone@example.jp", "no/such_template", {}, "no notification template"),
        ("not an address", "account/password_changed", {}, "invalid address"),
        ("someone@example.jp", "../../etc/passwd", {}, "no notification template"),
        ("someone@example.jp", "account/password_changed", {"reset_token": "x"}, "looks like a secret"),
        ("someone@example.jp", "account/password_changed", {"code": "123456"}, "looks like a secret"),
        ("someone@example.jp", "account/password_changed", {"when": object()}, "must be JSON"),
    ],
)
def test_bad_requests_are_refused_and_store_nothing(recipient: str, key: str, context: dict, problem: str) -> None:
    from madoguchi.notifications.models import OutboundMessage

    with pytest.raises(services.NotificationError, match=problem):
        services.notify(recipient, key, context)
    assert not OutboundMessage.unscoped.exists()


def test_datetime_filter_follows_the_language() -> None:
    from django.utils import translation

    with translation.override("ja"):
        assert local_datetime("2025-12-31T15:00:00+00:00") == "2026年1月1日0:00"
    with translation.override("en"):
        assert local_datetime("2025-12-31T15:00:00+00:00") == "Jan. 1, 2026, midnight"
    assert local_datetime("") == ""
    assert local_datetime("not a date") == "not a date"


def test_a_module_can_add_its_own_template_key(settings, tmp_path) -> None:
    """Modules put `notifications/<key>/` in their own app's templates; any template
    directory on the search path works the same."""
    directory = tmp_path / "notifications" / "procedures" / "application_received"
    directory.mkdir(parents=True)
    (directory / "subject.txt").write_text("{% load i18n %}{% translate '申請を受け付けました' %}\n")
    (directory / "body.txt").write_text("受付番号 {{ number }}\n")
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [str(tmp_path)]}]
    message = services.notify(UserFactory(), "procedures/application_received", {"number": "R7-0001"})
    assert message.subject == "【madoguchi】申請を受け付けました"
    assert message.body_text == "受付番号 R7-0001\n"
    assert message.body_html == ""
