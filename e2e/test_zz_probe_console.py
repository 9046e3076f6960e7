from __future__ import annotations
import json
import pytest
from playwright.sync_api import Page
from madoguchi.accounts.models import Role
from madoguchi.testing.factories import make_staff, UserFactory, DepartmentFactory
from madoguchi.audit import services as audit
from e2e.sessions import sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

def test_probe(page: Page, base_url: str, kasama, a11y_log) -> None:
    user = make_staff(kasama, Role.MUNICIPAL_ADMIN, Role.AUDITOR, Role.COUNTER_CLERK)
    resident = UserFactory(family_name="鈴木")
    entry = audit.record(action=audit.Action.CREATE, actor=resident, municipality=kasama)
    dep = DepartmentFactory(municipality=kasama)
    sign_in(page.context, base_url, user)
    for path in ["/staff/", "/staff/audit-log/", "/staff/audit-log/?action=create", f"/staff/audit-log/inspect/{entry.pk}/",
                 "/staff/departments/", "/staff/departments/new/", f"/staff/departments/edit/{dep.pk}/",
                 "/staff/staff-members/", "/staff/staff-members/new/", f"/staff/staff-members/edit/{user.staff_profile.pk}/",
                 f"/staff/staff-members/{user.staff_profile.pk}/deactivate/",
                 "/staff/municipality/", "/staff/people/", "/staff/people/?q=鈴木", f"/staff/people/{resident.pk}/"]:
        page.goto(f"{base_url}{path}")
        page.wait_for_timeout(1500)
        print(path, "->", page.url, page.title())
    print(json.dumps(a11y_log.blocking(), ensure_ascii=False, indent=1)[:20000])
    print("CSP", json.dumps(a11y_log.csp, indent=1)[:4000])
    print("ERR", a11y_log.errors)
    a11y_log.csp.clear(); a11y_log.checked.clear(); a11y_log.started.clear()
    a11y_log.checked["x"] = []
