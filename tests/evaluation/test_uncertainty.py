from __future__ import annotations

import numpy as np
import pytest

from htz.errors import ConfigError
from htz.evaluation import build_index, run_uncertainty
from htz.evaluation.framework import Normalise, Uncertainty
from htz.evaluation.uncertainty import saltelli_indices

from .conftest import tiny_data, tiny_framework


def test_same_seed_same_runs_and_other_seed_other_runs():
    fw, data = tiny_framework(), tiny_data(n=12)
    spec = Uncertainty(
        weight_noise=0.5,
        aggregate=("arithmetic", "geometric"),
        normalise=(Normalise("minmax", range=(1, 100)), Normalise("rank")),
    )
    a = run_uncertainty(data, fw, runs=300, seed=7, assumptions=spec)
    b = run_uncertainty(data, fw, runs=300, seed=7, assumptions=spec)
    c = run_uncertainty(data, fw, runs=300, seed=8, assumptions=spec)
    assert np.array_equal(a.ranks, b.ranks) and not np.array_equal(a.ranks, c.ranks)
    assert a.runs == 300 and a.factors == ["weights", "normalise", "aggregate"]
    nominal = build_index(data, fw)
    assert np.array_equal(a.nominal_rank, nominal.ranks["I"])
    assert np.all(a.q05 <= a.median_rank) and np.all(a.median_rank <= a.q95)


def test_only_the_assumption_that_matters_gets_sensitivity():
    fw, data = tiny_framework(), tiny_data(n=15, seed=3)
    # the two "aggregation" alternatives are the same method: that factor cannot matter
    spec = Uncertainty(
        weight_noise=0.0,
        aggregate=("arithmetic", "arithmetic"),
        normalise=(Normalise("minmax"), Normalise("rank"), Normalise("zscore")),
    )
    r = run_uncertainty(data, fw, runs=400, seed=1, sensitivity=True, assumptions=spec)
    assert r.runs == 400 * 4
    s = r.sensitivity
    assert s["aggregate"] == {"first": 0.0, "total": 0.0}
    assert s["normalise"]["total"] == pytest.approx(1.0, abs=0.1)
    assert s["normalise"]["first"] == pytest.approx(1.0, abs=0.15)


def test_saltelli_estimators_on_a_linear_model():
    rng = np.random.default_rng(0)
    n, d = 50000, 3
    a, b = rng.random((n, d)), rng.random((n, d))
    rows = [a, b] + [np.where(np.arange(d) == i, b, a) for i in range(d)]
    y = np.concatenate([r @ np.array([1.0, 2.0, 3.0]) for r in rows])
    s, _ = saltelli_indices(y, n, ["x1", "x2", "x3"])
    for name, expected in zip(s, (1 / 14, 4 / 14, 9 / 14), strict=True):
        assert s[name]["first"] == pytest.approx(expected, abs=0.05)
        assert s[name]["total"] == pytest.approx(expected, abs=0.03)


def test_impossible_alternatives_are_refused_with_a_fix():
    fw, data = tiny_framework(), tiny_data()
    spec = Uncertainty(weight_noise=0.1, aggregate=("geometric",))
    with pytest.raises(ConfigError, match=r"range: \[1, 100\]"):
        run_uncertainty(data, fw, runs=10, seed=1, assumptions=spec)
    with pytest.raises(ConfigError, match="nothing varies"):
        run_uncertainty(data, fw, runs=10, assumptions=Uncertainty(weight_noise=0.0))


def test_ten_thousand_runs_on_zone_sized_data_is_fast():
    import time

    rng = np.random.default_rng(5)
    n, k = 178, 40
    children = [
        {"code": f"P{p}", "children": [{"code": f"i{p}_{j}"} for j in range(8)]} for p in range(5)
    ]
    fw = tiny_framework(children=children)
    data = {
        "unit": [f"z{i}" for i in range(n)],
        **{f"i{p}_{j}": rng.lognormal(size=n) for p in range(5) for j in range(8)},
    }
    spec = Uncertainty(
        weight_noise=0.25,
        aggregate=("arithmetic", "geometric"),
        normalise=(Normalise("minmax", range=(1, 100)), Normalise("rank")),
    )
    t0 = time.perf_counter()
    r = run_uncertainty(data, fw, runs=10_000, seed=1, assumptions=spec)
    assert r.ranks.shape == (n, 10_000) and k == 40
    assert time.perf_counter() - t0 < 30
