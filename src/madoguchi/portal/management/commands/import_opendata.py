"""Import a CSV file in the standard layout of a 自治体標準オープンデータセット dataset as
a municipality's open data: `manage.py import_opendata kasama aed 082163_aed.csv`.

All or nothing, like the staff console's import: a file with any broken row is refused and
every error is printed with its line (exit status 1); otherwise the rows are written in one
transaction, with progress. Importing the same file again changes nothing.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from madoguchi.core.models import Municipality
from madoguchi.portal.models import OpenDataImportStatus
from madoguchi.portal.opendata import registry, services


class Command(BaseCommand):
    help = "Import a CSV file in a standard open data layout (all or nothing), printing progress and errors by line."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("municipality", help="the municipality's URL name (slug), e.g. kasama")
        parser.add_argument("dataset", help=f"file id: {', '.join(registry.DATASETS)}")
        parser.add_argument("file", help="CSV file (UTF-8 with or without BOM, or Shift_JIS)")
        parser.add_argument(
            "--replace-all", action="store_true", help="delete the dataset's records that are not in the file"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        municipality = Municipality.objects.filter(slug=options["municipality"]).first()
        if municipality is None:
            raise CommandError(f"団体が見つかりません / no municipality {options['municipality']!r}")
        if options["dataset"] not in registry.DATASETS:
            raise CommandError(
                f"データセットが見つかりません / no dataset {options['dataset']!r} "
                f"(one of: {', '.join(registry.DATASETS)})"
            )
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"ファイルがありません / no file {path}")
        dataset = registry.get(options["dataset"])
        self.stdout.write(f"{dataset.title_ja} ({dataset.key}) ← {path.name}: 確認中 / checking …")

        def progress(done: int, total: int) -> None:
            self.stdout.write(f"  {done}/{total} 行 / rows")

        run = services.import_file(
            municipality,
            dataset.key,
            path.read_bytes(),
            file_name=path.name,
            replace_all=options["replace_all"],
            progress=progress,
        )
        if run.status == OpenDataImportStatus.REJECTED:
            for error in run.errors:
                column = f" [{error['column']}]" if error["column"] else ""
                self.stderr.write(f"{path.name}:{error['line']}{column} {error['message']}")
            raise CommandError(
                f"{len(run.errors)}件の誤りがあるため、何も取り込んでいません / "
                f"{len(run.errors)} error(s): nothing imported"
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"取込完了 / imported: {run.row_count} 行 / rows — 追加 created {run.created_count}, "
                f"更新 updated {run.updated_count}, 削除 deleted {run.deleted_count}"
            )
        )
