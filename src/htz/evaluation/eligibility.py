"""Upgrade eligibility: which provincial zones meet the criteria to become national zones.

A criteria file (YAML; the packaged default is ``frameworks/eligibility-default.yaml``)
lists criteria, each a column of the table compared with a threshold (``>=``, ``>``,
``<=``, ``<``, ``==``). Every candidate gets a pass/fail per criterion (a missing value
fails, shown as ``missing``), whether it passes all, and its rank among the candidates on
the same index as the national zones (the index is built over all units, so candidates
are scored on the national scale, then ranked among themselves).
"""

from __future__ import annotations

import operator
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import numpy as np
import yaml

from htz.errors import ConfigError, InputError
from htz.evaluation.data import Dataset, TableLike, _column, _columns, _numbers, _text
from htz.evaluation.framework import Framework
from htz.evaluation.index import IndexResult, build_index
from htz.evaluation.stats import rank_desc

OPS = {">=": operator.ge, ">": operator.gt, "<=": operator.le, "<": operator.lt, "==": operator.eq}


@dataclass(frozen=True)
class Criterion:
    code: str
    column: str
    op: str
    threshold: float
    name: str
    basis: str = "htz"
    note: str | None = None


def load_criteria(path: str | Path | None = None) -> list[Criterion]:
    """Criteria from a YAML file, or htz's documented defaults."""
    if path is None or str(path) == "default":
        text = (
            resources.files("htz.evaluation.frameworks")
            .joinpath("eligibility-default.yaml")
            .read_text(encoding="utf-8")
        )
        where = "default eligibility criteria"
    else:
        p = Path(path)
        if not p.is_file():
            raise ConfigError(f"{p}: no such criteria file; check the path.")
        text, where = p.read_text(encoding="utf-8"), str(p)
    raw = yaml.safe_load(text) or {}
    items = raw.get("criteria") if isinstance(raw, dict) else None
    if not isinstance(items, list) or not items:
        raise ConfigError(f"{where}: needs a non-empty list under criteria:.")
    out = []
    for i, item in enumerate(items, 1):
        at = f"{where}: criterion {i}"
        if not isinstance(item, dict) or "column" not in item or "threshold" not in item:
            raise ConfigError(f"{at}: give at least column: and threshold:.")
        op = item.get("op", ">=")
        if op not in OPS:
            raise ConfigError(f"{at}: op {op!r} is not one of {', '.join(OPS)}.")
        threshold = item["threshold"]
        if isinstance(threshold, bool) or not isinstance(threshold, int | float):
            raise ConfigError(f"{at}: threshold must be a number, got {threshold!r}.")
        name = item.get("name") or item["column"]
        if isinstance(name, dict):
            name = name.get("en") or next(iter(name.values()))
        out.append(
            Criterion(
                code=str(item.get("code", item["column"])),
                column=str(item["column"]),
                op=op,
                threshold=float(threshold),
                name=str(name),
                basis=str(item.get("basis", "htz")),
                note=item.get("note"),
            )
        )
    return out


@dataclass
class UpgradeAssessment:
    criteria: list[Criterion]
    rows: list[dict]  # one per candidate, best first

    def passed(self) -> list[str]:
        return [r["unit"] for r in self.rows if r["eligible"]]


def assess_upgrade(
    data: TableLike,
    framework: Framework,
    criteria: list[Criterion] | None = None,
    *,
    candidate_column: str | None = None,
    candidate_value: str = "provincial",
    result: IndexResult | None = None,
    source: str = "data",
) -> UpgradeAssessment:
    """Pass/fail per criterion for each candidate, and candidates ranked on the index."""
    if isinstance(data, Dataset):
        raise InputError("assess_upgrade needs the full table (criteria columns), not a Dataset.")
    criteria = criteria or load_criteria()
    present = set(_columns(data))
    missing = sorted({c.column for c in criteria} - present)
    if missing:
        raise InputError(
            f"{source}: criteria column(s) {', '.join(missing)} not found; add them to the "
            "table or use a criteria file that names existing columns."
        )
    units = _text(_column(data, framework.unit_id))
    if candidate_column is not None:
        if candidate_column not in present:
            raise InputError(f"{source}: no column {candidate_column!r} to pick candidates by.")
        candidate = _text(_column(data, candidate_column)) == candidate_value
        if not candidate.any():
            raise InputError(
                f"{source}: no unit has {candidate_column} = {candidate_value!r}; no candidates."
            )
    else:
        candidate = np.ones(len(units), dtype=bool)
    result = result or build_index(data, framework, source=source)
    pos = {u: i for i, u in enumerate(result.units.tolist())}
    score_all = result.scores[framework.root.code]
    score = np.array([score_all[pos[u]] if u in pos else np.nan for u in units])
    cand_rank = np.full(len(units), np.nan)
    cand_rank[candidate] = rank_desc(score[candidate])
    values = {c.column: _numbers(_column(data, c.column), c.column, source) for c in criteria}
    rows = []
    for i in np.nonzero(candidate)[0]:
        checks = {}
        for c in criteria:
            v = values[c.column][i]
            ok = None if np.isnan(v) else bool(OPS[c.op](v, c.threshold))
            checks[c.code] = {"value": None if np.isnan(v) else float(v), "passed": ok}
        rows.append(
            {
                "unit": str(units[i]),
                "score": None if np.isnan(score[i]) else float(score[i]),
                "rank": None if np.isnan(cand_rank[i]) else int(cand_rank[i]),
                "passed": sum(1 for r in checks.values() if r["passed"]),
                "eligible": all(r["passed"] for r in checks.values()),
                "criteria": checks,
            }
        )
    rows.sort(key=lambda r: (not r["eligible"], r["rank"] is None, r["rank"] or 0, r["unit"]))
    return UpgradeAssessment(criteria=criteria, rows=rows)
