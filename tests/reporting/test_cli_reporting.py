"""The reporting commands end to end: import, validate, review, period, missing, impute, audit."""

import json

import pytest
import sqlalchemy as sa

from tests.conftest import FIXTURES

pytestmark = pytest.mark.integration
REPORTS = FIXTURES / "reports"


@pytest.fixture
def run(htz):
    code, _, err = htz("enterprises", "import", str(REPORTS / "enterprises.csv"))
    assert code == 0, err
    return htz


def test_gb18030_wanyuan_and_utf8_yuan_store_identical_values(run, database_url):
    code, out, err = run("import", str(REPORTS / "monthly_gb18030_wanyuan.csv"), "--format", "json")
    assert code == 0, err
    summary = json.loads(out)
    assert summary["encoding"] == "gb18030" and summary["inserted"] == 4
    engine = sa.create_engine(database_url)
    query = sa.text(
        "SELECT e.uscc, o.indicator, o.value FROM observations o JOIN reports r "
        "ON r.id = o.report_id JOIN enterprises e ON e.id = r.enterprise_id ORDER BY 1, 2"
    )
    with engine.connect() as conn:
        from_gb = conn.execute(query).all()
    # 12,345.67 万元 = 123,456,700 yuan; 0.01 万元 = 100 yuan; persons unscaled
    values = {(u, i): v for u, i, v in from_gb}
    assert values[("914403001922038216", "operating_revenue")] == 123456700.0
    assert values[("914403001922038216", "rd_expenditure")] == 100.0
    assert values[("914403001922038216", "employees")] == 1234.0
    # the same content in UTF-8 with English codes and yuan: a second import of it
    # changes nothing, because every stored value is already identical
    code, out, err = run("import", str(REPORTS / "monthly_utf8_yuan.csv"), "--format", "json")
    assert code == 0, err
    summary = json.loads(out)
    assert (summary["inserted"], summary["updated"], summary["unchanged"]) == (0, 0, 4)
    with engine.connect() as conn:
        assert conn.execute(query).all() == from_gb
    engine.dispose()


def test_a_file_with_bad_rows_stores_nothing_and_names_every_problem(run, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "uscc,period,operating_revenue,employees\n"
        "914403001922038216,2023-M09,100,10\n"
        "914403001922038217,2023-M09,100,10\n"
        "91330100716105852F,2023-M13,100,10\n"
        "91350100M000100Y43,2023-M09,一百,10\n",
        encoding="utf-8",
    )
    code, _, err = run("import", str(bad))
    flat = " ".join(err.split())
    assert code == 2 and "Traceback" not in err
    assert "row 3, column 'uscc'" in flat and "expected '6'" in flat
    assert "row 4, column 'period'" in flat and "2023-M13" in flat
    assert "row 5, column 'operating_revenue'" in flat and "(not-a-number)" in flat
    assert "Nothing was stored" in flat
    code, out, _ = run("review", "list", "--format", "json")
    assert json.loads(out) == []


def test_ytd_decrease_in_an_upload_is_an_error(run, tmp_path):
    aug = tmp_path / "aug.csv"
    aug.write_text(
        "uscc,period,operating_revenue,employees\n914403001922038216,2023-M08,500,10\n",
        encoding="utf-8",
    )
    sep = tmp_path / "sep.csv"
    sep.write_text(
        "uscc,period,operating_revenue,employees\n914403001922038216,2023-M09,400,10\n",
        encoding="utf-8",
    )
    assert run("import", str(aug))[0] == 0
    code, _, err = run("import", str(sep))
    assert code == 2 and "ytd-decreased" in err and "row 2" in err
    code, out, err = run("import", str(sep), "--keep-valid", "--format", "json")
    summary = json.loads(out)
    assert code == 0 and (summary["inserted"], summary["skipped"]) == (0, 1)
    assert [i["code"] for i in summary["issues"]] == ["ytd-decreased"]


def test_validate_json_keys_on_stored_reports(run, tmp_path, database_url):
    f = tmp_path / "r.csv"
    f.write_text(
        "uscc,period,operating_revenue,employees\n"
        "914403001922038216,2023-M08,500,10\n"
        "914403001922038216,2023-M09,600,10\n",
        encoding="utf-8",
    )
    assert run("import", str(f))[0] == 0
    engine = sa.create_engine(database_url)
    with engine.begin() as conn:  # an edit behind htz's back makes September lower
        conn.execute(
            sa.text(
                "UPDATE observations SET value = 400 WHERE indicator = 'operating_revenue' AND "
                "report_id = (SELECT id FROM reports WHERE period = '2023-M09')"
            )
        )
    engine.dispose()
    code, out, _ = run("validate", "--period", "2023-M09", "--format", "json")
    found = json.loads(out)
    assert code == 0 and len(found) == 1
    assert set(found[0]) == {"rule", "severity", "uscc", "period", "values", "message"}
    assert found[0]["rule"] == "ytd-decreased" and found[0]["severity"] == "error"
    assert found[0]["uscc"] == "914403001922038216" and found[0]["period"] == "2023-M09"


def test_review_period_missing_impute_and_audit(run, tmp_path, database_url):
    f = tmp_path / "r.csv"
    f.write_text(
        "uscc,period,operating_revenue,employees\n914403001922038216,2023-M09,600,10\n",
        encoding="utf-8",
    )
    assert run("import", str(f))[0] == 0
    code, out, _ = run("review", "list", "--format", "json")
    (report,) = json.loads(out)
    assert report["status"] == "submitted"
    assert run("review", "approve", str(report["id"]))[0] == 0
    code, out, _ = run("review", "approve", "--all", "--period", "2023-M09")
    assert code == 0 and "1 accepted" in out
    code, out, _ = run("reporting", "missing", "2023-M09", "--format", "json")
    assert {r["uscc"] for r in json.loads(out)} == {
        "91330100716105852F",
        "91350100M000100Y43",
        "91110000802100433B",
    }
    code, out, _ = run("impute", "2023-M09")
    assert code == 0 and "3 with no base value" in out
    assert run("period", "close", "2023-M09")[0] == 0
    code, _, err = run("import", str(f))
    assert code == 2 and "is closed" in err
    code, out, _ = run("audit", "verify")
    assert code == 0 and "intact" in out
    engine = sa.create_engine(database_url)
    with engine.begin() as conn:
        target = conn.execute(
            sa.text("SELECT id FROM audit_log WHERE action = 'approve' ORDER BY id LIMIT 1")
        ).scalar()
        conn.execute(
            sa.text("UPDATE audit_log SET actor = 'someone else' WHERE id = :i"), {"i": target}
        )
    engine.dispose()
    code, _, err = run("audit", "verify")
    assert code == 1 and f"entry {target}" in err and "edited" in err
