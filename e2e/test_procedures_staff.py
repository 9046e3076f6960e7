"""電子申請の受付 in the staff console, in a browser: a counter clerk finds a submission by
its number in the department's inbox, gives the reason for opening it, takes it on,
starts the review and asks for a correction naming a field; the applicant answers it;
an approver approves and the clerk completes it. An overdue submission says 「期限超過」
in words. The inbox and the dashboard in English on a 320 px phone.
Every page is checked with axe-core and against the Content-Security-Policy (conftest)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import BrowserContext, Page, expect
from wagtail.users.models import UserProfile

from madoguchi.accounts.models import Role, User
from madoguchi.core.models import Municipality
from madoguchi.core.tenancy import municipality_scope
from madoguchi.procedures.models import CorrectionRequest, CorrectionStatus, FeeTiming, Submission, SubmissionStatus
from madoguchi.procedures.services import applicant
from madoguchi.procedures.tests.factories import FormVersionFactory, ProcedureFactory, SubmissionFactory
from madoguchi.testing.factories import UserFactory, make_staff

from .layout import sideways_overflow
from .sessions import sign_in
from .test_staff_console import console_assets, serve_assets

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

__all__ = ["console_assets"]

S = SubmissionStatus


@pytest.fixture(autouse=True)
def _assets(context: BrowserContext, console_assets: dict[str, tuple[str, bytes]]) -> None:
    serve_assets(context, console_assets)


def _staff_of(municipality: Municipality, department: object, role: str) -> User:
    user = make_staff(municipality, role)
    with municipality_scope(municipality):
        profile = user.staff_profile
        profile.department = department
        profile.save()
    return User.objects.get(pk=user.pk)


def _submission(municipality: Municipality, procedure: object, **kwargs: object) -> Submission:
    version = FormVersionFactory.create(procedure=procedure)
    return SubmissionFactory.create(form_version=version, applicant=UserFactory.create(), **kwargs)


def _give_reason(page: Page) -> None:
    expect(page.get_by_role("heading", name="閲覧の理由", level=2)).to_be_visible()
    page.get_by_label("目的").select_option(label="担当業務の処理")
    page.get_by_label("具体的な理由").fill("受け付けた申請の審査のため")
    page.get_by_role("button", name="理由を記録して開く").click()
    expect(page.locator("main")).to_contain_text("この閲覧は監査ログに記録されました。")


def test_a_clerk_processes_a_submission_with_a_correction(page: Page, base_url: str, kasama: Municipality) -> None:
    procedure = ProcedureFactory.create(municipality=kasama, name_ja="住民票の写し交付請求", fee_timing=FeeTiming.NONE)
    today = timezone.localdate()
    submission = _submission(kasama, procedure, due_on=today + dt.timedelta(days=3))
    late = _submission(kasama, procedure, due_on=today - dt.timedelta(days=2), applicant_name="友部 太郎")
    clerk = _staff_of(kasama, procedure.department, Role.COUNTER_CLERK)
    approver = _staff_of(kasama, procedure.department, Role.APPROVER)
    sign_in(page.context, base_url, clerk)

    page.goto(f"{base_url}/staff/procedures/inbox/")
    late_row = page.get_by_role("row").filter(has_text=late.number)
    expect(late_row).to_contain_text("期限超過")
    expect(page.get_by_role("row").filter(has_text=submission.number)).not_to_contain_text("期限超過")
    search = page.get_by_role("textbox", name="検索")
    search.fill(submission.number)
    search.press("Enter")
    expect(page.get_by_role("link", name=late.number)).to_have_count(0)
    page.get_by_role("link", name=submission.number).click()
    _give_reason(page)
    expect(page.locator("main")).to_contain_text("茨城県笠間市中央三丁目2番1号")

    page.get_by_role("button", name="自分が担当する").click()
    expect(page.locator(".messages")).to_contain_text("この申請の担当者になりました。")
    page.get_by_role("button", name="審査を開始する").click()
    expect(page.locator(".messages")).to_contain_text("審査を開始しました。")
    expect(page.get_by_role("button", name="承認する")).to_have_count(0)

    # Nothing named: a clear error, nothing changed.
    page.get_by_label("補正の内容").fill("住所の番地まで入力してください。")
    page.get_by_role("button", name="補正を依頼する").click()
    expect(page.locator("main")).to_contain_text("この項目は必須です")
    page.get_by_label("補正の内容").fill("住所の番地まで入力してください。")
    page.get_by_label("住所", exact=True).check()
    page.get_by_role("button", name="補正を依頼する").click()
    expect(page.locator(".messages")).to_contain_text("補正を依頼しました。")
    expect(page.locator("main")).to_contain_text("補正依頼中")

    with municipality_scope(kasama):
        current = Submission.objects.get(pk=submission.pk)
        applicant.answer_correction(
            current, values={"address": "茨城県笠間市中央三丁目2番1号 1号室"}, user=current.applicant
        )
        assert CorrectionRequest.objects.get(submission=current).status == CorrectionStatus.ANSWERED

    page.reload()
    expect(page.locator("main")).to_contain_text("審査中")
    expect(page.get_by_role("table", name="補正前と補正後の値")).to_contain_text("茨城県笠間市中央三丁目2番1号 1号室")

    # Deciding is the approver's.
    page.context.clear_cookies()
    sign_in(page.context, base_url, approver)
    page.goto(f"{base_url}/staff/procedures/inbox/{submission.public_id}/")
    _give_reason(page)
    page.get_by_role("button", name="承認する").click()
    expect(page.locator(".messages")).to_contain_text("承認しました。")

    page.context.clear_cookies()
    sign_in(page.context, base_url, clerk)
    page.goto(f"{base_url}/staff/procedures/inbox/{submission.public_id}/")
    _give_reason(page)
    page.get_by_role("button", name="完了にする").click()
    expect(page.locator(".messages")).to_contain_text("完了にしました。")
    with municipality_scope(kasama):
        assert Submission.objects.get(pk=submission.pk).status == S.COMPLETED


def _fits(page: Page) -> None:
    overflow = sideways_overflow(page)
    assert overflow <= 0, f"{page.url} is {overflow}px wider than the screen"


def test_inbox_and_dashboard_in_english_on_a_phone(
    phone_page: Page, base_url: str, kasama: Municipality, console_assets: dict[str, tuple[str, bytes]]
) -> None:
    page = phone_page
    serve_assets(page.context, console_assets)
    procedure = ProcedureFactory.create(municipality=kasama, fee_timing=FeeTiming.NONE)
    late = _submission(kasama, procedure, due_on=timezone.localdate() - dt.timedelta(days=1))
    _submission(
        kasama, procedure, status=S.COMPLETED, submitted_at=timezone.now() - dt.timedelta(days=5),
        closed_at=timezone.now() - dt.timedelta(days=2),
    )  # fmt: skip
    clerk = _staff_of(kasama, procedure.department, Role.COUNTER_CLERK)
    profile = UserProfile.get_for_user(clerk)
    profile.preferred_language = "en"
    profile.save()
    sign_in(page.context, base_url, clerk)

    page.goto(f"{base_url}/staff/procedures/inbox/")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("link", name=late.number)).to_be_visible()
    _fits(page)

    page.goto(f"{base_url}/staff/procedures/dashboard/")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("main svg[role=img]").first).to_be_visible()
    expect(page.locator("main table").first).to_be_visible()
    _fits(page)
