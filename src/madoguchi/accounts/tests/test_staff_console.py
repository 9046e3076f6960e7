"""The staff console screens of the foundation: departments, staff, the municipality's
settings, the directory of residents and businesses, the dashboard and branding, and
that Django's own admin is the operator's alone."""

from __future__ import annotations

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from madoguchi.accounts.models import AccountKind, Role, StaffProfile, User
from madoguchi.audit import access
from madoguchi.audit import services as audit
from madoguchi.audit.models import Action, AuditEntry
from madoguchi.core.models import Department, Municipality
from madoguchi.notifications.models import OutboundMessage
from madoguchi.testing.factories import DepartmentFactory, UserFactory, make_staff
from madoguchi.testing.tenancy import TenantIsolation, TenantPair

pytestmark = pytest.mark.django_db


def sign_in(client: Client, user: User) -> None:
    client.force_login(user, backend="allauth.account.auth_backends.AuthenticationBackend")
    session = client.session
    session["account_authentication_methods"] = [{"method": "password"}, {"method": "mfa", "type": "totp"}]
    session.save()


def assert_refused(response) -> None:
    """Wagtail answers a refused console page with a redirect to the dashboard."""
    assert response.status_code in (302, 403, 404), response.status_code
    if response.status_code == 302:
        assert response["Location"] == "/staff/"


def last_entry(municipality: Municipality) -> AuditEntry:
    return AuditEntry.objects.filter(chain=municipality.code).order_by("-sequence").first()


@pytest.fixture
def admin(client: Client, kasama: Municipality) -> User:
    user = make_staff(kasama, Role.MUNICIPAL_ADMIN)
    sign_in(client, user)
    return user


# --- Departments ------------------------------------------------------------------------


def test_an_admin_creates_a_department_through_the_service(client: Client, kasama: Municipality, admin: User) -> None:
    response = client.post(
        "/staff/departments/new/",
        {"code": "SHIMIN", "name_ja": "市民課", "name_en": "Citizens Division", "phone": "0296771101", "sort_order": 5,
         "is_active": "on"},
    )  # fmt: skip
    assert response.status_code == 302, response.content.decode()[:2000]
    department = Department.objects.get(municipality=kasama, code="SHIMIN")
    assert department.phone == "0296-77-1101"
    entry = last_entry(kasama)
    assert (entry.action, entry.object_type, entry.object_id, entry.actor_id) == (
        Action.CREATE,
        "core.department",
        str(department.pk),
        admin.pk,
    )
    assert "name_ja" in entry.fields


def test_a_department_code_is_unique_within_the_municipality(client: Client, kasama: Municipality, admin: User) -> None:
    DepartmentFactory(municipality=kasama, code="SOMU")
    response = client.post("/staff/departments/new/", {"code": "SOMU", "name_ja": "総務課", "sort_order": 0})
    assert response.status_code == 200
    assert "この部署コードは既に使われています。" in response.content.decode()


def test_an_edit_records_the_fields_changed(client: Client, kasama: Municipality, admin: User) -> None:
    department = DepartmentFactory(municipality=kasama, code="ZEIMU", name_ja="税務課")
    response = client.post(
        f"/staff/departments/edit/{department.pk}/",
        {"code": "ZEIMU", "name_ja": "課税課", "name_en": department.name_en, "sort_order": 0, "is_active": "on"},
    )
    assert response.status_code == 302
    department.refresh_from_db()
    assert department.name_ja == "課税課"
    entry = last_entry(kasama)
    assert (entry.action, entry.fields) == (Action.UPDATE, ["name_ja"])


def test_a_department_cannot_go_under_its_own_sub_department(client: Client, kasama: Municipality, admin: User) -> None:
    top = DepartmentFactory(municipality=kasama, code="TOP")
    sub = DepartmentFactory(municipality=kasama, code="SUB", parent=top)
    response = client.post(
        f"/staff/departments/edit/{top.pk}/",
        {"code": "TOP", "name_ja": top.name_ja, "parent": sub.pk, "sort_order": 0, "is_active": "on"},
    )
    assert response.status_code == 200
    assert "下位の部署の下に置くことはできません" in response.content.decode()
    top.refresh_from_db()
    assert top.parent_id is None


def test_departments_export_as_csv(client: Client, kasama: Municipality, admin: User) -> None:
    DepartmentFactory(municipality=kasama, code="=CMD", name_ja="企画課")
    response = client.get("/staff/departments/", {"export": "csv"})
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode().lstrip("\ufeff"))))
    assert {"'=CMD"} <= {r["部署コード"] for r in rows}


