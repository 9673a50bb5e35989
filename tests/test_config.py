from pathlib import Path

import pytest

from htz import config
from htz.errors import ConfigError


def test_defaults(tmp_path):
    s = config.load(environ={}, cwd=tmp_path)
    assert s.data_dir == tmp_path / "htz-data"
    assert s.database_url == f"sqlite:///{tmp_path / 'htz-data' / 'htz.db'}"
    assert s.lang == "en"
    assert s.origins["lang"] == "default"


def test_environment_beats_file_beats_default(tmp_path):
    (tmp_path / "htz.toml").write_text('lang = "vi"\ndata_dir = "d"\n')
    s = config.load(environ={"HTZ_LANG": "zh"}, cwd=tmp_path)
    assert s.lang == "zh" and s.origins["lang"] == "environment (HTZ_LANG)"
    assert s.data_dir == tmp_path / "d" and s.origins["data_dir"].startswith("file")


def test_file_with_htz_section_and_explicit_path(tmp_path):
    path = tmp_path / "custom.toml"
    path.write_text('[htz]\ndatabase_url = "postgresql://u@h/db"\n')
    s = config.load(environ={"HTZ_CONFIG": str(path)}, cwd=tmp_path)
    assert s.database_url == "postgresql://u@h/db"


@pytest.mark.parametrize(
    ("toml", "fragment"),
    [
        ("lang = 'fr'", "use one of zh, en, vi"),
        ("colour = 1", "unknown setting 'colour'"),
        ("lang = ", "not valid TOML"),
    ],
)
def test_bad_settings_say_how_to_fix(tmp_path, toml, fragment):
    (tmp_path / "htz.toml").write_text(toml)
    with pytest.raises(ConfigError, match=fragment):
        config.load(environ={}, cwd=tmp_path)


def test_missing_named_config_file(tmp_path):
    with pytest.raises(ConfigError, match="no such file"):
        config.load(environ={"HTZ_CONFIG": str(tmp_path / "nope.toml")}, cwd=tmp_path)


def test_every_setting_is_documented():
    readme = (Path(__file__).parents[1] / "docs" / "admin.md").read_text(encoding="utf-8")
    for setting in config.SETTINGS:
        assert setting.help
        assert setting.env in readme, f"{setting.env} is not documented in docs/admin.md"


def test_approval_levels(tmp_path):
    s = config.load(environ={"HTZ_APPROVAL_LEVELS": "zone, province ,national"}, cwd=tmp_path)
    assert s.approval_levels == ("zone", "province", "national")
    assert config.load(environ={}, cwd=tmp_path).approval_levels == ("zone", "national")


@pytest.mark.parametrize("text", ["national,zone", "zone,province", "zone,zone,national", "x"])
def test_bad_approval_levels(tmp_path, text):
    with pytest.raises(ConfigError, match="ending with national"):
        config.load(environ={"HTZ_APPROVAL_LEVELS": text}, cwd=tmp_path)


def test_user_defaults_to_login_name(tmp_path):
    s = config.load(environ={}, cwd=tmp_path)
    assert s.user and s.origins["user"] == "default (login name)"
    assert config.load(environ={"HTZ_USER": "wang"}, cwd=tmp_path).user == "wang"
