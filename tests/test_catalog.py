"""Tests for htz.catalog: the shipped catalogue, derived indicators, headers and units."""

from __future__ import annotations

import math
import random
from importlib import resources

import duckdb
import pytest
import yaml

from htz.catalog import (
    DERIVED_UNITS,
    KINDS,
    UNITS,
    Catalog,
    Derived,
    HeaderMatch,
    Names,
    load_catalog,
    read_catalog,
    unit_factor,
)
from htz.catalog import formula as formulas
from htz.errors import ConfigError, InputError, NotFoundError


@pytest.fixture(scope="module")
def cat() -> Catalog:
    return load_catalog()


# -- the shipped catalogue ----------------------------------------------------------------


def test_catalogue_loads_once_and_is_checked(cat):
    assert load_catalog() is cat
    assert len(cat.indicators) >= 20
    for ind in cat.indicators.values():
        assert ind.unit in UNITS and ind.kind in KINDS
        assert ind.name.zh and ind.name.en and ind.name.vi
    for d in cat.derived.values():
        assert d.unit in DERIVED_UNITS
        assert set(d.inputs) <= set(cat.indicators)
    # the same files read again give the same catalogue
    again = read_catalog()
    assert again.indicators == cat.indicators and again.forms == cat.forms


@pytest.mark.parametrize(
    ("code", "zh"),
    [  # the glossary's words
        ("operating_revenue", "营业收入"),
        ("industrial_output", "工业总产值"),
        ("exports", "出口总额"),
        ("net_profit", "净利润"),
        ("taxes_paid", "实缴税费"),
        ("rd_expenditure", "研究与试验发展（R&D）经费支出"),
        ("employees", "期末从业人员"),
        ("wages", "劳动者报酬"),
        ("depreciation", "固定资产折旧"),
        ("production_taxes", "生产税净额"),
        ("operating_surplus", "营业盈余"),
        ("value_added", "增加值"),
    ],
)
def test_names_follow_the_glossary(cat, code, zh):
    assert cat.name(code, "zh") == zh


def test_units_and_kinds_of_key_indicators(cat):
    expected = {
        "operating_revenue": ("yuan", "flow_ytd"),
        "exports": ("yuan", "flow_ytd"),
        "employees": ("person", "stock"),
        "rd_personnel": ("person", "stock"),
        "total_assets": ("yuan", "stock"),
        "patent_applications": ("count", "count"),
        "valid_invention_patents": ("count", "stock"),
        "energy_consumption": ("tce", "flow_ytd"),
    }
    for code, (unit, kind) in expected.items():
        ind = cat.indicator(code)
        assert (ind.unit, ind.kind) == (unit, kind), code
    assert cat.indicator("employees").min == 0
    assert cat.indicator("operating_revenue").min == 0
    for may_be_negative in ("net_profit", "profit_total", "operating_surplus", "production_taxes"):
        assert cat.indicator(may_be_negative).min is None


def test_forms(cat):
    monthly, quarterly = cat.form("monthly"), cat.form("quarterly")
    assert monthly.frequency == "M"
    assert monthly.indicators == (
        "operating_revenue",
        "industrial_output",
        "exports",
        "net_profit",
        "taxes_paid",
        "rd_expenditure",
        "employees",
    )
    assert quarterly.frequency == "Q"
    assert quarterly.indicators == (
        "wages",
        "depreciation",
        "production_taxes",
        "operating_surplus",
    )
    assert cat.form("annual_fast").frequency == "A"
    assert cat.form("annual_fast").indicators == monthly.indicators
    annual = cat.form("annual")
    assert annual.frequency == "A"
    assert annual.indicators[: len(monthly.indicators) + 4] == (
        monthly.indicators + quarterly.indicators
    )
    assert {"valid_invention_patents", "rd_personnel", "energy_consumption"} <= set(
        annual.indicators
    )
    assert [cat.name(f, "zh") for f in cat.forms] == ["月报", "季报", "年快报", "年报"]
    assert cat.name("annual_fast", "vi") == "báo cáo nhanh năm"


def test_every_form_indicator_exists_and_every_indicator_is_on_a_form(cat):
    on_forms = set()
    for form in cat.forms.values():
        for code in form.indicators:
            assert cat.indicator(code).code == code
            on_forms.add(code)
    assert on_forms == set(cat.indicators)
    for form in cat.forms.values():  # value added can be computed wherever its parts are
        if "wages" in form.indicators:
            assert set(cat.derived["value_added"].inputs) <= set(form.indicators)


