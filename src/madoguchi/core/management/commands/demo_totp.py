"""`manage.py demo_totp <email>`: the current code of a demo account's authenticator.

Only for the demo accounts, whose TOTP secrets are public anyway: the command refuses an
account whose authenticator is not the demo one (for instance after it was re-enrolled).
The code goes to stdout alone, so that scripts can read it; how long it stays valid goes
to stderr.
"""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from madoguchi.core.demo import demo_data


def current_code(secret: str, *, min_validity: int = 0) -> tuple[str, int]:
    """The code for now and the seconds it stays valid; waits for the next code when
    fewer than `min_validity` seconds are left."""
    from allauth.mfa import app_settings
    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

    period = app_settings.TOTP_PERIOD
    remaining = period - int(time.time()) % period
    if remaining < min_validity:
        time.sleep(remaining)
    now = int(time.time())
    return format_hotp_value(hotp_value(secret, now // period)), period - now % period


class Command(BaseCommand):
    help = (
        "デモアカウントの認証アプリの現在のコード（6桁）を表示します。 / "
        "Print the current 6-digit code of a demo account's authenticator."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("email", help="デモアカウントのメールアドレス / e-mail of the demo account")
        parser.add_argument(
            "--min-validity",
            type=int,
            default=5,
            help="残り時間がこれより短いときは次のコードを待つ（秒） / wait for the next code when fewer "
            "seconds are left (default 5)",
        )

    def handle(self, *args: Any, email: str, min_validity: int = 5, **options: Any) -> None:
        from allauth.mfa.models import Authenticator
        from allauth.mfa.utils import decrypt

        from madoguchi.accounts.models import User

        account = demo_data().account(email)
        if account is None or not account.totp_secret:
            raise CommandError(
                f"{email} は認証アプリを持つデモアカウントではありません。 / "
                f"{email} is not a demo account with an authenticator."
            )
        user = User.objects.filter(email__iexact=account.email).first()
        if user is None:
            raise CommandError(
                f"{email} はまだありません。先に load_demo を実行してください。 / "
                f"{email} is not loaded yet: run manage.py load_demo first."
            )
        authenticator = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).first()
        if authenticator is None or decrypt(authenticator.data["secret"]) != account.totp_secret:
            raise CommandError(
                f"{email} の認証アプリはデモのものではありません（登録し直されています）。 / "
                f"The authenticator of {email} is no longer the demo one."
            )
        code, valid_for = current_code(account.totp_secret, min_validity=max(0, min_validity))
        self.stdout.write(code)
        self.stderr.write(
            f"あと{valid_for}秒有効。同じコードは一度しか使えません。 / "
            f"Valid for {valid_for} more seconds; each code works once."
        )