def test_a_kasama_admin_cannot_open_or_change_mito_departments(client: Client, two_municipalities: TenantPair) -> None:
    home, other = two_municipalities.home, two_municipalities.other
    theirs = DepartmentFactory(municipality=other.municipality, code="MITO1", name_ja="水戸だけの課")
    iso = TenantIsolation(client, two_municipalities)
    iso.assert_page_excludes("/staff/departments/", as_user=home.staff, markers=["水戸だけの課", "MITO1"])
    iso.assert_unreachable(f"/staff/departments/edit/{theirs.pk}/", obj=theirs, as_user=home.staff)
    iso.assert_unreachable(f"/staff/departments/delete/{theirs.pk}/", obj=theirs, as_user=home.staff)
    # A parent from the other municipality is not offered, and not accepted.
    response = client.post(
        "/staff/departments/new/", {"code": "X1", "name_ja": "新しい課", "parent": theirs.pk, "sort_order": 0}
    )
    assert response.status_code == 200
    assert not Department.objects.filter(code="X1").exists()


def test_a_counter_clerk_cannot_manage_departments(client: Client, kasama: Municipality) -> None:
    department = DepartmentFactory(municipality=kasama)
    sign_in(client, make_staff(kasama, Role.COUNTER_CLERK))
    assert_refused(client.get("/staff/departments/"))
    assert_refused(client.post(f"/staff/departments/edit/{department.pk}/", {"code": "X", "name_ja": "X"}))
    assert "/staff/departments/" not in client.get("/staff/").content.decode()


# --- Staff ------------------------------------------------------------------------------


def test_an_admin_lists_staff_with_roles_and_departments(client: Client, kasama: Municipality, admin: User) -> None:
    clerk = make_staff(kasama, Role.COUNTER_CLERK, Role.OFFICER)
    body = client.get("/staff/staff-members/").content.decode()
    assert clerk.email in body
    assert "窓口担当、担当職員" in body
    assert clerk.staff_profile.department.name_ja in body
    filtered = client.get("/staff/staff-members/", {"role": Role.COUNTER_CLERK}).content.decode()
    assert clerk.email in filtered
    assert admin.email not in filtered


def test_an_admin_creates_a_staff_account_and_it_is_invited(client: Client, kasama: Municipality, admin: User) -> None:
    department = DepartmentFactory(municipality=kasama, name_ja="市民課")
    with pytest.raises(User.DoesNotExist):
        User.objects.get(email="new.staff@city.example.jp")
    response = client.post(
        "/staff/staff-members/new/",
        {"email": "New.Staff@city.example.jp", "family_name": "笠間", "given_name": "花子",
         "department": department.pk, "roles": [Role.COUNTER_CLERK, Role.OFFICER], "title": "主事",
         "staff_number": "1234"},
    )  # fmt: skip
    assert response.status_code == 302, response.content.decode()[:3000]
    user = User.objects.get(email="new.staff@city.example.jp")
    profile = user.staff_profile
    assert (profile.municipality, profile.department, profile.roles) == (
        kasama,
        department,
        ["counter_clerk", "officer"],
    )
    assert user.kind == AccountKind.STAFF
    assert not user.has_usable_password()
    created = AuditEntry.objects.get(
        action=Action.CREATE, object_type="accounts.staffprofile", object_id=str(profile.pk)
    )
    assert created.actor_id == admin.pk
    invitation = OutboundMessage.unscoped.get(template_key="accounts/staff_invitation")
    assert invitation.address == user.email
    assert "/accounts/password/reset/key/" not in str(invitation.context)  # the link is a secret


def test_an_address_in_use_is_refused(client: Client, kasama: Municipality, admin: User) -> None:
    department = DepartmentFactory(municipality=kasama)
    UserFactory(email="taken@example.jp")
    response = client.post(
        "/staff/staff-members/new/",
        {"email": "TAKEN@example.jp", "family_name": "a", "given_name": "b", "department": department.pk,
         "roles": [Role.OFFICER]},
    )  # fmt: skip
    assert response.status_code == 200
    assert "このメールアドレスのアカウントは既にあります。" in response.content.decode()


def test_an_admin_changes_roles_and_the_change_is_recorded(client: Client, kasama: Municipality, admin: User) -> None:
    clerk = make_staff(kasama, Role.COUNTER_CLERK)
    profile = clerk.staff_profile
    response = client.post(
        f"/staff/staff-members/edit/{profile.pk}/",
        {"family_name": clerk.family_name, "given_name": clerk.given_name, "department": profile.department_id,
         "roles": [Role.COUNTER_CLERK, Role.AUDITOR], "title": "", "staff_number": ""},
    )  # fmt: skip
    assert response.status_code == 302, response.content.decode()[:3000]
    profile.refresh_from_db()
    assert profile.roles == ["auditor", "counter_clerk"]
    entry = last_entry(kasama)
    assert (entry.action, entry.fields) == (Action.UPDATE, ["roles"])
    assert entry.extra == {"roles_added": ["auditor"], "roles_removed": []}


