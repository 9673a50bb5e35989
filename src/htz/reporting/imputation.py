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


def _index(long: pa.Table) -> dict[tuple[str, str, str], tuple[float, str, str]]:
    cols = [
        long.column(c).to_pylist()
        for c in ("uscc", "period", "indicator", "value", "flag", "status")
    ]
    out = {}
    for uscc, period, indicator, value, flag, status in zip(*cols, strict=True):
        if indicator is not None and value is not None:
            out[(uscc, period, indicator)] = (value, flag, status)
    return out


def compute(
    ents: dict[str, Enterprise], long: pa.Table, period: Period, indicators: Sequence[str]
) -> tuple[dict[str, dict[str, float]], ImputeResult]:
    """Pure part: imputed values per USCC from the observations of P, LY and PP."""
    p, ly, pp = period.code, period.last_year().code, period.previous_ytd()
    pp = pp.code if pp else None
    obs = _index(long)
    status_p = {}
    for uscc, per, status in zip(
        long.column("uscc").to_pylist(),
        long.column("period").to_pylist(),
        long.column("status").to_pylist(),
        strict=True,
    ):
        if per == p:
            status_p[uscc] = status
    expected = [e for e in ents.values() if expected_to_report(e.__dict__, period)]
    respondents = [e for e in expected if status_p.get(e.uscc) == "accepted"]
    result = ImputeResult(p, expected=len(expected), respondents=len(respondents))
    targets = [e for e in expected if status_p.get(e.uscc) in (None, "imputed")]
    result.pending = sum(
        1 for e in expected if status_p.get(e.uscc) not in (None, "imputed", "accepted")
    )

    def reported(uscc: str, per: str | None, x: str) -> float | None:
        hit = obs.get((uscc, per, x)) if per else None
        return hit[0] if hit and hit[1] == "reported" else None

    def base(uscc: str, per: str | None, x: str) -> float | None:
        hit = obs.get((uscc, per, x)) if per else None
        return hit[0] if hit and hit[2] in ("accepted", "imputed") else None

    imputed: dict[str, dict[str, float]] = defaultdict(dict)
    for x in indicators:
        for other in (ly, pp):
            if other is None:
                continue
            # Σ over respondents with reported values in both periods, by stratum level
            sums: dict[tuple, list[float]] = defaultdict(lambda: [0.0, 0.0, 0])
            for e in respondents:
                cur, old = reported(e.uscc, p, x), reported(e.uscc, other, x)
                if cur is None or old is None:
                    continue
                for key in (
                    ("stratum", e.zone_code, e.section),
                    ("zone", e.zone_code),
                    ("nation",),
                ):
                    s = sums[key]
                    s[0] += cur
                    s[1] += old
                    s[2] += 1
            for e in targets:
                if x in imputed[e.uscc]:
                    continue
                b = base(e.uscc, other, x)
                if b is None:
                    continue
                for key in (
                    ("stratum", e.zone_code, e.section),
                    ("zone", e.zone_code),
                    ("nation",),
                ):
                    cur_sum, old_sum, n = sums.get(key, (0.0, 0.0, 0))
                    if n >= MIN_RESPONDENTS and old_sum != 0:
                        value = b * cur_sum / old_sum  # multiply first: 60 × 700 / 600 = 70.0
                        imputed[e.uscc][x] = value
                        result.details[(e.uscc, x)] = (value, other, cur_sum / old_sum, key[0])
                        break
    for e in targets:
        if not imputed.get(e.uscc):
            result.not_imputable.append(e.uscc)
    for x in indicators:
        rep = sum(v for e in respondents if (v := reported(e.uscc, p, x)) is not None)
        imp = sum(vals[x] for vals in imputed.values() if x in vals)
        total = rep + imp
        result.shares[x] = {"reported": rep, "imputed": imp, "share": imp / total if total else 0.0}
    result.imputed_reports = sum(1 for v in imputed.values() if v)
    return {k: v for k, v in imputed.items() if v}, result


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
