"""manage.py import_tax_invoices <municipality> <file> [--dry-run]: invoices from the tax
system's CSV (format in `madoguchi.payments.imports`). All rows or none."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from madoguchi.api.management.commands._common import municipality_by_slug_or_code
from madoguchi.payments import imports


class Command(BaseCommand):
    help = "Import invoices from the tax system's CSV file (UTF-8 or Shift_JIS); nothing is imported if a row is wrong."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("municipality", help="URL name (slug) or local government code")
        parser.add_argument("file", type=Path)
        parser.add_argument("--dry-run", action="store_true", help="check and report; write nothing")

    def handle(self, *args: Any, **options: Any) -> None:
        municipality = municipality_by_slug_or_code(options["municipality"])
        path: Path = options["file"]
        try:
            content = path.read_bytes()
        except OSError as error:
            raise CommandError(f"Cannot read {path}: {error}") from None
        step = 0

        def progress(done: int, total: int) -> None:
            nonlocal step
            if done == total or done * 10 // total > step:
                step = done * 10 // total
                self.stdout.write(f"  {done}/{total}")

        report = imports.import_invoices(municipality, content, dry_run=options["dry_run"], progress=progress)
        self.stdout.write(
            f"{path.name} ({report.encoding or '?'}): {len(report.to_create)} to create "
            f"({report.total_amount:,} yen), {len(report.already_imported)} already imported, "
            f"{len(report.rejected_rows)} rejected rows"
        )
        for problem in report.errors:
            self.stderr.write(str(problem))
        if not report.ok:
            raise CommandError("Nothing was imported.")
        if report.dry_run:
            self.stdout.write("Dry run: nothing was imported.")
        else:
            self.stdout.write(self.style.SUCCESS(f"Imported {len(report.to_create)} invoices."))
