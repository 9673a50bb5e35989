"""Non-response and ratio imputation.

For a period P of a form, an enterprise owes a report when it is in its zone on P's last
day. One without a report of its own is imputed, indicator by indicator:

1. with a value for the same period last year (LY):  x̂ = x_LY × Σx_P / Σx_LY
2. else with a value for the previous period of the same year (PP): x̂ = x_PP × Σx_P / Σx_PP

where the sums run over the *respondents* of its stratum that reported x in both periods
(respondent: an accepted report for P; reported, not imputed, values on both sides). The
stratum is zone × industry section; with fewer than 3 such respondents it falls back to
the zone, then to the nation. Imputed values carry flag ``imputed``, never overwrite a
reported value, and are replaced when the real report arrives. Method: docs/methodology.md.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

import duckdb
import pyarrow as pa
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from htz import audit
from htz.periods import Period, parse
from htz.registry.enterprises import expected_to_report
from htz.reporting.reports import Enterprise, ensure_open, load_long, now
from htz.store.bulk import bulk_insert
from htz.store.schema import observations, reports

MIN_RESPONDENTS = 3


@dataclass(frozen=True)
class Missing:
    uscc: str
    zone_code: str
    section: str
    status: str | None  # None: no report at all


def missing(conn: Connection, ents: dict[str, Enterprise], form: str, period: str) -> list[Missing]:
    """Enterprises that owe a report for ``period`` and have no accepted one."""
    p = parse(period)
    query = sa.select(reports.c.enterprise_id, reports.c.status).where(
        reports.c.form == form, reports.c.period == period
    )
    statuses = {ent_id: status for ent_id, status in conn.execute(query)}
    out = []
    for e in sorted(ents.values(), key=lambda e: (e.zone_code, e.uscc)):
        status = statuses.get(e.id)
        if status != "accepted" and expected_to_report(e.__dict__, p):
            out.append(Missing(e.uscc, e.zone_code, e.section, status))
    return out


@dataclass
class ImputeResult:
    period: str
    expected: int = 0
    respondents: int = 0
    imputed_reports: int = 0
    not_imputable: list[str] = field(default_factory=list)  # USCCs with no base value at all
    pending: int = 0  # own report exists but is not yet accepted: not imputed
    # indicator -> {"reported": Σ reported, "imputed": Σ imputed, "share": imputed share}
    shares: dict[str, dict[str, float]] = field(default_factory=dict)
    # (uscc, indicator) -> (value, base, ratio, level) for every imputed value
    details: dict[tuple[str, str], tuple[float, str, float, str]] = field(default_factory=dict)


IMPUTE_SQL = """
WITH e AS (
    SELECT x.uscc, x.zone, x.section, s.status
    FROM ents x
    LEFT JOIN (SELECT uscc, any_value(status) AS status FROM obs WHERE period = $p
               GROUP BY uscc) s USING (uscc)
    WHERE x.entered <= $end AND (x."left" IS NULL OR x."left" >= $end)
),
resp AS (SELECT * FROM e WHERE status = 'accepted'),
tgt AS (SELECT * FROM e WHERE status IS NULL OR status = 'imputed'),
cur AS (SELECT uscc, indicator, value FROM obs
        WHERE period = $p AND flag = 'reported' AND value IS NOT NULL),
old AS (SELECT uscc, period, indicator, value FROM obs
        WHERE period IN ($ly, $pp) AND flag = 'reported' AND value IS NOT NULL),
pairs AS (
    SELECT r.zone, r.section, c.indicator, o.period AS base, c.value AS cv, o.value AS ov
    FROM resp r JOIN cur c USING (uscc)
    JOIN old o ON o.uscc = r.uscc AND o.indicator = c.indicator
),
sums AS (
    SELECT base, indicator, 1 AS lvl, zone, section, sum(cv) AS cs, sum(ov) AS os,
           count(*) AS n FROM pairs GROUP BY base, indicator, zone, section
    UNION ALL
    SELECT base, indicator, 2, zone, NULL, sum(cv), sum(ov), count(*)
    FROM pairs GROUP BY base, indicator, zone
    UNION ALL
    SELECT base, indicator, 3, NULL, NULL, sum(cv), sum(ov), count(*)
    FROM pairs GROUP BY base, indicator
),
bases AS (
    SELECT t.uscc, t.zone, t.section, o.period AS base, o.indicator, o.value AS b
    FROM tgt t JOIN obs o ON o.uscc = t.uscc
    WHERE o.period IN ($ly, $pp) AND o.status IN ('accepted', 'imputed')
      AND o.value IS NOT NULL AND o.indicator IN (SELECT indicator FROM wanted)
)
SELECT b.uscc, b.indicator, b.b * s.cs / s.os AS value, b.base, s.cs / s.os AS ratio,
       s.lvl
FROM bases b JOIN sums s
  ON s.base = b.base AND s.indicator = b.indicator AND s.n >= $min AND s.os <> 0
 AND (s.lvl = 3 OR (s.zone = b.zone AND (s.lvl = 2 OR s.section = b.section)))
QUALIFY row_number() OVER (PARTITION BY b.uscc, b.indicator
                           ORDER BY (b.base = $ly) DESC, s.lvl) = 1