def test_unknown_codes_list_the_valid_ones(cat):
    with pytest.raises(NotFoundError, match=r"form 'weekly' does not exist; the forms are monthly"):
        cat.form("weekly")
    with pytest.raises(NotFoundError, match=r"'revenue' does not exist; .*operating_revenue"):
        cat.indicator("revenue")
    with pytest.raises(NotFoundError, match=r"value_added"):
        cat.derived_indicator("gdp")
    with pytest.raises(NotFoundError, match=r"not an indicator, derived indicator or form"):
        cat.name("gdp", "en")
    with pytest.raises(InputError, match=r"use zh, en or vi"):
        cat.name("exports", "fr")
    assert cat.name("exports", "en") == "exports"
    assert cat.name("exports", "vi") == "kim ngạch xuất khẩu"


# -- derived indicators -------------------------------------------------------------------

PARTS = ("wages", "depreciation", "production_taxes", "operating_surplus")


def test_value_added_by_hand(cat):
    va = cat.derived["value_added"]
    assert va.formula == "wages + depreciation + production_taxes + operating_surplus"
    assert va.inputs == PARTS
    assert va.evaluate(dict(zip(PARTS, (10, 2, 3, 5), strict=True))) == 20
    assert va.evaluate({"wages": 10, "depreciation": 2, "production_taxes": 3}) is None
    assert va.evaluate(dict(zip(PARTS, (10, None, 3, 5), strict=True))) is None
    assert va.evaluate(dict(zip(PARTS, (10, math.nan, 3, 5), strict=True))) is None
    # operating surplus may be negative, and so may value added
    assert va.evaluate(dict(zip(PARTS, (1, 1, 1, -5), strict=True))) == -2


def test_derived_of_derived_is_expanded(cat):
    lp = cat.derived["labour_productivity"]
    assert lp.formula == "value_added / employees"
    assert lp.inputs == (*PARTS, "employees")
    assert lp.evaluate({**dict(zip(PARTS, (10, 2, 3, 5), strict=True)), "employees": 4}) == 5
    assert lp.evaluate({**dict(zip(PARTS, (10, 2, 3, 5), strict=True)), "employees": 0}) is None


def test_value_added_sql_in_duckdb(cat):
    sql = cat.derived["value_added"].sql()
    con = duckdb.connect()
    con.execute(
        "CREATE TABLE t (id INTEGER, wages DOUBLE, depreciation DOUBLE, "
        "production_taxes DOUBLE, operating_surplus DOUBLE)"
    )
    con.execute("INSERT INTO t VALUES (1, 10, 2, 3, 5), (2, 1, 1, 1, -5), (3, 10, NULL, 3, 5)")
    got = con.execute(f"SELECT {sql} FROM t ORDER BY id").fetchall()
    assert got == [(20.0,), (-2.0,), (None,)]


def test_sql_with_other_column_names(cat):
    sql = cat.derived["rd_intensity"].sql({"rd_expenditure": 'r&d "spend"'})
    assert sql == '("r&d ""spend""" / NULLIF("operating_revenue", 0))'
    con = duckdb.connect()
    row = con.execute(
        f'SELECT {sql} FROM (SELECT 5.0 AS "r&d ""spend""", 100.0 AS operating_revenue)'
    ).fetchone()
    assert row == (0.05,)


def test_every_derived_indicator_agrees_in_python_and_duckdb(cat):
    rng = random.Random(20231130)
    codes = list(cat.indicators)
    rows = []
    for _ in range(40):
        rows.append(
            {
                c: rng.choice([None, 0.0, 1.0, rng.uniform(-50, 1000), rng.uniform(1, 1e6)])
                for c in codes
            }
        )
    con = duckdb.connect()
    con.execute(
        "CREATE TABLE t (row_id INTEGER, " + ", ".join(f'"{c}" DOUBLE' for c in codes) + ")"
    )
    con.executemany(
        f"INSERT INTO t VALUES ({', '.join('?' * (len(codes) + 1))})",
        [[i, *(r[c] for c in codes)] for i, r in enumerate(rows)],
    )
    for d in cat.derived.values():
        got = [v for (v,) in con.execute(f"SELECT {d.sql()} FROM t ORDER BY row_id").fetchall()]
        expected = [d.evaluate(r) for r in rows]
        assert [g is None for g in got] == [e is None for e in expected], d.code
        assert [g for g in got if g is not None] == pytest.approx(
            [e for e in expected if e is not None], rel=1e-12
        ), d.code


