"""`make bench`: how fast a municipality's home page is, against a bare Django view.

    python bench/run.py            # the full run (2000 requests per target)
    python bench/run.py --quick    # a few seconds, to check that the benchmark works

What it does, in one run:

1. a fresh SQLite database in a temporary directory: a copy of a freshly migrated
   template (cached in var/bench/ per set of migrations) with Kasama City created
   through the modules' services, as in the demo;
2. gunicorn serving the deployment (bench/wsgi.py) on a free local port, with
   production settings (DEBUG off, logs written to a file);
3. the same client — separate processes that each send requests one after another on
   a fresh connection, timing each — against three targets, each after a warm-up, with
   the same number of requests:
   - Kasama's home page, /kasama/ (Wagtail page, full middleware stack);
   - a bare view (HttpResponse("ok")) through the full middleware stack;
   - the same bare view through Django with no middleware;
4. a table of requests per second and p50/p99 latency, and the ratios of the home page
   to the bare view.

Numbers depend on the machine and on what else runs on it; they are printed, never
checked. Compare runs on one machine, not across machines.
"""

from __future__ import annotations

import argparse
import hashlib
import http.client
import multiprocessing
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SRC = ROOT / "src"
CACHE_DIR = Path(os.environ.get("MADOGUCHI_BENCH_CACHE", ROOT / "var" / "bench"))
HOST = "127.0.0.1"


@dataclass(frozen=True)
class Target:
    label: str
    path: str


TARGETS = [
    Target("Kasama home page /kasama/", "/kasama/"),
    Target("bare view, full middleware", "/_bench/bare/"),
    Target("bare view, no middleware", "/_nomw/_bench/bare/"),
]


@dataclass
class Result:
    target: Target
    requests: int
    errors: int
    seconds: float
    latencies: list[float]

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def percentile(self, p: float) -> float:
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        index = min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))
        return ordered[index] * 1000


# --- The database -----------------------------------------------------------------------


def _environment(run_dir: Path, database: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "MADOGUCHI_", "PYTEST_"))}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "bench.settings",
            "PYTHONPATH": os.pathsep.join([str(ROOT), str(SRC)]),
            "MADOGUCHI_TESTING": "0",
            "MADOGUCHI_VAR_DIR": str(run_dir),
            "DATABASE_URL": f"sqlite:///{database}",
            "REDIS_URL": "",
            "S3_BUCKET": "",
            "TASK_BACKEND": "database",
            "DEBUG": "0",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": f"{HOST},localhost",
            "LOG_LEVEL": "INFO",
            "LOG_FORMAT": "json",
        }
    )
    return env


def _template_key() -> str:
    """Changes with any migration or with the installed Django and Wagtail."""
    import django
    import wagtail

    digest = hashlib.sha256(f"{django.__version__} {wagtail.__version__}".encode())
    for path in sorted(SRC.glob("madoguchi/*/migrations/*.py")):
        digest.update(path.relative_to(SRC).as_posix().encode())
        digest.update(path.read_bytes())
    digest.update((ROOT / "bench" / "data.py").read_bytes())
    return digest.hexdigest()[:16]


