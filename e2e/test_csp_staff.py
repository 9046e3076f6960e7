"""The staff console (Wagtail's admin under /staff/) works under the Content-Security-Policy.

Every page these tests load reports any CSP violation (e2e/conftest.py) and fails the
test. The console's only relaxation, <style> elements on /staff/ for the rich text
editor, is in madoguchi/core/csp.py; Wagtail's inline scripts are replaced by
madoguchi/staff-init.js, and these tests check that it ran.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, Page, expect

from madoguchi.accounts.models import Role
from madoguchi.api.models import ApiToken
from madoguchi.core.models import Municipality
from madoguchi.portal.services import home_page_for
from madoguchi.testing.factories import make_staff

from .conftest import BLOCKING_IMPACTS, AccessibilityLog, new_context
from .sessions import sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

# Serious findings of axe-core in Wagtail's own editor, not in anything madoguchi renders:
# the rich text field's content-editable box (Draftail) has no accessible name of its own.
UPSTREAM_AXE_FINDINGS = {("aria-input-field-name", ".notranslate")}


def test_municipal_administrator_screens_and_issuing_a_token(page: Page, base_url: str, kasama: Municipality) -> None:
    admin = make_staff(kasama, *Role.values, email="kanri@city.kasama.example")
    sign_in(page.context, base_url, admin)
    for path in ("/staff/", "/staff/municipality/", "/staff/audit-log/", "/staff/api-tokens/"):
        page.goto(f"{base_url}{path}")
        expect(page).to_have_url(f"{base_url}{path}")

    page.get_by_role("link", name="APIトークンを発行").click()
    page.get_by_label("名称").fill("税務システム連携")
    page.get_by_label("利用するアカウント").select_option(label=f"{admin.get_full_name()} <{admin.email}>")
    page.get_by_role("button", name="発行する").click()
    token_field = page.get_by_label("APIトークン", exact=True)
    expect(token_field).to_have_value(re.compile(r"^mdg_"))
    assert ApiToken.unscoped.get().key_prefix == token_field.input_value()[:10]

    page.get_by_role("link", name="保存したので一覧に戻る").click()
    expect(page.get_by_role("cell", name="税務システム連携", exact=True)).to_be_visible()
    page.get_by_role("link", name=re.compile("失効させる")).click()
    page.get_by_role("button", name="失効させる").click()
    expect(page.get_by_role("cell", name="失効", exact=True)).to_be_visible()


def test_operator_pages_with_date_choosers_and_the_rich_text_editor(
    browser: Browser, base_url: str, kasama: Municipality
) -> None:
    log = AccessibilityLog()
    context = new_context(browser, log)
    operator = make_staff(kasama, *Role.values, email="unyo@madoguchi.example")
    operator.is_superuser = True
    operator.save()
    sign_in(context, base_url, operator)
    home = home_page_for(kasama)
    assert home is not None
    page = context.new_page()
    initialisers_run = 0
    for path in ("/staff/pages/", "/staff/users/", f"/staff/pages/{home.pk}/edit/"):
        page.goto(f"{base_url}{path}")
        page.wait_for_load_state("load")
        scripts = page.locator("script[data-init]")
        assert scripts.count() > 0, f"{path}: no Wagtail initialiser to run"
        # Each one ran where Wagtail's inline script would have run.
        assert page.locator("script[data-init]:not([data-done='true'])").count() == 0, path
        initialisers_run += scripts.count()
        for _ in range(100):
            if page.url in log.checked:
                break
            page.wait_for_timeout(100)
    context.close()

    assert initialisers_run >= 4
    assert not log.csp, f"Content-Security-Policy violations: {log.csp}"
    assert not log.errors, log.errors
    assert len(log.checked) >= 3, "pages were not checked with axe-core"
    for url, violations in log.checked.items():
        for violation in violations:
            if violation["impact"] not in BLOCKING_IMPACTS:
                continue
            targets = {t for node in violation["nodes"] for t in node["target"]}
            unknown = {t for t in targets if (violation["id"], t) not in UPSTREAM_AXE_FINDINGS}
            assert not unknown, f"{url}: {violation['id']} on {unknown}: {violation['help']}"
