"""manage.py revoke_api_token --municipality kasama --prefix mdg_AbCd12 (or --id 12)

Revokes the token at once: calls with it are refused from the next request on. Audited;
revoking a revoked token changes nothing.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from madoguchi.api import services

from ._common import municipality_by_slug_or_code, token_of


class Command(BaseCommand):
    help = "Revoke an API token of a municipality."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--municipality", required=True, help="URL name (e.g. kasama) or local government code.")
        which = parser.add_mutually_exclusive_group(required=True)
        which.add_argument("--prefix", help="The token's first characters, as listed (e.g. mdg_AbCd12).")
        which.add_argument("--id", type=int, help="The token's id, as listed.")

    def handle(self, *args: Any, **options: Any) -> None:
        municipality = municipality_by_slug_or_code(options["municipality"])
        token = token_of(municipality, prefix=options["prefix"], pk=options["id"])
        if services.revoke_token(token, channel="command"):
            self.stdout.write(self.style.SUCCESS(f"Revoked {token.key_prefix}… (id {token.pk}, {token.name})."))
        else:
            self.stdout.write(f"{token.key_prefix}… (id {token.pk}) was already revoked.")
