"""Disclosure control of the 2023-Q3 bulletin's tables: htz.disclosure vs τ-ARGUS (pytauargus).

The data: each enterprise's year-to-date value of a headline indicator at the period, its
zone and GB/T 4754 section (``bulletin.enterprise_values`` joined with
``metrics.attributes``, as the bulletin reads them), from the snapshot that
``analytics_bulletin.py`` builds (national scale by default) or an existing demo's.

The tables, per indicator:

- ``zone``: nation > NBS region > province > zone, one hierarchical dimension (zone_gdp,
  operating_revenue, employees);
- ``zone×section``: that hierarchy × industry section (operating_revenue, employees);
- ``linked``: htz only: both as one linked system, as the bulletin protects them
  (``protection.RULES``, cost by value, national cells kept, province and region ×
  section hidden, the bulletin's method ``auto``; zone_gdp: the zone table with the
  national cell kept).

The contenders, on each table alone (no linking, no hidden or kept cells: like for like):

- ``htz-optimal`` / ``htz-heuristic`` / ``htz-auto``: ``from_microdata`` (one row per
  enterprise) + ``protect(cells, rules_for(indicator), method, cost="value",
  exact=False)`` (``exact=False`` as the bulletin: the audit certifies coverage);
- ``tau-OPT`` / ``tau-MOD``: ``pytauargus.protect`` on the same micro-data with
  ``FREQ(3,10)|NK(1,85)|P(10,1)`` and ``OPT(1)`` or ``MOD(1)`` (HiTaS), the zone
  hierarchy as an .hrc file, cost = the value (its default). Each run in a subprocess of
  its own (pytauargus 0.6.0 crashes with a segmentation fault on some inputs) and its own
  work directory; the time is that of the ``protect`` call inside the child.

Every pattern is audited by ``htz.disclosure.audit`` on htz's cells of the same table
(τ-ARGUS's U and M cells withheld): does every sensitive cell's derivable interval cover
its required range? Costs are the sums of |value| of the secondary cells, in yuan (or
persons), from htz's cells for every contender.

Timings: one warm-up-and-check round, then ``--runs`` − 1 more rounds, interleaved, in one
process; a contender whose first run took more than ``--repeat-below`` seconds is not
repeated (its one run is its time). Also timed: ``protection.protect_all`` for all headline
indicators of the period alone, and ``bulletin.disclosure_pattern``: the bulletin's whole
disclosure step when it is computed on its own (this year's and last year's patterns, each
protected with the year's earlier quarters; the memo cleared each run).

    python benchmarks/disclosure.py                                   # national, 3 runs
    python benchmarks/disclosure.py --data-dir /work/demo-small/htz-data   # 20,000 enterprises
    python benchmarks/disclosure.py --tables zone --runs 5            # the zone tables only
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from analytics_bulletin import build_demo_snapshot, newest_snapshot, snapshot_arguments

from htz import disclosure
from htz.analytics import bulletin, protection
from htz.analytics import metrics as m
from htz.analytics.frame import open_frame
from htz.disclosure.rules import primary
from htz.periods import parse

TAU_RULES = "FREQ(3,10)|NK(1,85)|P(10,1)"
TABLES = {"zone": ("zone_gdp", "operating_revenue", "employees"),
          "zone×section": ("operating_revenue", "employees")}  # fmt: skip
TARGET_COST = 1.05  # htz optimal's secondary cost within 5 % of τ-ARGUS OPT's
TOTAL = protection.TOTAL


# ---------------------------------------------------------------- the data


def load(snap, period_code: str):
    """Per-enterprise rows (uscc, indicator, value, zone_code, section), the live zones and
    the leaf cells of ``protection.leaf_cells``, and the seconds each took."""
    frame = open_frame(snap, "duckdb")
    period = parse(period_code)
    t0 = time.perf_counter()
    values = bulletin.enterprise_values(frame, period)
    ents, zones = frame.registry("enterprises"), frame.registry("zones")
    attrs = m.attributes(ents, zones, period.end_date)
    v = values.filter(values.has_now)
    t = v.select("uscc", "indicator", "value").join(
        attrs.select("uscc", "zone_code", "section", "province_code", "region"), "uscc"
    )
    rows = frame.arrow(t).to_pandas()
    rows["section"] = rows["section"].fillna("?")
    live = frame.rows(m.zones_on(zones, period.end_date))
    t1 = time.perf_counter()
    leaves = frame.rows(protection.leaf_cells(values, attrs, "now"))
    t2 = time.perf_counter()
    return rows, live, leaves, {"microdata": t1 - t0, "leaf_cells": t2 - t1}


class Table:
    """One table of one indicator: htz's cells, and the same micro-data for τ-ARGUS."""

    def __init__(self, name: str, indicator: str, rows, hier: disclosure.Hierarchy) -> None:
        x = rows[rows.indicator == indicator]
        self.name, self.indicator = name, indicator
        self.dims = ("zone",) if name == "zone" else ("zone", "section")
        self.zone = np.array(["Z:" + z for z in x.zone_code], dtype=object)
        self.section = x.section.to_numpy(dtype=object)
        self.value = x.value.to_numpy(dtype=np.float64)
        self.uscc = x.uscc.to_numpy(dtype=object)
        self.hier = {"zone": hier}
        if len(self.dims) == 2:
            self.hier["section"] = disclosure.Hierarchy.flat(
                "section", TOTAL, sorted(set(self.section))
            )
        self.rules = protection.rules_for(indicator)
        self.cells = self.build()

    def build(self, tables=None) -> disclosure.Cells:
        columns = {"zone": self.zone}
        if len(self.dims) == 2:
            columns["section"] = self.section
        return disclosure.from_microdata(columns, self.hier, tables=tables, value=self.value,
                                         contributor=self.uscc)  # fmt: skip


