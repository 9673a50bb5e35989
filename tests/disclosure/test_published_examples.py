"""sdcTable's and τ-ARGUS's published problems: primary statuses exact, secondary patterns
that pass the audit at a cost no higher than the published one (tests/disclosure/examples.py
names each source)."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from htz.disclosure import Hierarchy, Rules, audit, from_microdata, protect
from tests.disclosure.examples import LINKED, MICRODATA1, SINGLETONS, TABLE_4X4

REGION = Hierarchy.flat("region", "Total", ["A", "B", "C", "D"])
GENDER = Hierarchy.flat("gender", "Total", ["male", "female"])


def microdata1():
    return from_microdata(
        {"region": MICRODATA1["region"], "gender": MICRODATA1["gender"]},
        {"region": REGION, "gender": GENDER},
        value=MICRODATA1["val"],
    )


def by_key(result):
    return {tuple(r[d] for d in result.cells.dims): r for r in result.rows()}


def test_microdata1_cells_as_published():
    rows = by_key(protect(microdata1(), Rules(min_contributors=0)))
    # sdcTable's cell table (frequencies, sums and top contributions)
    expect = {
        ("Total", "Total"): (100, 1284, 280, 19), ("A", "Total"): (20, 198, 18, 15),
        ("A", "female"): (2, 20, 11, 9), ("D", "male"): (11, 366, 280, 11),
        ("D", "Total"): (25, 518, 280, 18), ("C", "female"): (10, 106, 19, 12),
    }  # fmt: skip
    for key, (n, value, top1, top2) in expect.items():
        r = rows[key]
        assert (r["n"], r["value"], r["top1"], r["top2"]) == (n, value, top1, top2), key


@pytest.mark.parametrize(
    ("rules", "primary"),
    [
        # sdcTable's freq(maxN=2) flags n ≤ 2: htz (and τ-ARGUS) flag n < min_contributors
        (Rules(min_contributors=3), {("A", "female")}),
        (Rules(min_contributors=0, nk=((2, 75.0),)), {("A", "female"), ("D", "male")}),
        (Rules(min_contributors=0, p=70.0), {("A", "female"), ("D", "male")}),
        (Rules(min_contributors=0, pq=(60.0, 80.0)), {("A", "female"), ("D", "male")}),
    ],
)
def test_microdata1_primary_statuses(rules, primary):
    result = protect(microdata1(), rules)
    rows = by_key(result)
    assert {k for k, r in rows.items() if r["status"] == "primary"} == primary
    assert result.ok


def test_protection_levels_are_taus():
    """τ-ARGUS's levels (libtauargus SetProtectionLevelCell), before its integer rounding."""
    rows = by_key(protect(microdata1(), Rules(min_contributors=0, nk=((2, 75.0),))))
    # (100/75)·(11 + 9) − 20 and (100/75)·(280 + 11) − 366
    assert rows[("A", "female")]["required_high"] == pytest.approx(20 + 20 / 3)
    assert rows[("D", "male")]["required_high"] == pytest.approx(366 + 22)
    rows = by_key(protect(microdata1(), Rules(min_contributors=0, p=70.0)))
    # 0.70·11 − (20 − 11 − 9) and 0.70·280 − (366 − 280 − 11)
    assert rows[("A", "female")]["required_low"] == pytest.approx(20 - 7.7)
    assert rows[("D", "male")]["required_low"] == pytest.approx(366 - 121)
    rows = by_key(protect(microdata1(), Rules(min_contributors=3, frequency_range=10)))
    assert rows[("A", "female")]["required_high"] == pytest.approx(22)  # 10 % of 20


@pytest.mark.parametrize(
    ("cost", "published"),
    [("contributors", 40), ("value", 402)],  # sdcTable's OPT (freq costs); τ-ARGUS FREQ(3,10)
)
def test_microdata1_one_sensitive_cell(cost, published):
    """sdcTable's OPT, HITAS, HYPERCUBE and SIMPLEHEURISTIC all give (A,male), (C,male),
    (C,female) for the primary (A,female); τ-ARGUS OPT gives the same at value cost 402."""
    cells = microdata1()
    result = protect(cells, Rules(min_contributors=3, frequency_range=10), "optimal", cost)
    assert result.ok and result.proven_optimal
    rows = by_key(result)
    secondary = {k for k, r in rows.items() if r["status"] == "secondary"}
    paid = sum(r["n" if cost == "contributors" else "value"] for k, r in rows.items()
               if k in secondary)  # fmt: skip
    assert paid <= published
    assert secondary == {("A", "male"), ("C", "male"), ("C", "female")}


