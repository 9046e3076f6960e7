"""`make bench-procedures`: 50 residents submitting an application at once, on PostgreSQL,
through the real pages, against the bare-view baseline on the same server.

    python bench/procedures.py                   # 50 submitters, 2 applications each
    python bench/procedures.py --rounds 4        # a longer run
    python bench/procedures.py --submitters 10   # fewer at once

What it does, in one run:

1. a fresh PostgreSQL database (`madoguchi_bench_procedures`: dropped, created,
   migrated, `load_demo`: Kasama with its 34 procedures), and one resident account per
   submitter, each signed in up front (a session in the database, as after a sign-in:
   signing in is its own flow, with rate limits and a second factor for staff, and not
   what this measures);
2. gunicorn serving the deployment (bench/wsgi.py) with the deployment's own worker
   settings (deploy/gunicorn.conf.py: gthread, CPUs + 1 workers, 4 threads each — the
   threads overlap the waits on PostgreSQL, the processes use the CPUs), DEBUG off;
3. the baseline: the same submitters (threads of one client process, each with its own
   connection per request and its session cookie) requesting the bare view
   (HttpResponse("ok") through the full middleware stack) as fast as they can;
4. the application: each submitter applies `--rounds` times for 犬の登録・狂犬病予防注射済票
   (identity level "account", a fee on submission, two steps), as a browser does: the
   start page, start (POST), each step (GET, POST), the confirmation page, submit (POST,
   with the page's idempotency key), the submitted page with the number. One round
   first as a warm-up (counted in the proof below, not in the times);
5. a table: submissions per second, p50/p95 latency of the submit request and of the
   whole application, against the bare view's requests per second and p50/p95; and the
   proof that none was lost: submissions in the database == successful submits, one
   fee invoice each, numbers unique and gapless.

Numbers depend on the machine and on what else runs on it; they are printed, never
checked (the proof is checked: the run fails when a submission is lost).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

ROOT = Path(__file__).resolve().parent.parent
# Run as a script (`python bench/….py`): the package `bench` is found from the project.
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
from bench.driver import environment, run_phase  # noqa: E402

POSTGRES_URL = "postgres://postgres@127.0.0.1:5432/madoguchi_bench_procedures"
HOST = "127.0.0.1"
PROCEDURE = "inu-toroku"
BARE_PATH = "/_bench/bare/"
USER_EMAIL = "bench{n:03d}@bench.example"
RESIDENT_BACKEND = "allauth.account.auth_backends.AuthenticationBackend"

#: What each submitter enters (the same answers; the numbers make each submission its own).
STEP_ANSWERS: list[dict[str, Any]] = [
    {
        "name": "笠間 太郎",
        "name_kana": "カサマ タロウ",
        "postal_code": "309-1611",
        "address": "茨城県笠間市笠間1番地",
        "phone": "0296-77-1101",
        "email": "",  # the submitter's own
    },
    {
        "request": ["register"],
        "dog_name": "ポチ",
        "breed": "柴犬",
        "sex": "male",
        "color": "赤",
        "agree": "on",
    },
]


# --- Inside Django (subprocesses) -----------------------------------------------------


def _setup_django() -> None:
    sys.path[:0] = [str(ROOT), str(ROOT / "src")]
    import django

    django.setup()


def phase_prepare(count: int) -> dict[str, Any]:
    """One signed-in resident per submitter: the session cookies to send."""
    _setup_django()
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    from madoguchi.accounts.models import AccountKind, User

    cookies = []
    for n in range(count):
        user = User.objects.create_user(
            email=USER_EMAIL.format(n=n), password=None, kind=AccountKind.RESIDENT, family_name="笠間"
        )
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        # The backend residents sign in with (the first one serves staff only).
        session[BACKEND_SESSION_KEY] = RESIDENT_BACKEND
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.set_expiry(4 * 3600)
        session.create()
        cookies.append(session.session_key)
    return {"cookie_name": settings.SESSION_COOKIE_NAME, "sessions": cookies}


def phase_verify() -> dict[str, Any]:
    """What the database holds after the run: the bench's submissions, their numbers
    and their fee invoices."""
    _setup_django()
    from madoguchi.core.models import Municipality
    from madoguchi.core.tenancy import municipality_scope
    from madoguchi.payments.models import Invoice
    from madoguchi.procedures.models import Submission, SubmissionStatus

    kasama = Municipality.objects.get(slug="kasama")
    with municipality_scope(kasama):
        mine = Submission.objects.filter(applicant__email__endswith="@bench.example")
        sent = mine.exclude(status=SubmissionStatus.DRAFT)
        numbers = list(Submission.objects.exclude(number="").values_list("number", flat=True))
        invoices = Invoice.objects.filter(
            source_reference__in=[f"procedures:{pk}:fee" for pk in sent.values_list("pk", flat=True)]
        ).count()
        return {
            "submitted": sent.count(),
            "drafts_left": mine.filter(status=SubmissionStatus.DRAFT).count(),
            "bench_numbers": sorted(sent.values_list("number", flat=True)),
            "all_numbers": sorted(numbers),
            "invoices": invoices,
        }


# --- The driver: database and server --------------------------------------------------


def _template_key() -> str:
    """Changes with any migration, the demo's data, or the installed Django and Wagtail."""
    import hashlib

    import django
    import wagtail

    digest = hashlib.sha256(f"{django.__version__} {wagtail.__version__}".encode())
    src = ROOT / "src"
    paths = [
        *src.glob("madoguchi/*/migrations/*.py"),
        *src.glob("madoguchi/core/demo/*"),
        *src.glob("madoguchi/*/demo.py"),
        *src.glob("madoguchi/procedures/demo/*.toml"),
    ]
    for path in sorted(p for p in paths if p.is_file()):
        digest.update(path.relative_to(src).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def fresh_database(url: str, env: dict[str, str], say: Any, *, rebuild: bool) -> None:
    """The run's database: a copy of a template database (migrated, demo loaded) that is
    rebuilt when a migration or the demo data changes; PostgreSQL copies it in seconds."""
    import psycopg

    sys.path[:0] = [str(ROOT), str(ROOT / "src")]
    name = url.rsplit("/", 1)[1]
    template = f"{name}_template"
    admin = url.rsplit("/", 1)[0] + "/postgres"
    key = _template_key()
    with psycopg.connect(admin, autocommit=True) as connection:
        row = connection.execute(
            "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s", [template]
        ).fetchone()
        if rebuild or row is None or row[0] != key:
            say(f"building the template database {template} (migrate, load_demo; once per set of migrations) …")
            connection.execute(f'DROP DATABASE IF EXISTS "{template}" WITH (FORCE)')
            connection.execute(f'CREATE DATABASE "{template}"')
            template_env = {**env, "DATABASE_URL": url.rsplit("/", 1)[0] + "/" + template}
            for command in (
                [sys.executable, str(ROOT / "manage.py"), "migrate", "--noinput", "-v", "0"],
                [sys.executable, str(ROOT / "manage.py"), "load_demo"],
            ):
                subprocess.run(command, env=template_env, cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
            connection.execute(f"COMMENT ON DATABASE \"{template}\" IS '{key}'")
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    say(f"fresh database {name}, a copy of {template}")


def start_server(
    run_dir: Path, env: dict[str, str], *, workers: int, threads: int, say: Any
) -> tuple[subprocess.Popen[bytes], int]:
    sys.path.insert(0, str(ROOT))
    from bench.run import fetch, free_port, stop_server

    port = free_port()
    log = (run_dir / "server.log").open("wb")
    command = [
        sys.executable, "-m", "gunicorn", "bench.wsgi:application",
        "--bind", f"{HOST}:{port}",
        "--worker-class", "gthread",
        "--workers", str(workers),
        "--threads", str(threads),
        "--keep-alive", "5",
        "--no-control-socket",
        "--error-logfile", "-",
    ]  # fmt: skip
    server = subprocess.Popen(command, env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    # A loaded machine may take a while to import Django in every worker.
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"gunicorn stopped:\n{(run_dir / 'server.log').read_text()[-3000:]}")
        try:
            if fetch(port, BARE_PATH)[0] == 200:
                say(f"gunicorn: {workers} gthread workers × {threads} threads on {HOST}:{port}")
                return server, port
        except OSError:
            pass
        time.sleep(0.2)
    stop_server(server)
    raise SystemExit(f"gunicorn did not answer within 180 s:\n{(run_dir / 'server.log').read_text()[-3000:]}")


# --- The client ---------------------------------------------------------------------------


class FlowError(Exception):
    pass


@dataclass
class Client:
    """One submitter: a browser's cookies, one connection per request (as the bare-view
    baseline), timings."""

    port: int
    cookies: dict[str, str]
    email: str
    submit_latencies: list[float] = field(default_factory=list)
    flow_latencies: list[float] = field(default_factory=list)
    bare_latencies: list[float] = field(default_factory=list)
    numbers: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def request(self, method: str, path: str, form: dict[str, Any] | None = None) -> tuple[int, str, str]:
        connection = http.client.HTTPConnection(HOST, self.port, timeout=120)
        headers = {
            "Host": HOST,
            "Accept-Language": "ja",
            "Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items()),
        }
        body = None
        if form is not None:
            body = urlencode(form, doseq=True).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            text = response.read().decode("utf-8", "replace")
            for header in response.msg.get_all("Set-Cookie") or []:
                name, _, rest = header.partition("=")
                self.cookies[name.strip()] = rest.split(";", 1)[0]
            location = urlsplit(response.getheader("Location") or "").path
            return response.status, text, location
        finally:
            connection.close()

    def expect(self, status: int, wanted: int, what: str, text: str = "") -> None:
        if status != wanted:
            snippet = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", text))[:200]
            raise FlowError(f"{what}: HTTP {status} (expected {wanted}) {snippet}")

    def apply_once(self, base: str, *, timed: bool) -> None:
        started = time.perf_counter()
        status, page, _ = self.request("GET", f"{base}/p/{PROCEDURE}/apply/")
        self.expect(status, 200, "start page", page)
        status, page, step = self.request("POST", f"{base}/p/{PROCEDURE}/apply/", {"csrfmiddlewaretoken": _csrf(page)})
        self.expect(status, 302, "start", page)
        for answers in STEP_ANSWERS:
            status, page, _ = self.request("GET", step)
            self.expect(status, 200, f"GET {step}", page)
            form = {k: (v or self.email) for k, v in answers.items()}
            form.update({"csrfmiddlewaretoken": _csrf(page), "action": "next"})
            status, page, step = self.request("POST", step, form)
            self.expect(status, 302, f"POST step {answers and next(iter(answers))}", page)
        confirm = step
        status, page, _ = self.request("GET", confirm)
        self.expect(status, 200, "confirmation page", page)
        form = {"csrfmiddlewaretoken": _csrf(page), "idempotency_key": _input(page, "idempotency_key")}
        submit_started = time.perf_counter()
        status, page, done = self.request("POST", confirm, form)
        submit_seconds = time.perf_counter() - submit_started
        self.expect(status, 302, "submit", page)
        status, page, _ = self.request("GET", done)
        self.expect(status, 200, "submitted page", page)
        number = re.search(r"\d{4}-\d{6}", page)
        if number is None:
            raise FlowError("the submitted page shows no number")
        self.numbers.append(number.group(0))
        if timed:
            self.submit_latencies.append(submit_seconds)
            self.flow_latencies.append(time.perf_counter() - started)

    def run_flows(self, base: str, rounds: int, *, timed: bool) -> None:
        for _ in range(rounds):
            try:
                self.apply_once(base, timed=timed)
            except (FlowError, OSError) as exc:
                self.errors.append(str(exc))

    def run_bare(self, count: int) -> None:
        for _ in range(count):
            started = time.perf_counter()
            try:
                status, _text, _ = self.request("GET", BARE_PATH)
            except OSError as exc:
                self.errors.append(f"bare: {exc}")
                continue
            if status == 200:
                self.bare_latencies.append(time.perf_counter() - started)
            else:
                self.errors.append(f"bare: HTTP {status}")


def _input(page: str, name: str) -> str:
    for tag in re.findall(r"<input[^>]*>", page):
        if f'name="{name}"' in tag:
            value = re.search(r'value="([^"]*)"', tag)
            if value:
                return value.group(1)
    raise FlowError(f"no {name} in the page")


def _csrf(page: str) -> str:
    return _input(page, "csrfmiddlewaretoken")


def in_parallel(clients: list[Client], work: str, *args: Any, **kwargs: Any) -> float:
    """Run `work` on every client at once (threads released together); wall time."""
    barrier = threading.Barrier(len(clients) + 1)

    def run(client: Client) -> None:
        barrier.wait()
        getattr(client, work)(*args, **kwargs)

    threads = [threading.Thread(target=run, args=(c,)) for c in clients]
    for t in threads:
        t.start()
    barrier.wait()
    started = time.perf_counter()
    for t in threads:
        t.join()
    return time.perf_counter() - started


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))
    return ordered[index] * 1000


