"""The tenant isolation check that every module runs on its own pages and endpoints.

Set up two municipalities with `two_municipalities` (a fixture in
`madoguchi.testing.fixtures`), create the module's objects in both, then prove that from
the home municipality nothing of the other one can be seen or changed::

    def test_isolated(two_municipalities, client):
        home, other = two_municipalities.home, two_municipalities.other
        theirs = make_thing(other.municipality)
        iso = TenantIsolation(client, two_municipalities)
        iso.assert_page_excludes(f"/{home.slug}/things/", as_user=home.staff, markers=[theirs.title])
        iso.assert_unreachable(f"/{home.slug}/things/{theirs.pk}/", obj=theirs, as_user=home.staff)
        iso.assert_api_unreachable(f"/api/v1/{home.slug}/things/{theirs.pk}/", obj=theirs, token=home.token)
        iso.assert_api_cross_tenant_refused(f"/api/v1/{other.slug}/things/", token=home.token)
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import models
from django.forms.models import model_to_dict
from django.test import Client
from django_scopes import scopes_disabled

from madoguchi.accounts.models import Role, User
from madoguchi.core.models import Municipality

WRITE_METHODS = ("post", "put", "patch", "delete")


@dataclass
class Tenant:
    """One side of the pair: the municipality, a staff member holding every role, a
    resident, and an API token acting for the staff member."""

    municipality: Municipality
    staff: User
    resident: User
    token: str
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def slug(self) -> str:
        return self.municipality.slug


@dataclass
class TenantPair:
    home: Tenant
    other: Tenant


def make_tenant(municipality: Municipality) -> Tenant:
    from madoguchi.api.services import issue_token

    from .factories import UserFactory, make_staff

    staff = make_staff(municipality, *Role.values)
    resident: User = UserFactory.create()
    _token, raw = issue_token(municipality=municipality, user=staff, name="isolation test")
    return Tenant(municipality=municipality, staff=staff, resident=resident, token=raw)


def _snapshot(obj: models.Model) -> dict[str, Any]:
    with scopes_disabled():
        fresh = type(obj)._base_manager.filter(pk=obj.pk).first()
        return model_to_dict(fresh) if fresh is not None else {"__deleted__": True}


def sign_in(client: Client, user: User) -> None:
    """Sign the test client in as the user, as if they had passed the password and (for
    staff) the second factor."""
    client.force_login(user, backend="allauth.account.auth_backends.AuthenticationBackend")
    session = client.session
    session["account_authentication_methods"] = [{"method": "password"}, {"method": "mfa", "type": "totp"}]
    # allauth only reads the records of the user they were written for.
    session["account_authentication_methods_user"] = str(user.pk)
    session.save()


class TenantIsolation:
    """Assertions that one municipality cannot reach another's data."""

    refused = frozenset({302, 401, 403, 404, 405})

    def __init__(self, client: Client, pair: TenantPair) -> None:
        self.client = client
        self.pair = pair

    def _login(self, user: User | None) -> None:
        self.client.logout()
        if user is not None:
            sign_in(self.client, user)

    def assert_page_excludes(self, url: str, *, as_user: User | None, markers: Iterable[str]) -> None:
        """A page of the home municipality shows none of the other's markers (names,
        numbers, titles)."""
        self._login(as_user)
        response = self.client.get(url)
        assert response.status_code == 200, f"{url} answered {response.status_code}"
        body = response.content.decode()
        for marker in markers:
            assert marker not in body, f"{url} shows {marker!r} of the other municipality"

    def assert_unreachable(
        self, url: str, *, obj: models.Model, as_user: User | None, methods: Iterable[str] = ("get", *WRITE_METHODS)
    ) -> None:
        """Every method on another municipality's object is refused and changes nothing."""
        self._login(as_user)
        before = _snapshot(obj)
        for method in methods:
            response = getattr(self.client, method)(url)
            assert response.status_code in self.refused, f"{method.upper()} {url} answered {response.status_code}"
        assert _snapshot(obj) == before, f"{url} changed an object of the other municipality"

    def assert_api_unreachable(
        self, url: str, *, obj: models.Model, token: str, methods: Iterable[str] = ("get", *WRITE_METHODS)
    ) -> None:
        self.client.logout()
        before = _snapshot(obj)
        for method in methods:
            response = getattr(self.client, method)(
                url, data={}, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {token}"
            )
            assert response.status_code in self.refused, f"{method.upper()} {url} answered {response.status_code}"
        assert _snapshot(obj) == before, f"{url} changed an object of the other municipality"

    def assert_api_cross_tenant_refused(self, url: str, *, token: str) -> None:
        """A token of one municipality is refused anywhere under another's URL."""
        self.client.logout()
        for method in ("get", *WRITE_METHODS):
            response = getattr(self.client, method)(
                url, data={}, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {token}"
            )
            assert response.status_code in {401, 403, 404, 405}, (
                f"{method.upper()} {url} answered {response.status_code}"
            )
            if method == "get":
                assert response.status_code in {401, 403, 404}
