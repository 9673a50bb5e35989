"""The spec of ``htz disclosure protect|audit``: a YAML file naming data, hierarchies and rules.

::

    data: firms.csv          # one row per contributor, or per cell with a weight
    contributor: firm_id     # optional: rows with one id are one contributor
    value: revenue           # optional: without it, a frequency table
    weight: freq             # optional: units a row stands for
    dimensions:              # each a CSV with header parent,child; its root is the total
      zone: zones.csv
      industry: industries.csv
      # a second grouping of a column, for a linked table:
      # zone_by_size: {column: zone, hierarchy: zones_by_size.csv}
    tables: [[zone, industry]]   # optional; several tables sharing cells are linked
    primary: forced.csv      # optional: cells (dimension columns) sensitive whatever the rules
    rules: {min_contributors: 3, p: 10, nk: [2, 75], pq: [25, 50], allow_zeros: false}
    method: optimal          # or heuristic, or auto (optimal unless the model is large)
    cost: value              # or count, contributors, log

Paths are relative to the working directory, or absolute. Every problem is an
``InputError`` naming the file, the row and the column, and saying how to fix it.
"""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import yaml

from htz.disclosure.cells import Cells, from_microdata
from htz.disclosure.hierarchy import Hierarchy
from htz.disclosure.protect import METHODS, Protection
from htz.disclosure.rules import Rules
from htz.disclosure.secondary import COSTS
from htz.errors import InputError
from htz.tabular import read_table

KEYS = ("data", "contributor", "value", "weight", "dimensions", "tables", "primary", "rules",
        "method", "cost", "time_limit")  # fmt: skip
WITHHELD = {"primary", "secondary", "withheld", "suppressed", "u", "x", "m"}
SHOWN = {"publish", "published", "empty", "s", "z", ""}


@dataclass
class Spec:
    path: Path
    cells: Cells
    rules: Rules
    method: str
    cost: str
    time_limit: float
    forced: np.ndarray | None


def _path(spec: Path, value, key: str) -> Path:
    if not isinstance(value, str) or not value.strip():
        raise InputError(f"{spec}: {key!r} must name a file, e.g. {key}: data.csv.")
    return Path(value).expanduser()


def _number(text: str, where: str, what: str) -> float:
    try:
        x = float(text.replace(",", "")) if text else math.nan
    except ValueError:
        x = math.nan
    if not math.isfinite(x):
        raise InputError(f"{where}: {what} {text!r} is not a number; write digits, e.g. 1250.5.")
    return x


def check_method(method: str, where: str) -> str:
    if method not in METHODS:
        raise InputError(f"{where} {method!r}: use one of {', '.join(METHODS)}.")
    return method


def hierarchy(name: str, path: Path) -> Hierarchy:
    table = read_table(path)
    missing = [c for c in ("parent", "child") if c not in table.header]
    if missing:
        raise InputError(f"{path}: no column {missing[0]!r}; the header must be parent,child.")
    return Hierarchy.from_edges(name, [(r["parent"], r["child"]) for _, r in table.rows])


def load(path: Path) -> Spec:
    if not path.is_file():
        raise InputError(f"{path}: no such file; give the path of a YAML spec.")
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as e:
        raise InputError(f"{path}: not valid YAML ({e}); check indentation and colons.") from None
    if not isinstance(raw, dict):
        raise InputError(f"{path}: the spec must be a mapping with data: and dimensions:.")
    unknown = sorted(set(raw) - set(KEYS))
    if unknown:
        raise InputError(f"{path}: unknown key {unknown[0]!r}; the keys are {', '.join(KEYS)}.")
    for key in ("data", "dimensions"):
        if key not in raw:
            raise InputError(f"{path}: no {key!r}; see docs/disclosure.md for a spec.")
    dims = raw["dimensions"]
    if not isinstance(dims, dict) or not dims:
        raise InputError(f"{path}: dimensions must map each dimension to its hierarchy CSV.")
    hierarchies: dict[str, Hierarchy] = {}
    column_of: dict[str, str] = {}
    for name, entry in dims.items():
        name = str(name)
        if isinstance(entry, dict):
            column_of[name] = str(entry.get("column", name))
            entry = entry.get("hierarchy")
        else:
            column_of[name] = name
        hierarchies[name] = hierarchy(name, _path(path, entry, f"dimensions.{name}"))
    tables = raw.get("tables")
    if tables is not None and (
        not isinstance(tables, list) or not all(isinstance(t, list) for t in tables)
    ):
        raise InputError(f"{path}: tables must be a list of lists, e.g. [[zone, industry]].")
    rules = Rules.parse(raw.get("rules"), f"{path}: rules")
    method = check_method(str(raw.get("method", "auto")), f"{path}: method")
    cost = str(raw.get("cost", "value"))
    if cost not in COSTS:
        raise InputError(f"{path}: cost {cost!r}; use one of {', '.join(COSTS)}.")
    cells = _cells(path, raw, hierarchies, column_of, tables, rules)
    forced = None
    if raw.get("primary"):
        forced = _mark(cells, _path(path, raw["primary"], "primary"), None)
    time_limit = float(raw.get("time_limit", 60))
    return Spec(path, cells, rules, method, cost, time_limit, forced)


