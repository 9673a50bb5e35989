"""Ratio imputation, checked against values worked out by hand."""

import pytest
import sqlalchemy as sa

from htz.reporting import service
from htz.reporting.workflow import find_report

pytestmark = pytest.mark.integration


@pytest.fixture
def september(registry, put):
    e = registry
    # 2022-M09 (last year), all accepted
    put(
        "monthly",
        [
            (e["A"], "2022-M09", {"operating_revenue": 100.0, "employees": 10.0}),
            (e["B"], "2022-M09", {"operating_revenue": 200.0, "employees": 20.0}),
            (e["C"], "2022-M09", {"operating_revenue": 300.0, "employees": 30.0}),
            (e["D"], "2022-M09", {"operating_revenue": 60.0, "employees": 6.0}),
            (e["F"], "2022-M09", {"operating_revenue": 50.0}),
            (e["G"], "2022-M09", {"operating_revenue": 1000.0}),
        ],
    )
    # 2023-M08, only E reported (it is new: no last-year value)
    put(
        "monthly",
        [
            (e["A"], "2023-M08", {"operating_revenue": 110.0}),
            (e["B"], "2023-M08", {"operating_revenue": 190.0}),
            (e["C"], "2023-M08", {"operating_revenue": 350.0}),
            (e["E"], "2023-M08", {"operating_revenue": 40.0}),
        ],
    )
    # 2023-M09: A, B, C respond; D, E, F, G do not; H left on 2023-06-30
    put(
        "monthly",
        [
            (e["A"], "2023-M09", {"operating_revenue": 120.0, "employees": 11.0}),
            (e["B"], "2023-M09", {"operating_revenue": 220.0, "employees": 21.0}),
            (e["C"], "2023-M09", {"operating_revenue": 360.0, "employees": 36.0}),
        ],
    )
    return e


def test_missing_lists_expected_enterprises_without_an_accepted_report(conn, september):
    missing = {m.uscc for m in service.missing(conn, "monthly", "2023-M09")}
    e = september
    assert missing == {e["D"], e["E"], e["F"], e["G"]}  # H has left: not expected
    assert {m.uscc for m in service.missing(conn, "monthly", "2023-M09", "hangzhou")} == {e["G"]}


def test_ratio_imputation_by_hand(conn, september):
    e = september
    result = service.impute(conn, "tester", "monthly", "2023-M09")
    d = find_report(conn, e["D"], "monthly", "2023-M09")
    # stratum shenzhen × C has 3 respondents reporting both years:
    # revenue growth (120 + 220 + 360) / (100 + 200 + 300) = 700 / 600; D: 60 × 700/600 = 70
    # employees growth (11 + 21 + 36) / (10 + 20 + 30) = 68 / 60; D: 6 × 68/60 = 6.8
    assert d["status"] == "imputed"
    assert d["values"]["operating_revenue"] == 70.0
    assert d["values"]["employees"] == pytest.approx(6.8, rel=1e-15)
    assert d["flags"] == {"operating_revenue": "imputed", "employees": "imputed"}
    # F (shenzhen × section I): fewer than 3 respondents in its stratum -> zone shenzhen: 700/600
    f = find_report(conn, e["F"], "monthly", "2023-M09")
    assert f["values"] == {"operating_revenue": 50.0 * 700.0 / 600.0}
    assert result.details[(e["F"], "operating_revenue")][3] == "zone"
    # G (hangzhou): no respondents in its zone -> nation: 1000 × 700/600
    assert result.details[(e["G"], "operating_revenue")][3] == "nation"
    # E has no last-year value: previous month × month-on-month growth of respondents
    # (120 + 220 + 360) / (110 + 190 + 350) = 700 / 650; E: 40 × 700 / 650
    e_report = find_report(conn, e["E"], "monthly", "2023-M09")
    assert e_report["values"]["operating_revenue"] == 40.0 * 700.0 / 650.0
    assert result.details[(e["E"], "operating_revenue")][1] == "2023-M08"
    assert find_report(conn, e["H"], "monthly", "2023-M09") is None
    # imputed share of revenue: imputed / (reported + imputed)
    imputed = 70.0 + 50.0 * 700 / 600 + 1000.0 * 700 / 600 + 40.0 * 700 / 650
    assert result.shares["operating_revenue"]["share"] == pytest.approx(
        imputed / (700.0 + imputed), rel=1e-12
    )
    assert result.imputed_reports == 4


def test_imputation_is_idempotent_and_real_report_replaces_it(conn, september, put):
    e = september
    service.impute(conn, "tester", "monthly", "2023-M09")
    service.impute(conn, "tester", "monthly", "2023-M09")
    count = conn.execute(
        sa.text("SELECT count(*) FROM reports WHERE period = '2023-M09' AND status = 'imputed'")
    ).scalar()
    assert count == 4
    result = put("monthly", [(e["D"], "2023-M09", {"operating_revenue": 65.0})], status="submitted")
    assert result.replaced_imputed == 1
    d = find_report(conn, e["D"], "monthly", "2023-M09")
    assert d["status"] == "submitted"
    assert d["values"] == {"operating_revenue": 65.0} and d["flags"] == {
        "operating_revenue": "reported"
    }
    # a later imputation run never overwrites the real report
    service.impute(conn, "tester", "monthly", "2023-M09")
    assert find_report(conn, e["D"], "monthly", "2023-M09")["values"] == {"operating_revenue": 65.0}


def test_period_must_fit_the_form(conn, september):
    from htz.errors import PeriodError

    with pytest.raises(PeriodError, match="monthly form"):
        service.impute(conn, "tester", "monthly", "2023-Q3")
