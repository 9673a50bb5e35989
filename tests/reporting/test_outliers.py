"""Year-on-year outliers against a hand-computed modified z-score."""

from __future__ import annotations

import math

import pyarrow as pa
import pytest

from htz.errors import InputError
from htz.reporting.outliers import yoy_outliers
from htz.reporting.rules import VIOLATION_SCHEMA, to_violations


def table(rows, industry=True):
    cols = {"uscc": [r[0] for r in rows], "period": [r[1] for r in rows]}
    if industry:
        cols["industry"] = [r[2] for r in rows]
    cols["operating_revenue"] = pa.array([r[-1] for r in rows], pa.float64())
    return pa.table(cols)


# Industry C39, six enterprises, last year 100 each, this year 100 × 2^k with
# k = -5, 1, 1, 1, 2, 7, so log r = k·ln 2. In units of ln 2:
#   median of (-5, 1, 1, 1, 2, 7) = (1 + 1) / 2 = 1
#   |k - 1| = 6, 0, 0, 0, 1, 6  → sorted 0, 0, 0, 1, 6, 6 → MAD = (0 + 1) / 2 = 0.5
#   M = 0.6745 (k - 1) / 0.5:  k=-5 → -8.094, k=1 → 0, k=2 → 1.349, k=7 → +8.094
# so C1 (×1/32) and C6 (×128) are flagged, and only they.
C39 = [("C1", -5), ("C2", 1), ("C3", 1), ("C4", 1), ("C5", 2), ("C6", 7)]
UPLOAD = [(u, "2023", "C39", 100 * 2.0**k) for u, k in C39] + [
    ("C7", "2023", "C39", 5000.0),  # last year 0: no ratio
    ("C8", "2023", "C39", None),  # missing this year: no ratio
    *[(f"I{i}", "2023", "I65", v) for i, v in enumerate([100.0, 110.0, 120.0, 9000.0])],  # 4 only
    *[(f"M{i}", "2023", "M73", v) for i, v in enumerate([100.0] * 4 + [10000.0])],  # MAD = 0
]
HISTORY = [(u, "2022", "C39", 100.0) for u, _ in C39] + [
    ("C7", "2022", "C39", 0.0),
    ("C8", "2022", "C39", 100.0),
]
HISTORY += [(f"I{i}", "2022", "I65", 100.0) for i in range(4)]
HISTORY += [(f"M{i}", "2022", "M73", 100.0) for i in range(5)]


def test_hand_computed_example():
    out = yoy_outliers(table(UPLOAD), table(HISTORY))
    assert out.schema == VIOLATION_SCHEMA
    low, high = to_violations(out)
    assert (low.uscc, low.row, high.uscc, high.row) == ("C1", 0, "C6", 5)
    assert (low.rule, low.severity, low.indicator) == (
        "yoy-outlier",
        "warning",
        "operating_revenue",
    )
    assert low.values["score"] == pytest.approx(-0.6745 * 6 / 0.5)
    assert high.values["score"] == pytest.approx(8.094)
    assert high.values["ratio"] == 128 and high.values["last_year(operating_revenue)"] == 100
    assert high.message == (
        "operating_revenue is 12,800 against 100 in the same period last year (×128), "
        "unusual for industry C39 (modified z-score 8.09); please explain"
    )


def test_threshold_and_group_size_are_parameters():
    # With threshold 1.3 the k=2 enterprise (M = 1.349) is flagged too.
    out = yoy_outliers(table(UPLOAD), table(HISTORY), threshold=1.3)
    assert out["uscc"].to_pylist() == ["C1", "C5", "C6"]
    # min_group 4 lets I65 in: log r of I3 (×90) is far from the others'.
    out = yoy_outliers(table(UPLOAD), table(HISTORY), min_group=4)
    assert out["uscc"].to_pylist() == ["C1", "C6", "I3"]
    assert yoy_outliers(table(UPLOAD), table(HISTORY), min_group=7).num_rows == 0


def test_without_an_industry_column_each_period_is_one_group():
    rows = [(u, p, v) for u, p, _, v in UPLOAD[:6]]
    past = [(u, p, v) for u, p, _, v in HISTORY[:6]]
    out = yoy_outliers(table(rows, industry=False), table(past, industry=False), lang="zh")
    assert out["uscc"].to_pylist() == ["C1", "C6"]
    assert "在—行业中异常" in out["message"][0].as_py()


def test_last_year_may_come_from_the_upload_itself():
    both = table(UPLOAD[:6] + HISTORY[:6])
    assert yoy_outliers(both)["uscc"].to_pylist() == ["C1", "C6"]


def test_inputs():
    assert yoy_outliers(table([])).num_rows == 0
    with pytest.raises(InputError, match="snake_case"):
        yoy_outliers(table(UPLOAD), indicators=['x"; DROP'])
    with pytest.raises(InputError, match="language"):
        yoy_outliers(table(UPLOAD), lang="fr")
    assert math.isclose(0.6745 * 6 / 0.5, 8.094)
