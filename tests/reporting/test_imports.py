"""Importing report files: encodings, units, issues with exact rows, and exact numbers."""

from __future__ import annotations

import random
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pytest
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import Workbook

from htz.errors import InputError
from htz.registry import uscc as usccs
from htz.reporting import imports_values
from htz.reporting.imports import read_upload

REPORTS = Path(__file__).parents[1] / "fixtures" / "reports"
GOOD = ("914403001922038216", "91330100716105852F", "91350100M000100Y43", "91110000802100433B")
MONTHLY = (
    "operating_revenue",
    "industrial_output",
    "exports",
    "net_profit",
    "taxes_paid",
    "rd_expenditure",
    "employees",
)


def write(tmp_path: Path, text: str, name: str = "upload.csv", encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def upload_of(tmp_path: Path, text: str, **kwargs):
    return read_upload(write(tmp_path, text), kwargs.pop("form", "monthly"), **kwargs)


def found(upload) -> list[tuple]:
    return [(i.code, i.row, i.column, i.value) for i in upload.issues]


# -- encodings and formats ------------------------------------------------------------------


def test_gb18030_wanyuan_file_gives_the_same_yuan_as_the_utf8_file():
    gb = read_upload(REPORTS / "monthly_gb18030_wanyuan.csv", "monthly")
    utf8 = read_upload(REPORTS / "monthly_utf8_yuan.csv", "monthly")
    assert (gb.encoding, utf8.encoding) == ("gb18030", "utf-8")
    assert gb.issues == [] and utf8.issues == []
    assert gb.table.equals(utf8.table)
    assert gb.table.column_names == ["row", "uscc", "period", *MONTHLY, "comment"]
    assert gb.factors == {code: 1.0 if code == "employees" else 1e4 for code in MONTHLY}
    assert utf8.factors == dict.fromkeys(MONTHLY, 1.0)
    assert gb.columns["rd_expenditure"] == "研究与试验发展（R&D）经费支出（万元）"
    assert gb.table.column("exports").to_pylist() == [123400.0, 0.0, None, 1000.0]
    assert gb.table.column("comment")[1].as_py() == "新设企业，尚无工业产值"
    assert gb.rows_read == 4


def test_the_gb18030_fixture_really_is_gb18030():
    data = (REPORTS / "monthly_gb18030_wanyuan.csv").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    assert b"\r\n" in data


def test_utf8_with_bom(tmp_path):
    text = (REPORTS / "monthly_utf8_yuan.csv").read_text("utf-8")
    path = write(tmp_path, text, encoding="utf-8-sig")
    upload = read_upload(path, "monthly")
    assert upload.encoding == "utf-8-sig"
    assert upload.issues == []
    assert upload.table.equals(read_upload(REPORTS / "monthly_utf8_yuan.csv", "monthly").table)


def test_xlsx_with_numbers_as_numbers(tmp_path):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["统一社会信用代码", "报告期", "营业收入（万元）", "期末从业人员", "说明"])
    sheet.append([GOOD[0], "2023-M09", 12.34, 88, None])
    sheet.append([None, None, None, None, None])  # an empty row keeps the numbering
    sheet.append([GOOD[1], "2023-M09", 1234567, 7.0, "开业"])
    sheet.append([GOOD[2], "2023-M09", "n/a", 1, None])
    path = tmp_path / "upload.xlsx"
    workbook.save(path)
    upload = read_upload(path, "monthly")
    assert upload.encoding is None
    assert upload.rows_read == 3
    assert upload.table.to_pylist() == [
        {"row": 2, "uscc": GOOD[0], "period": "2023-M09", "operating_revenue": 123400.0,
         "employees": 88.0, "comment": None},
        {"row": 4, "uscc": GOOD[1], "period": "2023-M09", "operating_revenue": 12345670000.0,
         "employees": 7.0, "comment": "开业"},
    ]  # fmt: skip
    assert found(upload) == [("not-a-number", 5, "营业收入（万元）", "n/a")]


def test_tab_delimited_utf16_text_as_excel_saves_unicode_text(tmp_path):
    text = f"uscc\tperiod\temployees\n{GOOD[0]}\t2023-M09\t5\n"
    upload = read_upload(write(tmp_path, "\ufeff" + text, "u.txt", "utf-16-le"), "monthly")
    assert upload.encoding == "utf-16"
    assert upload.table.column("employees").to_pylist() == [5.0]


