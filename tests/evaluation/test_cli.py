from __future__ import annotations

import json

import typer
from typer.testing import CliRunner

from htz.cli.evaluation import register

from .conftest import ASEM_FRAMEWORK


def _app():
    app = typer.Typer()
    register(app, state=None)

    @app.callback()
    def _root() -> None:  # keep "evaluate" a subcommand
        pass

    return app


def test_evaluate_table_json_and_xlsx(asem_dir, tmp_path):
    data = str(asem_dir / "input_iData.csv")
    runner = CliRunner()
    r = runner.invoke(
        _app(),
        [
            "evaluate",
            "--data",
            data,
            "--framework",
            str(ASEM_FRAMEWORK),
            "--runs",
            "50",
            "--seed",
            "1",
        ],
    )
    assert r.exit_code == 0, r.output
    assert "CHE" in r.output and "median rank" in r.output
    r = runner.invoke(
        _app(),
        [
            "evaluate",
            "--data",
            data,
            "--framework",
            str(ASEM_FRAMEWORK),
            "--format",
            "json",
            "--lists",
            "--top",
            "5",
        ],
    )
    assert r.exit_code == 0, r.output
    report = json.loads(r.output)
    assert (
        report["results"][0]["uCode"] == "CHE" and round(report["results"][0]["Index"], 2) == 68.38
    )
    assert len(report["lists"]["top"]) == 5
    out = tmp_path / "asem.xlsx"
    r = runner.invoke(
        _app(),
        [
            "evaluate",
            "--data",
            data,
            "--framework",
            str(ASEM_FRAMEWORK),
            "--format",
            "xlsx",
            "--out",
            str(out),
            "--runs",
            "20",
            "--sensitivity",
        ],
    )
    assert r.exit_code == 0, r.output
    from openpyxl import load_workbook

    wb = load_workbook(out, read_only=True)
    assert {"results", "normalised", "weights", "uncertainty", "sensitivity"} <= set(wb.sheetnames)
    wb.close()


def test_evaluate_errors_are_one_line(tmp_path):
    bad = tmp_path / "x.csv"
    bad.write_text("zone,name\nz1,a\n", encoding="utf-8")
    r = CliRunner().invoke(_app(), ["evaluate", "--data", str(bad)])
    assert r.exit_code != 0
    assert "not found" in str(r.exception)
