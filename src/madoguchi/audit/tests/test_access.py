"""The reason asked for before staff open a resident's personal data."""

from __future__ import annotations

import time
from urllib.parse import parse_qs, urlsplit

import pytest
from django.http import HttpRequest, HttpResponse
from django.test import Client, RequestFactory

from madoguchi.accounts.models import Role, User
from madoguchi.audit import access
from madoguchi.audit import services as audit
from madoguchi.audit.models import Action
from madoguchi.core.models import Municipality
from madoguchi.testing.factories import UserFactory, make_staff

pytestmark = pytest.mark.django_db

REASON = "/staff/access-reason/"


def sign_in(client: Client, user: User) -> None:
    client.force_login(user, backend="allauth.account.auth_backends.AuthenticationBackend")
    session = client.session
    session["account_authentication_methods"] = [{"method": "password"}, {"method": "mfa", "type": "totp"}]
    session.save()


@pytest.fixture
def clerk(client: Client, kasama: Municipality) -> User:
    user = make_staff(kasama, Role.COUNTER_CLERK)
    sign_in(client, user)
    return user


def test_the_screen_asks_for_purpose_and_detail(client: Client, clerk: User) -> None:
    response = client.get(REASON, {"key": "accounts.user:12", "next": "/staff/people/12/"})
    body = response.content.decode()
    assert response.status_code == 200
    assert 'name="purpose"' in body
    assert 'name="detail"' in body
    assert "本人からの問い合わせ・申請への対応" in body
    assert 'value="/staff/people/12/"' in body


def test_both_fields_are_required_and_nothing_is_kept_without_them(client: Client, clerk: User) -> None:
    response = client.post(REASON, {"key": "accounts.user:12", "next": "/staff/people/12/", "detail": ""})
    assert response.status_code == 200
    body = response.content.decode()
    assert body.count('class="error-message"') == 2
    assert access.SESSION_KEY not in client.session


def test_a_reason_is_kept_for_the_subject_and_the_page_opens(client: Client, clerk: User) -> None:
    response = client.post(
        REASON,
        {
            "key": "accounts.user:12",
            "next": "/staff/people/12/",
            "purpose": "inquiry",
            "detail": "  転居の  問い合わせ ",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == "/staff/people/12/"
    kept = client.session[access.SESSION_KEY]["accounts.user:12"]
    assert kept["reason"] == "本人からの問い合わせ・申請への対応: 転居の 問い合わせ"
    assert kept["purpose"] == "inquiry"


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x", "javascript:alert(1)"])
def test_the_next_page_must_be_on_this_site(client: Client, clerk: User, target: str) -> None:
    response = client.post(
        REASON, {"key": "accounts.user:12", "next": target, "purpose": "casework", "detail": "担当業務のため"}
    )
    assert response["Location"] == "/staff/"


@pytest.mark.parametrize("key", ["", "accounts.user", "accounts.user:", "<script>:1", "accounts.user:1/../2"])
def test_a_malformed_key_is_refused(client: Client, clerk: User, key: str) -> None:
    assert client.get(REASON, {"key": key}).status_code == 404


def test_the_screen_is_for_staff_only(client: Client, kasama: Municipality) -> None:
    sign_in(client, UserFactory())
    response = client.get(REASON, {"key": "accounts.user:12"})
    assert response.status_code in (302, 403)
    assert not response.get("Location", "").startswith(REASON)


def _request_with_session(rf: RequestFactory, path: str = "/staff/people/1/") -> HttpRequest:
    from django.contrib.sessions.backends.db import SessionStore

    request = rf.get(path)
    request.session = SessionStore()
    return request


def test_a_reason_expires(rf: RequestFactory, settings) -> None:
    request = _request_with_session(rf)
    access.give_reason(request, "accounts.user:1", "casework", "担当業務")
    assert access.reason_for_key(request, "accounts.user:1") == "担当業務の処理: 担当業務"
    assert access.reason_for_key(request, "accounts.user:2") is None
    request.session[access.SESSION_KEY]["accounts.user:1"]["expires"] = time.time() - 1
    assert access.reason_for_key(request, "accounts.user:1") is None


def test_the_decorator_sends_to_the_screen_and_record_takes_the_reason(
    rf: RequestFactory, kasama: Municipality
) -> None:
    resident = UserFactory()

    @access.reason_required(lambda pk: access.subject_key("accounts.user", pk))
    def view(request: HttpRequest, pk: int) -> HttpResponse:
        entry = audit.record(action=Action.VIEW, obj=resident, subject=resident, personal_data=True, request=request)
        return HttpResponse(entry.reason)

    request = _request_with_session(rf, f"/staff/people/{resident.pk}/")
    request.user = make_staff(kasama, Role.COUNTER_CLERK)
    first = view(request, pk=resident.pk)
    assert first.status_code == 302
    query = parse_qs(urlsplit(first["Location"]).query)
    assert query == {"key": [f"accounts.user:{resident.pk}"], "next": [f"/staff/people/{resident.pk}/"]}
    access.give_reason(request, f"accounts.user:{resident.pk}", "correction", "住所の訂正")
    second = view(request, pk=resident.pk)
    assert second.content.decode() == "登録内容の訂正: 住所の訂正"