"""
LEVEL_NAMES = {1: "stratum", 2: "zone", 3: "nation"}


def _ents_table(ents: dict[str, Enterprise]) -> pa.Table:
    rows = list(ents.values())
    return pa.table({
        "uscc": pa.array([e.uscc for e in rows], pa.string()),
        "zone": pa.array([e.zone_code for e in rows], pa.string()),
        "section": pa.array([e.section for e in rows], pa.string()),
        "entered": pa.array([e.entered for e in rows], pa.date32()),
        "left": pa.array([e.left for e in rows], pa.date32()),
    })  # fmt: skip


def compute(
    ents: dict[str, Enterprise], long: pa.Table, period: Period, indicators: Sequence[str]
) -> tuple[dict[str, dict[str, float]], ImputeResult]:
    """Pure part: imputed values per USCC from the observations of P, LY and PP.

    One DuckDB query over the whole period (module docstring: the method).
    """
    p, ly = period.code, period.last_year().code
    pp = period.previous_ytd().code if period.previous_ytd() else None
    con = duckdb.connect()
    try:
        con.register("obs", long.select(["uscc", "period", "indicator", "value", "flag", "status"]))
        con.register("ents", _ents_table(ents))
        con.register("wanted", pa.table({"indicator": pa.array(list(indicators), pa.string())}))
        params = {"p": p, "ly": ly, "pp": pp or "", "end": period.end_date, "min": MIN_RESPONDENTS}
        found = con.execute(IMPUTE_SQL, params).fetchall()
        counts = con.execute(
            """SELECT count(*) FILTER (WHERE s.status = 'accepted'),
                      count(*) FILTER (WHERE s.status IS NULL OR s.status = 'imputed'),
                      count(*)
               FROM ents x LEFT JOIN (SELECT uscc, any_value(status) AS status FROM obs
                                      WHERE period = $p GROUP BY uscc) s USING (uscc)
               WHERE x.entered <= $end AND (x."left" IS NULL OR x."left" >= $end)""",
            {"p": p, "end": period.end_date},
        ).fetchone()
        targets = {
            u
            for (u,) in con.execute(
                """SELECT x.uscc FROM ents x LEFT JOIN (SELECT uscc, any_value(status) AS status
                   FROM obs WHERE period = $p GROUP BY uscc) s USING (uscc)
               WHERE x.entered <= $end AND (x."left" IS NULL OR x."left" >= $end)
                 AND (s.status IS NULL OR s.status = 'imputed')""",
                {"p": p, "end": period.end_date},
            ).fetchall()
        }
        reported = dict(
            con.execute(
                """SELECT o.indicator, sum(o.value) FROM obs o
               WHERE o.period = $p AND o.flag = 'reported' AND o.status = 'accepted'
               GROUP BY o.indicator""",
                {"p": p},
            ).fetchall()
        )
    finally:
        con.close()
    respondents, n_targets, n_expected = counts
    result = ImputeResult(p, expected=n_expected, respondents=respondents)
    result.pending = n_expected - respondents - n_targets
    imputed: dict[str, dict[str, float]] = defaultdict(dict)
    for uscc, x, value, base, ratio, level in found:
        imputed[uscc][x] = value
        result.details[(uscc, x)] = (value, base, ratio, LEVEL_NAMES[level])
    result.not_imputable = sorted(targets - set(imputed))
    for x in indicators:
        rep = reported.get(x) or 0.0
        imp = sum(vals[x] for vals in imputed.values() if x in vals)
        total = rep + imp
        result.shares[x] = {"reported": rep, "imputed": imp, "share": imp / total if total else 0.0}
    result.imputed_reports = len(imputed)
    return dict(imputed), result


def impute(
    conn: Connection,
    actor: str,
    ents: dict[str, Enterprise],
    form: str,
    period: str,
    indicators: Sequence[str],
) -> ImputeResult:
    """Impute every non-respondent of ``period``, replacing earlier imputations."""
    p = parse(period)
    ensure_open(conn, form, [period])
    periods = [p.code, p.last_year().code] + ([p.previous_ytd().code] if p.previous_ytd() else [])
    long = load_long(conn, form, periods)
    values, result = compute(ents, long, p, indicators)
    old = list(
        conn.execute(
            sa.select(reports.c.id).where(
                reports.c.form == form, reports.c.period == period, reports.c.status == "imputed"
            )
        ).scalars()
    )
    for start in range(0, len(old), 5000):
        chunk = old[start : start + 5000]
        conn.execute(sa.delete(observations).where(observations.c.report_id.in_(chunk)))
        conn.execute(sa.delete(reports).where(reports.c.id.in_(chunk)))
    stamp = now()
    if values:
        rows = [
            (ents[u].id, form, period, "imputed", None, 1, "imputation", None, stamp, actor)
            for u in values
        ]
        if conn.dialect.name == "sqlite":
            text = stamp.replace(tzinfo=None).isoformat(sep=" ")
            rows = [(*r[:8], text, r[9]) for r in rows]
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
            rows,
        )
        query = sa.select(reports.c.enterprise_id, reports.c.id).where(
            reports.c.form == form, reports.c.period == period, reports.c.status == "imputed"
        )
        ids = {ent_id: rid for ent_id, rid in conn.execute(query)}
        bulk_insert(
            conn,
            observations,
            ["report_id", "indicator", "value", "flag"],
            [
                (ids[ents[u].id], x, v, "imputed")
                for u, vals in values.items()
                for x, v in vals.items()
            ],
        )
    audit.append(
        conn,
        actor,
        "impute",
        "period",
        f"{form}/{period}",
        None,
        {
            "imputed_reports": result.imputed_reports,
            "replaced": len(old),
            "shares": {x: round(s["share"], 6) for x, s in result.shares.items()},
        },
    )
    return result
