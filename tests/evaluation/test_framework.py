from __future__ import annotations

import numpy as np
import pytest

from htz.errors import ConfigError, InputError
from htz.evaluation import build_index, load_framework, packaged_frameworks
from htz.evaluation.framework import parse_framework


def _fw(**over):
    raw = {
        "units": {"id": "unit"},
        "steps": ["normalise", "aggregate"],
        "tree": {"code": "I", "children": [{"code": "a"}, {"code": "b"}]},
    }
    raw.update(over)
    return raw


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (_fw(steps=["aggregate", "normalise"]), "aggregate must be the last"),
        (_fw(steps=["normalise"]), "need a normalise and an aggregate"),
        (_fw(steps=[{"normalise": {"method": "softmax"}}, "aggregate"]), "softmax"),
        (_fw(tree={"code": "I", "children": [{"code": "a"}, {"code": "a"}]}), "used twice"),
        (_fw(tree={"code": "I", "children": [{"code": "a", "direction": 2}]}), "direction"),
        (_fw(tree={"code": "I", "children": [{"code": "a", "wieght": 2}]}), "wieght"),
        (_fw(steps=[{"normalise": {"method": "dist_to_target"}}, "aggregate"]), "no target"),
        (_fw(steps=[{"impute": {"method": "group_mean"}}, "normalise", "aggregate"]), "group"),
        (_fw(uncertainty={"weights": {"noise": 2}}), "noise"),
    ],
)
def test_mistakes_are_named(raw, message):
    with pytest.raises(ConfigError, match=message):
        parse_framework(raw)


def test_missing_columns_and_bad_numbers_are_named():
    fw = parse_framework(_fw())
    with pytest.raises(InputError, match=r"column.* b not found"):
        build_index({"unit": ["x", "y"], "a": [1, 2]}, fw)
    with pytest.raises(InputError, match=r"row 3, column 'a': 'abc' is not a number"):
        build_index({"unit": ["x", "y"], "a": ["1", "abc"], "b": ["1", "2"]}, fw)
    with pytest.raises(InputError, match="more than once"):
        build_index({"unit": ["x", "x"], "a": [1, 2], "b": [1, 2]}, fw)


@pytest.mark.parametrize("name", ["zones-2013", "zones-2021", "zones-2024"])
def test_packaged_zone_frameworks_build_on_synthetic_zones(name):
    fw = load_framework(name)
    assert fw.source and fw.version
    rng = np.random.default_rng(1)
    n = 60
    data = {
        "zone": [f"z{i:03d}" for i in range(n)],
        "name": [f"zone {i}" for i in range(n)],
        "region": rng.choice(["east", "central", "west", "northeast"], n).tolist(),
    }
    for ind in fw.indicators:
        col = rng.lognormal(size=n)
        col[rng.random(n) < 0.05] = np.nan
        data[ind.code] = col
    r = build_index(data, fw)
    assert r.scores["index"].shape == (len(r.units),)
    assert sum(r.effective_weights[i.code] for i in fw.indicators) == pytest.approx(1)


def test_official_weights_of_the_zone_frameworks():
    assert packaged_frameworks() == ["zones-2013", "zones-2021", "zones-2024"]
    w13 = load_framework("zones-2013").effective_weights()
    assert [
        round(w13[c], 2)
        for c in ("knowledge_innovation", "upgrading_structure", "international", "sustainable")
    ] == [0.3, 0.3, 0.2, 0.2]
    f24 = load_framework("zones-2024")
    first = f24.nodes["overall_quality"]
    assert f24.effective_weights()["overall_quality"] == pytest.approx(0.15)
    assert {c.code: c.weight for c in first.children} == {
        "zone_gdp_share_of_city": 0.8,
        "manufacturing_producer_service_revenue_share": 1.2,
        "manufacturing_value_added_rate": 1.0,
        "net_new_operating_revenue": 1.0,
    }
    assert load_framework(None).version == "2021"
    with pytest.raises(ConfigError, match="packaged framework"):
        load_framework("zones-1999")
