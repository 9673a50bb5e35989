"""Snapshots are immutable, incremental and reproducible."""

import pyarrow.parquet as pq
import pytest

from htz import app as application
from htz.analytics import bulletin
from htz.analytics.frame import open_frame
from htz.reporting import workflow
from tests.analytics.conftest import uscc

pytestmark = pytest.mark.integration


def test_building_again_without_changes_gives_the_same_snapshot(by_hand):
    first = application.latest_snapshot(by_hand)
    again = application.build_snapshot(by_hand)
    assert again.snapshot.id == first.id and not again.new and again.rewritten == []


def test_a_change_rewrites_only_its_period_and_old_snapshots_stay_as_they_were(by_hand):
    old = application.latest_snapshot(by_hand)
    before = bulletin.compute(open_frame(old), "2023-Q3")["headline"]["operating_revenue"]
    with by_hand.connect() as conn:
        a = workflow.find_report(conn, uscc("A"), "monthly", "2023-M09")
        workflow.save_values(
            conn,
            "t",
            a["enterprise_id"],
            a["uscc"],
            "monthly",
            "2023-M09",
            {"operating_revenue": 220.0, "employees": 10.0},
            a["version"],
        )
        workflow.approve_all(conn, "t", ("zone", "national"), "monthly", "2023-M09")
        workflow.approve_all(conn, "t", ("zone", "national"), "monthly", "2023-M09")
    result = application.build_snapshot(by_hand)
    assert result.new and result.rewritten == ["monthly/2023-M09"]
    new = result.snapshot
    assert new.id != old.id
    assert new.partitions["monthly/2022-M09"] == old.partitions["monthly/2022-M09"]
    after = bulletin.compute(open_frame(new), "2023-Q3")["headline"]["operating_revenue"]
    assert after["value"] == pytest.approx(before["value"] + 100.0)
    # the old snapshot still gives the old figure, from files that were never rewritten
    again = bulletin.compute(open_frame(application.latest_snapshot(by_hand, old.id)), "2023-Q3")[
        "headline"
    ]["operating_revenue"]
    assert again == before
    for part in old.partitions.values():
        assert pq.ParquetFile(old.root / part["file"]).metadata.num_rows == part["rows"]


def test_snapshot_lists_flags_and_statuses(by_hand):
    snap = application.latest_snapshot(by_hand)
    table = pq.read_table(snap.observation_files(["monthly"], ["2023-M09"])[0])
    flags = dict(zip(table["uscc"].to_pylist(), table["flag"].to_pylist(), strict=False))
    assert flags[uscc("F")] == "imputed" and flags[uscc("A")] == "reported"
    assert set(table["status"].to_pylist()) == {"accepted", "imputed"}


def test_fingerprints_hash_each_periods_reports_as_documented(by_hand):
    """Vectorised fingerprints equal the definition: sha256 of "id:version:status;" by id."""
    import hashlib
    from collections import defaultdict

    import sqlalchemy as sa

    from htz.reporting import export
    from htz.store.schema import reports

    with by_hand.connect() as conn:
        found = export.fingerprints(conn)
        rows = conn.execute(
            sa.select(reports.c.form, reports.c.period, reports.c.id, reports.c.version,
                      reports.c.status)
            .where(reports.c.status.in_(export.SNAPSHOT_STATUSES))
            .order_by(reports.c.id)
        ).all()  # fmt: skip
    expected = defaultdict(hashlib.sha256)
    for form, period, rid, version, status in rows:
        expected[(form, period)].update(f"{rid}:{version}:{status};".encode())
    assert len(found) > 3
    assert found == {key: h.hexdigest() for key, h in expected.items()}
