"""The bulletin's protection step on leaf cells worked out by hand: the quarters of a year.

One province (in region east) with three zones; revenue year to date, in 万元, with the
enterprises' contributions:

| zone | Q1 (to March)        | Q2 (to June)          |
|------|----------------------|-----------------------|
| a    | 50, 3, 3 = 56        | 100, 5, 5 = 110       |
| b    | 29, 29, 29 = 87      | 30, 30, 30 = 90       |
| c    | 20, 20, 20 = 60      | 40, 40, 40 = 120      |

Zone a is dominated (one enterprise above 85 %) in both quarters. In Q2 it needs
protection upwards of 100/0.85 − 110 = 7.65 (the p% rule asks less: 10 − 5 = 5).
"""

from __future__ import annotations

import pytest

from htz.analytics import protection

ZONES = [{"code": z, "province_code": "11", "region": "east"} for z in "abc"]
Q1 = {"a": [50, 3, 3], "b": [29, 29, 29], "c": [20, 20, 20]}
Q2 = {"a": [100, 5, 5], "b": [30, 30, 30], "c": [40, 40, 40]}


def leaves(values: dict[str, list[float]], indicator: str = "operating_revenue") -> list[dict]:
    out = []
    for zone, parts in values.items():
        top = sorted(parts, reverse=True)
        out.append({"indicator": indicator, "zone_code": zone, "section": "C",
                    "value": float(sum(parts)), "n": len(parts), "abs_total": float(sum(parts)),
                    "top1": float(top[0]), "top2": float(top[1])})  # fmt: skip
    return out


def withheld(pattern: protection.Pattern, indicator: str = "operating_revenue") -> dict:
    return {key: why.split("+")[0] for (i, level, key), why in pattern.levels.items()
            if i == indicator and level == "zone"}  # fmt: skip


@pytest.fixture(autouse=True)
def fresh_memo():
    protection._MEMO.clear()
    yield
    protection._MEMO.clear()


def test_each_quarter_alone_withholds_the_cheapest_partner():
    """Q1: a and the cheaper of b (87) and c (60): c. Q2 alone: a and b (90 < 120)."""
    assert withheld(protection.protect_all(leaves(Q1), ZONES)) == {
        "a": "dominance", "c": "secondary"}  # fmt: skip
    assert withheld(protection.protect_all(leaves(Q2), ZONES)) == {
        "a": "dominance", "b": "secondary"}  # fmt: skip


def test_a_quarter_is_protected_with_the_quarters_before_it():
    """Q2 alone would publish c = 120 and withhold a and b, whose sum is 200. But Q1
    published b = 87, and revenue to June is no less than revenue to March: b ≥ 87, so
    a ≤ 113 — short of the 117.65 that a needs. Protected with Q1, Q2 withholds c
    instead (a + c = 230; b = 90 is published): a can be anything from 0 to 230, since
    c's March value, the only floor under c, is itself withheld (a + c = 116 in Q1)."""
    pattern = protection.protect_all(leaves(Q2), ZONES, earlier=[leaves(Q1)])
    assert withheld(pattern) == {"a": "dominance", "c": "secondary"}
    assert pattern.audit["operating_revenue"]["periods"] == 2
    assert pattern.audit["operating_revenue"]["passed"] is True


def test_indicators_that_may_fall_are_not_linked():
    """Net profit to June may be below net profit to March: each quarter stands alone."""
    q1, q2 = leaves(Q1, "net_profit"), leaves(Q2, "net_profit")
    assert not protection.linked("net_profit")
    assert not protection.linked("employees")  # a stock
    assert protection.linked("exports")
    pattern = protection.protect_all(q2, ZONES, earlier=[q1])
    assert withheld(pattern, "net_profit") == {"a": "dominance", "b": "secondary"}
    assert pattern.audit["net_profit"]["periods"] == 1


@pytest.mark.parametrize(("withheld_q2", "covered"), [("ab", False), ("ac", True)])
def test_the_attacker_with_both_quarters(withheld_q2, covered):
    """tests/analytics/attack.py's LP over both quarters (Q1 withholds a and c): a's
    interval in Q2 under the single-quarter pattern ([0, 200 − 87]) and under the linked
    one ([0, 230]: a = 116, c = 0 to March and a = 230, c = 0 to June fit everything)."""
    from tests.analytics.attack import _LP

    eqs, known = [], {}
    for q, values in (("1", Q1), ("2", Q2)):
        total = float(sum(sum(v) for v in values.values()))
        eqs.append((f"{q}|P", [f"{q}|{z}" for z in "abc"]))
        hidden = "ac" if q == "1" else withheld_q2
        known |= {f"{q}|P": total}
        known |= {f"{q}|{z}": None if z in hidden else float(sum(values[z])) for z in "abc"}
    free = [c for c, v in known.items() if v is None]
    lp = _LP(eqs, known, free, True, grows=[(f"1|{z}", f"2|{z}") for z in "abc"])
    low, high = lp.range("2|a")
    assert low == pytest.approx(0.0, abs=1e-6)
    assert (high >= 110 + 7.65) is covered
    assert high == pytest.approx(113.0 if not covered else 230.0)


def test_what_an_earlier_quarter_published_is_not_asked_back():
    """a grows from 32 + 31 + 31 = 94 (published in Q1) to 100 + 2 + 2 = 104 (dominated in
    Q2: it needs ±13.65, down to 90.35). Revenue to June is no less than the 94 to March,
    so no pattern can take a below 94: the requirement downwards ends there (a priori). With
    b withheld too (120, cheaper than c's 130), a + b = 224 and b ≥ 87: a ≤ 137, enough."""
    q1 = {"a": [32, 31, 31], "b": [29, 29, 29], "c": [30, 30, 30]}
    q2 = {"a": [100, 2, 2], "b": [40, 40, 40], "c": [45, 45, 40]}
    assert withheld(protection.protect_all(leaves(q1), ZONES)) == {}
    pattern = protection.protect_all(leaves(q2), ZONES, earlier=[leaves(q1)])
    assert withheld(pattern) == {"a": "dominance", "b": "secondary"}
    # capped before the MIP starts, which then stays feasible (no fall back to the heuristic)
    assert pattern.audit["operating_revenue"]["method"] == "optimal"
    assert pattern.audit["operating_revenue"]["passed"] is True
