"""Each method on tiny tables, checked against answers worked out by hand."""

from __future__ import annotations

import numpy as np
import pytest

from htz.errors import ConfigError, InputError
from htz.evaluation import aggregate as agg
from htz.evaluation import build_index
from htz.evaluation.framework import Impute, Normalise, Screen, Treat
from htz.evaluation.impute import impute
from htz.evaluation.normalise import normalise_column
from htz.evaluation.screen import screen
from htz.evaluation.stats import kurt, skew
from htz.evaluation.treat import log_transform, treat_column, winsorise

from .conftest import tiny_data, tiny_framework

NAN = np.nan


# -- treatment ----------------------------------------------------------------------------


def test_winsorisation_replaces_the_maximum_until_skew_and_kurtosis_pass():
    x = np.array([*range(1, 11), 30, 100], dtype=float)
    assert abs(skew(x)) >= 2 and kurt(x) >= 3.5
    y, n = winsorise(x, Treat(winmax=5))
    # step 1: 100 → 30; [1..10, 30, 30] then passes (|skew| < 2 or kurtosis < 3.5)
    assert n == 1
    assert y.tolist() == [*range(1, 11), 30, 30]
    assert abs(skew(y)) < 2 or kurt(y) < 3.5


def test_winsorisation_counts_tied_points_and_stops_at_winmax():
    x = np.array([*range(1, 21), 100, 200, 400, 800, 1600], dtype=float)
    y, n = winsorise(x, Treat(winmax=1))
    assert n == 1 and y.max() == 800  # 1600 → 800, then the limit stops it
    y, n = winsorise(x, Treat(winmax=5))
    # step 2 moves both 800s (the treated point and its tie) to 400: COINr counts 2; passes
    assert n == 2 and y.tolist()[-3:] == [400, 400, 400]


def test_low_side_winsorisation_for_negative_skew():
    x = -np.array([*range(1, 11), 30, 100], dtype=float)
    y, n = winsorise(x, Treat())
    assert n == 1 and y.min() == -30


def test_log_fallback_applies_to_the_original_values_when_winsorising_is_not_enough():
    x = np.array([0.0] * 20 + [1, 2, 3, 5, 8, 13, 100, 1000, 10000])
    y, info = treat_column(x, Treat(winmax=1), "x")
    assert info.winsorised == 1 and info.transform == "log_ct"
    lo, hi = x.min(), x.max()
    assert np.allclose(y, np.log(x - lo + 0.01 * (hi - lo)))
    assert np.allclose(log_transform(x, "log_ct_orig"), np.log(x - lo + 1))


def test_passing_and_untreatable_indicators_are_left_alone():
    x = np.arange(1.0, 11.0)
    y, info = treat_column(x, Treat(), "x")
    assert np.array_equal(x, y) and info.winsorised == 0 and info.passed
    y, info = treat_column(np.array([1.0, 1.0, 1.0, 1.0]), Treat(), "flat")
    assert info.passed is None and info.winsorised == 0


# -- normalisation ------------------------------------------------------------------------


X = np.array([2.0, 4.0, 4.0, NAN, 10.0])


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        (Normalise("minmax"), [0, 25, 25, NAN, 100]),
        (Normalise("minmax", range=(1, 11)), [1, 3.5, 3.5, NAN, 11]),
        (Normalise("rank"), [1, 2, 2, NAN, 4]),
        (Normalise("borda"), [0, 1, 1, NAN, 3]),
        (Normalise("percentile_rank"), [0, 1 / 3, 1 / 3, NAN, 1]),
        (Normalise("dist_to_max"), [0, 0.25, 0.25, NAN, 1]),
        (Normalise("fraction_of_max"), [0.2, 0.4, 0.4, NAN, 1]),
        (Normalise("none"), [2, 4, 4, NAN, 10]),
    ],
)
def test_normalisers(spec, expected):
    assert np.allclose(normalise_column(X, spec), expected, equal_nan=True)


def test_zscore_uses_the_sample_standard_deviation():
    y = normalise_column(X, Normalise("zscore", mean_sd=(10, 2)))
    v = X[~np.isnan(X)]
    assert np.allclose(y, (X - v.mean()) / v.std(ddof=1) * 2 + 10, equal_nan=True)


def test_distance_to_target_with_cap():
    y = normalise_column(X, Normalise("dist_to_target", cap=True), target=6.0)
    assert np.allclose(y, [0, 0.5, 0.5, NAN, 1], equal_nan=True)
    y = normalise_column(X, Normalise("dist_to_target"), target=6.0)
    assert y[-1] == pytest.approx(2.0)


def test_direction_minus_one_in_a_build():
    fw = tiny_framework()
    data = tiny_data()
    r = build_index(data, fw)
    b = np.asarray(data["b"])
    j = [i.code for i in fw.indicators].index("b")
    assert r.stages["normalised"][np.argmin(b), j] == pytest.approx(100)
    assert r.stages["normalised"][np.argmax(b), j] == pytest.approx(0)


def test_distance_to_target_for_negative_direction_in_a_build():
    fw = tiny_framework(
        steps=[{"normalise": {"method": "dist_to_target"}}, {"aggregate": {}}],
        children=[{"code": "P", "children": [{"code": "a", "direction": -1, "target": 1.0}]}],
    )
    data = {"unit": ["p", "q", "r"], "a": [1.0, 2.0, 3.0]}
    y = build_index(data, fw).stages["normalised"][:, 0]
    assert np.allclose(y, [(3 - 1) / (3 - 1), (3 - 2) / (3 - 1), 0])  # (max - x)/(max - t)


