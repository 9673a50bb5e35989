"""Denominate: divide indicators by a unit's size (employees, area, GDP…), as COINr.

COINr's ``Denominate()``: ``x / (denominator / scale)`` for each indicator that names a
denominator; others pass unchanged. Division by zero gives no value (COINr would give
``Inf`` or ``NaN``; htz treats both as missing so that later steps can impute them).
"""

from __future__ import annotations

import numpy as np

from htz.errors import InputError
from htz.evaluation.data import Dataset
from htz.evaluation.framework import Framework


def denominate(values: np.ndarray, data: Dataset, framework: Framework) -> np.ndarray:
    out = values.copy()
    for j, ind in enumerate(framework.indicators):
        if not ind.denominator:
            continue
        d = data.denominators.get(ind.denominator)
        if d is None:
            raise InputError(
                f"{data.source}: indicator {ind.code} is divided by {ind.denominator!r}, which "
                "is not a column of the table; add it or remove the denominator."
            )
        with np.errstate(divide="ignore", invalid="ignore"):
            y = values[:, j] / (d / ind.scale)
        y[~np.isfinite(y)] = np.nan
        out[:, j] = y
    return out
