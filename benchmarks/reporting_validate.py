"""Parse + validate a wide monthly report file: htz against frictionless, pandas and DuckDB.

One process run times every contender ``--runs`` times (interleaved, so a noisy neighbour
hurts all alike) on the same file and prints medians and ratios:

htz
    ``read_upload`` + ``check_upload(default_rules(), …, history, form="monthly")``: the
    call path of ``htz import`` (``htz.reporting.service.import_reports``) for parse and
    validate. History (the 2022 reports ``last_year`` reads) comes from Parquet here, from
    the store in ``htz import``.
frictionless
    frictionless-py validating the file against an equivalent Table Schema (types,
    required, ``minimum``, ``pattern``, primary key ``uscc`` + ``period``): its built-in
    checks only. It cannot express the check character of a USCC nor any rule that
    compares columns or rows (see ``FRICTIONLESS_COVERAGE``). A second, supplementary
    measurement adds its ``row_constraint`` check for the three same-row comparisons.
pandas
    The same checks written the way people write them first: ``itertuples`` over the
    rows, ``float()`` per cell, dicts for the ``prev`` / ``last_year`` lookups.
duckdb
    ``read_csv`` + the same checks as hand-written SQL (self-joins for ``prev`` and
    ``last_year``): the near-limit reference.

htz, pandas and DuckDB must find exactly the same problems (file row, check): the script
prints the counts per check side by side and fails if the sets differ.

    python benchmarks/reporting_validate.py                 # 1,000,000 rows, 3 runs
    python benchmarks/reporting_validate.py --rows 100000 --runs 1   # a quick run
"""

from __future__ import annotations

import argparse
import gc
import json
import math
import os
import platform
import re
import statistics
import sys
import time
from collections import Counter
from importlib import metadata
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

sys.path.insert(0, str(Path(__file__).resolve().parent))

import generate

from htz.catalog import load_catalog
from htz.registry.uscc import ALPHABET, WEIGHTS
from htz.reporting.imports import read_upload
from htz.reporting.rules import check_upload, default_rules

FORM = "monthly"
INDICATORS = [
    "operating_revenue",
    "industrial_output",
    "exports",
    "net_profit",
    "taxes_paid",
    "rd_expenditure",
    "employees",
]
MINIMUM_ZERO = [  # indicators.yaml: min 0 (read_upload's below-minimum)
    "operating_revenue",
    "industrial_output",
    "exports",
    "taxes_paid",
    "rd_expenditure",
    "employees",
]
# the default rules of the monthly form (src/htz/catalog/rules/default.yaml), by hand
NEGATIVE = ["employees", "operating_revenue", "industrial_output", "exports", "rd_expenditure",
            "wages", "depreciation"]  # fmt: skip
YTD = ["operating_revenue", "industrial_output", "exports", "taxes_paid", "rd_expenditure",
       "wages", "depreciation"]  # fmt: skip
COST = ["wages", "depreciation", "production_taxes"]
YOY = ["operating_revenue", "industrial_output", "employees", "wages"]
FOR_EACH = {"negative-value", "ytd-decreased", "cost-exceeds-revenue", "yoy-jump"}
USCC_SHAPE = "[0-9A-HJ-NPQRTUWXY]{2}[0-9]{6}[0-9A-HJ-NPQRTUWXY]{10}"
MONTH = "[0-9]{4}-M(0[1-9]|1[0-2])"

FRICTIONLESS_COVERAGE = {
    # htz check → how frictionless (Table Schema, built-in checks) covers it
    "not-a-number": "yes: type-error (field type number / integer)",
    "below-minimum": "yes: constraint-error (constraints.minimum = 0)",
    "invalid-uscc": "shape only: constraints.pattern; the GB 32100 check character is not "
    "expressible, so a mistyped code with a wrong check character passes",
    "invalid-period": "yes: constraints.pattern (canonical codes only)",
    "duplicate-report": "yes: primary-key error (primaryKey uscc + period)",
    "negative-value": "yes: constraints.minimum (the same cells as below-minimum)",
    "ytd-decreased": "no: compares a row with the previous month's row (cross-row)",
    "yoy-jump": "no: compares with the same month of the previous year (another file / the store)",
    "exports-exceed-revenue": "no in Table Schema (cross-column); the row_constraint check "
    "(a Python expression per row) can express it",
    "rd-exceeds-revenue": "no in Table Schema (cross-column); row_constraint can express it",
    "revenue-without-employees": "no in Table Schema (cross-column); row_constraint can",
    "cost-exceeds-revenue": "no in Table Schema (cross-column); row_constraint can "
    "(not on the monthly form's columns anyway)",
}


