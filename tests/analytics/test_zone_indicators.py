"""Zone indicators of the evaluation on a hand-made annual data set, checked by hand.

Zones: shenzhen, hangzhou, changsha (no enterprises). Annual reports (accepted):

| ent | zone     | division | certified | in zone             | 2022 | 2023 |
|-----|----------|----------|-----------|---------------------|------|------|
| A   | shenzhen | 39 (C)   | yes       | 2015 on             | yes  | yes  |
| B   | shenzhen | 65 (I)   | no        | 2015 on             | yes  | yes  |
| F   | shenzhen | 39 (C)   | yes       | 2015 on             | –    | – (no report) |
| C   | hangzhou | 39 (C)   | yes       | 2015 on             | yes  | yes  |
| D   | hangzhou | 70 (K)   | no        | entered 2023-03-01  | –    | yes  |
| E   | hangzhou | 39 (C)   | yes       | left 2023-06-30     | yes  | –    |

Platforms: shenzhen a key laboratory (2020), an incubator (2019) and an engineering
research centre approved in 2024; hangzhou a manufacturing innovation centre (2023-05);
one laboratory outside any zone.
"""

from __future__ import annotations

import datetime as dt
import json

import pyarrow as pa
import pytest
import sqlalchemy as sa

from htz import app as application
from htz.analytics.frame import open_frame
from htz.analytics.zone_indicators import INDICATORS, UNAVAILABLE, zone_indicators
from htz.evaluation import load_framework
from htz.registry.uscc import check_character
from htz.reporting.reports import enterprise_index, store_upload
from htz.store.schema import enterprises, platforms

pytestmark = pytest.mark.integration

PEOPLE = {  # zone, division, certified, entered, left
    "A": ("shenzhen", "39", True, dt.date(2015, 1, 1), None),
    "B": ("shenzhen", "65", False, dt.date(2015, 1, 1), None),
    "F": ("shenzhen", "39", True, dt.date(2015, 1, 1), None),
    "C": ("hangzhou", "39", True, dt.date(2015, 1, 1), None),
    "D": ("hangzhou", "70", False, dt.date(2023, 3, 1), None),
    "E": ("hangzhou", "39", True, dt.date(2015, 1, 1), dt.date(2023, 6, 30)),
}
COLUMNS = ("operating_revenue", "rd_expenditure", "employees", "industrial_output",
           "exports", "profit_total", "energy_consumption", "wages", "depreciation",
           "production_taxes", "operating_surplus")  # fmt: skip
ANNUAL = {  # revenue, R&D, employees, output, exports, profit, energy, value added components
    "2022": {
        "A": (800, 40, 90, 300, 150, 60, 4, 32, 8, 4, 36),  # value added 80
        "B": (500, 45, 50, None, 0, 20, 1, 30, 5, 5, 10),  # 50
        "C": (1600, 50, 180, 900, 100, 100, 10, 60, 15, 15, 60),  # 150
        "E": (400, 10, 40, 200, 0, 10, 3, 20, 5, 5, 10),  # 40
    },
    "2023": {
        "A": (1000, 50, 100, 400, 200, 80, 5, 40, 10, 5, 45),  # 100
        "B": (500, 50, 60, None, 0, 20, 1, 30, 5, 5, 10),  # 50
        "C": (2000, 60, 200, 1000, 100, 150, 12, 80, 20, 20, 80),  # 200
        "D": (300, 0, 30, None, 30, -10, 0, 20, 6, 4, 16),  # 46
    },
}
PLATFORMS = [  # type, name, zone, approved
    ("national_key_laboratory", "实验室甲", "shenzhen", "2020"),
    ("incubator", "孵化器乙", "shenzhen", "2019-05"),
    ("national_engineering_research_centre", "工程中心丙", "shenzhen", "2024"),
    ("national_manufacturing_innovation_centre", "创新中心丁", "hangzhou", "2023-05"),
    ("national_key_laboratory", "实验室戊", None, "2020"),
]


def uscc(letter: str) -> str:
    first17 = f"91440300{ord(letter):09d}"
    return first17 + check_character(first17)


@pytest.fixture
def annual(htz_app):
    with htz_app.connect() as conn:
        conn.execute(sa.insert(enterprises), [
            {"uscc": uscc(k), "name": f"企业{k}", "zone_code": zone, "industry_code": division,
             "entered": entered, "left": left, "high_tech_certified": certified,
             "little_giant": False, "listed": False}
            for k, (zone, division, certified, entered, left) in PEOPLE.items()
        ])  # fmt: skip
        conn.execute(sa.insert(platforms), [
            {"type": t, "name_zh": name, "zone_code": zone, "approved": approved,
             "zone_status": "confirmed" if zone else "none"}
            for t, name, zone, approved in PLATFORMS
        ])  # fmt: skip
        ents = enterprise_index(conn)
        for period, rows in ANNUAL.items():
            table = pa.table({
                "uscc": [uscc(k) for k in rows], "period": [period] * len(rows),
                **{c: pa.array([None if v[i] is None else float(v[i]) for v in rows.values()],
                               pa.float64()) for i, c in enumerate(COLUMNS)},
            })  # fmt: skip
            store_upload(conn, "t", "annual", table, list(COLUMNS), ents, status="accepted")
    application.build_snapshot(htz_app)
    return htz_app


