from __future__ import annotations
import json
import pytest
from playwright.sync_api import Page
from madoguchi.accounts.models import Role
from madoguchi.testing.factories import make_staff
from e2e.sessions import sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

def test_probe(page: Page, base_url: str, kasama, a11y_log) -> None:
    user = make_staff(kasama, Role.MUNICIPAL_ADMIN, Role.AUDITOR)
    sign_in(page.context, base_url, user)
    page.goto(f"{base_url}/staff/")
    page.wait_for_timeout(3000)
    print("URL", page.url)
    print(page.title())
    print(json.dumps(a11y_log.blocking(), ensure_ascii=False, indent=1)[:6000])
    print("CSP", json.dumps(a11y_log.csp, indent=1)[:4000])
    a11y_log.csp.clear(); a11y_log.checked.clear(); a11y_log.started.clear()
