"""The staff console (/staff/) as staff use it in a browser: auditors search the audit log
and export it as CSV, a counter clerk gives a reason before opening a resident's personal
data, and a municipal administrator works through the console's own screens. Every page
is checked with axe-core and against the Content-Security-Policy (conftest)."""

from __future__ import annotations

import csv
import io
import re

import pytest
from django.test import Client
from playwright.sync_api import BrowserContext, Page, Route, expect

from madoguchi.accounts.models import Role, User
from madoguchi.audit import services as audit
from madoguchi.audit.models import Action, AuditEntry
from madoguchi.core.models import Department, Municipality
from madoguchi.testing.factories import DepartmentFactory, UserFactory, make_staff

from .sessions import sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


ASSET_PATTERN = re.compile(r"/staff/(sprite|jsi18n)/")


@pytest.fixture
def console_assets(live_server) -> dict[str, tuple[str, bytes]]:
    """Every console page fetches Wagtail's icon sprite and JavaScript catalogue next to
    itself. The live server's threads share the test's in-memory SQLite connection, and
    two requests at once collide there ("database table is locked"), which no deployment
    sees. Both resources are the same for every page: fetch them once, before the browser
    starts, and hand them to the browser from there (`serve_assets`)."""
    client = Client(HTTP_ACCEPT_LANGUAGE="ja")
    assets = {}
    for name in ("sprite", "jsi18n"):
        response = client.get(f"/staff/{name}/")
        assert response.status_code == 200
        assets[name] = (response["Content-Type"], response.content)
    return assets


def serve_assets(context: BrowserContext, assets: dict[str, tuple[str, bytes]]) -> None:
    def serve(route: Route) -> None:
        content_type, body = assets["sprite" if "/staff/sprite/" in route.request.url else "jsi18n"]
        route.fulfill(status=200, headers={"Content-Type": content_type}, body=body)

    context.route(ASSET_PATTERN, serve)


@pytest.fixture(autouse=True)
def _assets_for_the_default_context(context: BrowserContext, console_assets) -> None:
    serve_assets(context, console_assets)


def known_to(municipality: Municipality, **fields: object) -> User:
    """A resident who has used one of the municipality's services (the service recorded it)."""
    person = UserFactory(**fields)
    audit.record(action=Action.CREATE, actor=person, municipality=municipality, object_type="procedures.application")
    return person