# ---------------------------------------------------------------- htz


def run_htz(table: Table, method: str, time_limit: float) -> dict:
    t0 = time.perf_counter()
    cells = table.build()
    p = disclosure.protect(cells, table.rules, method, cost="value", time_limit=time_limit,
                           exact=False)  # fmt: skip
    seconds = time.perf_counter() - t0
    return {"seconds": seconds, "withheld": p.withheld, "method_used": p.method,
            "proven_optimal": p.proven_optimal, "ok_own": p.ok}  # fmt: skip


def linked(table: Table):
    """The bulletin's linked system of an indicator (``protection._protect_one``'s)."""
    if table.name == "zone":
        cells, hidden = table.build(), None
    else:
        cells = table.build(tables=[["zone"], ["zone", "section"]])
        hidden = protection.unpublished(cells.keys)
    keep = protection.kept(cells.keys)
    return cells, hidden, keep


def run_linked(table: Table, method: str, time_limit: float) -> dict:
    t0 = time.perf_counter()
    cells, hidden, keep = linked(table)
    p = disclosure.protect(cells, table.rules, method, cost="value", hidden=hidden, keep=keep,
                           time_limit=time_limit, exact=False)  # fmt: skip
    seconds = time.perf_counter() - t0
    return {"seconds": seconds, "withheld": p.withheld, "method_used": p.method,
            "proven_optimal": p.proven_optimal, "ok_own": p.ok}  # fmt: skip


# ---------------------------------------------------------------- τ-ARGUS (pytauargus)


def tau_code(code: str) -> str:
    return code.replace(":", "_")