# -- htz ----------------------------------------------------------------------------------------


def run_htz(files: dict) -> dict:
    catalog = load_catalog()
    started = time.perf_counter()
    upload = read_upload(files["upload"], FORM, catalog)
    parsed = time.perf_counter()
    history = pq.read_table(files["history"])
    present = [c for c in catalog.form(FORM).indicators if c in upload.table.column_names]
    checked = upload.table.select(["uscc", "period", *present])
    violations = check_upload(default_rules(), checked, history, form=FORM)
    done = time.perf_counter()
    return {
        "seconds": done - started,
        "parse_seconds": parsed - started,
        "validate_seconds": done - parsed,
        "output": (upload, violations),
    }


def htz_problems(output) -> set[tuple[int, str]]:
    upload, violations = output
    found = set()
    for issue in upload.issues:
        suffix = f"[{issue.column}]" if issue.code in ("not-a-number", "below-minimum") else ""
        found.add((issue.row, issue.code + suffix))
    rows = upload.table.column("row").to_pylist()
    for rule, indicator, row in zip(
        violations["rule"].to_pylist(),
        violations["indicator"].to_pylist(),
        violations["row"].to_pylist(),
        strict=True,
    ):
        key = f"{rule}[{indicator}]" if rule in FOR_EACH else rule
        found.add((rows[row], key))
    return found


# -- pandas, row by row -------------------------------------------------------------------------

_ALPHABET_VALUE = {c: i for i, c in enumerate(ALPHABET)}
_USCC_RE = re.compile(USCC_SHAPE)
_MONTH_RE = re.compile(MONTH)


def _uscc_ok(code: str) -> bool:
    if not _USCC_RE.fullmatch(code):
        return False
    total = sum(_ALPHABET_VALUE[c] * w for c, w in zip(code, WEIGHTS, strict=False))
    return ALPHABET[(31 - total % 31) % 31] == code[17]


def run_pandas(files: dict) -> dict:
    started = time.perf_counter()
    df = pd.read_csv(files["upload"], dtype=str, keep_default_na=False)
    history = pd.read_parquet(files["history"])
    problems: list[tuple[int, str]] = []
    good: list[tuple[int, str, str, dict]] = []
    seen: dict[tuple[str, str], int] = {}
    for i, r in enumerate(df.itertuples(index=False)):
        row = i + 2
        bad = False
        uscc = r.uscc.strip().upper()
        period = r.period.strip()
        uscc_ok = _uscc_ok(uscc)
        if not uscc_ok:
            problems.append((row, "invalid-uscc"))
            bad = True
        period_ok = _MONTH_RE.fullmatch(period) is not None
        if not period_ok:
            problems.append((row, "invalid-period"))
            bad = True
        values = {}
        for name in INDICATORS:
            text = getattr(r, name).strip()
            if text == "":
                values[name] = None
                continue
            try:
                x = float(text)
            except ValueError:
                x = math.nan
            if not math.isfinite(x):
                problems.append((row, f"not-a-number[{name}]"))
                values[name] = None
                bad = True
                continue
            if name in MINIMUM_ZERO and x < 0:
                problems.append((row, f"below-minimum[{name}]"))
                bad = True
            values[name] = x
        if uscc_ok and period_ok:
            if (uscc, period) in seen:
                problems.append((row, "duplicate-report"))
                bad = True
            else:
                seen[(uscc, period)] = row
        if not bad:
            good.append((row, uscc, period, values))

    reports = {(uscc, period): values for _, uscc, period, values in good}
    for h in history.itertuples(index=False):
        key = (h.uscc, h.period)
        if key not in reports:
            reports[key] = {
                name: (None if pd.isna(getattr(h, name)) else getattr(h, name))
                for name in INDICATORS
            }
    empty: dict = {}
    for row, uscc, period, v in good:
        year, month = int(period[:4]), int(period[6:])
        prev = reports.get((uscc, f"{year}-M{month - 1:02d}"), empty) if month > 1 else empty
        last = reports.get((uscc, f"{year - 1}-M{month:02d}"), empty)
        for x in NEGATIVE:
            value = v.get(x)
            if value is not None and value < 0:
                problems.append((row, f"negative-value[{x}]"))
        for x in YTD:
            value, before = v.get(x), prev.get(x)
            if value is not None and before is not None and value < before:
                problems.append((row, f"ytd-decreased[{x}]"))
        revenue = v.get("operating_revenue")
        exports = v.get("exports")
        if exports is not None and revenue is not None and exports > revenue:
            problems.append((row, "exports-exceed-revenue"))
        for x in COST:
            value = v.get(x)
            if value is not None and revenue is not None and value > revenue:
                problems.append((row, f"cost-exceeds-revenue[{x}]"))
        rd = v.get("rd_expenditure")
        if rd is not None and revenue is not None and rd > revenue:
            problems.append((row, "rd-exceeds-revenue"))
        employees = v.get("employees")
        if revenue is not None and revenue > 0 and employees is not None and employees <= 0:
            problems.append((row, "revenue-without-employees"))
        for x in YOY:
            value, before = v.get(x), last.get(x)
            if (
                before is not None
                and before > 0
                and value is not None
                and not 0.5 <= value / before <= 2
            ):
                problems.append((row, f"yoy-jump[{x}]"))
    return {"seconds": time.perf_counter() - started, "output": problems}


