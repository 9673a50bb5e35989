"""Calibrating the demo so that the *pipeline* recovers the published national figures.

The targets are what the ministry published for the first three quarters of 2023: zone
GDP of 12.33 trillion yuan, up 7.11% on a comparable basis, and operating revenue of
37.66 trillion yuan. The pipeline does not see the generator's values: it sees the
reports that arrive (some late, some never, some refused by a rule) and imputes the rest.
So the calibration predicts the pipeline's result by running htz's own imputation
(``reporting.imputation.compute``) and metrics (``analytics.metrics``) on exactly the
reports that will be accepted, then scales the values:

- multiplying every 2023 value by k multiplies the pipeline's 2023 totals by k (ratio
  imputation is linear in the respondents' values and in its base), so k = 1.0711 / (1 +
  predicted growth) hits the comparable growth;
- multiplying every year's money values by c multiplies every total by c and leaves
  growth alone, so c = 12.33e12 / (k × predicted GDP) hits the level.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import ibis
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from htz.analytics import metrics as m
from htz.demo.generator import DemoData, Reports
from htz.periods import Period
from htz.reporting.imputation import compute
from htz.reporting.reports import Enterprise

GDP_TARGET = 12.33e12  # zone GDP, 2023 Q1–Q3, yuan (People's Daily, 2023-12-13)
GROWTH_TARGET = 0.0711  # comparable basis
REVENUE_TARGET = 37.66e12  # operating revenue, 2023 Q1–Q3, yuan (MIIT)
# employees at the end of 2022: 26.15 million (derived in shared/data from the
# high-tech industry's share; the nearest published anchor)
EMPLOYEES_TARGET = 26.152e6
PEOPLE = {"employees", "rd_personnel", "employees_with_bachelor_or_above",
          "returned_overseas_employees", "foreign_resident_employees"}  # fmt: skip
NOT_MONEY = {"employees", "rd_personnel", "employees_with_bachelor_or_above",
             "returned_overseas_employees", "foreign_resident_employees",
             "patent_applications", "invention_patents_granted", "valid_invention_patents",
             "pct_applications"}  # fmt: skip
REVENUE_LIKE = {"operating_revenue", "industrial_output", "exports", "net_profit",
                "taxes_paid", "rd_expenditure", "profit_total", "total_assets",
                "technology_income", "high_tech_product_revenue", "new_product_revenue",
                "technical_service_exports", "fixed_asset_investment"}  # fmt: skip


@dataclass(frozen=True)
class Calibration:
    predicted_gdp: float
    predicted_growth: float
    growth_factor: float
    level_factor: float
    revenue_factor: float
    employees_factor: float


def _enterprises(data: DemoData, sections: dict[str, str]) -> dict[str, Enterprise]:
    e = data.enterprises
    out = {}
    for i, uscc in enumerate(e.uscc):
        left = None if np.isnat(e.left[i]) else e.left[i].astype(dt.date)
        out[uscc] = Enterprise(
            i + 1,
            uscc,
            e.zone[i],
            e.division[i],
            sections[e.division[i]],
            e.entered[i].astype(dt.date),
            left,
        )
    return out


def _long(
    uscc: np.ndarray, period: str, values: dict[str, np.ndarray], flag: str, status: str
) -> pa.Table:
    parts = []
    for indicator, v in values.items():
        ok = ~np.isnan(v)
        k = int(ok.sum())
        parts.append(pa.table({
            "uscc": pa.array(uscc[ok], pa.string()), "period": pa.array([period] * k),
            "indicator": pa.array([indicator] * k), "value": pa.array(v[ok], pa.float64()),
            "flag": pa.array([flag] * k), "status": pa.array([status] * k),
        }))  # fmt: skip
    return pa.concat_tables(parts)


def predict_quarterly(
    data: DemoData, arrives: np.ndarray, sections: dict[str, str], until: Period
) -> pa.Table:
    """The quarterly observations the pipeline will hold up to ``until``, imputed ones too.

    ``arrives`` (enterprises × quarters) says which owed reports are finally accepted.
    """
    q: Reports = data.quarterly
    ents = _enterprises(data, sections)
    indicators = list(q.values)
    tables: list[pa.Table] = []
    for j, period in enumerate(q.periods):
        if until < period:
            break
        got = arrives[:, j]
        reported = {k: np.where(got, v[:, j], np.nan) for k, v in q.values.items()}
        tables.append(_long(data.enterprises.uscc, period.code, reported, "reported", "accepted"))
        wanted = {period.code, period.last_year().code}
        if period.previous_ytd():
            wanted.add(period.previous_ytd().code)
        known = pa.concat_tables(tables)
        known = known.filter(pc.is_in(known["period"], pa.array(sorted(wanted))))
        imputed, _ = compute(ents, known, period, indicators)
        if imputed:
            usccs = np.array(list(imputed), dtype=object)
            values = {k: np.array([imputed[u].get(k, np.nan) for u in usccs]) for k in indicators}
            tables.append(_long(usccs, period.code, values, "imputed", "imputed"))
    return pa.concat_tables(tables)


def zone_gdp(
    obs: pa.Table, data: DemoData, sections: dict[str, str], period: Period
) -> tuple[float, float]:
    """(zone GDP, comparable growth) of ``period`` by htz's own metric functions."""
    e = data.enterprises
    con = ibis.duckdb.connect()
    try:
        ents = con.create_table("enterprises", pa.table({
            "uscc": pa.array(e.uscc, pa.string()), "zone_code": pa.array(e.zone, pa.string()),
            "section": pa.array([sections[d] for d in e.division], pa.string()),
            "tech_field": pa.array(e.tech_field, pa.string()),
            "entered": pa.array(e.entered.astype("datetime64[D]"), pa.date32()),
            "left": pa.array(e.left.astype("datetime64[D]"), pa.date32(), from_pandas=True),
        }))  # fmt: skip
        zones = con.create_table("zones", pa.table({
            "code": [z["code"] for z in data.zones],
            "province_code": [z["province_code"] for z in data.zones],
            "region": [z["region"] for z in data.zones],
            "level": ["national"] * len(data.zones),
            "start": pa.array([z["start"] for z in data.zones], pa.date32()),
            "end": pa.array([None] * len(data.zones), pa.date32()),
        }))  # fmt: skip
        t = con.create_table("obs", obs)
        ly = period.last_year()
        now = m.attributes(ents, zones, period.end_date)
        before = m.attributes(ents, zones, ly.end_date)
        cur, last = m.ytd_values(t, period.code, m.ZONE_GDP), m.ytd_values(t, ly.code, m.ZONE_GDP)
        row = m.aggregate(cur, last, now, before, "national").to_pyarrow().to_pylist()[0]
    finally:
        con.disconnect()
    return row["value"], row["growth_comparable"]


