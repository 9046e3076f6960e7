"""The lottery's draw (抽選), as a pure function: no database, no clock, no randomness of
its own. Everything it needs is public after the draw, so anyone can do it again.

The algorithm ("hmac-sha256-order-v1", `models.DRAW_ALGORITHM`):

1. Each entry's key is HMAC-SHA256 with the round's seed as the key (the 64 hex digits
   read as 32 bytes) and the entry number as the message (UTF-8), written as 64
   lower-case hex digits: ``hmac.new(bytes.fromhex(seed), number.encode(), "sha256").hexdigest()``.
2. The entries are put in order of (key, number); the position in that order, from 1,
   is the entry's rank.
3. In that order, an entry wins when every half-hour cell (space, day, cell) its unit
   and slot need is still free, and its registration has not yet reached the round's
   limit of wins (0 = no limit). A cell is not free when a booking made before the draw
   holds it (優先予約: the municipality's own events; or a temporary closure), or when an
   earlier winner took it. Units that share a space (the whole floor and its halves)
   therefore exclude each other exactly as bookings do.
4. A winner takes its cells and counts one win for its registration; a losing entry
   takes nothing. The reason for losing is, in this order: a cell held before the draw
   ("priority" or "closed"), a cell taken by an earlier winner ("overlap"), the limit
   of wins ("limit").

The seed was chosen at random when the round was created and only its SHA-256 was
published then, so nobody could choose it after seeing the entries; it is published
when entries close, before the draw. Nobody can know an entry's key before that.

It is fast enough for 100,000 entries: one HMAC per entry, one sort, and a set
look-up per cell (entries for the same wish share their cells' set).
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass

#: Why an entry lost (codes kept in `LotteryEntry.outcome_note` via `REASON_TEXTS`).
PRIORITY = "priority"
CLOSED = "closed"
OVERLAP = "overlap"
LIMIT = "limit"

Cell = Hashable


@dataclass(frozen=True, slots=True)
class DrawEntry:
    """One entry as the draw sees it: its public number, its registration (any id) and
    the cells its unit and slot need on its day."""

    number: str
    registration: Hashable
    cells: frozenset[Cell]


@dataclass(frozen=True, slots=True)
class DrawOutcome:
    """An entry's result: its key, rank (1 = drawn first), whether it won and, if not, why."""

    number: str
    key: str
    rank: int
    won: bool
    reason: str = ""


def seed_commitment(seed: str) -> str:
    """The SHA-256 of the seed's 32 bytes, published when the round is announced."""
    return hashlib.sha256(bytes.fromhex(seed)).hexdigest()


def entry_key(seed: str, number: str) -> str:
    """HMAC-SHA256(key = the seed's bytes, message = the entry number), in hex."""
    return hmac.new(bytes.fromhex(seed), number.encode(), hashlib.sha256).hexdigest()


def order(seed: str, numbers: Iterable[str]) -> list[tuple[str, str]]:
    """(key, number) of each entry in the order of the draw."""
    secret = bytes.fromhex(seed)
    digest = hmac.digest
    return sorted((digest(secret, number.encode(), "sha256").hex(), number) for number in numbers)


def draw(
    seed: str,
    entries: Iterable[DrawEntry],
    *,
    blocked: Mapping[Cell, str] | None = None,
    max_wins_per_registration: int = 0,
) -> list[DrawOutcome]:
    """Draw the round: the outcome of every entry, in rank order.

    `blocked` maps the cells held before the draw to why ("priority", "closed").
    The same seed, entries and blocked cells always give the same outcomes."""
    entries = list(entries)
    by_number = {entry.number: entry for entry in entries}
    if len(by_number) != len(entries):
        raise ValueError("entry numbers must be unique in a round")
    blocked = blocked or {}
    blocked_keys = blocked.keys()
    taken: set[Cell] = set()
    wins: dict[Hashable, int] = {}
    limit = max_wins_per_registration
    outcomes: list[DrawOutcome] = []
    append = outcomes.append
    for rank, (key, number) in enumerate(order(seed, by_number), start=1):
        entry = by_number[number]
        cells = entry.cells
        if blocked and not blocked_keys.isdisjoint(cells):
            reason = next(blocked[cell] for cell in sorted(cells, key=repr) if cell in blocked)
            append(DrawOutcome(number, key, rank, False, reason))
        elif not taken.isdisjoint(cells):
            append(DrawOutcome(number, key, rank, False, OVERLAP))
        elif limit and wins.get(entry.registration, 0) >= limit:
            append(DrawOutcome(number, key, rank, False, LIMIT))
        else:
            taken.update(cells)
            wins[entry.registration] = wins.get(entry.registration, 0) + 1
            append(DrawOutcome(number, key, rank, True))
    return outcomes
