"""`htz build` after one month's reports change (incremental) against a full rebuild.

Issue 4's second benchmark. On a SQLite store holding a demo (by default ``htz demo
--scale small``, ~20,000 enterprises, made once and cached under ``--work``; or a copy of
``--data-dir``), each run:

1. changes one enterprise's 2023-M09 monthly report (its operating revenue, through
   ``htz.reporting.workflow.save_values``, then approved at every review level, as the
   web form would), not timed;
2. times the incremental build: ``htz.app.build_snapshot`` (what ``htz build`` calls),
   which rewrites only the partitions whose fingerprint changed;
3. times a full rebuild of the same content: ``warehouse/`` deleted (the manifests are
   kept, the latest is needed to read the previous snapshot), then ``build_snapshot``.

It checks that both builds give the same snapshot id (same content) and reports the
partitions each rewrote. Median of ``--runs`` (default 3). The store is a fresh copy of
the cached demo, so the cache is never changed.

    python benchmarks/analytics_build.py                        # small demo, 3 runs
    python benchmarks/analytics_build.py --scale tiny           # a quick run
    python benchmarks/analytics_build.py --data-dir ~/htz-data  # a copy of an existing demo
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

from htz import app as application
from htz import config
from htz.analytics import snapshot as snapshots
from htz.reporting import workflow

WORK = Path("/tmp/htz-bench-analytics")
FORM, PERIOD, INDICATOR = "monthly", "2023-M09", "operating_revenue"
ACTOR = "bench"


def demo(work: Path, scale: str, seed: int) -> Path:
    """The data directory of an `htz demo` (made once, in a subprocess)."""
    data_dir = work / f"demo-{scale}-seed{seed}"
    if (data_dir / "ready").exists():
        return data_dir
    shutil.rmtree(data_dir, ignore_errors=True)
    data_dir.mkdir(parents=True)
    print(f"running htz demo --scale {scale} --seed {seed} in {data_dir} …", flush=True)
    t0 = time.perf_counter()
    env = {**os.environ, "HTZ_DATA_DIR": str(data_dir)}
    env.pop("HTZ_DATABASE_URL", None)
    cmd = [sys.executable, "-c", "from htz.cli import main; main()", "demo", "--scale", scale,
           "--seed", str(seed), "--no-serve"]  # fmt: skip
    subprocess.run(cmd, env=env, cwd=data_dir, check=True, stdout=subprocess.DEVNULL)
    (data_dir / "ready").write_text(f"{time.perf_counter() - t0:.0f} s\n")
    return data_dir


def fresh_copy(source: Path, target: Path) -> Path:
    shutil.rmtree(target, ignore_errors=True)
    ignore = shutil.ignore_patterns("demo", "ready", "*.tmp")
    shutil.copytree(source, target, ignore=ignore)
    return target


def change_one_report(app: application.App, uscc: str, factor: float) -> None:
    """Scale one enterprise's revenue in its 2023-M09 report, then approve it to the top."""
    levels = app.settings.approval_levels
    with app.connect() as conn:
        report = workflow.find_report(conn, uscc, FORM, PERIOD)
        values = {**report["values"], INDICATOR: report["values"][INDICATOR] * factor}
        r = workflow.save_values(
            conn, ACTOR, report["enterprise_id"], uscc, FORM, PERIOD, values, report["version"]
        )
        for _ in levels:
            r = workflow.approve(conn, ACTOR, r["id"], r["version"], levels)
        assert r["status"] == "accepted", r["status"]


def first_accepted(app: application.App) -> str:
    """A deterministic enterprise with an accepted 2023-M09 report and a revenue value."""
    import sqlalchemy as sa

    from htz.store.schema import enterprises, observations, reports

    query = (
        sa.select(enterprises.c.uscc)
        .select_from(reports.join(enterprises).join(observations))
        .where(reports.c.form == FORM, reports.c.period == PERIOD,
               reports.c.status == "accepted", observations.c.indicator == INDICATOR)
        .order_by(enterprises.c.uscc)
        .limit(1)
    )  # fmt: skip
    with app.connect() as conn:
        return conn.execute(query).scalar_one()


def timed_build(app: application.App) -> tuple[float, snapshots.BuildResult]:
    t0 = time.perf_counter()
    result = application.build_snapshot(app)
    return time.perf_counter() - t0, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--scale", default="small", choices=("tiny", "small", "national"))
    parser.add_argument("--seed", type=int, default=2023)
    parser.add_argument("--work", type=Path, default=WORK)
    parser.add_argument("--data-dir", type=Path, help="copy this demo instead of making one")
    parser.add_argument("--json", type=Path, help="write the raw results here")
    args = parser.parse_args()

    load_start = os.getloadavg()
    source = args.data_dir or demo(args.work, args.scale, args.seed)
    data_dir = fresh_copy(source, args.work / "build-store")
    settings = config.load(environ={"HTZ_DATA_DIR": str(data_dir)}, cwd=data_dir)
    app = application.build(settings)
    try:
        _, first = timed_build(app)  # bring the copy's snapshot up to date
        partitions = len(first.snapshot.partitions)
        rows = sum(p["rows"] for p in first.snapshot.partitions.values())
        uscc = first_accepted(app)
        print(f"store {data_dir}: {partitions} partitions, {rows:,} observations; "
              f"changing {uscc} {FORM} {PERIOD} {INDICATOR}", flush=True)  # fmt: skip
        runs: list[dict] = []
        for k in range(args.runs):
            change_one_report(app, uscc, 1.0 + 0.01 * (k + 1))
            t_inc, inc = timed_build(app)
            shutil.rmtree(data_dir / snapshots.WAREHOUSE)
            t_full, full = timed_build(app)
            same = inc.snapshot.id == full.snapshot.id
            runs.append({"incremental_s": t_inc, "full_s": t_full, "rewritten_incremental":
                         inc.rewritten, "rewritten_full": len(full.rewritten),
                         "reused_incremental": inc.reused, "same_snapshot": same})  # fmt: skip
            print(f"run {k + 1}: incremental {t_inc:.2f} s (rewrote {', '.join(inc.rewritten)}; "
                  f"reused {inc.reused}), full {t_full:.2f} s (rewrote {len(full.rewritten)}), "
                  f"same snapshot: {same}", flush=True)  # fmt: skip
    finally:
        app.close()
    inc_m = statistics.median(r["incremental_s"] for r in runs)
    full_m = statistics.median(r["full_s"] for r in runs)
    print(f"\nmedian of {args.runs}: incremental {inc_m:.2f} s, full rebuild {full_m:.2f} s, "
          f"full / incremental = {full_m / inc_m:.1f}x")  # fmt: skip
    print(f"load average at start {load_start}, at end {os.getloadavg()}")
    ok = all(r["same_snapshot"] and len(r["rewritten_incremental"]) == 1 for r in runs)
    if args.json:
        args.json.write_text(json.dumps({"source": str(source), "partitions": partitions,
                                         "observations": rows, "runs": runs,
                                         "median_incremental_s": inc_m, "median_full_s": full_m,
                                         "load_start": load_start, "load_end": os.getloadavg()},
                                        indent=1))  # fmt: skip
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
