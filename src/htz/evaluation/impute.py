"""Impute: fill missing values column by column, as COINr's ``Impute(impute_by = "column")``.

- ``mean`` / ``median`` (``i_mean`` / ``i_median``): the indicator's mean or median over
  units that have a value.
- ``group_mean`` / ``group_median`` (``i_mean_grp`` / ``i_median_grp``): the same within
  the unit's group (a group column such as region). A group with no value for the
  indicator leaves its units missing, as in COINr (whose ``mean(…, na.rm = TRUE)`` of an
  empty group is ``NaN``). Units whose group is empty are left unimputed
  (COINr's ``skip_f_na = TRUE``).
- ``none``: leave missing values missing (aggregation then re-weights over what is there).
"""

from __future__ import annotations

import numpy as np

from htz.errors import InputError
from htz.evaluation.framework import Impute
from htz.evaluation.stats import col_mean, col_median


def impute(values: np.ndarray, spec: Impute, groups: dict[str, np.ndarray]) -> np.ndarray:
    if spec.method == "none":
        return values.copy()
    stat = col_mean if spec.method in ("mean", "group_mean") else col_median
    out = values.copy()
    if spec.method in ("mean", "median"):
        fill = stat(values)
        rows, cols = np.nonzero(np.isnan(out))
        out[rows, cols] = fill[cols]
        return out
    labels = groups.get(spec.group)
    if labels is None:
        raise InputError(
            f"impute: group column {spec.group!r} is not in the data; add it or change "
            "the imputation's group."
        )
    for g in dict.fromkeys(labels.tolist()):
        if g == "":
            continue
        rows = labels == g
        block = out[rows]
        fill = stat(block)
        r, c = np.nonzero(np.isnan(block))
        block[r, c] = fill[c]
        out[rows] = block
    return out