# -- DuckDB, hand-written SQL -------------------------------------------------------------------


def _check_character_sql(col: str) -> str:
    total = " + ".join(
        f"(instr('{ALPHABET}', substr({col}, {i + 1}, 1)) - 1) * {w}" for i, w in enumerate(WEIGHTS)
    )
    return f"substr('{ALPHABET}', ((31 - (({total}) % 31)) % 31) + 1, 1) = substr({col}, 18, 1)"


def duckdb_sql(upload: Path, history: Path) -> list[str]:
    """The statements, in order; the last one returns (row, problem) for every problem."""
    ind = INDICATORS
    cols = ", ".join(ind)
    cells = ", ".join(
        f"TRY_CAST(trim({x}) AS DOUBLE) AS {x}, "
        f"(coalesce(trim({x}), '') <> '' AND NOT coalesce(isfinite(TRY_CAST(trim({x}) AS DOUBLE)), "
        f"false)) AS {x}_nan"
        for x in ind
    )
    low = ", ".join(f"coalesce({x} < 0, false) AS {x}_low" for x in MINIMUM_ZERO)
    bad_cells = " OR ".join([f"{x}_nan" for x in ind] + [f"{x}_low" for x in MINIMUM_ZERO])
    issues = [
        "SELECT row, 'invalid-uscc' AS problem FROM checked WHERE NOT uscc_ok",
        "SELECT row, 'invalid-period' FROM checked WHERE NOT period_ok",
        "SELECT row, 'duplicate-report' FROM checked c JOIN dups d USING (uscc, period) "
        "WHERE c.row > d.first",
        *(f"SELECT row, 'not-a-number[{x}]' FROM checked WHERE {x}_nan" for x in ind),
        *(f"SELECT row, 'below-minimum[{x}]' FROM checked WHERE {x}_low" for x in MINIMUM_ZERO),
    ]
    # the rules; a rule on a column the monthly form does not have is never evaluated
    rules = [
        *(f"SELECT row, 'negative-value[{x}]' FROM j WHERE {x} < 0" for x in NEGATIVE if x in ind),
        *(f"SELECT row, 'ytd-decreased[{x}]' FROM j WHERE {x} < prev_{x}" for x in YTD if x in ind),
        "SELECT row, 'exports-exceed-revenue' FROM j WHERE exports > operating_revenue",
        *(
            f"SELECT row, 'cost-exceeds-revenue[{x}]' FROM j WHERE {x} > operating_revenue"
            for x in COST
            if x in ind
        ),
        "SELECT row, 'rd-exceeds-revenue' FROM j WHERE rd_expenditure > operating_revenue",
        "SELECT row, 'revenue-without-employees' FROM j "
        "WHERE operating_revenue > 0 AND employees <= 0",
        *(
            f"SELECT row, 'yoy-jump[{x}]' FROM j WHERE last_{x} > 0 "
            f"AND NOT ({x} / last_{x} BETWEEN 0.5 AND 2)"
            for x in YOY
            if x in ind
        ),
    ]
    lookups = ", ".join(
        [f"p.{x} AS prev_{x}" for x in YTD if x in ind]
        + [f"l.{x} AS last_{x}" for x in YOY if x in ind]
    )
    year_month = "CAST(period[1:4] AS INTEGER) AS year, CAST(period[7:8] AS INTEGER) AS month"
    return [
        # cells → numbers; the table's rowid keeps the file order (row = rowid + 2)
        f"CREATE TABLE parsed AS SELECT upper(coalesce(trim(uscc), '')) AS uscc, "
        f"coalesce(trim(period), '') AS period, {cells} FROM read_csv('{upload}', "
        "header = true, all_varchar = true, delim = ',')",
        # the check character once per distinct code
        "CREATE TABLE codes AS SELECT uscc, "
        f"regexp_full_match(uscc, '{USCC_SHAPE}') AND {_check_character_sql('uscc')} AS ok "
        "FROM (SELECT DISTINCT uscc FROM parsed)",
        f"CREATE TABLE checked AS SELECT p.rowid + 2 AS row, p.*, c.ok AS uscc_ok, "
        f"regexp_full_match(p.period, '{MONTH}') AS period_ok, {low} "
        "FROM parsed p JOIN codes c USING (uscc)",
        "CREATE TABLE dups AS SELECT uscc, period, min(row) AS first FROM checked "
        "WHERE uscc_ok AND period_ok GROUP BY ALL HAVING count(*) > 1",
        f"CREATE TABLE u AS SELECT row, uscc, {year_month}, {cols} FROM checked c "
        f"WHERE uscc_ok AND period_ok AND NOT ({bad_cells}) AND NOT EXISTS "
        "(SELECT 1 FROM dups d WHERE d.uscc = c.uscc AND d.period = c.period AND c.row > d.first)",
        f"CREATE TABLE lk AS SELECT uscc, year, month, {cols} FROM u UNION ALL "
        f"SELECT * FROM (SELECT uscc, {year_month}, {cols} FROM read_parquet('{history}')) h "
        "ANTI JOIN u ON h.uscc = u.uscc AND h.year = u.year AND h.month = u.month",
        f"CREATE TABLE j AS SELECT u.*, {lookups} FROM u "
        "LEFT JOIN lk p ON p.uscc = u.uscc AND p.year = u.year AND p.month = u.month - 1 "
        "LEFT JOIN lk l ON l.uscc = u.uscc AND l.year = u.year - 1 AND l.month = u.month",
        f"SELECT row, problem FROM ({' UNION ALL '.join(issues + rules)})",
    ]


