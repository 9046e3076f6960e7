"""manage.py verify_audit_chain [--chain CODE]: check that the audit log is whole.

Walks every chain (one per municipality, by its local government code, and
`deployment`), prints OK per chain or the first entry that no longer fits, records the
outcome in the deployment's chain, and exits with status 1 when any chain is broken.
Run it regularly (e.g. nightly from cron) and keep its output.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, transaction

from madoguchi.audit import database, services


class Command(BaseCommand):
    help = "Verify the hash chains of the audit log and name the first tampered entry."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--chain", help="Only this chain: a local government code, or 'deployment'.")
        parser.add_argument(
            "--no-record",
            action="store_true",
            help="Do not record the outcome in the log (it is recorded by default, so that a later "
            "check notices entries cut off after this one).",
        )
        parser.add_argument(
            "--progress-every", type=int, default=10_000, help="Print progress every N entries (default 10000)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        chains = services.all_chains()
        if options["chain"]:
            if options["chain"] not in chains:
                raise CommandError(
                    f"No audit chain named {options['chain']!r}. Chains: {', '.join(chains) or '(none)'}"
                )
            chains = [options["chain"]]
        self._warn_about_missing_triggers()
        every = max(1, int(options["progress_every"]))
        broken: list[services.ChainResult] = []
        results: list[services.ChainResult] = []
        for chain in chains:
            total = services.count_entries(chain)
            self.stdout.write(f"{chain}: checking {total} entries")

            def progress(checked: int, chain: str = chain, total: int = total) -> None:
                if checked % every == 0 and checked < total:
                    self.stdout.write(f"{chain}: {checked}/{total}")

            result = services.verify_chain(chain, progress=progress)
            results.append(result)
            if result.ok:
                self.stdout.write(self.style.SUCCESS(f"{chain}: {result.checked}/{total} OK"))
            else:
                broken.append(result)
                problem = result.problem
                assert problem is not None
                where = (
                    f"entry #{problem.sequence} (id {problem.entry_id})"
                    if problem.sequence is not None
                    else "the end of the chain"
                )
                self.stdout.write(
                    self.style.ERROR(
                        f"{chain}: BROKEN at {where} after {result.checked}/{total} good entries: {problem.problem}"
                    )
                )
        if not options["no_record"]:
            with transaction.atomic():
                for result in results:
                    services.record_check(result)
        if broken:
            raise CommandError(
                f"{len(broken)} of {len(results)} audit chain(s) broken: {', '.join(r.chain for r in broken)}"
            )
        self.stdout.write(self.style.SUCCESS(f"All {len(results)} audit chain(s) are whole."))

    def _warn_about_missing_triggers(self) -> None:
        missing = [name for name, present in database.installed(connection).items() if not present]
        if missing:
            self.stderr.write(
                self.style.WARNING(
                    f"Append-only triggers missing or disabled: {', '.join(missing)}. Run `manage.py migrate`."
                )
            )
