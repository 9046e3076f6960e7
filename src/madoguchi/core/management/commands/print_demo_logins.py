"""`manage.py print_demo_logins`: the demo accounts as a table, with what staff need for
their second factor and the integration's API token."""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import translation

from madoguchi.core.demo import AccountKind, DemoAccount, DemoData, demo_data
from madoguchi.core.demo.loader import read_token_secrets

if TYPE_CHECKING:
    from madoguchi.accounts.models import User

KIND_LABELS = {
    AccountKind.RESIDENT: "住民 / Resident",
    AccountKind.BUSINESS: "事業者 / Business",
    AccountKind.OPERATOR: "運用者 / Operator (superuser)",
    AccountKind.SERVICE: "連携 / Integration",
}


def text_width(text: str) -> int:
    """Columns the text takes in a terminal: wide (CJK) characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def format_table(headings: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    widths = [max(text_width(str(r[i])) for r in [headings, *rows]) for i in range(len(headings))]

    def line(cells: Sequence[str]) -> str:
        return "  ".join(c + " " * (w - text_width(c)) for c, w in zip(cells, widths, strict=True)).rstrip()

    return [line(headings), "  ".join("-" * w for w in widths), *(line(r) for r in rows)]


def role_labels(roles: Sequence[str]) -> str:
    from madoguchi.accounts.models import Role

    labels = dict(Role.choices)
    parts = []
    for role in Role.values:
        if role in roles:
            ja = str(labels[role])
            with translation.override("en"):
                en = str(labels[role])
            parts.append(ja if en == ja else f"{ja} / {en}")
    return ", ".join(parts)


class Command(BaseCommand):
    help = "デモアカウントの一覧を表示します。 / Print the demo accounts and how to sign in with them."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--base-url", default="http://127.0.0.1:8000", help="デモのURL / where the demo is served")

    def handle(self, *args: Any, base_url: str = "http://127.0.0.1:8000", **options: Any) -> None:
        from madoguchi.accounts.models import User

        data = demo_data()
        base = base_url.rstrip("/")
        users = {u.email: u for u in User.objects.filter(email__in=[a.email for a in data.accounts])}
        write = self.stdout.write

        write("")
        write(self.style.MIGRATE_HEADING("デモのアカウント / Demo accounts"))
        write(f"サインイン / Sign in: {base}/accounts/login/   職員の画面 / Staff console: {base}/staff/")
        write("")
        rows = [self._row(data, a, users.get(a.email)) for a in data.accounts if a.kind != AccountKind.SERVICE]
        headings = [
            "役割 / Role",
            "メールアドレス / E-mail",
            "パスワード / Password",
            "団体 / Municipality",
            "所属 / Department",
        ]
        for line in format_table(headings, rows):
            write(line)
        missing = [a.email for a in data.accounts if a.email not in users]
        if missing:
            write("")
            write(
                self.style.WARNING(
                    f"まだ読み込まれていないアカウント / Not loaded yet: {', '.join(missing)} "
                    "(.venv/bin/python manage.py load_demo)"
                )
            )

        write("")
        write(self.style.MIGRATE_HEADING("職員の二要素認証 / Second factor of staff (TOTP)"))
        write(
            "職員と運用者はサインインの後に認証アプリの6桁のコードを入力します。秘密鍵を認証アプリに登録するか、"
            "次のコマンドで現在のコードを表示してください。 / Staff and the operator enter a 6-digit code after "
            "the password: add the secret to an authenticator app, or print the current code with:"
        )
        write("    .venv/bin/python manage.py demo_totp <email>")
        write("")
        for account in data.accounts:
            if account.totp_secret:
                write(f"  {account.email}")
                write(f"    秘密鍵 / secret: {account.totp_secret}")
                write(f"    URI: {self._totp_uri(account, users.get(account.email))}")

        services = data.accounts_of(AccountKind.SERVICE)
        if services:
            write("")
            write(self.style.MIGRATE_HEADING("API（連携システム） / API for integrations"))
            secrets = read_token_secrets()
            for account in services:
                municipality = data.municipality(account.municipality or "")
                secret = secrets.get(account.token_name)
                write(f"  {account.token_name} — {account.email} ({municipality.name_ja} / {municipality.name_en})")
                if secret:
                    write(f"    トークン / token: {secret}")
                    write(
                        f'    curl -H "Authorization: Bearer {secret}" {base}/api/v1/{municipality.slug}/departments/'
                    )
                else:
                    write("    トークンは load_demo の実行後に表示されます / the token appears after load_demo")
            write(f"  OpenAPI: {base}/api/v1/schema/")
        write("")

    def _row(self, data: DemoData, account: DemoAccount, user: User | None) -> list[str]:
        if account.kind == AccountKind.STAFF:
            role = role_labels(account.roles)
        else:
            role = KIND_LABELS.get(account.kind, account.kind)
        if account.municipality:
            municipality = data.municipality(account.municipality)
            place = f"{municipality.name_ja} / {municipality.name_en}"
            department = next(
                (d.name_ja for d in municipality.departments if d.code == account.department), account.department or ""
            )
        else:
            place = "全団体 / all" if account.kind == AccountKind.OPERATOR else "—"
            department = account.organisation_name or "—"
        email = account.email if user is not None else f"{account.email} (未作成 / not loaded)"
        return [role, email, account.password or "—", place, department]

    def _totp_uri(self, account: DemoAccount, user: User | None) -> str:
        from allauth.mfa.adapter import get_adapter

        from madoguchi.accounts.models import User

        # allauth builds the same URI as its enrolment page shows as a QR code.
        return str(get_adapter().build_totp_url(user or User(email=account.email), account.totp_secret or ""))
