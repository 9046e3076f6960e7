"""The outbox in the staff console: tenant isolation, permissions, audit, export."""

from __future__ import annotations

import pytest
from django.test import Client

from madoguchi.accounts.models import Role, User
from madoguchi.audit.models import AuditEntry
from madoguchi.core.models import Municipality
from madoguchi.notifications import services, tasks
from madoguchi.notifications.models import MessageStatus, OutboundMessage
from madoguchi.notifications.rendering import PLACEHOLDER_RE
from madoguchi.testing.factories import UserFactory, enrol_totp, make_staff
from madoguchi.testing.tenancy import TenantIsolation, TenantPair

pytestmark = pytest.mark.django_db

INDEX = "/staff/outbox/"


def inspect_url(message: OutboundMessage) -> str:
    return f"/staff/outbox/inspect/{message.pk}/"


def sign_in(client: Client, user: User) -> None:
    client.force_login(user, backend="allauth.account.auth_backends.AuthenticationBackend")
    session = client.session
    session["account_authentication_methods"] = [{"method": "password"}, {"method": "mfa", "type": "totp"}]
    session.save()


def message_for(municipality: Municipality | None, email: str, **kwargs: object) -> OutboundMessage:
    user = UserFactory(email=email, preferred_language="ja")
    return services.notify(user, kwargs.pop("key", "account/password_changed"), {}, municipality=municipality, **kwargs)  # type: ignore[arg-type]


def test_the_outbox_is_isolated_between_municipalities(client: Client, two_municipalities: TenantPair) -> None:
    home, other = two_municipalities.home, two_municipalities.other
    ours = message_for(home.municipality, "ours@example.jp")
    theirs = message_for(other.municipality, "theirs-resident@example.jp")
    account = message_for(None, "account-only@example.jp", key="account/password_set")
    iso = TenantIsolation(client, two_municipalities)

    iso.assert_page_excludes(INDEX, as_user=home.staff, markers=["th…@example.jp", "パスワードの設定", "【水戸市】"])
    body = client.get(INDEX).content.decode()
    assert "ou…@example.jp" in body
    assert "【笠間市】パスワードの変更" in body
    iso.assert_page_excludes(f"{INDEX}?q=theirs", as_user=home.staff, markers=["th…@example.jp"])
    export = client.get(INDEX, {"export": "csv"})
    csv_text = b"".join(export.streaming_content).decode()
    assert "ours@example.jp" in csv_text
    assert "theirs-resident" not in csv_text
    assert "account-only" not in csv_text
    for message in (theirs, account):
        for url in (inspect_url(message), f"/staff/outbox/resend/{message.pk}/", f"/staff/outbox/cancel/{message.pk}/"):
            iso.assert_unreachable(url, obj=message, as_user=home.staff)
    assert client.get(inspect_url(ours)).status_code == 200


@pytest.mark.parametrize(
    ("roles", "can_view"),
    [((Role.OFFICER,), True), ((Role.MUNICIPAL_ADMIN,), True), ((Role.AUDITOR,), True), ((Role.COUNTER_CLERK,), False)],
)
def test_who_may_read_the_outbox(client: Client, kasama: Municipality, roles: tuple[str, ...], can_view: bool) -> None:
    message = message_for(kasama, "r@example.jp")
    sign_in(client, make_staff(kasama, *roles))
    for url in (INDEX, inspect_url(message)):
        response = client.get(url)
        if can_view:
            assert response.status_code == 200
        else:  # Wagtail turns the refusal into a redirect to the console's home with a message
            assert response.status_code in (302, 403)
            assert response.get("Location", "/staff/") == "/staff/"


def test_residents_do_not_reach_the_console(client: Client, kasama: Municipality) -> None:
    message = message_for(kasama, "r@example.jp")
    client.force_login(UserFactory())
    assert client.get(inspect_url(message)).status_code in (302, 403)


def test_reading_a_message_is_audited_and_secrets_stay_masked(client: Client, kasama: Municipality) -> None:
    user = UserFactory(email="code@example.jp")
    message = services.notify(user, "account/login_code", {}, municipality=kasama, secrets={"code": "739154"})
    staff = make_staff(kasama, Role.OFFICER)
    sign_in(client, staff)

    response = client.get(inspect_url(message))
    body = response.content.decode()
    assert response.status_code == 200
    assert "739154" not in body
    assert not PLACEHOLDER_RE.search(body)
    assert "本人だけが使える情報のため表示しません" in body
    assert "code@example.jp" in body  # the full address, in the detail only
    entry = AuditEntry.objects.get(action="view", object_type="notifications.outboundmessage")
    assert entry.personal_data
    assert entry.subject_id == user.pk
    assert entry.actor_id == staff.pk
    assert entry.municipality_id == kasama.pk
    assert entry.object_id == str(message.pk)


