"""The demo data set: complete, idempotent, audited, and usable for signing in."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from madoguchi.accounts.models import AccountKind, Role, StaffProfile, User
from madoguchi.api.models import ApiToken
from madoguchi.audit.models import AuditEntry
from madoguchi.audit.services import all_chains, verify_chain
from madoguchi.core.demo import demo_data
from madoguchi.core.demo.loader import LoadReport, load_demo
from madoguchi.core.management.commands.demo_totp import current_code
from madoguchi.core.models import Department, Municipality
from madoguchi.japanese.checkdigits import is_valid_corporate_number

pytestmark = pytest.mark.django_db


@pytest.fixture
def token_path(tmp_path: Path) -> Path:
    return tmp_path / "demo-api-tokens.json"


@pytest.fixture
def load(token_path: Path, django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    """Load the demo as the command does, running the on-commit work (the token file)."""

    def run() -> LoadReport:
        with django_capture_on_commit_callbacks(execute=True):
            return load_demo(token_path=token_path)

    return run


def table_counts() -> dict[str, int]:
    return {
        "municipalities": Municipality.objects.count(),
        "departments": Department.objects.count(),
        "users": User.objects.count(),
        "staff": StaffProfile.objects.count(),
        "emails": EmailAddress.objects.count(),
        "authenticators": Authenticator.objects.count(),
        "tokens": ApiToken.objects.count(),
        "audit": AuditEntry.objects.count(),
    }


def test_load_demo_on_an_empty_database(load) -> None:  # type: ignore[no-untyped-def]
    assert Municipality.objects.count() == 0
    report = load()
    assert report.changed

    kasama = Municipality.objects.get(code="082163")
    assert (kasama.slug, kasama.name_ja, kasama.name_en) == ("kasama", "笠間市", "Kasama City")
    assert (kasama.postal_code, kasama.phone) == ("309-1792", "0296-77-1101")
    assert kasama.address == "茨城県笠間市中央三丁目2番1号"
    mito = Municipality.objects.get(code="082015")
    assert (mito.slug, mito.name_ja) == ("mito", "水戸市")

    names = dict(Department.objects.filter(municipality=kasama).values_list("name_ja", "parent__name_ja"))
    assert names["市民課"] == "市民生活部"
    assert names["税務課"] == names["収納課"] == names["防災危機管理課"] == "総務部"
    assert names["総務部"] is None
    assert names["市長公室"] is None
    assert all(d.name_en for d in Department.objects.all()), "every department has an English name"
    assert Department.objects.filter(municipality=mito).count() >= 3


def test_staff_in_every_role_with_a_verified_address_and_an_authenticator(load) -> None:  # type: ignore[no-untyped-def]
    load()
    kasama = Municipality.objects.get(code="082163")
    demo_staff = StaffProfile.objects.filter(user__email__in=[a.email for a in demo_data().accounts_of("staff")])
    held = {role for p in demo_staff.filter(municipality=kasama) for role in p.roles}
    assert held == set(Role.values)
    assert demo_staff.filter(municipality__code="082015").exists(), "the second municipality has staff too"
    for profile in demo_staff:
        user = profile.user
        account = demo_data().account(user.email)
        assert account is not None
        assert user.check_password(account.password)
        assert user.kind == AccountKind.STAFF
        assert not user.is_superuser
        assert profile.department.municipality_id == profile.municipality_id
        assert EmailAddress.objects.filter(user=user, email=user.email, verified=True, primary=True).exists()
        assert Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


def test_residents_business_and_operator(load) -> None:  # type: ignore[no-untyped-def]
    load()
    residents = User.objects.filter(kind=AccountKind.RESIDENT)
    assert residents.count() >= 2
    assert {u.preferred_language for u in residents} == {"ja", "en"}
    business = User.objects.get(kind=AccountKind.BUSINESS)
    assert business.organisation_name
    assert is_valid_corporate_number(business.corporate_number)
    for user in [*residents, business]:
        assert user.staff_profile_or_none is None
        assert not user.is_staff
        assert EmailAddress.objects.filter(user=user, verified=True).exists()
    operator = User.objects.get(is_superuser=True)
    assert operator.is_staff
    assert operator.staff_profile_or_none is None
    assert Authenticator.objects.filter(user=operator, type=Authenticator.Type.TOTP).exists()


def test_running_it_twice_changes_nothing(load) -> None:  # type: ignore[no-untyped-def]
    load()
    before = table_counts()
    emails = set(User.objects.values_list("email", flat=True))
    report = load()
    assert not report.changed
    assert sum(report.unchanged.values()) > 0
    assert table_counts() == before
    assert set(User.objects.values_list("email", flat=True)) == emails


def test_it_completes_what_is_there_and_keeps_the_rest(load, kasama: Municipality) -> None:  # type: ignore[no-untyped-def]
    """A Kasama registered earlier (here by the fixture, without its address) gets the
    demo's details and departments; nothing is duplicated."""
    report = load()
    assert report.updated["municipality"] == 1
    assert report.created["municipality"] == 1
    kasama.refresh_from_db()
    assert kasama.address == "茨城県笠間市中央三丁目2番1号"
    assert Municipality.objects.filter(slug="kasama").count() == 1
    assert AuditEntry.objects.filter(
        object_type="core.municipality", object_id=str(kasama.pk), action="update"
    ).exists()


