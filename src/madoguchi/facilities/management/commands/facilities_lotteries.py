"""Advance the lottery rounds whose next step is due (`services.lotteries.run_due`):
open, publish the seed, draw, e-mail the results, release unconfirmed wins. Run it every
few minutes from cron or the scheduler; the task `facilities.tasks` does the same from
the task worker. Safe to repeat: each step happens once."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from madoguchi.facilities.services import lotteries


class Command(BaseCommand):
    help = "Run the due steps of every lottery round (open, publish seed, draw, notify, finish), printing each."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--now", help="act as if it were this moment (ISO 8601), for trials and demos")

    def handle(self, *args: Any, **options: Any) -> None:
        now = None
        if options["now"]:
            try:
                now = dt.datetime.fromisoformat(options["now"])
            except ValueError as error:
                raise CommandError(f"--now: {error}") from error
            if timezone.is_naive(now):
                now = timezone.make_aware(now)
        done = lotteries.run_due(now=now, out=self.stdout.write)
        self.stdout.write(f"抽選 / lotteries: {len(done)} round(s) advanced")
