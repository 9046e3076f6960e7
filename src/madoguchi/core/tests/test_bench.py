"""`make bench` keeps working: bench/run.py --quick runs end to end (numbers not checked)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[4]


def test_quick_benchmark_runs_and_prints_the_ratio() -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "run.py"), "--quick", "--requests", "20", "--warmup", "4"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    out = result.stdout
    for label in ("Kasama home page /kasama/", "bare view, full middleware", "bare view, no middleware"):
        row = re.search(rf"^{re.escape(label)}\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)\s+0$", out, re.M)
        assert row, f"no row for {label!r} in:\n{out}"
    assert re.search(r"^home page / bare view \(full middleware\): [\d.]+× the requests per second", out, re.M)