def write_hrc(hier: disclosure.Hierarchy, path: Path) -> dict[str, str]:
    """The zone hierarchy as a τ-ARGUS .hrc; returns τ-ARGUS code → htz code.

    Leaf codes are right-justified to the width of the micro-data column, as τ-ARGUS
    writes and reads them (unpadded leaves: "code not in code list", error 1017)."""
    width = max(len(tau_code(c)) for c in hier.leaves)
    lines = []
    for c in hier.codes[1:]:
        code = tau_code(c).rjust(width) if hier.is_leaf(c) else tau_code(c)
        lines.append("@" * (hier.depth(c) - 1) + code)
    path.write_text("\n".join(lines) + "\n")
    return {"Total": hier.root, **{tau_code(c): c for c in hier.codes[1:]}}


def tau_child(job: Path) -> None:
    """Run pytauargus once on ``job/input.json``; print its pattern as JSON."""
    from pytauargus import protect

    spec = json.loads((job / "input.json").read_text())
    micro = {"zone": spec["zone"], "val": spec["val"]}
    if "section" in spec["dims"]:
        micro["section"] = spec["section"]
    workdir = job / f"run-{os.getpid()}"
    t0 = time.perf_counter()
    try:
        res = protect(micro, [spec["dims"]], "val", safety_rules=TAU_RULES,
                      suppress=spec["suppress"], hrc={"zone": spec["hrc"]},
                      decimals=spec["decimals"], workdir=str(workdir))  # fmt: skip
        t = res.tables[0]
        rows = [[*(str(r[d]).strip() for d in spec["dims"]), s, r["freq"]]
                for r, s in zip(t.rows, t.status(), strict=True)]  # fmt: skip
        out = {"seconds": time.perf_counter() - t0, "rows": rows}
    except Exception as e:
        out = {"seconds": time.perf_counter() - t0, "error": f"{type(e).__name__}: {e}"}
    shutil.rmtree(workdir, ignore_errors=True)
    print(json.dumps(out))


class Tau:
    """τ-ARGUS on one table: the job directory, its input, and the code mapping."""

    def __init__(self, table: Table, work: Path, unit: float, decimals: int) -> None:
        self.table = table
        self.job = work / f"{table.indicator}-{table.name.replace('×', 'x')}"
        shutil.rmtree(self.job, ignore_errors=True)
        self.job.mkdir(parents=True)
        self.zone_map = write_hrc(table.hier["zone"], self.job / "zone.hrc")
        self.unit = 1.0 if table.indicator == "employees" else unit
        spec = {"dims": list(table.dims), "hrc": str(self.job / "zone.hrc"),
                "zone": [tau_code(z) for z in table.zone], "section": list(table.section),
                "val": np.round(table.value / self.unit, decimals).tolist(),
                "decimals": decimals}  # fmt: skip
        self.spec = spec
        self.index = table.cells.index()

    def run(self, suppress: str, timeout: float) -> dict:
        (self.job / "input.json").write_text(json.dumps({**self.spec, "suppress": suppress}))
        cmd = [sys.executable, str(Path(__file__).resolve()), "--tau-child", str(self.job)]
        t0 = time.perf_counter()
        try:
            # cwd: τ-ARGUS writes its logs (HiTaS.log, cspSCIP.*, …) into the current directory
            done = subprocess.run(
                cmd, capture_output=True, text=True, timeout=timeout, cwd=self.job
            )
        except subprocess.TimeoutExpired:
            return {"seconds": timeout, "error": f"timed out after {timeout:.0f} s"}
        wall = time.perf_counter() - t0
        if done.returncode != 0:
            err = done.stderr.strip().splitlines()[-1:] or [""]
            return {"seconds": wall, "error": f"child exit code {done.returncode} {err[0]}"}
        out = json.loads(done.stdout.strip().splitlines()[-1])
        out["wall"] = wall
        if "error" in out:
            return out
        withheld = np.zeros(len(self.table.cells), bool)
        tau_primary = np.zeros(len(self.table.cells), bool)
        for row in out.pop("rows"):
            *codes, status, _freq = row
            key = [self.zone_map[codes[0]]]
            if len(codes) > 1:
                key.append(TOTAL if codes[1] == "Total" else codes[1])
            i = self.index[tuple(key)]
            withheld[i] = status in ("U", "M")
            tau_primary[i] = status == "U"
        out.update(withheld=withheld, tau_primary=tau_primary,
                   method_used=suppress.split("(")[0])  # fmt: skip
        return out


