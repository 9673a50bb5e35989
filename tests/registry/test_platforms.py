import pytest

from htz.errors import ImportProblemsError
from htz.registry import platforms as plat
from htz.tabular import read_table
from tests.conftest import FIXTURES

pytestmark = pytest.mark.integration


def test_reference_centres_and_their_share(conn):
    rows = {r["type"]: r for r in plat.share_in_zones(conn, as_of_year=2023)}
    mic = rows["national_manufacturing_innovation_centre"]
    # 24 named + 2 unidentified co-built centres by 2023; located in a zone: 数字化设计与制造
    # (confirmed) and 信息光电子 (likely), both in Wuhan East Lake; the rest unknown.
    assert mic["total"] == 26
    assert (mic["in_zone"], mic["outside"], mic["unknown"]) == (2, 0, 24)
    assert mic["share_in_zone"] == 1.0


def test_import_platforms_and_share(conn):
    checked = plat.check(conn, read_table(FIXTURES / "platforms.csv"))
    assert plat.import_platforms(conn, checked).inserted == 3
    assert plat.import_platforms(conn, checked).unchanged == 3
    labs = {r["type"]: r for r in plat.share_in_zones(conn)}["national_key_laboratory"]
    assert (labs["total"], labs["in_zone"], labs["outside"]) == (2, 1, 1)
    assert labs["share_in_zone"] == 0.5


def test_bad_platform_rows(conn, tmp_path):
    path = tmp_path / "p.csv"
    path.write_text("type,name_zh,zone\nlab,某实验室,zhongguancun\nincubator,孵化器,atlantis\n")
    with pytest.raises(ImportProblemsError) as caught:
        plat.import_platforms(conn, plat.check(conn, read_table(path)))
    assert {(i.row, i.code) for i in caught.value.issues} == {
        (2, "unknown-type"),
        (3, "unknown-zone"),
    }
