"""The full 2023-Q3 bulletin on the national-scale demo: htz vs hand-written DuckDB SQL vs pandas.

Issue 4's benchmark. Three contenders compute the same figures from the same snapshot:

- ``htz``: ``htz.analytics.bulletin.compute(open_frame(snapshot, "duckdb"), period)``;
- ``sql``: the same aggregations written by hand as DuckDB SQL over ``read_parquet`` (all
  indicators and levels in one GROUPING SETS query; the near-limit reference);
- ``pandas``: the same aggregations with DataFrame operations.

Headline totals with comparable and current growth of the 8 headline indicators at
national, region, province and zone level, with disclosure control (threshold,
dominance, secondary suppression); reporting rates of the monthly and quarterly forms;
the zone count; platform shares; location quotients (revenue, employees) with
disclosure control; the top-10 concentration of zone GDP. The script checks that the
three give the same numbers (relative tolerance 1e-9) and exits 1 if they do not.

Timings: median of ``--runs`` repetitions, interleaved, in this one process, after one
warm-up round. Peak memory: each contender once more in its own subprocess (its VmHWM,
the peak resident set size), next to a child that only imports the modules.

The snapshot: by default built here from htz's demo generator and calibration for the
178 real zones (``--scale national``: ~200,000 enterprises, 2021-2023), written in the
snapshot layout by ``htz.analytics.snapshot.build`` and cached under ``--work``. Reports
that never arrive are written as ``imputed`` rows holding the generator's own value (a
stand-in for htz's ratio imputation; ``--missing absent`` leaves them out). Or use an
existing demo: ``--data-dir DIR`` (the data directory of ``htz demo``; newest snapshot).

    python benchmarks/analytics_bulletin.py                         # national, 5 runs
    python benchmarks/analytics_bulletin.py --scale small --runs 3  # a quick run
    python benchmarks/analytics_bulletin.py --data-dir ~/htz-data   # an existing demo
    python benchmarks/analytics_bulletin.py --one-thread            # + DuckDB on one thread

``--one-thread`` also times htz and the SQL with DuckDB limited to one thread (pandas
runs on one): how much of their lead over pandas is parallelism.
"""

from __future__ import annotations

import argparse
import gc
import hashlib
import json
import math
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import ibis
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from htz import app as application
from htz import config
from htz.analytics import protection
from htz.analytics import snapshot as snapshots
from htz.analytics.bulletin import compute, form_periods
from htz.analytics.frame import Frame, open_frame
from htz.demo import pipeline
from htz.demo.calibrate import calibrate
from htz.demo.generator import generate
from htz.periods import parse
from htz.registry import platforms as registry_platforms
from htz.reporting import export
from htz.tabular import read_table

WORK = Path("/tmp/htz-bench-analytics")
MONTHLY = ("operating_revenue", "industrial_output", "exports", "net_profit", "taxes_paid",
           "rd_expenditure", "employees")  # fmt: skip
GDP_PARTS = ("wages", "depreciation", "production_taxes", "operating_surplus")
LQ_INDICATORS = ("operating_revenue", "employees")
LEVELS = {"national": "national", "region": "region", "province": "province", "zone": "zone"}
# The references compute every cell: disclosure control is now an optimisation over the
# linked tables (htz.disclosure), not something to hand-write in SQL; its time is part of
# htz's, and the checks compare the cells htz publishes (``masked``).
N_MIN, DOMINANCE = 0, 1.01
TARGET_SQL, TARGET_PANDAS = 1.5, 10.0


# ---------------------------------------------------------------- the snapshot