def prepare_database(run_dir: Path, *, rebuild: bool, say: Any) -> Path:
    """A fresh database for this run: a copy of the migrated template with Kasama."""
    CACHE_DIR.mkdir(parents=True, exist_ok=True)
    template = CACHE_DIR / f"template-{_template_key()}.sqlite3"
    if rebuild or not template.exists():
        say("Building the benchmark database (migrate, then Kasama) …")
        building = Path(tempfile.mkdtemp(dir=CACHE_DIR))
        database = building / "db.sqlite3"
        env = {**_environment(building, database), "LOG_LEVEL": "WARNING"}
        for command in (
            [sys.executable, str(ROOT / "manage.py"), "migrate", "--noinput", "-v", "0"],
            [sys.executable, "-m", "bench.data"],
        ):
            subprocess.run(command, env=env, cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
        # Several runs at once each build their own, and the last one wins, whole.
        with sqlite_closed(database):
            os.replace(database, template)
        shutil.rmtree(building, ignore_errors=True)
        for stale in CACHE_DIR.glob("template-*.sqlite3"):
            if stale != template:
                stale.unlink(missing_ok=True)
    database = run_dir / "db.sqlite3"
    shutil.copyfile(template, database)
    return database


class sqlite_closed:  # noqa: N801 - used as a statement
    """Fold the write-ahead log into the file, so that the file alone is the database."""

    def __init__(self, database: Path) -> None:
        self.database = database

    def __enter__(self) -> None:
        import sqlite3

        connection = sqlite3.connect(self.database)
        try:
            connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            connection.execute("PRAGMA journal_mode=DELETE")
        finally:
            connection.close()

    def __exit__(self, *exc: object) -> None:
        return None


# --- The server -------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def start_server(run_dir: Path, database: Path, *, workers: int, say: Any) -> tuple[subprocess.Popen[bytes], int]:
    port = free_port()
    log = (run_dir / "server.log").open("wb")
    command = [
        sys.executable, "-m", "gunicorn", "bench.wsgi:application",
        "--bind", f"{HOST}:{port}",
        "--workers", str(workers),
        "--worker-class", "sync",
        # No control socket: several benchmarks (and tests) may run at once.
        "--no-control-socket",
        "--error-logfile", "-",
    ]  # fmt: skip
    server = subprocess.Popen(
        command,
        env=_environment(run_dir, database),
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(
                f"gunicorn stopped; see {run_dir / 'server.log'}:\n{(run_dir / 'server.log').read_text()[-3000:]}"
            )
        try:
            status, _body = fetch(port, "/healthz")
            if status == 200:
                say(f"gunicorn: {workers} sync workers on {HOST}:{port}")
                return server, port
        except OSError:
            pass
        time.sleep(0.2)
    stop_server(server)
    raise SystemExit(f"gunicorn did not answer /healthz within 60 s; see {run_dir / 'server.log'}")


def stop_server(server: subprocess.Popen[bytes]) -> None:
    if server.poll() is None:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()


# --- The client -------------------------------------------------------------------------


def fetch(port: int, path: str) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection(HOST, port, timeout=30)
    try:
        connection.request("GET", path, headers={"Host": HOST, "Accept-Language": "ja"})
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def _client(port: int, path: str, count: int) -> tuple[list[float], int]:
    """One client process: `count` requests in a row, each timed, each on a new connection
    (gunicorn's sync workers close every connection)."""
    latencies: list[float] = []
    errors = 0
    for _ in range(count):
        started = time.perf_counter()
        try:
            status, _body = fetch(port, path)
        except OSError:
            status = 0
        elapsed = time.perf_counter() - started
        if status == 200:
            latencies.append(elapsed)
        else:
            errors += 1
    return latencies, errors


def measure(pool: Any, port: int, target: Target, *, requests: int, warmup: int, concurrency: int) -> Result:
    shares = [requests // concurrency + (1 if i < requests % concurrency else 0) for i in range(concurrency)]
    warm = [max(1, warmup // concurrency)] * concurrency
    pool.starmap(_client, [(port, target.path, n) for n in warm])
    started = time.perf_counter()
    outcomes = pool.starmap(_client, [(port, target.path, n) for n in shares if n])
    seconds = time.perf_counter() - started
    latencies = [latency for got, _errors in outcomes for latency in got]
    errors = sum(e for _got, e in outcomes)
    return Result(target, requests=len(latencies), errors=errors, seconds=seconds, latencies=latencies)


# --- Report -----------------------------------------------------------------------------


def report(results: list[Result], *, requests: int, concurrency: int, workers: int) -> str:
    lines = [
        f"madoguchi bench: {requests} requests per target, {concurrency} client processes, "
        f"gunicorn with {workers} sync workers, SQLite, DEBUG off",
        "",
        f"{'target':<32} {'req/s':>9} {'p50 ms':>9} {'p99 ms':>9} {'errors':>7}",
    ]
    for r in results:
        lines.append(
            f"{r.target.label:<32} {r.rps:>9.1f} {r.percentile(50):>9.2f} {r.percentile(99):>9.2f} {r.errors:>7}"
        )
    home, bare_full, bare_none = results
    lines.append("")
    for label, bare in (("full middleware", bare_full), ("no middleware", bare_none)):
        if bare.rps and home.rps:
            lines.append(
                f"home page / bare view ({label}): {home.rps / bare.rps:.3f}× the requests per second, "
                f"{home.percentile(50) / bare.percentile(50):.1f}× the p50 and "
                f"{home.percentile(99) / bare.percentile(99):.1f}× the p99 latency"
            )
    if any(r.errors for r in results):
        lines.append("Some requests failed: the numbers above count successful requests only.")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="few requests: checks that the benchmark runs")
    parser.add_argument("--requests", type=int, help="measured requests per target (default 2000, quick 60)")
    parser.add_argument("--warmup", type=int, help="unmeasured requests per target first (default 200, quick 10)")
    parser.add_argument("--concurrency", type=int, help="client processes (default: 2 per CPU, at most 16)")
    parser.add_argument("--workers", type=int, help="gunicorn workers (default: one per CPU, at most 8)")
    parser.add_argument("--rebuild", action="store_true", help="rebuild the cached template database")
    parser.add_argument("--keep", action="store_true", help="keep the run's directory (database, server log)")
    args = parser.parse_args(argv)

    cpus = os.cpu_count() or 1
    requests = args.requests or (60 if args.quick else 2000)
    warmup = args.warmup if args.warmup is not None else (10 if args.quick else 200)
    workers = args.workers or (2 if args.quick else min(8, cpus))
    concurrency = args.concurrency or (2 if args.quick else min(16, 2 * cpus))

    def say(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    sys.path[:0] = [str(ROOT), str(SRC)]
    run_dir = Path(tempfile.mkdtemp(prefix="madoguchi-bench-"))
    server = None
    try:
        database = prepare_database(run_dir, rebuild=args.rebuild, say=say)
        server, port = start_server(run_dir, database, workers=workers, say=say)
        status, body = fetch(port, "/kasama/")
        if status != 200 or "笠間市".encode() not in body:
            raise SystemExit(f"/kasama/ answered {status} without the city's name; see {run_dir / 'server.log'}")
        # The client runs in processes of its own, apart from the server and from this one.
        with multiprocessing.get_context("spawn").Pool(concurrency) as pool:
            results = [
                measure(pool, port, target, requests=requests, warmup=warmup, concurrency=concurrency)
                for target in TARGETS
            ]
        print(report(results, requests=requests, concurrency=concurrency, workers=workers))
        return 0
    finally:
        if server is not None:
            stop_server(server)
        if args.keep:
            say(f"Kept {run_dir}")
        else:
            shutil.rmtree(run_dir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