def calibrate(data: DemoData, arrives_q: np.ndarray, sections: dict[str, str]) -> Calibration:
    """Scale ``data`` in place so that the pipeline yields the targets; returns the factors."""
    q3 = Period.for_quarter(2023, 3)
    obs = predict_quarterly(data, arrives_q, sections, q3)
    gdp, growth = zone_gdp(obs, data, sections, q3)
    k = (1 + GROWTH_TARGET) / (1 + growth)
    c = GDP_TARGET / (gdp * k)
    for reports in (data.monthly, data.quarterly, data.annual):
        in_2023 = np.array([p.year == 2023 for p in reports.periods])
        for name, v in reports.values.items():
            if name in NOT_MONEY:
                continue
            v *= c
            v[:, in_2023] *= k
    # revenue: the pipeline's 2023-M09 total ≈ the reports that arrive plus imputed ones;
    # imputation reproduces the missing ones' values closely, so scale on all owed values
    sep = data.monthly.periods.index(Period.for_month(2023, 9))
    revenue = np.nansum(data.monthly.values["operating_revenue"][:, sep])
    r = REVENUE_TARGET / revenue
    for reports in (data.monthly, data.annual):
        for name in REVENUE_LIKE & set(reports.values):
            reports.values[name] *= r
    dec = data.monthly.periods.index(Period.for_month(2022, 12))
    e = EMPLOYEES_TARGET / np.nansum(data.monthly.values["employees"][:, dec])
    for reports in (data.monthly, data.annual):
        for name in PEOPLE & set(reports.values):
            v = reports.values[name]
            v[:] = np.round(v * e)
            if name == "employees":  # a reporting enterprise employs someone
                v[:] = np.where(v < 1, 1.0, v)
    return Calibration(gdp, growth, k, c, r, e)
