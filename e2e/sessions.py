"""Signing a user in for the browser without typing a password and a one-time code.

Browser tests that are about what staff do after signing in should not spend their time
(and allauth's rate limits) on the sign-in form. `sign_in(context, base_url, user)`
creates a Django session for the user in the database the live server reads, records
that the password and the second factor were used (as allauth does at a real sign-in),
and gives the session cookie to the Playwright context.

Staff accounts need an enrolled authenticator all the same: without one,
`StaffSecondFactorMiddleware` sends them to enrolment. `make_staff()` enrols TOTP.
"""

from __future__ import annotations

import time
from importlib import import_module
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from playwright.sync_api import BrowserContext

from madoguchi.accounts.models import User

ALLAUTH_BACKEND = "allauth.account.auth_backends.AuthenticationBackend"
# allauth keeps the ways the user proved who they are under this key; views that ask
# for recent authentication (reauthentication, MFA management) read it.
AUTHENTICATION_METHODS_KEY = "account_authentication_methods"
AUTHENTICATION_METHODS_USER_KEY = "account_authentication_methods_user"


def create_session(user: User, *, second_factor: bool = True) -> str:
    """A saved session in which `user` is signed in; returns its key."""
    engine = import_module(settings.SESSION_ENGINE)
    session = engine.SessionStore()
    session[SESSION_KEY] = user._meta.pk.value_to_string(user)
    session[BACKEND_SESSION_KEY] = ALLAUTH_BACKEND
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    now = time.time()
    methods: list[dict[str, object]] = [{"method": "password", "at": now, "email": user.email}]
    if second_factor:
        methods.append({"method": "mfa", "at": now, "type": "totp"})
    session[AUTHENTICATION_METHODS_KEY] = methods
    # allauth reads the records only for the user they were written for.
    session[AUTHENTICATION_METHODS_USER_KEY] = str(user.pk)
    session.save()
    return str(session.session_key)


def sign_in(context: BrowserContext, base_url: str, user: User, *, second_factor: bool = True) -> None:
    """Sign `user` in for every page of the browser context."""
    parts = urlsplit(base_url)
    context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": create_session(user, second_factor=second_factor),
                "domain": parts.hostname or "localhost",
                "path": "/",
                "httpOnly": True,
                "secure": parts.scheme == "https",
                "sameSite": "Lax",
            }
        ]
    )