def test_what_was_changed_in_the_demo_survives_a_second_run(load) -> None:  # type: ignore[no-untyped-def]
    from madoguchi.core import services

    load()
    kasama = Municipality.objects.get(code="082163")
    services.update_municipality(kasama, phone="0296-00-0000")
    department = Department.objects.get(municipality=kasama, code="shimin")
    services.update_department(department, name_en="Resident Services Division")
    report = load()
    assert not report.changed
    kasama.refresh_from_db()
    department.refresh_from_db()
    assert kasama.phone == "0296-00-0000"
    assert department.name_en == "Resident Services Division"


def test_everything_it_creates_is_audited(load) -> None:  # type: ignore[no-untyped-def]
    load()

    def audited(obj: object, object_type: str) -> bool:
        return AuditEntry.objects.filter(object_type=object_type, object_id=str(obj.pk), action="create").exists()  # type: ignore[attr-defined]

    for m in Municipality.objects.all():
        assert audited(m, "core.municipality"), m
    for d in Department.objects.all():
        assert audited(d, "core.department"), d
    for p in StaffProfile.objects.all():
        assert audited(p, "accounts.staffprofile"), p
    for u in User.objects.filter(staff_profile__isnull=True):
        assert audited(u, "accounts.user"), u
    for e in EmailAddress.objects.select_related("user"):
        # A staff account's address comes with the account (create_staff's entry).
        profile = e.user.staff_profile_or_none
        assert audited(e, "account.emailaddress") or (profile and audited(profile, "accounts.staffprofile")), e
    for a in Authenticator.objects.all():
        assert audited(a, "mfa.authenticator"), a
    for t in ApiToken.objects.all():
        assert audited(t, "api.apitoken"), t
    # Each municipality's own things are in its own chain, and every chain holds.
    kasama_departments = Department.objects.filter(municipality__code="082163").values_list("pk", flat=True)
    assert set(
        AuditEntry.objects.filter(object_type="core.department", chain="082163").values_list("object_id", flat=True)
    ) == {str(pk) for pk in kasama_departments}
    for chain in all_chains():
        result = verify_chain(chain)
        assert result.problem is None, result.problem
        assert result.checked > 0


