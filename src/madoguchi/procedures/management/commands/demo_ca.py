"""`manage.py demo_ca [--force] [--dir DIR]`: create the demo certificate authority
(FOR DEMONSTRATION ONLY) under settings.DEMO_CA_DIR; see procedures.democa."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from madoguchi.procedures import democa


class Command(BaseCommand):
    help = "Create the demo certificate authority and test signer certificates (demo only)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--force", action="store_true", help="Discard the existing demo CA and make a new one.")
        parser.add_argument("--dir", default="", help="Directory (default: settings.DEMO_CA_DIR).")

    def handle(self, *args: Any, **options: Any) -> None:
        directory = democa.ensure(Path(options["dir"]) if options["dir"] else None, force=options["force"])
        self.stdout.write(f"Demo CA ({democa.CA_NAME}) in {directory} — demo only, PIN {democa.DEMO_PIN}")
        for signer in democa.manifest(directory)["signers"]:
            self.stdout.write(f"  {signer['name']:<18} {signer['kind']:<10} {signer['email']}")
