"""Reports and their observations in the store: bulk storing an upload, loading wide tables.

A report is one enterprise's filing of one form for one period; its observations are
long rows ``(report_id, indicator, value, flag)``. A missing value has no observation.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from htz import audit
from htz.errors import Issue, PeriodClosedError
from htz.store.bulk import bulk_insert, bulk_insert_columns, bulk_insert_long
from htz.store.fetch import fetch_arrow
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
    _ids: dict[tuple[str, str], int] = field(default_factory=dict, repr=False)
    _pending: list[tuple] = field(default_factory=list, repr=False)

    def add_ids(self, usccs: pa.Array | pa.ChunkedArray, periods: list[str], ids: list[int]):
        """Record the ids of new reports; the mapping is built when first read."""
        self._pending.append((usccs, periods, ids))

    @property
    def report_ids(self) -> dict[tuple[str, str], int]:
        """(uscc, period) → id of every report stored or left unchanged.

        Built on first use: a million-report import that needs none of them (no warnings
        to attach) does not pay for a million tuple keys.
        """
        while self._pending:
            usccs, periods, ids = self._pending.pop()
            keys = zip(usccs.to_pylist(), periods, strict=True)
            self._ids.update(zip(keys, ids, strict=True))
        return self._ids


def _existing(conn: Connection, form: str, periods: Sequence[str]) -> dict[tuple[int, str], dict]:
    query = sa.select(
        reports.c.id,
        reports.c.enterprise_id,
        reports.c.period,
        reports.c.status,
        reports.c.version,
    ).where(reports.c.form == form, reports.c.period.in_(periods))
    return {
        (e, p): {"id": i, "enterprise_id": e, "period": p, "status": s, "version": v}
        for i, e, p, s, v in conn.execute(query)
    }


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

    New reports (the bulk of a first import) are stored without a Python loop per value:
    they are inserted in (enterprise, period) order, their ids read back in one query and
    their observations inserted straight from the Arrow columns (see
    :func:`htz.store.bulk.bulk_insert_long`).
    """
    result = StoreResult()
    if table.num_rows == 0:
        return result
    uscc_column, period_column = table.column("uscc"), table.column("period")
    periods_seen = pc.unique(period_column).to_pylist()
    ensure_open(conn, form, set(periods_seen))
    present = [c for c in indicators if c in table.column_names]
    ent_ids = _enterprise_ids(uscc_column, ents)
    existing = _existing(conn, form, sorted(periods_seen))
    stamp = now()
    new_rows = pa.array(np.arange(table.num_rows))
    if existing:
        rest = _store_existing(
            conn, actor, form, table, present, existing, ent_ids.to_pylist(), stamp, result,
            status=status, source=source, statuses=statuses,
        )  # fmt: skip
        if not rest:
            return result
        new_rows = pa.array(rest, pa.int64())

    # new reports, in (enterprise, period) order: the unique index grows at its end
    keys = pa.table({"e": ent_ids.take(new_rows), "p": period_column.take(new_rows), "i": new_rows})
    keys = keys.take(pc.sort_indices(keys, [("e", "ascending"), ("p", "ascending")]))
    order = keys.column("i")
    new_ents, new_periods = keys.column("e").to_pylist(), keys.column("p").to_pylist()
    when = _sqlite_ready(conn, (stamp,))[0]
    before = conn.execute(sa.select(sa.func.max(reports.c.id))).scalar() or 0
    new_columns: dict[str, list] = {"enterprise_id": new_ents, "period": new_periods}
    new_constants = {"form": form, "status": status, "level": None, "version": 1,
                     "source": source, "comment": None, "updated_at": when,
                     "updated_by": actor}  # fmt: skip
    if statuses is not None:
        new_columns["status"] = pa.array(statuses, pa.string()).take(order).to_pylist()
        del new_constants["status"]
    if "comment" in table.column_names and table.column("comment").null_count < table.num_rows:
        new_columns["comment"] = table.column("comment").take(order).to_pylist()
        del new_constants["comment"]
    new_usccs = uscc_column.take(order)
    taken = table.select(present).take(order)
    # the audit digest is Arrow and numpy work that releases the GIL: it runs while SQLite
    # or PostgreSQL inserts (the drivers release the GIL while the database works)
    with ThreadPoolExecutor(max_workers=1) as pool:
        digest = pool.submit(upload_digest, new_usccs, keys.column("p"), taken)
        bulk_insert_columns(conn, reports, new_columns, new_constants)
        ids = _new_ids(conn, form, before, new_ents, new_periods)
        result.add_ids(new_usccs, new_periods, ids)
        result.inserted = len(order)
        result.observations += bulk_insert_long(
            conn,
            observations,
            "report_id",
            "indicator",
            "value",
            ids,
            {c: taken.column(c) for c in present},
            {"flag": "reported"},
        )
        digest = digest.result()
    audit.append(
        conn,
        actor,
        "create",
        "reports",
        f"{form}/{len(order)}",
        None,
        {"form": form, "reports": len(order), "digest": digest},
    )
    return result


def _enterprise_ids(usccs: pa.ChunkedArray | pa.Array, ents: dict[str, Enterprise]) -> pa.Array:
    """The enterprise id of each USCC (vectorised; KeyError naming the first unknown one)."""
    known = pa.array(list(ents), pa.string())
    where = pc.index_in(usccs, value_set=known)
    if where.null_count:
        missing = usccs.filter(where.is_null())
        raise KeyError(missing[0].as_py())
    ids = pa.array([e.id for e in ents.values()], pa.int64())
    taken = ids.take(where)
    return taken.combine_chunks() if isinstance(taken, pa.ChunkedArray) else taken


