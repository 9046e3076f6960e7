"""One-stop life events in Chromium, as a resident would use them: 引越し (moving into the
city with a child and a dog) — answer the questions, see the procedures that apply
grouped by department (online and on paper, with what to bring), enter the shared
answers once, start one procedure and find its fields already filled. Every page is
checked with axe-core; the questions also work without JavaScript on a phone."""

from __future__ import annotations

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from madoguchi.core.models import Municipality
from madoguchi.procedures.models import LifeEventCase, Submission, SubmissionStatus
from madoguchi.procedures.tests.lifeevent_fixtures import make_moving_event
from madoguchi.testing.factories import UserFactory

from .sessions import sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def answer(page: Page, question: str, choice: str) -> None:
    page.get_by_role("group", name=question).get_by_label(choice, exact=True).check()


def test_resident_moves_into_the_city_and_applies_with_shared_answers(
    page: Page, context: BrowserContext, base_url: str, kasama: Municipality
) -> None:
    moving = make_moving_event(kasama)
    resident = UserFactory.create(email="taro@resident.example")
    sign_in(context, base_url, resident)

    page.goto(f"{base_url}/kasama/procedures/life-events/")
    expect(page.get_by_role("heading", level=1)).to_have_text("ライフイベントから探す")
    page.get_by_role("link", name="引越し").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("引越し")
    answer(page, "どの引越しですか", "市外から市内へ")
    answer(page, "中学生以下のお子さんがいますか", "はい")
    answer(page, "犬を飼っていますか", "はい")
    page.get_by_role("button", name="必要な手続を調べる").click()

    # The procedures that apply, by department.
    expect(page.get_by_role("heading", level=1)).to_have_text("引越しの手続")
    expect(page.get_by_role("heading", level=3, name="市民課")).to_be_visible()
    expect(page.get_by_role("heading", level=3, name="子ども福祉課")).to_be_visible()
    expect(page.get_by_role("heading", level=4, name="転入届")).to_be_visible()
    expect(page.get_by_role("heading", level=4, name="児童手当認定請求")).to_be_visible()
    expect(page.get_by_role("heading", level=4, name="転居届")).to_have_count(0)
    expect(page.get_by_text("前住所地の転出証明書")).to_be_visible()
    dog = page.locator(".life-event-procedure", has=page.get_by_role("heading", name="犬の登録事項変更届"))
    expect(dog).to_contain_text("書面で申請します")
    case = LifeEventCase.objects.get(user=resident)

    # The shared answers, once.
    page.get_by_label("氏名", exact=True).fill("笠間 太郎")
    page.get_by_label("フリガナ").fill("カサマ タロウ")
    page.get_by_label("現在の住所").fill("東京都千代田区千代田1番1号")
    moving_day = page.get_by_role("group", name="引越しの日")
    moving_day.get_by_label("元号").select_option(label="令和")
    moving_day.get_by_label("年", exact=True).fill("8")
    moving_day.get_by_label("月", exact=True).fill("4")
    moving_day.get_by_label("日", exact=True).fill("1")
    page.get_by_label("新しい住所").fill("茨城県笠間市中央三丁目2番1号")
    page.get_by_role("button", name="共通の入力を保存する").click()
    expect(page.get_by_text("共通の入力を保存しました。")).to_be_visible()
    expect(page.get_by_text("茨城県笠間市中央三丁目2番1号")).to_be_visible()
    case.refresh_from_db()
    assert case.shared_data["moving.date"] == "2026-04-01"

    # One procedure, started from the case: its fields are already filled.
    tennyu = page.locator(".life-event-procedure", has=page.get_by_role("heading", name="転入届"))
    tennyu.get_by_role("link", name="申請する").click()
    page.get_by_role("button", name="申請を始める").click()
    expect(page.get_by_label("届出人の氏名")).to_have_value("笠間\u3000太郎")
    expect(page.get_by_label("新しい住所")).to_have_value("茨城県笠間市中央三丁目2番1号")
    expect(page.get_by_label("前の住所")).to_have_value("東京都千代田区千代田1番1号")
    expect(page.get_by_label("世帯主")).to_have_value("")
    draft = Submission.objects.get(procedure=moving.tennyu, applicant=resident)
    assert draft.life_event_case == case
    assert draft.status == SubmissionStatus.DRAFT

    # Back on the case page, the procedure shows as begun.
    page.goto(f"{base_url}/kasama/procedures/life-events/cases/{case.public_id}/")
    expect(page.get_by_text("入力の途中です（下書き）")).to_be_visible()


def test_the_questions_work_without_javascript_on_a_phone(
    no_js_page: Page, base_url: str, kasama: Municipality
) -> None:
    make_moving_event(kasama)
    page = no_js_page
    page.set_viewport_size({"width": 320, "height": 640})
    page.goto(f"{base_url}/kasama/procedures/life-events/hikkoshi/")
    # Forgetting a question keeps the answers given and says what is missing.
    answer(page, "どの引越しですか", "市内で引越し")
    page.get_by_role("button", name="必要な手続を調べる").click()
    expect(page.get_by_role("alert").first).to_be_visible()
    expect(page.get_by_role("group", name="どの引越しですか").get_by_label("市内で引越し")).to_be_checked()
    answer(page, "中学生以下のお子さんがいますか", "いいえ")
    answer(page, "犬を飼っていますか", "いいえ")
    page.get_by_role("button", name="必要な手続を調べる").click()
    expect(page.get_by_role("heading", level=4, name="転居届")).to_be_visible()
    expect(page.get_by_role("heading", level=4, name="転入届")).to_have_count(0)
