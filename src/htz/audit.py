"""The audit log: every change appended, each entry chained to the one before by SHA-256.

An entry's hash covers its own fields and the previous entry's hash, so editing or
deleting any entry breaks the chain from there on, and :func:`verify` names the first
entry that no longer fits. ``prev_hash`` is unique, so two writers that read the same
last entry cannot both append after it: the second is refused and retries.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from htz.store.schema import audit_log

GENESIS = "0" * 64
FIELDS = ("at", "actor", "action", "entity", "entity_key", "before", "after", "prev_hash")


def canonical(value: object) -> str | None:
    """JSON with sorted keys and no spaces: the form that is stored and hashed."""
    if value is None:
        return None
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def entry_hash(entry: dict) -> str:
    material = "\x1f".join("" if entry[f] is None else str(entry[f]) for f in FIELDS)
    return hashlib.sha256(material.encode("utf-8")).hexdigest()


def _last_hash(conn: Connection) -> str:
    last = conn.execute(
        sa.select(audit_log.c.hash).order_by(audit_log.c.id.desc()).limit(1)
    ).scalar()
    return last or GENESIS


def append(
    conn: Connection,
    actor: str,
    action: str,
    entity: str,
    entity_key: str,
    before: object = None,
    after: object = None,
) -> str:
    """Append one entry in the caller's transaction; returns its hash."""
    return append_many(conn, actor, [(action, entity, entity_key, before, after)])


def append_many(
    conn: Connection, actor: str, changes: list[tuple[str, str, str, object, object]]
) -> str:
    """Append ``(action, entity, entity_key, before, after)`` entries as one chained batch."""
    if conn.dialect.name == "postgresql":
        # serialise appenders for the rest of this transaction
        conn.execute(sa.text("SELECT pg_advisory_xact_lock(7270211)"))
    prev = _last_hash(conn)
    at = dt.datetime.now(dt.UTC).isoformat(timespec="microseconds")
    entries = []
    for action, entity, key, before, after in changes:
        entry = {
            "at": at,
            "actor": actor,
            "action": action,
            "entity": entity,
            "entity_key": str(key),
            "before": canonical(before),
            "after": canonical(after),
            "prev_hash": prev,
        }
        entry["hash"] = prev = entry_hash(entry)
        entries.append(entry)
    if entries:
        conn.execute(sa.insert(audit_log), entries)
    return prev


@dataclass(frozen=True)
class Verification:
    entries: int
    broken_at: int | None = None  # id of the first entry that fails
    reason: str | None = None

    @property
    def ok(self) -> bool:
        return self.broken_at is None


def verify(conn: Connection) -> Verification:
    """Walk the chain from the start; report the first entry that was edited or follows a gap."""
    expected_prev = GENESIS
    count = 0
    rows = conn.execute(sa.select(audit_log).order_by(audit_log.c.id)).mappings()
    for row in rows:
        count += 1
        if row["prev_hash"] != expected_prev:
            return Verification(
                count,
                row["id"],
                f"entry {row['id']} does not follow the entry before it: an entry before it "
                "was deleted or its hash changed",
            )
        if entry_hash(dict(row)) != row["hash"]:
            return Verification(
                count,
                row["id"],
                f"entry {row['id']} ({row['action']} {row['entity']} {row['entity_key']}) "
                "was edited after it was written: its content no longer matches its hash",
            )
        expected_prev = row["hash"]
    return Verification(count)


def history(
    conn: Connection, entity: str | None = None, key: str | None = None, limit: int = 100
) -> list[dict]:
    query = sa.select(audit_log).order_by(audit_log.c.id.desc()).limit(limit)
    if entity:
        query = query.where(audit_log.c.entity == entity)
    if key:
        query = query.where(audit_log.c.entity_key == key)
    return [dict(r) for r in conn.execute(query).mappings()]