def build_demo_snapshot(work: Path, scale: str, seed: int, missing: str) -> snapshots.Snapshot:
    """Demo data for the real zones, in the snapshot layout, without running the pipeline."""
    root = work / f"{scale}-seed{seed}-{missing}"
    ready = root / "ready.json"
    if ready.exists():
        return snapshots.load(root, json.loads(ready.read_text())["snapshot"])
    t0 = time.perf_counter()
    ref = root / "reference"  # a fresh `htz init` for the zones, sections and platforms
    settings = config.load(environ={"HTZ_DATA_DIR": str(ref)}, cwd=ref)
    app = application.build(settings)
    application.init(app)
    with app.connect() as conn:
        zones, sections = pipeline._zones(conn), pipeline._sections(conn)
    print(f"generating {scale} demo for {len(zones)} zones (seed {seed}) …", flush=True)
    data = generate(zones, scale, seed)
    rng = np.random.default_rng(seed + 1)  # the same draws, in the same order, as `htz demo`
    fate = {
        "monthly": pipeline.fates(rng, data.monthly),
        "quarterly": pipeline.fates(rng, data.quarterly),
        "annual": pipeline.fates(rng, data.annual, late=0.0, error=0.0, warning=0.0),
    }
    calibrate(data, pipeline.arrives(fate["quarterly"]), sections)
    with app.connect() as conn:
        pipeline._platform_file(rng, conn, data, ref / "platforms.csv")
        checked = registry_platforms.check(conn, read_table(ref / "platforms.csv"))
        registry_platforms.import_platforms(conn, checked)
        registry = export.registry(conn)
    app.close()
    e = data.enterprises
    registry["enterprises"] = pa.table({
        "uscc": pa.array(e.uscc, pa.string()),
        "name": pa.array([f"合成企业{i:06d}" for i in range(len(e))]),
        "zone_code": pa.array(e.zone, pa.string()),
        "industry_code": pa.array(e.division, pa.string()),
        "section": pa.array([sections[d] for d in e.division], pa.string()),
        "tech_field": pa.array(e.tech_field, pa.string()),
        "entered": pa.array(e.entered.astype("datetime64[D]"), pa.date32()),
        "left": pa.array(e.left.astype("datetime64[D]"), pa.date32(), from_pandas=True),
        "high_tech_certified": pa.array(e.certified), "little_giant": pa.array(e.little_giant),
        "listed": pa.array(e.listed),
    }, schema=registry["enterprises"].schema).sort_by("uscc")  # fmt: skip
    reports = {"monthly": data.monthly, "quarterly": data.quarterly, "annual": data.annual}

    def observations(form: str, period: str) -> pa.Table:
        r = reports[form]
        j = [p.code for p in r.periods].index(period)
        arrived = pipeline.arrives(fate[form])[:, j]
        keep = arrived | (r.owed[:, j] & (missing == "imputed"))
        parts = []
        for indicator, values in r.values.items():
            rows = keep & ~np.isnan(values[:, j])
            n = int(rows.sum())
            status = np.where(arrived[rows], "accepted", "imputed")
            parts.append(pa.table({
                "uscc": pa.array(e.uscc[rows], pa.string()),
                "form": pa.array([form] * n, pa.string()),
                "period": pa.array([period] * n, pa.string()),
                "year": pa.array(np.full(n, int(period[:4]), np.int32)),
                "status": pa.array(status, pa.string()),
                "indicator": pa.array([indicator] * n, pa.string()),
                "value": pa.array(values[rows, j], pa.float64()),
                "flag": pc.replace_substring(pa.array(status, pa.string()), "accepted", "reported"),
            }, schema=export.OBSERVATION_SCHEMA))  # fmt: skip
        return pa.concat_tables(parts).sort_by([("uscc", "ascending"), ("indicator", "ascending")])

    fingerprints = {
        (form, p.code): hashlib.sha256(
            f"{scale}:{seed}:{missing}:{form}:{p.code}".encode()
        ).hexdigest()
        for form, r in reports.items()
        for p in r.periods
    }
    result = snapshots.build(root, fingerprints, observations, registry, "0" * 64)
    rows = sum(part["rows"] for part in result.snapshot.partitions.values())
    ready.write_text(json.dumps({"snapshot": result.snapshot.id, "enterprises": len(e),
                                 "observations": rows}))  # fmt: skip
    print(f"snapshot {result.snapshot.id}: {len(e):,} enterprises, {rows:,} observations, "
          f"{time.perf_counter() - t0:.0f} s", flush=True)  # fmt: skip
    return result.snapshot


def newest_snapshot(data_dir: Path) -> snapshots.Snapshot:
    manifests = [json.loads(p.read_text()) for p in (data_dir / snapshots.MANIFESTS).glob("*.json")]
    if not manifests:
        sys.exit(f"{data_dir}: no snapshot; run `htz demo` (or `htz build`) there first.")
    return snapshots.load(data_dir, max(manifests, key=lambda m: m["created_at"])["id"])


class Inputs:
    """The files and dates the hand-written contenders read (the same files as htz)."""

    def __init__(self, snap: snapshots.Snapshot, period: str) -> None:
        p = parse(period)
        fp = form_periods(p)
        self.day, self.ly_day = p.end_date, p.last_year().end_date
        self.month, self.quarter = fp["monthly"].code, fp["quarterly"].code
        self.now = (self.month, self.quarter)

        def files(form: str, code: str) -> list[str]:
            codes = [code, parse(code).last_year().code]
            return [str(f) for f in snap.observation_files([form], codes)]

        self.monthly, self.quarterly = (
            files("monthly", self.month),
            files("quarterly", self.quarter),
        )
        self.current = {
            form: str(snap.observation_files([form], [code])[0])
            for form, code in (("monthly", self.month), ("quarterly", self.quarter))
        }
        self.reg = {name: str(snap.registry_file(name)) for name in
                    ("enterprises", "zones", "platforms")}  # fmt: skip


