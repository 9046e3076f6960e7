"""The audit log in the staff console and in the API: who may read it, that a
municipality only ever sees its own chain, and that every read is itself recorded."""

from __future__ import annotations

import csv
import datetime
import io

import pytest
from django.test import Client
from django.utils import timezone

from madoguchi.accounts.models import Role, User
from madoguchi.api.services import issue_token
from madoguchi.audit import services
from madoguchi.audit.models import Action, AuditEntry
from madoguchi.core.models import Municipality
from madoguchi.testing.factories import UserFactory, make_staff
from madoguchi.testing.tenancy import TenantIsolation, TenantPair

pytestmark = pytest.mark.django_db

LOG = "/staff/audit-log/"


def sign_in(client: Client, user: User) -> None:
    client.force_login(user, backend="allauth.account.auth_backends.AuthenticationBackend")
    session = client.session
    session["account_authentication_methods"] = [{"method": "password"}, {"method": "mfa", "type": "totp"}]
    session.save()


def csv_rows(response) -> list[dict[str, str]]:
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff")  # Excel opens it as UTF-8
    return list(csv.DictReader(io.StringIO(body.lstrip("\ufeff"))))


def assert_refused(response) -> None:
    """Wagtail answers a refused console page with a redirect to the dashboard."""
    assert response.status_code in (302, 403), response.status_code
    if response.status_code == 302:
        assert response["Location"] == "/staff/"


def last_entry(municipality: Municipality) -> AuditEntry:
    return AuditEntry.objects.filter(chain=municipality.code).order_by("-sequence").first()


@pytest.fixture
def auditor(kasama: Municipality) -> User:
    return make_staff(kasama, Role.AUDITOR)


def test_the_log_lists_and_records_the_look(client: Client, kasama: Municipality, auditor: User) -> None:
    services.record(action=Action.UPDATE, municipality=kasama, reason="窓口での訂正", extra={"n": 1})
    sign_in(client, auditor)
    response = client.get(LOG, {"q": "窓口"})
    assert response.status_code == 200
    assert "窓口での訂正" in response.content.decode()
    look = last_entry(kasama)
    assert look.action == Action.VIEW
    assert look.object_type == "audit.auditentry"
    assert look.actor_id == auditor.pk
    assert look.extra["criteria"] == {"q": "窓口"}


@pytest.mark.parametrize(
    ("criteria", "expected"),
    [
        ({"action": "login_failed"}, {"failed"}),
        ({"personal_data": "true"}, {"personal"}),
        ({"actor": "clerk-"}, {"personal"}),
        ({"object_type": "core.municipality"}, {"created"}),
        ({"subject_id": "424242"}, {"personal"}),
    ],
)
def test_the_log_filters(client: Client, kasama: Municipality, auditor: User, criteria, expected) -> None:
    clerk = make_staff(kasama, Role.COUNTER_CLERK, email="clerk-1@example.jp")
    services.record(action=Action.LOGIN_FAILED, municipality=kasama, reason="failed")
    subject = User(pk=424242)
    services.record(
        action=Action.VIEW, municipality=kasama, actor=clerk, personal_data=True, subject=subject, reason="personal"
    )
    sign_in(client, auditor)
    rows = csv_rows(client.get(LOG, {**criteria, "export": "csv"}))
    reasons = {row["理由"] for row in rows if row["理由"]}
    if "object_type" in criteria:
        reasons = {"created" for row in rows if row["対象の種類"] == "core.municipality"}
    assert reasons == expected


def test_the_log_filters_by_date(client: Client, kasama: Municipality, auditor: User) -> None:
    services.record(action=Action.OTHER, municipality=kasama, reason="today")
    sign_in(client, auditor)
    today = timezone.localdate()
    tomorrow = today + datetime.timedelta(days=1)
    assert any(r["理由"] == "today" for r in csv_rows(client.get(LOG, {"occurred_at_from": today, "export": "csv"})))
    assert csv_rows(client.get(LOG, {"occurred_at_from": tomorrow, "export": "csv"})) == []


