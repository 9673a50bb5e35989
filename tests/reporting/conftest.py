"""Fixtures for reporting: a registry of enterprises, and a way to store reports."""

from __future__ import annotations

import datetime as dt

import pyarrow as pa
import pytest
import sqlalchemy as sa

from htz.registry.uscc import check_character
from htz.reporting.reports import enterprise_index, store_upload
from htz.store.schema import enterprises


def uscc(n: int, region: str = "440300") -> str:
    first17 = f"91{region}{n:09d}"
    return first17 + check_character(first17)


@pytest.fixture
def registry(conn):
    return register(conn)


def register(conn) -> dict[str, str]:
    """Eight enterprises: A–E in Shenzhen manufacturing (39), F in Shenzhen services (65),
    G in Hangzhou (39), H left Shenzhen on 2023-06-30."""
    rows = [
        ("A", "shenzhen", "39", None), ("B", "shenzhen", "39", None),
        ("C", "shenzhen", "39", None), ("D", "shenzhen", "39", None),
        ("E", "shenzhen", "39", None), ("F", "shenzhen", "65", None),
        ("G", "hangzhou", "39", None), ("H", "shenzhen", "39", dt.date(2023, 6, 30)),
    ]  # fmt: skip
    conn.execute(sa.insert(enterprises), [
        {"uscc": uscc(i), "name": f"企业{name}", "zone_code": zone, "industry_code": industry,
         "entered": dt.date(2015, 1, 1), "left": left, "high_tech_certified": False,
         "little_giant": False, "listed": False}
        for i, (name, zone, industry, left) in enumerate(rows, start=1)
    ])  # fmt: skip
    return {name: uscc(i) for i, (name, *_) in enumerate(rows, start=1)}


@pytest.fixture
def put(conn):
    """Store reports directly: put(form, [(uscc, period, {indicator: value})], status)."""

    def _put(form, items, status="accepted", indicators=("operating_revenue", "employees")):
        ents = enterprise_index(conn)
        table = pa.table({
            "uscc": [u for u, _, _ in items],
            "period": [p for _, p, _ in items],
            **{x: pa.array([v.get(x) for _, _, v in items], pa.float64()) for x in indicators},
        })  # fmt: skip
        return store_upload(conn, "tester", form, table, list(indicators), ents, status=status)

    return _put
