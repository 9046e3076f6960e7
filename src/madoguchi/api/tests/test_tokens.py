"""Issuing and revoking API tokens: services, management commands, the staff console."""

from __future__ import annotations

import re
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone

from madoguchi.accounts.models import Role
from madoguchi.api import services
from madoguchi.api.models import TOKEN_PREFIX, ApiToken, hash_token
from madoguchi.audit.models import AuditEntry
from madoguchi.core.models import Municipality
from madoguchi.testing.factories import UserFactory, make_staff

from .conftest import IssuedToken, sign_in_staff

pytestmark = pytest.mark.django_db


# --- Services -------------------------------------------------------------------------


def test_only_a_hash_is_stored_and_the_issue_is_audited(kasama: Municipality) -> None:
    admin = make_staff(kasama, Role.MUNICIPAL_ADMIN)
    user = make_staff(kasama, Role.OFFICER)
    token, raw = services.issue_token(municipality=kasama, user=user, name="GIS連携", actor=admin)
    assert raw.startswith(TOKEN_PREFIX)
    assert len(raw) > 40
    stored = ApiToken.unscoped.get(pk=token.pk)
    assert stored.key_hash == hash_token(raw)
    assert raw not in str(stored.__dict__)
    assert stored.key_prefix == raw[:10]
    entry = AuditEntry.objects.filter(object_type="api.apitoken", object_id=str(token.pk)).get()
    assert entry.action == "create"
    assert entry.actor_id == admin.pk
    assert entry.municipality_id == kasama.pk
    assert entry.extra["acts_for"] == user.email
    assert raw not in str(entry.extra)


def test_tokens_act_only_for_active_staff_of_the_same_municipality(kasama: Municipality, mito: Municipality) -> None:
    mito_staff = make_staff(mito, Role.OFFICER)
    resident = UserFactory()
    with pytest.raises(services.TokenError):
        services.issue_token(municipality=kasama, user=mito_staff, name="x")
    with pytest.raises(services.TokenError):
        services.issue_token(municipality=kasama, user=resident, name="x")
    officer = make_staff(kasama, Role.OFFICER)
    with pytest.raises(services.TokenError):
        services.issue_token(municipality=kasama, user=officer, name="   ")
    with pytest.raises(services.TokenError):
        services.issue_token(municipality=kasama, user=officer, name="x", expires_at=timezone.now() - timedelta(days=1))
    assert not ApiToken.unscoped.exists()


def test_revoking_twice_records_once(officer_token: IssuedToken) -> None:
    assert services.revoke_token(officer_token.token) is True
    assert services.revoke_token(officer_token.token) is False
    updates = AuditEntry.objects.filter(object_type="api.apitoken", action="update")
    assert updates.count() == 1


# --- Management commands --------------------------------------------------------------


def test_issue_command_prints_the_token_once_and_it_works(client: Client, kasama: Municipality) -> None:
    make_staff(kasama, Role.OFFICER, email="renkei@city.kasama.example")
    out, err = StringIO(), StringIO()
    call_command(
        "issue_api_token",
        "--municipality=kasama",
        "--email=RENKEI@city.kasama.example",
        "--name=税務システム連携",
        "--days=30",
        stdout=out,
        stderr=err,
    )
    raw = out.getvalue().strip()
    assert re.fullmatch(r"mdg_[A-Za-z0-9_-]{40,}", raw)
    assert raw not in err.getvalue()
    assert raw[:10] in err.getvalue()
    token = ApiToken.unscoped.get()
    assert token.expires_at is not None
    assert timedelta(days=29) < token.expires_at - timezone.now() <= timedelta(days=30)
    assert AuditEntry.objects.get(object_type="api.apitoken").extra["channel"] == "command"
    assert client.get("/api/v1/kasama/me/", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 200


def test_issue_command_by_code_with_a_last_day(kasama: Municipality) -> None:
    make_staff(kasama, Role.OFFICER, email="gis@city.kasama.example")
    call_command(
        "issue_api_token", "--municipality=082163", "--email=gis@city.kasama.example", "--name=GIS",
        "--expires=2099-03-31", stdout=StringIO(), stderr=StringIO(),
    )  # fmt: skip
    expires = timezone.localtime(ApiToken.unscoped.get().expires_at)
    assert (expires.year, expires.month, expires.day, expires.hour) == (2099, 4, 1, 0)


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--municipality=nowhere", "--email=a@b.example", "--name=x"], "No municipality"),
        (["--municipality=kasama", "--email=nobody@b.example", "--name=x"], "No account"),
        (["--municipality=kasama", "--email=resident@b.example", "--name=x"], "職員アカウント"),
    ],
)
def test_issue_command_refuses_clearly(kasama: Municipality, arguments: list[str], message: str) -> None:
    UserFactory(email="resident@b.example")
    with pytest.raises(CommandError, match=message):
        call_command("issue_api_token", *arguments, stdout=StringIO(), stderr=StringIO())


