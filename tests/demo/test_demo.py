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


def test_an_attacker_finds_nothing_in_the_demo_publication(demo):
    """Every published bulletin of the demo, attacked by tests/analytics/attack.py: no
    withheld cell narrowed below its protection range (outsiders in every period; the
    single enterprises of withheld nation, region, province and zone cells as insiders in
    the headline period; tests/analytics/test_disclosure.py runs every insider on the
    hand-made data), and no growth rate where last year's cell was withheld; then each
    year's four quarterly bulletins read together, by an outsider who knows that the
    year-to-date flows never fall (tests/analytics/attack.py's ``attack_year``)."""
    from htz import app as application
    from htz.analytics import protection
    from htz.analytics.frame import open_frame
    from htz.analytics.metrics import headline_indicators
    from htz.config import load
    from tests.analytics.attack import attack, attack_year
    from tests.analytics.test_disclosure import evidence

    settings = load(environ={}, cwd=demo, data_dir=str(demo / "htz-data"))
    app = application.build(settings)
    try:
        frame = open_frame(application.latest_snapshot(app))
        published = sorted((demo / "htz-data" / "published" / frame.snapshot.id).glob("*.json"))
        assert len(published) == 15  # 2021–2023: four quarters and the year
        bulletins = {p.stem: json.loads(p.read_text(encoding="utf-8")) for p in published}
        findings = []
        for period, data in bulletins.items():
            zones, rows = evidence(frame, period)
            depth = "levels" if period == "2023-Q3" else "none"
            findings += [f"{period}: {f}" for f in attack(data, zones, rows, depth)]
            audit = data["disclosure"]["audit"]
            assert all(a["passed"] for a in audit.values()), period
            before = bulletins.get(_last_year(period))
            for key in ("by_region", "by_province", "by_zone") if before else ():
                last = {r["code"]: r for r in before[key]}
                for row in data[key]:
                    for indicator, cell in row.items():
                        old = last.get(row["code"], {}).get(indicator)
                        if isinstance(cell, dict) and old and old["confidential"]:
                            assert cell["growth_current"] is None, (period, row["code"])
        assert findings == []
        # the year's quarters read together: year-to-date flows never fall
        linked = [i for i, _ in headline_indicators() if protection.linked(i)]
        for year in ("2021", "2022", "2023"):
            quarters = [f"{year}-Q{q}" for q in range(1, 5)]
            seen = [evidence(frame, q) for q in quarters]
            zones = {z: place for live, _ in seen for z, place in live.items()}
            found = attack_year([bulletins[q] for q in quarters], zones,
                                [rows for _, rows in seen], linked)  # fmt: skip
            findings += [f"{year}: {f}" for f in found]
            assert _withheld(bulletins[year]) == _withheld(bulletins[f"{year}-Q4"])
        assert findings == []
    finally:
        app.close()


def _withheld(data: dict) -> set:
    return {(key, row["code"], i) for key in ("by_region", "by_province", "by_zone")
            for row in data[key] for i, c in row.items() if isinstance(c, dict)
            and c["confidential"]}  # fmt: skip


def _last_year(period: str) -> str:
    year, _, rest = period.partition("-")
    return f"{int(year) - 1}" + (f"-{rest}" if rest else "")


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