# ---------------------------------------------------------------- evaluation


def audit(cells, rules, withheld, hidden, exact: bool):
    """``htz.disclosure.audit``; without ``exact``, its verdict by certificates only (as
    ``protect(exact=False)``: the same verdict, without every withheld cell's interval)."""
    return disclosure.audit(cells, rules, withheld, hidden=hidden, exact=exact)


def evaluate(table: Table, result: dict, cells=None, hidden=None, exact=False) -> dict:
    """Counts, cost and htz's audit of a pattern on htz's cells of the table."""
    if "error" in result:
        return {"error": result["error"]}
    cells = table.cells if cells is None else cells
    withheld = result["withheld"]
    prim = primary(cells, table.rules)
    sens = prim.sensitive & (~hidden if hidden is not None else True)
    secondary = withheld & ~sens
    a = audit(cells, table.rules, withheld, hidden, exact)
    out = {
        "cells": len(cells),
        "primary": int(result["tau_primary"].sum()) if "tau_primary" in result else int(sens.sum()),
        "primary_htz_rules": int(sens.sum()),
        "unprotected_primary": int((sens & ~withheld).sum()),
        "secondary": int(secondary.sum()),
        "secondary_value": float(np.abs(cells.value[secondary]).sum()),
        "audit_ok": bool(a.ok),
        "audit_failed": int((~a.covered).sum()),
        "method_used": result.get("method_used"),
    }
    if "proven_optimal" in result:
        out["proven_optimal"] = bool(result["proven_optimal"])
    return out


def primary_differences(table: Table, tau_primary: np.ndarray) -> dict:
    """Cells primary for one engine and not the other, with what the rules read."""
    c = table.cells
    prim = primary(c, table.rules)
    out = {}
    for name, mask in (("htz_only", prim.sensitive & ~tau_primary),
                       ("tau_only", tau_primary & ~prim.sensitive)):  # fmt: skip
        out[name] = [{"cell": list(c.keys[i]), "n": float(c.n[i]), "value": float(c.value[i]),
                      "top1": float(c.top[i, 0]), "top2": float(c.top[i, 1]),
                      "htz_reason": prim.reason[i]} for i in np.flatnonzero(mask)]  # fmt: skip
    return out


def pattern_differences(table: Table, a: np.ndarray, b: np.ndarray, top: int = 5) -> dict:
    """Secondary cells withheld by one pattern and not the other (largest first)."""
    c = table.cells
    sens = primary(c, table.rules).sensitive
    out = {}
    for name, mask in (("only_htz", a & ~b & ~sens), ("only_tau", b & ~a & ~sens)):
        idx = np.flatnonzero(mask)
        idx = idx[np.argsort(-np.abs(c.value[idx]))]
        out[name] = {"cells": len(idx), "value": float(np.abs(c.value[idx]).sum()),
                     "largest": [[*c.keys[i], float(c.value[i]), int(c.n[i])]
                                 for i in idx[:top]]}  # fmt: skip
    return out


def machine() -> dict:
    from importlib import metadata

    cpu = next((line.split(":", 1)[1].strip() for line in
                Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), "?")  # fmt: skip
    names = ("htz", "pytauargus", "highspy", "numpy", "duckdb")
    packages = {}
    for n in names:
        try:
            packages[n] = metadata.version(n)
        except metadata.PackageNotFoundError:
            packages[n] = None
    commit = subprocess.run(["git", "-C", str(Path(__file__).parent), "rev-parse", "--short",
                             "HEAD"], capture_output=True, text=True).stdout.strip()  # fmt: skip
    return {"cpu": cpu, "nproc": os.cpu_count(), "python": sys.version.split()[0],
            "load": os.getloadavg(), "packages": packages, "commit": commit}  # fmt: skip


