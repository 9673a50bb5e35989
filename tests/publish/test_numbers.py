"""Numbers as each reader expects them, worked out by hand (GLOSSARY.md)."""

import pytest

from htz.errors import InputError
from htz.publish import i18n
from htz.publish.numbers import column_scale, growth, money, number, percent, persons


@pytest.mark.parametrize(
    ("value", "zh", "en", "vi"),
    [
        (1.233e13, "12.33万亿元", "12.33 trillion yuan", "12,33 nghìn tỷ nhân dân tệ"),
        (9.5e11, "9500.00亿元", "950.00 billion yuan", "950,00 tỷ nhân dân tệ"),
        (5.6e9, "56.00亿元", "5.60 billion yuan", "5,60 tỷ nhân dân tệ"),
        (1.234e7, "1234.00万元", "12.34 million yuan", "12,34 triệu nhân dân tệ"),
        (350000.0, "35.00万元", "350,000 yuan", "350.000 nhân dân tệ"),
        (816.0, "816元", "816 yuan", "816 nhân dân tệ"),
        (165.6, "165.60元", "165.60 yuan", "165,60 nhân dân tệ"),
        (-2.5e8, "-2.50亿元", "-250.00 million yuan", "-250,00 triệu nhân dân tệ"),
    ],
)
def test_money_on_each_readers_scale(value, zh, en, vi):
    assert (money(value, "zh"), money(value, "en"), money(value, "vi")) == (zh, en, vi)


def test_persons():
    assert persons(2.456e7, "zh") == "2456.00万人"
    assert persons(2.456e7, "en") == "24.56 million people"
    assert persons(2.456e7, "vi") == "24,56 triệu người"
    assert persons(60, "zh") == "60人"
    assert persons(245678, "en") == "245,678 people"
    assert persons(245678, "vi") == "245.678 người"


def test_separators():
    assert number(1234567.891, "en") == "1,234,567.89"
    assert number(1234567.891, "vi") == "1.234.567,89"
    assert number(1234567.891, "zh") == "1234567.89"


def test_percent():
    assert percent(0.0711, "en", signed=True) == "+7.11%"
    assert percent(0.0711, "zh", signed=True) == "+7.11%"
    assert percent(0.0711, "vi", signed=True) == "+7,11%"
    assert percent(0.0711, "en") == "7.11%"
    assert percent(-0.032, "vi", signed=True) == "-3,20%"
    assert percent(0.0, "en", signed=True) == "0.00%"
    assert percent(-0.00001, "en", signed=True) == "0.00%"  # no "-0.00%"
    assert percent(0.85, "zh", decimals=0) == "85%"


def test_growth_in_words():
    assert growth(0.0711, "zh") == "同比增长7.11%"
    assert growth(0.0711, "en") == "up 7.11% year on year"
    assert growth(0.0711, "vi") == "tăng 7,11% so với cùng kỳ"
    assert growth(-0.032, "zh") == "同比下降3.20%"
    assert growth(-0.032, "en") == "down 3.20% year on year"
    assert growth(-0.032, "vi") == "giảm 3,20% so với cùng kỳ"
    assert growth(0.0, "zh") == "同比持平"
    assert growth(0.0711, "zh", "comparable") == "按可比口径同比增长7.11%"
    assert growth(0.0711, "en", "comparable") == "up 7.11% year on year on a comparable basis"
    assert growth(-0.032, "vi", "current") == "giảm 3,20% so với cùng kỳ theo phạm vi hiện hành"


def test_column_scale_is_one_step_below_the_reading_scale():
    values = [2.6e12, 9.0e11, None]
    assert column_scale(values, "yuan", "zh").label == "亿元"
    assert column_scale(values, "yuan", "zh").format(2.6e12, "zh") == "26000.00"
    assert column_scale(values, "yuan", "en").format(2.6e12, "en") == "2,600.00"
    assert column_scale(values, "yuan", "vi").label == "tỷ nhân dân tệ"
    assert column_scale([1.5e7], "person", "en").label == "thousand people"
    assert column_scale([1.5e7], "person", "zh").format(1.5e7, "zh") == "1500.00"
    assert column_scale([None], "yuan", "en").label == "yuan"


@pytest.mark.parametrize(
    ("code", "ytd", "zh", "en", "vi"),
    [
        ("2023-Q3", True, "2023年前三季度", "the first three quarters of 2023",
         "ba quý đầu năm 2023"),
        ("2023-Q2", True, "2023年上半年", "the first half of 2023", "6 tháng đầu năm 2023"),
        ("2023-Q3", False, "2023年第三季度", "the third quarter of 2023", "quý III năm 2023"),
        ("2023-M09", True, "2023年1—9月", "January–September 2023", "9 tháng đầu năm 2023"),
        ("2023-M09", False, "2023年9月", "September 2023", "tháng 9 năm 2023"),
        ("2023-M01", True, "2023年1月", "January 2023", "tháng 1 năm 2023"),
        ("2023", True, "2023年", "2023", "năm 2023"),
    ],
)  # fmt: skip
def test_period_names(code, ytd, zh, en, vi):
    names = tuple(i18n.period_name(code, lang, ytd) for lang in ("zh", "en", "vi"))
    assert names == (zh, en, vi)


def test_names_from_the_glossary_and_catalogue():
    assert [i18n.indicator_name("zone_gdp", x) for x in ("zh", "en", "vi")] == [
        "园区生产总值", "zone GDP", "tổng sản phẩm của khu (GDP khu)"]  # fmt: skip
    assert i18n.indicator_name("operating_revenue", "vi") == "doanh thu"
    assert [i18n.region_name("northeast", x) for x in ("zh", "en", "vi")] == [
        "东北地区", "Northeast", "Vùng Đông Bắc"]  # fmt: skip
    assert i18n.platform_name("national_key_laboratory", "zh") == "全国重点实验室"
    assert i18n.section_name("C", "zh") == "制造业"
    assert i18n.section_name("C", "vi") == "Công nghiệp chế biến, chế tạo"
    assert i18n.created("2023-11-29T16:02:49+00:00", "zh") == "2023年11月29日 16:02 UTC"


def test_unknown_language():
    with pytest.raises(InputError):
        i18n.t("withheld", "fr")
