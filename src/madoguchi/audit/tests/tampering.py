"""What a database administrator could do to the log behind the application's back.

Each helper switches the append-only triggers off for its own statement (dropping them on
SQLite, disabling them on PostgreSQL, as someone with the rights to do so would) and back
on afterwards.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.db import connection

from madoguchi.audit import database
from madoguchi.audit.models import AuditChainHead, AuditEntry


@contextmanager
def triggers_off() -> Iterator[None]:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"ALTER TABLE {database.ENTRY_TABLE} DISABLE TRIGGER USER")
            cursor.execute(f"ALTER TABLE {database.HEAD_TABLE} DISABLE TRIGGER USER")
        try:
            yield
        finally:
            with connection.cursor() as cursor:
                cursor.execute(f"ALTER TABLE {database.ENTRY_TABLE} ENABLE TRIGGER USER")
                cursor.execute(f"ALTER TABLE {database.HEAD_TABLE} ENABLE TRIGGER USER")
    else:
        database.remove(connection)
        try:
            yield
        finally:
            database.install(connection)


def sql(statement: str, params: list[Any] | None = None) -> int:
    with triggers_off(), connection.cursor() as cursor:
        cursor.execute(statement, params or [])
        return cursor.rowcount


def edit(chain: str, at_sequence: int, **values: Any) -> None:
    assignments = ", ".join(f"{name} = %s" for name in values)
    sql(
        f"UPDATE audit_auditentry SET {assignments} WHERE chain = %s AND sequence = %s",
        [*values.values(), chain, at_sequence],
    )


def delete(chain: str, *sequences: int) -> None:
    placeholders = ", ".join(["%s"] * len(sequences))
    sql(f"DELETE FROM audit_auditentry WHERE chain = %s AND sequence IN ({placeholders})", [chain, *sequences])


def swap(chain: str, first: int, second: int) -> None:
    parking = 10**12
    edit(chain, first, sequence=parking)
    edit(chain, second, sequence=first)
    edit(chain, parking, sequence=second)


def rewind_head(chain: str, to_sequence: int) -> None:
    entry = AuditEntry.objects.get(chain=chain, sequence=to_sequence)
    sql(
        "UPDATE audit_auditchainhead SET last_sequence = %s, last_hash = %s WHERE chain = %s",
        [to_sequence, entry.entry_hash, chain],
    )


def rehash_with_plain_sha256(chain: str, from_sequence: int) -> None:
    """Recompute the chain from an entry on as a plain SHA-256 chain would be, and move the
    head along: what someone who knows the algorithm but not the key can do."""
    previous = (
        AuditEntry.objects.get(chain=chain, sequence=from_sequence - 1).entry_hash if from_sequence > 1 else "0" * 64
    )
    for entry in AuditEntry.objects.filter(chain=chain, sequence__gte=from_sequence).order_by("sequence"):
        entry.previous_hash = previous
        new_hash = hashlib.sha256(entry.canonical_payload()).hexdigest()
        sql(
            "UPDATE audit_auditentry SET previous_hash = %s, entry_hash = %s WHERE id = %s",
            [previous, new_hash, entry.pk],
        )
        previous = new_hash
    sql("UPDATE audit_auditchainhead SET last_hash = %s WHERE chain = %s", [previous, chain])
    assert AuditChainHead.objects.get(chain=chain).last_hash == previous
