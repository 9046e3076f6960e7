"""Ask the gateways about online payments still pending (a notification that never
came): run it periodically, e.g. every 10 minutes from cron or the scheduler."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from madoguchi.payments import online


class Command(BaseCommand):
    help = "Query the gateway for online payments still pending after --minutes (default 10)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--minutes", type=int, default=10, help="only attempts older than this")
        parser.add_argument("--limit", type=int, default=200, help="at most this many attempts per run")

    def handle(self, *args: Any, **options: Any) -> None:
        settled = online.reconcile_pending(older_than=timedelta(minutes=options["minutes"]), limit=options["limit"])
        self.stdout.write(f"{settled} online payment(s) settled")