def test_the_last_administrator_keeps_the_role(client: Client, kasama: Municipality, admin: User) -> None:
    profile = admin.staff_profile
    response = client.post(
        f"/staff/staff-members/edit/{profile.pk}/",
        {"family_name": admin.family_name, "given_name": admin.given_name, "department": profile.department_id,
         "roles": [Role.OFFICER], "title": "", "staff_number": ""},
    )  # fmt: skip
    assert response.status_code == 200
    assert "団体管理者がいなくなるため" in response.content.decode()
    profile.refresh_from_db()
    assert Role.MUNICIPAL_ADMIN in profile.roles


def test_an_admin_deactivates_and_reactivates_staff(client: Client, kasama: Municipality, admin: User) -> None:
    clerk = make_staff(kasama, Role.COUNTER_CLERK)
    url = f"/staff/staff-members/{clerk.staff_profile.pk}/deactivate/"
    assert "停止すると" in client.get(url).content.decode()
    assert client.post(url).status_code == 302
    clerk.refresh_from_db()
    assert not clerk.is_active
    entry = last_entry(kasama)
    assert (entry.action, entry.object_type, entry.fields) == (Action.UPDATE, "accounts.user", ["is_active"])
    client.post(f"/staff/staff-members/{clerk.staff_profile.pk}/reactivate/")
    clerk.refresh_from_db()
    assert clerk.is_active


def test_nobody_deactivates_their_own_account(client: Client, kasama: Municipality, admin: User) -> None:
    make_staff(kasama, Role.MUNICIPAL_ADMIN)  # another administrator exists
    response = client.post(f"/staff/staff-members/{admin.staff_profile.pk}/deactivate/", follow=True)
    assert "自分のアカウントは停止できません。" in response.content.decode()
    admin.refresh_from_db()
    assert admin.is_active


def test_a_kasama_admin_cannot_open_or_change_mito_staff(client: Client, two_municipalities: TenantPair) -> None:
    home, other = two_municipalities.home, two_municipalities.other
    theirs: StaffProfile = other.staff.staff_profile
    iso = TenantIsolation(client, two_municipalities)
    iso.assert_page_excludes("/staff/staff-members/", as_user=home.staff, markers=[other.staff.email])
    iso.assert_unreachable(f"/staff/staff-members/edit/{theirs.pk}/", obj=theirs, as_user=home.staff)
    iso.assert_unreachable(f"/staff/staff-members/{theirs.pk}/deactivate/", obj=other.staff, as_user=home.staff)
    other.staff.refresh_from_db()
    assert other.staff.is_active
    # Nor can a Kasama account be put into a Mito department.
    mine: StaffProfile = home.staff.staff_profile
    client.post(
        f"/staff/staff-members/edit/{mine.pk}/",
        {"family_name": "x", "given_name": "y", "department": theirs.department_id, "roles": list(Role.values)},
    )
    mine.refresh_from_db()
    assert mine.department.municipality_id == home.municipality.pk


def test_a_counter_clerk_cannot_manage_staff(client: Client, kasama: Municipality) -> None:
    other = make_staff(kasama, Role.OFFICER)
    sign_in(client, make_staff(kasama, Role.COUNTER_CLERK))
    assert_refused(client.get("/staff/staff-members/"))
    assert_refused(client.post(f"/staff/staff-members/{other.staff_profile.pk}/deactivate/"))
    other.refresh_from_db()
    assert other.is_active


# --- The municipality's settings -----------------------------------------------------------

SETTINGS = "/staff/municipality/"


def settings_form(**changes: object) -> dict[str, object]:
    return {
        "postal_code": "309-1792", "address": "茨城県笠間市中央三丁目2番1号", "address_en": "", "phone": "0296771101",
        "email": "info@city.kasama.example", "office_hours_ja": "", "office_hours_en": "",
        "primary_colour": "#0031d8", "accent_colour": "#00118f", **changes,
    }  # fmt: skip


