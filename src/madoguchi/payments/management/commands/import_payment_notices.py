"""`manage.py import_payment_notices <municipality> <format> <file> [--dry-run]`: import a
payment notice file (収納データ) and reconcile it, as the staff screen does."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from madoguchi.core.models import Municipality
from madoguchi.payments import reconciliation
from madoguchi.payments.models import ExceptionReason
from madoguchi.payments.notice_formats import NoticeFormatError, available_formats


class Command(BaseCommand):
    help = "Import a payment notice file and reconcile it with the municipality's invoices (whole or not at all)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("municipality", help="the municipality's slug or 6-digit code")
        parser.add_argument("format", choices=[f.name for f in available_formats()])
        parser.add_argument("file", type=Path)
        parser.add_argument("--dry-run", action="store_true", help="do everything, then roll it back")
        parser.add_argument("--chunk-size", type=int, default=reconciliation.CHUNK_SIZE)

    def handle(self, *args: Any, **options: Any) -> None:
        key = options["municipality"]
        municipality = Municipality.objects.filter(slug=key).first() or Municipality.objects.filter(code=key).first()
        if municipality is None:
            raise CommandError(f"no municipality {key!r}")
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"no file {path}")
        started = time.monotonic()
        verbosity = options["verbosity"]

        def progress(done: int) -> None:
            if verbosity >= 1:
                rate = done / max(time.monotonic() - started, 1e-6)
                self.stderr.write(f"  {done:,} records ({rate:,.0f}/s)")

        try:
            with path.open("rb") as stream:
                outcome = reconciliation.import_notice_file(
                    municipality,
                    options["format"],
                    stream,
                    file_name=path.name,
                    dry_run=options["dry_run"],
                    chunk_size=options["chunk_size"],
                    progress=progress,
                )
        except NoticeFormatError as error:
            raise CommandError(f"{path}: {error} — nothing was imported") from None
        except reconciliation.DuplicateFileError as error:
            previous = error.notice_import
            raise CommandError(
                f"{path} was imported before (#{previous.pk}, {previous.file_name},"
                f" {previous.imported_at:%Y-%m-%d %H:%M})"
            ) from None
        prefix = "Dry run (nothing kept): " if outcome.dry_run else ""
        self.stdout.write(
            f"{prefix}{outcome.records:,} records, {outcome.total_amount:,} yen: {outcome.matched:,} matched,"
            f" {outcome.exceptions:,} to check, {outcome.already_known:,} already imported"
            f" ({time.monotonic() - started:.1f} s)"
        )
        for reason, count in sorted(outcome.reasons.items()):
            self.stdout.write(f"  {ExceptionReason(reason).label}: {count:,}")
