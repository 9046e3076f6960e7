"""A form edited in the staff console keeps old submissions readable with their own
version: a department head opens the 様式 of 住民票の写し, starts the draft of version 2,
changes a label and adds a field with the structured editor (no JSON), sees both in the
live preview, and publishes. A submission made with version 1 before the change still
reads with version 1's fields and labels. The editor is also checked in English on a
320 px phone. Every page is checked with axe-core and against the
Content-Security-Policy (conftest)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import BrowserContext, Page, expect
from wagtail.users.models import UserProfile

from madoguchi.accounts.models import Role, User
from madoguchi.core.models import Municipality
from madoguchi.core.tenancy import municipality_scope
from madoguchi.procedures import formdef
from madoguchi.procedures.models import FormVersion, Procedure, Submission
from madoguchi.procedures.services import forms as form_services
from madoguchi.procedures.tests.factories import FormVersionFactory, ProcedureFactory, SubmissionFactory
from madoguchi.testing.factories import make_staff

from .layout import sideways_overflow
from .sessions import sign_in
from .test_staff_console import console_assets, serve_assets

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

__all__ = ["console_assets"]


@pytest.fixture(autouse=True)
def _assets(context: BrowserContext, console_assets: dict[str, tuple[str, bytes]]) -> None:
    serve_assets(context, console_assets)


def department_head(procedure: Procedure) -> User:
    user = make_staff(procedure.municipality, Role.DEPARTMENT_HEAD)
    user.staff_profile.department = procedure.department
    user.staff_profile.save()
    return User.objects.get(pk=user.pk)


def summary_labels(submission: Submission) -> list[str]:
    """The labels of a submission's answers, read with its own form version (as the
    confirmation page, the receipt and the staff detail read it)."""
    definition = formdef.parse(submission.form_version.definition)
    return [f.text for _step, rows in formdef.summarize(definition, submission.data) for f, _value in rows]


def test_a_department_head_edits_the_form_and_old_submissions_keep_their_version(
    page: Page, base_url: str, kasama: Municipality
) -> None:
    procedure = ProcedureFactory.create(municipality=kasama, name_ja="住民票の写し交付請求", slug="juminhyo")
    version1 = FormVersionFactory.create(procedure=procedure, number=1)
    old = SubmissionFactory.create(form_version=version1)
    head = department_head(procedure)
    sign_in(page.context, base_url, head)

    page.goto(f"{base_url}/staff/procedures/catalog/")
    page.get_by_role("link", name=re.compile(r"様式\s*（住民票の写し交付請求）")).click()
    expect(page.get_by_role("cell", name="公開中")).to_be_visible()
    page.get_by_role("button", name="新しい版の下書きを作る").click()
    expect(page.get_by_role("heading", name="第2版（下書き）の編集")).to_be_visible()
    preview = page.frame_locator("iframe[title='申請フォームのプレビュー']")
    expect(preview.get_by_role("heading", name="住民票の写し交付請求", level=1)).to_be_visible()
    expect(preview.get_by_label("氏名", exact=True)).to_be_visible()

    # Change a label: the first field of the first step (氏名).
    label = page.locator("input[name='steps-0-value-fields-0-value-label_ja']")
    label.fill("請求者の氏名")
    expect(preview.get_by_label("請求者の氏名")).to_be_visible(timeout=10_000)

    # Add a field at the end of the second step, from the stream's add menu.
    fields = page.locator("[data-contentpath='fields']").nth(1)
    fields.locator("button.c-sf-add-button").last.click()
    page.get_by_role("option", name="一行テキスト").click()
    new_key = page.locator("input[name$='-value-key'][name^='steps-1-value-fields-']").last
    new_key.fill("purpose")
    page.locator("input[name^='steps-1-value-fields-'][name$='-value-label_ja']").last.fill("使用目的")
    expect(preview.get_by_label("使用目的")).to_be_visible(timeout=10_000)

    page.get_by_label("変更内容（公開するとき）").fill("「氏名」を「請求者の氏名」に、「使用目的」を追加")
    page.get_by_role("button", name="第2版を公開する").click()
    expect(page.get_by_text("第2版を公開しました。")).to_be_visible()
    expect(page.get_by_role("row", name=re.compile("第2版 公開中"))).to_be_visible()

    with municipality_scope(kasama):
        version2 = procedure.current_version()
        assert version2.number == 2
        new_labels = [f.text for f in formdef.parse(version2.definition).fields]
        assert "請求者の氏名" in new_labels
        assert "使用目的" in new_labels
        # The submission made before the change is read with version 1.
        old = Submission.objects.select_related("form_version").get(pk=old.pk)
        assert old.form_version.number == 1
        labels = summary_labels(old)
        assert "氏名" in labels
        assert "請求者の氏名" not in labels
        assert "使用目的" not in labels
        assert FormVersion.objects.get(pk=version1.pk).definition == version1.definition

    # Version 1 is still there to read in the console, as it was.
    page.get_by_role("link", name="第1版").click()
    expect(page.get_by_role("row", name=re.compile(r"^name\s+氏名\s+氏名"))).to_be_visible()
    expect(page.get_by_role("cell", name="使用目的")).to_have_count(0)


def _fits(page: Page) -> None:
    overflow = sideways_overflow(page)
    assert overflow <= 0, f"{page.url} is {overflow}px wider than the screen"


def test_the_editor_in_english_on_a_phone(
    phone_page: Page, base_url: str, kasama: Municipality, console_assets: dict[str, tuple[str, bytes]]
) -> None:
    page = phone_page
    serve_assets(page.context, console_assets)
    procedure = ProcedureFactory.create(municipality=kasama, slug="juminhyo")
    FormVersionFactory.create(procedure=procedure, number=1)
    head = department_head(procedure)
    form_services.draft_version(procedure, head)
    profile = UserProfile.get_for_user(head)
    profile.preferred_language = "en"
    profile.save()
    sign_in(page.context, base_url, head)

    for path in ("", f"{procedure.pk}/form/", f"{procedure.pk}/form/edit/", f"{procedure.pk}/form/versions/1/"):
        page.goto(f"{base_url}/staff/procedures/catalog/{path}")
        expect(page.locator("html")).to_have_attribute("lang", "en")
        _fits(page)
    page.goto(f"{base_url}/staff/procedures/categories/")
    _fits(page)
