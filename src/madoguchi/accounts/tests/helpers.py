"""Helpers of the accounts tests."""

from __future__ import annotations

import time

from django.test import Client

from madoguchi.accounts.models import User

BACKEND = "allauth.account.auth_backends.AuthenticationBackend"


def sign_in(client: Client, user: User, *, second_factor: bool = True) -> None:
    """A session as allauth leaves it after a sign-in: with the password step and, for
    `second_factor`, the second-factor step."""
    client.force_login(user, backend=BACKEND)
    session = client.session
    now = time.time()
    # "reauthenticated": the password was confirmed just now, as the settings of second
    # factors and e-mail addresses require.
    methods: list[dict[str, object]] = [{"method": "password", "at": now, "email": user.email, "reauthenticated": True}]
    if second_factor:
        methods.append({"method": "mfa", "at": now, "type": "totp"})
    session["account_authentication_methods"] = methods
    session["account_authentication_methods_user"] = str(user.pk)
    session.save()


def deliver_mail() -> None:
    """Send what the notification service queued (the task worker's job outside tests)."""
    from madoguchi.notifications import tasks
    from madoguchi.notifications.models import MessageStatus, OutboundMessage

    for pk in OutboundMessage.unscoped.filter(status=MessageStatus.QUEUED).values_list("pk", flat=True):
        tasks.deliver(pk)
