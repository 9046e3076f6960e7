"""`manage.py sign_submission <number or public_id> --cert <name> [--out FILE]`: sign a
submission's canonical data with a test certificate of the demo CA (demo and tests
only). By default the signed XML is submitted through the same verification as the sign
page and the result printed; with --out it is written to a file, to upload on the sign
page instead."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django_scopes import scopes_disabled

from madoguchi.core.tenancy import municipality_scope
from madoguchi.procedures import democa, xmlsig
from madoguchi.procedures.models import Submission
from madoguchi.procedures.services import signatures


class Command(BaseCommand):
    help = "Sign a submission with a test certificate of the demo CA and verify it (or write the signed XML)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("submission", help="Submission number (2026-000123) or public_id (UUID).")
        parser.add_argument("--cert", required=True, help="Test certificate name (see manage.py demo_ca).")
        parser.add_argument("--out", default="", help="Write the signed XML to this file instead of submitting it.")
        parser.add_argument("--municipality", default="", help="Municipality slug, when a number is ambiguous.")

    def _find(self, ref: str, municipality: str) -> Submission:
        with scopes_disabled():
            qs = Submission.objects.select_related("municipality")
            try:
                qs = qs.filter(public_id=uuid.UUID(ref))
            except ValueError:
                qs = qs.filter(number=ref)
            if municipality:
                qs = qs.filter(municipality__slug=municipality)
            found = list(qs[:2])
        if not found:
            raise CommandError(f"No submission {ref}.")
        if len(found) > 1:
            raise CommandError(f"{ref} names submissions of several municipalities; give --municipality.")
        return found[0]

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            key, cert = democa.load_signer(options["cert"])
        except KeyError as exc:
            names = ", ".join(democa.signer_names()) or "none (run manage.py demo_ca)"
            raise CommandError(f"No test certificate {options['cert']!r}; available: {names}.") from exc
        found = self._find(options["submission"], options["municipality"])
        with municipality_scope(found.municipality):
            submission = Submission.objects.select_related("procedure", "form_version", "municipality").get(pk=found.pk)
            signed = xmlsig.sign(xmlsig.canonical_xml(submission), key, cert)
            if options["out"]:
                Path(options["out"]).write_bytes(signed)
                self.stdout.write(f"Signed XML written to {options['out']}")
                return
            evidence = signatures.verify_and_record(submission, signed, provider="command")
        label = submission.number or str(submission.public_id)
        if evidence.result == "accepted":
            self.stdout.write(self.style.SUCCESS(f"{label}: signature accepted ({evidence.subject})"))
        else:
            self.stdout.write(
                self.style.ERROR(f"{label}: signature refused [{evidence.failure_code}] {evidence.failure_message}")
            )