def test_the_export_is_recorded_and_safe_for_spreadsheets(client: Client, kasama: Municipality, auditor: User) -> None:
    services.record(action=Action.LOGIN_FAILED, municipality=kasama, extra={"email": '=HYPERLINK("http://x")'})
    services.record(action=Action.OTHER, municipality=kasama, reason="=1+2")
    sign_in(client, auditor)
    response = client.get(LOG, {"export": "csv", "action": "other"})
    assert response["Content-Type"].startswith("text/csv")
    assert f"audit-log-{kasama.code}-" in response["Content-Disposition"]
    rows = csv_rows(response)
    assert [r["理由"] for r in rows] == ["'=1+2"]
    export = last_entry(kasama)
    assert export.action == Action.EXPORT
    assert export.extra == {"format": "csv", "criteria": {"action": "other"}, "rows": 1}
    failed = csv_rows(client.get(LOG, {"export": "csv", "action": "login_failed"}))
    assert failed[0]["詳細"].startswith('{"email": "=HYPERLINK')  # inside JSON, not a formula


def test_one_entry_shows_and_is_recorded(client: Client, kasama: Municipality, auditor: User) -> None:
    entry = services.record(action=Action.OTHER, municipality=kasama, reason="詳細の確認")
    sign_in(client, auditor)
    response = client.get(f"{LOG}inspect/{entry.pk}/")
    body = response.content.decode()
    assert response.status_code == 200
    assert "詳細の確認" in body
    assert entry.entry_hash in body
    assert "ハッシュと一致しています" in body
    look = last_entry(kasama)
    assert (look.action, look.object_type, look.object_id) == (Action.VIEW, "audit.auditentry", str(entry.pk))


def test_a_municipal_admin_may_read_the_log(client: Client, kasama: Municipality) -> None:
    sign_in(client, make_staff(kasama, Role.MUNICIPAL_ADMIN))
    assert client.get(LOG).status_code == 200
    assert client.get(LOG, {"export": "csv"}).status_code == 200


@pytest.mark.parametrize("role", [Role.COUNTER_CLERK, Role.OFFICER, Role.APPROVER, Role.DEPARTMENT_HEAD])
def test_other_roles_cannot_open_the_log(client: Client, kasama: Municipality, role: str) -> None:
    entry = services.record(action=Action.OTHER, municipality=kasama)
    sign_in(client, make_staff(kasama, role))
    assert_refused(client.get(LOG))
    assert_refused(client.get(LOG, {"export": "csv"}))
    assert_refused(client.get(f"{LOG}inspect/{entry.pk}/"))
    assert LOG not in client.get("/staff/").content.decode()  # no menu item either


def test_the_log_cannot_be_changed_through_the_console(client: Client, kasama: Municipality, auditor: User) -> None:
    entry = services.record(action=Action.OTHER, municipality=kasama)
    sign_in(client, auditor)
    for url in (f"{LOG}edit/{entry.pk}/", f"{LOG}delete/{entry.pk}/", f"{LOG}new/"):
        assert client.post(url).status_code == 404


def test_a_kasama_auditor_never_sees_a_mito_entry(client: Client, two_municipalities: TenantPair) -> None:
    home, other = two_municipalities.home, two_municipalities.other
    theirs = services.record(action=Action.VIEW, municipality=other.municipality, reason="水戸の閲覧理由XYZ")
    iso = TenantIsolation(client, two_municipalities)
    iso.assert_page_excludes(LOG, as_user=home.staff, markers=["水戸の閲覧理由XYZ", other.municipality.code])
    iso.assert_page_excludes(f"{LOG}?q=XYZ", as_user=home.staff, markers=["水戸の閲覧理由XYZ"])
    iso.assert_unreachable(f"{LOG}inspect/{theirs.pk}/", obj=theirs, as_user=home.staff, methods=("get",))
    rows = csv_rows(client.get(LOG, {"export": "csv"}))
    assert rows
    assert all(r["チェーン"] == home.municipality.code for r in rows)


def test_the_dashboard_summarises_the_log_for_auditors(client: Client, kasama: Municipality, auditor: User) -> None:
    services.record(action=Action.LOGIN_FAILED, municipality=kasama)
    sign_in(client, auditor)
    body = client.get("/staff/").content.decode()
    assert "監査ログの概況" in body
    assert "サインインの失敗（7日間）" in body
    assert "チェーンはまだ検証されていません" in body
    sign_in(client, make_staff(kasama, Role.COUNTER_CLERK))
    assert "監査ログの概況" not in client.get("/staff/").content.decode()


# --- API -----------------------------------------------------------------------------------


