"""Staff must use a second factor: enrolment is forced, every sign-in asks for the code,
and no password-only session of an enrolled account gets anywhere."""

from __future__ import annotations

import pytest
from allauth.mfa.models import Authenticator
from django.test import Client

from madoguchi.accounts.models import User
from madoguchi.audit.models import Action, AuditEntry
from madoguchi.core.models import Municipality
from madoguchi.testing.factories import (
    DEFAULT_PASSWORD,
    TEST_TOTP_SECRET,
    UserFactory,
    enrol_totp,
    make_staff,
    totp_code,
)

from .helpers import sign_in

pytestmark = pytest.mark.django_db

STAFF_PAGES = ("/staff/", "/django-admin/", "/accounts/", "/kasama/")


def password_step(client: Client, user: User, password: str = DEFAULT_PASSWORD):
    return client.post("/accounts/login/", {"login": user.email, "password": password})


def other_code() -> str:
    """A well-formed code that is not the current one."""
    code = totp_code()
    return f"{(int(code) + 1) % 1_000_000:06d}"


def test_staff_without_a_second_factor_is_sent_to_enrolment(client: Client, kasama: Municipality) -> None:
    staff = make_staff(kasama, mfa=False)
    response = password_step(client, staff)
    assert response.status_code == 302
    for path in STAFF_PAGES:
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"] == "/accounts/2fa/totp/activate/", path
    # The enrolment pages themselves, and signing out, stay reachable.
    assert client.get("/accounts/2fa/totp/activate/").status_code == 200
    assert client.get("/accounts/2fa/webauthn/add/").status_code == 200
    # The API answers 403 rather than a redirect.
    assert client.get("/api/v1/kasama/").status_code == 403


# allauth announces the new factor when the request's transaction commits; that needs
# real commits.
@pytest.mark.django_db(transaction=True)
def test_enrolling_totp_opens_the_staff_console(client: Client, kasama: Municipality) -> None:
    staff = make_staff(kasama, mfa=False)
    password_step(client, staff)
    page = client.get("/accounts/2fa/totp/activate/")
    secret = page.context["form"].secret
    response = client.post("/accounts/2fa/totp/activate/", {"code": totp_code(secret)})
    assert response.status_code == 302
    assert Authenticator.objects.filter(user=staff, type=Authenticator.Type.TOTP).exists()
    # Recovery codes were made along with it.
    assert Authenticator.objects.filter(user=staff, type=Authenticator.Type.RECOVERY_CODES).exists()
    # Enrolling proved the factor: the same session goes on into the console.
    assert client.get("/staff/").status_code == 200


def test_a_wrong_enrolment_code_enrols_nothing(client: Client, kasama: Municipality) -> None:
    staff = make_staff(kasama, mfa=False)
    password_step(client, staff)
    client.get("/accounts/2fa/totp/activate/")
    response = client.post("/accounts/2fa/totp/activate/", {"code": "000000" if totp_code() != "000000" else "111111"})
    assert response.status_code == 200
    assert not Authenticator.objects.filter(user=staff).exists()


def test_sign_in_asks_for_the_code_and_refuses_a_wrong_one(client: Client, kasama: Municipality) -> None:
    staff = make_staff(kasama)
    response = password_step(client, staff)
    assert response.status_code == 302
    assert response["Location"] == "/accounts/2fa/authenticate/"
    # Between the two steps nobody is signed in.
    assert client.get("/staff/").status_code == 302
    assert client.get("/accounts/").status_code == 302
    response = client.post("/accounts/2fa/authenticate/", {"code": other_code()})
    assert response.status_code == 200
    assert response.context["form"].errors["code"]
    assert client.get("/accounts/").status_code == 302
    response = client.post("/accounts/2fa/authenticate/", {"code": totp_code()})
    assert response.status_code == 302
    assert response["Location"] == "/staff/"
    assert client.get("/staff/").status_code == 200
    assert AuditEntry.objects.filter(action=Action.LOGIN, actor_id=staff.pk).exists()


