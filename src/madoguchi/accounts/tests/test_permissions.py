"""The one permission helper: roles × permissions, municipalities, the operator, inactive
accounts, the decorator, the mixin, the API permission and the Wagtail backend."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import Client
from django.utils.translation import gettext_lazy as _

from madoguchi.accounts import permissions
from madoguchi.accounts.backends import StaffRoleBackend
from madoguchi.accounts.models import Role, User
from madoguchi.api.services import issue_token
from madoguchi.core.models import Municipality
from madoguchi.core.permissions import MANAGE_MUNICIPALITY, VIEW_DEPARTMENTS
from madoguchi.testing.factories import UserFactory, make_staff

from .helpers import sign_in
from .urls import APPROVE

pytestmark = pytest.mark.django_db

# Who may do what, written out rather than derived from the registrations, so that a
# changed registration shows here.
EXPECTED = {
    APPROVE: {Role.APPROVER, Role.DEPARTMENT_HEAD},
    MANAGE_MUNICIPALITY: {Role.MUNICIPAL_ADMIN},
    VIEW_DEPARTMENTS: set(Role.values),
}


@pytest.mark.parametrize("role", Role.values)
@pytest.mark.parametrize("permission", list(EXPECTED), ids=lambda p: p.code)
def test_roles_matrix(kasama: Municipality, mito: Municipality, role: str, permission: permissions.Permission) -> None:
    staff = make_staff(kasama, role)
    allowed = role in EXPECTED[permission]
    assert permissions.has_permission(staff, permission, kasama) is allowed
    assert permissions.has_permission(staff, permission.code, None) is allowed
    # Never in another municipality, whatever the role.
    assert permissions.has_permission(staff, permission, mito) is False


def test_roles_are_only_those_of_the_own_municipality(kasama: Municipality, mito: Municipality) -> None:
    mito_admin = make_staff(mito, *Role.values)
    assert permissions.roles_of(mito_admin, mito) == frozenset(Role.values)
    assert permissions.roles_of(mito_admin, kasama) == frozenset()


def test_operator_passes_every_check_but_not_when_inactive(kasama: Municipality) -> None:
    operator = User.objects.create_superuser(email="op@example.jp", password="x-password-1")
    for permission in EXPECTED:
        assert permissions.has_permission(operator, permission, kasama)
    operator.is_active = False
    assert not permissions.has_permission(operator, APPROVE, kasama)


def test_inactive_staff_residents_and_anonymous_are_refused(kasama: Municipality) -> None:
    from django.contrib.auth.models import AnonymousUser

    staff = make_staff(kasama, *Role.values)
    staff.is_active = False
    staff.save()
    staff = User.objects.get(pk=staff.pk)
    assert not permissions.has_permission(staff, VIEW_DEPARTMENTS, kasama)
    assert not permissions.has_permission(UserFactory(), VIEW_DEPARTMENTS, kasama)
    assert not permissions.has_permission(AnonymousUser(), VIEW_DEPARTMENTS, kasama)


def test_registry_refuses_conflicting_and_unknown_permissions() -> None:
    # The same definition again is fine (modules may be imported twice).
    assert permissions.register(
        "accounts_tests.approve", _("テスト用の決裁"), roles={Role.APPROVER, Role.DEPARTMENT_HEAD}
    )
    with pytest.raises(ImproperlyConfigured):
        permissions.register("accounts_tests.approve", _("テスト用の決裁"), roles={Role.OFFICER})
    with pytest.raises(ImproperlyConfigured):
        permissions.has_permission(UserFactory.build(), "accounts_tests.no_such_permission")
    assert APPROVE in permissions.all_permissions()
    assert permissions.permissions_for_django_perm("core.change_department") == [MANAGE_MUNICIPALITY]


@pytest.mark.urls("madoguchi.accounts.tests.urls")
@pytest.mark.parametrize("path", ["/kasama/permission-test/", "/kasama/permission-test/class/"])
def test_decorator_and_mixin(client: Client, kasama: Municipality, mito: Municipality, path: str) -> None:
    # Anonymous: to the sign-in page, coming back here afterwards.
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={path}"
    # Signed in without the permission: 403.
    sign_in(client, UserFactory())
    assert client.get(path).status_code == 403
    sign_in(client, make_staff(kasama, Role.OFFICER))
    assert client.get(path).status_code == 403
    # An approver of another municipality: 403.
    sign_in(client, make_staff(mito, Role.APPROVER))
    assert client.get(path).status_code == 403
    # An approver of this one: the page.
    sign_in(client, make_staff(kasama, Role.APPROVER))
    response = client.get(path)
    assert response.status_code == 200
    assert response.content.decode().startswith("approve")


@pytest.mark.urls("madoguchi.accounts.tests.urls")
def test_api_permission_and_tokens_of_another_municipality(
    client: Client, kasama: Municipality, mito: Municipality
) -> None:
    url = "/api/v1/kasama/permission-test/"
    _token, kasama_approver = issue_token(municipality=kasama, user=make_staff(kasama, Role.APPROVER), name="t1")
    _token, kasama_officer = issue_token(municipality=kasama, user=make_staff(kasama, Role.OFFICER), name="t2")
    _token, mito_approver = issue_token(municipality=mito, user=make_staff(mito, *Role.values), name="t3")
    assert client.get(url).status_code in (401, 403)
    response = client.get(url, HTTP_AUTHORIZATION=f"Bearer {kasama_approver}")
    assert response.status_code == 200
    assert response.json() == {"municipality": kasama.code}
    assert client.get(url, HTTP_AUTHORIZATION=f"Bearer {kasama_officer}").status_code == 403
    # A token only works in the municipality it was issued for, whatever its roles.
    assert client.get(url, HTTP_AUTHORIZATION=f"Bearer {mito_approver}").status_code in (401, 403)
    assert client.get("/api/v1/mito/permission-test/", HTTP_AUTHORIZATION=f"Bearer {mito_approver}").status_code == 200


def test_backend_gives_the_console_to_staff_and_nothing_to_residents(kasama: Municipality) -> None:
    backend = StaffRoleBackend()
    admin = make_staff(kasama, Role.MUNICIPAL_ADMIN)
    officer = make_staff(kasama, Role.OFFICER)
    resident = UserFactory()
    assert admin.has_perm("wagtailadmin.access_admin")
    assert officer.has_perm("wagtailadmin.access_admin")
    assert not resident.has_perm("wagtailadmin.access_admin")
    assert backend.get_all_permissions(resident) == set()
    # Django permissions follow the roles registered for them.
    assert admin.has_perm("core.change_department")
    assert not officer.has_perm("core.change_department")
    assert admin.has_module_perms("core")
    assert not officer.has_module_perms("core")
    # Nobody authenticates through this backend.
    assert backend.authenticate(None, email=admin.email, password="anything") is None
    # An inactive member of staff has nothing.
    inactive = User.objects.get(pk=admin.pk)
    inactive.is_active = False
    assert StaffRoleBackend().get_all_permissions(inactive) == set()
    assert not inactive.has_perm("wagtailadmin.access_admin")


def test_a_permission_is_the_same_key_in_every_language() -> None:
    """Its label is translated; it must not change how the permission compares."""
    from django.utils import translation

    with translation.override("ja"):
        table = {APPROVE: "ja"}
    with translation.override("en"):
        assert table[APPROVE] == "ja"
        assert permissions.get("accounts_tests.approve") == APPROVE
