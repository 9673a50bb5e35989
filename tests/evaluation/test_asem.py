"""COINr's ASEM example rebuilt from raw inputs with only examples/asem/framework.yaml."""

from __future__ import annotations

import csv

import numpy as np
import pytest

from htz.evaluation import build_index, load_framework, read_data
from htz.evaluation.stats import kurt, skew

from .conftest import ASEM_FRAMEWORK


@pytest.fixture(scope="module")
def asem(request):
    from .conftest import ASEM_DIR

    if not (ASEM_DIR / "input_iData.csv").exists():
        pytest.skip("shared/data/coin_asem is not available")
    fw = load_framework(ASEM_FRAMEWORK)
    table = read_data(ASEM_DIR / "input_iData.csv")
    return build_index(table, fw), ASEM_DIR


def _published(path):
    with open(path, encoding="utf-8") as f:
        return list(csv.DictReader(f))


def test_every_published_score_and_rank_of_the_top_six(asem):
    result, d = asem
    units = result.units.tolist()
    rows = _published(d / "published_results_top6.csv")
    assert len(rows) == 6
    for row in rows:
        i = units.index(row["uCode"])
        assert result.ranks["Index"][i] == int(row["Rank"])
        for code, text in row.items():
            if code in ("uCode", "Rank"):
                continue
            assert round(result.scores[code][i], 2) == float(text), (row["uCode"], code)


def test_every_published_score_and_rank_of_india(asem):
    result, d = asem
    i = result.units.tolist().index("IND")
    rows = _published(d / "published_unit_summary_IND.csv")
    assert len(rows) == 11
    for row in rows:
        code = row["Code"]
        assert round(result.scores[code][i], 2) == float(row["Score"]), code
        assert result.ranks[code][i] == int(row["Rank"]), code


def test_max_abs_difference_is_within_rounding(asem):
    result, d = asem
    units = result.units.tolist()
    diffs = []
    for row in _published(d / "published_results_top6.csv"):
        i = units.index(row["uCode"])
        diffs += [
            abs(result.scores[c][i] - float(v))
            for c, v in row.items()
            if c not in ("uCode", "Rank")
        ]
    assert max(diffs) <= 0.005


def test_stages_follow_coinr_definitions(asem):
    result, d = asem
    fw = result.framework
    codes = [i.code for i in fw.indicators]
    raw, den = result.stages["raw"], result.stages["denominated"]
    table = read_data(d / "input_iData.csv").to_pydict()
    units = result.units.tolist()
    # Denominated: x / denominator (no scale factor in ASEM)
    j, i = codes.index("Flights"), units.index("AUT")
    assert den[i, j] == pytest.approx(raw[i, j] / float(table["Population"][i]), rel=1e-15)
    # Imputed: Lao PDR has no Energy, so Elec and Gas are missing → Asia group mean
    imp = result.stages["imputed"]
    lao = units.index("LAO")
    asia = np.array([g == "Asia" for g in table["EurAsia_group"]])
    j = codes.index("Elec")
    assert np.isnan(den[lao, j])
    others = den[asia, j][~np.isnan(den[asia, j])]
    assert imp[lao, j] == pytest.approx(others.mean(), rel=1e-15)
    # Screened: nothing left missing after imputation, so all 51 units stay
    assert len(units) == 51 and result.removed == []
    # Treated: every indicator passes the skew/kurtosis check or was winsorised ≤ 5 points
    treated = result.stages["treated"]
    for t, j in zip(result.treatments, range(len(codes)), strict=True):
        x = treated[:, j]
        assert t.winsorised <= 5
        if t.winsorised:
            assert abs(skew(x)) < 2 or kurt(x) < 3.5 or t.transform
    # Normalised: min-max onto [0, 100] with directions
    norm = result.stages["normalised"]
    assert np.nanmin(norm, axis=0) == pytest.approx(0) and np.nanmax(norm, axis=0) == pytest.approx(
        100
    )
    j = codes.index("Tariff")  # direction -1: the lowest tariff scores 100
    assert norm[np.nanargmin(treated[:, j]), j] == pytest.approx(100)


def test_effective_weights_sum_to_one(asem):
    result, _ = asem
    ew = result.effective_weights
    assert sum(ew[i.code] for i in result.framework.indicators) == pytest.approx(1)
    assert ew["Conn"] == pytest.approx(0.5) and ew["Physical"] == pytest.approx(0.1)
    assert ew["LPI"] == pytest.approx(0.1 / 8)
