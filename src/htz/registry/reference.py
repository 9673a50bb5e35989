"""Loading the shipped reference data into the store, idempotently."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from htz import reference
from htz.registry.zones import partial_date
from htz.store.schema import (
    industries,
    platforms,
    provinces,
    reference_loads,
    tech_fields,
    zone_events,
    zones,
)
from htz.store.sync import SyncResult, sync


def _zones() -> list[dict]:
    return [{**r, "level": "national"} for r in reference.rows("zones")]


def _zone_events() -> list[dict]:
    return [
        {**r, "effective": partial_date(r["date"]) if r["date"] else None}
        for r in reference.rows("zone_events")
    ]


def _platforms() -> list[dict]:
    keep = set(platforms.c.keys()) - {"id"}
    return [{k: v for k, v in r.items() if k in keep} for r in reference.rows("platforms")]


# (file, table, key, rows) in foreign-key order
PLAN = (
    ("provinces", provinces, ("code",), lambda: reference.rows("provinces")),
    ("industries", industries, ("code",), lambda: reference.rows("industries")),
    ("tech_fields", tech_fields, ("code",), lambda: reference.rows("tech_fields")),
    ("zones", zones, ("code",), _zones),
    ("zone_events", zone_events, ("zone_code", "event", "date"), _zone_events),
    ("platforms", platforms, ("type", "name_zh"), _platforms),
)


def load_reference(conn: Connection) -> list[SyncResult]:
    """Bring the reference tables in line with the shipped files; returns what changed."""
    results = []
    for name, table, key, rows in PLAN:
        result = sync(conn, table, key, rows())
        results.append(result)
        _record(conn, name, result.inserted + result.updated + result.unchanged)
    return results


def _record(conn: Connection, name: str, n_rows: int) -> None:
    digest = reference.sha256(name)
    current = conn.execute(
        sa.select(reference_loads.c.sha256).where(reference_loads.c.name == name)
    ).scalar()
    if current == digest:
        return
    values = {"sha256": digest, "rows": n_rows, "loaded_at": dt.datetime.now(dt.UTC)}
    if current is None:
        conn.execute(sa.insert(reference_loads).values(name=name, **values))
    else:
        conn.execute(
            sa.update(reference_loads).where(reference_loads.c.name == name).values(**values)
        )