def test_an_admin_edits_contact_details_and_colours(client: Client, kasama: Municipality, admin: User) -> None:
    response = client.post(SETTINGS, settings_form(postal_code="〒３０９１７９２", primary_colour="#1A4D2E"))
    assert response.status_code == 302
    kasama.refresh_from_db()
    assert (kasama.postal_code, kasama.phone, kasama.primary_colour) == ("309-1792", "0296-77-1101", "#1a4d2e")
    entry = last_entry(kasama)
    assert entry.action == Action.UPDATE
    assert entry.object_type == "core.municipality"
    assert {"postal_code", "phone", "primary_colour", "address", "email"} <= set(entry.fields)


def test_unreadable_colours_and_bad_numbers_are_refused(client: Client, kasama: Municipality, admin: User) -> None:
    response = client.post(SETTINGS, settings_form(primary_colour="#ffee00", postal_code="12", phone="12"))
    body = response.content.decode()
    assert response.status_code == 200
    assert "郵便番号は7桁の数字で入力してください" in body
    assert "電話番号を正しく入力してください" in body
    kasama.refresh_from_db()
    assert kasama.primary_colour == "#0031d8"


def test_an_admin_uploads_a_logo(client: Client, kasama: Municipality, admin: User) -> None:
    import base64

    png = base64.b64decode(
        "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
    )
    upload = SimpleUploadedFile("logo.png", png, content_type="image/png")
    response = client.post(SETTINGS, {**settings_form(), "logo_upload": upload})
    assert response.status_code == 302, response.content.decode()[:2000]
    kasama.refresh_from_db()
    assert kasama.logo is not None
    assert last_entry(kasama).fields == ["logo"]
    svg = SimpleUploadedFile("logo.svg", b"<svg xmlns='http://www.w3.org/2000/svg'/>", content_type="image/svg+xml")
    assert client.post(SETTINGS, {**settings_form(), "logo_upload": svg}).status_code == 200


def test_settings_change_only_the_own_municipality(client: Client, two_municipalities: TenantPair) -> None:
    home, other = two_municipalities.home, two_municipalities.other
    before = Municipality.objects.get(pk=other.municipality.pk).phone
    sign_in(client, home.staff)
    assert client.post(SETTINGS, settings_form(phone="0296-11-2222")).status_code == 302
    assert Municipality.objects.get(pk=home.municipality.pk).phone == "0296-11-2222"
    assert Municipality.objects.get(pk=other.municipality.pk).phone == before


def test_settings_are_for_the_admin_of_the_municipality_only(client: Client, kasama: Municipality) -> None:
    sign_in(client, make_staff(kasama, Role.COUNTER_CLERK))
    assert_refused(client.get(SETTINGS))
    assert_refused(client.post(SETTINGS, settings_form(phone="0296000000")))


# --- The directory of residents and businesses ----------------------------------------


def known_to(municipality: Municipality, **fields: object) -> User:
    """A resident who has used a service of the municipality (the service recorded it)."""
    person = UserFactory(**fields)
    audit.record(action=Action.CREATE, actor=person, municipality=municipality, object_type="procedures.application")
    return person


def test_the_directory_lists_nothing_before_a_search(client: Client, kasama: Municipality) -> None:
    known_to(kasama, family_name="佐藤")
    sign_in(client, make_staff(kasama, Role.COUNTER_CLERK))
    body = client.get("/staff/people/").content.decode()
    assert "佐藤" not in body
    assert "で検索してください" in body


def test_a_search_finds_people_and_is_recorded(client: Client, kasama: Municipality) -> None:
    person = known_to(kasama, family_name="鈴木", given_name="一郎", email="ichiro.suzuki@example.jp")
    known_to(kasama, family_name="田中")
    clerk = make_staff(kasama, Role.COUNTER_CLERK)
    sign_in(client, clerk)
    body = client.get("/staff/people/", {"q": "鈴木 一郎"}).content.decode()
    assert "鈴木 一郎" in body
    assert "田中" not in body
    assert "i***@example.jp" in body
    assert person.email not in body
    entry = last_entry(kasama)
    assert (entry.action, entry.personal_data, entry.actor_id) == (Action.VIEW, True, clerk.pk)
    assert entry.extra == {"search": "鈴木 一郎", "results": 1}