@pytest.mark.parametrize(
    ("text", "values", "expected"),
    [
        ("1 + 2 * 3", {}, 7),
        ("(1 + 2) * 3", {}, 9),
        ("a - b - c", {"a": 10, "b": 3, "c": 2}, 5),  # left to right
        ("a / b / c", {"a": 12, "b": 3, "c": 2}, 2),
        ("-(a - b) / 2", {"a": 1, "b": 5}, 2),
        ("2 * -a", {"a": 3}, -6),
        ("a * 1e4 + .5", {"a": 1}, 10000.5),
    ],
)
def test_formula_arithmetic(text, values, expected):
    node = formulas.parse(text)
    assert formulas.evaluate(node, values) == expected
    columns = ", ".join(f"{v} AS {k}" for k, v in values.items()) or "1 AS one"
    got = duckdb.connect().execute(f"SELECT {formulas.to_sql(node)} FROM (SELECT {columns})")
    assert got.fetchone()[0] == pytest.approx(expected)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "is empty"),
        ("wages +", "expected a number, an indicator code or '\\(' but the formula ends"),
        ("wages ** 2", "but found '\\*'"),
        ("(wages + 1", "expected '\\)'"),
        ("wages)", "unexpected '\\)'"),
        ("__import__('os')", '"\'" is not allowed at character 12'),
        ("__import__(os)", "unexpected '\\('"),
        ("wages; drop table t", "';' is not allowed at character 6"),
        ("wages depreciation", "unexpected 'depreciation'"),
    ],
)
def test_formula_errors(text, message):
    with pytest.raises(ConfigError, match=message):
        formulas.parse(text)


def test_derived_parses_its_own_formula():
    d = Derived("gap", Names("差", "gap", "chênh lệch"), "yuan", "exports - wages")
    assert d.inputs == ("exports", "wages")
    assert d.evaluate({"exports": 5, "wages": 7}) == -2
    assert d.sql() == '("exports" - "wages")'


# -- headers and units --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("operating_revenue", ("operating_revenue", None)),
        ("营业收入", ("operating_revenue", None)),
        ("  Operating Revenue ", ("operating_revenue", None)),
        ("OPERATING_REVENUE", ("operating_revenue", None)),
        ("revenue", ("operating_revenue", None)),
        ("营业收入(万元)", ("operating_revenue", 1e4)),
        ("营业收入（千元）", ("operating_revenue", 1e3)),  # GB-style full-width parentheses
        ("营业收入 （ 亿元 ）", ("operating_revenue", 1e8)),
        ("营业收入（单位：万元）", ("operating_revenue", 1e4)),
        ("营业收入【万元】", ("operating_revenue", 1e4)),
        ("营业收入(元)", ("operating_revenue", 1)),
        ("operating_revenue (10k yuan)", ("operating_revenue", 1e4)),
        ("operating revenue [100 million yuan]", ("operating_revenue", 1e8)),
        ("Operating revenue (ten thousand yuan)", ("operating_revenue", 1e4)),
        ("operating revenue (100m yuan)", ("operating_revenue", 1e8)),
        ("revenue (thousand RMB)", ("operating_revenue", 1e3)),
        ("revenue (yuan)", ("operating_revenue", 1)),
        ("employees (persons)", ("employees", 1)),
        ("期末从业人员（人）", ("employees", 1)),
        ("从业人员期末人数(万人)", ("employees", 1e4)),
        ("研究与试验发展（R&D）经费支出", ("rd_expenditure", None)),
        ("研究与试验发展(R&D)经费支出（千元）", ("rd_expenditure", 1e3)),
        ("R&D经费内部支出(万元)", ("rd_expenditure", 1e4)),
        ("工业总产值（当年价格）（千元）", ("industrial_output", 1e3)),
        ("出口总额(千元)", ("exports", 1e3)),
        ("有效发明专利数（件）", ("valid_invention_patents", 1)),
        ("PCT国际专利申请数(项)", ("pct_applications", 1)),
        ("patent applications (count)", ("patent_applications", 1)),
        ("综合能源消费量（吨标准煤）", ("energy_consumption", 1)),
        ("综合能耗(万吨标准煤)", ("energy_consumption", 1e4)),
        ("energy consumption (tce)", ("energy_consumption", 1)),
        ("doanh thu", ("operating_revenue", None)),
        # not indicators: the caller decides
        ("enterprise", None),
        ("统一社会信用代码", None),
        ("主营业务收入(万元)", None),
        ("value_added", None),  # derived: computed, never imported
        ("", None),
        (None, None),
        (2023, None),
    ],
)
def test_resolve_header(cat, header, expected):
    result = cat.resolve_header(header)
    assert result == (None if expected is None else HeaderMatch(*expected))


