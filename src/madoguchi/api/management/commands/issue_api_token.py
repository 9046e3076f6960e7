"""manage.py issue_api_token --municipality kasama --email renkei@… --name "税務システム連携"

Issues an API token acting for a staff account of the municipality (with its roles) and
prints it once, alone on standard output, so that it can go straight into the
integration's secret store; nothing can show it again. Audited.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from madoguchi.accounts.models import User
from madoguchi.api import services

from ._common import municipality_by_slug_or_code


class Command(BaseCommand):
    help = "Issue an API token for a staff account of a municipality and print it once."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--municipality", required=True, help="URL name (e.g. kasama) or local government code.")
        parser.add_argument("--email", required=True, help="E-mail address of the staff account the token acts for.")
        parser.add_argument("--name", required=True, help="What the token is for, e.g. 税務システム連携.")
        expiry = parser.add_mutually_exclusive_group()
        expiry.add_argument("--expires", type=dt.date.fromisoformat, help="Last day of validity (YYYY-MM-DD).")
        expiry.add_argument("--days", type=int, help="Valid for this many days from now.")

    def handle(self, *args: Any, **options: Any) -> None:
        municipality = municipality_by_slug_or_code(options["municipality"])
        user = User.objects.filter(email__iexact=options["email"].strip()).first()
        if user is None:
            raise CommandError(f"No account with the e-mail address {options['email']!r}.")
        expires_at = None
        if options["expires"] is not None:
            end_of_day = dt.datetime.combine(options["expires"] + dt.timedelta(days=1), dt.time.min)
            expires_at = timezone.make_aware(end_of_day)
        elif options["days"] is not None:
            if options["days"] < 1:
                raise CommandError("--days must be 1 or more.")
            expires_at = timezone.now() + dt.timedelta(days=options["days"])
        try:
            token, raw = services.issue_token(
                municipality=municipality, user=user, name=options["name"], expires_at=expires_at, channel="command"
            )
        except services.TokenError as exc:
            raise CommandError(str(exc)) from exc
        expiry = timezone.localtime(token.expires_at).isoformat() if token.expires_at else "never"
        self.stderr.write(
            f"Issued token {token.key_prefix}… (id {token.pk}) of {municipality.slug} for {user.email}, "
            f"expires: {expiry}.\nIt is printed once, below; store it in the integration's secret store now."
        )
        self.stdout.write(raw)