def run_duckdb(files: dict) -> dict:
    started = time.perf_counter()
    con = duckdb.connect()
    try:
        *steps, final = duckdb_sql(files["upload"], files["history"])
        for sql in steps:
            con.execute(sql)
        problems = con.sql(final).to_arrow_table()
    finally:
        con.close()
    return {"seconds": time.perf_counter() - started, "output": problems}


# -- frictionless ---------------------------------------------------------------------------


def frictionless_schema() -> dict:
    fields = [
        {"name": "uscc", "type": "string",
         "constraints": {"required": True, "pattern": USCC_SHAPE}},
        {"name": "period", "type": "string", "constraints": {"required": True, "pattern": MONTH}},
    ]  # fmt: skip
    for x in INDICATORS:
        kind = "integer" if x == "employees" else "number"
        field = {"name": x, "type": kind}
        if x in MINIMUM_ZERO:
            field["constraints"] = {"minimum": 0}
        fields.append(field)
    return {"fields": fields, "primaryKey": ["uscc", "period"], "missingValues": [""]}


ROW_CONSTRAINTS = [  # the three same-row rules, guarded for missing values as htz treats them
    "exports == None or operating_revenue == None or exports <= operating_revenue",
    "rd_expenditure == None or operating_revenue == None or rd_expenditure <= operating_revenue",
    "operating_revenue == None or employees == None or not operating_revenue > 0 or employees > 0",
]


