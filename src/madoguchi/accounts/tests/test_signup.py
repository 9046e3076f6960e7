"""Sign-up of residents and businesses, e-mail verification, passwords, e-mail changes
and account deletion, through allauth's views and madoguchi's forms."""

from __future__ import annotations

import re

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.test import Client

from madoguchi.accounts.models import AccountKind, User
from madoguchi.audit.models import Action, AuditEntry
from madoguchi.core.models import Municipality
from madoguchi.testing.factories import DEFAULT_PASSWORD, UserFactory, make_staff

from .helpers import deliver_mail, sign_in

pytestmark = pytest.mark.django_db

PASSWORD = "kasama-yaki-2026"
VALID_CORPORATE_NUMBER = "7000012050002"


def signup_data(**overrides: str) -> dict[str, str]:
    data = {
        "kind": "resident",
        "family_name": "笠間",
        "given_name": "花子",
        "family_name_kana": "かさま",
        "given_name_kana": "ハナコ",
        "email": "hanako@example.jp",
        "password1": PASSWORD,
        "password2": PASSWORD,
        "preferred_language": "ja",
    }
    data.update(overrides)
    return data


def confirmation_link() -> str:
    deliver_mail()
    body = mail.outbox[-1].body
    match = re.search(r"https?://[^/\s]+(/\S*/accounts/confirm-email/\S+/|/accounts/confirm-email/\S+/)", body)
    assert match, body
    return match.group(1)


def test_resident_signs_up_and_must_verify_the_address_first(client: Client) -> None:
    response = client.post("/accounts/signup/", signup_data())
    assert response.status_code == 302
    assert response["Location"] == "/accounts/confirm-email/"
    user = User.objects.get(email="hanako@example.jp")
    assert user.kind == AccountKind.RESIDENT
    assert (user.family_name, user.given_name) == ("笠間", "花子")
    # Hiragana readings are stored as katakana.
    assert (user.family_name_kana, user.given_name_kana) == ("カサマ", "ハナコ")
    assert user.organisation_name == ""
    assert user.corporate_number == ""
    assert not EmailAddress.objects.get(user=user).verified
    # Not signed in until the address is verified, even with the right password.
    assert client.get("/accounts/").status_code == 302
    response = client.post("/accounts/login/", {"login": "hanako@example.jp", "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == "/accounts/confirm-email/"
    assert client.get("/accounts/").status_code == 302

    link = confirmation_link()
    response = client.post(link)
    assert response.status_code == 302
    assert EmailAddress.objects.get(user=user).verified
    # ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION: the person is signed in.
    home = client.get("/accounts/")
    assert home.status_code == 200
    assert "笠間 花子" in home.content.decode()


def test_business_signs_up_with_its_corporate_number(client: Client) -> None:
    response = client.post(
        "/accounts/signup/",
        signup_data(
            kind="business",
            email="info@kasama-toge.example",
            organisation_name="株式会社笠間陶芸",
            corporate_number="７０００-０１２０-５０００２",
            preferred_language="en",
        ),
    )
    assert response.status_code == 302
    user = User.objects.get(email="info@kasama-toge.example")
    assert user.kind == AccountKind.BUSINESS
    assert user.organisation_name == "株式会社笠間陶芸"
    assert user.corporate_number == VALID_CORPORATE_NUMBER
    assert user.preferred_language == "en"
    assert AuditEntry.objects.filter(action=Action.CREATE, object_id=str(user.pk)).exists()


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"kind": "business", "organisation_name": "", "corporate_number": ""}, "organisation_name", "事業者名を入力"),
        (
            {"kind": "business", "organisation_name": "X", "corporate_number": "1234567890123"},
            "corporate_number",
            "検査用数字",
        ),
        ({"kind": "business", "organisation_name": "X", "corporate_number": "12345"}, "corporate_number", "13桁"),
        ({"family_name_kana": "Kasama"}, "family_name_kana", "カタカナ"),
        ({"family_name": ""}, "family_name", "必須"),
        ({"kind": "staff"}, "kind", "選択"),
        ({"password2": "something-else-1"}, "password2", ""),
        ({"password1": "short", "password2": "short"}, "password1", ""),
    ],
)
def test_bad_input_is_refused_with_a_message_and_kept(
    client: Client, overrides: dict, field: str, message: str
) -> None:
    data = signup_data(**overrides)
    response = client.post("/accounts/signup/", data)
    assert response.status_code == 200
    form = response.context["form"]
    assert field in form.errors
    assert message in " ".join(form.errors[field])
    body = response.content.decode()
    assert 'aria-invalid="true"' in body
    # What was typed is still there (passwords excepted).
    assert 'value="hanako@example.jp"' in body
    assert not User.objects.filter(email="hanako@example.jp").exists()


def test_business_details_of_a_resident_are_ignored(client: Client) -> None:
    client.post("/accounts/signup/", signup_data(organisation_name="何か", corporate_number=VALID_CORPORATE_NUMBER))
    user = User.objects.get(email="hanako@example.jp")
    assert user.kind == AccountKind.RESIDENT
    assert user.organisation_name == ""
    assert user.corporate_number == ""


def test_signing_up_twice_creates_one_account(client: Client) -> None:
    client.post("/accounts/signup/", signup_data())
    Client().post("/accounts/signup/", signup_data())
    assert User.objects.filter(email="hanako@example.jp").count() == 1


