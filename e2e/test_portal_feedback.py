"""The end of a website page in a browser: a reader answers 「このページは役に立ちましたか」
(with and without JavaScript, in Japanese and English) and the page's department reads
it in the staff console; a page in やさしい日本語 shows furigana; print and share links.
Every page is checked with axe-core and the CSP (conftest)."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from playwright.sync_api import Page, expect

from madoguchi.accounts.models import Role
from madoguchi.core.models import Department, Municipality
from madoguchi.core.tenancy import municipality_scope
from madoguchi.portal.models import PageFeedback
from madoguchi.portal.tests import factories as f
from madoguchi.testing.factories import make_staff

from .layout import sideways_overflow
from .sessions import sign_in
from .test_staff_console import console_assets, serve_assets

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

__all__ = ["console_assets"]


def build_site(kasama: Municipality) -> Department:
    with municipality_scope(kasama):
        kosodate = Department.objects.create(municipality=kasama, code="kosodate", name_ja="子育て支援課")
    home = f.home_page(kasama)
    section = f.make_section(home, "子育て・教育", "kosodate", english="Children and education", show_in_menus=True)
    f.make_content_page(
        section,
        "乳幼児健診",
        "checkup",
        english={"title": "Health checkups for infants", "lead": "When and where the checkups are held."},
        lead="赤ちゃんの健康を確かめる健診です。",
        body="<p>保健センターで行います。</p>",
        department=kosodate,
    )
    f.make_content_page(
        section,
        "予防接種",
        "vaccination",
        english="Vaccinations",
        lead="子どもの予防接種の案内です。",
        department=kosodate,
        plain_japanese=True,
    )
    return kosodate


def test_a_reader_answers_and_the_department_reads_it(
    page: Page, base_url: str, kasama: Municipality, console_assets: dict[str, tuple[str, bytes]]
) -> None:
    kosodate = build_site(kasama)
    page.goto(f"{base_url}/kasama/kosodate/checkup/")
    related = page.get_by_role("region", name="関連ページ")
    expect(related.get_by_role("link", name="予防接種")).to_be_visible()
    expect(page.get_by_role("button", name="このページを印刷する")).to_be_visible()
    share = page.get_by_role("region", name="このページを共有する")
    line = quote(f"{base_url}/kasama/kosodate/checkup/", safe="")
    expect(share.get_by_role("link", name="LINEで共有")).to_have_attribute(
        "href", f"https://social-plugins.line.me/lineit/share?url={line}"
    )
    feedback = page.get_by_role("region", name="このページは役に立ちましたか")
    feedback.get_by_role("button", name="送信する").click()
    # Nothing chosen: the reason is shown and the form is there again.
    expect(page.get_by_role("alert")).to_contain_text("まだ送信されていません")
    expect(page.locator("main")).to_contain_text("「役に立った」か「役に立たなかった」を選んでください。")
    feedback = page.get_by_role("region", name="このページは役に立ちましたか")
    feedback.get_by_role("radio", name="役に立たなかった").check()
    feedback.get_by_role("radio", name="見つけやすかった").check()
    feedback.get_by_role("textbox", name="ご意見（任意・500文字まで）").fill("会場の地図がほしいです。")
    feedback.get_by_role("button", name="送信する").click()
    expect(page.get_by_role("status").filter(has_text="ご意見ありがとうございました")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text("乳幼児健診")
    answer = PageFeedback.unscoped.get()
    assert (answer.department_id, answer.helpful, answer.findable) == (kosodate.pk, False, True)

    serve_assets(page.context, console_assets)
    officer = make_staff(kasama, Role.OFFICER)
    profile = officer.staff_profile_or_none
    assert profile is not None
    profile.department = kosodate
    profile.save()
    sign_in(page.context, base_url, officer)
    page.goto(f"{base_url}/staff/website/feedback/")
    expect(page.locator("main")).to_contain_text("会場の地図がほしいです。")
    expect(page.locator("main")).to_contain_text("回答 1件（役に立った 0件・役に立たなかった 1件）")


def test_feedback_without_javascript(no_js_page: Page, base_url: str, kasama: Municipality) -> None:
    build_site(kasama)
    page = no_js_page
    page.goto(f"{base_url}/kasama/kosodate/checkup/")
    # Print and copy need script: hidden without it.
    expect(page.get_by_role("button", name="このページを印刷する")).to_have_count(0)
    feedback = page.get_by_role("region", name="このページは役に立ちましたか")
    feedback.get_by_role("radio", name="役に立った", exact=True).check()
    feedback.get_by_role("button", name="送信する").click()
    expect(page.locator("main")).to_contain_text("ご意見ありがとうございました")
    assert PageFeedback.unscoped.get().helpful is True


def test_plain_japanese_page_shows_furigana(page: Page, base_url: str, kasama: Municipality) -> None:
    build_site(kasama)
    page.goto(f"{base_url}/kasama/kosodate/vaccination/")
    heading = page.get_by_role("heading", level=1)
    expect(heading.locator("ruby").first).to_be_visible()
    expect(heading.locator("rt").first).to_have_text("よぼう")
    page.goto(f"{base_url}/en/kasama/kosodate/vaccination/")
    expect(page.get_by_role("heading", level=1).locator("ruby")).to_have_count(0)


def _visit_all(page: Page, base_url: str, language: str, *, phone: bool) -> None:
    prefix = "/en" if language == "en" else ""
    for path in ("/kasama/kosodate/checkup/", "/kasama/kosodate/vaccination/"):
        url = f"{base_url}{prefix}{path}"
        response = page.goto(url)
        assert response is not None
        assert response.status == 200, url
        expect(page.locator("html")).to_have_attribute("lang", language)
        if phone:
            overflow = sideways_overflow(page)
            assert overflow <= 0, f"{url} is {overflow}px wider than the screen"
    # The form's error page too (a reader who sent nothing).
    page.locator("form.feedback__form button[type=submit]").click()
    expect(page.locator("html")).to_have_attribute("lang", language)
    if phone:
        assert sideways_overflow(page) <= 0


@pytest.mark.parametrize("language", ["ja", "en"])
def test_page_end_on_a_phone(phone_page: Page, base_url: str, kasama: Municipality, language: str) -> None:
    build_site(kasama)
    _visit_all(phone_page, base_url, language, phone=True)


@pytest.mark.parametrize("language", ["ja", "en"])
def test_page_end_on_a_desktop(page: Page, base_url: str, kasama: Municipality, language: str) -> None:
    build_site(kasama)
    _visit_all(page, base_url, language, phone=False)