def test_an_auditor_searches_the_log_and_exports_it(page: Page, base_url: str, kasama: Municipality) -> None:
    auditor = make_staff(kasama, Role.AUDITOR)
    clerk = make_staff(kasama, Role.COUNTER_CLERK, email="clerk@city.kasama.example")
    audit.record(action=Action.VIEW, municipality=kasama, actor=clerk, personal_data=True, reason="窓口での本人確認XYZ")
    audit.record(action=Action.LOGIN_FAILED, municipality=kasama, extra={"email": "=cmd@example.jp"})
    sign_in(page.context, base_url, auditor)

    page.goto(f"{base_url}/staff/")
    expect(page).to_have_title(re.compile(r"笠間市 \| madoguchi 職員コンソール$"))
    page.get_by_role("link", name="監査ログ").first.click()
    expect(page).to_have_url(re.compile(r"/staff/audit-log/$"))
    expect(page.get_by_role("heading", name="監査ログ")).to_be_visible()

    search = page.locator("#id_q")
    search.fill("XYZ")
    search.press("Enter")
    results = page.locator("#listing-results")
    expect(results).to_contain_text("窓口での本人確認XYZ")
    expect(results).not_to_contain_text("サインイン失敗")

    page.get_by_role("button", name="操作").click()
    with page.expect_download() as download_info:
        page.locator("a[href*='export=csv']").click()
    download = download_info.value
    assert re.fullmatch(rf"audit-log-{kasama.code}-\d{{8}}-\d{{6}}\.csv", download.suggested_filename)
    text = download.path().read_text(encoding="utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [r["理由"] for r in rows] == ["窓口での本人確認XYZ"]
    assert rows[0]["操作者"] == "clerk@city.kasama.example"
    assert rows[0]["個人情報"] == "はい"

    export = AuditEntry.objects.filter(chain=kasama.code, action=Action.EXPORT).get()
    assert export.actor_id == auditor.pk
    assert export.extra["criteria"] == {"q": "XYZ"}
    assert AuditEntry.objects.filter(chain=kasama.code, action=Action.VIEW, object_type="audit.auditentry").exists()

    # One entry in full: its hash checks out.
    page.goto(f"{base_url}/staff/audit-log/?action=login_failed")
    page.locator("#listing-results a[href*='/inspect/']").first.click()
    expect(page.get_by_text("この記録の内容はハッシュと一致しています。", exact=False)).to_be_visible()
    expect(page.locator("main")).to_contain_text("=cmd@example.jp")


def test_a_clerk_gives_a_reason_before_opening_a_residents_data(
    page: Page, base_url: str, kasama: Municipality
) -> None:
    clerk = make_staff(kasama, Role.COUNTER_CLERK)
    person = known_to(kasama, family_name="鈴木", given_name="花子", email="hanako.suzuki@example.jp")
    sign_in(page.context, base_url, clerk)

    page.goto(f"{base_url}/staff/people/")
    expect(page.locator("main")).to_contain_text("で検索してください")
    search = page.locator("#id_q")
    search.fill("鈴木")
    search.press("Enter")
    result = page.locator("#listing-results").get_by_role("link", name="鈴木 花子")
    expect(result).to_be_visible()
    expect(page.locator("#listing-results")).to_contain_text("h***@example.jp")
    expect(page.locator("#listing-results")).not_to_contain_text("hanako.suzuki@example.jp")
    result.click()

    expect(page).to_have_url(re.compile(r"/staff/access-reason/\?key=accounts\.user%3A\d+"))
    expect(page.get_by_role("heading", name="閲覧の理由", level=2)).to_be_visible()
    assert not AuditEntry.objects.filter(subject_id=person.pk, personal_data=True).exists()

    page.get_by_role("button", name="理由を記録して開く").click()
    expect(page.locator(".error-message").first).to_be_visible()
    page.get_by_label("目的").select_option(label="本人からの問い合わせ・申請への対応")
    page.get_by_label("具体的な理由").fill("電話で住所変更の状況について問い合わせがあったため")
    page.get_by_role("button", name="理由を記録して開く").click()

    expect(page).to_have_url(re.compile(rf"/staff/people/{person.pk}/$"))
    expect(page.locator("main")).to_contain_text("hanako.suzuki@example.jp")
    expect(page.locator("main")).to_contain_text("この閲覧は監査ログに記録されました。")
    read = AuditEntry.objects.get(action=Action.VIEW, subject_id=person.pk, personal_data=True)
    assert read.actor_id == clerk.pk
    assert read.reason == "本人からの問い合わせ・申請への対応: 電話で住所変更の状況について問い合わせがあったため"

    # Within the reason's lifetime the page opens again directly; each opening is recorded.
    page.reload()
    expect(page).to_have_url(re.compile(rf"/staff/people/{person.pk}/$"))
    assert AuditEntry.objects.filter(action=Action.VIEW, subject_id=person.pk).count() == 2


def test_the_reason_screen_works_on_a_phone(
    phone_page: Page, base_url: str, kasama: Municipality, console_assets
) -> None:
    serve_assets(phone_page.context, console_assets)
    clerk = make_staff(kasama, Role.COUNTER_CLERK)
    person = known_to(kasama, family_name="佐藤")
    sign_in(phone_page.context, base_url, clerk)
    phone_page.goto(f"{base_url}/staff/people/{person.pk}/")
    expect(phone_page.get_by_role("heading", name="閲覧の理由", level=2)).to_be_visible()
    phone_page.get_by_label("目的").select_option("casework")
    phone_page.get_by_label("具体的な理由").fill("担当している申請の確認のため")
    phone_page.get_by_role("button", name="理由を記録して開く").click()
    expect(phone_page.locator("main")).to_contain_text(person.email)


def test_an_administrator_works_through_the_console(page: Page, base_url: str, kasama: Municipality) -> None:
    admin = make_staff(kasama, Role.MUNICIPAL_ADMIN, Role.AUDITOR)
    department = admin.staff_profile.department
    colleague = make_staff(kasama, Role.OFFICER)
    sign_in(page.context, base_url, admin)

    page.goto(f"{base_url}/staff/")
    expect(page.get_by_role("heading", name="笠間市 職員コンソール")).to_be_visible()
    expect(page.locator("#madoguchi-staff-profile-section")).to_contain_text(department.name_ja)
    expect(page.locator("#madoguchi-audit-summary-section")).to_contain_text("サインインの失敗（7日間）")

    # A department, through the form.
    page.goto(f"{base_url}/staff/departments/new/")
    page.locator("#id_code").fill("KIKAKU")
    page.locator("#id_name_ja").fill("企画政策課")
    page.locator("#id_phone").fill("0296771101")
    page.locator("#w-editor-form footer button[type=submit]").first.click()
    expect(page).to_have_url(re.compile(r"/staff/departments/$"))
    expect(page.locator("#listing-results")).to_contain_text("企画政策課")
    assert Department.objects.get(municipality=kasama, code="KIKAKU").phone == "0296-77-1101"

    # A colleague's roles, then their account stopped.
    page.goto(f"{base_url}/staff/staff-members/edit/{colleague.staff_profile.pk}/")
    page.get_by_label("決裁者").check()
    page.locator("#w-editor-form footer button[type=submit]").first.click()
    expect(page).to_have_url(re.compile(r"/staff/staff-members/$"))
    expect(page.locator("#listing-results")).to_contain_text("担当職員、決裁者")
    page.goto(f"{base_url}/staff/staff-members/{colleague.staff_profile.pk}/deactivate/")
    page.get_by_role("button", name="停止する").click()
    expect(page.locator("#listing-results")).to_contain_text("停止中")
    colleague.refresh_from_db()
    assert not colleague.is_active

    # The municipality's own settings.
    page.goto(f"{base_url}/staff/municipality/")
    page.locator("#id_phone").fill("0296-77-1101")
    page.locator("#w-editor-form footer button[type=submit]").first.click()
    expect(page.locator(".messages")).to_contain_text("団体の設定を保存しました。")
    kasama.refresh_from_db()
    assert kasama.phone == "0296-77-1101"

    for path in ("/staff/staff-members/new/", "/staff/departments/", f"/staff/departments/edit/{department.pk}/"):
        page.goto(f"{base_url}{path}")
        expect(page.locator("main")).to_be_visible()

    changes = AuditEntry.objects.filter(chain=kasama.code, actor_id=admin.pk, action__in=[Action.CREATE, Action.UPDATE])
    assert {e.object_type for e in changes} >= {
        "core.department",
        "accounts.staffprofile",
        "accounts.user",
        "core.municipality",
    }


def test_a_municipal_admin_has_no_django_admin(page: Page, base_url: str, kasama: Municipality) -> None:
    DepartmentFactory(municipality=kasama)
    admin = make_staff(kasama, Role.MUNICIPAL_ADMIN)
    sign_in(page.context, base_url, admin)
    page.goto(f"{base_url}/django-admin/")
    expect(page).not_to_have_url(f"{base_url}/django-admin/")
    expect(page.locator("a[href^='/django-admin/core/']")).to_have_count(0)
    expect(page.locator("a[href^='/django-admin/accounts/']")).to_have_count(0)