def test_list_and_revoke_commands(client: Client, officer_token: IssuedToken) -> None:
    out = StringIO()
    call_command("list_api_tokens", "kasama", stdout=out)
    listing = out.getvalue()
    assert officer_token.raw[:10] in listing
    assert "active" in listing
    assert officer_token.raw not in listing

    out = StringIO()
    call_command("revoke_api_token", "--municipality=kasama", f"--prefix={officer_token.raw[:10]}", stdout=out)
    assert "Revoked" in out.getvalue()
    assert client.get("/api/v1/kasama/me/", **officer_token.header).status_code == 401
    out = StringIO()
    call_command("revoke_api_token", "--municipality=kasama", f"--id={officer_token.token.pk}", stdout=out)
    assert "already revoked" in out.getvalue()


def test_revoke_command_cannot_reach_another_municipalitys_token(
    officer_token: IssuedToken, mito: Municipality
) -> None:
    with pytest.raises(CommandError, match="No such token"):
        call_command("revoke_api_token", "--municipality=mito", f"--id={officer_token.token.pk}", stdout=StringIO())
    officer_token.token.refresh_from_db()
    assert officer_token.token.revoked_at is None


# --- Staff console --------------------------------------------------------------------


@pytest.fixture
def admin_client(client: Client, kasama: Municipality) -> Client:
    sign_in_staff(client, make_staff(kasama, Role.MUNICIPAL_ADMIN, email="admin@city.kasama.example"))
    return client


def test_console_lists_tokens_without_secrets(admin_client: Client, officer_token: IssuedToken) -> None:
    response = admin_client.get("/staff/api-tokens/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "税務システム連携" in body
    assert officer_token.raw[:10] in body
    assert officer_token.raw not in body
    assert officer_token.token.key_hash not in body
    assert 'href="/staff/api-tokens/issue/"' in body


def test_console_issues_a_token_shown_once(admin_client: Client, kasama: Municipality) -> None:
    service_account = make_staff(kasama, Role.OFFICER, email="svc@city.kasama.example")
    form = admin_client.get("/staff/api-tokens/issue/")
    assert form.status_code == 200
    key = re.search(r'name="issue_key" value="([^"]+)"', form.content.decode()).group(1)
    data = {"name": "会計システム連携", "user": service_account.pk, "expires_on": "", "issue_key": key}

    issued = admin_client.post("/staff/api-tokens/issue/", data)
    assert issued.status_code == 200
    assert "no-store" in issued["Cache-Control"]
    raw = re.search(r'value="(mdg_[^"]+)"', issued.content.decode()).group(1)
    token = ApiToken.unscoped.get()
    assert token.user == service_account
    assert token.key_hash == hash_token(raw)
    entry = AuditEntry.objects.get(object_type="api.apitoken")
    assert entry.actor_label == "admin@city.kasama.example"
    assert entry.extra["channel"] == "staff_console"

    # Sending the same form again issues nothing more; the list never shows the secret.
    again = admin_client.post("/staff/api-tokens/issue/", data)
    assert again.status_code == 302
    assert again["Location"] == "/staff/api-tokens/"
    assert ApiToken.unscoped.count() == 1
    assert raw not in admin_client.get("/staff/api-tokens/").content.decode()


def test_console_refuses_a_resident_or_another_municipalitys_account(
    admin_client: Client, kasama: Municipality, mito: Municipality
) -> None:
    mito_staff = make_staff(mito, Role.OFFICER)
    key = "k1"
    response = admin_client.post(
        "/staff/api-tokens/issue/", {"name": "x", "user": mito_staff.pk, "issue_key": key, "expires_on": ""}
    )
    assert response.status_code == 200  # the form again, with the error
    assert "user" in response.context["form"].errors
    assert not ApiToken.unscoped.exists()
    past = (timezone.localdate() - timedelta(days=1)).isoformat()
    own = make_staff(kasama, Role.OFFICER)
    response = admin_client.post(
        "/staff/api-tokens/issue/", {"name": "x", "user": own.pk, "issue_key": "k2", "expires_on": past}
    )
    assert "expires_on" in response.context["form"].errors


def test_console_revokes_with_confirmation(admin_client: Client, officer_token: IssuedToken) -> None:
    url = f"/staff/api-tokens/{officer_token.token.pk}/revoke/"
    confirm = admin_client.get(url)
    assert confirm.status_code == 200
    assert "税務システム連携" in confirm.content.decode()
    officer_token.token.refresh_from_db()
    assert officer_token.token.revoked_at is None  # looking changes nothing
    done = admin_client.post(url)
    assert done.status_code == 302
    officer_token.token.refresh_from_db()
    assert officer_token.token.revoked_at is not None
    entry = AuditEntry.objects.get(object_type="api.apitoken", action="update")
    assert entry.actor_label == "admin@city.kasama.example"


def test_console_is_for_municipal_administrators_only(client: Client, kasama: Municipality) -> None:
    sign_in_staff(client, make_staff(kasama, Role.OFFICER, Role.DEPARTMENT_HEAD, Role.AUDITOR))
    assert client.get("/staff/api-tokens/").status_code in (302, 403)
    assert client.post("/staff/api-tokens/issue/", {"name": "x"}).status_code in (302, 403)
    assert not ApiToken.unscoped.exists()
    menu = client.get("/staff/").content.decode()
    assert "/staff/api-tokens/" not in menu