@pytest.mark.parametrize(
    ("rule", "tau_cost"), [(Rules(min_contributors=0, nk=((2, 75.0),)), 554),
                           (Rules(min_contributors=0, p=70.0), 674)]
)  # fmt: skip
def test_microdata1_costs_no_more_than_tau_argus(rule, tau_cost):
    """pytauargus 0.6.0 OPT on the same data: NK(2,75) costs 554, P(70,1) 674 (by value)."""
    result = protect(microdata1(), rule, "optimal")
    assert result.ok
    assert result.summary()["secondary_value"] <= tau_cost


def four_by_four():
    rows, cols, n = [], [], []
    for (r, c), v in TABLE_4X4["cells"].items():
        rows.append(r)
        cols.append(c)
        n.append(v)
    hier = {"v1": Hierarchy.flat("v1", "tot", list("wxyz")),
            "v2": Hierarchy.flat("v2", "tot", list("abcd"))}  # fmt: skip
    # a frequency table given per cell: each row stands for ``n`` units
    cells = from_microdata({"v1": rows, "v2": cols}, hier, weight=n)
    forced = np.array([k in TABLE_4X4["primary"] for k in cells.keys])
    return cells, forced


def test_four_by_four_cell_exactly_derivable():
    """Two or more suppressions in every row and column, and still (w,b) = 47 exactly:
    rows w + x give 236, columns a + c give 189."""
    cells, forced = four_by_four()
    rules = Rules(min_contributors=0)
    result = audit(cells, rules, forced, forced=forced)
    rows = by_key(result)
    assert (rows[("w", "b")]["low"], rows[("w", "b")]["high"]) == pytest.approx((47, 47))
    assert not result.ok
    assert [k for k, r in rows.items() if not result.covered[cells.index()[k]]] == [("w", "b")]
    # sdcTable's LP bounds for the other cells of that pattern
    assert (rows[("w", "a")]["low"], rows[("w", "a")]["high"]) == pytest.approx((25, 94))
    assert (rows[("z", "b")]["low"], rows[("z", "b")]["high"]) == pytest.approx((906, 1091))


def test_four_by_four_fixed_at_the_published_optimum():
    """sdcTable's SIMPLEHEURISTIC adds one cell and then attacks (w,b) to [0, 78]: that cell
    is (x,d) = 31, the cheapest single fix; htz's optimum is the same."""
    cells, forced = four_by_four()
    result = protect(cells, Rules(min_contributors=0), "optimal", forced=forced)
    rows = by_key(result)
    assert result.ok
    assert {k for k, r in rows.items() if r["status"] == "secondary"} == {("x", "d")}
    assert (rows[("w", "b")]["low"], rows[("w", "b")]["high"]) == pytest.approx((0, 78))
    heuristic = protect(cells, Rules(min_contributors=0), "heuristic", forced=forced)
    assert heuristic.ok


def linked():
    codes = [c for c, k in LINKED["n"].items() for _ in range(k)]
    hier = {"r1": Hierarchy.from_edges("r1", LINKED["r1"]),
            "r2": Hierarchy.from_edges("r2", LINKED["r2"])}  # fmt: skip
    return from_microdata({"region": codes}, hier, tables=[["r1"], ["r2"]],
                          column_of={"r1": "region", "r2": "region"})  # fmt: skip


