"""Sign-in events in the audit log."""

from __future__ import annotations

import pytest
from allauth.mfa import signals as mfa_signals
from allauth.mfa.models import Authenticator
from django.contrib.auth.models import AnonymousUser
from django.contrib.sessions.backends.db import SessionStore
from django.test import Client, RequestFactory

from madoguchi.accounts.models import Role, User
from madoguchi.audit.models import Action, AuditEntry
from madoguchi.audit.services import DEPLOYMENT_CHAIN
from madoguchi.core.models import Municipality
from madoguchi.testing.factories import DEFAULT_PASSWORD, UserFactory, make_staff

pytestmark = pytest.mark.django_db


def entries(action: str) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(action=action).order_by("sequence"))


def test_a_failed_sign_in_keeps_the_address_tried_and_never_the_password(client: Client, kasama: Municipality) -> None:
    staff = make_staff(kasama, Role.OFFICER, email="officer@example.jp")
    response = client.post("/accounts/login/", {"login": "Officer@example.jp", "password": "wrong-password-123"})
    assert response.status_code == 200
    failed = entries(Action.LOGIN_FAILED)
    assert len(failed) == 1
    entry = failed[0]
    assert entry.chain == kasama.code  # a staff account: the municipality's auditors see it
    assert entry.extra["email"].lower() == "officer@example.jp"
    assert entry.extra["stage"] == "password"
    assert (entry.object_type, entry.object_id) == ("accounts.user", str(staff.pk))
    assert entry.actor_id is None
    assert entry.ip_address == "127.0.0.1"
    for stored in AuditEntry.objects.all():
        assert "wrong-password-123" not in str(stored.extra) + stored.reason + stored.object_repr


def test_a_failed_sign_in_with_an_unknown_address_goes_to_the_deployment_chain(client: Client) -> None:
    client.post("/accounts/login/", {"login": "nobody@example.jp", "password": "whatever-it-is"})
    (entry,) = entries(Action.LOGIN_FAILED)
    assert entry.chain == DEPLOYMENT_CHAIN
    assert entry.extra == {"email": "nobody@example.jp", "stage": "password"}
    assert entry.object_type == ""


def test_sign_in_and_sign_out_are_recorded(client: Client) -> None:
    resident = UserFactory()
    response = client.post("/accounts/login/", {"login": resident.email, "password": DEFAULT_PASSWORD})
    assert response.status_code == 302
    (login,) = entries(Action.LOGIN)
    assert (login.actor_id, login.chain) == (resident.pk, DEPLOYMENT_CHAIN)
    client.post("/accounts/logout/")
    (logout,) = entries(Action.LOGOUT)
    assert logout.actor_id == resident.pk


def test_a_staff_sign_in_goes_to_the_municipality_chain(kasama: Municipality, rf: RequestFactory) -> None:
    from django.contrib.auth.signals import user_logged_in

    staff = make_staff(kasama, Role.COUNTER_CLERK)
    request = rf.get("/", REMOTE_ADDR="192.0.2.10", HTTP_USER_AGENT="Kiosk/1.0")
    user_logged_in.send(sender=User, request=request, user=staff)
    (login,) = entries(Action.LOGIN)
    assert (login.chain, login.actor_id, login.ip_address, login.user_agent) == (
        kasama.code,
        staff.pk,
        "192.0.2.10",
        "Kiosk/1.0",
    )


def test_second_factor_events_are_recorded(kasama: Municipality, rf: RequestFactory) -> None:
    staff = make_staff(kasama, Role.OFFICER)
    totp = Authenticator.objects.get(user=staff, type=Authenticator.Type.TOTP)
    request = rf.post("/accounts/2fa/")
    request.user = staff
    request.session = SessionStore()
    mfa_signals.authenticator_added.send(sender=Authenticator, request=request, user=staff, authenticator=totp)
    mfa_signals.authenticator_removed.send(sender=Authenticator, request=request, user=staff, authenticator=totp)
    # A wrong code at sign-in: the password was right, but nobody is signed in yet.
    signing_in = rf.post("/accounts/2fa/authenticate/")
    signing_in.user = AnonymousUser()
    mfa_signals.authentication_failed.send(sender=Authenticator, request=signing_in, user=staff, authenticator=totp)
    removed = AuditEntry.objects.get(action=Action.DELETE, object_type="mfa.authenticator")
    assert (removed.chain, removed.actor_id, removed.extra) == (kasama.code, staff.pk, {"type": "totp"})
    (failed,) = entries(Action.LOGIN_FAILED)
    assert failed.extra["stage"] == "second_factor"
    assert failed.extra["type"] == "totp"
    assert failed.actor_id is None
    assert AuditEntry.objects.filter(action=Action.CREATE, object_type="mfa.authenticator", actor_id=staff.pk).exists()


def test_a_password_change_is_recorded_without_the_password(rf: RequestFactory) -> None:
    from allauth.account import signals as account_signals

    resident = UserFactory()
    request = rf.post("/accounts/password/change/")
    request.user = resident
    account_signals.password_changed.send(sender=User, request=request, user=resident)
    entry = AuditEntry.objects.get(action=Action.UPDATE, object_type="accounts.user")
    assert entry.fields == ["password"]
    assert entry.extra == {"event": "password_changed"}
