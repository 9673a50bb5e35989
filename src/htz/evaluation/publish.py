"""Publishing the way the ministry has since 2024: an unordered list and top-N lists.

Since 2024 the national evaluation publishes no ranking: a list of the best 50 zones in no
order (htz sorts it by unit code, so that nothing can be read from the order) and, for
single indicators, lists of the best 20 zones. The single-indicator lists rank zones by
the indicator's value before imputation and treatment (the ``denominated`` stage, or the
raw values when there is no denominate step), in the indicator's direction; units
without a value are left out and ties share a place (so a list can run past N).
"""

from __future__ import annotations

import numpy as np

from htz.evaluation.index import IndexResult
from htz.evaluation.stats import rank_desc


def _names(result: IndexResult, idx: np.ndarray) -> list[dict]:
    return [
        {
            "unit": str(result.units[i]),
            "name": None if result.names is None else str(result.names[i]),
        }
        for i in idx
    ]


def top_list(result: IndexResult, top: int = 50) -> list[dict]:
    """The units ranked 1…``top`` on the index, in unit-code order (ties at the cut included)."""
    ranks = result.ranks[result.index_code]
    idx = np.nonzero(ranks <= top)[0]
    return _names(result, idx[np.argsort(result.units[idx], kind="stable")])


def indicator_lists(result: IndexResult, top: int = 20) -> dict[str, list[dict]]:
    """Per indicator: the ``top`` units by value (direction applied), best first, with ranks."""
    stage = "denominated" if "denominated" in result.stages else "raw"
    values = result.stages[stage]
    out = {}
    for j, ind in enumerate(result.framework.indicators):
        ranks = rank_desc(values[:, j] * ind.direction)
        idx = np.nonzero(ranks <= top)[0]
        idx = idx[np.lexsort((result.units[idx], ranks[idx]))]
        out[ind.code] = [
            {**row, "rank": int(ranks[i]), "value": float(values[i, j])}
            for row, i in zip(_names(result, idx), idx, strict=True)
        ]
    return out
