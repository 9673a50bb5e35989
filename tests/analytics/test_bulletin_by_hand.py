"""Bulletin figures on the hand-made data set (tests/analytics/conftest.py), by hand."""

import pytest

from htz import app as application
from htz.analytics import bulletin
from htz.analytics.frame import open_frame

pytestmark = pytest.mark.integration


@pytest.fixture
def figures(by_hand):
    frame = open_frame(application.latest_snapshot(by_hand))
    return bulletin.compute(frame, "2023-Q3")


def test_revenue_totals_and_both_growth_rates(figures):
    rev = figures["headline"]["operating_revenue"]
    # F imputed from the nation (no stratum or zone with 3 respondents):
    # 60 × (120 + 210 + 330) / (100 + 200 + 300) = 66
    # current total: A 120 + B 210 + C 330 + D 50 + F 66 + G 40 = 816
    assert rev["value"] == pytest.approx(816.0, rel=1e-12)
    # current basis: 816 / (A 100 + B 200 + C 300 + E 80 + F 60 = 740) - 1
    assert rev["growth_current"] == pytest.approx(816 / 740 - 1, rel=1e-12)
    # comparable basis: enterprises with a value in both years: A, B, C, F
    # (120 + 210 + 330 + 66) / (100 + 200 + 300 + 60) - 1 = 726 / 660 - 1 = 0.1
    assert rev["growth_comparable"] == pytest.approx(0.1, rel=1e-12)
    assert rev["unit"] == "yuan" and rev["n_enterprises"] == 6
    assert rev["imputed_share"] == pytest.approx(66 / 816, rel=1e-12)


def test_zone_gdp_by_the_income_approach(figures):
    gdp = figures["headline"]["zone_gdp"]
    # F's components imputed × 1.2 each: 12 × 1.2 = 14.4
    # current: 30 + 43.2 + 60 + D 10 + F 14.4 + G 8 = 165.6
    assert gdp["value"] == pytest.approx(165.6, rel=1e-12)
    # current basis: 165.6 / (25 + 36 + 50 + E 10 + F 12 = 133) - 1
    assert gdp["growth_current"] == pytest.approx(165.6 / 133 - 1, rel=1e-12)
    # comparable: (30 + 43.2 + 60 + 14.4) / (25 + 36 + 50 + 12) - 1 = 147.6 / 123 - 1 = 0.2
    assert gdp["growth_comparable"] == pytest.approx(0.2, rel=1e-12)


def test_counts_and_quality(figures):
    assert figures["zones"] == 178  # national zones on 2023-09-30, Aksu-Alar included
    assert figures["enterprises"] == 6  # A B C D F G owe a report; E has left
    assert figures["quality"]["reporting_rate"] == pytest.approx(5 / 6)
    assert figures["periods"] == {"monthly": "2023-M09", "quarterly": "2023-Q3"}


def test_small_cells_are_withheld_with_no_value(figures):
    zones = {z["code"]: z for z in figures["by_zone"]}
    # shenzhen: A, B, D (3 enterprises), A+B+D = 380 with B 210 = 55%: not sensitive, but
    # withheld as the secondary cell (tests/analytics/test_disclosure.py says why)
    shenzhen = zones["shenzhen"]["operating_revenue"]
    assert shenzhen["reason"] == "secondary" and shenzhen["value"] is None
    # hangzhou: C and F (2 enterprises): withheld; aksu-alar: G alone: withheld
    for code in ("hangzhou", "aksu-alar"):
        cell = zones[code]["operating_revenue"]
        assert cell["confidential"] and cell["value"] is None
        assert cell["growth_comparable"] is None and cell["reason"] == "threshold"


def test_platform_shares_present(figures):
    assert "national_manufacturing_innovation_centre" in figures["platform_shares"]
