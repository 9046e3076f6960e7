"""Start a real OpenID Provider (the certified `oidc-provider` npm package, see
server.mjs) for the browser tests of OpenID Connect sign-in.

    with start_provider(clients=[...], scopes={...}, accounts={...}) as provider:
        provider.issuer  # http://127.0.0.1:<free port>

Node.js and the package come from `make assets` (npm ci). Without Node the tests that
need a provider are skipped on a developer's machine and fail under CI=true, where every
test must run.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
SERVER = HERE / "server.mjs"
PACKAGE = ROOT / "node_modules" / "oidc-provider" / "package.json"
START_TIMEOUT_S = 20.0


def node_or_skip() -> str:
    """The node executable; skip (or, under CI, fail) when there is none."""
    node = shutil.which("node")
    if node is None:
        if os.environ.get("CI") == "true":
            pytest.fail("Node.js is not installed, and CI runs the OpenID Connect tests (make assets).")
        pytest.skip("Node.js is not installed: the OpenID Connect sign-in tests need it")
    if not PACKAGE.exists():
        pytest.fail("the oidc-provider package is missing: run `make assets` (npm ci)")
    return node


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class RunningProvider:
    """An OpenID Provider listening on 127.0.0.1."""

    issuer: str
    process: subprocess.Popen[str]
    output: list[str] = field(default_factory=list)

    @property
    def origin(self) -> str:
        return self.issuer

    def log(self) -> str:
        return "".join(self.output)


def _collect(process: subprocess.Popen[str], sink: list[str], ready: threading.Event) -> None:
    assert process.stdout is not None
    for line in process.stdout:
        sink.append(line)
        if line.startswith("ready "):
            ready.set()


@contextmanager
def start_provider(
    *, clients: list[dict[str, Any]], scopes: dict[str, list[str]], accounts: dict[str, dict[str, Any]]
) -> Iterator[RunningProvider]:
    """Run server.mjs on a free port until the block ends."""
    node = node_or_skip()
    port = free_port()
    config = {"port": port, "clients": clients, "scopes": scopes, "accounts": accounts}
    process = subprocess.Popen(
        [node, str(SERVER)],
        cwd=ROOT,
        env={**os.environ, "OIDC_TEST_CONFIG": json.dumps(config)},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    provider = RunningProvider(issuer=f"http://127.0.0.1:{port}", process=process)
    ready = threading.Event()
    reader = threading.Thread(target=_collect, args=(process, provider.output, ready), daemon=True)
    reader.start()
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while not ready.wait(0.05):
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the OpenID provider did not start:\n{provider.log()}")
        yield provider
    finally:
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        reader.join(timeout=2)
