from __future__ import annotations

import numpy as np
import pytest

from htz.errors import ConfigError, InputError
from htz.evaluation import build_index
from htz.evaluation.eligibility import Criterion, assess_upgrade, load_criteria
from htz.evaluation.publish import indicator_lists, top_list

from .conftest import tiny_data, tiny_framework


def _table():
    data = tiny_data(n=6)
    data["level"] = ["national"] * 3 + ["provincial"] * 3
    data["years"] = [30, 30, 30, 5, 2, np.nan]
    data["rd"] = [0.05, 0.05, 0.05, 0.03, 0.04, 0.03]
    return data


CRITERIA = [
    Criterion("years", "years", ">=", 3, "years as provincial zone"),
    Criterion("rd", "rd", ">=", 0.025, "R&D intensity"),
]


def test_pass_fail_per_criterion_and_ranking_among_candidates():
    fw, data = tiny_framework(), _table()
    result = build_index(data, fw)
    a = assess_upgrade(data, fw, CRITERIA, candidate_column="level", result=result)
    assert next(r["unit"] for r in a.rows) == "u3" and a.passed() == ["u3"]
    by = {r["unit"]: r for r in a.rows}
    assert set(by) == {"u3", "u4", "u5"}
    assert by["u4"]["criteria"]["years"] == {"value": 2.0, "passed": False}
    assert by["u5"]["criteria"]["years"] == {"value": None, "passed": None}
    assert not by["u5"]["eligible"]
    scores = {u: result.scores["I"][result.units.tolist().index(u)] for u in by}
    best = max(scores, key=scores.get)
    assert by[best]["rank"] == 1 and sorted(r["rank"] for r in a.rows) == [1, 2, 3]


def test_default_criteria_and_errors(tmp_path):
    crit = load_criteria()
    assert {c.column for c in crit} >= {"rd_intensity", "years_as_provincial_zone"}
    with pytest.raises(InputError, match="not found"):
        assess_upgrade(_table(), tiny_framework(), crit)
    bad = tmp_path / "c.yaml"
    bad.write_text("criteria:\n  - {column: rd, op: '=>', threshold: 1}\n")
    with pytest.raises(ConfigError, match="op"):
        load_criteria(bad)


def test_unordered_top_list_and_indicator_lists():
    fw, data = tiny_framework(), tiny_data(n=8)
    r = build_index(data, fw)
    top = top_list(r, 3)
    assert [t["unit"] for t in top] == sorted(t["unit"] for t in top)
    best = {r.units[i] for i in np.nonzero(r.ranks["I"] <= 3)[0]}
    assert {t["unit"] for t in top} == best
    lists = indicator_lists(r, 2)
    b = np.asarray(data["b"])  # direction -1: smallest first
    assert lists["b"][0]["unit"] == f"u{int(np.argmin(b))}" and len(lists["b"]) == 2