# ---------------------------------------------------------------- shared post-processing


def clean(x):
    if x is None or (isinstance(x, float) and (math.isnan(x) or math.isinf(x))):
        return None
    return float(x)


def cell(r: dict) -> dict:
    """A bulletin cell from an aggregate row with ``reason`` (as htz.analytics.bulletin)."""
    conf = isinstance(r["reason"], str)  # pandas may hold a missing reason as NaN
    out = {"value": None if conf else clean(r["value"]),
           "growth_comparable": None if conf else clean(r["growth_comparable"]),
           "growth_current": None if conf else clean(r["growth_current"]),
           "n_enterprises": int(r["n_enterprises"]), "confidential": conf}  # fmt: skip
    if conf:
        out["reason"] = r["reason"]
    else:
        out["imputed_share"] = clean(r["imputed_value"] / r["value"]) if r["value"] else 0.0
    return out


def assemble(cells, zones, reporting, platforms, lq) -> dict:
    """The figures every contender returns, keyed the same way."""
    by_key = {f"{r['level']}/{r['key']}/{r['indicator']}": cell(r) for r in cells}
    gdp = sorted((c["value"] or 0.0 for k, c in by_key.items()
                  if k.startswith("zone/") and k.endswith("/zone_gdp")), reverse=True)  # fmt: skip
    total = by_key["national/CN/zone_gdp"]["value"]
    quality = {}
    for r in reporting:
        quality[f"expected_{r['form']}"] = int(r["expected"])
        quality[f"respondents_{r['form']}"] = int(r["respondents"])
        rate = r["respondents"] / r["expected"] if r["expected"] else None
        quality[f"reporting_rate_{r['form']}"] = rate
    return {
        "cells": by_key,
        "zones": int(zones),
        "quality": quality,
        "platforms": {r["type"]: {k: clean(r[k]) if k == "share" else int(r[k])
                                  for k in ("total", "in_zone", "outside", "unknown", "share")}
                      for r in platforms},
        "lq": {f"{r['indicator']}/{r['zone_code']}/{r['section']}":
               {"lq": None if isinstance(r["reason"], str) else clean(r["lq"]),
                "confidential": isinstance(r["reason"], str)} for r in lq},
        "top10_share": clean(sum(gdp[:10]) / total) if total else None,
    }  # fmt: skip


def from_bulletin(b: dict) -> dict:
    """htz's bulletin JSON in the same shape."""
    cells = {}
    for level, entries in (("national", [{"code": "CN", **b["headline"]}]),
                           ("region", b["by_region"]), ("province", b["by_province"]),
                           ("zone", b["by_zone"])):  # fmt: skip
        for entry in entries:
            for indicator, c in entry.items():
                if isinstance(c, dict):
                    cells[f"{level}/{entry['code']}/{indicator}"] = {
                        k: v for k, v in c.items() if k != "unit"
                    }
    q = b["quality"]
    return {
        "cells": cells,
        "zones": b["zones"],
        "quality": {f"{k}_{f}": q[f"{k}_{f}"] for f in ("monthly", "quarterly")
                    for k in ("expected", "respondents", "reporting_rate")},
        "platforms": {r["type"]: {k: r[k] for k in ("total", "in_zone", "outside", "unknown",
                                                    "share")} for r in b["platforms"]},
        "lq": {f"{ind}/{r['zone']}/{r['section']}":
               {"lq": r["lq"], "confidential": r["confidential"]}
               for ind, rows in b["specialisation"].items() for r in rows},
        "top10_share": b["concentration"]["top10_share"],
    }  # fmt: skip


def differences(a, b, path="") -> list[str]:
    if isinstance(a, dict) and isinstance(b, dict):
        out = [f"{path}/{k}: only in one" for k in sorted(set(a) ^ set(b))]
        for k in sorted(set(a) & set(b)):
            out += differences(a[k], b[k], f"{path}/{k}")
        return out
    if isinstance(a, float) or isinstance(b, float):
        if a is None or b is None or not math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12):
            return [f"{path}: {a!r} != {b!r}"]
        return []
    return [] if a == b else [f"{path}: {a!r} != {b!r}"]


