"""Verify a lottery's draw: redo it from the published seed, the entries and what was held
before the draw, and compare every entry's key, rank and outcome with what is stored
(`services.lotteries.replay_report`). With --csv and --seed it checks a downloaded
results CSV instead (keys and ranks from the seed alone, and that no two winners share a
half hour of a space), as anyone outside the municipality can. Exit status 1 on any
difference."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import hmac
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from madoguchi.facilities.models import LotteryRound
from madoguchi.facilities.services import draw, lotteries


def _cells(row: dict[str, str]) -> set[tuple[str, str, int]]:
    starts = dt.time.fromisoformat(row["開始"])
    ends = dt.time.fromisoformat(row["終了"])
    first, last = (starts.hour * 60 + starts.minute) // 30, (ends.hour * 60 + ends.minute) // 30
    return {(space, row["利用日"], cell) for space in row["区画"].split() for cell in range(first, last)}


def check_csv(path: str, seed: str, commitment: str = "") -> list[str]:
    """Problems found in a results CSV checked against the seed ([] when it is right)."""
    problems: list[str] = []
    if commitment and draw.seed_commitment(seed) != commitment:
        problems.append("the seed's SHA-256 is not the published commitment")
    with open(path, encoding="utf-8-sig", newline="") as handle:
        rows = {row["申込番号"]: row for row in csv.DictReader(handle)}
    secret = bytes.fromhex(seed)
    ordered = sorted((hmac.new(secret, number.encode(), hashlib.sha256).hexdigest(), number) for number in rows)
    taken: set[tuple[str, str, int]] = set()
    for rank, (key, number) in enumerate(ordered, start=1):
        row = rows[number]
        if row["抽選キー"] != key or int(row["順位"]) != rank:
            problems.append(f"{number}: key or rank differs")
        cells = _cells(row)
        if row["結果"] == "当選":
            if cells & taken:
                problems.append(f"{number}: won a slot an earlier winner held")
            taken |= cells
        elif row["理由"] == "先に当選した申込と重なる" and not cells & taken:
            problems.append(f"{number}: lost for an overlap, but no earlier winner holds its slot")
    return problems


class Command(BaseCommand):
    help = "Redo a lottery's draw from its published seed and compare with the stored results (or a results CSV)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("round", nargs="?", type=int, help="the round's id (LotteryRound pk)")
        parser.add_argument("--csv", help="a results CSV downloaded from the round's public page")
        parser.add_argument("--seed", help="the published seed (with --csv)")
        parser.add_argument("--commitment", default="", help="the published SHA-256 of the seed (with --csv)")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["csv"]:
            if not options["seed"]:
                raise CommandError("--csv needs --seed")
            problems = check_csv(options["csv"], options["seed"], options["commitment"])
        elif options["round"]:
            lottery = LotteryRound.unscoped.filter(pk=options["round"]).first()
            if lottery is None:
                raise CommandError(f"no lottery round {options['round']}")
            report = lotteries.replay_report(lottery)
            self.stdout.write(f"{report.entries} entries replayed")
            problems = [f"{number}: differs" for number in report.mismatches]
        else:
            raise CommandError("give a round id, or --csv and --seed")
        for problem in problems:
            self.stdout.write(problem)
        if problems:
            raise CommandError(f"NG: {len(problems)} difference(s)", returncode=1)
        self.stdout.write("OK: the results are what the published seed gives")
