"""Database triggers that keep the audit log append-only.

- `audit_auditentry`: UPDATE is refused on SQLite and PostgreSQL; DELETE is refused on
  PostgreSQL. On SQLite deletes stay possible because Django's test runner empties
  tables with DELETE; a deleted entry is still found by `verify_audit_chain`.
  (TRUNCATE, which PostgreSQL's test runner uses, is not a row operation and is not
  refused; the chain heads and recorded verifications notice it.)
- `audit_auditchainhead`: a head only ever moves forward one entry at a time, so that
  cutting off the newest entries cannot be hidden by rewinding the head; on PostgreSQL
  a head cannot be deleted.

Migration 0002 installs the triggers. SQLite drops a table's triggers when a later
migration rebuilds the table, so `install()` also runs after every `migrate`.
"""

from __future__ import annotations

from typing import Any

from django.db.backends.base.base import BaseDatabaseWrapper

ENTRY_TABLE = "audit_auditentry"
HEAD_TABLE = "audit_auditchainhead"

SQLITE_TRIGGERS = {
    "audit_entry_no_update": f"""
        CREATE TRIGGER IF NOT EXISTS audit_entry_no_update BEFORE UPDATE ON {ENTRY_TABLE}
        BEGIN SELECT RAISE(ABORT, 'audit entries are append-only: UPDATE refused'); END
    """,
    "audit_head_forward_only": f"""
        CREATE TRIGGER IF NOT EXISTS audit_head_forward_only BEFORE UPDATE ON {HEAD_TABLE}
        WHEN NEW.chain <> OLD.chain OR NEW.last_sequence <> OLD.last_sequence + 1
        BEGIN SELECT RAISE(ABORT, 'audit chain heads only move forward one entry at a time'); END
    """,
}

POSTGRESQL_INSTALL = [
    f"""
    CREATE OR REPLACE FUNCTION audit_entry_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION 'audit entries are append-only: % refused', TG_OP
            USING ERRCODE = 'integrity_constraint_violation';
    END;
    $$;
    DROP TRIGGER IF EXISTS audit_entry_append_only ON {ENTRY_TABLE};
    CREATE TRIGGER audit_entry_append_only BEFORE UPDATE OR DELETE ON {ENTRY_TABLE}
        FOR EACH ROW EXECUTE FUNCTION audit_entry_append_only();
    """,
    f"""
    CREATE OR REPLACE FUNCTION audit_head_forward_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'DELETE' THEN
            RAISE EXCEPTION 'audit chain heads cannot be deleted'
                USING ERRCODE = 'integrity_constraint_violation';
        END IF;
        IF NEW.chain <> OLD.chain OR NEW.last_sequence <> OLD.last_sequence + 1 THEN
            RAISE EXCEPTION 'audit chain heads only move forward one entry at a time'
                USING ERRCODE = 'integrity_constraint_violation';
        END IF;
        RETURN NEW;
    END;
    $$;
    DROP TRIGGER IF EXISTS audit_head_forward_only ON {HEAD_TABLE};
    CREATE TRIGGER audit_head_forward_only BEFORE UPDATE OR DELETE ON {HEAD_TABLE}
        FOR EACH ROW EXECUTE FUNCTION audit_head_forward_only();
    """,
]

POSTGRESQL_REMOVE = [
    f"DROP TRIGGER IF EXISTS audit_entry_append_only ON {ENTRY_TABLE}",
    "DROP FUNCTION IF EXISTS audit_entry_append_only()",
    f"DROP TRIGGER IF EXISTS audit_head_forward_only ON {HEAD_TABLE}",
    "DROP FUNCTION IF EXISTS audit_head_forward_only()",
]

# The triggers that must be present, per vendor (name → table).
EXPECTED = {
    "sqlite": {"audit_entry_no_update": ENTRY_TABLE, "audit_head_forward_only": HEAD_TABLE},
    "postgresql": {"audit_entry_append_only": ENTRY_TABLE, "audit_head_forward_only": HEAD_TABLE},
}


def install(connection: BaseDatabaseWrapper) -> None:
    """Create (or replace) the triggers; safe to run any number of times."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            for sql in SQLITE_TRIGGERS.values():
                cursor.execute(sql)
        elif connection.vendor == "postgresql":
            for sql in POSTGRESQL_INSTALL:
                cursor.execute(sql)


def remove(connection: BaseDatabaseWrapper) -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            for name in SQLITE_TRIGGERS:
                cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
        elif connection.vendor == "postgresql":
            for sql in POSTGRESQL_REMOVE:
                cursor.execute(sql)


def installed(connection: BaseDatabaseWrapper) -> dict[str, bool]:
    """Which of the expected triggers exist (empty for a vendor without triggers)."""
    expected = EXPECTED.get(connection.vendor, {})
    found: set[str] = set()
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
            found = {row[0] for row in cursor.fetchall()}
        elif connection.vendor == "postgresql":
            cursor.execute(
                "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal AND tgenabled <> 'D' "
                "AND tgrelid IN (%s::regclass, %s::regclass)",
                [ENTRY_TABLE, HEAD_TABLE],
            )
            found = {row[0] for row in cursor.fetchall()}
    return {name: name in found for name in expected}


def install_after_migrate(sender: Any, *, using: str = "default", **kwargs: Any) -> None:
    from django.db import connections

    connection = connections[using]
    tables = set(connection.introspection.table_names())
    if {ENTRY_TABLE, HEAD_TABLE} <= tables:
        install(connection)
