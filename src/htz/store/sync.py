"""Idempotent upserts: bring a table's rows in line with given rows, and count what changed.

Works the same on SQLite and PostgreSQL (no dialect-specific upsert), so the
counts a user sees ("0 inserted, 0 updated") are the same on both.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from htz.errors import InputError


@dataclass(frozen=True)
class SyncResult:
    table: str
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    # (before, after) of every inserted (before None) or updated row, for the audit log
    changes: list[tuple[dict | None, dict]] = field(default_factory=list, repr=False)

    @property
    def changed(self) -> bool:
        return bool(self.inserted or self.updated)


def coerce(table: sa.Table, row: Mapping[str, object]) -> dict[str, object]:
    """Convert text values to the Python types of ``table``'s columns."""
    out: dict[str, object] = {}
    for name, value in row.items():
        if name not in table.c:
            continue
        column_type = table.c[name].type
        if value is None or value == "":
            out[name] = None
        elif isinstance(value, str):
            out[name] = _from_text(column_type, value, f"{table.name}.{name}")
        else:
            out[name] = value
    return out


def _from_text(column_type: sa.types.TypeEngine, value: str, where: str) -> object:
    try:
        if isinstance(column_type, sa.Boolean):
            return parse_bool(value)
        if isinstance(column_type, sa.Date):
            return dt.date.fromisoformat(value)
        if isinstance(column_type, sa.Integer):
            return int(value)
        if isinstance(column_type, sa.Float):
            return float(value)
    except ValueError as exc:
        raise InputError(f"{where}: {value!r} is not a valid {column_type}") from exc
    return value


TRUE = {"1", "true", "yes", "y", "t", "是", "x"}
FALSE = {"0", "false", "no", "n", "f", "否"}


def parse_bool(value: str) -> bool:
    text = value.strip().lower()
    if text in TRUE:
        return True
    if text in FALSE:
        return False
    raise ValueError(f"{value!r} is not yes/no (use true/false, 1/0, yes/no or 是/否)")


def sync(
    conn: Connection,
    table: sa.Table,
    key: Sequence[str],
    rows: Iterable[Mapping[str, object]],
) -> SyncResult:
    """Insert rows whose key is new, update rows that differ, leave the rest untouched."""
    rows = [coerce(table, r) for r in rows]
    if not rows:
        return SyncResult(table.name)
    columns = [c for c in rows[0] if c in table.c]
    key_cols = [table.c[k] for k in key]
    existing = {
        tuple(r[k] for k in key): r
        for r in conn.execute(sa.select(*[table.c[c] for c in columns])).mappings()
    }
    inserts, updates, unchanged = [], [], 0
    changes: list[tuple[dict | None, dict]] = []
    for row in rows:
        current = existing.get(tuple(row[k] for k in key))
        if current is None:
            inserts.append(row)
            changes.append((None, row))
        elif any(not _same(current[c], row.get(c)) for c in columns):
            updates.append(row)
            changes.append((dict(current), row))
        else:
            unchanged += 1
    if inserts:
        conn.execute(sa.insert(table), inserts)
    for row in updates:
        where = sa.and_(*[col == row[col.name] for col in key_cols])
        conn.execute(sa.update(table).where(where).values(**row))
    return SyncResult(table.name, len(inserts), len(updates), unchanged, changes)


def _same(a: object, b: object) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return abs(a - b) <= 1e-9 * max(1.0, abs(a), abs(b))
    return a == b
