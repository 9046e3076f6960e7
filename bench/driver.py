"""What the benchmark drivers share: the environment of the processes they start (the
deployment's settings for the benchmark, never the developer's or the test run's), and
running one phase of a benchmark in a process of its own that prints its result as JSON
on its last line."""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def environment(database_url: str, var_dir: Path, **overrides: str) -> dict[str, str]:
    """The environment of a benchmark's processes: bench.settings on `database_url`, files
    under `var_dir`, no Redis or S3, DEBUG off, quiet logs; `overrides` last."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "MADOGUCHI_", "PYTEST_"))}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "bench.settings",
            "PYTHONPATH": os.pathsep.join([str(ROOT), str(ROOT / "src")]),
            "MADOGUCHI_TESTING": "0",
            "MADOGUCHI_VAR_DIR": str(var_dir),
            "DATABASE_URL": database_url,
            "REDIS_URL": "",
            "S3_BUCKET": "",
            "DEBUG": "0",
            "LOG_LEVEL": "WARNING",
            "SECRET_KEY": secrets.token_urlsafe(50),
            **overrides,
        }
    )
    return env


def run_phase(script: str | Path, env: dict[str, str], *args: str) -> dict[str, Any]:
    """Run `script --phase args…` in its own process and return what it printed last (JSON)."""
    result = subprocess.run(
        [sys.executable, str(Path(script).resolve()), "--phase", *args],
        env=env,
        cwd=ROOT,
        check=True,
        stdout=subprocess.PIPE,
        text=True,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]