@pytest.mark.parametrize(
    ("header", "message"),
    [
        (
            "期末从业人员（万元）",
            r"column '期末从业人员（万元）': '万元' measures money in yuan.*人, 万人",
        ),
        ("employees (10k yuan)", r"'10k yuan' measures money .* employees is a number of persons"),
        ("营业收入(万人)", r"'万人' measures a number of persons.*元, 千元, 万元, 亿元"),
        ("出口总额(万美元)", r"US dollars.*convert at the exchange rate"),
        (
            "营业收入(本年)",
            r"'本年' is not a unit htz knows; operating_revenue is money.*: write one of 元",
        ),
        ("专利申请数(万元)", r"but patent_applications is a count; write one of 个, 件, 项, count"),
    ],
)
def test_incompatible_or_unknown_unit_in_header(cat, header, message):
    with pytest.raises(InputError, match=message):
        cat.resolve_header(header)


def test_unit_factor(cat):
    assert unit_factor("万元", "operating_revenue") == 1e4
    assert unit_factor(" Thousand Yuan ", "exports") == 1e3
    assert unit_factor("10,000 yuan", "wages") == 1e4
    assert unit_factor("人", cat.indicator("employees")) == 1
    assert cat.unit_factor("亿元", "net_profit") == 1e8
    with pytest.raises(InputError, match=r"unit '万元': '万元' measures money"):
        unit_factor("万元", "employees")
    with pytest.raises(NotFoundError):
        unit_factor("万元", "revenue")


# -- broken catalogues --------------------------------------------------------------------


def _shipped(name: str) -> dict:
    return yaml.safe_load(resources.files("htz.catalog").joinpath(name).read_text("utf-8"))


def _entry(entries: list[dict], code: str) -> dict:
    return next(e for e in entries if e["code"] == code)


def _break_indicators(how: str, doc: dict) -> None:
    ind, der = doc["indicators"], doc["derived"]
    if how == "duplicate-code":
        ind.append(dict(ind[0]))
    elif how == "unknown-unit":
        _entry(ind, "exports")["unit"] = "rmb"
    elif how == "unknown-kind":
        _entry(ind, "employees")["kind"] = "level"
    elif how == "count-in-yuan":
        _entry(ind, "exports")["kind"] = "count"
    elif how == "missing-name":
        del _entry(ind, "wages")["name"]["vi"]
    elif how == "unknown-key":
        _entry(ind, "wages")["alias"] = ["salary"]
    elif how == "bad-bounds":
        _entry(ind, "wages")["max"] = -1
    elif how == "alias-collision":
        _entry(ind, "net_profit")["aliases"].append("营业收入")
    elif how == "unknown-ref":
        _entry(der, "value_added")["formula"] = "wages + depreciaton"
    elif how == "bad-formula":
        _entry(der, "value_added")["formula"] = "wages + * depreciation"
    elif how == "cycle":
        _entry(der, "value_added")["formula"] = "labour_productivity * employees"
    elif how == "derived-code-taken":
        _entry(der, "value_added")["code"] = "wages"


