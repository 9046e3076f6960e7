"""Write 期限切れ (expired) on facility registrations past their validity
(`services.registrations.expire_all_due`), printing the count per municipality. Run it
daily from cron or the scheduler; the task `facilities.tasks.expire_registrations_task`
does the same from the task worker. Safe to repeat: an expired registration is not
expired again."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from madoguchi.facilities.services import registrations


class Command(BaseCommand):
    help = "Mark approved facility registrations past their validity as expired, printing the count per municipality."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--today", help="act as if today were this date (YYYY-MM-DD), for trials")

    def handle(self, *args: Any, **options: Any) -> None:
        today = None
        if options["today"]:
            try:
                today = dt.date.fromisoformat(options["today"])
            except ValueError as error:
                raise CommandError(f"--today: {error}") from error
        done = registrations.expire_all_due(today, out=self.stdout.write)
        self.stdout.write(f"利用者登録の期限切れ / registrations expired: {sum(done.values())}")
