"""`htz disclosure protect|audit` on docs/disclosure.md's worked example, and bad input."""

from __future__ import annotations

import csv
import re
import shutil
from pathlib import Path

import pytest

from htz.cli import main

ROOT = Path(__file__).parents[2]
EXAMPLE = ROOT / "examples" / "disclosure"
DOC = (ROOT / "docs" / "disclosure.md").read_text(encoding="utf-8")


@pytest.fixture
def run(tmp_path, monkeypatch, capsys):
    work = tmp_path / "example"
    shutil.copytree(EXAMPLE, work)
    monkeypatch.chdir(work)
    monkeypatch.setenv("COLUMNS", "200")

    def go(*argv: str) -> tuple[int, str, str]:
        try:
            main(list(argv))
            code = 0
        except SystemExit as e:
            code = e.code if isinstance(e.code, int) else 0
        out = capsys.readouterr()
        return code, out.out, out.err

    go.dir = work
    return go


def cells(path: Path) -> dict[tuple[str, str], dict]:
    with path.open(encoding="utf-8") as f:
        return {(r["zone"], r["industry"]): r for r in csv.DictReader(f)}


def summary(text: str) -> str:
    return " ".join(next(line for line in text.splitlines() if " cells: " in line).split())


def test_worked_example_protect(run):
    code, out, _ = run("disclosure", "protect", "spec.yaml", "--out", "cells.csv")
    assert code == 0
    line = summary(out)
    assert line == (
        "28 cells: 6 primary, 8 secondary (value 1,989); method optimal (proven optimal); protected"
    )
    assert line in " ".join(DOC.split())  # the doc quotes the command's own words
    rows = cells(run.dir / "cells.csv")
    assert len(rows) == 28  # (1 + 2 + 4) zones × (1 + 3) sections, totals included
    primary = {k: r for k, r in rows.items() if r["status"] == "primary"}
    # docs/disclosure.md's table, computed by hand
    by_hand = {
        ("zhangjiang", "I"): 100 / 85 * 110 - 110,
        ("xian", "M"): 100 / 85 * 10 - 10,
        ("zhongguancun", "I"): 100 / 85 * 530 - 545,
        ("xian", "C"): 100 / 85 * 320 - 340,
        ("chengdu", "M"): 100 / 85 * 95 - 110,
        ("east", "I"): 100 / 85 * 570 - 655,
    }
    assert set(primary) == set(by_hand)
    for key, level in by_hand.items():
        r = primary[key]
        assert float(r["required_high"]) - float(r["value"]) == pytest.approx(level)
        assert f"{level:.2f}" in DOC
        # and the audit's interval covers it
        assert float(r["low"]) <= float(r["required_low"]) + 1e-9
        assert float(r["high"]) >= float(r["required_high"]) - 1e-9
    assert rows[("chengdu", "M")]["top1"] == "75"  # the holding group counts once
    assert (rows[("xian", "C")]["low"], rows[("xian", "C")]["high"]) == ("230", "412")
    assert "between 230 and 412" in DOC
    # every total equals the sum of its parts in the written file
    for zone in ("CN", "east", "west", "zhongguancun", "xian"):
        parts = sum(float(rows[(zone, s)]["value"]) for s in "CIM")
        assert parts == float(rows[(zone, "ALL")]["value"])


def test_worked_example_audits(run):
    run("disclosure", "protect", "spec.yaml", "--out", "cells.csv")
    code, out, _ = run("disclosure", "audit", "spec.yaml", "--cells", "cells.csv")
    assert code == 0 and summary(out).endswith("protected")
    code, out, _ = run("disclosure", "audit", "spec.yaml", "--cells", "primary-only.csv")
    assert code == 1
    line = summary(out)
    assert line == (
        "28 cells: 6 primary, 0 secondary (value 0); method audit; NOT protected: "
        "6 sensitive cells derivable too closely"
    )
    assert line in " ".join(DOC.split())
    code, out, _ = run(
        "disclosure", "audit", "spec.yaml", "--cells", "primary-only.csv", "--format", "csv"
    )
    assert code == 1
    rows = list(csv.DictReader(out.splitlines()))
    xian_m = next(r for r in rows if (r["zone"], r["industry"]) == ("xian", "M"))
    assert (xian_m["low"], xian_m["high"]) == ("10", "10")  # 500 − 340 − 150


@pytest.mark.parametrize(
    ("change", "expect"),
    [
        (
            lambda d: (d / "spec.yaml").write_text("data: [unclosed\n"),
            r"spec\.yaml: not valid YAML",
        ),
        (
            lambda d: (d / "firms.csv").write_text(
                (d / "firms.csv").read_text().replace("F05,F05,zhongguancun,I", "F05,F05,mars,I")
            ),
            r"firms\.csv: row 6, column 'zone': 'mars' is not a bottom-level code",
        ),
        (
            lambda d: (d / "firms.csv").write_text(
                (d / "firms.csv").read_text().replace(",500\n", ",five hundred\n")
            ),
            r"firms\.csv: row 6: column 'revenue': 'five hundred' is not a number",
        ),
        (
            lambda d: (d / "zones.csv").write_text("parent,child\nCN,east\neast,CN\n"),
            r"hierarchy 'zone' has 0 roots",
        ),
        (
            lambda d: (d / "spec.yaml").write_text(
                (d / "spec.yaml").read_text().replace("p: 10", "p: -1")
            ),
            r"p must be a positive percentage",
        ),
        (
            lambda d: (d / "spec.yaml").write_text(
                (d / "spec.yaml").read_text() + "colour: blue\n"
            ),
            r"unknown key 'colour'",
        ),
    ],
)
def test_bad_input_one_line_exit_2(run, change, expect):
    change(run.dir)
    code, _, err = run("disclosure", "protect", "spec.yaml", "--out", "cells.csv")
    assert code == 2
    assert re.search(expect, " ".join(err.split())), err
    assert not (run.dir / "cells.csv").exists()


def test_bad_pattern_names_the_missing_cell(run):
    lines = (run.dir / "primary-only.csv").read_text().splitlines()
    (run.dir / "short.csv").write_text("\n".join(lines[:-1]) + "\n")
    code, _, err = run("disclosure", "audit", "spec.yaml", "--cells", "short.csv")
    assert code == 2
    assert "no row for the cell zone=xian, industry=M" in " ".join(err.split())