def test_the_api_token_works_and_survives_a_second_run(load, token_path: Path, client: Client) -> None:  # type: ignore[no-untyped-def]
    load()
    secrets = json.loads(token_path.read_text())
    (name, raw), *_rest = secrets.items()
    assert token_path.stat().st_mode & 0o077 == 0, "the token file is private"
    response = client.get("/api/v1/kasama/departments/", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert response.status_code == 200
    assert "防災危機管理課" in response.content.decode()
    # Kasama's token is no key to Mito.
    assert client.get("/api/v1/mito/departments/", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code in (401, 403, 404)
    load()
    assert json.loads(token_path.read_text()) == secrets
    assert ApiToken.objects.filter(name=name, revoked_at__isnull=True).count() == 1


def test_a_lost_token_secret_is_replaced(load, token_path: Path) -> None:  # type: ignore[no-untyped-def]
    load()
    token_path.unlink()
    report = load()
    assert report.updated["api_token"] == 1
    assert ApiToken.objects.filter(revoked_at__isnull=True).count() == 1
    assert ApiToken.objects.filter(revoked_at__isnull=False).count() == 1
    assert token_path.exists()


def test_demo_staff_sign_in_with_password_and_totp(load, client: Client) -> None:  # type: ignore[no-untyped-def]
    """Through the real sign-in form: password, then the authenticator's code."""
    load()
    account = demo_data().account("clerk@kasama.example")
    assert account is not None
    assert account.totp_secret
    response = client.post("/accounts/login/", {"login": account.email, "password": account.password})
    assert response.status_code == 302
    assert "/accounts/2fa/authenticate/" in response["Location"]
    code, _valid = current_code(account.totp_secret, min_validity=3)
    response = client.post(response["Location"], {"code": code})
    assert response.status_code == 302, response.content.decode()[:500]
    assert response["Location"].startswith("/staff/")
    assert client.get("/staff/").status_code == 200


def test_demo_resident_signs_in_with_password(load, client: Client) -> None:  # type: ignore[no-untyped-def]
    load()
    account = demo_data().account("hanako@resident.example")
    assert account is not None
    response = client.post("/accounts/login/", {"login": account.email, "password": account.password})
    assert response.status_code == 302
    assert "2fa" not in response["Location"]
    assert int(client.session["_auth_user_id"]) == User.objects.get(email=account.email).pk


def test_command_loads_and_refuses_public_hosts(settings, tmp_path: Path) -> None:
    settings.VAR_DIR = tmp_path
    out = io.StringIO()
    call_command("load_demo", stdout=out)
    assert "082163" in out.getvalue()
    assert "082015" in out.getvalue()
    settings.ALLOWED_HOSTS = ["127.0.0.1", "www.city.example.jp"]
    with pytest.raises(CommandError, match=r"www\.city\.example\.jp"):
        call_command("load_demo", stdout=io.StringIO())


def test_print_demo_logins_lists_every_account(load, settings, token_path: Path) -> None:  # type: ignore[no-untyped-def]
    load()
    settings.VAR_DIR = token_path.parent
    out = io.StringIO()
    call_command("print_demo_logins", "--base-url", "http://127.0.0.1:8150/", stdout=out)
    text = out.getvalue()
    for account in demo_data().accounts:
        assert account.email in text
        if account.totp_secret:
            assert f"secret={account.totp_secret}" in text
    assert "未作成" not in text
    assert "manage.py demo_totp" in text
    assert next(iter(json.loads(token_path.read_text()).values())) in text
    assert "http://127.0.0.1:8150/accounts/login/" in text


def test_demo_totp_prints_the_code_of_demo_accounts_only(load) -> None:  # type: ignore[no-untyped-def]
    load()
    account = demo_data().account("auditor@kasama.example")
    assert account is not None
    assert account.totp_secret
    out = io.StringIO()
    call_command("demo_totp", account.email, "--min-validity", "3", stdout=out, stderr=io.StringIO())
    expected, _valid = current_code(account.totp_secret)
    assert out.getvalue().strip() == expected
    with pytest.raises(CommandError):
        call_command("demo_totp", "hanako@resident.example", stdout=io.StringIO(), stderr=io.StringIO())
    # An account that enrolled another authenticator is no longer the demo's to print.
    user = User.objects.get(email=account.email)
    Authenticator.objects.filter(user=user).delete()
    from madoguchi.testing.factories import enrol_totp

    enrol_totp(user, "JBSWY3DPEHPK3PXP")
    with pytest.raises(CommandError):
        call_command("demo_totp", account.email, stdout=io.StringIO(), stderr=io.StringIO())
