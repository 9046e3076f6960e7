"""manage.py list_api_tokens kasama: the municipality's API tokens (never their secrets)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from madoguchi.api import services

from ._common import municipality_by_slug_or_code


def _when(value: Any) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else "-"


class Command(BaseCommand):
    help = "List the API tokens of a municipality."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("municipality", help="URL name (e.g. kasama) or local government code.")

    def handle(self, *args: Any, **options: Any) -> None:
        municipality = municipality_by_slug_or_code(options["municipality"])
        self.stdout.write("id\tprefix\tstatus\taccount\tcreated\texpires\tlast used\tname")
        for token in services.tokens_of(municipality):
            status = "revoked" if token.revoked_at else ("expired" if token.is_expired else "active")
            self.stdout.write(
                f"{token.pk}\t{token.key_prefix}\t{status}\t{token.user.email}\t{_when(token.created_at)}\t"
                f"{_when(token.expires_at)}\t{_when(token.last_used_at)}\t{token.name}"
            )
