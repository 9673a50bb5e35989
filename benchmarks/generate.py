"""Generate a realistic wide monthly report file (and its 2022 history) for the benchmarks.

Deterministic (seeded): the same ``--rows`` and ``--seed`` always give the same bytes.

Writes, under ``OUT/<rows>/`` (default ``/tmp/htz-bench/1000000/``; never into the repo):

``monthly-2023.csv``
    One row per enterprise and month of 2023 (``2023-M01`` … ``2023-M12``), the monthly
    form's columns ``uscc, period, operating_revenue, industrial_output, exports,
    net_profit, taxes_paid, rd_expenditure, employees``. Flows are year-to-date in yuan
    (two decimals), employees at the end of the month. ``rows / 12`` enterprises.
``history-2022.parquet`` and ``history-2022.csv``
    The same enterprises' 2022 reports (92% of them: the rest entered in 2023), as the
    store would hand them to the rules (``last_year`` looks them up).
``manifest.json``
    The seed, sizes and how many faults of each kind were injected.

Realistic imperfections: blank cells (non-exporters, non-industrial enterprises), late
reports (missing months), natural warnings (start-ups spending more on R&D than they
sell, big year-on-year swings), and about 1% injected faults: year-to-date decreases,
exports above revenue, revenue without employees, negative values, plus a handful of
bad USCC check characters, non-numbers and duplicated rows.

    python benchmarks/generate.py --rows 1000000 --out /tmp/htz-bench
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pcsv
import pyarrow.parquet as pq

from htz.registry.uscc import ALPHABET, check_character

DEFAULT_OUT = Path("/tmp/htz-bench")
DEFAULT_ROWS = 1_000_000
DEFAULT_SEED = 20231130
MONTHS = 12
FLOWS = ["operating_revenue", "industrial_output", "exports", "taxes_paid", "rd_expenditure"]
COLUMNS = ["uscc", "period", *FLOWS[:3], "net_profit", *FLOWS[3:], "employees"]
INDICATORS = COLUMNS[2:]
# administrative divisions of some cities with big national high-tech zones
DIVISIONS = [
    "110108", "310115", "440305", "440106", "320505", "330108", "420111", "510107",
    "610131", "370102", "210211", "350206", "430104", "500112", "120116", "340104",
    "410105", "360106", "450107", "520115", "130104", "140105", "220104", "230109",
]  # fmt: skip
# injected faults, as shares of the 2023 rows
FAULTS = {
    "ytd-decrease": 0.003,
    "exports-above-revenue": 0.002,
    "revenue-without-employees": 0.002,
    "negative": 0.002,
    "bad-uscc": 0.0001,
    "not-a-number": 0.0001,
    "duplicate": 0.0001,
}
LATE = 0.003  # share of rows missing (reports not filed)


def paths(out: Path, rows: int) -> dict[str, Path]:
    base = Path(out) / str(rows)
    return {
        "dir": base,
        "upload": base / "monthly-2023.csv",
        "history": base / "history-2022.parquet",
        "history_csv": base / "history-2022.csv",
        "manifest": base / "manifest.json",
    }


def ensure(out: Path, rows: int, seed: int = DEFAULT_SEED) -> dict[str, Path]:
    """The files for ``rows`` rows, generated unless already there (same seed)."""
    where = paths(out, rows)
    if where["manifest"].is_file():
        manifest = json.loads(where["manifest"].read_text())
        if manifest.get("seed") == seed and all(p.is_file() for p in where.values()):
            return where
    generate(out, rows, seed)
    return where


def _usccs(rng: np.random.Generator, n: int) -> list[str]:
    org_alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    divisions = rng.choice(DIVISIONS, n)
    org = rng.integers(0, len(org_alphabet), size=(n, 9))
    seen: set[str] = set()
    codes = []
    for i in range(n):
        body = "91" + divisions[i] + "".join(org_alphabet[k] for k in org[i])
        while body in seen:  # vanishingly rare; stay deterministic
            body = body[:-1] + org_alphabet[(org_alphabet.index(body[-1]) + 1) % 31]
        seen.add(body)
        codes.append(body + check_character(body))
    return codes


def _year(rng: np.random.Generator, annual: np.ndarray, profile: dict) -> dict[str, np.ndarray]:
    """Year-to-date flows (enterprises × 12, yuan) and month-end employees for one year."""
    n = len(annual)
    season = np.array([0.070, 0.060, 0.082, 0.082, 0.083, 0.087,
                       0.083, 0.084, 0.086, 0.085, 0.088, 0.110])  # fmt: skip
    weights = season * rng.lognormal(0.0, 0.15, size=(n, MONTHS))
    weights /= weights.sum(axis=1, keepdims=True)
    revenue = annual[:, None] * weights  # monthly flows
    flows = {
        "operating_revenue": revenue,
        "industrial_output": revenue
        * profile["output_ratio"][:, None]
        * rng.lognormal(0.0, 0.05, size=(n, MONTHS)),
        "exports": revenue * profile["export_share"][:, None],
        "taxes_paid": revenue * rng.uniform(0.02, 0.06, size=(n, 1)),
        "rd_expenditure": revenue * profile["rd_share"][:, None]
        + profile["rd_fixed"][:, None] / MONTHS,
    }
    out = {k: np.cumsum(np.round(v, 2), axis=1) for k, v in flows.items()}
    margin = rng.normal(0.07, 0.10, size=(n, MONTHS))
    out["net_profit"] = np.cumsum(np.round(revenue * margin, 2), axis=1)
    drift = np.cumprod(rng.normal(1.0, 0.01, size=(n, MONTHS)), axis=1)
    out["employees"] = np.maximum(1, np.round(profile["employees"][:, None] * drift))
    return out


def _money(values: np.ndarray) -> pa.Array:
    """Amounts as text with two decimals (``1234.50``), without float formatting noise."""
    fen = np.round(values * 100).astype(np.int64)
    sign = pa.array(np.where(fen < 0, "-", ""))
    fen = np.abs(fen)
    whole = pc.cast(pa.array(fen // 100), pa.string())
    cents = pc.utf8_lpad(pc.cast(pa.array(fen % 100), pa.string()), 2, "0")
    return pc.binary_join_element_wise(sign, whole, ".", cents, "")


def _wide(usccs, periods, values: dict[str, np.ndarray], blank: dict[str, np.ndarray]) -> dict:
    columns = {"uscc": pa.array(usccs, pa.string()), "period": pa.array(periods, pa.string())}
    for name in INDICATORS:
        v = values[name]
        text = (
            pc.cast(pa.array(v.astype(np.int64)), pa.string()) if name == "employees" else _money(v)
        )
        columns[name] = pc.if_else(pa.array(blank[name]), "", text)
    return columns


def _write_csv(table: pa.Table, path: Path) -> None:
    """Plain CSV as people's tools write it: no quotes (no cell needs them)."""
    with path.open("wb") as file:
        file.write((",".join(table.column_names) + "\n").encode())
        options = pcsv.WriteOptions(include_header=False, quoting_style="none")
        pcsv.write_csv(table, file, write_options=options)


