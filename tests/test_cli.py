"""The `htz` command end to end: exit codes, JSON shapes, one-line errors."""

import json

import pytest

from tests.conftest import FIXTURES

pytestmark = pytest.mark.integration


def test_zones_stats_json(htz):
    code, out, _ = htz("zones", "stats", "--as-of", "2023-11-30", "--format", "json")
    assert code == 0
    stats = json.loads(out)
    assert stats["total"] == 178
    assert stats["by_province"]["32"] == 18
    assert set(stats) >= {"total", "by_province", "by_region", "by_approval_year"}


def test_zones_list_json_carries_the_documented_keys(htz):
    code, out, _ = htz(
        "zones", "list", "--province", "42", "--as-of", "2023-11-30", "--format", "json"
    )
    zones = json.loads(out)
    assert code == 0 and len(zones) == 12
    keys = {"code", "name_zh", "name_en", "province_code", "city", "approved", "level"}
    assert keys <= set(zones[0])
    assert zones[0]["city"] == zones[0]["city_en"]  # HTZ_LANG=en


def test_zones_list_csv_and_show(htz):
    code, out, _ = htz("zones", "list", "--format", "csv", "--as-of", "1990-01-01")
    assert code == 0 and out.splitlines()[1].startswith("zhongguancun,")
    code, out, _ = htz("zones", "show", "lhasa", "--format", "json")
    assert json.loads(out)["approved"] == "2022-12-14"


def test_init_again_says_nothing_changed(htz):
    code, out, _ = htz("init", "--format", "json")
    assert code == 0 and json.loads(out)["changed"] is False


def test_bad_uscc_exits_2_naming_row_and_expected_character(htz, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "uscc,name,zone,industry,entered\n"
        "91330100716105852F,ok,hangzhou,64,2000-01-01\n"
        "914403001922038217,wrong check,shenzhen,39,1992-01-01\n",
        encoding="utf-8",
    )
    code, out, err = htz("enterprises", "import", str(bad))
    assert code == 2
    assert "row 3" in err and "expected '6'" in err and "Nothing was stored" in err
    assert "Traceback" not in err
    code, out, _ = htz("enterprises", "list", "--format", "json")
    assert json.loads(out) == []


def test_import_twice_stores_nothing_new(htz):
    code, out, _ = htz(
        "enterprises", "import", str(FIXTURES / "enterprises.csv"), "--format", "json"
    )
    assert code == 0 and json.loads(out)["inserted"] == 4
    code, out, _ = htz(
        "enterprises", "import", str(FIXTURES / "enterprises.csv"), "--format", "json"
    )
    summary = json.loads(out)
    assert (summary["inserted"], summary["updated"], summary["unchanged"]) == (0, 0, 4)


@pytest.mark.parametrize(
    ("argv", "fragment"),
    [
        (("zones", "show", "atlantis"), "no zone 'atlantis'"),
        (("zones", "stats", "--as-of", "30/11/2023"), "write YYYY-MM-DD"),
        (("enterprises", "import", "missing.csv"), "no such file"),
        (("zones", "list", "--province", "99"), "GB/T 2260"),
    ],
)
def test_errors_are_one_line_and_exit_2(htz, argv, fragment):
    code, _, err = htz(*argv)
    assert code == 2
    assert fragment in " ".join(err.split())
    assert "Traceback" not in err


def test_platforms_share(htz):
    code, out, _ = htz("platforms", "import", str(FIXTURES / "platforms.csv"))
    assert code == 0 and "3 inserted" in out
    code, out, _ = htz("platforms", "share", "--format", "json")
    labs = {r["type"]: r for r in json.loads(out)}["national_key_laboratory"]
    assert labs["share_in_zone"] == 0.5


def test_config_shows_origins(htz, monkeypatch):
    monkeypatch.setenv("HTZ_LANG", "vi")
    code, out, _ = htz("config", "--format", "json")
    assert code == 0
    rows = {r["setting"]: r for r in json.loads(out)}
    assert rows["lang"]["value"] == "vi" and rows["lang"]["origin"] == "environment (HTZ_LANG)"


@pytest.mark.parametrize(
    ("lang", "name"), [("zh", "广东省"), ("en", "Guangdong"), ("vi", "Quảng Đông")]
)
def test_stats_table_names_provinces_in_the_chosen_language(htz, monkeypatch, lang, name):
    monkeypatch.setenv("HTZ_LANG", lang)
    code, out, _ = htz("zones", "stats", "--as-of", "2023-11-30")
    assert code == 0
    line = next(line for line in out.splitlines() if name in line)
    cells = line.split()
    assert cells[0] == "44" and "14" in cells and "7.9%" in cells


def test_version(capsys):
    from importlib.metadata import version

    from htz.cli import main

    with pytest.raises(SystemExit) as caught:
        main(["--version"])
    assert caught.value.code == 0
    assert capsys.readouterr().out.strip() == f"htz {version('htz')}"
