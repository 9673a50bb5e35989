"""Guards the sqlglot pin in pyproject.toml: Ibis on DuckDB must create tables from Arrow."""

import ibis
import pyarrow as pa


def test_create_table_from_arrow_and_aggregate():
    con = ibis.duckdb.connect()
    t = con.create_table("observations", pa.table({"zone": ["a", "a", "b"], "v": [1.5, 2.5, 4.0]}))
    totals = t.group_by("zone").aggregate(total=t.v.sum()).order_by("zone").to_pyarrow()
    assert totals.to_pylist() == [{"zone": "a", "total": 4.0}, {"zone": "b", "total": 4.0}]
    con.disconnect()
