"""`make bench-facilities`: the facilities module's two heavy operations, each against a
baseline measured in the same run, on SQLite and PostgreSQL.

    python bench/facilities.py                                   # 100,000 entries, 50 facilities, both databases
    python bench/facilities.py --entries 20000 --slots 2000 --facilities 10 --days 90   # a quicker run
    python bench/facilities.py --database sqlite

(a) The lottery: `entries` entries (10 per registration) for `slots` distinct wishes (unit,
    day, slot) of one month of an hourly facility, every wish wanted by entries/slots
    registrations. Timed: `lotteries.draw()` — keys, order, walk, the winners' provisional
    bookings with numbers and occupancy rows, every entry's key/rank/outcome, in one
    transaction. Baselines: (1) computing and sorting the HMAC keys alone (`draw.order`),
    (2) bulk-inserting as many plain bookings and occupancy rows as the draw wrote (into
    a twin facility), i.e. the writes with nothing decided.
(b) Availability search: `facilities` gyms (whole floor and two halves, 午前・午後・夜間),
    `days` days of slots with about 60% of the halves' slots booked (so the whole floor
    is mostly taken too). Timed: `search.search_availability()` over the whole period
    for all of them, `--searches` times. Baseline: the raw occupancy query of the same
    spaces and dates, materialised (what any answer has to read).

Each part runs in its own process on a fresh database (SQLite: a copy of bench/run.py's
migrated template with Kasama; PostgreSQL: `madoguchi_bench_facilities`, dropped,
migrated, filled). Numbers depend on the machine; they are printed, never checked.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
from bench.driver import environment, run_phase  # noqa: E402

POSTGRES_URL = "postgres://postgres@127.0.0.1:5432/madoguchi_bench_facilities"
BATCH = 5_000
ENTRIES_PER_REGISTRATION = 10
BOOKED_SHARE = 0.6


def _setup_django() -> None:
    sys.path[:0] = [str(ROOT), str(ROOT / "src")]
    import django

    django.setup()


# --- Data ------------------------------------------------------------------------------------


def make_facility(municipality: Any, slug: str, *, units: int, hourly: bool, horizon: int = 90) -> Any:
    """A facility of `units` independent units (one space each) or, for a gym (`hourly`
    false, `units` ignored), a whole floor and two halves; slots hourly 9–21 or
    午前・午後・夜間; a fee for every unit. Open every day of the year."""
    import datetime as dt

    from madoguchi.facilities.models import (
        DayKind,
        Facility,
        FacilityKind,
        FeeRule,
        Residency,
        Slot,
        SlotPattern,
        Space,
        Unit,
    )

    facility = Facility.objects.create(
        municipality=municipality,
        slug=slug,
        name_ja=f"ベンチ施設 {slug}",
        name_kana="ベンチシセツ",
        kind=FacilityKind.TENNIS if hourly else FacilityKind.GYM,
        area_ja="笠間地区",
        address_ja="茨城県笠間市",
        closed_weekdays="",
        year_end_closure=False,
        booking_horizon_days=horizon,
        booking_closes_days=0,
    )
    pattern = SlotPattern.objects.create(municipality=municipality, facility=facility, name_ja="区分")
    times = (
        [(dt.time(h), dt.time(h + 1)) for h in range(9, 21)]
        if hourly
        else [(dt.time(9), dt.time(12)), (dt.time(13), dt.time(17)), (dt.time(18), dt.time(21, 30))]
    )
    Slot.objects.bulk_create(
        Slot(municipality=municipality, pattern=pattern, name_ja=f"{a:%H}時", starts_at=a, ends_at=b) for a, b in times
    )
    if hourly:
        layout = [(f"u{n}", [f"s{n}"]) for n in range(units)]
    else:
        layout = [("whole", ["a", "b"]), ("half-a", ["a"]), ("half-b", ["b"])]
    spaces = {
        code: Space.objects.create(municipality=municipality, facility=facility, code=code, name_ja=code)
        for code in sorted({c for _slug, codes in layout for c in codes})
    }
    for order, (unit_slug, codes) in enumerate(layout):
        unit = Unit.objects.create(
            municipality=municipality,
            facility=facility,
            slug=unit_slug,
            name_ja=unit_slug,
            slot_pattern=pattern,
            capacity=20,
            sort_order=order,
        )
        unit.spaces.set([spaces[c] for c in codes])
        FeeRule.objects.bulk_create(
            FeeRule(municipality=municipality, unit=unit, day_kind=k, residency=r, amount=1000)
            for k in DayKind.values
            for r in Residency.values
        )
    return facility


def wishes_of(facility: Any, month: Any, count: int) -> list[tuple[Any, Any, Any]]:
    """`count` distinct (unit, day, slot) of the facility's month."""
    import datetime as dt

    from madoguchi.facilities.services import availability, calendar

    days = [month + dt.timedelta(days=n) for n in range(31) if (month + dt.timedelta(days=n)).month == month.month]
    wishes = [
        (unit, day, slot)
        for unit in availability.units_of(facility)
        for day in days
        for slot in calendar.slots_of(unit)
    ]
    if len(wishes) < count:
        raise SystemExit(f"the facility has {len(wishes)} slots, fewer than {count}")
    return wishes[:count]


