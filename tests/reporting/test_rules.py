"""Running rules over uploads and single reports: lookups, the default rule set, messages."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pyarrow as pa
import pytest

from htz.errors import InputError, Issue
from htz.reporting.rules import (
    FORMS,
    LANGS,
    VIOLATION_SCHEMA,
    Rule,
    Violation,
    annual_vs_december,
    check_report,
    check_upload,
    default_rules,
    load_rules,
    rules_from_data,
    to_violations,
)

DOCS = Path(__file__).parents[2] / "docs" / "rules.md"
YTD = Rule.make(
    "ytd-decreased",
    "operating_revenue >= prev(operating_revenue)",
    "fell from {prev(operating_revenue)} to {operating_revenue}",
)


def reports(*rows: tuple, columns=("uscc", "period", "operating_revenue")) -> pa.Table:
    return pa.table(
        {
            c: pa.array([r[i] for r in rows], pa.string() if i < 2 else pa.float64())
            for i, c in enumerate(columns)
        }
    )


def flagged(table: pa.Table) -> list[tuple]:
    return [(r["rule"], r["uscc"], r["period"]) for r in table.to_pylist()]


# -- lookups -----------------------------------------------------------------------------------


def test_prev_reads_history_and_stops_at_the_year_boundary():
    upload = reports(("A", "2023-M01", 10.0), ("A", "2023-M09", 50.0), ("B", "2023-M09", 70.0))
    history = reports(("A", "2022-M12", 100.0), ("A", "2023-M08", 60.0), ("B", "2023-M08", 60.0))
    out = check_upload([YTD], upload, history, form="monthly")
    # 2023-M01 has no prev (not 2022-M12): not evaluated; A 2023-M09: 50 < 60 fails; B rose.
    assert flagged(out) == [("ytd-decreased", "A", "2023-M09")]
    (v,) = to_violations(out)
    assert v.values == {"operating_revenue": 50.0, "prev(operating_revenue)": 60.0}
    assert v.message == "fell from 60 to 50"
    assert v.row == 1 and v.indicator == "operating_revenue" and v.severity == "error"


def test_prev_reads_the_upload_itself_which_replaces_history():
    upload = reports(("A", "2023-M08", 40.0), ("A", "2023-M09", 50.0))
    history = reports(("A", "2023-M08", 60.0))  # stored earlier, now resubmitted as 40
    assert check_upload([YTD], upload, history, form="monthly").num_rows == 0
    assert flagged(check_upload([YTD], upload[1:], history, form="monthly")) == [
        ("ytd-decreased", "A", "2023-M09")
    ]


def test_prev_of_quarters_and_years():
    upload = reports(("A", "2023-Q1", 1.0), ("A", "2023-Q3", 5.0), ("A", "2023", 1.0))
    history = reports(("A", "2022-Q4", 9.0), ("A", "2023-Q2", 6.0), ("A", "2022", 9.0))
    # Q1 is the first quarter and a year has no prev: only Q3 (5 < 6) is checked and fails.
    assert flagged(check_upload([YTD], upload, history, form=None)) == [
        ("ytd-decreased", "A", "2023-Q3")
    ]


def test_last_year_from_history():
    rule = Rule.make("grew", "operating_revenue >= last_year(operating_revenue)", "x")
    upload = reports(("A", "2023-M09", 50.0), ("B", "2023-M09", 50.0), ("C", "2023-M09", 50.0))
    history = reports(("A", "2022-M09", 80.0), ("B", "2022-M09", 20.0), ("A", "2023-M08", 99.0))
    (v,) = to_violations(check_upload([rule], upload, history, form="monthly"))
    assert (v.uscc, v.values) == (
        "A",
        {"operating_revenue": 50.0, "last_year(operating_revenue)": 80.0},
    )


def test_dec_reads_the_december_report_of_an_annual_period():
    annual = reports(("A", "2023", 1000.0), ("B", "2023", 1100.0), ("C", "2023", 500.0))
    december = reports(
        ("A", "2023-M12", 1005.0), ("B", "2023-M12", 1000.0), ("B", "2023-M11", 1100.0)
    )
    out = annual_vs_december(annual, december)
    # A: |1000 - 1005| = 5 <= 10.05 agrees; B: |1100 - 1000| = 100 > 10; C: no December report.
    assert flagged(out) == [("annual-vs-december", "B", "2023")]
    assert to_violations(out)[0].message.startswith(
        "operating revenue in the annual report (1,100) differs from December's year-to-date "
        "figure (1,000) by more than 1%"
    )


def test_absent_columns_and_nan_are_missing():
    rule = Rule.make("exports-exceed-revenue", "exports <= operating_revenue", "x")
    upload = reports(("A", "2023-M09", 5.0))
    assert check_upload([rule], upload, form="monthly").num_rows == 0
    upload = upload.append_column("exports", pa.array([float("nan")]))
    assert check_upload([rule], upload, form="monthly").num_rows == 0


def test_duplicate_reports_are_refused():
    upload = reports(("A", "2023-M09", 50.0), ("A", "2023-M09", 40.0))
    with pytest.raises(InputError, match="uscc A period 2023-M09 \\(2 times\\)"):
        check_upload([YTD], upload, form="monthly")


def test_bad_inputs():
    with pytest.raises(InputError, match="write 2023-M09"):
        check_upload([YTD], reports(("A", "2023-m09", 1.0)), form="monthly")
    with pytest.raises(InputError, match="not a period"):
        check_upload([YTD], reports(("A", "2023-09", 1.0)), form="monthly")
    with pytest.raises(InputError, match="no 'uscc' column"):
        check_upload([YTD], pa.table({"period": ["2023"]}), form="monthly")
    with pytest.raises(InputError, match="column 'operating_revenue' must hold numbers"):
        check_upload(
            [YTD],
            pa.table({"uscc": ["A"], "period": ["2023"], "operating_revenue": ["x"]}),
            form="annual",
        )
    with pytest.raises(InputError, match="form 'weekly'"):
        check_upload([YTD], reports(("A", "2023", 1.0)), form="weekly")
    with pytest.raises(InputError, match="language 'fr'"):
        check_upload([YTD], reports(("A", "2023", 1.0)), form="annual", lang="fr")


def test_empty_inputs_give_an_empty_table_of_the_same_shape():
    assert check_upload([YTD], reports(), form="monthly").schema == VIOLATION_SCHEMA
    assert check_upload([], reports(("A", "2023", 1.0)), form="annual").schema == VIOLATION_SCHEMA


# -- the default rule set ---------------------------------------------------------------------


def test_default_rules_load_and_every_rule_compiles_and_runs():
    rules = default_rules()
    assert {r.code for r in rules} >= {
        "ytd-decreased",
        "exports-exceed-revenue",
        "cost-exceeds-revenue",
        "rd-exceeds-revenue",
        "negative-value",
        "revenue-without-employees",
        "yoy-jump",
        "annual-vs-december",
    }
    assert len({r.key for r in rules}) == len(rules)
    one = reports(("A", "2023-M09", 1.0))
    for lang in LANGS:  # every rule's SQL and every message template runs in every language
        assert (
            check_upload(
                rules,
                one,
                one.set_column(1, "period", pa.array(["2023-M08"])),
                form=None,
                lang=lang,
            ).num_rows
            == 0
        )


def test_ytd_rules_skip_flows_that_can_fall():
    ytd = {r.indicator for r in default_rules() if r.code == "ytd-decreased"}
    assert "operating_revenue" in ytd and "exports" in ytd
    assert not ytd & {"net_profit", "operating_surplus", "employees"}


def test_default_ytd_rule_flags_exactly_the_decreases():
    cols = ("uscc", "period", "operating_revenue", "exports", "net_profit")
    history = reports(("A", "2023-M07", 100.0, 10.0, 5.0), columns=cols)
    upload = reports(
        ("A", "2023-M08", 90.0, 10.0, 1.0),  # revenue fell 100 → 90; net profit may fall
        ("A", "2023-M09", 95.0, 9.0, 2.0),  # revenue rose; exports fell 10 → 9
        ("B", "2023-M01", 5.0, 1.0, 1.0),  # first month: nothing to compare with
        ("B", "2023-M02", 5.0, None, 1.0),  # unchanged is fine; missing exports not evaluated
        ("B", "2023-M03", 4.0, 0.0, 1.0),  # revenue fell 5 → 4; exports after a missing month
        columns=cols,
    )
    ytd = [r for r in default_rules() if r.code == "ytd-decreased"]
    out = check_upload(ytd, upload, history, form="monthly")
    assert [(r["uscc"], r["period"], r["indicator"]) for r in out.to_pylist()] == [
        ("A", "2023-M08", "operating_revenue"),
        ("A", "2023-M09", "exports"),
        ("B", "2023-M03", "operating_revenue"),
    ]


def test_default_rules_follow_the_form():
    cols = ("uscc", "period", "operating_revenue")
    upload, history = reports(("A", "2023", 90.0), columns=cols), reports(("A", "2022", 100.0))
    ytd = [r for r in default_rules() if r.code == "ytd-decreased"]
    assert check_upload(ytd, upload, history, form="annual").num_rows == 0


def test_default_cross_indicator_rules():
    cols = ("uscc", "period", "operating_revenue", "exports", "wages", "employees")
    upload = reports(
        ("A", "2023-M09", 100.0, 120.0, 10.0, 5.0),  # exports > revenue: warning
        ("B", "2023-M09", 0.0, 0.0, 30.0, 4.0),  # pre-revenue start-up paying wages: warning
        ("C", "2023-M09", 50.0, 0.0, 5.0, 0.0),  # revenue but no employees: error
        ("D", "2023-M09", 50.0, 0.0, 5.0, -1.0),  # negative employees: two errors
        ("E", "2023-M09", 0.0, 0.0, 0.0, 0.0),  # dormant: fine
        columns=cols,
    )
    out = check_upload(default_rules(), upload, form="monthly")
    assert [(r["uscc"], r["rule"], r["severity"]) for r in out.to_pylist()] == [
        ("A", "exports-exceed-revenue", "warning"),
        ("B", "cost-exceeds-revenue", "warning"),
        ("C", "revenue-without-employees", "error"),
        ("D", "negative-value", "error"),
        ("D", "revenue-without-employees", "error"),
    ]


def test_yoy_jump_needs_a_positive_last_year():
    upload = reports(
        ("A", "2023", 201.0), ("B", "2023", 200.0), ("C", "2023", 49.0), ("D", "2023", 5.0)
    )
    history = reports(
        ("A", "2022", 100.0), ("B", "2022", 100.0), ("C", "2022", 100.0), ("D", "2022", 0.0)
    )
    jump = [r for r in default_rules() if r.key == "yoy-jump[operating_revenue]"]
    out = check_upload(jump, upload, history, form="annual", lang="zh")
    assert flagged(out) == [("yoy-jump", "A", "2023"), ("yoy-jump", "C", "2023")]
    assert to_violations(out)[0].message.startswith(
        "营业收入为201，上年同期为100（为上年的2.01倍）"
    )


# -- messages, values, Violation ---------------------------------------------------------------


def test_numbers_in_messages_in_each_language():
    rule = Rule.make("r", "x < 0", "x is {x}, half is {x / 2}, missing is {y}")
    upload = pa.table({"uscc": ["A"], "period": ["2023"], "x": [1234567.891], "y": [None]})
    en = to_violations(check_upload([rule], upload, form="annual"))[0]
    assert en.message == "x is 1,234,567.89, half is 617,283.95, missing is —"
    vi = to_violations(check_upload([rule], upload, form="annual", lang="vi"))[0]
    assert vi.message == "x is 1.234.567,89, half is 617.283,95, missing is —"
    assert en.values == {"x": 1234567.891}


def test_violation_as_issue():
    v = Violation("ytd-decreased", "error", "A", "2023-M09", {"exports": 9.0}, "m", "exports", 0)
    assert v.as_issue() == Issue(
        code="ytd-decreased", message="m", row=2, column="exports", value="9.0", severity="error"
    )


def test_values_column_is_json():
    out = check_upload(
        [YTD], reports(("A", "2023-M09", 1.0)), reports(("A", "2023-M08", 2.0)), form="monthly"
    )
    assert json.loads(out["values"][0].as_py()) == {
        "operating_revenue": 1.0,
        "prev(operating_revenue)": 2.0,
    }


# -- single report ----------------------------------------------------------------------------


def test_check_report_with_history_as_list_or_mapping():
    report = {"uscc": "A", "period": "2023-M09", "operating_revenue": 50, "employees": 3}
    as_list = check_report(
        default_rules(), report, [{"period": "2023-M08", "operating_revenue": 60}], form="monthly"
    )
    as_map = check_report(
        default_rules(), report, {"2023-M08": {"operating_revenue": 60}}, form="monthly"
    )
    assert as_list == as_map
    assert [(v.rule, v.indicator, v.row) for v in as_list] == [
        ("ytd-decreased", "operating_revenue", 0)
    ]
    assert check_report(default_rules(), report, form="monthly") == []
    with pytest.raises(InputError, match="no period"):
        check_report(default_rules(), {"uscc": "A"}, form="monthly")
    with pytest.raises(InputError, match="operating_revenue: expected numbers"):
        check_report(
            default_rules(), {"period": "2023", "operating_revenue": "lots"}, form="annual"
        )


# -- loading rules -----------------------------------------------------------------------------

GOOD = {
    "code": "r",
    "severity": "error",
    "forms": ["annual"],
    "expr": "x >= 0",
    "message": {"en": "e", "zh": "z", "vi": "v"},
}


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"code": "R_1"}, "kebab-case"),
        ({"severity": "fatal"}, "severity must be error or warning"),
        ({"forms": ["weekly"]}, "forms must be a list of"),
        ({"message": {"en": "e"}}, "message needs exactly en, zh and vi"),
        ({"message": "e"}, "message needs en, zh and vi texts"),
        ({"expr": "x >"}, "rule 'r': expected a number"),
        ({"colour": "red"}, "unknown key(s) ['colour']"),
        ({"for_each": "x"}, "for_each must be a list"),
        ({"message": {"en": "{x", "zh": "z", "vi": "v"}}, "unbalanced brace"),
    ],
)
def test_bad_rule_files(change, expected):
    with pytest.raises(InputError) as caught:
        rules_from_data([{**GOOD, **change}], "f.yaml")
    assert expected in caught.value.message and caught.value.message.startswith("f.yaml, rule")


def test_for_each_and_duplicates_and_unknown_indicators(tmp_path):
    each = {
        **GOOD,
        "for_each": ["a", "b"],
        "expr": "{x} >= 0",
        "message": {"en": "{x} is {{x}}", "zh": "z", "vi": "v"},
    }
    a, b = rules_from_data([each])
    assert (a.key, a.expr, a.indicator, b.key) == ("r[a]", "a >= 0", "a", "r[b]")
    assert [t.name for t in a.messages["en"].terms()] == ["a"]
    with pytest.raises(InputError, match=r"rule r\[x\] is defined twice"):
        rules_from_data([GOOD, GOOD])
    with pytest.raises(InputError, match=r"rule r\[x\] reads 'x', which is not an indicator"):
        rules_from_data([GOOD], indicators=["operating_revenue"])
    path = tmp_path / "rules.yaml"
    path.write_text("- code: r\n  severity: [", "utf-8")
    with pytest.raises(InputError, match="not valid YAML"):
        load_rules(path)
    with pytest.raises(InputError, match="no such rules file"):
        load_rules(tmp_path / "none.yaml")
    assert rules_from_data([GOOD])[0].forms == ("annual",)
    assert Rule.make("r", "x > 0", "m").forms == FORMS


def test_docs_list_every_default_rule():
    text = DOCS.read_text("utf-8")
    for rule in default_rules():
        assert re.search(rf"`{rule.code}`", text), rule.code
