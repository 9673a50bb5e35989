import datetime as dt

import pytest
from openpyxl import Workbook

from htz.errors import ImportProblemsError
from htz.periods import parse
from htz.registry import enterprises as ent
from htz.tabular import read_table
from tests.conftest import FIXTURES

pytestmark = pytest.mark.integration


def _import(conn, path, keep_valid=False):
    return ent.import_enterprises(conn, ent.check(conn, read_table(path)), keep_valid)


def test_valid_file_imports_and_second_import_stores_nothing_new(conn):
    first = _import(conn, FIXTURES / "enterprises.csv")
    assert (first.sync.inserted, first.sync.updated, first.rows_skipped) == (4, 0, 0)
    second = _import(conn, FIXTURES / "enterprises.csv")
    assert (second.sync.inserted, second.sync.updated, second.sync.unchanged) == (0, 0, 4)
    rows = {r["uscc"]: r for r in ent.list_enterprises(conn)}
    alibaba = rows["91330100716105852F"]
    assert alibaba["zone_code"] == "hangzhou"  # given by its exact Chinese name
    assert alibaba["high_tech_certified"] is True and alibaba["little_giant"] is False
    assert rows["91420100MA4K777776"]["tech_field"] == "electronic_information"  # 电子信息
    assert rows["91350100M000100Y43"]["left"] == dt.date(2022, 6, 30)
    assert [r["uscc"] for r in ent.list_enterprises(conn, "shenzhen")] == ["914403001922038216"]


def test_invalid_file_stores_nothing_and_names_every_problem(conn):
    with pytest.raises(ImportProblemsError) as caught:
        _import(conn, FIXTURES / "enterprises_invalid.csv")
    found = {(i.row, i.code) for i in caught.value.issues}
    assert found == {
        (1, "unknown-column"),
        (2, "invalid-uscc"),
        (3, "missing-value"),
        (4, "duplicate-uscc"),
        (5, "invalid-uscc"),
        (6, "unknown-zone"),
        (7, "unknown-industry"),
        (8, "invalid-date"),
        (9, "left-before-entered"),
        (9, "unknown-tech-field"),
        (9, "invalid-flag"),
    }
    bad_check = next(i for i in caught.value.issues if i.row == 2)
    assert "expected '6'" in bad_check.message and bad_check.column == "uscc"
    assert ent.list_enterprises(conn) == []


def test_keep_valid_stores_the_valid_rows(conn):
    result = _import(conn, FIXTURES / "enterprises_invalid.csv", keep_valid=True)
    # row 3 is valid apart from its missing name -> skipped; only rows without errors stored
    assert result.sync.inserted == len(ent.list_enterprises(conn))
    assert result.rows_skipped == result.rows_read - result.sync.inserted


def test_xlsx_with_chinese_headers(conn, tmp_path):
    wb = Workbook()
    ws = wb.active
    ws.append(["统一社会信用代码", "企业名称", "园区", "行业代码", "入区日期"])
    ws.append(
        [
            "914403001922038216",
            "华为技术有限公司",
            "深圳市高新技术产业园区",
            39,
            dt.datetime(1992, 1, 1),
        ]
    )
    wb.save(tmp_path / "e.xlsx")
    result = _import(conn, tmp_path / "e.xlsx")
    assert result.sync.inserted == 1
    assert ent.list_enterprises(conn)[0]["entered"] == dt.date(1992, 1, 1)


def test_gb18030_file(conn, tmp_path):
    text = (FIXTURES / "enterprises.csv").read_text(encoding="utf-8")
    (tmp_path / "gbk.csv").write_bytes(text.encode("gb18030"))
    assert _import(conn, tmp_path / "gbk.csv").sync.inserted == 4


@pytest.mark.parametrize(
    ("entered", "left", "period", "expected"),
    [
        ("2023-03-15", None, "2023-M02", False),  # not yet in the zone
        ("2023-03-15", None, "2023-M03", True),
        ("2020-01-01", "2023-06-30", "2023-Q2", True),  # still there on the last day
        ("2020-01-01", "2023-06-29", "2023-Q2", False),  # left before the end: not expected
        ("2020-01-01", "2023-06-29", "2023-M09", False),
    ],
)
def test_expected_to_report(entered, left, period, expected):
    record = {
        "entered": dt.date.fromisoformat(entered),
        "left": dt.date.fromisoformat(left) if left else None,
    }
    assert ent.expected_to_report(record, parse(period)) is expected
