"""The hash chain: appending, the append-only database, and finding tampered entries."""

from __future__ import annotations

import datetime
import itertools
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from madoguchi.audit import database, services
from madoguchi.audit.models import Action, AuditChainHead, AuditEntry
from madoguchi.core.models import Municipality

from . import tampering

pytestmark = pytest.mark.django_db


def fill(municipality: Municipality, count: int) -> list[AuditEntry]:
    return [
        services.record(action=Action.OTHER, municipality=municipality, extra={"n": n}, reason=f"test {n}")
        for n in range(count)
    ]


def verify(chain: str) -> services.ChainResult:
    return services.verify_chain(chain)


def run_command(*args: str) -> tuple[str, CommandError | None]:
    out = StringIO()
    try:
        call_command("verify_audit_chain", *args, stdout=out, stderr=StringIO())
    except CommandError as exc:
        return out.getvalue(), exc
    return out.getvalue(), None


def test_entries_are_chained_per_municipality(kasama: Municipality, mito: Municipality) -> None:
    fill(kasama, 3)
    fill(mito, 2)
    kasama_entries = list(AuditEntry.objects.filter(chain=kasama.code).order_by("sequence"))
    assert [e.sequence for e in kasama_entries] == [1, 2, 3, 4]  # 1: the municipality was created
    for before, after in itertools.pairwise(kasama_entries):
        assert after.previous_hash == before.entry_hash
    assert kasama_entries[0].previous_hash == "0" * 64
    head = AuditChainHead.objects.get(chain=kasama.code)
    assert (head.last_sequence, head.last_hash) == (4, kasama_entries[-1].entry_hash)
    assert verify(kasama.code).ok
    assert verify(kasama.code).checked == 4
    assert verify(mito.code).ok
    assert verify(mito.code).checked == 3


def test_the_hash_is_keyed(kasama: Municipality, settings) -> None:
    entry = fill(kasama, 1)[0]
    settings.AUDIT_CHAIN_KEY = "another key"
    assert not verify(kasama.code).ok
    # A rotated key stays valid for verification while it is listed as a fallback.
    settings.AUDIT_CHAIN_KEY_FALLBACKS = [settings.SECRET_KEY]
    assert verify(kasama.code).ok
    assert entry.compute_hash(services.chain_keys()[0]) != entry.entry_hash


def test_values_are_stored_as_hashed(kasama: Municipality, rf) -> None:
    request = rf.get("/", REMOTE_ADDR="2001:0db8:0000::0001", HTTP_USER_AGENT="UA\x00x")
    services.record(
        action=Action.OTHER,
        municipality=kasama,
        request=request,
        reason="理由\x00",
        extra={"when": datetime.date(2026, 4, 1), "text": "a\x00b", "typed": "\\u0000"},
    )
    entry = AuditEntry.objects.get(chain=kasama.code, sequence=2)
    assert entry.ip_address == "2001:db8::1"
    assert "\x00" not in entry.reason + entry.user_agent + entry.extra["text"]
    assert entry.extra["when"] == "2026-04-01"
    assert entry.extra["typed"] == "\\u0000"  # text that only looks like an escape stays as typed
    assert verify(kasama.code).ok


def test_the_model_refuses_changes(kasama: Municipality) -> None:
    entry = fill(kasama, 1)[0]
    entry.reason = "changed"
    with pytest.raises(RuntimeError):
        entry.save()
    with pytest.raises(RuntimeError):
        entry.delete()
    with pytest.raises(RuntimeError):
        AuditEntry.objects.filter(pk=entry.pk).update(reason="changed")
    with pytest.raises(RuntimeError):
        AuditEntry.objects.filter(pk=entry.pk).delete()


def test_the_database_refuses_update(kasama: Municipality) -> None:
    entry = fill(kasama, 1)[0]
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditentry SET reason = %s WHERE id = %s", ["changed", entry.pk])
    assert AuditEntry.objects.get(pk=entry.pk).reason == "test 0"


def test_the_database_lets_a_head_only_move_forward(kasama: Municipality) -> None:
    fill(kasama, 2)
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditchainhead SET last_sequence = 1 WHERE chain = %s", [kasama.code])
    assert AuditChainHead.objects.get(chain=kasama.code).last_sequence == 3


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite leaves deletes to the chain check")
def test_postgresql_refuses_delete(kasama: Municipality) -> None:
    entry = fill(kasama, 1)[0]
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditentry WHERE id = %s", [entry.pk])
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditchainhead WHERE chain = %s", [kasama.code])
    assert AuditEntry.objects.filter(pk=entry.pk).exists()


def test_triggers_are_installed() -> None:
    assert all(database.installed(connection).values())
    assert database.installed(connection)