def lottery_data(municipality: Any, entries: int, slots: int) -> tuple[Any, Any, list[Any]]:
    """A round of `entries` entries for `slots` wishes, closed and ready to draw; and a twin
    facility for the baseline's plain inserts."""
    import datetime as dt

    from django.db import transaction
    from django.utils import timezone

    from madoguchi.accounts.models import User
    from madoguchi.facilities.models import LotteryEntry, Registration, RegistrationKind, RegistrationStatus
    from madoguchi.facilities.services import lotteries

    now = timezone.now()
    today = timezone.localdate(now)
    month_index = today.month + 1  # the month after next (0-based arithmetic below)
    month = dt.date(today.year + month_index // 12, month_index % 12 + 1, 1)
    units = -(-slots // (12 * 28))
    with transaction.atomic():
        facility = make_facility(municipality, "bench-lottery", units=units, hourly=True)
        twin = make_facility(municipality, "bench-baseline", units=units, hourly=True)
        wishes = wishes_of(facility, month, slots)
        user = User.objects.create_user(email="bench-lottery@example.jp", password=None)
        count = -(-entries // ENTRIES_PER_REGISTRATION)
        for first in range(0, count, BATCH):
            Registration.objects.bulk_create(
                Registration(
                    municipality=municipality,
                    kind=RegistrationKind.GROUP,
                    user=user,
                    status=RegistrationStatus.APPROVED,
                    card_number=f"B{n:07d}",
                    name=f"ベンチ団体{n}",
                    name_kana="ベンチダンタイ",
                    postal_code="309-1611",
                    address="茨城県笠間市",
                    phone="0296-00-0000",
                    email=f"group{n}@example.jp",
                    member_count=10,
                    resident_member_count=8,
                )
                for n in range(first, min(first + BATCH, count))
            )
        registrations = list(Registration.objects.filter(card_number__startswith="B").order_by("card_number"))
        lottery = lotteries.create_round(
            facility=facility,
            month=month,
            entry_opens_at=now - dt.timedelta(days=20),
            entry_closes_at=now - dt.timedelta(days=2),
            draw_at=now - dt.timedelta(days=1),
            confirm_until=now + dt.timedelta(days=10),
        )
        stride = max(1, slots // ENTRIES_PER_REGISTRATION)
        rows: list[Any] = []
        for number in range(entries):
            r, j = divmod(number, ENTRIES_PER_REGISTRATION)
            # Registration r's j-th wish: distinct within a registration, every wish wanted
            # by about entries/slots registrations.
            unit, day, slot = wishes[(r + j * stride) % slots]
            rows.append(
                LotteryEntry(
                    municipality=municipality,
                    round=lottery,
                    number=f"L{number + 1:07d}",
                    registration=registrations[r],
                    unit=unit,
                    slot=slot,
                    date=day,
                )
            )
            if len(rows) == BATCH:
                LotteryEntry.objects.bulk_create(rows)
                rows = []
        LotteryEntry.objects.bulk_create(rows)
        lotteries.publish_seed(lottery, now=now)
    lottery.refresh_from_db()
    return lottery, twin, wishes


def phase_lottery(entries: int, slots: int) -> dict[str, Any]:
    _setup_django()
    from django.db import transaction
    from django.utils import timezone

    from madoguchi.core.models import Municipality
    from madoguchi.core.tenancy import municipality_scope
    from madoguchi.facilities.models import Booking, BookingSource, BookingStatus, LotteryEntry, Occupancy
    from madoguchi.facilities.services import availability, draw, lotteries, occupancy

    kasama = Municipality.objects.get(slug="kasama")
    with municipality_scope(kasama):
        started = time.perf_counter()
        lottery, twin, wishes = lottery_data(kasama, entries, slots)
        data_seconds = time.perf_counter() - started
        numbers = list(LotteryEntry.objects.filter(round=lottery).values_list("number", flat=True))

        started = time.perf_counter()
        ordered = draw.order(lottery.seed, numbers)
        keys_seconds = time.perf_counter() - started
        assert len(ordered) == entries

        started = time.perf_counter()
        summary = lotteries.draw(lottery, now=timezone.now())
        draw_seconds = time.perf_counter() - started

        # The baseline writes: as many bookings and occupancy rows as the draw made, for
        # the twin facility's units, bulk inserted in one transaction.
        twin_units = {u.slug: u for u in availability.units_of(twin)}
        twin_slots = {(s.starts_at): s for u in twin_units.values() for s in u.slot_pattern.slots.all()}
        space_ids = {slug: occupancy.space_ids_of(u) for slug, u in twin_units.items()}
        won = summary.bookings or summary.won
        started = time.perf_counter()
        with transaction.atomic():
            plain = [
                Booking(
                    municipality=kasama,
                    facility=twin,
                    unit=twin_units[unit.slug],
                    slot=twin_slots[slot.starts_at],
                    date=day,
                    starts_at=slot.starts_at,
                    ends_at=slot.ends_at,
                    status=BookingStatus.PROVISIONAL,
                    source=BookingSource.LOTTERY,
                )
                for unit, day, slot in wishes[:won]
            ]
            for first in range(0, len(plain), BATCH):
                Booking.objects.bulk_create(plain[first : first + BATCH])
            rows = [row for b in plain for row in occupancy.occupancy_rows(b, space_ids[b.unit.slug])]
            for first in range(0, len(rows), BATCH):
                Occupancy.objects.bulk_create(rows[first : first + BATCH])
        insert_seconds = time.perf_counter() - started
    return {
        "entries": entries,
        "slots": slots,
        "won": summary.won,
        "lost": summary.lost,
        "bookings": summary.bookings,
        "data_seconds": data_seconds,
        "keys_seconds": keys_seconds,
        "draw_seconds": draw_seconds,
        "insert_seconds": insert_seconds,
        "insert_rows": len(plain) + len(rows),
    }


def search_data(municipality: Any, facilities: int, days: int) -> list[Any]:
    """`facilities` gyms and about 60% of their halves' slots booked over `days` days
    from tomorrow (bulk inserted bookings and occupancy rows: the grid as bookings leave it)."""
    import datetime as dt

    from django.db import transaction
    from django.utils import timezone

    from madoguchi.facilities.models import Booking, BookingSource, BookingStatus, Occupancy
    from madoguchi.facilities.services import availability, calendar, occupancy

    rng = random.Random(20261125)
    start = timezone.localdate() + dt.timedelta(days=1)
    made = []
    with transaction.atomic():
        for n in range(facilities):
            facility = make_facility(municipality, f"bench-gym-{n:02d}", units=3, hourly=False, horizon=days + 2)
            made.append(facility)
            units = {u.slug: u for u in availability.units_of(facility)}
            bookings: list[Any] = []
            for offset in range(days):
                day = start + dt.timedelta(days=offset)
                for slot in calendar.slots_of(units["whole"]):
                    halves = [h for h in ("half-a", "half-b") if rng.random() < BOOKED_SHARE]
                    # Now and then the whole floor instead of both halves.
                    chosen = ["whole"] if len(halves) == 2 and rng.random() < 0.3 else halves
                    for slug in chosen:
                        bookings.append(
                            Booking(
                                municipality=municipality,
                                facility=facility,
                                unit=units[slug],
                                slot=slot,
                                date=day,
                                starts_at=slot.starts_at,
                                ends_at=slot.ends_at,
                                status=BookingStatus.CONFIRMED,
                                source=BookingSource.FIRST_COME,
                            )
                        )
            Booking.objects.bulk_create(bookings, batch_size=BATCH)
            spaces = {slug: occupancy.space_ids_of(u) for slug, u in units.items()}
            rows = [row for b in bookings for row in occupancy.occupancy_rows(b, spaces[b.unit.slug])]
            Occupancy.objects.bulk_create(rows, batch_size=BATCH)
    return made


def phase_search(facilities: int, days: int, searches: int) -> dict[str, Any]:
    _setup_django()
    import datetime as dt

    from django.utils import timezone

    from madoguchi.core.models import Municipality
    from madoguchi.core.tenancy import municipality_scope
    from madoguchi.facilities.models import Occupancy, Space
    from madoguchi.facilities.services import search

    kasama = Municipality.objects.get(slug="kasama")
    with municipality_scope(kasama):
        started = time.perf_counter()
        made = search_data(kasama, facilities, days)
        data_seconds = time.perf_counter() - started
        occupied = Occupancy.objects.count()
    start = timezone.localdate() + dt.timedelta(days=1)
    end = start + dt.timedelta(days=days - 1)
    space_ids = list(Space.unscoped.filter(facility__in=made).values_list("pk", flat=True))
    baseline: list[float] = []
    timed: list[float] = []
    # One search first, untimed: imports, translations and query plans are warm for both.
    search.search_availability([kasama], start=start, end=end, limit=1000)
    results = 0
    for _round in range(searches):
        with municipality_scope(kasama):
            started = time.perf_counter()
            cells = list(
                Occupancy.objects.filter(space_id__in=space_ids, date__gte=start, date__lte=end).values_list(
                    "space_id", "date", "cell"
                )
            )
            baseline.append(time.perf_counter() - started)
        started = time.perf_counter()
        found = search.search_availability([kasama], start=start, end=end, limit=1000)
        timed.append(time.perf_counter() - started)
        results = len(found)
    return {
        "facilities": facilities,
        "days": days,
        "occupancy_rows": occupied,
        "cells_read": len(cells),
        "results": results,
        "data_seconds": data_seconds,
        "baseline": baseline,
        "search": timed,
    }


# --- The driver -------------------------------------------------------------------------------


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


def _database(database: str, run_dir: Path, postgres_url: str) -> dict[str, str]:
    """A fresh database for one phase, and the environment that points at it."""
    overrides = {"SECRET_KEY": "bench-facilities-" + "x" * 40, "CONN_MAX_AGE": "0"}
    if database == "sqlite":
        from bench.run import prepare_database

        phase_dir = Path(tempfile.mkdtemp(dir=run_dir))
        db_file = prepare_database(phase_dir, rebuild=False, say=lambda m: print(f"  {m}", flush=True))
        return environment(f"sqlite:///{db_file}", phase_dir, **overrides)
    env = environment(postgres_url, run_dir, **overrides)
    _fresh_postgres(postgres_url, env)
    return env


def _median(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[len(ordered) // 2]


def run(database: str, args: argparse.Namespace) -> None:
    run_dir = Path(tempfile.mkdtemp(prefix="bench-facilities-"))
    print(f"  (a) lottery: {args.entries:,} entries for {args.slots:,} slots …", flush=True)
    lottery = run_phase(
        __file__, _database(database, run_dir, args.postgres_url), "lottery", str(args.entries), str(args.slots)
    )
    print(f"  (b) search: {args.facilities} facilities × {args.days} days, ~60% booked …", flush=True)
    found = run_phase(
        __file__,
        _database(database, run_dir, args.postgres_url),
        "search",
        str(args.facilities),
        str(args.days),
        str(args.searches),
    )
    draw_s, keys_s, insert_s = lottery["draw_seconds"], lottery["keys_seconds"], lottery["insert_seconds"]
    print()
    print(f"  {database}: (a) lottery of {lottery['entries']:,} entries for {lottery['slots']:,} slots")
    print(
        f"    won {lottery['won']:,}, lost {lottery['lost']:,}, provisional bookings {lottery['bookings']:,}"
        f" (data made in {lottery['data_seconds']:.1f} s)"
    )
    print(f"    {'draw() (keys, walk, bookings, occupancy, outcomes)':58}{draw_s:>8.2f} s")
    print(f"    {'baseline 1: HMAC keys computed and sorted':58}{keys_s:>8.2f} s   ratio {draw_s / keys_s:>6.1f}×")
    print(
        f"    {'baseline 2: ' + format(lottery['insert_rows'], ',') + ' plain rows bulk inserted':58}"
        f"{insert_s:>8.2f} s   ratio {draw_s / insert_s:>6.1f}×"
    )
    print(f"    {'baseline 1 + 2':58}{keys_s + insert_s:>8.2f} s   ratio {draw_s / (keys_s + insert_s):>6.1f}×")
    base, timed = _median(found["baseline"]), _median(found["search"])
    print(
        f"  {database}: (b) availability search, {found['facilities']} facilities × {found['days']} days"
        f" ({found['occupancy_rows']:,} occupancy rows; data made in {found['data_seconds']:.1f} s)"
    )
    print(
        f"    {'search_availability() over the whole period (median)':58}{timed:>8.2f} s"
        f"   {found['results']} units with a free slot"
    )
    print(
        f"    {'baseline: the raw occupancy query (median)':58}{base:>8.2f} s   ratio {timed / base:>6.1f}×"
        f"   ({found['cells_read']:,} cells)"
    )
    print(f"    runs: search {', '.join(f'{s:.2f}' for s in found['search'])} s;"
          f" baseline {', '.join(f'{s:.2f}' for s in found['baseline'])} s")  # fmt: skip
    print()
    if args.keep:
        print(f"  kept {run_dir}")
    else:
        import shutil

        shutil.rmtree(run_dir, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--entries", type=int, default=100_000, help="lottery entries (default 100,000)")
    parser.add_argument("--slots", type=int, default=10_000, help="distinct slots wished for (default 10,000)")
    parser.add_argument("--facilities", type=int, default=50, help="facilities searched (default 50)")
    parser.add_argument("--days", type=int, default=365, help="days of slots searched (default 365)")
    parser.add_argument("--searches", type=int, default=3, help="times each search is run (default 3)")
    parser.add_argument("--database", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--postgres-url", default=os.environ.get("BENCH_FACILITIES_POSTGRES_URL", POSTGRES_URL))
    parser.add_argument("--keep", action="store_true", help="keep the run's directory")
    parser.add_argument("--phase", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.phase:
        name, *rest = args.phase
        if name == "lottery":
            result = phase_lottery(int(rest[0]), int(rest[1]))
        else:
            result = phase_search(int(rest[0]), int(rest[1]), int(rest[2]))
        print(json.dumps(result))
        return 0
    databases = ["sqlite", "postgres"] if args.database == "both" else [args.database]
    for database in databases:
        if database == "postgres":
            reachable = subprocess.run([sys.executable, str(ROOT / "scripts" / "db_reachable.py"), args.postgres_url])
            if reachable.returncode != 0:
                print(f"PostgreSQL is not reachable at {args.postgres_url}: skipped.")
                continue
        print(f"{database}:", flush=True)
        run(database, args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
