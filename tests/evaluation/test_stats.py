from __future__ import annotations

import numpy as np
import pytest

from htz.evaluation.stats import kurt, quantile, rank_asc, rank_desc, skew


def _moments(x):
    x = np.asarray(x, float)
    n = x.size
    d = x - x.mean()
    m2, m3, m4 = (d**2).mean(), (d**3).mean(), (d**4).mean()
    g1, g2 = m3 / m2**1.5, m4 / m2**2 - 3
    return (
        g1 * np.sqrt(n * (n - 1)) / (n - 2),
        ((n + 1) * g2 + 6) * (n - 1) / ((n - 2) * (n - 3)),
    )


def test_skew_and_kurtosis_are_excel_type_2():
    x = [1, 2, 3, 4, 10]
    s, k = _moments(x)
    assert skew(np.array(x, float)) == pytest.approx(s, rel=1e-12)
    assert kurt(np.array(x, float)) == pytest.approx(k, rel=1e-12)
    # by hand (Excel SKEW/KURT): d = -3,-2,-1,0,6; s² = 12.5; Σz³ = 180/12.5^1.5;
    # skew = 5/(4·3)·Σz³ = 1.69706; kurt = 5·6/(4·3·2)·1394/12.5² - 3·4²/(3·2) = 3.152
    assert skew(np.array(x, float)) == pytest.approx(1.697056, abs=1e-6)
    assert kurt(np.array(x, float)) == pytest.approx(3.152, abs=1e-12)


def test_skew_ignores_missing_and_needs_enough_values():
    assert skew(np.array([1, 2, np.nan, 3, 4, 10])) == pytest.approx(
        skew(np.array([1, 2, 3, 4, 10.0]))
    )
    assert np.isnan(skew(np.array([1.0, 2.0])))
    assert np.isnan(kurt(np.array([1.0, 2.0, 3.0])))
    assert np.isnan(skew(np.array([5.0, 5.0, 5.0, 5.0])))


def test_ranks_are_sport_ranks_with_missing_kept():
    x = np.array([10, 30, 30, np.nan, 5])
    assert rank_desc(x).tolist()[:3] == [3, 1, 1]
    assert np.isnan(rank_desc(x)[3]) and rank_desc(x)[4] == 4
    assert rank_asc(x)[[0, 1, 2, 4]].tolist() == [2, 3, 3, 1]
    m = np.column_stack([x, -x])
    assert np.array_equal(rank_desc(m)[:, 0], rank_desc(x), equal_nan=True)


def test_quantile_is_r_type_7():
    assert quantile(np.arange(1, 11.0), 0.05) == pytest.approx(1.45)
    assert quantile(np.array([1.0, np.nan, 3.0]), 0.5) == 2.0
