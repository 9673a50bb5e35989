"""Reports and their observations in the store: bulk storing an upload, loading wide tables.

A report is one enterprise's filing of one form for one period; its observations are
long rows ``(report_id, indicator, value, flag)``. A missing value has no observation.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import duckdb
import pyarrow as pa
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from htz import audit
from htz.errors import Issue, PeriodClosedError
from htz.store.bulk import bulk_insert
from htz.store.schema import enterprises, industries, observations, period_states, reports

REVIEWED = ("approved", "accepted")


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclass(frozen=True)
class Enterprise:
    id: int
    uscc: str
    zone_code: str
    industry_code: str
    section: str
    entered: dt.date
    left: dt.date | None


def enterprise_index(conn: Connection, zone_code: str | None = None) -> dict[str, Enterprise]:
    """Every enterprise (or those of one zone) by USCC, with its industry section."""
    query = sa.select(
        enterprises.c.id,
        enterprises.c.uscc,
        enterprises.c.zone_code,
        enterprises.c.industry_code,
        industries.c.section,
        enterprises.c.entered,
        enterprises.c.left,
    ).select_from(enterprises.join(industries))
    if zone_code:
        query = query.where(enterprises.c.zone_code == zone_code)
    return {r.uscc: Enterprise(*r) for r in conn.execute(query)}


def closed_periods(conn: Connection, form: str) -> set[str]:
    query = sa.select(period_states.c.period).where(
        period_states.c.form == form, period_states.c.state == "closed"
    )
    return set(conn.execute(query).scalars())


def ensure_open(conn: Connection, form: str, periods: Iterable[str]) -> None:
    closed = sorted(closed_periods(conn, form) & set(periods))
    if closed:
        raise PeriodClosedError(
            f"{form} {', '.join(closed)} is closed; a national user must reopen it "
            f"(`htz period reopen {closed[0]} --form {form}`) before reports can change."
        )


@dataclass
class StoreResult:
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    replaced_imputed: int = 0
    observations: int = 0
    report_ids: dict[tuple[str, str], int] = field(default_factory=dict, repr=False)


def _existing(conn: Connection, form: str, periods: Sequence[str]) -> dict[tuple[int, str], dict]:
    query = sa.select(
        reports.c.id,
        reports.c.enterprise_id,
        reports.c.period,
        reports.c.status,
        reports.c.version,
    ).where(reports.c.form == form, reports.c.period.in_(periods))
    return {(r.enterprise_id, r.period): dict(r._mapping) for r in conn.execute(query)}


def _values_of(conn: Connection, report_ids: Sequence[int]) -> dict[int, dict[str, float]]:
    out: dict[int, dict[str, float]] = {}
    for chunk_start in range(0, len(report_ids), 5000):
        chunk = report_ids[chunk_start : chunk_start + 5000]
        query = sa.select(
            observations.c.report_id, observations.c.indicator, observations.c.value
        ).where(observations.c.report_id.in_(chunk))
        for rid, indicator, value in conn.execute(query):
            out.setdefault(rid, {})[indicator] = value
    return out


def store_upload(
    conn: Connection,
    actor: str,
    form: str,
    table: pa.Table,
    indicators: Sequence[str],
    ents: dict[str, Enterprise],
    *,
    status: str = "submitted",
    source: str = "import",
    statuses: Sequence[str] | None = None,
) -> StoreResult:
    """Store the rows of a checked upload (columns uscc, period, <indicators>).

    New reports are inserted with ``status`` (or the per-row ``statuses``); a report
    htz had imputed is replaced by the real one; an existing report with the same values
    is left alone (so importing a file twice stores nothing new); one with other values
    gets a new version, and if it had been approved or accepted it returns to review.
    """
    result = StoreResult()
    if table.num_rows == 0:
        return result
    usccs = table.column("uscc").to_pylist()
    periods = table.column("period").to_pylist()
    ensure_open(conn, form, set(periods))
    columns = {c: table.column(c).to_pylist() for c in indicators if c in table.column_names}
    comments = table.column("comment").to_pylist() if "comment" in table.column_names else None
    existing = _existing(conn, form, sorted(set(periods)))
    old_values = _values_of(conn, [e["id"] for e in existing.values()]) if existing else {}
    stamp = now()
    new_reports, new_keys, obs_rows, changed_ids = [], [], [], []
    for i, (code, period) in enumerate(zip(usccs, periods, strict=True)):
        ent = ents[code]
        values = {c: v[i] for c, v in columns.items() if v[i] is not None}
        row_status = statuses[i] if statuses is not None else status
        comment = comments[i] if comments else None
        current = existing.get((ent.id, period))
        if current is None:
            new_reports.append(
                (ent.id, form, period, row_status, None, 1, source, comment, stamp, actor)
            )
            new_keys.append((ent.id, period, values))
            continue
        before = old_values.get(current["id"], {})
        if current["status"] != "imputed" and before == values:
            result.unchanged += 1
            result.report_ids[(code, period)] = current["id"]
            continue
        next_status = "submitted" if current["status"] in REVIEWED else row_status
        if current["status"] == "imputed":
            result.replaced_imputed += 1
            next_status = row_status
        else:
            result.updated += 1
            audit.append(
                conn,
                actor,
                "update",
                "report",
                f"{code}/{form}/{period}",
                {"status": current["status"], "version": current["version"], "values": before},
                {"status": next_status, "version": current["version"] + 1, "values": values},
            )
        conn.execute(
            sa.update(reports)
            .where(reports.c.id == current["id"])
            .values(
                status=next_status,
                level=None,
                version=current["version"] + 1,
                source=source,
                comment=comment,
                updated_at=stamp,
                updated_by=actor,
            )
        )
        changed_ids.append(current["id"])
        result.report_ids[(code, period)] = current["id"]
        obs_rows.extend((current["id"], k, v, "reported") for k, v in values.items())
    if changed_ids:
        for start in range(0, len(changed_ids), 5000):
            conn.execute(
                sa.delete(observations).where(
                    observations.c.report_id.in_(changed_ids[start : start + 5000])
                )
            )
    if new_reports:
        bulk_insert(
            conn,
            reports,
            [
                "enterprise_id",
                "form",
                "period",
                "status",
                "level",
                "version",
                "source",
                "comment",
                "updated_at",
                "updated_by",
            ],
            [_sqlite_ready(conn, r) for r in new_reports],
        )
        ids = _existing(conn, form, sorted({p for _, p, _ in new_keys}))
        by_id = {e.id: e.uscc for e in ents.values()}
        for ent_id, period, values in new_keys:
            rid = ids[(ent_id, period)]["id"]
            result.report_ids[(by_id[ent_id], period)] = rid
            obs_rows.extend((rid, k, v, "reported") for k, v in values.items())
        result.inserted = len(new_reports)
        audit.append(
            conn,
            actor,
            "create",
            "reports",
            f"{form}/{len(new_reports)}",
            None,
            {"form": form, "reports": len(new_reports), "digest": _digest(new_keys, by_id)},
        )
    result.observations = bulk_insert(
        conn, observations, ["report_id", "indicator", "value", "flag"], obs_rows
    )
    return result


def _sqlite_ready(conn: Connection, row: tuple) -> tuple:
    if conn.dialect.name == "sqlite":
        return tuple(
            v.astimezone(dt.UTC).replace(tzinfo=None).isoformat(sep=" ")
            if isinstance(v, dt.datetime)
            else v
            for v in row
        )
    return row


def _digest(keys: list[tuple[int, str, dict]], uscc_of: dict[int, str]) -> str:
    """SHA-256 over the stored reports' keys and values, recorded in the audit log."""
    h = hashlib.sha256()
    for ent_id, period, values in sorted(keys, key=lambda k: (uscc_of[k[0]], k[1])):
        h.update(f"{uscc_of[ent_id]}|{period}|{sorted(values.items())!r}\n".encode())
    return h.hexdigest()