def masked(htz: dict, other: dict) -> dict:
    """``other`` with htz's withheld cells, growth rates and quotients taken as htz's: the
    references do not protect, so only what htz publishes is compared."""
    out = {**other, "cells": dict(other["cells"]), "lq": dict(other["lq"])}
    for key, cell in htz["cells"].items():
        if cell["confidential"] and key in out["cells"]:
            out["cells"][key] = cell
        elif key in out["cells"]:
            out["cells"][key] = {k: (None if k.startswith("growth") and cell[k] is None else v)
                                 for k, v in out["cells"][key].items()}  # fmt: skip
    for key, q in htz["lq"].items():
        if q["confidential"] and key in out["lq"]:
            out["lq"][key] = q
    out["top10_share"] = htz["top10_share"]  # over published zone values only
    return out


def count_numbers(x) -> int:
    if isinstance(x, dict):
        return sum(count_numbers(v) for v in x.values())
    return int(isinstance(x, (int, float)) and not isinstance(x, bool))


# ---------------------------------------------------------------- contender 1: htz


def run_htz(snap: snapshots.Snapshot, period: str, threads: int | None = None) -> dict:
    protection._MEMO.clear()  # every run protects its tables from scratch
    if threads is None:
        return compute(open_frame(snap, "duckdb"), period)
    return compute(Frame(snap, ibis.duckdb.connect(threads=threads)), period)


# ---------------------------------------------------------------- contender 2: DuckDB SQL