INDICATOR_BREAKS = {
    "duplicate-code": r"indicators\[\d+\]: code 'operating_revenue' is used twice",
    "unknown-unit": r"indicator 'exports': unit 'rmb' is not one of yuan, usd, person",
    "unknown-kind": r"indicator 'employees': kind 'level' is not one of flow_ytd, stock, count",
    "count-in-yuan": r"indicator 'exports': kind 'count' needs unit 'count', not 'yuan'",
    "missing-name": r"indicator 'wages' name: missing vi",
    "unknown-key": r"indicator.*unknown key alias; the keys are aliases, code",
    "bad-bounds": r"indicator 'wages': min 0 is above max -1",
    "alias-collision": r"'营业收入' would name both 'operating_revenue' and 'net_profit'",
    "unknown-ref": r"'value_added': formula uses 'depreciaton', which is not an indicator",
    "bad-formula": r"'value_added': formula 'wages \+ \* depreciation': expected a number",
    "cycle": r"refers to itself: (value_added → labour_productivity → value_added"
    r"|labour_productivity → value_added → labour_productivity)",
    "derived-code-taken": r"code 'wages' is used twice",
}


@pytest.mark.parametrize("how", list(INDICATOR_BREAKS))
def test_broken_indicators_file(tmp_path, how):
    doc = _shipped("indicators.yaml")
    _break_indicators(how, doc)
    path = tmp_path / "indicators.yaml"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")
    with pytest.raises(ConfigError, match=INDICATOR_BREAKS[how]) as caught:
        read_catalog(indicators=path)
    assert caught.value.message.startswith(str(path))


FORM_BREAKS = {
    "unknown-indicator": (
        lambda forms: _entry(forms, "monthly")["indicators"].append("turnover"),
        r"form 'monthly': 'turnover' is not an indicator; the indicators are operating_revenue",
    ),
    "derived-on-form": (
        lambda forms: _entry(forms, "quarterly")["indicators"].append("value_added"),
        r"form 'quarterly': 'value_added' is not an indicator",
    ),
    "count-on-monthly": (
        lambda forms: _entry(forms, "monthly")["indicators"].append("patent_applications"),
        r"'patent_applications' is a count for the year and belongs on annual forms only",
    ),
    "bad-frequency": (
        lambda forms: _entry(forms, "monthly").update(frequency="W"),
        r"form 'monthly': frequency 'W' is not one of M, Q, A",
    ),
    "include-later-form": (
        lambda forms: _entry(forms, "monthly").update(includes=["annual"]),
        r"includes 'annual', which is not a form defined above it",
    ),
    "listed-twice": (
        lambda forms: _entry(forms, "annual")["indicators"].append("exports"),
        r"form 'annual': 'exports' is listed twice",
    ),
}


@pytest.mark.parametrize("how", list(FORM_BREAKS))
def test_broken_forms_file(tmp_path, how):
    doc = _shipped("forms.yaml")
    breaker, message = FORM_BREAKS[how]
    breaker(doc["forms"])
    path = tmp_path / "forms.yaml"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")
    with pytest.raises(ConfigError, match=message):
        read_catalog(forms=path)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("indicators: [\n", r"indicators.yaml \(text\): not valid YAML"),
        ("- 1\n- 2\n", r"expected a mapping at the top of the file"),
        ("derived: []\n", r"the file: missing indicators"),
        ("indicators: {}\n", r"indicators: expected a list of entries"),
    ],
)
def test_broken_yaml_text(text, message):
    with pytest.raises(ConfigError, match=message):
        read_catalog(indicators=text)


def test_catalogue_from_text():
    indicators = """
indicators:
  - code: widgets_sold
    name: {zh: 销售量, en: widgets sold, vi: số lượng bán}
    unit: count
    kind: flow_ytd
derived:
  - code: double_widgets
    name: {zh: 双倍, en: double, vi: gấp đôi}
    formula: 2 * widgets_sold
    unit: count
"""
    forms = """
forms:
  - code: tiny
    frequency: M
    name: {zh: 小表, en: tiny, vi: nhỏ}
    indicators: [widgets_sold]
"""
    cat = read_catalog(indicators, forms)
    assert cat.form("tiny").indicators == ("widgets_sold",)
    assert cat.resolve_header("Widgets Sold (件)") == HeaderMatch("widgets_sold", 1)
    assert cat.derived["double_widgets"].evaluate({"widgets_sold": 4}) == 8


def test_missing_file_is_a_config_error(tmp_path):
    with pytest.raises(ConfigError, match=r"cannot read the catalogue file"):
        read_catalog(indicators=tmp_path / "nope.yaml")