def test_a_recovery_code_replaces_the_authenticator_once(client: Client, kasama: Municipality) -> None:
    from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes

    staff = make_staff(kasama)
    code = RecoveryCodes.activate(staff).generate_codes()[0]
    password_step(client, staff)
    assert client.post("/accounts/2fa/authenticate/", {"code": code}).status_code == 302
    assert client.get("/staff/").status_code == 200
    other = Client()
    password_step(other, staff)
    assert other.post("/accounts/2fa/authenticate/", {"code": code}).status_code == 200


def test_django_admin_sign_in_goes_through_allauth(client: Client, kasama: Municipality) -> None:
    from allauth.account.models import EmailAddress

    operator = User.objects.create_superuser(email="operator@example.jp", password=DEFAULT_PASSWORD)
    EmailAddress.objects.create(user=operator, email=operator.email, verified=True, primary=True)
    enrol_totp(operator)
    response = client.get("/django-admin/")
    assert response.status_code == 302
    assert response["Location"] == "/django-admin/login/?next=/django-admin/"
    # The admin's own login form only leads to allauth's, so it is no way around the
    # second factor or the lock-out.
    response = client.get("/django-admin/login/?next=/django-admin/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=%2Fdjango-admin%2F"
    response = client.get("/django-admin/login/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    response = client.post("/django-admin/login/", {"username": operator.email, "password": DEFAULT_PASSWORD})
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert client.get("/django-admin/").status_code == 302
    password_step(client, operator)
    assert client.get("/django-admin/").status_code == 302
    assert "_auth_user_id" not in client.session
    client.post("/accounts/2fa/authenticate/", {"code": totp_code()})
    assert client.get("/django-admin/").status_code == 200


def test_a_password_only_session_of_an_enrolled_account_is_ended(client: Client, kasama: Municipality) -> None:
    """However a session with only the password step came about, it reaches nothing: not
    the console, not the admin, and not the second-factor settings (where it could
    remove the factor it never proved)."""
    staff = make_staff(kasama)
    for path in (*STAFF_PAGES, "/accounts/2fa/", "/accounts/2fa/totp/deactivate/"):
        sign_in(client, staff, second_factor=False)
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"] == "/accounts/login/", path
        assert "_auth_user_id" not in client.session, path
    assert Authenticator.objects.filter(user=staff, type=Authenticator.Type.TOTP).exists()


def test_a_full_session_reaches_the_console(client: Client, kasama: Municipality) -> None:
    sign_in(client, make_staff(kasama))
    assert client.get("/staff/").status_code == 200


def test_residents_need_no_second_factor(client: Client, kasama: Municipality) -> None:
    resident = UserFactory()
    password_step(client, resident)
    assert client.get("/accounts/").status_code == 200
    # And get no staff console.
    response = client.get("/staff/")
    assert response.status_code in (302, 403)
    assert not response.get("Location", "").startswith("/accounts/2fa/")


def test_staff_cannot_remove_their_last_second_factor(client: Client, kasama: Municipality) -> None:
    staff = make_staff(kasama)
    sign_in(client, staff)
    response = client.post("/accounts/2fa/totp/deactivate/", {})
    assert Authenticator.objects.filter(user=staff, type=Authenticator.Type.TOTP).exists()
    assert response.status_code in (200, 302)
    # A resident may turn theirs off.
    resident = UserFactory()
    enrol_totp(resident, TEST_TOTP_SECRET)
    sign_in(client, resident)
    client.post("/accounts/2fa/totp/deactivate/", {})
    assert not Authenticator.objects.filter(user=resident, type=Authenticator.Type.TOTP).exists()


def test_staff_cannot_link_an_external_sign_in_service(client: Client, kasama: Municipality, settings) -> None:
    from madoguchi.accounts.oidc_config import parse_providers, socialaccount_providers

    settings.SOCIALACCOUNT_PROVIDERS = socialaccount_providers(
        parse_providers(
            [{"id": "idp", "name": "IdP", "server_url": "https://idp.example", "client_id": "c", "secret": "s"}]
        )
    )
    sign_in(client, make_staff(kasama))
    body = client.get("/accounts/").content.decode()
    assert "/accounts/3rdparty/" not in body