def run_frictionless(path: Path, row_constraints: bool = False) -> dict:
    from frictionless import Checklist, Resource, Schema, checks

    started = time.perf_counter()
    resource = Resource(
        path=path.name,
        basepath=str(path.parent),
        schema=Schema.from_descriptor(frictionless_schema()),
    )
    checklist = None
    if row_constraints:
        checklist = Checklist(checks=[checks.row_constraint(formula=f) for f in ROW_CONSTRAINTS])
    report = resource.validate(checklist, limit_errors=10**9)
    seconds = time.perf_counter() - started
    task = report.tasks[0]
    kinds = Counter(
        f"{e.type}[{getattr(e, 'field_name', '') or getattr(e, 'note', '')}]"
        if e.type == "constraint-error"
        else e.type
        for e in task.errors
    )
    return {"seconds": seconds, "rows": task.stats["rows"], "errors": dict(kinds)}


def head_file(path: Path, rows: int) -> Path:
    """The header and first ``rows`` data rows of ``path`` (for a frictionless subset)."""
    out = path.with_name(f"{path.stem}-head{rows}{path.suffix}")
    if not out.is_file():
        with path.open("rb") as src, out.open("wb") as dst:
            for n, line in enumerate(src):
                if n > rows:
                    break
                dst.write(line)
    return out


# -- the run ------------------------------------------------------------------------------------


def machine() -> dict:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    packages = ["htz", "pyarrow", "duckdb", "pandas", "numpy", "frictionless", "sqlalchemy"]
    versions = {}
    for name in packages:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = None
    return {
        "cpu": cpu,
        "nproc": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "packages": versions,
    }


