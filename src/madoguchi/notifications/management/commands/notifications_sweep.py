"""Repair the outbox after crashes and lost tasks (see services.sweep).

manage.py notifications_sweep             # once (cron, a systemd timer)
manage.py notifications_sweep --every 60  # as a long-running side process
"""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import close_old_connections

from madoguchi.notifications import services


class Command(BaseCommand):
    help = "Retry notifications whose worker died or whose task was lost; erase expired secrets."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--every", type=float, default=0, help="Repeat every N seconds (default: run once).")

    def handle(self, *args: Any, every: float, **options: Any) -> None:
        while True:
            close_old_connections()
            result = services.sweep()
            if options["verbosity"] >= 1 and (result.settled or result.requeued or result.secrets_erased):
                self.stdout.write(
                    f"settled {result.settled} stalled, requeued {result.requeued}, "
                    f"erased secrets of {result.secrets_erased}"
                )
            if every <= 0:
                return
            time.sleep(every)