def test_filters_search_and_csv_export(client: Client, kasama: Municipality) -> None:
    failed = message_for(kasama, "failed@example.jp")
    OutboundMessage.unscoped.filter(pk=failed.pk).update(status=MessageStatus.FAILED, attempts=5)
    sent = message_for(kasama, "sent@example.jp", key="account/password_set")
    tasks.deliver(sent.pk)
    sign_in(client, make_staff(kasama, Role.MUNICIPAL_ADMIN))

    by_status = client.get(INDEX, {"status": "failed"}).content.decode()
    assert "fa…@example.jp" in by_status
    assert "se…@example.jp" not in by_status
    by_template = client.get(INDEX, {"template_key": "account/password_set"}).content.decode()
    assert "se…@example.jp" in by_template
    assert "fa…@example.jp" not in by_template
    by_search = client.get(INDEX, {"q": "failed@example"}).content.decode()
    assert "fa…@example.jp" in by_search
    assert "se…@example.jp" not in by_search
    by_date = client.get(INDEX, {"created_at_from": "2000-01-01", "created_at_to": "2000-01-02"}).content.decode()
    assert "fa…@example.jp" not in by_date

    response = client.get(INDEX, {"export": "csv", "status": "failed"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    csv_text = b"".join(response.streaming_content).decode()
    header, *rows = csv_text.strip().splitlines()
    assert "宛先" in header
    assert "状態" in header
    assert len(rows) == 1
    assert "failed@example.jp" in rows[0]
    export = AuditEntry.objects.get(action="export")
    assert export.personal_data
    assert export.extra["count"] == 1
    assert export.municipality_id == kasama.pk


def test_resend_and_cancel_from_the_console(client: Client, kasama: Municipality) -> None:
    queued = message_for(kasama, "q@example.jp")
    sign_in(client, make_staff(kasama, Role.OFFICER))

    response = client.post(f"/staff/outbox/cancel/{queued.pk}/")
    assert response.status_code == 302
    assert response["Location"] == inspect_url(queued)
    queued.refresh_from_db()
    assert queued.status == MessageStatus.CANCELLED

    response = client.post(f"/staff/outbox/resend/{queued.pk}/")
    queued.refresh_from_db()
    assert queued.status == MessageStatus.QUEUED
    assert AuditEntry.objects.filter(action="send", object_id=str(queued.pk)).exists()

    # Refused transitions say why and change nothing.
    response = client.post(f"/staff/outbox/resend/{queued.pk}/", follow=True)
    assert "このメッセージは送信待ちまたは送信中です。" in response.content.decode()
    assert client.get(f"/staff/outbox/resend/{queued.pk}/").status_code == 405


def test_auditors_read_but_do_not_resend(client: Client, kasama: Municipality) -> None:
    message = message_for(kasama, "a@example.jp")
    services.cancel(message)
    sign_in(client, make_staff(kasama, Role.AUDITOR))
    body = client.get(inspect_url(message)).content.decode()
    assert "再送する" not in body
    assert client.post(f"/staff/outbox/resend/{message.pk}/").status_code in (302, 403)
    message.refresh_from_db()
    assert message.status == MessageStatus.CANCELLED


def test_the_operator_sees_the_account_mails(client: Client, kasama: Municipality) -> None:
    account = message_for(None, "account-only@example.jp")
    operator = User.objects.create_superuser(email="operator@example.jp", password="x-long-password-1")
    enrol_totp(operator)
    sign_in(client, operator)
    assert "ac…@example.jp" in client.get(INDEX).content.decode()
    assert client.get(inspect_url(account)).status_code == 200


def test_the_permission_policy_names_the_staff_who_may_read(two_municipalities: TenantPair) -> None:
    from madoguchi.notifications.views import outbox_policy

    clerk = make_staff(two_municipalities.home.municipality, Role.COUNTER_CLERK)
    readers = set(outbox_policy.users_with_any_permission(["view"]))
    assert two_municipalities.home.staff in readers
    assert two_municipalities.other.staff in readers
    assert clerk not in readers
    assert two_municipalities.home.resident not in readers
    assert outbox_policy.user_has_permission(two_municipalities.home.staff, "view")
    assert not outbox_policy.user_has_permission(two_municipalities.home.staff, "change")
    assert not outbox_policy.user_has_permission(two_municipalities.home.staff, "delete")
