"""`manage.py load_demo`: Kasama City and Mito City with departments and demo accounts."""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from madoguchi.core.demo.loader import DemoDataError, load_demo, public_hosts


class Command(BaseCommand):
    help = (
        "デモデータ（笠間市・水戸市、部署、各役割の職員、住民、事業者、運用者）を読み込みます。"
        "何度実行しても同じ結果になります。 / Load the demo data set; running it again changes nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--force",
            action="store_true",
            help="ALLOWED_HOSTS に外部のホスト名があっても読み込む / load even when ALLOWED_HOSTS names public hosts",
        )

    def handle(self, *args: Any, force: bool = False, **options: Any) -> None:
        hosts = public_hosts()
        if hosts and not force:
            # The demo's passwords and TOTP secrets are public: never on a reachable server.
            raise CommandError(
                "デモのパスワードと認証アプリの秘密鍵は公開されています。外部から到達できる環境"
                f"（ALLOWED_HOSTS: {', '.join(hosts)}）には読み込みません。 / The demo's passwords and TOTP "
                "secrets are public; refusing to load them into a deployment that answers to "
                f"{', '.join(hosts)}. Use --force only on a closed test machine."
            )
        if options.get("verbosity", 1) < 2:
            # Wagtail logs every page it creates; the progress lines below say enough.
            logging.getLogger("wagtail").setLevel(logging.WARNING)
        self.stdout.write("デモデータを読み込みます / Loading the demo data …")
        try:
            report = load_demo(out=self.stdout.write)
        except (DemoDataError, ValidationError) as exc:
            raise CommandError(str(exc)) from exc
        created = sum(report.created.values())
        updated = sum(report.updated.values())
        unchanged = sum(report.unchanged.values())
        summary = f"完了 / Done: {created} 作成 / created, {updated} 更新 / updated, {unchanged} 変更なし / unchanged."
        self.stdout.write(self.style.SUCCESS(summary) if report.changed else summary)
