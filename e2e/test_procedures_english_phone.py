"""The residents' pages of procedures in English on a 320 px phone: the catalogue, a
procedure, a step of its form with the English labels of the form definition, the
confirmation, 申請履歴 and an application's page, and the life events. Each page is in
English (`lang="en"`, English headings), no wider than the screen, and checked with
axe-core and the CSP (conftest)."""

from __future__ import annotations

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from madoguchi.accounts.models import User
from madoguchi.core.models import Municipality
from madoguchi.procedures.models import LifeEvent
from madoguchi.procedures.tests.applying_helpers import make_procedure
from madoguchi.procedures.tests.factories import SubmissionFactory
from madoguchi.testing.factories import UserFactory

from .layout import sideways_overflow
from .sessions import sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _english_and_fits(page: Page, heading: str) -> None:
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", level=1)).to_contain_text(heading)
    overflow = sideways_overflow(page)
    assert overflow <= 0, f"{page.url} is {overflow}px wider than the screen"


def test_a_resident_applies_in_english_on_a_phone(phone_page: Page, base_url: str, kasama: Municipality) -> None:
    page = phone_page
    procedure = make_procedure(
        kasama,
        slug="juminhyo",
        name_ja="住民票の写し交付請求",
        name_en="Request for a copy of the residence record",
        summary_en="Request a copy of your residence record online.",
    )
    LifeEvent.objects.create(municipality=kasama, slug="moving", name_ja="引越し", name_en="Moving house")
    resident: User = UserFactory.create(email="emily@resident.example", preferred_language="en")
    sent = SubmissionFactory.create(
        form_version=procedure.form_versions.get(), applicant=resident, language="en", submitted_at=timezone.now()
    )
    sign_in(page.context, base_url, resident)

    page.goto(f"{base_url}/en/kasama/procedures/")
    _english_and_fits(page, "Applications")
    page.get_by_role("link", name="Request for a copy of the residence record").click()
    _english_and_fits(page, "Request for a copy of the residence record")
    page.get_by_role("button", name="Apply online").click()

    _english_and_fits(page, "Requester")  # the step's title, from the form definition
    expect(page.get_by_label("Name in katakana")).to_be_visible()
    page.get_by_label("Name", exact=True).fill("Emily Clark")
    page.get_by_label("Name in katakana").fill("クラーク エミリー")
    page.get_by_label("E-mail").fill("emily@resident.example")
    page.get_by_label("Address").fill("茨城県笠間市中央三丁目2番1号")
    page.get_by_role("button", name="Next").click()
    page.get_by_label("Whole household").check()
    page.get_by_label("Copies").fill("1")
    page.get_by_label("The above is true").check()
    page.get_by_role("button", name="Next").click()
    _english_and_fits(page, "Check your answers")
    expect(page.locator("main")).to_contain_text("Whole household")

    page.goto(f"{base_url}/en/kasama/procedures/my/")
    _english_and_fits(page, "My applications")
    page.get_by_role("link", name=sent.number).click()
    _english_and_fits(page, "Request for a copy of the residence record")

    page.goto(f"{base_url}/en/kasama/procedures/life-events/")
    _english_and_fits(page, "Browse by life event")
    page.get_by_role("link", name="Moving house").click()
    _english_and_fits(page, "Moving house")
    page.get_by_role("button", name="Find the procedures I need").click()
    _english_and_fits(page, "Moving house")
