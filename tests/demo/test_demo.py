"""`htz demo` end to end at a small scale: the pipeline recovers the published figures."""

import json

import pytest

from htz.cli import main

pytestmark = [pytest.mark.integration, pytest.mark.slow]


@pytest.fixture(scope="module")
def demo(tiny_demo):
    return tiny_demo


def _bulletin(capsys, *extra):
    capsys.readouterr()
    try:
        main(["bulletin", "2023-Q3", "--format", "json", *extra])
    except SystemExit as exc:
        assert not exc.code
    return json.loads(capsys.readouterr().out)


def test_the_pipeline_recovers_the_published_figures(demo, capsys, monkeypatch):
    monkeypatch.chdir(demo)
    data = _bulletin(capsys)
    assert data["synthetic"] is True
    assert data["zones"] == 178
    gdp = data["headline"]["zone_gdp"]
    assert gdp["value"] == pytest.approx(12.33e12, rel=0.005)
    assert gdp["growth_comparable"] == pytest.approx(0.0711, abs=0.0005)
    assert data["platform_shares"]["national_key_laboratory"] == pytest.approx(0.8, abs=0.01)
    assert data["platform_shares"]["national_manufacturing_innovation_centre"] == (
        pytest.approx(0.7, abs=0.02)
    )
    assert 0.95 < data["quality"]["reporting_rate"] < 1.0


def test_demo_refuses_a_database_with_real_enterprises(tmp_path, monkeypatch, capsys):
    from tests.conftest import FIXTURES

    monkeypatch.chdir(tmp_path)
    for name in ("HTZ_DATABASE_URL", "HTZ_DATA_DIR"):
        monkeypatch.delenv(name, raising=False)
    for argv in (["init"], ["enterprises", "import", str(FIXTURES / "enterprises.csv")]):
        try:
            main(argv)
        except SystemExit as exc:
            assert not exc.code
    with pytest.raises(SystemExit) as caught:
        main(["demo", "--scale", "tiny", "--no-serve"])
    assert caught.value.code == 2
    assert "holds real enterprises" in " ".join(capsys.readouterr().err.split())
