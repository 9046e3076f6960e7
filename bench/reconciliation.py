"""`make bench-reconciliation`: reconciliation (消込) of a convenience-store notice file
against as many invoices, on SQLite and on PostgreSQL, in bounded memory.

    python bench/reconciliation.py                    # 1,000,000 notices, both databases
    python bench/reconciliation.py --count 100000     # a quicker run
    python bench/reconciliation.py --database sqlite  # one database only

For each database, in a fresh database (SQLite: a copy of `bench/run.py`'s migrated
template with Kasama; PostgreSQL: `madoguchi_bench`, dropped, migrated and filled):

1. `count` invoices, bulk inserted, and a convenience-store preliminary notice file (速報,
   120-byte records with the 44-digit 料金代理収納 barcode data) paying each of them —
   one record in a hundred for an unknown number, so the exception queue is exercised;
2. (a) merely parsing the file (`notice_formats.convenience`, the same generator the
   import uses), (b) the whole import (`reconciliation.import_notice_file`: parse, match
   in chunks, bulk insert payments and notices, bulk update invoices, one transaction);
   each in its own process, so each peak memory is its own;
3. time per 100k notices, the ratio of the import to parsing, and peak memory
   (`ru_maxrss`) sampled every 100k records: a flat line is bounded memory.

Numbers depend on the machine; they are printed, never checked.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
# Run as a script (`python bench/….py`): the package `bench` is found from the project.
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
from bench.driver import environment, run_phase  # noqa: E402

POSTGRES_URL = "postgres://postgres@127.0.0.1:5432/madoguchi_bench"
COMPANY_CODE = "912345"
BATCH = 10_000


def peak_mib() -> float:
    """Peak resident memory of this process (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# --- The worker: runs inside Django, one phase per process --------------------------------


def _setup_django() -> None:
    sys.path[:0] = [str(ROOT), str(ROOT / "src")]
    import django

    django.setup()


def phase_prepare(count: int, notice_file: Path) -> dict[str, Any]:
    """Kasama's invoices and the notice file paying them."""
    _setup_django()
    import datetime

    from django.db import transaction

    from madoguchi.core.models import Municipality
    from madoguchi.core.tenancy import municipality_scope
    from madoguchi.payments.codes import build_convenience_barcode
    from madoguchi.payments.models import Invoice, Item, PaymentSettings
    from madoguchi.payments.notice_formats import convenience
    from madoguchi.payments.services import check_digit

    kasama = Municipality.objects.get(slug="kasama")
    PaymentSettings.objects.update_or_create(municipality=kasama, defaults={"convenience_company_code": COMPANY_CODE})
    today = datetime.date(2026, 11, 20)
    due = today + datetime.timedelta(days=30)

    def number(sequence: int) -> str:
        body = f"2620{sequence:011d}"
        return body + str(check_digit(body))

    def amount(sequence: int) -> int:
        return 1_000 + sequence % 50_000

    started = time.perf_counter()
    with municipality_scope(kasama), transaction.atomic():
        for first in range(1, count + 1, BATCH):
            Invoice.objects.bulk_create(
                [
                    Invoice(
                        municipality=kasama,
                        number=number(seq),
                        confirmation_number="000000",
                        payer_name="笠間 太郎",
                        item=Item.FEE,
                        fiscal_year=2026,
                        amount=amount(seq),
                        issued_on=today,
                        due_date=due,
                        payable_until=due,
                    )
                    for seq in range(first, min(first + BATCH, count + 1))
                ]
            )
    invoices_seconds = time.perf_counter() - started

    started = time.perf_counter()
    total = 0
    with notice_file.open("w", encoding="ascii", newline="\r\n") as out:
        out.write(convenience.header("1", COMPANY_CODE, "20261120") + "\n")
        for seq in range(1, count + 1):
            # One in a hundred pays a number nobody issued: the exception queue.
            paid = seq + count if seq % 100 == 0 else seq
            barcode = build_convenience_barcode(
                company_code=COMPANY_CODE, invoice_number=number(paid), payable_until=due, amount=amount(seq)
            )
            out.write(
                convenience.data(
                    seq,
                    barcode=barcode,
                    amount=amount(seq),
                    paid_on="20261120",
                    time=f"{seq // 60 % 24:02d}{seq % 60:02d}",
                    store=f"{seq // 1_000_000:07d}",
                    receipt=seq % 1_000_000,
                )
                + "\n"
            )
            total += amount(seq)
        out.write(convenience.trailer(count, total) + "\n")
        out.write(convenience.end() + "\n")
    return {
        "invoices_seconds": invoices_seconds,
        "file_seconds": time.perf_counter() - started,
        "file_bytes": notice_file.stat().st_size,
    }


def phase_parse(notice_file: Path) -> dict[str, Any]:
    _setup_django()
    from madoguchi.payments.notice_formats import convenience

    samples: list[float] = []
    started = time.perf_counter()
    records = 0
    with notice_file.open("rb") as stream:
        for _record in convenience.ConvenienceNotice().records(stream):
            records += 1
            if records % 100_000 == 0:
                samples.append(peak_mib())
    return {"seconds": time.perf_counter() - started, "records": records, "peak_mib": peak_mib(), "samples": samples}


def phase_reconcile(notice_file: Path) -> dict[str, Any]:
    _setup_django()
    from madoguchi.core.models import Municipality
    from madoguchi.payments import reconciliation
    from madoguchi.payments.models import Invoice, InvoiceStatus

    kasama = Municipality.objects.get(slug="kasama")
    samples: list[float] = []
    next_sample = 100_000

    def progress(done: int) -> None:
        nonlocal next_sample
        while done >= next_sample:
            samples.append(peak_mib())
            print(f"    … {next_sample:,} notices, peak {samples[-1]:.0f} MiB", file=sys.stderr, flush=True)
            next_sample += 100_000

    started = time.perf_counter()
    with notice_file.open("rb") as stream:
        outcome = reconciliation.import_notice_file(
            kasama, "convenience", stream, file_name=notice_file.name, progress=progress
        )
    seconds = time.perf_counter() - started
    paid = Invoice.unscoped.filter(municipality=kasama, status=InvoiceStatus.PAID).count()
    return {
        "seconds": seconds,
        "records": outcome.records,
        "matched": outcome.matched,
        "exceptions": outcome.exceptions,
        "invoices_paid": paid,
        "peak_mib": peak_mib(),
        "samples": samples,
    }


# --- The driver -------------------------------------------------------------------------


def _environment(database_url: str, var_dir: Path) -> dict[str, str]:
    # One long transaction; a connection kept open would only be closed later.
    return environment(database_url, var_dir, SECRET_KEY="bench-reconciliation-" + "x" * 40, CONN_MAX_AGE="0")


def _fresh_postgres(url: str, env: dict[str, str]) -> None:
    import psycopg

    name = url.rsplit("/", 1)[1]
    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')
    for command in (
        [sys.executable, str(ROOT / "manage.py"), "migrate", "--noinput", "-v", "0"],
        [sys.executable, "-m", "bench.data"],
    ):
        subprocess.run(command, env=env, cwd=ROOT, check=True, stdout=subprocess.DEVNULL)


def run(database: str, count: int, postgres_url: str, keep: bool) -> None:
    run_dir = Path(tempfile.mkdtemp(prefix="bench-reconciliation-"))
    if database == "sqlite":
        sys.path.insert(0, str(ROOT))
        from bench.run import prepare_database

        db_file = prepare_database(run_dir, rebuild=False, say=lambda m: print(f"  {m}"))
        url = f"sqlite:///{db_file}"
        env = _environment(url, run_dir)
    else:
        url = postgres_url
        env = _environment(url, run_dir)
        print(f"  fresh database {url.rsplit('/', 1)[1]} (migrate, Kasama) …", flush=True)
        _fresh_postgres(url, env)
    notice_file = run_dir / "sokuho.txt"
    print(f"  {count:,} invoices and a notice file of {count:,} records …", flush=True)
    prepared = run_phase(__file__, env, "prepare", str(count), str(notice_file))
    print(
        f"  invoices inserted in {prepared['invoices_seconds']:.1f} s; file written in {prepared['file_seconds']:.1f} s"
        f" ({prepared['file_bytes'] / 1e6:.0f} MB)",
        flush=True,
    )
    print("  (a) parsing …", flush=True)
    parsed = run_phase(__file__, env, "parse", str(notice_file))
    print("  (b) reconciling …", flush=True)
    reconciled = run_phase(__file__, env, "reconcile", str(notice_file))
    per = count / 100_000
    print()
    print(f"  {database}: {count:,} notices against {count:,} invoices")
    print(f"  {'':28}{'total s':>10}{'s / 100k':>10}{'peak MiB':>10}")
    print(
        f"  {'(a) parse only':28}{parsed['seconds']:>10.1f}{parsed['seconds'] / per:>10.2f}{parsed['peak_mib']:>10.0f}"
    )
    print(
        f"  {'(b) import and reconcile':28}{reconciled['seconds']:>10.1f}{reconciled['seconds'] / per:>10.2f}"
        f"{reconciled['peak_mib']:>10.0f}"
    )
    print(f"  ratio (b) / (a): {reconciled['seconds'] / parsed['seconds']:.1f}")
    print(
        f"  matched {reconciled['matched']:,}, exceptions {reconciled['exceptions']:,},"
        f" invoices now paid {reconciled['invoices_paid']:,}"
    )
    if reconciled["samples"]:
        print(
            "  peak memory (MiB) of the import after each 100k notices: "
            + ", ".join(f"{s:.0f}" for s in reconciled["samples"])
        )
    print()
    if keep:
        print(f"  kept {run_dir}")
    else:
        import shutil

        shutil.rmtree(run_dir, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=1_000_000, help="invoices and notices (default 1,000,000)")
    parser.add_argument("--database", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--postgres-url", default=os.environ.get("BENCH_POSTGRES_URL", POSTGRES_URL))
    parser.add_argument("--keep", action="store_true", help="keep the run's directory (database, notice file)")
    parser.add_argument("--phase", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.phase:
        name, *rest = args.phase
        if name == "prepare":
            result = phase_prepare(int(rest[0]), Path(rest[1]))
        elif name == "parse":
            result = phase_parse(Path(rest[0]))
        else:
            result = phase_reconcile(Path(rest[0]))
        print(json.dumps(result))
        return 0
    databases = ["sqlite", "postgres"] if args.database == "both" else [args.database]
    for database in databases:
        if database == "postgres":
            sys.path.insert(0, str(ROOT / "scripts"))
            reachable = subprocess.run([sys.executable, str(ROOT / "scripts" / "db_reachable.py"), args.postgres_url])
            if reachable.returncode != 0:
                print(f"PostgreSQL is not reachable at {args.postgres_url}: skipped.")
                continue
        print(f"{database}:", flush=True)
        run(database, args.count, args.postgres_url, args.keep)
    return 0


if __name__ == "__main__":
    sys.exit(main())
