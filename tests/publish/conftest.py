"""A bulletin in the shape of the JSON contract (docs/bulletin-json.md), small and by hand.

All eight headline indicators are published. Some regional, provincial and zone cells are
withheld, and — against the contract, on purpose — those still carry a value
(``SECRET`` yuan, growth ``SECRET_GROWTH``, location quotient ``SECRET_LQ``): the tests
check that no rendering ever shows them.
"""

from __future__ import annotations

import copy

import pytest

SECRET = 987654321987.0  # 9876.54亿元 / 987.65 billion yuan / 987,65 tỷ
SECRET_GROWTH = 0.4321  # +43.21%
SECRET_LQ = 9.8765
SECRET_DIGITS = ("9876", "987.6", "987,6", "98765", "43.21", "43,21", "9.88", "9,88", "9.87")


def cell(value, cmp, cur, n=50, unit="yuan", imputed=0.01):
    return {"value": value, "unit": unit, "growth_comparable": cmp, "growth_current": cur,
            "n_enterprises": n, "confidential": False, "imputed_share": imputed}  # fmt: skip


def secret(reason="threshold", unit="yuan", n=2):
    return {"value": SECRET, "unit": unit, "growth_comparable": SECRET_GROWTH,
            "growth_current": SECRET_GROWTH, "n_enterprises": n, "confidential": True,
            "reason": reason}  # fmt: skip


def cells(gdp, revenue, employees, growth=0.05):
    """zone GDP, operating revenue and employees of a region, province or zone."""
    return {
        "zone_gdp": cell(gdp, growth, growth + 0.01),
        "operating_revenue": cell(revenue, growth + 0.01, growth + 0.02),
        "employees": cell(employees, 0.02, 0.03, unit="person"),
    }


def withheld(reason):
    return {"zone_gdp": secret(reason), "operating_revenue": secret(reason),
            "employees": secret(reason, unit="person")}  # fmt: skip


def build() -> dict:
    headline = {
        "zone_gdp": cell(1.233e13, 0.0711, 0.0802, n=20000, imputed=0.012),
        "operating_revenue": cell(4.012e13, 0.081, 0.09, n=20000),
        "industrial_output": cell(2.5e13, 0.065, 0.07, n=20000),
        "exports": cell(3.1e12, -0.032, -0.02, n=20000),
        "net_profit": cell(2.1e12, -0.054, -0.04, n=20000),
        "taxes_paid": cell(1.8e12, 0.03, 0.035, n=20000),
        "rd_expenditure": cell(9.5e11, 0.12, 0.13, n=20000),
        "employees": cell(2.456e7, 0.021, 0.03, n=20000, unit="person", imputed=0.02),
    }
    provinces = [
        ("11", "北京市", "Beijing", "Bắc Kinh", cells(2.6e12, 8.1e12, 2.9e6)),
        ("21", "辽宁省", "Liaoning", "Liêu Ninh", withheld("threshold")),
        ("42", "湖北省", "Hubei", "Hồ Bắc", cells(1.1e12, 3.3e12, 1.2e6, growth=0.09)),
        ("44", "广东省", "Guangdong", "Quảng Đông", cells(2.2e12, 7.7e12, 3.1e6)),
        ("51", "四川省", "Sichuan", "Tứ Xuyên", cells(0.9e12, 2.7e12, 0.8e6, growth=-0.01)),
        ("65", "新疆维吾尔自治区", "Xinjiang", "Tân Cương", withheld("dominance")),
    ]
    zones = [
        ("aksu-alar", "阿克苏阿拉尔高新技术产业开发区",
         "Aksu-Alar High-tech Industrial Development Zone", "65", withheld("threshold")),
        ("chengdu", "成都高新技术产业开发区", "Chengdu High-tech Industrial Development Zone",
         "51", cells(0.7e12, 2.1e12, 0.6e6)),
        ("shenyang", "沈阳高新技术产业开发区", "Shenyang High-tech Industrial Development Zone",
         "21", withheld("secondary")),
        ("shenzhen", "深圳市高新技术产业园区", "Shenzhen High-tech Industrial Park", "44",
         cells(1.0e12, 3.6e12, 1.3e6)),
        ("wuhan", "武汉东湖新技术开发区", "Wuhan East Lake High-tech Development Zone", "42",
         cells(0.8e12, 2.6e12, 0.7e6, growth=0.11)),
        ("zhongguancun", "中关村科技园区", "Zhongguancun Science Park", "11",
         cells(1.9e12, 6.0e12, 2.5e6)),
    ]  # fmt: skip
    lq = [
        {"zone": "chengdu", "section": "I", "lq": 1.42, "confidential": False},
        {"zone": "shenyang", "section": "C", "lq": SECRET_LQ, "confidential": True},
        {"zone": "shenzhen", "section": "C", "lq": 1.18, "confidential": False},
        {"zone": "zhongguancun", "section": "I", "lq": 2.05, "confidential": False},
        {"zone": "zhongguancun", "section": "M", "lq": 0.61, "confidential": False},
    ]
    return {
        "period": "2023-Q3",
        "snapshot": "ed243ba425bae38a",
        "snapshot_created_at": "2023-11-29T16:02:49+00:00",
        "synthetic": True,
        "periods": {"monthly": "2023-M09", "quarterly": "2023-Q3"},
        "zones": 178,
        "enterprises": 20512,
        "headline": headline,
        "by_region": [
            {"code": "central", **cells(2.4e12, 7.0e12, 4.0e6, growth=0.08)},
            {"code": "east", **cells(7.5e12, 2.5e13, 1.5e7)},
            {"code": "northeast", **withheld("secondary")},
            {"code": "west", **cells(1.9e12, 5.9e12, 3.5e6, growth=0.06)},
        ],
        "by_province": [
            {"code": c, "name_zh": zh, "name_en": en, "name_vi": vi, **v}
            for c, zh, en, vi, v in provinces
        ],
        "by_zone": [
            {"code": c, "name_zh": zh, "name_en": en, "province_code": p, **v}
            for c, zh, en, p, v in zones
        ],
        "platform_shares": {
            "national_key_laboratory": 400 / 510,
            "national_manufacturing_innovation_centre": 0.7,
        },
        "platforms": [
            {
                "type": "national_key_laboratory",
                "total": 533,
                "in_zone": 400,
                "outside": 110,
                "unknown": 23,
                "share": 400 / 510,
            },
            {
                "type": "national_manufacturing_innovation_centre",
                "total": 26,
                "in_zone": 14,
                "outside": 6,
                "unknown": 6,
                "share": 0.7,
            },
        ],
        "quality": {
            "reporting_rate": 0.9612,
            "imputed_share": {k: v["imputed_share"] for k, v in headline.items()},
            "reporting_rate_monthly": 0.9612,
            "expected_monthly": 20512,
            "respondents_monthly": 19716,
            "reporting_rate_quarterly": 0.9544,
            "expected_quarterly": 20512,
            "respondents_quarterly": 19577,
        },
        "specialisation": {"operating_revenue": lq, "employees": copy.deepcopy(lq)},
        "concentration": {"indicator": "zone_gdp", "top10_share": 0.5024},
        "disclosure": {"min_enterprises": 3, "dominance": 0.85},
    }


@pytest.fixture
def bulletin() -> dict:
    return build()