# -- issues ---------------------------------------------------------------------------------


def test_invalid_file_shows_every_issue_on_its_row_and_leaves_the_row_out():
    upload = read_upload(REPORTS / "monthly_invalid.csv", "monthly")
    assert found(upload) == [
        ("unknown-column", None, "operating_revenu", None),
        ("indicator-not-in-form", None, "wages", None),
        ("invalid-unit", None, "营业收入（万人）", None),
        ("duplicate-column", None, "期末从业人员", None),
        ("invalid-uscc", 3, "uscc", "91330100716105852G"),
        ("invalid-period", 4, "period", "2023-M13"),
        ("period-not-in-form", 5, "period", "2023-Q3"),
        ("not-a-number", 6, "operating_revenue", "abc"),
        ("below-minimum", 7, "operating_revenue", "-1"),
        ("duplicate-report", 8, "uscc", "914403001922038216"),
    ]
    assert all(i.severity == "error" for i in upload.issues)
    assert upload.table.column("row").to_pylist() == [2, 9, 10]
    assert upload.table.column_names == ["row", "uscc", "period", "operating_revenue", "employees"]
    assert upload.rows_read == 9
    messages = {i.code: i.message for i in upload.issues}
    assert "position 18 is 'G', expected 'F'" in messages["invalid-uscc"]
    assert "row 2" in messages["duplicate-report"]
    assert "monthly form" in messages["period-not-in-form"]


def test_missing_key_column_gives_an_issue_and_no_rows(tmp_path):
    upload = upload_of(tmp_path, f"uscc,employees\n{GOOD[0]},5\n")
    assert found(upload) == [("missing-column", None, None, None)]
    assert "period" in upload.issues[0].message
    assert upload.table.num_rows == 0
    assert upload.table.column_names == ["row", "uscc", "period", "employees"]


def test_empty_uscc_and_period_are_invalid(tmp_path):
    upload = upload_of(tmp_path, f"uscc,period,employees\n,2023-M09,1\n{GOOD[0]},,2\n")
    assert found(upload) == [
        ("invalid-uscc", 2, "uscc", ""),
        ("invalid-period", 3, "period", ""),
    ]
    assert upload.table.num_rows == 0


def test_uscc_and_period_are_normalised(tmp_path):
    upload = upload_of(tmp_path, "uscc,period,employees\n 91330100716105852f ,2023-m09,1\n")
    assert upload.issues == []
    assert upload.table.select(["uscc", "period"]).to_pylist() == [
        {"uscc": "91330100716105852F", "period": "2023-M09"}
    ]


def test_empty_lines_keep_spreadsheet_row_numbers(tmp_path):
    text = f"uscc,period,employees\n{GOOD[0]},2023-M09,1\n\n{GOOD[1]},2023-M09,x\n\n\n"
    upload = upload_of(tmp_path, text)
    assert found(upload) == [("not-a-number", 4, "employees", "x")]
    assert upload.rows_read == 2


def test_quoted_line_breaks_count_as_one_row(tmp_path):
    text = f'uscc,period,employees,说明\n{GOOD[0]},2023-M09,1,"两行\n说明"\n{GOOD[1]},2023-M09,x,\n'
    upload = upload_of(tmp_path, text)
    assert found(upload) == [("not-a-number", 3, "employees", "x")]
    assert upload.table.column("comment").to_pylist() == ["两行\n说明"]


def test_name_column_is_read_past_and_a_headerless_column_with_values_is_not(tmp_path):
    text = f"企业名称,uscc,period,employees,,\n某某科技,{GOOD[0]},2023-M09,1,,x\n"
    upload = upload_of(tmp_path, text)
    assert found(upload) == [("unknown-column", None, "", None)]
    assert upload.table.column_names == ["row", "uscc", "period", "employees"]


def test_semicolon_delimiter(tmp_path):
    upload = upload_of(tmp_path, f"uscc;period;employees\n{GOOD[0]};2023-M09;3\n")
    assert upload.issues == []
    assert upload.table.column("employees").to_pylist() == [3.0]


# -- values ---------------------------------------------------------------------------------


def test_empty_cells_are_missing_never_zero(tmp_path):
    upload = upload_of(tmp_path, f"uscc,period,exports,employees\n{GOOD[0]},2023-M09,  ,0\n")
    assert upload.table.select(["exports", "employees"]).to_pylist() == [
        {"exports": None, "employees": 0.0}
    ]


