"""Fixtures of the API tests: Kasama with a department, staff and their tokens."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.test import Client

from madoguchi.accounts.models import Role, User
from madoguchi.api import services
from madoguchi.api.models import ApiToken
from madoguchi.core import services as core_services
from madoguchi.core.models import Department, Municipality
from madoguchi.testing.factories import make_staff


@dataclass
class IssuedToken:
    token: ApiToken
    raw: str
    user: User

    @property
    def header(self) -> dict[str, str]:
        return {"HTTP_AUTHORIZATION": f"Bearer {self.raw}"}


@pytest.fixture
def soumu(kasama: Municipality) -> Department:
    return core_services.create_department(kasama, code="soumu", name_ja="総務課", name_en="General Affairs Division")


@pytest.fixture
def officer_token(kasama: Municipality, soumu: Department) -> IssuedToken:
    user = make_staff(kasama, Role.OFFICER, email="renkei@city.kasama.example")
    token, raw = services.issue_token(municipality=kasama, user=user, name="税務システム連携")
    return IssuedToken(token, raw, user)


def sign_in_staff(client: Client, user: User) -> None:
    """A staff session that passed its second factor, as allauth leaves it."""
    client.force_login(user, backend="allauth.account.auth_backends.AuthenticationBackend")
    session = client.session
    session["account_authentication_methods"] = [{"method": "password"}, {"method": "mfa", "type": "totp"}]
    session["account_authentication_methods_user"] = str(user.pk)
    session.save()
