"""The commands: facilities_lotteries runs the due steps; verify_lottery replays a round
from the database, or checks the public results CSV with the seed alone."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from madoguchi.core.models import Municipality
from madoguchi.core.tenancy import municipality_scope
from madoguchi.facilities.models import EntryStatus, LotteryEntry, RoundStatus
from madoguchi.facilities.tasks import run_lotteries_task

from .factories import make_gym
from .test_lottery_services import after, enter_many, make_round

pytestmark = pytest.mark.django_db


def test_commands_run_the_steps_and_verify(kasama: Municipality, client: Client, tmp_path: Path) -> None:
    gym = make_gym(kasama)
    lottery = make_round(gym)
    enter_many(lottery, gym, kasama, 7)
    out = io.StringIO()
    call_command("facilities_lotteries", "--now", after(lottery, "draw_at").isoformat(), stdout=out)
    assert "draw" in out.getvalue()
    lottery.refresh_from_db()
    assert lottery.status == RoundStatus.DRAWN

    out = io.StringIO()
    call_command("verify_lottery", str(lottery.pk), stdout=out)
    assert "OK" in out.getvalue()

    csv_file = tmp_path / "results.csv"
    csv_file.write_bytes(client.get(f"/kasama/facilities/lotteries/{lottery.pk}/results.csv").content)
    out = io.StringIO()
    call_command(
        "verify_lottery", "--csv", str(csv_file), "--seed", lottery.seed, "--commitment", lottery.seed_commitment,
        stdout=out,
    )  # fmt: skip
    assert "OK" in out.getvalue()
    with pytest.raises(CommandError):
        call_command("verify_lottery", "--csv", str(csv_file), "--seed", "ab" * 32, stdout=io.StringIO())

    with municipality_scope(kasama):
        loser = LotteryEntry.objects.filter(round=lottery, status=EntryStatus.LOST).first()
        LotteryEntry.objects.filter(pk=loser.pk).update(draw_rank=999)
    with pytest.raises(CommandError):
        call_command("verify_lottery", str(lottery.pk), stdout=io.StringIO())


def test_the_task_runs_a_pass(kasama: Municipality) -> None:
    assert run_lotteries_task.call() == {}