def _by_zone(app, year: int, engine: str = "duckdb") -> tuple[pa.Table, dict[str, dict]]:
    frame = open_frame(application.latest_snapshot(app), engine)
    table = zone_indicators(frame, year)
    return table, {r["zone"]: r for r in table.to_pylist()}


def test_ratios_of_zone_totals(annual):
    _, z = _by_zone(annual, 2023)
    sz, hz = z["shenzhen"], z["hangzhou"]
    assert sz["rd_intensity"] == pytest.approx((50 + 50) / (1000 + 500))
    assert hz["rd_intensity"] == pytest.approx((60 + 0) / (2000 + 300))
    # value added by the income approach / employees
    assert sz["labour_productivity"] == pytest.approx((100 + 50) / (100 + 60))
    assert hz["labour_productivity"] == pytest.approx((200 + 46) / (200 + 30))
    assert sz["export_share"] == pytest.approx(200 / 1500)
    assert hz["profit_margin"] == pytest.approx((150 - 10) / 2300)
    # tonnes of standard coal per 10,000 yuan of value added
    assert sz["energy_intensity"] == pytest.approx((5 + 1) / ((100 + 50) / 10_000))
    # manufacturing (section C) only; B reports no output and is not manufacturing
    assert sz["manufacturing_value_added_rate"] == pytest.approx(100 / 400)
    assert hz["manufacturing_value_added_rate"] == pytest.approx(200 / 1000)
    # 39 manufacturing and 65 software count; 70 real estate does not
    assert sz["manufacturing_producer_service_revenue_share"] == pytest.approx(1.0)
    assert hz["manufacturing_producer_service_revenue_share"] == pytest.approx(2000 / 2300)


def test_growth_is_on_the_comparable_basis(annual):
    _, z = _by_zone(annual, 2023)
    sz, hz = z["shenzhen"], z["hangzhou"]
    assert sz["operating_revenue_growth"] == pytest.approx(1500 / 1300 - 1)
    # D entered and E left: hangzhou compares C with itself (current basis would be +15%)
    assert hz["operating_revenue_growth"] == pytest.approx(2000 / 1600 - 1)
    assert hz["value_added_growth"] == pytest.approx(200 / 150 - 1)
    assert sz["employment_growth"] == pytest.approx((100 + 60) / (90 + 50) - 1)
    # net new revenue is on the current basis: 2,300 − 2,000
    assert hz["net_new_operating_revenue"] == pytest.approx(300)


def test_registry_and_platform_indicators(annual):
    _, z = _by_zone(annual, 2023)
    # in the zone at the end of 2023: shenzhen A, B, F (F filed nothing); hangzhou C, D
    assert z["shenzhen"]["high_tech_enterprise_share"] == pytest.approx(2 / 3)
    assert z["hangzhou"]["high_tech_enterprise_share"] == pytest.approx(1 / 2)
    assert (z["shenzhen"]["national_platforms"], z["shenzhen"]["rd_institutions"]) == (2, 1)
    assert (z["hangzhou"]["national_platforms"], z["hangzhou"]["rd_institutions"]) == (1, 1)
    assert (z["changsha"]["national_platforms"], z["changsha"]["rd_institutions"]) == (0, 0)
    _, z22 = _by_zone(annual, 2022)
    assert z22["hangzhou"]["national_platforms"] == 0  # approved in 2023


def test_every_live_zone_a_row_and_nulls_where_nothing_is_known(annual):
    table, z = _by_zone(annual, 2023)
    assert table.column_names == ["zone", "region", *INDICATORS]
    assert len(z) == table.num_rows > 100  # every national zone at the end of 2023
    assert z["changsha"]["rd_intensity"] is None
    assert z["changsha"]["high_tech_enterprise_share"] is None
    assert all(r["zone_gdp_share_of_city"] is None for r in z.values())
    meta = table.schema.metadata
    assert meta[b"htz.year"] == b"2023"
    assert set(json.loads(meta[b"htz.unavailable"])) == set(UNAVAILABLE)
    _, z22 = _by_zone(annual, 2022)  # no 2021 annual reports: no growth
    assert z22["shenzhen"]["operating_revenue_growth"] is None
    assert z22["shenzhen"]["rd_intensity"] == pytest.approx(85 / 1300)


def test_every_indicator_of_the_zone_frameworks_is_a_column():
    for name in ("zones-2013", "zones-2021", "zones-2024"):
        codes = {i.code for i in load_framework(name).indicators}
        assert codes <= set(INDICATORS), name


@pytest.mark.spark
@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_same_numbers_on_spark(annual):
    pytest.importorskip("pyspark")
    on_duckdb, _ = _by_zone(annual, 2023)
    on_spark, _ = _by_zone(annual, 2023, "spark")
    assert on_spark.column_names == on_duckdb.column_names
    for a, b in zip(on_duckdb.to_pylist(), on_spark.to_pylist(), strict=True):
        for k, v in a.items():
            assert b[k] == (pytest.approx(v, rel=1e-9) if isinstance(v, float) else v), k