def test_staff_cannot_be_chosen_at_sign_up(client: Client) -> None:
    response = client.get("/accounts/signup/")
    assert 'value="staff"' not in response.content.decode()


def test_password_reset(client: Client) -> None:
    user = UserFactory(email="taro@example.jp")
    response = client.post("/accounts/password/reset/", {"email": "taro@example.jp"})
    assert response.status_code == 302
    deliver_mail()
    body = mail.outbox[-1].body
    link = re.search(r"https?://[^/\s]+(/\S*password/reset/key/\S+/)", body).group(1)
    response = client.get(link)
    assert response.status_code == 302  # allauth moves the key into the session
    form_url = response["Location"]
    new_password = "new-kasama-password-9"
    response = client.post(form_url, {"password1": new_password, "password2": new_password})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password(new_password)
    # An unknown address gets the same answer (no enumeration) and no reset link.
    count = len(mail.outbox)
    response = client.post("/accounts/password/reset/", {"email": "nobody@example.jp"})
    assert response.status_code == 302
    deliver_mail()
    assert all("password/reset/key" not in m.body for m in mail.outbox[count:])


def test_password_change_needs_the_current_password(client: Client) -> None:
    user = UserFactory()
    client.force_login(user, backend="allauth.account.auth_backends.AuthenticationBackend")
    response = client.post(
        "/accounts/password/change/",
        {"oldpassword": "wrong-password", "password1": "another-pass-42", "password2": "another-pass-42"},
    )
    assert response.status_code == 200
    user.refresh_from_db()
    assert user.check_password(DEFAULT_PASSWORD)
    response = client.post(
        "/accounts/password/change/",
        {"oldpassword": DEFAULT_PASSWORD, "password1": "another-pass-42", "password2": "another-pass-42"},
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("another-pass-42")


def test_changing_the_email_address_needs_verification(client: Client) -> None:
    user = UserFactory(email="old@example.jp")
    sign_in(client, user)
    response = client.post("/accounts/email/", {"action_add": "", "email": "new@example.jp"})
    assert response.status_code == 302
    assert EmailAddress.objects.get(email="new@example.jp").verified is False
    user.refresh_from_db()
    assert user.email == "old@example.jp"
    client.post(confirmation_link())
    user.refresh_from_db()
    assert user.email == "new@example.jp"
    assert not EmailAddress.objects.filter(email="old@example.jp").exists()


def test_deleting_the_account_needs_the_password(client: Client) -> None:
    user = UserFactory()
    client.force_login(user, backend="allauth.account.auth_backends.AuthenticationBackend")
    response = client.post("/accounts/delete/", {"password": "wrong", "confirm": "on"})
    assert response.status_code == 200
    assert "パスワードが正しくありません" in response.content.decode()
    assert User.objects.filter(pk=user.pk).exists()
    response = client.post("/accounts/delete/", {"password": DEFAULT_PASSWORD})
    assert response.status_code == 200
    assert User.objects.filter(pk=user.pk).exists()
    response = client.post("/accounts/delete/", {"password": DEFAULT_PASSWORD, "confirm": "on"})
    assert response.status_code == 302
    assert not User.objects.filter(pk=user.pk).exists()
    assert AuditEntry.objects.filter(action=Action.DELETE, object_type="accounts.user", object_id=str(user.pk)).exists()
    assert client.get("/accounts/").status_code == 302


def test_staff_cannot_delete_their_own_account(client: Client, kasama: Municipality) -> None:
    staff = make_staff(kasama)
    sign_in(client, staff)
    response = client.get("/accounts/delete/")
    assert response.status_code == 403
    assert "職員のアカウントは削除できません" in response.content.decode()
    response = client.post("/accounts/delete/", {"password": DEFAULT_PASSWORD, "confirm": "on"})
    assert response.status_code == 403
    assert User.objects.filter(pk=staff.pk).exists()


def test_profile_update_is_validated_and_audited(client: Client) -> None:
    user = UserFactory(kind=AccountKind.BUSINESS, organisation_name="旧社名")
    client.force_login(user, backend="allauth.account.auth_backends.AuthenticationBackend")
    data = {
        "family_name": "山田",
        "given_name": "一郎",
        "family_name_kana": "やまだ",
        "given_name_kana": "",
        "display_name": "",
        "organisation_name": "新社名",
        "corporate_number": "123",
        "preferred_language": "en",
    }
    response = client.post("/accounts/profile/", data)
    assert response.status_code == 200
    assert "corporate_number" in response.context["form"].errors
    data["corporate_number"] = VALID_CORPORATE_NUMBER
    response = client.post("/accounts/profile/", data)
    assert response.status_code == 302
    user.refresh_from_db()
    assert (user.organisation_name, user.corporate_number, user.family_name_kana) == (
        "新社名",
        VALID_CORPORATE_NUMBER,
        "ヤマダ",
    )
    entry = AuditEntry.objects.filter(action=Action.UPDATE, object_id=str(user.pk)).latest("id")
    assert "organisation_name" in entry.fields
    assert entry.personal_data


def test_residents_have_no_business_fields_on_their_profile(client: Client) -> None:
    client.force_login(UserFactory(), backend="allauth.account.auth_backends.AuthenticationBackend")
    body = client.get("/accounts/profile/").content.decode()
    assert "corporate_number" not in body
    assert "organisation_name" not in body
