"""The staff console (Wagtail's admin under /staff/) works under the Content-Security-Policy."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from playwright.sync_api import BrowserContext, Page

from madoguchi.accounts.models import Role, User
from madoguchi.core.models import Municipality
from madoguchi.testing.factories import make_staff

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def sign_in(context: BrowserContext, base_url: str, user: User) -> None:
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "allauth.account.auth_backends.AuthenticationBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session["account_authentication_methods"] = [{"method": "password"}, {"method": "mfa", "type": "totp"}]
    session.create()
    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": session.session_key, "url": base_url}])


def test_staff_console_pages(page: Page, context: BrowserContext, base_url: str, kasama: Municipality) -> None:
    admin = make_staff(kasama, Role.MUNICIPAL_ADMIN)
    admin.is_superuser = True
    admin.save()
    from madoguchi.portal.services import home_page_for
    home = home_page_for(kasama)
    sign_in(context, base_url, admin)
    msgs = []
    page.on("console", lambda m: msgs.append(m.text))
    for path in ("/staff/", "/staff/pages/", f"/staff/pages/{home.pk}/", f"/staff/pages/{home.pk}/edit/", "/staff/images/", "/staff/documents/", "/staff/users/"):
        page.goto(f"{base_url}{path}")
        print(path, page.url, page.title())
        page.wait_for_timeout(500)
    print("\n".join(msgs))