def test_opening_a_person_asks_for_a_reason_then_records_the_read(client: Client, kasama: Municipality) -> None:
    person = known_to(kasama, family_name="高橋")
    clerk = make_staff(kasama, Role.COUNTER_CLERK)
    sign_in(client, clerk)
    url = f"/staff/people/{person.pk}/"
    first = client.get(url)
    assert first.status_code == 302
    assert first["Location"].startswith("/staff/access-reason/?key=accounts.user%3A")
    views_before = AuditEntry.objects.filter(action=Action.VIEW, subject_id=person.pk).count()
    assert views_before == 0  # nothing was shown, nothing read
    client.post(
        "/staff/access-reason/",
        {"key": access.subject_key_for(person), "next": url, "purpose": "inquiry", "detail": "電話での問い合わせ"},
    )
    response = client.get(url)
    body = response.content.decode()
    assert response.status_code == 200
    assert person.email in body
    assert "高橋" in body
    read = last_entry(kasama)
    assert (read.action, read.personal_data, read.subject_id, read.object_id) == (
        Action.VIEW,
        True,
        person.pk,
        str(person.pk),
    )
    assert read.reason == "本人からの問い合わせ・申請への対応: 電話での問い合わせ"
    assert "email" in read.fields


def test_the_directory_keeps_municipalities_apart(client: Client, two_municipalities: TenantPair) -> None:
    home, other = two_municipalities.home, two_municipalities.other
    mito_only = known_to(other.municipality, family_name="水戸住民", email="mito.only@example.jp")
    iso = TenantIsolation(client, two_municipalities)
    iso.assert_page_excludes("/staff/people/?q=水戸", as_user=home.staff, markers=["水戸住民", "m***@example.jp"])
    iso.assert_unreachable(f"/staff/people/{mito_only.pk}/", obj=mito_only, as_user=home.staff, methods=("get",))
    # Even with a reason given, the other municipality's resident stays out of reach.
    session = client.session
    session[access.SESSION_KEY] = {access.subject_key_for(mito_only): {"reason": "x", "expires": 2**40}}
    session.save()
    assert client.get(f"/staff/people/{mito_only.pk}/").status_code == 404


def test_staff_accounts_are_not_in_the_directory(client: Client, kasama: Municipality) -> None:
    colleague = make_staff(kasama, Role.OFFICER)
    audit.record(action=Action.UPDATE, actor=colleague, municipality=kasama)
    sign_in(client, make_staff(kasama, Role.COUNTER_CLERK))
    assert client.get(f"/staff/people/{colleague.pk}/").status_code == 404


def test_the_directory_needs_its_permission(client: Client, kasama: Municipality) -> None:
    person = known_to(kasama)
    sign_in(client, make_staff(kasama, Role.APPROVER))
    assert_refused(client.get("/staff/people/", {"q": person.family_name}))
    assert_refused(client.get(f"/staff/people/{person.pk}/"))


# --- Dashboard, branding, Django's admin -------------------------------------------------


def test_the_console_is_branded_and_shows_where_you_belong(client: Client, kasama: Municipality, admin: User) -> None:
    body = client.get("/staff/").content.decode()
    assert "笠間市 | madoguchi 職員コンソール</title>" in body
    assert "笠間市 職員コンソール" in body
    assert "あなたの所属" in body
    assert "団体管理者" in body
    assert admin.staff_profile.department.name_ja in body
    from wagtail.users.models import UserProfile

    profile = UserProfile.get_for_user(admin)
    profile.preferred_language = "en"
    profile.save()
    english = client.get("/staff/").content.decode()
    assert "Kasama City | madoguchi Staff console</title>" in english


def test_menus_follow_the_roles(client: Client, kasama: Municipality) -> None:
    sign_in(client, make_staff(kasama, Role.MUNICIPAL_ADMIN))
    admin_menu = client.get("/staff/").content.decode()
    for url in ("/staff/departments/", "/staff/staff-members/", "/staff/municipality/", "/staff/audit-log/"):
        assert url in admin_menu
    sign_in(client, make_staff(kasama, Role.COUNTER_CLERK))
    clerk_menu = client.get("/staff/").content.decode()
    assert "/staff/people/" in clerk_menu
    for url in ("/staff/departments/", "/staff/staff-members/", "/staff/municipality/", "/staff/audit-log/"):
        assert url not in clerk_menu


def test_django_admin_is_for_the_operator_only(client: Client, kasama: Municipality) -> None:
    municipal_admin = make_staff(kasama, Role.MUNICIPAL_ADMIN)
    municipal_admin.is_staff = True  # even with Django's staff flag set by mistake
    municipal_admin.save()
    sign_in(client, municipal_admin)
    response = client.get("/django-admin/")
    assert response.status_code in (302, 403)
    assert "/django-admin/login/" in response.get("Location", "/django-admin/login/")
    assert client.get("/django-admin/core/department/").status_code in (302, 403)
    operator = make_staff(kasama, Role.MUNICIPAL_ADMIN)
    operator.is_staff = operator.is_superuser = True
    operator.save()
    sign_in(client, operator)
    assert client.get("/django-admin/").status_code == 200
