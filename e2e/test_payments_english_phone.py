"""The payment pages in English and on a 320 px phone: a resident's お支払い and an invoice
under /en/, the sandbox gateway's page with ?lang=en, and every 収納 screen of the staff
console for a member of staff who chose English. Each page is checked with axe-core and
against the Content-Security-Policy (conftest), and none is wider than the phone."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import BrowserContext, Page, expect
from wagtail.users.models import UserProfile

from madoguchi.accounts.models import Role, User
from madoguchi.core.models import Municipality
from madoguchi.payments.tests.factories import make_invoice
from madoguchi.testing.factories import UserFactory, make_staff

from .layout import sideways_overflow
from .sessions import sign_in
from .test_staff_console import console_assets, serve_assets

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

__all__ = ["console_assets"]


def _fits(page: Page) -> None:
    overflow = sideways_overflow(page)
    assert overflow <= 0, f"{page.url} is {overflow}px wider than the screen"


def test_resident_pages_in_english_on_a_phone(phone_page: Page, base_url: str, kasama: Municipality) -> None:
    page = phone_page
    resident: User = UserFactory.create(email="anna@example.jp")
    invoice = make_invoice(kasama, amount=3_000, payer=resident, description="住民票の写し")
    sign_in(page.context, base_url, resident)

    page.goto(f"{base_url}/en/kasama/payments/")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", name="Payments", level=1)).to_be_visible()
    _fits(page)

    page.locator(f"a[href='/en/kasama/payments/invoices/{invoice.number}/']").first.click()
    expect(page).to_have_url(f"{base_url}/en/kasama/payments/invoices/{invoice.number}/")
    expect(page.get_by_role("button", name="Continue to payment")).to_be_visible()
    _fits(page)

    page.get_by_role("button", name="Continue to payment").click()
    expect(page).to_have_url(re.compile(r"/sandbox-gateway/pay/"))
    page.goto(page.url + ("&" if "?" in page.url else "?") + "lang=en")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    _fits(page)


STAFF_SCREENS = [
    ("payments/invoices/", "Invoice"),
    ("payments/invoice-import/", "Import invoices"),
    ("payments/bank-accounts/", "Direct debit registrations"),
    ("payments/transfers/", "Direct debit batches"),
    ("payments/notices/", "Payment notice imports"),
    ("payments/exceptions/", "Reconciliation exceptions"),
    ("payments/collection-report/", "Daily collection report (by channel and item)"),
]


def test_staff_payment_screens_in_english_on_a_phone(
    phone_page: Page, context: BrowserContext, base_url: str, kasama: Municipality, console_assets: dict
) -> None:
    page = phone_page
    serve_assets(page.context, console_assets)
    make_invoice(kasama, amount=4_500, payer_name="笠間 太郎")
    officer = make_staff(kasama, Role.DEPARTMENT_HEAD)
    profile = UserProfile.get_for_user(officer)
    profile.preferred_language = "en"
    profile.save()
    sign_in(page.context, base_url, officer)

    for path, title in STAFF_SCREENS:
        page.goto(f"{base_url}/staff/{path}")
        expect(page.locator("html")).to_have_attribute("lang", "en")
        expect(page).to_have_title(re.compile(f"^{re.escape(title)} - Kasama City"))
        _fits(page)