def _cells(path, raw, hierarchies, column_of, tables, rules) -> Cells:
    data = _path(path, raw["data"], "data")
    table = read_table(data)
    columns = list(dict.fromkeys(column_of.values()))
    named = {k: raw.get(k) for k in ("contributor", "value", "weight") if raw.get(k)}
    for col in [*columns, *named.values()]:
        if col not in table.header:
            raise InputError(
                f"{data}: no column {col!r} (the spec names it); the header has "
                f"{', '.join(table.header)}."
            )
    leaves: dict[str, set[str]] = {}
    for c in columns:
        h = next(hierarchies[n] for n in hierarchies if column_of[n] == c)
        leaves[c] = set(h.leaves)
    values = {c: [] for c in columns}
    value, weight, contributor = [], [], []
    for number, row in table.rows:
        where = f"{data}: row {number}"
        for c in columns:
            code = row[c]
            if code not in leaves[c]:
                raise InputError(
                    f"{where}, column {c!r}: {code!r} is not a bottom-level code of its "
                    "hierarchy; add it to the hierarchy file or correct the code."
                )
            values[c].append(code)
        if "value" in named:
            value.append(_number(row[named["value"]], where, f"column {named['value']!r}:"))
        if "weight" in named:
            w = _number(row[named["weight"]], where, f"column {named['weight']!r}:")
            if w < 0:
                raise InputError(f"{where}: the weight {w} is negative; weights count units.")
            weight.append(w)
        if "contributor" in named:
            contributor.append(row[named["contributor"]])
    if not table.rows:
        raise InputError(f"{data}: no rows below the header; give one row per contributor.")
    return from_microdata(
        values,
        hierarchies,
        tables=tables,
        value=value if "value" in named else None,
        contributor=contributor if "contributor" in named else None,
        weight=weight if "weight" in named else None,
        top_k=rules.top_k,
        column_of=column_of,
        what=str(data),
    )


def _mark(cells: Cells, path: Path, status: str | None) -> np.ndarray:
    """Cells listed in ``path`` (by their dimension columns): listed, or withheld by status."""
    table = read_table(path)
    missing = [d for d in cells.dims if d not in table.header]
    if missing:
        raise InputError(f"{path}: no column {missing[0]!r}; give one column per dimension.")
    if status and status not in table.header:
        raise InputError(f"{path}: no column {status!r}; a pattern needs a status column.")
    index = cells.index()
    out = np.zeros(len(cells), dtype=bool)
    seen = np.zeros(len(cells), dtype=bool)
    for number, row in table.rows:
        key = tuple(row[d] for d in cells.dims)
        i = index.get(key)
        if i is None:
            raise InputError(
                f"{path}: row {number}: no cell {_name(cells, key)} in the spec's tables; "
                "use codes of the hierarchies (the total's code for a total)."
            )
        seen[i] = True
        if status is None:
            out[i] = True
            continue
        word = row[status].strip().lower()
        if word not in WITHHELD | SHOWN:
            raise InputError(
                f"{path}: row {number}, column {status!r}: {row[status]!r}; use publish, "
                "primary, secondary or empty."
            )
        out[i] = word in WITHHELD
    if status is not None:
        absent = np.flatnonzero(~seen & (cells.n > 0))
        if len(absent):
            key = cells.keys[absent[0]]
            raise InputError(
                f"{path}: no row for the cell {_name(cells, key)} ({len(absent)} cells "
                "missing); give every cell of every table, totals included."
            )
    return out


def _name(cells: Cells, key: tuple[str, ...]) -> str:
    return ", ".join(f"{d}={k}" for d, k in zip(cells.dims, key, strict=True))


def pattern(spec: Spec, path: Path) -> np.ndarray:
    """The withheld cells of a pattern file (dimension columns and ``status``)."""
    return _mark(spec.cells, path, "status")


COLUMNS = ("n", "value", "top1", "top2", "status", "reason", "low", "high",
           "required_low", "required_high")  # fmt: skip


def columns(result: Protection) -> list[str]:
    return [*result.cells.dims, *COLUMNS]


def write_csv(result: Protection, out: Path) -> None:
    cols = columns(result)
    with out.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(cols)
        for r in result.rows():
            w.writerow(["" if r.get(c) is None else r.get(c) for c in cols])