def fmt_value(x: float) -> str:
    return f"{x:.4g}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    snapshot_arguments(parser, runs=3)
    parser.add_argument("--tables", default="zone,zone×section",
                        help="comma-separated: zone, zone×section (or zonexsection)")  # fmt: skip
    parser.add_argument("--indicators", help="comma-separated; default: those of each table")
    parser.add_argument("--methods", default="optimal,heuristic,auto", help="htz's methods")
    parser.add_argument("--tau", default="OPT,MOD", help="τ-ARGUS methods ('' for none)")
    parser.add_argument("--no-linked", action="store_true", help="skip htz's linked system")
    parser.add_argument("--no-bulletin", action="store_true", help="skip protect_all's timing")
    parser.add_argument("--time-limit", type=float, default=60.0, help="htz optimal's limit")
    parser.add_argument("--tau-timeout", type=float, default=900.0)
    parser.add_argument(
        "--tau-unit",
        type=float,
        default=10_000.0,
        help="money is given to τ-ARGUS in this many yuan (10,000: 万元)",
    )
    parser.add_argument("--tau-decimals", type=int, default=0)
    parser.add_argument("--tau-work", type=Path, default=Path("/tmp/htz-bench-disclosure"))
    parser.add_argument(
        "--repeat-below",
        type=float,
        default=30.0,
        help="repeat only contenders whose first run took less (s)",
    )
    parser.add_argument(
        "--exact-audit",
        action="store_true",
        help="audit with every withheld cell's interval (slow on 2-D tables)",
    )
    parser.add_argument("--json", type=Path, help="write the raw results here")
    parser.add_argument("--tau-child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.tau_child:
        return tau_child(args.tau_child)

    start = machine()
    print(f"{start['cpu']}, {start['nproc']} CPUs, Python {start['python']}, load {start['load']}")
    print("packages: " + ", ".join(f"{k} {v}" for k, v in start["packages"].items()))
    if args.data_dir:
        snap = newest_snapshot(args.data_dir)
        source = f"existing demo {args.data_dir}"
    else:
        snap = build_demo_snapshot(args.work, args.scale, args.seed, args.missing)
        source = f"generated ({args.scale}, seed {args.seed}, missing reports {args.missing})"
    print(f"snapshot {snap.id} at {snap.root} ({source})", flush=True)
    rows, live, leaves, prep = load(snap, args.period)
    print(f"{rows.uscc.nunique():,} enterprises with a {args.period} value, {len(rows):,} rows; "
          f"{len(live)} zones; micro-data {prep['microdata']:.2f} s, leaf cells "
          f"{prep['leaf_cells']:.2f} s", flush=True)  # fmt: skip
    hier = protection.zone_hierarchy(live)
    wanted = {t.strip().replace("x", "×") for t in args.tables.split(",") if t.strip()}
    inds = set(args.indicators.split(",")) if args.indicators else None
    tables = [Table(name, ind, rows, hier) for name, default in TABLES.items() if name in wanted
              for ind in default if inds is None or ind in inds]  # fmt: skip
    methods = [x for x in args.methods.split(",") if x]
    taus = [x for x in args.tau.split(",") if x]

    # contenders: (table, contender name) → a callable returning a result dict
    runs: dict[tuple[str, str, str], Callable[[], dict]] = {}
    taurs: dict[tuple[str, str], Tau] = {}
    for t in tables:
        key = (t.name, t.indicator)
        for method in methods:
            runs[(*key, f"htz-{method}")] = (lambda t=t, mt=method:
                                             run_htz(t, mt, args.time_limit))  # fmt: skip
        if taus:
            taurs[key] = Tau(t, args.tau_work, args.tau_unit, args.tau_decimals)
        for s in taus:
            runs[(*key, f"tau-{s}")] = (lambda k=key, s=s:
                                        taurs[k].run(f"{s}(1)", args.tau_timeout))  # fmt: skip
        if not args.no_linked and (t.name == "zone×section" or t.indicator == m.ZONE_GDP):
            runs[("linked", t.indicator, f"htz-linked-{protection.METHOD}")] = (
                lambda t=t: run_linked(t, protection.METHOD, args.time_limit))  # fmt: skip
    lq = bulletin.LQ_INDICATORS

    def bulletin_step() -> dict:
        protection._MEMO.clear()  # each run protects every indicator afresh
        t0 = time.perf_counter()
        pattern = protection.protect_all(leaves, live, lq)
        return {"seconds": time.perf_counter() - t0, "audit": pattern.audit}

    def bulletin_year() -> dict:
        # what one bulletin costs on its own: this year's and last year's patterns, each
        # protected with its year's earlier quarters (all of them computed, nothing memoised)
        from htz.analytics.frame import open_frame
        from htz.periods import parse

        protection._MEMO.clear()
        frame, period = open_frame(snap), parse(args.period)
        t0 = time.perf_counter()
        values = bulletin.enterprise_values(frame, period)
        now, _ = bulletin.disclosure_pattern(frame, period, values)
        return {"seconds": time.perf_counter() - t0, "audit": now.audit}

    if not args.no_bulletin:
        runs[("bulletin", "all", "protect_all")] = bulletin_step
        runs[("bulletin", "all", "disclosure_pattern")] = bulletin_year
    table_of = {(t.name, t.indicator): t for t in tables}

    times: dict[tuple, list[float]] = {k: [] for k in runs}
    first: dict[tuple, dict] = {}
    for r in range(args.runs):
        for key, run in runs.items():
            if r > 0 and (key not in first or "error" in first[key]
                          or times[key][0] > args.repeat_below):  # fmt: skip
                continue
            gc.collect()
            res = run()
            times[key].append(res["seconds"])
            if r == 0:
                first[key] = res
                extra = f" ({res['error']})" if "error" in res else ""
                used = res.get("method_used")
                print(f"  {' / '.join(key)}: {res['seconds']:.2f} s"
                      + (f", ran {used}" if used else "") + extra, flush=True)  # fmt: skip
        print(f"round {r + 1} done", flush=True)
    median = {k: statistics.median(v) for k, v in times.items() if v}

    results, details = [], {}
    for key, res in first.items():
        name, ind, contender = key
        if name == "bulletin":
            continue
        if name == "linked":
            t = table_of.get(("zone×section", ind)) or table_of[("zone", ind)]
            cells, hidden, _keep = linked(t)
            ev = evaluate(t, res, cells, hidden, args.exact_audit)
            ev["hidden"] = int(hidden.sum()) if hidden is not None else 0
        else:
            t = table_of[(name, ind)]
            ev = evaluate(t, res, exact=args.exact_audit)
        ev.update(table=name, indicator=ind, contender=contender, median_s=median[key],
                  times=times[key])  # fmt: skip
        results.append(ev)
    for (name, ind), t in table_of.items():
        opt = first.get((name, ind, "tau-OPT"))
        mine = first.get((name, ind, "htz-optimal"))
        d = {}
        if opt and "error" not in opt:
            d["primary"] = primary_differences(t, opt["tau_primary"])
            if mine:
                d["secondary"] = pattern_differences(t, mine["withheld"], opt["withheld"])
        details[f"{name}/{ind}"] = d

    # ---------------------------------------------------------------- report
    end_load = os.getloadavg()
    print(f"\ndisclosure control, {args.period}, snapshot {snap.id}; cost = sum of |value| of "
          "the secondary cells (yuan; employees: persons); times: median of the runs")  # fmt: skip
    head = (
        f"{'table':13s} {'indicator':18s} {'contender':22s} {'ran':9s} {'prim':>5s} "
        f"{'sec':>5s} {'sec value':>11s} {'vs OPT':>7s} {'audit':>9s} {'median s':>9s} runs"
    )
    print(head)
    cost_opt = {(r["table"], r["indicator"]): r["secondary_value"] for r in results
                if r["contender"] == "tau-OPT" and "error" not in r}  # fmt: skip
    for r in results:
        base = cost_opt.get((r["table"], r["indicator"]))
        if "error" in r:
            print(f"{r['table']:13s} {r['indicator']:18s} {r['contender']:22s} "
                  f"FAILED: {r['error'][:90]}")  # fmt: skip
            continue
        ratio = f"{r['secondary_value'] / base:7.3f}" if base else f"{'—':>7s}"
        audit = "ok" if r["audit_ok"] else f"FAIL {r['audit_failed']}"
        print(f"{r['table']:13s} {r['indicator']:18s} {r['contender']:22s} "
              f"{r['method_used'] or '':9s} {r['primary']:5d} {r['secondary']:5d} "
              f"{fmt_value(r['secondary_value']):>11s} {ratio} {audit:>9s} "
              f"{r['median_s']:9.2f} {len(r['times'])}")  # fmt: skip
    for key, d in details.items():
        p = d.get("primary")
        if p:
            print(f"{key}: primary cells htz-only {len(p['htz_only'])}, "
                  f"τ-ARGUS-only {len(p['tau_only'])}")  # fmt: skip
            for side in ("htz_only", "tau_only"):
                for c in p[side][:3]:
                    print(f"    {side}: {c}")
        s = d.get("secondary")
        if s:
            for side in ("only_htz", "only_tau"):
                x = s[side]
                print(f"  secondaries {side}: {x['cells']} cells, {fmt_value(x['value'])}; "
                      f"largest {x['largest'][:3]}")  # fmt: skip
    labels = {"protect_all": "protect_all, this period alone",
              "disclosure_pattern": "disclosure_pattern, the bulletin's step on its own (this "
                                    "and last year, each with its earlier quarters)"}  # fmt: skip
    for step, label in labels.items():
        if ("bulletin", "all", step) not in first:
            continue
        b = first[("bulletin", "all", step)]
        print(
            f"{label}, all {len(b['audit'])} headline indicators: "
            f"{median[('bulletin', 'all', step)]:.2f} s "
            f"(runs {[round(x, 2) for x in times[('bulletin', 'all', step)]]})"
        )
        for ind, a in b["audit"].items():
            print(f"    {ind}: {a}")
    for (name, ind), base in cost_opt.items():
        r = next((r for r in results if (r["table"], r["indicator"], r["contender"])
                  == (name, ind, "htz-optimal") and "error" not in r), None)  # fmt: skip
        if r and base:
            ratio = r["secondary_value"] / base
            print(
                f"target: htz-optimal cost / τ-ARGUS OPT cost, {name} {ind}: {ratio:.3f} "
                f"(≤ {TARGET_COST}: {'met' if ratio <= TARGET_COST else 'NOT met'})"
            )
    print(f"load average at start {start['load']}, at end {end_load}")
    if args.json:
        args.json.write_text(json.dumps({
            "machine": start, "end_load": end_load, "snapshot": snap.id, "source": source,
            "period": args.period, "args": {k: str(v) for k, v in vars(args).items()},
            "enterprises": int(rows.uscc.nunique()), "prep_seconds": prep,
            "results": results, "details": details,
            "bulletin": {step: {"median_s": median.get(("bulletin", "all", step)),
                                "times": times.get(("bulletin", "all", step)),
                                "audit": first.get(("bulletin", "all", step), {}).get("audit")}
                         for step in labels},
        }, indent=1, ensure_ascii=False))  # fmt: skip


if __name__ == "__main__":
    main()
