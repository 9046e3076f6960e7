"""`make bench-portal`: the website's pages with and without the page cache, against a
bare Django view, in one run.

    python bench/portal.py            # 2000 requests per target
    python bench/portal.py --quick    # a few seconds, to check that the benchmark works

What it does:

1. a fresh SQLite database: a copy of a template (var/bench/portal-<key>.sqlite3, rebuilt
   when a migration or the demo data changes) that is migrated and has the whole demo
   loaded (`load_demo`: Kasama's website in Japanese and English, its open data …);
2. gunicorn serving the deployment (bench/wsgi.py, sync workers, DEBUG off), twice: first
   with the page cache off (PORTAL_PAGE_CACHE=0), then on — each server measured against
   its own bare view, so that each ratio compares numbers of the same server;
3. the client of `make bench` (bench/run.py: processes sending requests one after another,
   each on a new connection, as an anonymous reader without cookies) against:
   - the bare view (HttpResponse("ok") through the full middleware stack): the baseline;
   - Kasama's home page /kasama/ (latest news, upcoming events, quick links, menus);
   - a deep page, /kasama/bosai/bosai-joho/hazard-map/ (three levels below the home page:
     breadcrumbs, related pages, the end-of-page block);
   each after a warm-up (which, with the cache on, fills it);
4. a table of requests per second and p50/p95 latency, the ratios to the bare view, and
   cached against uncached. With the cache on, the run checks that the pages were
   answered from the cache (the X-Page-Cache header says "hit").

Numbers depend on the machine and on what else runs on it; they are printed, never checked.
"""

from __future__ import annotations

import argparse
import hashlib
import multiprocessing
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SRC = ROOT / "src"
# Run as a script (`python bench/portal.py`): the package `bench` is found from the project.
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

HOST = "127.0.0.1"
BARE = "/_bench/bare/"
TOP = "/kasama/"
DEEP = "/kasama/bosai/bosai-joho/hazard-map/"


# --- gunicorn's worker hook (this module is also the servers' config: -c python:bench.portal)


def post_worker_init(worker: Any) -> None:
    """Make sure the page cache's Wagtail hook is registered in each worker. The portal
    app imports `portal.cache` itself once it is wired; until then the import here does
    it (and the report says which)."""
    import madoguchi.portal.cache  # noqa: F401


# --- The database -----------------------------------------------------------------------------


