"""Storing an upload: the stored rows, the lazily built report ids and the audit digest."""

from __future__ import annotations

import hashlib
import json
import struct

import pyarrow as pa
import pytest
import sqlalchemy as sa
from hypothesis import given, settings
from hypothesis import strategies as st

from htz.reporting.reports import upload_digest
from htz.store.schema import audit_log, enterprises, observations, reports

pytestmark = pytest.mark.integration


def reference_digest(usccs, periods, columns: dict[str, list]) -> str:
    """The digest as its docstring words it, one report and one value at a time."""
    names = sorted(columns)
    rows = sorted(range(len(usccs)), key=lambda i: (usccs[i], periods[i]))
    out = bytearray(f"htz-reports-digest-2|{','.join(names)}\n".encode())
    for i in rows:
        out += f"{usccs[i]}|{periods[i]}\n".encode()
    for name in names:
        out += bytes(0 if columns[name][i] is None else 1 for i in rows)
        for i in rows:
            value = columns[name][i]
            out += struct.pack("<d", 0.0 if value is None else value + 0.0)  # -0.0 → 0.0
    return hashlib.sha256(bytes(out)).hexdigest()


def digest_of(usccs, periods, columns) -> str:
    table = pa.table({n: pa.array(v, pa.float64()) for n, v in columns.items()})
    return upload_digest(pa.array(usccs, pa.string()), pa.array(periods, pa.string()), table)


values = st.one_of(
    st.none(), st.floats(allow_nan=False), st.sampled_from([0.0, -0.0, 1e300, -5e-324, 12.5])
)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(st.sampled_from(["A1", "B2", "统一码", "C"]),
                  st.sampled_from(["2023-M01", "2023"]), values, values),
        max_size=12,
        unique_by=lambda r: r[:2],
    )
)  # fmt: skip
def test_digest_matches_its_definition_in_any_row_order(rows):
    usccs, periods = [r[0] for r in rows], [r[1] for r in rows]
    columns = {"exports": [r[2] for r in rows], "employees": [r[3] for r in rows]}
    expected = reference_digest(usccs, periods, columns)
    assert digest_of(usccs, periods, columns) == expected
    backwards = {n: v[::-1] for n, v in reversed(columns.items())}
    assert digest_of(usccs[::-1], periods[::-1], backwards) == expected


def test_digest_tells_a_missing_value_from_zero_but_not_minus_zero():
    """SQLite stores -0.0 as 0.0, so the digest of what was sent equals that of what is kept."""
    digests = [digest_of(["A"], ["2023"], {"x": [v]}) for v in (None, 0.0, -0.0)]
    assert digests[0] != digests[1] == digests[2]


def test_stored_upload_is_what_its_audit_entry_digests(conn, registry, put):
    a, b, c = registry["A"], registry["B"], registry["C"]
    items = [
        (b, "2023-M02", {"operating_revenue": 2.5, "employees": 10.0}),
        (a, "2023-M01", {"operating_revenue": 1e9}),
        (c, "2023-M01", {"employees": -0.0}),
        (a, "2023-M02", {}),
    ]
    result = put("monthly", items, status="submitted")
    assert (result.inserted, result.observations) == (4, 4)
    # ids read lazily, after the insert, name the rows stored for each key
    stored = conn.execute(
        sa.select(enterprises.c.uscc, reports.c.period, reports.c.id).join(enterprises)
    ).all()
    assert result.report_ids == {(u, p): i for u, p, i in stored}

    # recompute the digest from the database alone: it equals the one the audit log holds
    rows = conn.execute(
        sa.select(enterprises.c.uscc, reports.c.period, observations.c.indicator,
                  observations.c.value)
        .select_from(reports.join(enterprises).outerjoin(observations))
    ).all()  # fmt: skip
    keys = sorted({(u, p) for u, p, _, _ in rows})
    by_key = {(u, p, x): v for u, p, x, v in rows if x is not None}
    columns = {
        x: [by_key.get((u, p, x)) for u, p in keys] for x in ("operating_revenue", "employees")
    }
    entry = conn.execute(
        sa.select(audit_log.c.after).where(audit_log.c.entity == "reports")
    ).scalar_one()
    assert json.loads(entry)["digest"] == reference_digest(
        [u for u, _ in keys], [p for _, p in keys], columns
    )
    assert by_key[(c, "2023-M01", "employees")] == 0