def test_thousands_separators_and_full_width_digits(tmp_path):
    rows = "".join(
        f'{code},2023-M09,"{value}"\n'
        for code, value in zip(
            GOOD, ("1,234.5", "1,234,567", "１，２３４．５", "12,34"), strict=True
        )
    )
    upload = upload_of(tmp_path, "uscc,period,operating_revenue\n" + rows)
    assert upload.table.column("operating_revenue").to_pylist() == [1234.5, 1234567.0, 1234.5]
    assert found(upload) == [("not-a-number", 5, "operating_revenue", "12,34")]


def test_unit_option_applies_only_to_money_columns_without_a_unit(tmp_path):
    text = f"uscc,period,operating_revenue,出口总额（千元）,employees\n{GOOD[0]},2023-M09,2,3,4\n"
    upload = upload_of(tmp_path, text, unit="万元")
    assert upload.factors == {"operating_revenue": 1e4, "exports": 1e3, "employees": 1.0}
    row = upload.table.to_pylist()[0]
    assert (row["operating_revenue"], row["exports"], row["employees"]) == (2e4, 3e3, 4.0)


def test_unknown_unit_option_is_an_input_error(tmp_path):
    with pytest.raises(InputError, match="not a unit htz knows"):
        upload_of(tmp_path, f"uscc,period,exports\n{GOOD[0]},2023-M09,1\n", unit="斤")


@pytest.mark.parametrize(
    ("text", "header", "expected"),
    [
        ("12.34", "营业收入（万元）", 123400.0),
        ("0.07", "营业收入（万元）", 700.0),
        ("1.1", "营业收入（千元）", 1100.0),
        ("12345678.91", "营业收入（亿元）", 1234567891000000.0),
        ("0.29", "营业收入（万元）", 2900.0),
        ("1.15", "营业收入", 1.15),
    ],
)
def test_scaling_is_exact(tmp_path, text, header, expected):
    upload = upload_of(tmp_path, f"uscc,period,{header}\n{GOOD[0]},2023-M09,{text}\n")
    assert upload.table.column("operating_revenue").to_pylist() == [expected]


@given(
    st.decimals(min_value=-(10**13), max_value=10**13, places=6, allow_nan=False),
    st.sampled_from([1e3, 1e4, 1e6, 1e8]),
)
def test_scaling_equals_decimal_arithmetic(number, factor):
    text = format(number.normalize(), "f")
    values, bad = imports_values.numbers(pa.array([text]), factor)
    assert not bad.any()
    assert values.to_pylist() == [float(number * Decimal(int(factor)))]


def test_vectorised_uscc_check_agrees_with_the_registry():
    rng = random.Random(7)
    codes = []
    for _ in range(2000):
        first = "".join(rng.choice(usccs.ALPHABET) for _ in range(2))
        first += "".join(rng.choice("0123456789") for _ in range(6))
        first += "".join(rng.choice(usccs.ALPHABET) for _ in range(9))
        check = usccs.check_character(first) if rng.random() < 0.5 else rng.choice("0AY")
        codes.append(first + check)
    codes += ["", "123", "91330100716105852I", "9133010071610585", "913301007161O5852F"]
    normal, bad = imports_values.uscc_codes(pa.array(codes))
    assert list(bad) == [usccs.problem(c) is not None for c in normal.to_pylist()]


# -- files htz cannot read ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "empty"),
        (b"\r\n\r\n", "empty"),
        (b"uscc,period,employees\r\n", "no data rows"),
        (b"uscc,period,employees\n91110000802100433B,2023-M09,1,2\n", "row 2 has 4 cells"),
        (b"uscc,period\n\xff\xfe\xfd,x\n", "neither UTF-8 nor GB18030"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(100), "Excel 97-2003"),
        (b"PK\x03\x04not really a zip", "not a readable .xlsx"),
        (b"uscc,period\x00\x01\x02", "binary"),
    ],
)
def test_unreadable_files_raise_input_error(tmp_path, content, message):
    path = tmp_path / "upload.csv"
    path.write_bytes(content)
    with pytest.raises(InputError, match=message) as raised:
        read_upload(path, "monthly")
    assert str(path) in raised.value.message


def test_missing_file(tmp_path):
    with pytest.raises(InputError, match="no such file"):
        read_upload(tmp_path / "nope.csv", "monthly")
