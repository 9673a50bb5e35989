"""Time the uncertainty analysis: 10,000 Monte Carlo builds over 178 zones × 40 indicators.

Synthetic, seeded data (lognormal indicators, 5% missing, four regions) and a five-pillar
framework of 8 indicators each. The assumptions varied are those of the default zone
framework: weights ±25% at both levels, three imputations, two normalisations, two
aggregations. Reports the median of 3 repeats (after one warm-up) for the uncertainty
analysis (10,000 builds) and for the sensitivity analysis (N = 10,000, so 10,000 × (d + 2)
= 60,000 builds), plus one nominal build.

    python benchmarks/evaluation_uncertainty.py [--runs 10000] [--repeats 3]
"""

from __future__ import annotations

import argparse
import platform
import statistics
import time

import numpy as np

from htz.evaluation import build_index, run_uncertainty
from htz.evaluation.framework import parse_framework

ZONES, PILLARS, PER_PILLAR = 178, 5, 8


def framework():
    return parse_framework(
        {
            "units": {"id": "zone", "groups": ["region"]},
            "steps": [
                {"screen": {"min_availability": 0.66}},
                {"impute": {"method": "group_median", "group": "region"}},
                {"treat": {"method": "winsorise"}},
                {"normalise": {"method": "minmax", "range": [0, 100]}},
                {"aggregate": {"method": "arithmetic"}},
            ],
            "uncertainty": {
                "weights": {"noise": 0.25, "levels": [1, 2]},
                "impute": [
                    {"method": "group_median", "group": "region"},
                    {"method": "mean"},
                    {"method": "none"},
                ],
                "normalise": [{"method": "minmax", "range": [1, 100]}, {"method": "rank"}],
                "aggregate": ["arithmetic", "geometric"],
            },
            "tree": {
                "code": "index",
                "children": [
                    {
                        "code": f"p{p}",
                        "children": [{"code": f"i{p}_{j}"} for j in range(PER_PILLAR)],
                    }
                    for p in range(PILLARS)
                ],
            },
        }
    )


def data(seed: int = 20231130) -> dict:
    rng = np.random.default_rng(seed)
    out = {
        "zone": [f"z{i:03d}" for i in range(ZONES)],
        "region": rng.choice(["east", "central", "west", "northeast"], ZONES).tolist(),
    }
    for p in range(PILLARS):
        for j in range(PER_PILLAR):
            col = rng.lognormal(mean=0, sigma=1, size=ZONES)
            col[rng.random(ZONES) < 0.05] = np.nan
            out[f"i{p}_{j}"] = col
    return out


def timed(fn, repeats: int) -> list[float]:
    fn()  # warm-up
    out = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t0)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=10_000)
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args()
    fw, table = framework(), data()
    nominal = build_index(table, fw)
    t_build = timed(lambda: build_index(table, fw), args.repeats)
    t_ua = timed(
        lambda: run_uncertainty(table, fw, runs=args.runs, seed=1, nominal=nominal), args.repeats
    )
    t_sa = timed(
        lambda: run_uncertainty(
            table, fw, runs=args.runs, seed=1, sensitivity=True, nominal=nominal
        ),
        args.repeats,
    )
    d = 4
    print(
        f"machine: {platform.machine()}, {platform.python_implementation()} "
        f"{platform.python_version()}, numpy {np.__version__}"
    )
    print(f"data: {ZONES} zones × {PILLARS * PER_PILLAR} indicators, {len(nominal.units)} kept")
    print(f"nominal build: median {statistics.median(t_build) * 1000:.1f} ms")
    print(
        f"uncertainty, {args.runs} builds: median {statistics.median(t_ua):.2f} s "
        f"(runs: {', '.join(f'{t:.2f}' for t in t_ua)})"
    )
    print(
        f"sensitivity, N = {args.runs} ({args.runs * (d + 2)} builds): median "
        f"{statistics.median(t_sa):.2f} s (runs: {', '.join(f'{t:.2f}' for t in t_sa)})"
    )


if __name__ == "__main__":
    main()
