"""Reading the store out for analytics: what a snapshot needs, as Arrow tables.

Only this module and ``app`` know both the store and the snapshot; ``analytics`` receives
plain Arrow tables and never imports the store.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import defaultdict

import pyarrow as pa
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from htz import audit
from htz.store.fetch import fetch_arrow, fetch_rows
from htz.store.schema import (
    audit_log,
    enterprises,
    industries,
    observations,
    platforms,
    provinces,
    reports,
    snapshots,
    zone_events,
    zones,
)
from htz.store.schema import (
    meta as meta_table,
)
from htz.store.schema import (
    publications as publications_table,
)

SNAPSHOT_STATUSES = ("accepted", "approved", "imputed")


def fingerprints(conn: Connection) -> dict[tuple[str, str], str]:
    """(form, period) → SHA-256 of the (id, version, status) of its snapshot reports.

    Any report added, changed, removed, approved or imputed changes its period's
    fingerprint, so a build rewrites exactly the periods that changed.
    """
    query = (
        sa.select(
            reports.c.form, reports.c.period, reports.c.id, reports.c.version, reports.c.status
        )
        .where(reports.c.status.in_(SNAPSHOT_STATUSES))
        .order_by(reports.c.form, reports.c.period, reports.c.id)
    )
    hashes: dict[tuple[str, str], hashlib._Hash] = defaultdict(hashlib.sha256)
    for form, period, rid, version, status in conn.execute(query):
        hashes[(form, period)].update(f"{rid}:{version}:{status};".encode())
    return {key: h.hexdigest() for key, h in hashes.items()}


OBSERVATION_SCHEMA = pa.schema([
    ("uscc", pa.string()), ("form", pa.string()), ("period", pa.string()),
    ("year", pa.int32()), ("status", pa.string()), ("indicator", pa.string()),
    ("value", pa.float64()), ("flag", pa.string()),
])  # fmt: skip


def observations_of(conn: Connection, form: str, period: str) -> pa.Table:
    """The snapshot observations of one form and period (long, one row per value)."""
    query = (
        sa.select(
            enterprises.c.uscc,
            reports.c.status,
            observations.c.indicator,
            observations.c.value,
            observations.c.flag,
        )
        .select_from(observations.join(reports).join(enterprises))
        .where(
            reports.c.form == form,
            reports.c.period == period,
            reports.c.status.in_(SNAPSHOT_STATUSES),
        )
        .order_by(enterprises.c.uscc, observations.c.indicator)
    )
    rows = fetch_rows(conn, query)
    cols = list(zip(*rows, strict=True)) if rows else [[], [], [], [], []]
    n = len(rows)
    return pa.table(
        [pa.array(cols[0], pa.string()), pa.array([form] * n, pa.string()),
         pa.array([period] * n, pa.string()), pa.array([int(period[:4])] * n, pa.int32()),
         pa.array(cols[1], pa.string()), pa.array(cols[2], pa.string()),
         pa.array(cols[3], pa.float64()), pa.array(cols[4], pa.string())],
        schema=OBSERVATION_SCHEMA,
    )  # fmt: skip


def _table(conn: Connection, query, schema: pa.Schema) -> pa.Table:
    return fetch_arrow(conn, query, schema)


def registry(conn: Connection) -> dict[str, pa.Table]:
    """The registry state a snapshot needs: enterprises, zones, provinces, sections, platforms."""
    start = (
        sa.select(zone_events.c.zone_code, sa.func.min(zone_events.c.effective).label("d"))
        .where(zone_events.c.event.in_(("approved", "upgraded")))
        .group_by(zone_events.c.zone_code)
        .subquery()
    )
    end = (
        sa.select(zone_events.c.zone_code, sa.func.min(zone_events.c.effective).label("d"))
        .where(zone_events.c.event.in_(("merged", "revoked")))
        .group_by(zone_events.c.zone_code)
        .subquery()
    )
    out = {
        "enterprises": _table(
            conn,
            sa.select(enterprises.c.uscc, enterprises.c.name, enterprises.c.zone_code,
                      enterprises.c.industry_code, industries.c.section,
                      enterprises.c.tech_field, enterprises.c.entered, enterprises.c.left,
                      enterprises.c.high_tech_certified, enterprises.c.little_giant,
                      enterprises.c.listed)
            .select_from(enterprises.join(industries)).order_by(enterprises.c.uscc),
            pa.schema([("uscc", pa.string()), ("name", pa.string()),
                       ("zone_code", pa.string()), ("industry_code", pa.string()),
                       ("section", pa.string()), ("tech_field", pa.string()),
                       ("entered", pa.date32()), ("left", pa.date32()),
                       ("high_tech_certified", pa.bool_()), ("little_giant", pa.bool_()),
                       ("listed", pa.bool_())]),
        ),
        "zones": _table(
            conn,
            sa.select(zones.c.code, zones.c.name_zh, zones.c.name_en, zones.c.province_code,
                      provinces.c.region, zones.c.city_zh, zones.c.city_en, zones.c.level,
                      zones.c.lat, zones.c.lon, start.c.d.label("start"),
                      end.c.d.label("end"))
            .select_from(zones.outerjoin(provinces).outerjoin(start, start.c.zone_code ==
                                                              zones.c.code)
                         .outerjoin(end, end.c.zone_code == zones.c.code))
            .order_by(zones.c.code),
            pa.schema([("code", pa.string()), ("name_zh", pa.string()),
                       ("name_en", pa.string()), ("province_code", pa.string()),
                       ("region", pa.string()), ("city_zh", pa.string()),
                       ("city_en", pa.string()), ("level", pa.string()),
                       ("lat", pa.float64()), ("lon", pa.float64()), ("start", pa.date32()),
                       ("end", pa.date32())]),
        ),
        "provinces": _table(
            conn,
            sa.select(provinces.c.code, provinces.c.name_zh, provinces.c.name_en,
                      provinces.c.name_vi, provinces.c.region).order_by(provinces.c.code),
            pa.schema([("code", pa.string()), ("name_zh", pa.string()),
                       ("name_en", pa.string()), ("name_vi", pa.string()),
                       ("region", pa.string())]),
        ),
        "sections": _table(
            conn,
            sa.select(industries.c.code, industries.c.name_zh, industries.c.name_en)
            .where(industries.c.level == "section").order_by(industries.c.code),
            pa.schema([("code", pa.string()), ("name_zh", pa.string()),
                       ("name_en", pa.string())]),
        ),
        "platforms": _table(
            conn,
            sa.select(platforms.c.type, platforms.c.name_zh, platforms.c.zone_code,
                      platforms.c.zone_status, platforms.c.approved)
            .order_by(platforms.c.type, platforms.c.name_zh),
            pa.schema([("type", pa.string()), ("name_zh", pa.string()),
                       ("zone_code", pa.string()), ("zone_status", pa.string()),
                       ("approved", pa.string())]),
        ),
    }  # fmt: skip
    return out


def audit_head(conn: Connection) -> str:
    head = conn.execute(
        sa.select(audit_log.c.hash).order_by(audit_log.c.id.desc()).limit(1)
    ).scalar()
    return head or "0" * 64


def record_snapshot(
    conn: Connection,
    actor: str,
    snapshot_id: str,
    manifest: str,
    partitions: int,
    rewritten: int,
    head: str,
) -> bool:
    """Record a snapshot; False if a snapshot with the same id (same content) exists."""
    if conn.execute(sa.select(snapshots.c.id).where(snapshots.c.id == snapshot_id)).first():
        return False
    conn.execute(
        sa.insert(snapshots).values(
            id=snapshot_id,
            created_at=dt.datetime.now(dt.UTC),
            created_by=actor,
            manifest=manifest,
            partitions=partitions,
            rewritten=rewritten,
            audit_head=head,
        )
    )
    return True


def list_snapshots(conn: Connection) -> list[dict]:
    query = sa.select(snapshots).order_by(snapshots.c.created_at.desc())
    return [dict(r) for r in conn.execute(query).mappings()]


def meta(conn: Connection) -> dict[str, str]:
    return {k: v for k, v in conn.execute(sa.select(meta_table.c.key, meta_table.c.value))}


def set_meta(conn: Connection, key: str, value: str) -> None:
    conn.execute(sa.delete(meta_table).where(meta_table.c.key == key))
    conn.execute(sa.insert(meta_table).values(key=key, value=value))


def record_publication(
    conn: Connection, actor: str, snapshot_id: str, period: str, path: str, sha256: str
) -> None:
    """Record (or renew) the publication of a period's bulletin from a snapshot."""
    now = dt.datetime.now(dt.UTC)
    conn.execute(
        sa.delete(publications_table).where(
            publications_table.c.snapshot_id == snapshot_id, publications_table.c.period == period
        )
    )
    conn.execute(
        sa.insert(publications_table).values(
            snapshot_id=snapshot_id,
            period=period,
            path=path,
            sha256=sha256,
            published_at=now,
            published_by=actor,
        )
    )
    audit.append(
        conn, actor, "publish", "bulletin", f"{snapshot_id}/{period}", None, {"sha256": sha256}
    )


def publications(conn: Connection, period: str | None = None) -> list[dict]:
    """Publications, newest first (the first of a period is what the public sees)."""
    query = sa.select(publications_table).order_by(publications_table.c.id.desc())
    if period is not None:
        query = query.where(publications_table.c.period == period)
    return [dict(r) for r in conn.execute(query).mappings()]


def current_publications(conn: Connection) -> dict[str, dict]:
    """Period → its newest publication."""
    out: dict[str, dict] = {}
    for row in publications(conn):
        out.setdefault(row["period"], row)
    return out
