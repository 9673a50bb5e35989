"""`htz evaluate YEAR`: rank the national zones of a year from the snapshot, end to end."""

from __future__ import annotations

import datetime as dt
import json

import numpy as np
import pyarrow as pa
import pytest
import sqlalchemy as sa

from htz import app as application
from htz import config
from htz.registry.uscc import check_character
from htz.reporting import export
from htz.reporting.reports import enterprise_index, store_upload
from htz.store.schema import enterprises

pytestmark = pytest.mark.integration

ZONES = ("shenzhen", "hangzhou", "changsha", "wuxi", "changzhou", "xian", "chengdu", "hefei")
COLUMNS = ("operating_revenue", "industrial_output", "exports", "rd_expenditure", "employees",
           "wages", "depreciation", "production_taxes", "operating_surplus", "profit_total",
           "technology_income", "high_tech_product_revenue", "new_product_revenue",
           "technical_service_exports", "energy_consumption", "rd_personnel",
           "employees_with_bachelor_or_above", "returned_overseas_employees",
           "foreign_resident_employees", "valid_invention_patents", "pct_applications")  # fmt: skip


def _uscc(i: int) -> str:
    first17 = f"91440300{i:09d}"
    return first17 + check_character(first17)


def _store(synthetic: str | None = None) -> None:
    """Three enterprises in each of eight zones, annual reports of 2022 and 2023, a snapshot."""
    rng = np.random.default_rng(6)
    app = application.build(config.load())
    try:
        with app.connect() as conn:
            if synthetic:
                export.set_meta(conn, "synthetic", synthetic)
            n = 3 * len(ZONES)
            conn.execute(sa.insert(enterprises), [
                {"uscc": _uscc(i), "name": f"企业{i}", "zone_code": ZONES[i // 3],
                 "industry_code": ("39", "65", "73")[i % 3], "entered": dt.date(2015, 1, 1),
                 "high_tech_certified": bool(rng.random() < 0.5), "little_giant": False,
                 "listed": False}
                for i in range(n)
            ])  # fmt: skip
            ents = enterprise_index(conn)
            size = rng.lognormal(0, 0.5, n)
            for year, grow in (("2022", 1.0), ("2023", 1.0 + rng.normal(0.08, 0.05, n))):
                revenue = 1e8 * size * grow
                values = {c: revenue * rng.uniform(0.01, 0.3, n) for c in COLUMNS}
                values["operating_revenue"] = revenue
                values["employees"] = np.round(100 * size * grow)
                table = pa.table({
                    "uscc": [_uscc(i) for i in range(n)], "period": [year] * n,
                    **{c: pa.array(v, pa.float64()) for c, v in values.items()},
                })  # fmt: skip
                store_upload(conn, "t", "annual", table, list(COLUMNS), ents, status="accepted")
        application.build_snapshot(app)
    finally:
        app.close()


def test_evaluate_year_json_ranks_every_zone(htz):
    _store()
    code, out, err = htz("evaluate", "2023", "--format", "json", "--runs", "50", "--seed", "1")
    assert code == 0, err
    report = json.loads(out)
    assert report["year"] == 2023 and report["synthetic"] is None
    assert report["framework"]["version"] == "2021"
    zones = report["zones"]
    codes = [z["zone"] for z in zones]
    assert len(codes) == len(set(codes)) > 100  # every national zone at the end of 2023
    ranked = [z for z in zones if not z["screened_out"]]
    assert {z["zone"] for z in ranked} == set(ZONES)  # the others have no reports
    assert all(z["score"] is None and z["rank"] is None for z in zones if z["screened_out"])
    for z in ranked:
        assert z["name"] and z["region"]
        assert z["rank_q05"] <= z["median_rank"] <= z["rank_q95"]
        assert z["rank_q05"] >= 1 and z["rank_q95"] <= len(ranked)
        assert set(z["pillars"]) == {
            "innovation_entrepreneurship", "structure_value_chain", "green_inclusive",
            "open_international", "quality_sustained",
        }  # fmt: skip
    assert sorted(z["rank"] for z in ranked) == list(range(1, len(ranked) + 1))
    by_rank = sorted(ranked, key=lambda z: z["rank"])
    scores = [z["score"] for z in by_rank]
    assert scores == sorted(scores, reverse=True)
    assert report["uncertainty"]["runs"] == 50
    assert zones[0]["rank"] == 1 and zones[len(ranked)]["screened_out"]  # ranked first
    assert report["unavailable"] == {}


def test_evaluate_year_marks_synthetic_data_and_names_in_chinese(htz, monkeypatch):
    _store(synthetic="htz demo, scale tiny, seed 1")
    monkeypatch.setenv("HTZ_LANG", "zh")
    code, out, err = htz(
        "evaluate", "2023", "--framework", "zones-2024", "--format", "json", "--runs", "20"
    )
    assert code == 0, err
    report = json.loads(out)
    assert report["synthetic"] == "htz demo, scale tiny, seed 1"
    assert "zone_gdp_share_of_city" in report["unavailable"]
    shenzhen = next(z for z in report["zones"] if z["zone"] == "shenzhen")
    assert shenzhen["name"] == "深圳市高新技术产业园区"
    code, out, err = htz("evaluate", "2023", "--runs", "20")
    assert code == 0, err
    assert "SYNTHETIC DATA" in out and "shenzhen" in out


def test_evaluate_year_xlsx_and_the_errors(htz, tmp_path):
    _store()
    code, _, err = htz("evaluate", "2023", "--runs", "0", "--format", "xlsx", "--out", "z.xlsx")
    assert code == 0, err
    from openpyxl import load_workbook

    wb = load_workbook(tmp_path / "z.xlsx")
    assert wb.sheetnames[:3] == ["about", "zones", "results"]
    code, _, err = htz("evaluate")
    assert code == 2 and "YEAR" in err
    code, _, err = htz("evaluate", "2023", "--data", "x.csv")
    assert code == 2 and "not both" in err
    code, _, err = htz("evaluate", "2020")
    assert code != 0 and "annual 2020" in err