# -- aggregation --------------------------------------------------------------------------


def _plan(method):
    fw = tiny_framework(steps=[{"normalise": {}}, {"aggregate": {"method": method}}])
    return agg.plan(fw)


def test_arithmetic_mean_renormalises_weights_over_missing_values():
    p = _plan("arithmetic")
    x = np.array([[10.0, 20.0, 30.0, 40.0], [NAN, 20.0, NAN, 40.0], [NAN, NAN, NAN, NAN]])
    s = agg.aggregate(x, p)[:, :, 0]
    P1, P2, Index = s[:, 0], s[:, 1], s[:, 2]
    assert P1[0] == pytest.approx(15) and P2[0] == pytest.approx((30 + 3 * 40) / 4)
    assert Index[0] == pytest.approx((2 * 15 + 37.5) / 3)
    assert P1[1] == pytest.approx(20) and P2[1] == pytest.approx(40)
    assert np.isnan(Index[2])


def test_geometric_and_harmonic_means():
    x = np.array([[1.0, 4.0, 2.0, 8.0]])
    g = agg.aggregate(x, _plan("geometric"))[0, :, 0]
    assert g[0] == pytest.approx(2.0)  # sqrt(1·4)
    assert g[1] == pytest.approx(np.exp((np.log(2) + 3 * np.log(8)) / 4))
    h = agg.aggregate(x, _plan("harmonic"))[0, :, 0]
    assert h[0] == pytest.approx(2 / (1 + 1 / 4))
    with pytest.raises(ConfigError, match="geometric"):
        agg.aggregate(np.array([[0.0, 1, 1, 1]]), _plan("geometric"))


def test_min_availability_leaves_sparse_nodes_empty():
    fw = tiny_framework(steps=[{"normalise": {}}, {"aggregate": {"min_availability": 0.6}}])
    s = agg.aggregate(np.array([[NAN, 1.0, 2.0, 3.0]]), agg.plan(fw))[0, :, 0]
    assert np.isnan(s[0]) and s[1] == pytest.approx((2 + 9) / 4)


def test_many_weight_sets_at_once_match_single_builds():
    p = _plan("arithmetic")
    x = np.random.default_rng(1).random((7, 4))
    w = np.random.default_rng(2).random((5, len(p.codes))) + 0.1
    batch = agg.aggregate(x, p, w)
    for r in range(5):
        single = agg.aggregate(x, p, w[[r]])[:, :, 0]
        assert np.allclose(batch[:, :, r], single)


# -- imputation, screening, denomination ---------------------------------------------------


def test_group_mean_and_median_imputation():
    x = np.array([[1.0], [NAN], [3.0], [10.0], [NAN], [NAN]])
    g = {"grp": np.array(["a", "a", "a", "b", "b", "c"], dtype=object)}
    y = impute(x, Impute("group_mean", "grp"), g)
    assert y[1, 0] == 2 and y[4, 0] == 10 and np.isnan(y[5, 0])  # empty group stays missing
    y = impute(
        np.array([[1.0], [NAN], [2.0], [9.0]]),
        Impute("group_median", "grp"),
        {"grp": np.array(["a"] * 4, dtype=object)},
    )
    assert y[1, 0] == 2
    assert impute(x, Impute("mean"), g)[1, 0] == pytest.approx(14 / 3)
    assert impute(x, Impute("median"), g)[1, 0] == 3
    assert np.isnan(impute(x, Impute("none"), g)[1, 0])
    with pytest.raises(InputError, match="group column"):
        impute(x, Impute("group_mean", "nope"), g)


def test_screening_by_missing_zeros_and_forcing():
    x = np.array([[1, 2, 3, 4], [1, NAN, NAN, 4], [0, 0, 0, 5], [NAN, NAN, NAN, NAN]], float)
    units = np.array(["a", "b", "c", "d"], dtype=object)
    assert screen(x, units, Screen("missing", 0.75)).keep.tolist() == [True, False, True, False]
    # a unit with no data has no non-zero share (0/0): COINr keeps it when screening by zeros
    by_zeros = screen(x, units, Screen("zeros", min_nonzero=0.5)).keep.tolist()
    assert by_zeros == [True, True, False, True]
    kept = screen(x, units, Screen("missing_or_zeros", 0.5, 0.5, include=("d",), exclude=("a",)))
    assert kept.keep.tolist() == [False, True, False, True]


def test_screen_step_in_a_build_drops_units():
    fw = tiny_framework(
        steps=[{"screen": {"min_availability": 0.75}}, {"normalise": {}}, {"aggregate": {}}]
    )
    data = tiny_data()
    data["a"] = np.array(data["a"])
    data["b"] = np.array(data["b"])
    data["a"][0] = data["b"][0] = NAN
    r = build_index(data, fw)
    assert r.removed == ["u0"] and "u0" not in r.units.tolist()


def test_denominate_with_scale():
    fw = tiny_framework(
        steps=[{"denominate": {}}, {"normalise": {"method": "none"}}, {"aggregate": {}}],
        children=[{"code": "P", "children": [{"code": "a", "denominator": "area", "scale": 100}]}],
    )
    r = build_index({"unit": ["p", "q"], "a": [50.0, 10.0], "area": [200.0, 0.0]}, fw)
    assert r.stages["denominated"][0, 0] == pytest.approx(25.0)  # 50 / (200 / 100)
    assert np.isnan(r.stages["denominated"][1, 0])  # division by zero: no value