def _store_existing(
    conn: Connection,
    actor: str,
    form: str,
    table: pa.Table,
    present: Sequence[str],
    existing: dict[tuple[int, str], dict],
    ent_ids: list[int],
    stamp: dt.datetime,
    result: StoreResult,
    *,
    status: str,
    source: str,
    statuses: Sequence[str] | None,
) -> list[int]:
    """Update the rows that already have a report (row by row); returns the other rows."""
    periods = table.column("period").to_pylist()
    current_of = [existing.get(k) for k in zip(ent_ids, periods, strict=True)]
    old = [i for i, current in enumerate(current_of) if current is not None]
    new = [i for i, current in enumerate(current_of) if current is None]
    if not old:
        return new
    usccs = table.column("uscc").to_pylist()
    subset = table.take(pa.array(old))
    columns = {c: subset.column(c).to_pylist() for c in present}
    comments = subset.column("comment").to_pylist() if "comment" in table.column_names else None
    old_values = _values_of(conn, [current_of[i]["id"] for i in old])
    obs_rows, changed_ids = [], []
    for j, i in enumerate(old):
        code, period, current = usccs[i], periods[i], current_of[i]
        values = {c: v[j] for c, v in columns.items() if v[j] is not None}
        row_status = statuses[i] if statuses is not None else status
        comment = comments[j] if comments else None
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
    for start in range(0, len(changed_ids), 5000):
        conn.execute(
            sa.delete(observations).where(
                observations.c.report_id.in_(changed_ids[start : start + 5000])
            )
        )
    result.observations += bulk_insert(
        conn, observations, ["report_id", "indicator", "value", "flag"], obs_rows
    )
    return new


def _new_ids(
    conn: Connection, form: str, before: int, ents: list[int], periods: list[str]
) -> list[int]:
    """Ids of the reports just inserted for (ents[i], periods[i]), in that order.

    Both databases number inserted rows upwards in insertion order (SQLite: largest rowid
    + 1; PostgreSQL: the sequence, row by row in COPY), above ``before``, the largest id
    seen before the insert. So if exactly ``len(ents)`` reports have larger ids and those
    ids are consecutive, they are ours in order and need not be fetched; otherwise (another
    writer's reports came in between) the ids are looked up by key.
    """
    count, low, high = conn.execute(
        sa.select(sa.func.count(), sa.func.min(reports.c.id), sa.func.max(reports.c.id)).where(
            reports.c.id > before
        )
    ).one()
    if count == len(ents) and high - low + 1 == count:
        return list(range(low, high + 1))
    found = {(e, p): r["id"] for (e, p), r in _existing(conn, form, sorted(set(periods))).items()}
    return [found[k] for k in zip(ents, periods, strict=True)]


def _sqlite_ready(conn: Connection, row: tuple) -> tuple:
    if conn.dialect.name == "sqlite":
        return tuple(
            v.astimezone(dt.UTC).replace(tzinfo=None).isoformat(sep=" ")
            if isinstance(v, dt.datetime)
            else v
            for v in row
        )
    return row


DIGEST_HEAD = "htz-reports-digest-2"
_DIGEST_BATCH = 1_000_000


def upload_digest(
    usccs: pa.Array | pa.ChunkedArray, periods: pa.Array | pa.ChunkedArray, values: pa.Table
) -> str:
    """SHA-256 over stored reports' keys and values, recorded in the audit log.

    The bytes hashed, reports in (uscc, period) order and indicators in name order:

    1. the line ``htz-reports-digest-2|<indicator names, comma-separated>\n``;
    2. for each report, the line ``<uscc>|<period>\n`` (UTF-8);
    3. for each indicator, one byte per report (1 if it has a value, 0 if not), then one
       little-endian IEEE 754 double per report (its value; 0.0 where it has none; −0.0
       as 0.0, since SQLite stores it so).

    The same reports and values give the same digest whatever the order of rows or
    columns; the values are hashed bit for bit. Vectorised (Arrow and numpy, which release
    the GIL), so it can run beside the database insert in another thread.
    """
    names = sorted(values.column_names)
    keys = pa.table({"u": usccs, "p": periods})
    order = pc.sort_indices(keys, [("u", "ascending"), ("p", "ascending")])
    h = hashlib.sha256(f"{DIGEST_HEAD}|{','.join(names)}\n".encode())
    keys = keys.take(order)
    for start in range(0, len(order), _DIGEST_BATCH):  # batches keep string offsets 32-bit
        part = keys.slice(start, _DIGEST_BATCH)
        lines = pc.binary_join_element_wise(
            part.column("u"), "|", part.column("p"), "\n", ""
        ).combine_chunks()
        offsets = np.frombuffer(lines.buffers()[1], np.int32, len(lines) + 1, lines.offset * 4)
        h.update(memoryview(lines.buffers()[2])[offsets[0] : offsets[-1]])
    for name in names:
        column = values.column(name).take(order).cast(pa.float64())
        present = column.is_valid().to_numpy(zero_copy_only=False).astype(np.uint8)
        numbers = pc.fill_null(column, 0.0).to_numpy(zero_copy_only=False).astype("<f8")
        numbers += 0.0  # −0.0 becomes 0.0, as SQLite stores it
        h.update(present.tobytes())
        h.update(numbers.tobytes())
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
    return fetch_arrow(conn, query, LONG_SCHEMA)


LONG_SCHEMA = pa.schema([
    ("report_id", pa.int64()), ("uscc", pa.string()), ("zone_code", pa.string()),
    ("industry_code", pa.string()), ("section", pa.string()), ("period", pa.string()),
    ("status", pa.string()), ("version", pa.int64()), ("indicator", pa.string()),
    ("value", pa.float64()), ("flag", pa.string()),
])  # fmt: skip


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
