"""The draw as a pure function: reproducible from the seed, different with another seed,
fair over many seeds (also with overlapping units), and fast for 100,000 entries."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections import Counter

import pytest

from madoguchi.facilities.services import draw

SEED = "00" * 31 + "2a"


def cells(*names: str) -> frozenset[tuple[str, int]]:
    """The cells of a unit: each space × six half hours."""
    return frozenset((space, cell) for space in names for cell in range(6))


WHOLE, HALF_A, HALF_B = cells("a", "b"), cells("a"), cells("b")


def test_key_is_hmac_sha256_of_the_number_with_the_seed_as_key() -> None:
    expected = hmac.new(bytes.fromhex(SEED), b"L1-000001", hashlib.sha256).hexdigest()
    assert draw.entry_key(SEED, "L1-000001") == expected
    assert draw.seed_commitment(SEED) == hashlib.sha256(bytes.fromhex(SEED)).hexdigest()


def test_same_seed_and_entries_give_the_same_draw_whatever_their_order() -> None:
    entries = [draw.DrawEntry(f"L1-{n:06d}", n % 7, WHOLE if n % 3 else HALF_A) for n in range(1, 200)]
    first = draw.draw(SEED, entries, max_wins_per_registration=2)
    again = draw.draw(SEED, list(reversed(entries)), max_wins_per_registration=2)
    assert first == again
    assert [o.rank for o in first] == list(range(1, 200))
    assert [(o.key, o.number) for o in first] == sorted((o.key, o.number) for o in first)


def test_another_seed_gives_another_order() -> None:
    entries = [draw.DrawEntry(f"L1-{n:06d}", n, WHOLE) for n in range(1, 50)]
    first = draw.draw(SEED, entries)
    other = draw.draw("ff" * 32, entries)
    assert [o.number for o in first] != [o.number for o in other]


def test_reasons_priority_overlap_and_limit() -> None:
    entries = [
        draw.DrawEntry("A", "club-1", WHOLE),
        draw.DrawEntry("B", "club-2", WHOLE),
        draw.DrawEntry("C", "club-3", cells("c")),
        draw.DrawEntry("D", "club-1", cells("d")),
        draw.DrawEntry("E", "club-1", cells("e")),
    ]
    outcomes = {
        o.number: o for o in draw.draw(SEED, entries, blocked={("c", 3): draw.PRIORITY}, max_wins_per_registration=1)
    }
    assert not outcomes["C"].won
    assert outcomes["C"].reason == draw.PRIORITY
    assert sum(outcomes[n].won for n in "AB") == 1
    assert {outcomes[n].reason for n in "AB"} == {"", draw.OVERLAP}
    # club-1 wins once at most: of A (if it won), D and E only the first drawn wins.
    club_1_wins = [n for n in "ADE" if outcomes[n].won]
    assert len(club_1_wins) == 1
    assert all(outcomes[n].reason in (draw.LIMIT, draw.OVERLAP) for n in "ADE" if not outcomes[n].won)


def test_duplicate_numbers_are_refused() -> None:
    with pytest.raises(ValueError, match="unique"):
        draw.draw(SEED, [draw.DrawEntry("A", 1, WHOLE), draw.DrawEntry("A", 2, WHOLE)])


def test_fair_five_entries_for_one_slot_over_2000_seeds() -> None:
    """Each of 5 entries for one slot wins 20% of 2,000 draws: the binomial standard
    deviation is √(2000·0.2·0.8) ≈ 17.9 wins, so ±80 (≈4.5σ) never fails by chance."""
    entries = [draw.DrawEntry(f"L9-{n:06d}", n, WHOLE) for n in range(1, 6)]
    wins: Counter[str] = Counter()
    for _run in range(2000):
        outcomes = draw.draw(secrets.token_hex(32), entries)
        winners = [o.number for o in outcomes if o.won]
        assert len(winners) == 1
        wins[winners[0]] += 1
    assert set(wins) == {e.number for e in entries}
    for number, count in wins.items():
        assert abs(count - 400) <= 80, (number, count)


def test_fair_with_overlapping_units() -> None:
    """The whole floor against its two halves: the whole wins when drawn before both
    halves (probability 1/3); each half wins unless the whole came first (2/3)."""
    entries = [draw.DrawEntry("W", 1, WHOLE), draw.DrawEntry("A", 2, HALF_A), draw.DrawEntry("B", 3, HALF_B)]
    wins: Counter[str] = Counter()
    runs = 3000
    for _run in range(runs):
        outcomes = {o.number: o for o in draw.draw(secrets.token_hex(32), entries)}
        for number, outcome in outcomes.items():
            wins[number] += outcome.won
        # Never both the whole and a half.
        assert not (outcomes["W"].won and (outcomes["A"].won or outcomes["B"].won))
    assert abs(wins["W"] / runs - 1 / 3) < 0.05
    assert abs(wins["A"] / runs - 2 / 3) < 0.05
    assert abs(wins["B"] / runs - 2 / 3) < 0.05


def test_100000_entries_for_10000_slots_fill_every_slot_once() -> None:
    """At the bench's scale (its timing is `make bench-facilities`): every slot goes to
    exactly one entry, no registration wins more than its limit."""
    wishes = [frozenset(("s", slot, cell) for cell in range(6)) for slot in range(10_000)]
    entries = [draw.DrawEntry(f"L1-{n:06d}", n % 30_000, wishes[(n * 7919) % 10_000]) for n in range(100_000)]
    outcomes = draw.draw(SEED, entries, max_wins_per_registration=3)
    by_number = {entry.number: entry for entry in entries}
    winners = [by_number[o.number] for o in outcomes if o.won]
    assert len(winners) == 10_000
    assert len({entry.cells for entry in winners}) == 10_000
    wins = Counter(entry.registration for entry in winners)
    assert max(wins.values()) <= 3
