"""The website's editing in the staff console, in a browser.

Must show: an editor (a municipal administrator of 福祉課, who edits the website) writes
a new page below the section 健康・福祉 (owned by 福祉課) in the Wagtail editor, sets its
go-live time and submits it to the department's approval workflow; 福祉課's approver
(決裁者) approves it; residents do not see it before its time — not even when the
scheduled publishing step runs early; once the step runs at its time, the page is live.

Every page is checked with axe-core and against the Content-Security-Policy (conftest),
the staff console's pages too."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import BrowserContext, Page, expect
from wagtail.models import WorkflowState

from madoguchi.accounts.models import Role, StaffProfile, User
from madoguchi.accounts.signals import staff_changed
from madoguchi.core.models import Department, Municipality
from madoguchi.portal import tasks
from madoguchi.portal.models import ContentPage, SectionPage
from madoguchi.portal.services import home_page_for, workflows
from madoguchi.testing.factories import DepartmentFactory, StaffProfileFactory, enrol_totp

from .conftest import AccessibilityLog, _wait_for_checks
from .sessions import sign_in
from .test_csp_staff import UPSTREAM_AXE_FINDINGS
from .test_staff_console import console_assets, serve_assets

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

__all__ = ["console_assets"]

TITLE = "インフルエンザ予防接種のお知らせ"


@pytest.fixture(autouse=True)
def _assets(context: BrowserContext, console_assets: dict[str, tuple[str, bytes]]) -> None:
    serve_assets(context, console_assets)


def staff(municipality: Municipality, department: Department, *roles: str) -> User:
    import madoguchi.portal.wagtail_hooks  # noqa: F401 - connects the approvers' receiver

    profile: StaffProfile = StaffProfileFactory.create(
        municipality=municipality, department=department, roles=list(roles)
    )
    staff_changed.send(sender=StaffProfile, profile=profile)
    enrol_totp(profile.user)
    return profile.user


def drop_upstream_findings(page: Page, log: AccessibilityLog) -> None:
    """Let the checks report, then forget axe-core's findings in Wagtail's own editor."""
    _wait_for_checks(page, log)
    for url, violations in log.checked.items():
        log.checked[url] = [
            violation
            for violation in violations
            if not all(
                (violation["id"], target) in UPSTREAM_AXE_FINDINGS
                for node in violation["nodes"]
                for target in node["target"]
            )
        ]


def test_an_editors_draft_is_approved_and_goes_live_at_its_time(
    page: Page, a11y_log: AccessibilityLog, base_url: str, kasama: Municipality, monkeypatch: pytest.MonkeyPatch
) -> None:
    welfare = DepartmentFactory.create(municipality=kasama, code="F10", name_ja="福祉課", name_en="Welfare Division")
    home = home_page_for(kasama)
    assert home is not None
    section = SectionPage(title="健康・福祉", slug="kenko", locale=home.locale, department=welfare)
    home.add_child(instance=section)
    section.save_revision().publish()
    workflows.sync_department_workflows(kasama)
    editor = staff(kasama, welfare, Role.MUNICIPAL_ADMIN)
    approver = staff(kasama, welfare, Role.APPROVER)
    go_live = (timezone.localtime() + dt.timedelta(days=1)).replace(hour=9, minute=0, second=0, microsecond=0)

    # The editor writes the page below the section and saves a draft.
    sign_in(page.context, base_url, editor)
    page.goto(f"{base_url}/staff/pages/add/portal/contentpage/{section.pk}/")
    page.locator("#id_title").fill(TITLE)
    page.locator("#id_lead").fill("今年度のインフルエンザ予防接種について")
    page.locator(".public-DraftEditor-content").first.click()
    page.keyboard.type("65歳以上の方は自己負担金1,500円で接種できます。")
    page.get_by_role("tab", name=re.compile("プロモート|Promote")).click()
    page.locator("#id_slug").fill("influenza")
    # … sets its go-live time in the publishing schedule (saving the draft) …
    page.get_by_role("button", name=re.compile("ステータス|Toggle status")).click()
    page.get_by_role("button", name=re.compile("スケジュールを設定|Set schedule")).click()
    dialog = page.locator("#schedule-publishing-dialog")
    go_live_field = dialog.locator("#id_go_live_at")
    go_live_field.fill(go_live.strftime("%Y-%m-%d %H:%M"))
    # The date picker stays open over the dialog's button: save from the keyboard.
    dialog.get_by_role("button", name=re.compile("スケジュールを保存|Save schedule")).focus()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/staff/pages/\d+/edit/"))
    expect(page.locator("#id_title")).to_have_value(TITLE)
    draft = ContentPage.objects.get(slug="influenza")
    assert not draft.live
    assert draft.get_latest_revision().content["go_live_at"] is not None

    # … and submits it to 福祉課's approval.
    page.get_by_role("button", name=re.compile("他のアクション|More actions")).click()
    page.get_by_role("button", name="福祉課の承認（笠間市）に提出する").click()
    expect(page.locator("main")).to_contain_text(f"ページ：'{TITLE}' が調整のために提出されました。")
    state = WorkflowState.objects.get(base_content_type__model="page", object_id=str(draft.pk))
    assert state.status == WorkflowState.STATUS_IN_PROGRESS
    assert state.workflow.name == "福祉課の承認（笠間市）"

    page.goto(f"{base_url}/staff/")  # leaves the editor (it releases its editing session)
    drop_upstream_findings(page, a11y_log)

    # 福祉課's approver finds it on the dashboard and approves it.
    page.context.clear_cookies()
    sign_in(page.context, base_url, approver)
    page.goto(f"{base_url}/staff/")
    review = page.locator("section, .w-panel, div").filter(
        has_text=re.compile("あなたのレビューの待機中|Awaiting your review")
    )
    expect(review.first).to_contain_text(TITLE)
    page.get_by_role("link", name=TITLE).first.click()
    page.get_by_role("button", name=re.compile("他のアクション|More actions")).click()
    page.get_by_role("button", name="承認と公開", exact=True).click()
    expect(page.locator("main")).to_contain_text(TITLE)
    state.refresh_from_db()
    assert state.status == WorkflowState.STATUS_APPROVED
    draft.refresh_from_db()
    assert not draft.live
    page.goto(f"{base_url}/staff/")
    drop_upstream_findings(page, a11y_log)

    # Not before its time: residents get "not found", even after an early run of the step.
    page.context.clear_cookies()
    response = page.goto(f"{base_url}/kasama/kenko/influenza/")
    assert response is not None
    assert response.status == 404
    tasks.publish_scheduled()
    draft.refresh_from_db()
    assert not draft.live

    # At its time the step publishes it, and residents read it.
    at_its_time = go_live + dt.timedelta(minutes=1)
    monkeypatch.setattr("django.utils.timezone.now", lambda: at_its_time)
    tasks.publish_scheduled()
    monkeypatch.undo()
    draft.refresh_from_db()
    assert draft.live
    page.goto(f"{base_url}/kasama/kenko/influenza/")
    expect(page.get_by_role("heading", name=TITLE, level=1)).to_be_visible()
    expect(page.locator("main")).to_contain_text("自己負担金1,500円")
