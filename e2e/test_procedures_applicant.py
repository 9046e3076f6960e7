"""申請履歴 on a 320 px phone, by keyboard: a resident opens their applications, reads a
submission's timeline, writes to the department, answers the correction the clerk asks
for and sees the status back at 「審査中」; then withdraws another application. Every
page is checked with axe-core and against the CSP (conftest), and none is wider than
the phone."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from madoguchi.accounts.models import User
from madoguchi.core.models import Municipality
from madoguchi.procedures.models import SubmissionMessage, SubmissionStatus
from madoguchi.procedures.services import processing
from madoguchi.procedures.tests.applicant_factories import clerk_of, submission_of
from madoguchi.testing.factories import UserFactory

from .layout import sideways_overflow
from .sessions import sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _fits(page: Page) -> None:
    overflow = sideways_overflow(page)
    assert overflow <= 0, f"{page.url} is {overflow}px wider than the screen"


def _activate(page: Page, locator: object) -> None:
    """Reach a control and use it from the keyboard (focus, then Enter)."""
    locator.focus()  # type: ignore[attr-defined]
    expect(locator).to_be_focused()  # type: ignore[arg-type]
    page.keyboard.press("Enter")


def test_resident_follows_answers_and_withdraws_on_a_phone(
    phone_page: Page, base_url: str, kasama: Municipality
) -> None:
    page = phone_page
    resident: User = UserFactory.create(email="hanako@resident.example", family_name="笠間", given_name="花子")
    followed = submission_of(kasama, resident)
    clerk = clerk_of(followed)
    processing.start_review(followed, actor=clerk)
    withdrawn = submission_of(kasama, resident, procedure=followed.procedure)
    sign_in(page.context, base_url, resident)

    # 申請履歴: both applications, with their status in words.
    page.goto(f"{base_url}/kasama/procedures/my/")
    expect(page.get_by_role("heading", name="申請履歴", level=1)).to_be_visible()
    table = page.get_by_role("table")
    expect(table.get_by_role("row").filter(has_text=followed.number)).to_contain_text("審査中")
    expect(table.get_by_role("row").filter(has_text=withdrawn.number)).to_contain_text("受付")
    _fits(page)

    # The submission: the stepper and the timeline.
    _activate(page, page.get_by_role("link", name=followed.number))
    expect(page).to_have_url(re.compile(rf"/kasama/procedures/my/{followed.public_id}/$"))
    expect(page.locator(".stepper [aria-current='step']")).to_contain_text("審査中")
    timeline = page.locator("ol.timeline")
    expect(timeline).to_contain_text("状態が「審査中」になりました")
    _fits(page)

    # A message to the department, typed and sent with the keyboard.
    box = page.get_by_label("担当課へのメッセージ")
    box.focus()
    page.keyboard.type("本人確認書類は、運転免許証の写しでよいですか。")
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="メッセージを送信")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_contain_text("メッセージを送信しました。")
    expect(page.locator(".message-thread")).to_contain_text("運転免許証の写しでよいですか。")
    assert SubmissionMessage.objects.filter(submission=followed, from_staff=False).count() == 1

    # The clerk asks for a correction of the address.
    processing.request_correction(
        followed,
        message="住所に番地がありません。番地まで入力してください。",
        fields=["address"],
        respond_by=None,
        actor=clerk,
    )
    page.reload()
    expect(page.get_by_role("heading", name="補正をお願いします")).to_be_visible()
    expect(page.locator(".stepper [aria-current='step']")).to_contain_text("補正依頼中")
    _activate(page, page.get_by_role("link", name="補正する"))
    expect(page.get_by_role("heading", name="補正", level=1)).to_be_visible()
    expect(page.locator(".correction-request")).to_contain_text("番地まで入力してください")
    _fits(page)
    address = page.get_by_label("住所")
    expect(address).to_have_value("茨城県笠間市中央三丁目2番1号")
    # Emptied by mistake and sent: refused, named, nothing lost.
    address.focus()
    page.keyboard.press("Control+A")
    page.keyboard.press("Delete")
    explanation = page.get_by_label("担当課への説明（任意）")
    explanation.focus()
    page.keyboard.type("番地を追記しました。")
    _activate(page, page.get_by_role("button", name="補正を提出する"))
    expect(page.locator(".errorlist").first).to_contain_text("「住所」を入力してください。")
    expect(page.get_by_label("担当課への説明（任意）")).to_have_value("番地を追記しました。")
    _fits(page)
    address = page.get_by_label("住所")
    address.focus()
    page.keyboard.type("茨城県笠間市中央三丁目2番1号笠間ハイツ101")
    _activate(page, page.get_by_role("button", name="補正を提出する"))
    expect(page.get_by_role("status")).to_contain_text("補正を提出しました。")
    expect(page.locator(".submission-facts .status-badge").first).to_have_text("審査中")
    expect(page.locator("ol.timeline")).to_contain_text("補正を提出しました")
    expect(page.locator("ol.timeline")).to_contain_text("番地を追記しました。")
    followed.refresh_from_db()
    assert followed.status == SubmissionStatus.IN_REVIEW
    assert followed.data["address"] == "茨城県笠間市中央三丁目2番1号笠間ハイツ101"
    _fits(page)

    # The other application is withdrawn, after a confirmation.
    page.goto(f"{base_url}/kasama/procedures/my/{withdrawn.public_id}/")
    _activate(page, page.get_by_role("link", name="この申請を取り下げる"))
    expect(page.get_by_role("heading", name="申請の取下げ", level=1)).to_be_visible()
    _fits(page)
    page.get_by_label("取下げの理由（任意）").focus()
    page.keyboard.type("窓口で受け取ることにしました。")
    confirm = page.get_by_label("この申請を取り下げます。取り下げた申請は元に戻せません。")
    confirm.focus()
    page.keyboard.press("Space")
    expect(confirm).to_be_checked()
    _activate(page, page.get_by_role("button", name="取り下げる"))
    expect(page.get_by_role("status")).to_contain_text("申請を取り下げました。")
    expect(page.locator(".submission-facts .status-badge").first).to_have_text("取下げ")
    withdrawn.refresh_from_db()
    assert withdrawn.status == SubmissionStatus.WITHDRAWN
    _fits(page)
