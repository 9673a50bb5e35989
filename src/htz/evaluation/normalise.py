"""Normalise: bring indicators onto a common scale, as COINr's ``Normalise()``.

As COINr does, each indicator is first multiplied by its direction (-1 turns "lower is
better" into "higher is better"), then normalised column by column over the units that
have a value (missing values stay missing):

============== =========== ===================================================================
method         COINr       formula (x already multiplied by direction)
============== =========== ===================================================================
minmax         n_minmax    (x - min) / (max - min) × (u - l) + l, ``range: [l, u]`` (0, 100)
zscore         n_zscore    (x - mean) / sd × s + m, ``mean_sd: [m, s]`` (0, 1); sd with n - 1
rank           n_rank      rank, smallest = 1, ties share the lowest rank ("min")
percentile_rank n_prank    (rank - 1) / (n - 1), n = units with a value
dist_to_max    n_dist2max  1 - (max - x) / (max - min)
dist_to_target n_dist2targ (x - min) / (t - min) with t = target × direction; ``cap: true``
                           sets values above 1 to 1 (for direction -1 this is
                           (max - x) / (max - target) on the original scale)
fraction_of_max n_fracmax  x / max
borda          n_borda     rank - 1
none           "none"      x (direction still applied)
============== =========== ===================================================================

An indicator with a single value for every unit has no range: min-max and distance to
the maximum give no value (COINr returns NaN with a warning); the build reports it.
"""

from __future__ import annotations

import numpy as np

from htz.evaluation.framework import Normalise
from htz.evaluation.stats import col_max, col_mean, col_min, col_sd, rank_asc


def normalise_column(x: np.ndarray, spec: Normalise, target: float | None = None) -> np.ndarray:
    """One indicator, already multiplied by its direction (``target`` too)."""
    return normalise_matrix(x[:, None], spec, None if target is None else np.array([target]))[:, 0]


def normalise_matrix(
    x: np.ndarray, spec: Normalise, targets: np.ndarray | None = None
) -> np.ndarray:
    """Every column of ``x`` (already direction-adjusted) with the same method."""
    m = spec.method
    with np.errstate(divide="ignore", invalid="ignore"):
        if m == "none":
            return x.copy()
        if m == "minmax":
            lo, hi = col_min(x), col_max(x)
            lower, upper = spec.range
            return (x - lo) / (hi - lo) * (upper - lower) + lower
        if m == "zscore":
            mean, sd = spec.mean_sd
            return (x - col_mean(x)) / col_sd(x) * sd + mean
        if m == "dist_to_max":
            lo, hi = col_min(x), col_max(x)
            return 1 - (hi - x) / (hi - lo)
        if m == "fraction_of_max":
            return x / col_max(x)
        if m == "dist_to_target":
            lo = col_min(x)
            y = (x - lo) / (targets - lo)
            if spec.cap:
                y = np.where(y > 1, 1.0, y)
            return y
        ranks = rank_asc(x)
        if m == "rank":
            return ranks
        if m == "borda":
            return ranks - 1
        if m == "percentile_rank":
            n = (~np.isnan(x)).sum(axis=0)
            return (ranks - 1) / (n - 1)
    raise ValueError(f"unknown normalisation {m!r}")


def normalise(
    values: np.ndarray,
    directions: np.ndarray,
    targets: np.ndarray,
    default: Normalise,
    overrides: dict[int, Normalise],
) -> np.ndarray:
    """All indicators: the default method, with per-indicator overrides by column index."""
    x = values * directions
    t = targets * directions
    out = normalise_matrix(x, default, t)
    for j, spec in overrides.items():
        out[:, j] = normalise_matrix(x[:, [j]], spec, t[[j]])[:, 0]
    return out