def check_known_enterprises(table: pa.Table, ents: dict[str, Enterprise]) -> list[Issue]:
    """Rows whose USCC is not a registered enterprise."""
    issues = []
    for row, code in zip(
        table.column("row").to_pylist(), table.column("uscc").to_pylist(), strict=True
    ):
        if code not in ents:
            issues.append(
                Issue(
                    "unknown-enterprise",
                    f"no enterprise with USCC {code}; import it first with "
                    "`htz enterprises import`",
                    row,
                    "uscc",
                    code,
                )
            )
    return issues


def load_long(
    conn: Connection,
    form: str,
    periods: Sequence[str],
    zone_code: str | None = None,
    statuses: Sequence[str] | None = None,
) -> pa.Table:
    """Observations of a form's reports in some periods, one row per value, as Arrow."""
    query = (
        sa.select(
            reports.c.id.label("report_id"),
            enterprises.c.uscc,
            enterprises.c.zone_code,
            enterprises.c.industry_code,
            industries.c.section,
            reports.c.period,
            reports.c.status,
            reports.c.version,
            observations.c.indicator,
            observations.c.value,
            observations.c.flag,
        )
        .select_from(reports.join(enterprises).join(industries).outerjoin(observations))
        .where(reports.c.form == form, reports.c.period.in_(list(periods)))
    )
    if zone_code:
        query = query.where(enterprises.c.zone_code == zone_code)
    if statuses:
        query = query.where(reports.c.status.in_(list(statuses)))
    names = [
        "report_id",
        "uscc",
        "zone_code",
        "industry_code",
        "section",
        "period",
        "status",
        "version",
        "indicator",
        "value",
        "flag",
    ]
    rows = conn.execute(query).all()
    columns = list(zip(*rows, strict=True)) if rows else [[] for _ in names]
    types = [
        pa.int64(),
        pa.string(),
        pa.string(),
        pa.string(),
        pa.string(),
        pa.string(),
        pa.string(),
        pa.int64(),
        pa.string(),
        pa.float64(),
        pa.string(),
    ]
    return pa.table([pa.array(c, t) for c, t in zip(columns, types, strict=True)], names=names)


def to_wide(long: pa.Table, indicators: Sequence[str]) -> pa.Table:
    """One row per report, one float64 column per indicator (null where not reported)."""
    con = duckdb.connect()
    try:
        con.register("long", long)
        pivots = ", ".join(
            f"max(value) FILTER (WHERE indicator = '{c}')::DOUBLE AS \"{c}\"" for c in indicators
        )
        return con.sql(
            "SELECT report_id, uscc, zone_code, industry_code, section, period, status, "
            f"version, {pivots} FROM long GROUP BY ALL ORDER BY uscc, period"
        ).to_arrow_table()
    finally:
        con.close()