def load_average() -> list[str]:
    path = Path("/proc/loadavg")
    return path.read_text().split()[:3] if path.exists() else []


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=generate.DEFAULT_ROWS)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--data", type=Path, default=generate.DEFAULT_OUT)
    parser.add_argument("--seed", type=int, default=generate.DEFAULT_SEED)
    parser.add_argument(
        "--frictionless-rows",
        type=int,
        default=0,
        help="validate only the first N rows with frictionless and scale linearly (0: all)",
    )
    parser.add_argument(
        "--row-constraint-rows",
        type=int,
        default=100_000,
        help="rows for the supplementary frictionless + row_constraint run (0: skip)",
    )
    parser.add_argument("--json", type=Path, help="raw timings (default: next to the data)")
    args = parser.parse_args()

    files = generate.ensure(args.data, args.rows, args.seed)
    manifest = json.loads(files["manifest"].read_text())
    n = manifest["upload_rows"]
    print(f"data: {files['upload']} ({n:,} rows, {manifest['upload_bytes'] / 1e6:.0f} MB), "
          f"history {manifest['history_rows']:,} rows; {args.runs} runs")  # fmt: skip
    f_path = files["upload"]
    f_scale = 1.0
    if args.frictionless_rows and args.frictionless_rows < n:
        f_path = head_file(files["upload"], args.frictionless_rows)
        f_scale = n / args.frictionless_rows
    rc_rows = min(args.row_constraint_rows, n)
    rc_path = head_file(files["upload"], rc_rows) if rc_rows else None

    timings: dict[str, list[float]] = {
        k: [] for k in ("htz", "htz_parse", "htz_validate", "frictionless", "pandas", "duckdb")
    }
    if rc_path:
        timings["frictionless_row_constraint"] = []
    found: dict[str, set] = {}
    frictionless_errors: dict = {}
    for run in range(args.runs):
        for name in ("htz", "duckdb", "pandas", "frictionless"):
            gc.collect()
            if name == "htz":
                result = run_htz(files)
                timings["htz_parse"].append(result["parse_seconds"])
                timings["htz_validate"].append(result["validate_seconds"])
                if run == 0:
                    found["htz"] = htz_problems(result["output"])
            elif name == "pandas":
                result = run_pandas(files)
                if run == 0:
                    found["pandas"] = set(result["output"])
            elif name == "duckdb":
                result = run_duckdb(files)
                if run == 0:
                    table: pa.Table = result["output"]
                    found["duckdb"] = set(
                        zip(table["row"].to_pylist(), table["problem"].to_pylist(), strict=True)
                    )
            else:
                result = run_frictionless(f_path)
                result["seconds"] *= f_scale
                frictionless_errors = result["errors"]
            timings[name].append(result["seconds"])
            print(f"  run {run + 1} {name:<13} {result['seconds']:8.2f} s", flush=True)
        if rc_path:
            gc.collect()
            result = run_frictionless(rc_path, row_constraints=True)
            per_row = result["seconds"] / rc_rows
            timings["frictionless_row_constraint"].append(per_row * n)
            print(f"  run {run + 1} frictionless+row_constraint on {rc_rows:,} rows "
                  f"{result['seconds']:8.2f} s", flush=True)  # fmt: skip

    medians = {k: statistics.median(v) for k, v in timings.items() if v}
    htz = medians["htz"]
    ratios = {
        "frictionless/htz": medians["frictionless"] / htz,
        "htz/duckdb": htz / medians["duckdb"],
        "pandas/htz": medians["pandas"] / htz,
    }
    if "frictionless_row_constraint" in medians:
        ratios["frictionless_row_constraint/htz"] = medians["frictionless_row_constraint"] / htz

    print(f"\nmedians of {args.runs} runs, {n:,} rows (seconds; rows per second)")
    for k, v in medians.items():
        note = ""
        if k == "frictionless" and f_scale != 1:
            note = f"  (first {args.frictionless_rows:,} rows, scaled ×{f_scale:.2f})"
        if k == "frictionless_row_constraint":
            note = f"  (first {rc_rows:,} rows, scaled ×{n / rc_rows:.2f})"
        print(f"  {k:<28} {v:8.2f} s  {n / v:>12,.0f} rows/s{note}")
    print("ratios")
    for k, v in ratios.items():
        print(f"  {k:<32} {v:6.2f}")
    targets = {
        "htz >= 10x faster than frictionless": ratios["frictionless/htz"] >= 10,
        "htz within 3x of raw DuckDB": ratios["htz/duckdb"] <= 3,
    }
    for k, ok in targets.items():
        print(f"  target {k}: {'met' if ok else 'NOT met'}")

    counts = {name: Counter(check for _, check in problems) for name, problems in found.items()}
    keys = sorted(set().union(*counts.values()))
    print(f"\nproblems found (file row × check); identical sets: "
          f"{found['htz'] == found['pandas'] == found['duckdb']}")  # fmt: skip
    print(f"  {'check':<36} {'htz':>8} {'pandas':>8} {'duckdb':>8}")
    for key in keys:
        print(f"  {key:<36} " + " ".join(f"{counts[c][key]:>8}" for c in counts))
    print("frictionless errors (last run): "
          + ", ".join(f"{k} {v}" for k, v in sorted(frictionless_errors.items())))  # fmt: skip

    out = args.json or files["dir"] / "validate-results.json"
    out.write_text(
        json.dumps(
            {
                "command": " ".join([Path(sys.executable).name, *sys.argv]),
                "machine": machine(),
                "data": manifest,
                "runs": args.runs,
                "frictionless_rows": args.frictionless_rows or n,
                "row_constraint_rows": rc_rows,
                "timings": timings,
                "medians": medians,
                "ratios": ratios,
                "targets": targets,
                "same_problems": found["htz"] == found["pandas"] == found["duckdb"],
                "counts": {k: dict(v) for k, v in counts.items()},
                "frictionless_errors": frictionless_errors,
                "frictionless_coverage": FRICTIONLESS_COVERAGE,
                "load_average_at_end": load_average(),
            },
            indent=2,
        )
        + "\n"
    )
    print(f"raw timings: {out}")
    if not found["htz"] == found["pandas"] == found["duckdb"]:
        for a, b in (("htz", "pandas"), ("htz", "duckdb")):
            diff = sorted(found[a] ^ found[b])[:10]
            if diff:
                print(f"  {a} vs {b} differ, e.g. {diff}")
        sys.exit(1)


if __name__ == "__main__":
    main()