def generate(out: Path, rows: int = DEFAULT_ROWS, seed: int = DEFAULT_SEED) -> dict:
    started = time.perf_counter()
    where = paths(out, rows)
    where["dir"].mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    n = -(-rows // MONTHS)
    usccs = np.array(_usccs(rng, n))
    annual = rng.lognormal(np.log(3e7), 1.6, size=n)  # 2023 revenue, yuan
    startup = rng.random(n) < 0.004  # pre-revenue start-ups: R&D above revenue
    annual[startup] = rng.uniform(5e4, 5e5, size=startup.sum())
    industrial = rng.random(n) < 0.55
    exporter = rng.random(n) < 0.30
    export_blank = ~exporter & (rng.random(n) < 0.5)  # others write 0 or leave it blank
    rd_performer = rng.random(n) < 0.85
    profile = {
        "output_ratio": np.where(industrial, rng.uniform(0.85, 1.1, n), 0.0),
        "export_share": np.where(exporter, rng.uniform(0.05, 0.6, n), 0.0),
        "rd_share": np.where(rd_performer, rng.uniform(0.02, 0.10, n), 0.0),
        "rd_fixed": np.where(startup, rng.uniform(1e6, 5e6, n), 0.0),
        "employees": np.maximum(1, np.round(rng.lognormal(np.log(80), 1.2, n))),
    }
    y2023 = _year(rng, annual, profile)
    growth = rng.lognormal(np.log(1.07), 0.12, size=n)
    old = dict(profile, employees=np.maximum(1, np.round(profile["employees"] / growth**0.5)))
    y2022 = _year(rng, annual / growth, old)

    def cells(year: dict, keep: np.ndarray) -> dict[str, np.ndarray]:
        return {k: v.reshape(-1)[keep] for k, v in year.items()}

    def blanks(ent: np.ndarray) -> dict[str, np.ndarray]:
        return {
            "operating_revenue": np.zeros(len(ent), bool),
            "industrial_output": ~industrial[ent],
            "exports": export_blank[ent],
            "net_profit": np.zeros(len(ent), bool),
            "taxes_paid": np.zeros(len(ent), bool),
            "rd_expenditure": np.zeros(len(ent), bool),
            "employees": np.zeros(len(ent), bool),
        }

    # 2023: enterprise-major grid, then file order by period (as monthly batches arrive)
    ent = np.repeat(np.arange(n), MONTHS)
    month = np.tile(np.arange(1, MONTHS + 1), n)
    keep = np.ones(n * MONTHS, bool)
    keep[rows:] = False  # exactly ``rows`` rows before faults
    late = np.flatnonzero(keep)[rng.random(keep.sum()) < LATE]
    keep[late] = False
    values = cells(y2023, keep)
    ent, month = ent[keep], month[keep]
    m = len(ent)
    blank = blanks(ent)
    injected = {"late-reports": len(late)}

    def pick(share: float, where: np.ndarray | None = None) -> np.ndarray:
        pool = np.flatnonzero(where) if where is not None else np.arange(m)
        return rng.choice(pool, size=min(len(pool), round(share * m)), replace=False)

    taken = np.zeros(m, bool)  # one fault per row at most

    def fresh(where: np.ndarray | None = None) -> np.ndarray:
        ok = ~taken if where is None else (~taken & where)
        return ok

    # ytd decreases: a flow falls below the previous month's (later months stay higher)
    rows_ytd = pick(FAULTS["ytd-decrease"], fresh(month >= 2))
    taken[rows_ytd] = True
    flow_of = rng.integers(0, len(FLOWS), size=len(rows_ytd))
    for k, name in enumerate(FLOWS):
        r = rows_ytd[flow_of == k]
        prev_month = y2023[name][ent[r], month[r] - 2]
        values[name][r] = np.round(prev_month * rng.uniform(0.6, 0.97, size=len(r)), 2)
    injected["ytd-decrease"] = len(rows_ytd)

    r = pick(FAULTS["exports-above-revenue"], fresh())
    taken[r] = True
    values["exports"][r] = np.round(
        values["operating_revenue"][r] * rng.uniform(1.05, 1.6, len(r)), 2
    )
    blank["exports"][r] = False
    injected["exports-above-revenue"] = len(r)

    r = pick(FAULTS["revenue-without-employees"], fresh(values["operating_revenue"] > 0))
    taken[r] = True
    values["employees"][r] = 0
    injected["revenue-without-employees"] = len(r)

    r = pick(FAULTS["negative"], fresh())
    taken[r] = True
    negative = [*FLOWS, "employees"]
    which = rng.integers(0, len(negative), size=len(r))
    for k, name in enumerate(negative):
        rr = r[which == k]
        values[name][rr] = -np.maximum(np.abs(values[name][rr]), 1)
        blank[name][rr] = False
    injected["negative"] = len(r)

    order = np.lexsort((ent, month))  # by period, then enterprise
    periods = np.char.add("2023-M", np.char.zfill(month.astype(str), 2))
    columns = _wide(usccs[ent], periods, values, blank)
    table = pa.table(columns).take(pa.array(order))
    columns = {name: table[name].combine_chunks() for name in table.column_names}

    # parse-level faults: bad check characters, non-numbers, duplicated rows
    uscc = columns["uscc"].to_pylist()
    r = rng.choice(m, size=max(1, round(FAULTS["bad-uscc"] * m)), replace=False)
    for i in r:
        last = ALPHABET[(ALPHABET.index(uscc[i][-1]) + 1 + int(rng.integers(0, 29))) % 31]
        uscc[i] = uscc[i][:-1] + last
    columns["uscc"] = pa.array(uscc, pa.string())
    injected["bad-uscc"] = len(r)
    r = rng.choice(m, size=max(1, round(FAULTS["not-a-number"] * m)), replace=False)
    for i in r:
        name = INDICATORS[int(rng.integers(0, len(INDICATORS)))]
        texts = columns[name].to_pylist()
        texts[i] = ["n/a", "-", "未填", "1.2.3"][int(rng.integers(0, 4))]
        columns[name] = pa.array(texts, pa.string())
    injected["not-a-number"] = len(r)
    table = pa.table(columns)
    dup = np.sort(rng.choice(m, size=max(1, round(FAULTS["duplicate"] * m)), replace=False))
    table = pa.concat_tables([table, table.take(pa.array(dup))])
    injected["duplicate"] = len(dup)
    _write_csv(table, where["upload"])

    # 2022 history: enterprises present in 2022 (92%), all twelve months, as stored
    had = rng.random(n) < 0.92
    hent = np.repeat(np.arange(n), MONTHS)
    hkeep = had[hent]
    hent = hent[hkeep]
    hmonth = np.tile(np.arange(1, MONTHS + 1), n)[hkeep]
    hvalues = cells(y2022, hkeep)
    hblank = blanks(hent)
    hperiods = np.char.add("2022-M", np.char.zfill(hmonth.astype(str), 2))
    history = {"uscc": pa.array(usccs[hent]), "period": pa.array(hperiods)}
    for name in INDICATORS:
        history[name] = pa.array(hvalues[name], pa.float64(), mask=hblank[name])
    history = pa.table(history)
    pq.write_table(history, where["history"])
    _write_csv(pa.table(_wide(usccs[hent], hperiods, hvalues, hblank)), where["history_csv"])
    manifest = {
        "seed": seed,
        "rows_requested": rows,
        "enterprises": n,
        "upload_rows": table.num_rows,
        "upload_bytes": where["upload"].stat().st_size,
        "history_rows": history.num_rows,
        "injected": injected,
        "seconds": round(time.perf_counter() - started, 1),
    }
    where["manifest"].write_text(json.dumps(manifest, indent=2) + "\n")
    return manifest


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output directory")
    parser.add_argument("--rows", type=int, default=DEFAULT_ROWS, help="rows of 2023 reports")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    args = parser.parse_args()
    repo = Path(__file__).resolve().parents[1]
    if args.out.resolve() == repo or repo in args.out.resolve().parents:
        parser.error(f"--out {args.out} is inside the repository; write the data elsewhere")
    print(json.dumps(generate(args.out, args.rows, args.seed), indent=2))


if __name__ == "__main__":
    main()