def _template_key() -> str:
    """Changes with any migration, the demo's data, or the installed Django and Wagtail."""
    import django
    import wagtail

    digest = hashlib.sha256(f"{django.__version__} {wagtail.__version__}".encode())
    paths = [
        *SRC.glob("madoguchi/*/migrations/*.py"),
        *SRC.glob("madoguchi/core/demo/*"),
        *SRC.glob("madoguchi/*/demo.py"),
        *SRC.glob("madoguchi/procedures/demo/*.toml"),
        *SRC.glob("madoguchi/portal/demo_data/*"),
    ]
    for path in sorted(p for p in paths if p.is_file()):
        digest.update(path.relative_to(SRC).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def prepare_database(run_dir: Path, *, rebuild: bool, say: Any) -> Path:
    from bench.run import CACHE_DIR, _environment, sqlite_closed

    CACHE_DIR.mkdir(parents=True, exist_ok=True)
    template = CACHE_DIR / f"portal-{_template_key()}.sqlite3"
    if rebuild or not template.exists():
        say("building the benchmark database (migrate, load_demo; once per set of migrations and demo data) …")
        building = Path(tempfile.mkdtemp(dir=CACHE_DIR))
        database = building / "db.sqlite3"
        env = {**_environment(building, database), "LOG_LEVEL": "WARNING"}
        for command in (
            [sys.executable, str(ROOT / "manage.py"), "migrate", "--noinput", "-v", "0"],
            [sys.executable, str(ROOT / "manage.py"), "load_demo"],
        ):
            subprocess.run(command, env=env, cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
        with sqlite_closed(database):
            os.replace(database, template)
        shutil.rmtree(building, ignore_errors=True)
        for stale in CACHE_DIR.glob("portal-*.sqlite3"):
            if stale != template:
                stale.unlink(missing_ok=True)
    database = run_dir / "db.sqlite3"
    shutil.copyfile(template, database)
    return database


# --- The server -------------------------------------------------------------------------------


def start_server(
    run_dir: Path, database: Path, *, workers: int, cache_on: bool, say: Any
) -> tuple[subprocess.Popen[bytes], int]:
    from bench.run import _environment, fetch, free_port, stop_server

    port = free_port()
    name = "cached" if cache_on else "uncached"
    log_path = run_dir / f"server-{name}.log"
    env = {
        **_environment(run_dir, database),
        "LOG_LEVEL": "WARNING",
        "PORTAL_PAGE_CACHE": "1" if cache_on else "0",
    }
    command = [
        sys.executable, "-m", "gunicorn", "bench.wsgi:application",
        "--config", "python:bench.portal",
        "--bind", f"{HOST}:{port}",
        "--workers", str(workers),
        "--worker-class", "sync",
        "--no-control-socket",
        "--error-logfile", "-",
    ]  # fmt: skip
    server = subprocess.Popen(
        command, env=env, cwd=ROOT, stdout=log_path.open("wb"), stderr=subprocess.STDOUT, start_new_session=True
    )
    # A loaded machine may take minutes to import Django in every worker.
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"gunicorn stopped:\n{log_path.read_text()[-3000:]}")
        try:
            if fetch(port, BARE)[0] == 200:
                say(f"gunicorn ({name}): {workers} sync workers on {HOST}:{port}")
                return server, port
        except OSError:
            pass
        time.sleep(0.2)
    stop_server(server)
    raise SystemExit(f"gunicorn did not answer within 300 s:\n{log_path.read_text()[-3000:]}")


def cache_status(port: int, path: str) -> str:
    import http.client

    connection = http.client.HTTPConnection(HOST, port, timeout=30)
    try:
        connection.request("GET", path, headers={"Host": HOST, "Accept-Language": "ja"})
        response = connection.getresponse()
        response.read()
        return f"{response.status} {response.getheader('X-Page-Cache') or '-'}"
    finally:
        connection.close()


# --- Report ------------------------------------------------------------------------------------


@dataclass
class Row:
    label: str
    result: Any  # bench.run.Result


def _ratio_line(label: str, page: Any, bare: Any) -> str:
    return (
        f"{label}: {page.rps / bare.rps:.3f}× the bare view's requests per second, "
        f"{page.percentile(50) / bare.percentile(50):.1f}× its p50 and "
        f"{page.percentile(95) / bare.percentile(95):.1f}× its p95 latency"
    )


def report(rows: list[Row], *, requests: int, concurrency: int, workers: int, checks: list[str]) -> str:
    by = {row.label: row.result for row in rows}
    lines = [
        f"madoguchi portal bench: {requests} requests per target, {concurrency} client processes, "
        f"gunicorn with {workers} sync workers, SQLite, DEBUG off, anonymous readers",
        "",
        f"{'target':<40} {'req/s':>9} {'p50 ms':>9} {'p95 ms':>9} {'errors':>7}",
    ]
    for row in rows:
        r = row.result
        lines.append(f"{row.label:<40} {r.rps:>9.1f} {r.percentile(50):>9.2f} {r.percentile(95):>9.2f} {r.errors:>7}")
    lines.append("")
    bare_off, bare_on = by["bare view (cache off server)"], by["bare view (cache on server)"]
    for page in ("top page", "deep page"):
        off, on = by[f"{page} uncached"], by[f"{page} cached"]
        if all(r.rps for r in (off, on, bare_off, bare_on)):
            lines.append(_ratio_line(f"{page} uncached", off, bare_off))
            lines.append(_ratio_line(f"{page} cached  ", on, bare_on))
            lines.append(
                f"{page}: cached {on.rps / off.rps:.1f}× the requests per second of uncached, "
                f"p50 {off.percentile(50):.1f} → {on.percentile(50):.1f} ms"
            )
    lines += ["", *checks]
    if any(row.result.errors for row in rows):
        lines.append("Some requests failed: the numbers above count successful requests only.")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="few requests: checks that the benchmark runs")
    parser.add_argument("--requests", type=int, help="measured requests per target (default 2000, quick 60)")
    parser.add_argument("--warmup", type=int, help="unmeasured requests per target first (default 200, quick 10)")
    parser.add_argument("--concurrency", type=int, help="client processes (default: 2 per CPU, at most 16)")
    parser.add_argument("--workers", type=int, help="gunicorn workers (default: one per CPU, at most 8)")
    parser.add_argument("--rebuild", action="store_true", help="rebuild the template database")
    parser.add_argument("--keep", action="store_true", help="keep the run's directory (database, server logs)")
    args = parser.parse_args(argv)

    from bench.run import Target, measure, stop_server

    cpus = os.cpu_count() or 1
    requests = args.requests or (60 if args.quick else 2000)
    warmup = args.warmup if args.warmup is not None else (10 if args.quick else 200)
    workers = args.workers or (2 if args.quick else min(8, cpus))
    concurrency = args.concurrency or (2 if args.quick else min(16, 2 * cpus))

    def say(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    sys.path[:0] = [str(ROOT), str(SRC)]
    run_dir = Path(tempfile.mkdtemp(prefix="madoguchi-bench-portal-"))
    rows: list[Row] = []
    checks: list[str] = []
    try:
        template = prepare_database(run_dir, rebuild=args.rebuild, say=say)
        with multiprocessing.get_context("spawn").Pool(concurrency) as pool:
            for cache_on in (False, True):
                # Each server starts from the same data (the cache table is in the database).
                database = run_dir / ("db-cached.sqlite3" if cache_on else "db-uncached.sqlite3")
                shutil.copyfile(template, database)
                server, port = start_server(run_dir, database, workers=workers, cache_on=cache_on, say=say)
                try:
                    suffix = "cached" if cache_on else "uncached"
                    side = "on" if cache_on else "off"
                    for label, path in (
                        (f"bare view (cache {side} server)", BARE),
                        (f"top page {suffix}", TOP),
                        (f"deep page {suffix}", DEEP),
                    ):
                        say(f"measuring {label} {path} …")
                        result = measure(
                            pool, port, Target(label, path), requests=requests, warmup=warmup, concurrency=concurrency
                        )
                        rows.append(Row(label, result))
                    for path in (TOP, DEEP):
                        checks.append(
                            f"{suffix} server, {path}: HTTP status and X-Page-Cache {cache_status(port, path)}"
                        )
                finally:
                    stop_server(server)
        order = [
            "bare view (cache off server)",
            "top page uncached",
            "deep page uncached",
            "bare view (cache on server)",
            "top page cached",
            "deep page cached",
        ]
        rows.sort(key=lambda row: order.index(row.label))
        print(report(rows, requests=requests, concurrency=concurrency, workers=workers, checks=checks))
        return 0
    finally:
        if args.keep:
            say(f"kept {run_dir}")
        else:
            shutil.rmtree(run_dir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
