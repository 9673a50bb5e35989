"""The engine's parts on tiny tables worked out by hand, and properties on random ones."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from htz.disclosure import Hierarchy, Rules, audit, from_leaves, from_microdata, protect
from htz.errors import InputError


def test_hierarchy_checks_its_shape():
    h = Hierarchy.from_edges("zone", [("CN", "east"), ("east", "a"), ("east", "b"), ("CN", "c")])
    assert h.root == "CN" and h.codes == ("CN", "east", "a", "b", "c")
    assert h.leaves == ("a", "b", "c") and h.ancestors("a") == ("a", "east", "CN")
    assert h.leaves_under()["east"] == {"a", "b"}
    with pytest.raises(InputError, match="two parents"):
        Hierarchy.from_edges("z", [("CN", "a"), ("X", "a")])
    with pytest.raises(InputError, match="2 roots"):
        Hierarchy.from_edges("z", [("CN", "a"), ("X", "b")])
    with pytest.raises(InputError, match="0 roots"):
        Hierarchy.from_edges("z", [("a", "b"), ("b", "a")])


ZONES = Hierarchy.from_edges("zone", [("CN", "east"), ("CN", "west"), ("east", "a"),
                                      ("east", "b"), ("west", "c")])  # fmt: skip


def keyed(result) -> dict:
    return {k: i for i, k in enumerate(result.cells.keys)}


def test_contributors_weights_and_frequency_tables():
    cells = from_microdata(
        {"zone": ["a", "a", "a", "b", "c"]},
        {"zone": ZONES},
        value=[10.0, 5.0, 1.0, 7.0, 3.0],
        contributor=["g1", "g1", "x", "y", "z"],  # the two g1 rows are one contributor
    )
    i = cells.index()
    assert cells.n[i[("a",)]] == 2 and cells.top[i[("a",)]].tolist() == [15.0, 1.0]
    assert cells.value[i[("CN",)]] == 26.0 and cells.n[i[("east",)]] == 3
    # a row of weight 4 stands for 4 units of its value
    weighted = from_microdata({"zone": ["a", "c"]}, {"zone": ZONES}, value=[2.0, 9.0],
                              weight=[4.0, 1.0])  # fmt: skip
    j = weighted.index()
    assert weighted.value[j[("a",)]] == 8.0 and weighted.n[j[("a",)]] == 4
    assert weighted.top[j[("a",)]].tolist() == [2.0, 2.0]
    freq = from_microdata({"zone": ["a", "a", "c"]}, {"zone": ZONES})
    assert freq.frequency and freq.value[freq.index()[("CN",)]] == 3.0


def test_primary_rules_by_hand():
    # a: 90 + 5 + 5 (dominance and p%); b: 2 enterprises; c: 40 + 35 + 30 (safe)
    cells = from_microdata(
        {"zone": ["a", "a", "a", "b", "b", "c", "c", "c"]},
        {"zone": ZONES},
        value=[90.0, 5.0, 5.0, 20.0, 10.0, 40.0, 35.0, 30.0],
    )
    result = protect(cells, Rules(min_contributors=3, p=10.0, nk=((1, 85.0),)), "optimal")
    i = keyed(result)
    a, b, c = (i[(z,)] for z in "abc")
    assert result.reason[a] == "dominance+p-percent"
    # dominance 90/0.85 − 100 = 5.88; p%: 0.1 · 90 − (100 − 90 − 5) = 4: the larger
    assert result.required_high[a] - 100 == pytest.approx(90 / 0.85 - 100)
    # b: two enterprises, and 30 − 20 − 10 = 0 < 0.1 · 20: protection 2 (p%)
    assert result.reason[b] == "threshold+p-percent" and result.required_high[b] == 32.0
    assert result.status[c] == "publish" or result.status[c] == "secondary"
    assert result.ok


def test_zero_cells_are_never_sensitive_nor_withheld_unless_allowed():
    cells = from_microdata({"zone": ["a", "a", "a", "b", "c", "c", "c"]}, {"zone": ZONES},
                           value=[5.0, 5.0, 5.0, 0.0, 4.0, 4.0, 4.0])  # fmt: skip
    result = protect(cells, Rules(min_contributors=1, p=10.0), "optimal")
    assert not result.withheld.any()  # b: one contributor of 0 is not sensitive
    forced = np.array([k == ("a",) for k in cells.keys])
    result = protect(cells, Rules(min_contributors=1), "optimal", forced=forced)
    i = keyed(result)
    assert result.status[i[("b",)]] == "publish"  # a zero cell is no secondary
    assert result.status[i[("a",)]] == "primary" and result.reason[i[("a",)]] == "forced"
    assert result.ok


def test_keep_and_hidden():
    leaves = from_leaves({"zone": ["a", "b", "c"]}, {"zone": ZONES}, value=[50.0, 60.0, 7.0],
                         n=[5, 6, 1], abs_total=[50.0, 60.0, 7.0],
                         top=[[20.0, 10.0], [20.0, 15.0], [7.0, 0.0]])  # fmt: skip
    rules = Rules(min_contributors=3)
    keep = np.array([k == ("CN",) for k in leaves.keys])
    result = protect(leaves, rules, "optimal", keep=keep)
    i = keyed(result)
    # c (1 enterprise) = west: both primary; CN kept, so east must go with them
    assert result.status[i[("CN",)]] == "publish"
    assert result.status[i[("east",)]] == "secondary" and result.ok
    hidden = np.array([k == ("west",) for k in leaves.keys])
    result = protect(leaves, rules, "optimal", keep=keep, hidden=hidden)
    assert result.status[keyed(result)[("west",)]] == "unpublished" and result.ok


@st.composite
def tables(draw):
    rows, cols = draw(st.integers(2, 4)), draw(st.integers(2, 4))
    sizes = draw(st.lists(st.lists(st.integers(0, 4), min_size=cols, max_size=cols),
                          min_size=rows, max_size=rows))  # fmt: skip
    values = draw(st.lists(st.integers(1, 100), min_size=64, max_size=64))
    return rows, cols, sizes, values


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tables())
def test_both_methods_pass_the_audit_and_optimal_costs_no_more(table):
    rows, cols, sizes, values = table
    r = Hierarchy.flat("r", "T", [f"r{i}" for i in range(rows)])
    c = Hierarchy.flat("c", "T", [f"c{j}" for j in range(cols)])
    data = {"r": [], "c": []}
    vals = []
    k = 0
    for i in range(rows):
        for j in range(cols):
            for _ in range(sizes[i][j]):
                data["r"].append(f"r{i}")
                data["c"].append(f"c{j}")
                vals.append(float(values[k % len(values)]))
                k += 1
    if not vals:
        return
    cells = from_microdata(data, {"r": r, "c": c}, value=vals)
    rules = Rules(min_contributors=3, p=10.0, frequency_range=10.0)
    opt = protect(cells, rules, "optimal")
    heur = protect(cells, rules, "heuristic")
    for result in (opt, heur):
        if not result.ok:  # only a table with nothing to withhold for could fail
            pytest.fail(f"{result.method}: {result.summary()}")
        assert audit(cells, rules, result.withheld).ok
    if opt.proven_optimal:
        assert opt.summary()["secondary_value"] <= heur.summary()["secondary_value"] + 1e-6
