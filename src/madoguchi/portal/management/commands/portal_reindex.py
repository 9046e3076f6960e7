"""manage.py portal_reindex [slug …]: rebuild the website's search index.

The index follows publishing on its own; this is for upgrades (a change to folding or
readings), a restored database, or an index update that failed."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from madoguchi.core.models import Municipality
from madoguchi.portal.services.search import reindex


class Command(BaseCommand):
    help = "Rebuild the website's search index (サイト内検索の索引を作り直す)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("slugs", nargs="*", help="Municipality URL names (all when none are given)")

    def handle(self, *args: Any, **options: Any) -> None:
        slugs: list[str] = options["slugs"]
        municipalities = list(Municipality.objects.filter(slug__in=slugs)) if slugs else [None]
        missing = set(slugs) - {m.slug for m in municipalities if m is not None}
        if missing:
            raise CommandError(f"Unknown municipality: {', '.join(sorted(missing))}")
        verbosity = int(options.get("verbosity", 1))
        for municipality in municipalities:
            label = municipality.slug if municipality is not None else "all"

            def progress(done: int, total: int, label: str = label) -> None:
                if verbosity >= 1 and (done == total or done % 50 == 0):
                    self.stdout.write(f"{label}: {done}/{total} pages")

            written = reindex(municipality, progress=progress)
            self.stdout.write(self.style.SUCCESS(f"{label}: {written} pages in the search index"))
