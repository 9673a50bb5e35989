"""The table the engine reads: units × indicators, plus unit names, groups and denominators.

Input is an Arrow table, a mapping of column name → sequence (lists or numpy arrays), or a
CSV/XLSX file (:func:`read_data`). No pandas. Indicator and denominator columns become
float64 arrays (missing = NaN); the unit id, name and group columns become text.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa

from htz.errors import InputError
from htz.evaluation.framework import Framework
from htz.tabular import read_table

MISSING_TEXT = {"", "na", "n/a", "nan", "null", "none", "-", "—", "…", "..."}


@dataclass(frozen=True)
class Dataset:
    """What one build needs, aligned by row: one row per unit."""

    units: np.ndarray  # unit ids (text)
    names: np.ndarray | None  # unit names (text) or None
    values: np.ndarray  # float64, units × indicators, in framework.indicators order
    indicators: tuple[str, ...]
    denominators: dict[str, np.ndarray]
    groups: dict[str, np.ndarray]
    source: str = "data"

    def subset(self, keep: np.ndarray) -> Dataset:
        return Dataset(
            units=self.units[keep],
            names=None if self.names is None else self.names[keep],
            values=self.values[keep],
            indicators=self.indicators,
            denominators={k: v[keep] for k, v in self.denominators.items()},
            groups={k: v[keep] for k, v in self.groups.items()},
            source=self.source,
        )


TableLike = pa.Table | Mapping[str, Sequence | np.ndarray]


def _column(data: TableLike, name: str) -> list | np.ndarray:
    if isinstance(data, pa.Table):
        return data.column(name).to_pylist()
    return data[name]


def _columns(data: TableLike) -> list[str]:
    return list(data.column_names) if isinstance(data, pa.Table) else list(data.keys())


def _numbers(values, column: str, source: str) -> np.ndarray:
    if isinstance(values, np.ndarray) and values.dtype.kind in "fiub":
        return values.astype(float)
    out = np.empty(len(values), dtype=float)
    for i, v in enumerate(values):
        if v is None:
            out[i] = np.nan
        elif isinstance(v, (bool, int | float | np.number)):
            out[i] = float(v)
        else:
            text = str(v).strip().replace(",", "")
            if text.lower() in MISSING_TEXT:
                out[i] = np.nan
                continue
            try:
                out[i] = float(text)
            except ValueError:
                raise InputError(
                    f"{source}: row {i + 2}, column {column!r}: {v!r} is not a number; write a "
                    "number or leave the cell empty for a missing value."
                ) from None
    return out


def _text(values) -> np.ndarray:
    return np.array(["" if v is None else str(v) for v in values], dtype=object)


def as_dataset(data: TableLike, framework: Framework, source: str = "data") -> Dataset:
    """Pick and check the columns the framework needs; every problem is named."""
    if isinstance(data, Dataset):
        return data
    present = set(_columns(data))
    needed = [framework.unit_id, *(i.code for i in framework.indicators)]
    denoms = sorted({i.denominator for i in framework.indicators if i.denominator})
    if framework.step("denominate") is not None:
        needed += denoms
    impute = framework.step("impute")
    groups = list(framework.groups)
    if impute is not None and impute.group:
        needed.append(impute.group)
    missing = [c for c in dict.fromkeys(needed) if c not in present]
    if missing:
        shown = ", ".join(missing[:10]) + (
            f" and {len(missing) - 10} more" if len(missing) > 10 else ""
        )
        raise InputError(
            f"{source}: column(s) {shown} not found; the framework {framework.name!r} needs "
            "them. Add the columns or use a framework that matches the table."
        )
    units = _text(_column(data, framework.unit_id))
    if len(units) == 0:
        raise InputError(f"{source}: no rows; the table needs one row per unit.")
    dup = sorted(u for u, n in Counter(units.tolist()).items() if n > 1)
    if dup:
        raise InputError(
            f"{source}: unit(s) {', '.join(dup[:5])} appear more than once in column "
            f"{framework.unit_id!r}; keep one row per unit."
        )
    if any(u == "" for u in units):
        raise InputError(f"{source}: a row has no {framework.unit_id!r}; every unit needs an id.")
    values = np.column_stack(
        [_numbers(_column(data, i.code), i.code, source) for i in framework.indicators]
    )
    return Dataset(
        units=units,
        names=_text(_column(data, framework.unit_name))
        if framework.unit_name and framework.unit_name in present
        else None,
        values=values,
        indicators=tuple(i.code for i in framework.indicators),
        denominators={d: _numbers(_column(data, d), d, source) for d in denoms if d in present},
        groups={g: _text(_column(data, g)) for g in groups if g in present},
        source=source,
    )


def read_data(path: Path) -> pa.Table:
    """A CSV or XLSX file as an Arrow table of text columns (the engine converts numbers)."""
    table = read_table(Path(path))
    columns = {h: [row.get(h, "") for _, row in table.rows] for h in table.header if h}
    return pa.table({k: pa.array(v, type=pa.string()) for k, v in columns.items()})