def run_sql(i: Inputs, threads: int | None = None) -> dict:
    con = duckdb.connect(config={} if threads is None else {"threads": threads})
    now = ", ".join(f"'{p}'" for p in i.now)
    live = """z.level = 'national' AND z.start <= DATE '{d}'
              AND (z."end" IS NULL OR z."end" > DATE '{d}')"""
    # enterprises in a national zone (grouping keys, whether the zone exists on each day)
    con.execute(f"""
        CREATE TEMP TABLE attrs AS
        SELECT e.uscc, e.zone_code, e.section, e.entered, e."left",
               'CN' AS national, coalesce(z.region, 'unassigned') AS region,
               coalesce(z.province_code, 'unassigned') AS province, e.zone_code AS zone,
               coalesce({live.format(d=i.day)}, false) AS live_now,
               coalesce({live.format(d=i.ly_day)}, false) AS live_ly
        FROM read_parquet('{i.reg["enterprises"]}') e
        JOIN read_parquet('{i.reg["zones"]}') z ON z.code = e.zone_code""")
    # one row per enterprise and indicator: this year's and last year's year-to-date value
    con.execute(f"""
        CREATE TEMP TABLE vals AS
        WITH obs AS (
            SELECT uscc, period, indicator, value, flag FROM read_parquet({i.monthly})
            WHERE indicator IN {MONTHLY}
            UNION ALL
            SELECT uscc, period, 'zone_gdp', value, flag FROM read_parquet({i.quarterly})
            WHERE indicator IN {GDP_PARTS})
        SELECT uscc, indicator,
               count(*) FILTER (period IN ({now})) > 0 AS has_now,
               sum(value) FILTER (period IN ({now})) AS v,
               sum(CASE WHEN flag = 'imputed' THEN value ELSE 0 END)
                   FILTER (period IN ({now})) AS imp,
               count(*) FILTER (period NOT IN ({now})) > 0 AS has_ly,
               sum(value) FILTER (period NOT IN ({now})) AS v_ly
        FROM obs GROUP BY uscc, indicator""")
    sets = """GROUPING SETS ((indicator, national), (indicator, region),
                             (indicator, province), (indicator, zone))"""
    level = """CASE WHEN grouping(national) = 0 THEN 'national' WHEN grouping(region) = 0
               THEN 'region' WHEN grouping(province) = 0 THEN 'province' ELSE 'zone' END"""
    withhold = """
        SELECT * REPLACE (
            CASE WHEN reason IS NULL AND count(reason) OVER (PARTITION BY {table}) = 1
                  AND row_number() OVER (PARTITION BY {table}
                                         ORDER BY reason IS NOT NULL, abs(value), {key}) = 1
                 THEN 'secondary' ELSE reason END AS reason)
        FROM (SELECT * REPLACE (CASE WHEN n_enterprises < {n} THEN 'threshold'
                                     WHEN top_share > {d} THEN 'dominance' END AS reason)
              FROM cells)"""
    cells = con.sql(f"""
        WITH j AS (SELECT * FROM vals JOIN attrs USING (uscc)),
        cur AS (
            SELECT indicator, {level} AS level, coalesce(national, region, province, zone) AS key,
                   sum(v) AS value, sum(imp) AS imputed_value, count(*) AS n_enterprises,
                   max(abs(v)) AS abs_max, sum(abs(v)) AS abs_sum,
                   sum(v) FILTER (has_ly) AS value_cmp, sum(v_ly) FILTER (has_ly) AS value_ly_cmp
            FROM j WHERE has_now AND live_now GROUP BY {sets}),
        ly AS (
            SELECT indicator, {level} AS level, coalesce(national, region, province, zone) AS key,
                   sum(v_ly) AS value_ly
            FROM j WHERE has_ly AND live_ly GROUP BY {sets}),
        cells AS (
            SELECT cur.*, CASE WHEN abs_sum > 0 THEN abs_max / abs_sum END AS top_share,
                   CASE WHEN value_ly <> 0 THEN value / value_ly - 1 END AS growth_current,
                   CASE WHEN value_ly_cmp <> 0 THEN value_cmp / value_ly_cmp - 1 END
                       AS growth_comparable,
                   NULL AS reason
            FROM cur LEFT JOIN ly USING (indicator, level, key))
        {withhold.format(key="key", n=N_MIN, d=DOMINANCE, table="level, indicator")}
    """).to_arrow_table().to_pylist()  # fmt: skip
    zones = con.sql(f"""
        SELECT count(*) FROM read_parquet('{i.reg["zones"]}') z
        WHERE {live.format(d=i.day)}""").fetchall()[0][0]
    owes = f"""a.live_now AND a.entered <= DATE '{i.day}'
               AND (a."left" IS NULL OR a."left" >= DATE '{i.day}')"""
    reporting = con.sql(" UNION ALL ".join(f"""
        SELECT '{form}' AS form, count(*) AS expected, count(r.uscc) AS respondents
        FROM attrs a LEFT JOIN (
            SELECT DISTINCT uscc FROM read_parquet('{i.current[form]}')
            WHERE period = '{code}' AND status IN ('accepted', 'approved')) r ON r.uscc = a.uscc
        WHERE {owes}""" for form, code in (("monthly", i.month), ("quarterly", i.quarter)))
    ).to_arrow_table().to_pylist()  # fmt: skip
    platforms = con.sql(f"""
        SELECT type, count(*) AS total,
               count(*) FILTER (z.code IS NOT NULL) AS in_zone,
               count(*) FILTER (z.code IS NULL AND zone_status IS DISTINCT FROM 'unknown')
                   AS outside,
               count(*) FILTER (z.code IS NULL AND zone_status = 'unknown') AS unknown,
               CASE WHEN in_zone + outside > 0 THEN in_zone / (in_zone + outside) END AS share
        FROM read_parquet('{i.reg["platforms"]}') p
        LEFT JOIN (SELECT code FROM read_parquet('{i.reg["zones"]}') z
                   WHERE {live.format(d=i.day)}) z ON z.code = p.zone_code
        WHERE p.approved IS NULL OR CAST(substr(p.approved, 1, 4) AS INTEGER) <= {i.day.year}
        GROUP BY type ORDER BY type""").to_arrow_table().to_pylist()  # fmt: skip
    lq = con.sql(f"""
        WITH zs AS (
            SELECT indicator, zone_code, section, sum(v) AS value, count(*) AS n_enterprises,
                   CASE WHEN sum(abs(v)) > 0 THEN max(abs(v)) / sum(abs(v)) END AS top_share
            FROM vals JOIN attrs USING (uscc)
            WHERE has_now AND live_now AND indicator IN {LQ_INDICATORS}
            GROUP BY ALL),
        cells AS (
            SELECT *, NULL AS reason,
                   sum(value) OVER (PARTITION BY indicator, zone_code) AS x_z,
                   sum(value) OVER (PARTITION BY indicator, section) AS x_s,
                   sum(value) OVER (PARTITION BY indicator) AS x
            FROM zs),
        w AS ({withhold.format(key="section", n=N_MIN, d=DOMINANCE, table="indicator, zone_code")})
        SELECT indicator, zone_code, section, reason,
               CASE WHEN x_z > 0 AND x_s > 0 THEN (value / x_z) / (x_s / x) END AS lq
        FROM w""").to_arrow_table().to_pylist()  # fmt: skip
    con.close()
    return assemble(cells, zones, reporting, platforms, lq)


# ---------------------------------------------------------------- contender 3: pandas