@pytest.fixture
def auditor_token(kasama: Municipality, auditor: User) -> dict[str, str]:
    _token, raw = issue_token(municipality=kasama, user=auditor, name="log archive")
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


API = "/api/v1/kasama/audit-entries/"


def test_the_api_lists_the_municipality_log(client: Client, kasama: Municipality, auditor_token) -> None:
    for n in range(3):
        services.record(action=Action.OTHER, municipality=kasama, extra={"n": n})
    response = client.get(API, {"action": "other", "limit": 2}, **auditor_token)
    assert response.status_code == 200
    data = response.json()
    assert data["count"] == 3
    assert [e["extra"]["n"] for e in data["results"]] == [2, 1]
    assert data["next"] is not None
    assert set(data["results"][0]) >= {"sequence", "entry_hash", "previous_hash", "personal_data", "reason"}
    read = last_entry(kasama)
    assert read.action == Action.VIEW
    assert read.extra["api"] is True
    assert read.extra["criteria"] == {"action": "other"}


def test_the_api_filters(client: Client, kasama: Municipality, auditor_token) -> None:
    first = services.record(action=Action.VIEW, municipality=kasama, personal_data=True, subject=User(pk=77))
    services.record(action=Action.UPDATE, municipality=kasama)
    got = client.get(API, {"personal_data": "true", "subject_id": 77}, **auditor_token).json()
    assert [e["id"] for e in got["results"]] == [first.pk]
    incremental = client.get(API, {"after_sequence": first.sequence, "ordering": "sequence"}, **auditor_token).json()
    assert incremental["results"][0]["sequence"] == first.sequence + 1
    tomorrow = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()
    assert client.get(API, {"since": tomorrow}, **auditor_token).json()["count"] == 0
    bad = client.get(API, {"since": "yesterday"}, **auditor_token)
    assert bad.status_code == 400


def test_the_api_is_for_auditors_only(client: Client, kasama: Municipality) -> None:
    admin = make_staff(kasama, Role.MUNICIPAL_ADMIN, Role.COUNTER_CLERK)
    _token, raw = issue_token(municipality=kasama, user=admin, name="not an auditor")
    assert client.get(API, HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 403
    assert client.get(API).status_code in (401, 403)


def test_the_api_keeps_municipalities_apart(client: Client, two_municipalities: TenantPair) -> None:
    home, other = two_municipalities.home, two_municipalities.other
    theirs = services.record(action=Action.OTHER, municipality=other.municipality, reason="mito only")
    iso = TenantIsolation(client, two_municipalities)
    iso.assert_api_unreachable(f"/api/v1/{home.slug}/audit-entries/{theirs.pk}/", obj=theirs, token=home.token)
    iso.assert_api_cross_tenant_refused(f"/api/v1/{other.slug}/audit-entries/", token=home.token)
    listed = client.get(f"/api/v1/{home.slug}/audit-entries/", HTTP_AUTHORIZATION=f"Bearer {home.token}").json()
    assert {e["chain"] for e in listed["results"]} == {home.municipality.code}


def test_the_api_is_documented(client: Client) -> None:
    schema = client.get("/api/v1/schema/")
    text = schema.content.decode()
    assert "/api/v1/{municipality_slug}/audit-entries/" in text
    assert "after_sequence" in text


def test_a_resident_account_cannot_reach_the_console(client: Client, kasama: Municipality) -> None:
    sign_in(client, UserFactory())
    assert client.get(LOG).status_code in (302, 403)


@pytest.mark.parametrize(
    ("criteria", "status"),
    [
        ({"subject_id": "-5"}, 200),
        ({"since": "0001-01-01", "until": "9999-12-31"}, 200),
        ({"since": "2026-04-01T09:00:00+09:00"}, 200),
        ({"since": "2026-13-01"}, 400),
        ({"actor_id": "abc"}, 400),
        ({"personal_data": "maybe"}, 400),
        ({"object_type": "core.department\x00"}, 400),
        ({"action": "nothing"}, 400),
        ({"ordering": "reason"}, 400),
    ],
)
def test_the_api_answers_odd_criteria_clearly(
    client: Client, kasama: Municipality, auditor_token, criteria, status
) -> None:
    response = client.get(API, criteria, **auditor_token)
    assert response.status_code == status
    if status == 400:
        assert response.json()["error"]["fields"]
