"""The whole bulletin on DuckDB and on Spark: the same numbers (relative 1e-9)."""

import math

import pytest

from htz import app as application
from htz.analytics import bulletin
from htz.analytics.frame import open_frame

pyspark = pytest.importorskip("pyspark")
pytestmark = [pytest.mark.integration, pytest.mark.spark]


def _same(a, b, path="") -> list[str]:
    """Paths where two JSON values differ beyond relative 1e-9."""
    if isinstance(a, dict) and isinstance(b, dict):
        if set(a) != set(b):
            return [f"{path}: keys {sorted(set(a) ^ set(b))}"]
        return [d for k in a for d in _same(a[k], b[k], f"{path}.{k}")]
    if isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            return [f"{path}: {len(a)} vs {len(b)} items"]
        return [
            d
            for i, (x, y) in enumerate(zip(a, b, strict=True))
            for d in _same(x, y, f"{path}[{i}]")
        ]
    if isinstance(a, float) or isinstance(b, float):
        if a is None or b is None or not math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12):
            return [f"{path}: {a!r} vs {b!r}"]
        return []
    return [] if a == b else [f"{path}: {a!r} vs {b!r}"]


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_bulletin_is_identical_on_duckdb_and_spark(by_hand):
    snap = application.latest_snapshot(by_hand)
    on_duckdb = bulletin.compute(open_frame(snap, "duckdb"), "2023-Q3")
    on_spark = bulletin.compute(open_frame(snap, "spark"), "2023-Q3")
    assert _same(on_duckdb, on_spark) == []
    assert on_spark["headline"]["zone_gdp"]["value"] == pytest.approx(165.6, rel=1e-12)