def withhold_pd(cells: pd.DataFrame, table: list[str], key: str) -> pd.DataFrame:
    primary = (cells.n_enterprises < N_MIN) | (cells.top_share > DOMINANCE)
    reason = np.where(cells.n_enterprises < N_MIN, "threshold",
                      np.where(cells.top_share > DOMINANCE, "dominance", None))  # fmt: skip
    cells = cells.assign(reason=reason, _p=primary.astype(int), _abs=cells.value.abs())
    withheld = cells.groupby(table)._p.transform("sum")
    first = cells.sort_values([*table, "_p", "_abs", key]).groupby(table).cumcount() == 0
    secondary = (withheld == 1) & ~primary & first.reindex(cells.index)
    cells.loc[secondary, "reason"] = "secondary"
    return cells.drop(columns=["_p", "_abs"])


def run_pandas(i: Inputs) -> dict:
    cols = ["uscc", "period", "status", "indicator", "value", "flag"]
    monthly = pd.concat([pd.read_parquet(f, columns=cols) for f in i.monthly])
    quarterly = pd.concat([pd.read_parquet(f, columns=cols) for f in i.quarterly])
    ents = pd.read_parquet(i.reg["enterprises"],
                           columns=["uscc", "zone_code", "section", "entered", "left"])  # fmt: skip
    ents = ents.assign(entered=pd.to_datetime(ents.entered), left=pd.to_datetime(ents.left))
    zones = pd.read_parquet(i.reg["zones"])
    platforms = pd.read_parquet(i.reg["platforms"])

    def live(day) -> pd.Series:
        d = pd.Timestamp(day)
        start, end = pd.to_datetime(zones.start), pd.to_datetime(zones.end)
        return (zones.level == "national") & (start <= d) & (end.isna() | (end > d))

    def attrs(day) -> pd.DataFrame:
        z = zones[live(day)].rename(columns={"code": "zone_code"})
        a = ents.merge(z[["zone_code", "province_code", "region"]], on="zone_code")
        return a.assign(
            national="CN",
            region=a.region.fillna("unassigned"),
            province=a.province_code.fillna("unassigned"),
            zone=a.zone_code,
        )

    now, ly = attrs(i.day), attrs(i.ly_day)
    obs = pd.concat([
        monthly[monthly.indicator.isin(MONTHLY)],
        quarterly[quarterly.indicator.isin(GDP_PARTS)].assign(indicator="zone_gdp"),
    ])  # fmt: skip
    obs = obs.assign(imp=obs.value.where(obs.flag == "imputed", 0.0), cur=obs.period.isin(i.now))
    vals = obs.groupby(["uscc", "indicator", "cur"], as_index=False).agg(
        v=("value", "sum"), imp=("imp", "sum")
    )
    cur, last = vals[vals.cur], vals[~vals.cur].rename(columns={"v": "v_ly"})
    j = cur.merge(last[["uscc", "indicator", "v_ly"]], on=["uscc", "indicator"], how="left")
    j = j.merge(now, on="uscc")
    j = j.assign(abs=j.v.abs(), v_cmp=j.v.where(j.v_ly.notna()))
    jl = last.merge(ly, on="uscc")
    parts = []
    for level, col in LEVELS.items():
        c = j.groupby(["indicator", col]).agg(
            value=("v", "sum"), imputed_value=("imp", "sum"), n_enterprises=("v", "size"),
            abs_max=("abs", "max"), abs_sum=("abs", "sum"), value_cmp=("v_cmp", "sum"),
            value_ly_cmp=("v_ly", "sum"), n_cmp=("v_ly", "count"))  # fmt: skip
        c = c.join(jl.groupby(["indicator", col]).v_ly.sum().rename("value_ly"))
        parts.append(c.reset_index().rename(columns={col: "key"}).assign(level=level))
    c = pd.concat(parts, ignore_index=True)
    c.loc[c.n_cmp == 0, ["value_cmp", "value_ly_cmp"]] = np.nan
    c = c.assign(
        top_share=(c.abs_max / c.abs_sum).where(c.abs_sum > 0),
        growth_current=(c.value / c.value_ly - 1).where(c.value_ly.notna() & (c.value_ly != 0)),
        growth_comparable=(c.value_cmp / c.value_ly_cmp - 1).where(c.value_ly_cmp != 0),
    )
    cells = withhold_pd(c, ["level", "indicator"], "key")

    day = pd.Timestamp(i.day)
    owe = now[(now.entered <= day) & (now.left.isna() | (now.left >= day))]
    reporting = []
    for form, code, df in (("monthly", i.month, monthly), ("quarterly", i.quarter, quarterly)):
        own = df[(df.period == code) & df.status.isin(["accepted", "approved"])].uscc.unique()
        reporting.append({"form": form, "expected": len(owe),
                          "respondents": int(owe.uscc.isin(own).sum())})  # fmt: skip

    year = pd.to_numeric(platforms.approved.str[:4])
    p = platforms[platforms.approved.isna() | (year <= i.day.year)]
    inside = p.zone_code.isin(zones[live(i.day)].code)
    p = p.assign(in_zone=inside, unknown=~inside & (p.zone_status == "unknown"))
    p = p.assign(outside=~p.in_zone & ~p.unknown)
    plat = p.groupby("type", as_index=False).agg(
        total=("type", "size"), in_zone=("in_zone", "sum"), outside=("outside", "sum"),
        unknown=("unknown", "sum"))  # fmt: skip
    known = plat.in_zone + plat.outside
    plat["share"] = (plat.in_zone / known).where(known > 0)

    t = cur[cur.indicator.isin(LQ_INDICATORS)].merge(now[["uscc", "zone_code", "section"]])
    t = t.assign(abs=t.v.abs())
    zs = t.groupby(["indicator", "zone_code", "section"], as_index=False).agg(
        value=("v", "sum"), n_enterprises=("v", "size"), abs_max=("abs", "max"),
        abs_sum=("abs", "sum"))  # fmt: skip
    x_z = zs.groupby(["indicator", "zone_code"]).value.transform("sum")
    x_s = zs.groupby(["indicator", "section"]).value.transform("sum")
    x = zs.groupby("indicator").value.transform("sum")
    zs = zs.assign(top_share=(zs.abs_max / zs.abs_sum).where(zs.abs_sum > 0),
                   lq=((zs.value / x_z) / (x_s / x)).where((x_z > 0) & (x_s > 0)))  # fmt: skip
    lq = withhold_pd(zs, ["indicator", "zone_code"], "section")
    return assemble(cells.to_dict("records"), live(i.day).sum(), reporting,
                    plat.to_dict("records"), lq.to_dict("records"))  # fmt: skip