def test_linked_tables_safe_alone_derivable_together():
    """freq(maxN=3) marks A, B, K, L, M in each table; each table alone is safe, but
    small − county-1 = K + N = 10 with N = 7 published gives K = 3."""
    cells = linked()
    rules = Rules(min_contributors=4)
    primary = protect(cells, rules, "optimal")
    rows = by_key(primary)
    assert {k[0] for k, r in rows.items() if r["status"] == "primary"} == set("ABKLM")
    only_primary = primary.status == "primary"
    result = audit(cells, rules, only_primary)
    rows = by_key(result)
    assert (rows[("K",)]["low"], rows[("K",)]["high"]) == pytest.approx((3, 3))
    assert not result.ok
    # each table alone: the same pattern is safe
    for name in ("r1", "r2"):
        alone = from_microdata({"region": [c for c, k in LINKED["n"].items() for _ in range(k)]},
                               {name: Hierarchy.from_edges(name, LINKED[name])},
                               column_of={name: "region"})  # fmt: skip
        assert audit(alone, rules, np.isin([k[0] for k in alone.keys], list("ABKLM"))).ok


def test_linked_tables_protected_together_as_published():
    """protect_linked_tables adds exactly N (7) in both tables."""
    result = protect(linked(), Rules(min_contributors=4), "optimal", cost="contributors")
    rows = by_key(result)
    assert result.ok
    assert {k[0] for k, r in rows.items() if r["status"] == "secondary"} == {"N"}


def singletons():
    hier = {"region": Hierarchy.flat("region", "tot", SINGLETONS["codes"])}
    return from_microdata({"region": SINGLETONS["region"]}, hier, value=[10.0, 20.0, 30.0, 40.0])


def test_singletons_insider_attack():
    """a and c are singletons side by side: a's contributor knows a, so c = tot − b − a.
    Only the insider attack sees it; sdcTable's detectSingletons adds b (the cheapest)."""
    cells = singletons()
    rules = Rules(min_contributors=2)
    pattern = np.array([k[0] in ("a", "c") for k in cells.keys])
    result = audit(cells, rules, pattern)
    rows = by_key(result)
    assert (rows[("c",)]["low"], rows[("c",)]["high"]) == pytest.approx((40, 40))
    assert not result.ok
    fixed = protect(cells, rules, "optimal")
    rows = by_key(fixed)
    assert fixed.ok
    assert rows[("d",)]["status"] == "empty"
    assert {k[0] for k, r in rows.items() if r["status"] == "secondary"} == {"b"}


def brute_force_cost(cells, rules, forced=None) -> float:
    """The cheapest pattern by trying every set of candidates, cheapest sets first."""
    base = protect(cells, rules, "heuristic", forced=forced)
    primary = base.status == "primary"
    cand = [i for i in range(len(cells)) if base.status[i] in ("publish", "secondary")]
    best = np.inf
    for size in range(len(cand) + 1):
        for combo in itertools.combinations(cand, size):
            cost = sum(abs(cells.value[i]) for i in combo)
            if cost >= best:
                continue
            pattern = primary.copy()
            pattern[list(combo)] = True
            if audit(cells, rules, pattern, forced=forced).ok:
                best = cost
    return best


def test_optimal_is_the_brute_force_minimum():
    """On a 3 × 3 table with two dominated cells, the MIP's cost equals the minimum found
    by trying every pattern — an independent reference, not the code's own output."""
    hier = {"r": Hierarchy.flat("r", "T", ["a", "b", "c"]),
            "k": Hierarchy.flat("k", "T", ["x", "y", "z"])}  # fmt: skip
    data = {("a", "x"): [100, 5, 5], ("a", "y"): [10, 10, 10], ("a", "z"): [20, 20, 20],
            ("b", "x"): [30, 30, 30], ("b", "y"): [50, 1, 1], ("b", "z"): [15, 15, 15],
            ("c", "x"): [7, 8, 9], ("c", "y"): [12, 12, 12], ("c", "z"): [40, 40, 40]}  # fmt: skip
    cols = {"r": [], "k": []}
    values = []
    for (r, k), xs in data.items():
        for x in xs:
            cols["r"].append(r)
            cols["k"].append(k)
            values.append(x)
    cells = from_microdata(cols, hier, value=values)
    rules = Rules(min_contributors=3, p=10.0, nk=((2, 75.0),))
    opt = protect(cells, rules, "optimal")
    heur = protect(cells, rules, "heuristic")
    assert opt.ok and heur.ok
    best = brute_force_cost(cells, rules)
    assert opt.summary()["secondary_value"] == pytest.approx(best)
    assert heur.summary()["secondary_value"] >= best
