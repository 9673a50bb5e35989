"""The bulletin's disclosure control, by hand and under attack (tests/analytics/attack.py)."""

from __future__ import annotations

import copy

import pytest

from htz import app as application
from htz.analytics import bulletin
from htz.analytics import metrics as m
from htz.analytics.frame import open_frame
from htz.periods import parse
from tests.analytics.attack import attack

pytestmark = pytest.mark.integration


def evidence(frame, period: str) -> tuple[dict, list[dict]]:
    """The zones of the period (→ province, region) and every counted enterprise value."""
    p = parse(period)
    day = p.end_date
    zones = frame.registry("zones")
    live = {z["code"]: (z["province_code"] or "unassigned", z["region"] or "unassigned")
            for z in frame.rows(m.zones_on(zones, day))}  # fmt: skip
    values = bulletin.enterprise_values(frame, p)
    attrs = m.attributes(frame.registry("enterprises"), zones, day)
    now = values.filter(values.has_now).join(attrs.select("uscc", "zone_code", "section"), "uscc")
    rows = frame.rows(now.select("uscc", "indicator", "value", "zone_code", "section"))
    return live, rows


@pytest.fixture
def frame(by_hand):
    return open_frame(application.latest_snapshot(by_hand))


def test_withheld_by_hand(frame):
    """2023-Q3 revenue: hangzhou (C 330, F 66: two enterprises) and aksu-alar (G 40 alone)
    are primary. An outsider then knows only hangzhou + aksu-alar = 816 − 380 = 436, but G
    knows its own 40 and would get hangzhou = 396: so shenzhen (380), its province 44 (the
    same 380) and its one section cell are withheld too, and region east with them (west
    is G alone). The national 816 stays published."""
    data = bulletin.compute(frame, "2023-Q3")
    rev = {z["code"]: z["operating_revenue"] for z in data["by_zone"]}
    assert rev["hangzhou"]["reason"] == "threshold"
    assert rev["aksu-alar"]["reason"] == "threshold"
    assert rev["shenzhen"]["confidential"] and rev["shenzhen"]["reason"] == "secondary"
    provinces = {p["code"]: p["operating_revenue"] for p in data["by_province"]}
    assert {k for k, c in provinces.items() if c["confidential"]} == {"33", "44", "65"}
    regions = {r["code"]: r["operating_revenue"] for r in data["by_region"]}
    assert regions["west"]["reason"] == "threshold" and regions["east"]["reason"] == "secondary"
    assert data["headline"]["operating_revenue"]["value"] == pytest.approx(816.0)
    lq = data["specialisation"]["operating_revenue"]
    assert all(c["confidential"] and c["lq"] is None for c in lq)
    audit = data["disclosure"]["audit"]["operating_revenue"]
    assert audit == {"cells": audit["cells"], "primary": 7, "secondary": 4,
                     "method": "optimal", "periods": 1, "passed": True}  # fmt: skip


@pytest.mark.parametrize("period", ["2022-Q3", "2023-Q3"])
def test_an_attacker_finds_nothing(frame, period):
    data = bulletin.compute(frame, period)
    zones, rows = evidence(frame, period)
    assert [str(f) for f in attack(data, zones, rows)] == []


def test_the_attacker_finds_what_the_old_rule_leaked(frame):
    """Publish shenzhen again (as the one-table rule did): G's insider attack, and the
    outsider's subtraction through the province, must now find hangzhou."""
    data = copy.deepcopy(bulletin.compute(frame, "2023-Q3"))
    zones, rows = evidence(frame, "2023-Q3")
    for key, code in (("by_zone", "shenzhen"), ("by_province", "44"), ("by_region", "east")):
        cell = next(r for r in data[key] if r["code"] == code)["operating_revenue"]
        cell.update(value={"shenzhen": 380.0, "44": 380.0, "east": 776.0}[code],
                    confidential=False)  # fmt: skip
    found = [f for f in attack(data, zones, rows) if f.indicator == "operating_revenue"]
    assert any(f.cell == "Z:hangzhou" and f.low == pytest.approx(396) for f in found)


def test_growth_never_gives_last_years_withheld_value(frame):
    """A growth rate and this year's value give last year's: where last year's cell was
    withheld, this year's growth is too."""
    now = bulletin.compute(frame, "2023-Q3")
    before = bulletin.compute(frame, "2022-Q3")
    for key in ("by_region", "by_province", "by_zone"):
        last = {r["code"]: r for r in before[key]}
        for row in now[key]:
            for indicator, cell in row.items():
                if not isinstance(cell, dict):
                    continue
                old = last.get(row["code"], {}).get(indicator)
                if old and old["confidential"]:
                    assert cell["growth_current"] is None, (key, row["code"], indicator)
                    assert cell["growth_comparable"] is None, (key, row["code"], indicator)