def gapless(numbers: list[str]) -> bool:
    by_year: dict[str, list[int]] = {}
    for number in numbers:
        year, seq = number.split("-")
        by_year.setdefault(year, []).append(int(seq))
    return all(sorted(seqs) == list(range(1, len(seqs) + 1)) for seqs in by_year.values())


# --- Report -----------------------------------------------------------------------------


def report(
    clients: list[Client],
    *,
    bare_seconds: float,
    flow_seconds: float,
    warm_submits: int,
    verified: dict[str, Any],
    workers: int,
    threads: int,
    rounds: int,
) -> tuple[str, bool]:
    bare = [v for c in clients for v in c.bare_latencies]
    submits = [v for c in clients for v in c.submit_latencies]
    flows = [v for c in clients for v in c.flow_latencies]
    errors = [e for c in clients for e in c.errors]
    numbers = [n for c in clients for n in c.numbers]
    bare_rps = len(bare) / bare_seconds if bare_seconds else 0.0
    per_second = len(submits) / flow_seconds if flow_seconds else 0.0
    lines = [
        f"madoguchi procedures bench: {len(clients)} concurrent submitters, {rounds} applications each "
        f"(+1 warm-up), PostgreSQL, gunicorn {workers} gthread workers × {threads} threads, DEBUG off",
        "",
        f"{'':34}{'count':>7}{'per s':>9}{'p50 ms':>9}{'p95 ms':>9}",
        f"{'bare view (baseline)':34}{len(bare):>7}{bare_rps:>9.1f}{percentile(bare, 50):>9.1f}"
        f"{percentile(bare, 95):>9.1f}",
        f"{'submit request (POST confirm)':34}{len(submits):>7}{per_second:>9.1f}{percentile(submits, 50):>9.1f}"
        f"{percentile(submits, 95):>9.1f}",
        f"{'whole application (9 requests)':34}{len(flows):>7}{per_second:>9.1f}{percentile(flows, 50):>9.1f}"
        f"{percentile(flows, 95):>9.1f}",
        "",
    ]
    if bare and submits:
        lines.append(
            f"submit / bare view: {percentile(submits, 50) / percentile(bare, 50):.1f}× the p50 and "
            f"{percentile(submits, 95) / percentile(bare, 95):.1f}× the p95 latency; "
            f"{per_second / bare_rps * 9:.3f}× the requests per second "
            f"(an application is 9 requests: {per_second * 9:.1f} req/s)"
        )
    successful = len(numbers)
    in_db = verified["submitted"]
    unique = len(set(verified["all_numbers"])) == len(verified["all_numbers"])
    no_gaps = gapless(verified["all_numbers"])
    same = sorted(numbers) == verified["bench_numbers"]
    ok = in_db == successful and unique and no_gaps and same and verified["invoices"] == in_db
    lines += [
        "",
        f"successful submits {successful} (warm-up {warm_submits}), failed flows {len(errors)}",
        f"submissions in the database {in_db} — {'equal' if in_db == successful else 'NOT EQUAL'}; "
        f"numbers shown to submitters == numbers stored: {'yes' if same else 'NO'}",
        f"fee invoices {verified['invoices']}; drafts left {verified['drafts_left']}",
        f"受付番号 unique: {'yes' if unique else 'NO'}; gapless from 000001: {'yes' if no_gaps else 'NO'} "
        f"({len(verified['all_numbers'])} numbers, demo submissions included)",
    ]
    if errors:
        lines.append("first errors: " + " | ".join(sorted(set(errors))[:3]))
    lines.append("none lost" if ok else "SUBMISSIONS LOST OR DUPLICATED")
    return "\n".join(lines), ok


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--submitters", type=int, default=50, help="concurrent submitters (default 50)")
    parser.add_argument("--rounds", type=int, default=2, help="timed applications per submitter (default 2)")
    parser.add_argument("--bare", type=int, default=20, help="bare-view requests per submitter (default 20)")
    parser.add_argument("--workers", type=int, help="gunicorn workers (default: CPUs + 1, as deployed)")
    parser.add_argument("--threads", type=int, default=4, help="threads per worker (default 4, as deployed)")
    parser.add_argument("--postgres-url", default=os.environ.get("BENCH_PROCEDURES_POSTGRES_URL", POSTGRES_URL))
    parser.add_argument("--keep", action="store_true", help="keep the run's directory (server log)")
    parser.add_argument("--rebuild", action="store_true", help="rebuild the template database")
    parser.add_argument("--phase", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.phase:
        name, *rest = args.phase
        result = phase_prepare(int(rest[0])) if name == "prepare" else phase_verify()
        print(json.dumps(result))
        return 0

    def say(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    reachable = subprocess.run([sys.executable, str(ROOT / "scripts" / "db_reachable.py"), args.postgres_url])
    if reachable.returncode != 0:
        print(f"PostgreSQL is not reachable at {args.postgres_url}: the benchmark needs it.")
        return 1
    workers = args.workers or (os.cpu_count() or 1) + 1
    run_dir = Path(tempfile.mkdtemp(prefix="bench-procedures-"))
    env = environment(
        args.postgres_url,
        run_dir,
        TASK_BACKEND="database",
        ALLOWED_HOSTS=f"{HOST},localhost",
        LOG_FORMAT="json",
    )
    server = None
    try:
        fresh_database(args.postgres_url, env, say, rebuild=args.rebuild)
        prepared = run_phase(__file__, env, "prepare", str(args.submitters))
        server, port = start_server(run_dir, env, workers=workers, threads=args.threads, say=say)
        clients = [
            Client(port, {prepared["cookie_name"]: key}, USER_EMAIL.format(n=n))
            for n, key in enumerate(prepared["sessions"])
        ]
        base = "/kasama/procedures"
        say(f"warm-up: one application per submitter, {args.bare} bare-view requests each …")
        in_parallel(clients, "run_flows", base, 1, timed=False)
        warm_submits = sum(len(c.numbers) for c in clients)
        warm_errors = [e for c in clients for e in c.errors]
        if warm_errors and not warm_submits:
            raise SystemExit(f"no application went through: {warm_errors[0]}")
        in_parallel(clients, "run_bare", 5)
        for c in clients:
            c.bare_latencies.clear()
        say("baseline: the bare view …")
        bare_seconds = in_parallel(clients, "run_bare", args.bare)
        say(f"applications: {args.rounds} per submitter …")
        flow_seconds = in_parallel(clients, "run_flows", base, args.rounds, timed=True)
        verified = run_phase(__file__, env, "verify")
        text, ok = report(
            clients,
            bare_seconds=bare_seconds,
            flow_seconds=flow_seconds,
            warm_submits=warm_submits,
            verified=verified,
            workers=workers,
            threads=args.threads,
            rounds=args.rounds,
        )
        print(text)
        return 0 if ok else 1
    finally:
        if server is not None and server.poll() is None:
            os.killpg(server.pid, signal.SIGTERM)
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
        if args.keep:
            say(f"kept {run_dir}")
        else:
            shutil.rmtree(run_dir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
