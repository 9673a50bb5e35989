"""A hand-made data set whose bulletin figures are worked out by hand in the tests.

Zones: shenzhen and hangzhou (national since 1991) and aksu-alar (approved 2023-06-12).

| ent | zone      | in zone           | revenue 2022-M09 | revenue 2023-M09     |
|-----|-----------|-------------------|------------------|----------------------|
| A   | shenzhen  | 2015 on           | 100              | 120                  |
| B   | shenzhen  | 2015 on           | 200              | 210                  |
| C   | hangzhou  | 2015 on           | 300              | 330                  |
| D   | shenzhen  | entered 2023-02-01| –                | 50 (entrant)         |
| E   | hangzhou  | left 2023-03-31   | 80               | – (leaver)           |
| F   | hangzhou  | 2015 on           | 60               | no report: imputed   |
| G   | aksu-alar | entered 2023-07-01| –                | 40 (new zone)        |

Value added (quarterly, year to date, components wages/depreciation/production
taxes/operating surplus): A 25 → 30, B 36 → 43.2, C 50 → 60 (each component × 1.2),
D – → 10, E 10 → –, F 12 → imputed, G – → 8.
"""

from __future__ import annotations

import datetime as dt

import pyarrow as pa
import pytest
import sqlalchemy as sa

from htz import app as application
from htz.registry.uscc import check_character
from htz.reporting import service
from htz.reporting.reports import enterprise_index, store_upload
from htz.store.schema import enterprises

PEOPLE = {
    "A": ("shenzhen", dt.date(2015, 1, 1), None),
    "B": ("shenzhen", dt.date(2015, 1, 1), None),
    "C": ("hangzhou", dt.date(2015, 1, 1), None),
    "D": ("shenzhen", dt.date(2023, 2, 1), None),
    "E": ("hangzhou", dt.date(2015, 1, 1), dt.date(2023, 3, 31)),
    "F": ("hangzhou", dt.date(2015, 1, 1), None),
    "G": ("aksu-alar", dt.date(2023, 7, 1), None),
}
REVENUE = {
    "2022-M09": {"A": 100, "B": 200, "C": 300, "E": 80, "F": 60},
    "2023-M09": {"A": 120, "B": 210, "C": 330, "D": 50, "G": 40},
}
COMPONENTS = ("wages", "depreciation", "production_taxes", "operating_surplus")
VALUE_ADDED = {
    "2022-Q3": {"A": (10, 5, 2, 8), "B": (14, 5, 5, 12), "C": (20, 10, 5, 15),
                "E": (5, 2, 1, 2), "F": (6, 2, 1, 3)},
    "2023-Q3": {"A": (12, 6, 2.4, 9.6), "B": (16.8, 6, 6, 14.4), "C": (24, 12, 6, 18),
                "D": (4, 2, 1, 3), "G": (3, 2, 1, 2)},
}  # fmt: skip


def uscc(letter: str) -> str:
    first17 = f"91440300{ord(letter):09d}"
    return first17 + check_character(first17)


@pytest.fixture
def by_hand(htz_app):
    return make_by_hand(htz_app)


def make_by_hand(htz_app):
    """Store the data set, impute, and build a snapshot."""
    with htz_app.connect() as conn:
        conn.execute(sa.insert(enterprises), [
            {"uscc": uscc(k), "name": f"企业{k}", "zone_code": zone, "industry_code": "39",
             "entered": entered, "left": left, "high_tech_certified": False,
             "little_giant": False, "listed": False}
            for k, (zone, entered, left) in PEOPLE.items()
        ])  # fmt: skip
        ents = enterprise_index(conn)
        for period, values in REVENUE.items():
            table = pa.table({
                "uscc": [uscc(k) for k in values], "period": [period] * len(values),
                "operating_revenue": [float(v) for v in values.values()],
                "employees": [10.0] * len(values),
            })  # fmt: skip
            store_upload(
                conn,
                "t",
                "monthly",
                table,
                ["operating_revenue", "employees"],
                ents,
                status="accepted",
            )
        for period, values in VALUE_ADDED.items():
            table = pa.table({
                "uscc": [uscc(k) for k in values], "period": [period] * len(values),
                **{c: [float(v[i]) for v in values.values()] for i, c in enumerate(COMPONENTS)},
            })  # fmt: skip
            store_upload(conn, "t", "quarterly", table, list(COMPONENTS), ents, status="accepted")
        service.impute(conn, "t", "monthly", "2023-M09")
        service.impute(conn, "t", "quarterly", "2023-Q3")
    application.build_snapshot(htz_app)
    return htz_app
