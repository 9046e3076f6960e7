"""Delete or anonymise submissions past their retention period (see
`procedures.services.retention`). Run daily; the task `procedures.tasks` does the same
from the task worker."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from madoguchi.core.models import Municipality
from madoguchi.procedures.services import retention


class Command(BaseCommand):
    help = (
        "Delete or anonymise closed submissions past their procedure's retention period, "
        "abandoned drafts and anonymous life event cases. --dry-run only counts."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="count what would be done, change nothing")
        parser.add_argument("--municipality", help="only this municipality (slug or 団体コード)")
        parser.add_argument("--batch-size", type=int, default=retention.BATCH_SIZE)

    def handle(self, *args: Any, **options: Any) -> None:
        municipality = None
        if options["municipality"]:
            key = options["municipality"]
            municipality = (
                Municipality.objects.filter(slug=key).first() or Municipality.objects.filter(code=key).first()
            )
            if municipality is None:
                raise CommandError(f"no municipality {key!r}")
        verbosity = int(options["verbosity"])

        def progress(label: str, done: int, total: int) -> None:
            if verbosity >= 1:
                self.stdout.write(f"  {label}: {done}/{total}")

        result = retention.apply_retention(
            municipality=municipality,
            progress=progress,
            dry_run=options["dry_run"],
            batch_size=max(1, options["batch_size"]),
        )
        heading = "予定 / would be done (dry run)" if result.dry_run else "処理済み / done"
        self.stdout.write(heading)
        for counts in result.procedures:
            self.stdout.write(
                f"{counts.municipality} {counts.procedure}: "
                f"削除 deleted {counts.deleted}, 匿名化 anonymised {counts.anonymised}, "
                f"下書き削除 drafts deleted {counts.drafts_deleted}"
            )
        self.stdout.write(
            f"合計 total: 削除 deleted {result.deleted}, 匿名化 anonymised {result.anonymised}, "
            f"下書き削除 drafts deleted {result.drafts_deleted}, "
            f"ライフイベント案内の削除 life event cases deleted {result.cases_deleted}, "
            f"ファイル削除 files deleted {result.files_deleted}"
        )
