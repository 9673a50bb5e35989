"""Publishing: every period of a snapshot, recomputing only what changed."""

from __future__ import annotations

import json

import pytest

from htz import app as application
from htz.analytics import bulletin
from htz.analytics.frame import open_frame
from htz.analytics.snapshot import Snapshot
from htz.publish import release
from htz.reporting import export, workflow
from tests.conftest import copy_demo

pytestmark = [pytest.mark.integration, pytest.mark.slow]


def _snap(partitions: dict[str, str]) -> Snapshot:
    manifest = {
        "created_at": "2026-11-29T00:00:00+00:00",
        "observations": {k: {"file": f"{k}.parquet", "fingerprint": v, "rows": 1}
                         for k, v in partitions.items()},
        "registry": {"zones": "zones-1.parquet"},
    }  # fmt: skip
    return Snapshot("x", None, manifest)


def test_periods_are_the_quarters_and_years_the_months_cover():
    months = {f"monthly/2022-M{m:02d}": "a" for m in range(1, 13)}
    months |= {f"monthly/2023-M{m:02d}": "a" for m in range(1, 8)}
    assert release.periods_of(_snap(months)) == [
        "2022-Q1", "2022-Q2", "2022-Q3", "2022-Q4", "2022", "2023-Q1", "2023-Q2",
    ]  # fmt: skip


def test_inputs_change_only_with_the_years_a_bulletin_reads():
    parts = {f"monthly/{y}-M01": "a" for y in (2021, 2022, 2023)}
    base = {p: release.inputs(_snap(parts), p, {}) for p in ("2021-Q1", "2022-Q1", "2023-Q1")}
    changed = {**parts, "monthly/2023-M01": "b"}
    after = {p: release.inputs(_snap(changed), p, {}) for p in base}
    assert after["2021-Q1"] == base["2021-Q1"]
    assert after["2022-Q1"] == base["2022-Q1"]
    assert after["2023-Q1"] != base["2023-Q1"]
    assert release.inputs(_snap(parts), "2023-Q1", {"synthetic": "demo"}) != base["2023-Q1"]
    # the headline period (meta) is not an input of the figures
    assert (
        release.inputs(_snap(parts), "2023-Q1", {"headline_period": "2023-Q3"}) == (base["2023-Q1"])
    )


def test_a_new_snapshot_recomputes_only_the_changed_year_and_reuses_equal_figures(
    tiny_demo, tmp_path
):
    app = application.build(copy_demo(tiny_demo, tmp_path / "data"))
    try:
        with app.connect() as conn:
            first = export.current_publications(conn)["2023-Q3"]
        before = json.loads((app.settings.data_dir / first["path"]).read_bytes())
        again = application.publish(app)
        assert again.computed == [] and len(again.reused) == 15  # nothing changed
        with app.connect() as conn:
            row = next(
                r for r in workflow.review_list(conn, "monthly", "2023-M09", status="accepted")
            )
            report = workflow.get_report(conn, row["id"])
            values = {**report["values"], "operating_revenue": report["values"][
                "operating_revenue"] + 7_000_000.0}  # fmt: skip
            ent_id = report["enterprise_id"]
            workflow.save_values(conn, "t", ent_id, report["uscc"], "monthly", "2023-M09",
                                 values, report["version"])  # fmt: skip
            # a change to an accepted report returns it to review
            edited = workflow.find_report(conn, report["uscc"], "monthly", "2023-M09")
            assert edited["status"] == "submitted"
            workflow.approve(conn, "t", edited["id"], edited["version"], ("zone", "national"))
        application.build_snapshot(app)
        result = application.publish(app)
        # the 2023 partitions changed: every 2023 bulletin is recomputed, none before
        assert sorted(result.computed) == ["2023", "2023-Q1", "2023-Q2", "2023-Q3", "2023-Q4"]
        assert len(result.reused) == 10
        # a reused bulletin equals what the new snapshot computes afresh
        snap = application.latest_snapshot(app)
        with app.connect() as conn:
            pubs = export.current_publications(conn)
        stored = json.loads((app.settings.data_dir / pubs["2022-Q3"]["path"]).read_bytes())
        fresh = bulletin.compute(open_frame(snap), "2022-Q3", application.meta(app))
        assert stored["snapshot"] == snap.id
        for key in ("snapshot", "snapshot_created_at", "inputs"):
            stored.pop(key, None)
            fresh.pop(key, None)
        # equal to the last bit: sums are exact, so the order of a parallel sum is irrelevant
        assert stored == fresh
        # and the changed period's published revenue moved by exactly the correction
        now = json.loads((app.settings.data_dir / pubs["2023-Q3"]["path"]).read_bytes())
        # `htz bulletin` shows the publication (and computes only what is not published)
        assert application.figures(app, "2023-Q3") == now
        assert now["headline"]["operating_revenue"]["value"] == pytest.approx(
            before["headline"]["operating_revenue"]["value"] + 7_000_000.0, rel=1e-12
        )
    finally:
        app.close()
