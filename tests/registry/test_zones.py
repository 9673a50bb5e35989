"""Counts of national zones by date, checked against published totals."""

import datetime as dt

import pytest

from htz.errors import InputError, NotFoundError
from htz.registry import zones

pytestmark = pytest.mark.integration

# Per-province counts of the 178 zones, counted by hand from shared/data/zones.csv
# (the compilation htz's copy was made from), independently of htz's code.
SHARED_BY_PROVINCE = {
    "11": 1, "12": 1, "13": 5, "14": 2, "15": 3, "21": 8, "22": 5, "23": 3, "31": 2,
    "32": 18, "33": 8, "34": 7, "35": 7, "36": 9, "37": 13, "41": 9, "42": 12, "43": 9,
    "44": 14, "45": 4, "46": 1, "50": 4, "51": 8, "52": 3, "53": 3, "54": 1, "61": 7,
    "62": 2, "63": 1, "64": 2, "65": 5,
}  # fmt: skip


@pytest.mark.parametrize(
    ("day", "total"),
    [
        # published totals (shared/data/README.md): 1 zone in 1988, 27 after March 1991,
        # 52 after November 1992; 83 at end-2010 + SIP; 169 = 168 + SIP at end-2018;
        # 173 in June 2022; 178 at the end of November 2023.
        ("1988-12-31", 1),
        ("1991-12-31", 27),
        ("1992-12-31", 52),
        ("2010-12-31", 84),
        ("2018-12-31", 169),
        ("2022-06-30", 173),
        ("2023-11-30", 178),
    ],
)
def test_zone_counts_match_published_totals(conn, day, total):
    assert zones.zone_stats(conn, dt.date.fromisoformat(day))["total"] == total


def test_stats_by_province_agree_with_shared_data(conn):
    stats = zones.zone_stats(conn, dt.date(2023, 11, 30))
    assert stats["by_province"] == SHARED_BY_PROVINCE
    assert stats["without_province"] == 1  # the unidentified December-2022 upgrade
    assert sum(stats["by_region"].values()) == 177
    assert stats["by_approval_year"]["2023"] == 1


def test_zone_approved_mid_2023_is_not_counted_before_its_date(conn):
    before = {z["code"] for z in zones.list_zones(conn, dt.date(2023, 6, 11))}
    after = {z["code"] for z in zones.list_zones(conn, dt.date(2023, 6, 12))}
    assert after - before == {"aksu-alar"}


def test_list_by_province(conn):
    guangdong = zones.list_zones(conn, dt.date(2023, 11, 30), province="44")
    assert len(guangdong) == 14
    assert {z["province_code"] for z in guangdong} == {"44"}
    with pytest.raises(InputError, match="GB/T 2260"):
        zones.list_zones(conn, province="99")


def test_show_by_code_and_chinese_name(conn):
    by_code = zones.get_zone(conn, "zhongguancun")
    by_name = zones.get_zone(conn, "中关村科技园区")
    assert by_code == by_name
    assert by_code["province_en"] == "Beijing"
    assert [e["event"] for e in by_code["events"]] == ["approved", "renamed"]
    with pytest.raises(NotFoundError, match="zones list"):
        zones.get_zone(conn, "atlantis")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2015", dt.date(2015, 1, 1)),
        ("2022-12", dt.date(2022, 12, 1)),
        ("2023-06-12", dt.date(2023, 6, 12)),
    ],
)
def test_partial_dates_count_from_their_first_day(text, expected):
    assert zones.partial_date(text) == expected


@pytest.mark.parametrize("text", ["2023-13", "23", "2023/06/12", "2023-02-30"])
def test_bad_partial_dates(text):
    with pytest.raises(InputError):
        zones.partial_date(text)
