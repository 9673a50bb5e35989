"""The statistics the engine needs, defined exactly as COINr (and R) define them.

- ``skew``: sample skewness as ``e1071::skewness(type = 2)`` (Excel's SKEW), which COINr's
  ``skew()`` copies: ``sqrt(n) Σd³ / (Σd²)^1.5 × sqrt(n(n-1)) / (n-2)``, d = x - mean.
- ``kurt``: excess kurtosis as ``e1071::kurtosis(type = 2)`` (Excel's KURT), COINr's
  ``kurt()``: r = n Σd⁴ / (Σd²)², ``((n+1)(r-3) + 6)(n-1) / ((n-2)(n-3))``.
- ``rank_desc``: R's ``rank(-x, ties.method = "min", na.last = "keep")`` ("sport" ranks:
  ties share the best place; missing values get no rank), per column.
- ``rank_asc``: R's ``rank(x, ties.method = "min", na.last = "keep")``.
- ``quantile``: R's default ``quantile(type = 7)`` (numpy's ``linear``).
"""

from __future__ import annotations

import numpy as np


def skew(x: np.ndarray) -> float:
    """Skewness of the non-missing values; NaN for fewer than 3 values or no spread."""
    x = x[~np.isnan(x)]
    n = x.size
    if n < 3:
        return float("nan")
    d = x - x.mean()
    s2 = np.sum(d**2)
    if s2 == 0:
        return float("nan")
    y = np.sqrt(n) * np.sum(d**3) / s2**1.5
    return float(y * np.sqrt(n * (n - 1)) / (n - 2))


def kurt(x: np.ndarray) -> float:
    """Excess kurtosis of the non-missing values; NaN for fewer than 4 values or no spread."""
    x = x[~np.isnan(x)]
    n = x.size
    if n < 4:
        return float("nan")
    d = x - x.mean()
    s2 = np.sum(d**2)
    if s2 == 0:
        return float("nan")
    r = n * np.sum(d**4) / s2**2
    return float(((n + 1) * (r - 3) + 6) * (n - 1) / ((n - 2) * (n - 3)))


def rank_asc(values: np.ndarray) -> np.ndarray:
    """Ranks 1… along axis 0, smallest first, ties at the lowest place, NaN kept as NaN."""
    v = np.asarray(values, dtype=float)
    squeeze = v.ndim == 1
    if squeeze:
        v = v[:, None]
    n, _m = v.shape
    order = np.argsort(v, axis=0, kind="stable")  # NaN sort last
    s = np.take_along_axis(v, order, axis=0)
    idx = np.arange(n)[:, None]
    new = np.ones_like(s, dtype=bool)
    new[1:] = s[1:] != s[:-1]
    first = np.maximum.accumulate(np.where(new, idx, 0), axis=0)
    ranks_sorted = (first + 1).astype(float)
    ranks_sorted[np.isnan(s)] = np.nan
    out = np.empty_like(ranks_sorted)
    np.put_along_axis(out, order, ranks_sorted, axis=0)
    return out[:, 0] if squeeze else out


def rank_desc(values: np.ndarray) -> np.ndarray:
    """Ranks 1… along axis 0, largest first (1 = best), ties share the best place."""
    return rank_asc(-np.asarray(values, dtype=float))


def quantile(values: np.ndarray, q: float, axis: int = -1) -> np.ndarray:
    """R's type-7 quantile, ignoring missing values."""
    v = np.asarray(values, dtype=float)
    if not np.isnan(v).any():
        return np.quantile(v, q, axis=axis)
    return np.nanquantile(v, q, axis=axis)


def col_min(x: np.ndarray) -> np.ndarray:
    """Column minima over non-missing values; NaN where a column has none (no warning)."""
    has = ~np.isnan(x).all(axis=0)
    out = np.where(np.isnan(x), np.inf, x).min(axis=0, initial=np.inf)
    return np.where(has, out, np.nan)


def col_max(x: np.ndarray) -> np.ndarray:
    has = ~np.isnan(x).all(axis=0)
    out = np.where(np.isnan(x), -np.inf, x).max(axis=0, initial=-np.inf)
    return np.where(has, out, np.nan)


def col_mean(x: np.ndarray) -> np.ndarray:
    mask = ~np.isnan(x)
    n = mask.sum(axis=0)
    total = np.where(mask, x, 0.0).sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(n > 0, total / np.maximum(n, 1), np.nan)


def col_sd(x: np.ndarray) -> np.ndarray:
    """Sample standard deviation (n - 1), as R's ``sd``."""
    mask = ~np.isnan(x)
    n = mask.sum(axis=0)
    m = col_mean(x)
    d2 = np.where(mask, (x - m) ** 2, 0.0).sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(n > 1, np.sqrt(d2 / np.maximum(n - 1, 1)), np.nan)


def col_median(x: np.ndarray) -> np.ndarray:
    out = np.full(x.shape[1], np.nan)
    for j in range(x.shape[1]):
        v = x[:, j][~np.isnan(x[:, j])]
        if v.size:
            out[j] = np.median(v)
    return out