# ---------------------------------------------------------------- timing and memory


def contenders(snap: snapshots.Snapshot, period: str, one_thread: bool = False) -> dict:
    inputs = Inputs(snap, period)
    runs = {"htz": lambda: run_htz(snap, period), "sql": lambda: run_sql(inputs),
            "pandas": lambda: run_pandas(inputs)}  # fmt: skip
    if one_thread:  # DuckDB on one core, as pandas runs: how much is parallelism?
        runs["htz_1t"] = lambda: run_htz(snap, period, threads=1)
        runs["sql_1t"] = lambda: run_sql(inputs, threads=1)
    return runs


def peak_kb() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0


def child(args) -> None:
    """One run of one contender (or none: 'imports'), then print the peak RSS seen."""
    snap = snapshots.load(args.root, args.snapshot)
    run = contenders(snap, args.period).get(args.child)
    before = peak_kb()
    if run is not None:
        run()
    print(json.dumps({"before_kb": before, "peak_kb": peak_kb()}))


def measure_memory(args, root: Path, snap_id: str) -> dict:
    """Peak RSS (VmHWM) of a fresh child per contender.

    Not ``ru_maxrss``: a forked child inherits the parent's high-water mark across exec,
    so it would report this (large) process's peak instead of its own.
    """
    out = {}
    for name in ("imports", "htz", "sql", "pandas"):
        cmd = [sys.executable, __file__, "--child", name, "--root", str(root),
               "--snapshot", snap_id, "--period", args.period]  # fmt: skip
        done = subprocess.run(cmd, stdout=subprocess.PIPE, text=True, check=True)
        out[name] = json.loads(done.stdout)
    return out


def machine() -> dict:
    from importlib import metadata

    cpu = next((line.split(":", 1)[1].strip() for line in
                Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), "?")  # fmt: skip
    names = ("htz", "duckdb", "ibis-framework", "pandas", "pyarrow", "numpy")
    packages = {n: metadata.version(n) for n in names}
    return {"cpu": cpu, "nproc": os.cpu_count(), "python": sys.version.split()[0],
            "load": os.getloadavg(), "packages": packages}  # fmt: skip