def test_an_edited_entry_is_named(kasama: Municipality, mito: Municipality) -> None:
    entries = fill(kasama, 5)
    fill(mito, 2)
    target = entries[2]  # sequence 4
    tampering.edit(kasama.code, target.sequence, reason="nothing to see")
    result = verify(kasama.code)
    assert result.problem is not None
    assert (result.problem.sequence, result.problem.entry_id) == (target.sequence, target.pk)
    assert "content" in result.problem.problem
    assert result.checked == target.sequence - 1
    assert verify(mito.code).ok

    out, error = run_command()
    assert error is not None
    assert "1 of 2" in str(error)
    assert kasama.code in str(error)
    assert f"{kasama.code}: BROKEN at entry #{target.sequence} (id {target.pk})" in out
    assert f"{mito.code}: 3/3 OK" in out


def test_an_edit_with_recomputed_plain_hashes_is_still_named(kasama: Municipality) -> None:
    entries = fill(kasama, 4)
    target = entries[1]
    tampering.edit(kasama.code, target.sequence, actor_label="someone-else@example.jp")
    tampering.rehash_with_plain_sha256(kasama.code, target.sequence)
    result = verify(kasama.code)
    assert result.problem is not None
    assert result.problem.entry_id == target.pk


def test_a_deleted_entry_is_named(kasama: Municipality) -> None:
    entries = fill(kasama, 5)
    tampering.delete(kasama.code, entries[1].sequence)  # sequence 3
    result = verify(kasama.code)
    assert result.problem is not None
    assert (result.problem.sequence, result.problem.entry_id) == (4, entries[2].pk)
    assert "#3" in result.problem.problem
    assert "missing" in result.problem.problem

    out, error = run_command("--chain", kasama.code)
    assert error is not None
    assert f"BROKEN at entry #4 (id {entries[2].pk})" in out


def test_a_reordered_entry_is_named(kasama: Municipality) -> None:
    entries = fill(kasama, 5)
    tampering.swap(kasama.code, 3, 4)
    result = verify(kasama.code)
    assert result.problem is not None
    # At #3 now stands the entry written as #4.
    assert (result.problem.sequence, result.problem.entry_id) == (3, entries[2].pk)
    out, error = run_command("--chain", kasama.code)
    assert error is not None
    assert f"BROKEN at entry #3 (id {entries[2].pk})" in out


def test_a_cut_off_tail_is_named(kasama: Municipality) -> None:
    fill(kasama, 5)
    tampering.delete(kasama.code, 5, 6)
    result = verify(kasama.code)
    assert result.problem is not None
    assert result.problem.sequence is None
    assert "ends at #4 but #6 was written" in result.problem.problem
    out, error = run_command("--chain", kasama.code)
    assert error is not None
    assert "BROKEN at the end of the chain" in out


def test_a_cut_off_tail_with_a_rewound_head_is_caught_by_an_earlier_check(kasama: Municipality) -> None:
    fill(kasama, 5)
    out, error = run_command()
    assert error is None, out
    check = services.last_check(kasama.code)
    assert check is not None
    assert check.extra["ok"]
    assert check.extra["entries"] == 6
    tampering.delete(kasama.code, 5, 6)
    tampering.rewind_head(kasama.code, 4)
    result = verify(kasama.code)
    assert result.problem is not None
    assert "earlier verification saw #6" in result.problem.problem


def test_the_command_reports_progress_and_records_the_outcome(kasama: Municipality, mito: Municipality) -> None:
    fill(kasama, 25)
    out, error = run_command("--progress-every", "10")
    assert error is None
    assert f"{kasama.code}: checking 26 entries" in out
    assert f"{kasama.code}: 10/26" in out
    assert f"{kasama.code}: 20/26" in out
    assert f"{kasama.code}: 26/26 OK" in out
    assert f"{mito.code}: 1/1 OK" in out
    assert "All 2 audit chain(s) are whole." in out  # Kasama and Mito; no deployment entries yet
    check = services.last_check(kasama.code)
    assert check is not None
    assert check.chain == services.DEPLOYMENT_CHAIN
    assert check.extra == {
        "chain": kasama.code,
        "municipality_id": kasama.pk,
        "ok": True,
        "entries": 26,
        "last_hash": AuditChainHead.objects.get(chain=kasama.code).last_hash,
        "problem": "",
    }
    # The recorded checks themselves are part of a whole chain.
    assert verify(services.DEPLOYMENT_CHAIN).ok


def test_the_command_refuses_an_unknown_chain(kasama: Municipality) -> None:
    with pytest.raises(CommandError, match="No audit chain named"):
        call_command("verify_audit_chain", "--chain", "999999", stdout=StringIO())
