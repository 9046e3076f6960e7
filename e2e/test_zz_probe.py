import pytest
from playwright.sync_api import Browser
from e2e.conftest import AccessibilityLog, new_context
from e2e.sessions import sign_in
from madoguchi.accounts.models import Role
from madoguchi.testing.factories import make_staff
from madoguchi.portal.services import home_page_for

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

def test_probe(browser: Browser, base_url, kasama):
    log = AccessibilityLog()
    ctx = new_context(browser, log)
    u = make_staff(kasama, Role.MUNICIPAL_ADMIN); u.is_superuser=True; u.save()
    sign_in(ctx, base_url, u)
    home = home_page_for(kasama)
    page = ctx.new_page()
    for path in ["/staff/", "/staff/pages/", f"/staff/pages/{home.pk}/", f"/staff/pages/{home.pk}/edit/", "/staff/users/", "/staff/images/", "/staff/documents/", "/staff/snippets/", "/staff/settings/", "/staff/reports/"]:
        n = len(log.csp)
        page.goto(base_url + path)
        page.wait_for_timeout(1500)
        print(path, page.url, [ (c["directive"], c["blocked"]) for c in log.csp[n:]])
        print("  scripts:", page.evaluate("Array.from(document.querySelectorAll('script:not([src])')).filter(s=>!s.type||s.type==='text/javascript'||s.type==='module').map(s=>s.textContent.slice(0,120))"))
        print("  styles:", page.evaluate("Array.from(document.querySelectorAll('style')).map(s=>(s.id||'')+'|'+(s.getAttribute('data-emotion')||'')+'|'+s.textContent.slice(0,100))"))
    for url, v in log.checked.items():
        print(url, [(x["id"], x["impact"], [n["target"] for n in x["nodes"]][:3]) for x in v if x["impact"] in ("serious","critical")])