def snapshot_arguments(parser: argparse.ArgumentParser, runs: int) -> None:
    """The options that choose the snapshot (shared with benchmarks/disclosure.py)."""
    parser.add_argument("--runs", type=int, default=runs)
    parser.add_argument("--period", default="2023-Q3")
    parser.add_argument("--scale", default="national", choices=("tiny", "small", "national"))
    parser.add_argument("--seed", type=int, default=2023)
    parser.add_argument("--missing", default="imputed", choices=("imputed", "absent"))
    parser.add_argument("--work", type=Path, default=WORK)
    parser.add_argument("--data-dir", type=Path, help="use the newest snapshot of this demo")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    snapshot_arguments(parser, runs=5)
    parser.add_argument("--no-memory", action="store_true", help="skip the subprocess runs")
    parser.add_argument("--json", type=Path, help="write the raw results here")
    parser.add_argument(
        "--one-thread", action="store_true", help="also time htz and the SQL on one DuckDB thread"
    )
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--root", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--snapshot", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        return child(args)

    start = machine()
    print(f"{start['cpu']}, {start['nproc']} CPUs, Python {start['python']}, load {start['load']}")
    if args.data_dir:
        snap = newest_snapshot(args.data_dir)
        source = f"existing demo {args.data_dir}"
    else:
        snap = build_demo_snapshot(args.work, args.scale, args.seed, args.missing)
        source = f"generated ({args.scale}, seed {args.seed}, missing reports {args.missing})"
    print(f"snapshot {snap.id} at {snap.root} ({source})")
    runs = contenders(snap, args.period, args.one_thread)

    print("warm-up and check …", flush=True)
    results = {name: run() for name, run in runs.items()}
    reference = from_bulletin(results["htz"])
    failed = False
    for name in [n for n in runs if n != "htz"]:
        result = from_bulletin(results[name]) if name.startswith("htz") else results[name]
        diff = differences(reference, masked(reference, result))
        cells = len(reference["cells"])
        withheld = sum(c["confidential"] for c in reference["cells"].values())
        print(f"check {name} vs htz: {count_numbers(reference)} numbers ({cells} cells, "
              f"{withheld} withheld, {len(reference['lq'])} LQs): "
              + ("equal (rel 1e-9)" if not diff else f"{len(diff)} DIFFER"))  # fmt: skip
        for d in diff[:10]:
            print("   ", d)
        failed |= bool(diff)

    times: dict[str, list[float]] = {name: [] for name in runs}
    for k in range(args.runs):
        for name, run in runs.items():
            gc.collect()
            t0 = time.perf_counter()
            run()
            times[name].append(time.perf_counter() - t0)
        print(f"run {k + 1}: " + ", ".join(f"{n} {t[-1]:.2f} s" for n, t in times.items()),
              flush=True)  # fmt: skip
    median = {name: statistics.median(t) for name, t in times.items()}
    memory = {} if args.no_memory else measure_memory(args, snap.root, snap.id)
    end_load = os.getloadavg()

    print(f"\nbulletin {args.period}, snapshot {snap.id}, median of {args.runs} runs:")
    for name in runs:
        mem = memory.get(name, {})
        extra = (f", peak RSS {mem['peak_kb'] / 1024:.0f} MiB "
                 f"(+{(mem['peak_kb'] - mem['before_kb']) / 1024:.0f} MiB over its imports)"
                 if mem else "")  # fmt: skip
        print(f"  {name:7s} {median[name]:7.3f} s{extra}")
    if memory:
        print(f"  (a child that only imports: {memory['imports']['peak_kb'] / 1024:.0f} MiB)")
    ratio_sql, ratio_pandas = median["htz"] / median["sql"], median["pandas"] / median["htz"]
    print(
        f"htz / DuckDB SQL = {ratio_sql:.2f}x (target <= {TARGET_SQL}x: "
        f"{'met' if ratio_sql <= TARGET_SQL else 'NOT met'})"
    )
    print(
        f"pandas / htz     = {ratio_pandas:.2f}x (target >= {TARGET_PANDAS}x: "
        f"{'met' if ratio_pandas >= TARGET_PANDAS else 'NOT met'})"
    )
    if args.one_thread:
        print(f"on one DuckDB thread: htz {median['htz_1t']:.3f} s, SQL {median['sql_1t']:.3f} s; "
              f"pandas / htz = {median['pandas'] / median['htz_1t']:.2f}x, "
              f"pandas / SQL = {median['pandas'] / median['sql_1t']:.2f}x, "
              f"htz / SQL = {median['htz_1t'] / median['sql_1t']:.2f}x")  # fmt: skip
    print(f"load average at start {start['load']}, at end {end_load}")
    if args.json:
        args.json.write_text(json.dumps({
            "machine": start, "end_load": end_load, "snapshot": snap.id, "source": source,
            "period": args.period, "runs": args.runs, "times": times, "median": median,
            "memory": memory, "ratio_htz_sql": ratio_sql, "ratio_pandas_htz": ratio_pandas,
            "equal": not failed}, indent=1))  # fmt: skip
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
