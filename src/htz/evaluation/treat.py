"""Treat outliers: COINr's default ``Treat()`` — winsorise, else log-transform.

Per indicator (missing values ignored throughout), following COINr's ``Treat.numeric``,
``winsorise``, ``check_SkewKurt`` and ``log_CT``:

1. **Check**: the indicator passes if ``|skew| < skew_threshold`` **or**
   ``kurtosis < kurtosis_threshold`` (defaults 2 and 3.5; skewness and excess kurtosis as
   in :mod:`htz.evaluation.stats`). A passing indicator is left as it is.
2. **Winsorise** while it fails and fewer than ``winmax`` points (default 5) have been
   treated: if ``skew >= 0``, every value equal to the maximum is set to the largest value
   below it; otherwise every value equal to the minimum is set to the smallest value above
   it. The count of treated points is COINr's: the size of the last high-side set plus the
   size of the last low-side set (ties winsorised together count together).
3. **Fallback** if it still fails: the transform is applied to the *original* values
   (``combine: true`` applies it to the winsorised values instead):
   ``log_ct``: ``log(x - min + 0.01 (max - min))``; ``log_ct_orig``: ``log(x - min + 1)``;
   ``none``: keep the winsorised values.

An indicator whose skewness or kurtosis cannot be computed (fewer than 4 values, or all
equal) is left untreated, as COINr does when its check returns ``NA``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from htz.evaluation.framework import Treat
from htz.evaluation.stats import kurt, skew


@dataclass(frozen=True)
class Treatment:
    """What happened to one indicator."""

    indicator: str
    skew_before: float
    kurtosis_before: float
    winsorised: int
    transform: str | None
    skew_after: float
    kurtosis_after: float
    passed: bool | None

    def as_dict(self) -> dict:
        return self.__dict__.copy()


def _passes(x: np.ndarray, spec: Treat) -> bool | None:
    sk, kt = skew(x), kurt(x)
    if np.isnan(sk) or np.isnan(kt):
        return None
    return bool(abs(sk) < spec.skew_threshold or kt < spec.kurtosis_threshold)


def winsorise(x: np.ndarray, spec: Treat) -> tuple[np.ndarray, int]:
    """COINr's ``winsorise()``: the treated copy and the number of points treated."""
    x = x.copy()
    passing = _passes(x, spec)
    imax: np.ndarray = np.empty(0, dtype=int)
    imin: np.ndarray = np.empty(0, dtype=int)
    nwin = 0

    def below() -> bool:
        return spec.winmax is None or nwin < spec.winmax

    while (passing is False or spec.force) and below():
        present = ~np.isnan(x)
        if skew(x) >= 0:
            top = x[present].max()
            imax = np.nonzero(present & (x == top))[0]
            rest = present & (x != top)
            if not rest.any():
                break
            x[imax] = x[rest].max()
        else:
            bottom = x[present].min()
            imin = np.nonzero(present & (x == bottom))[0]
            rest = present & (x != bottom)
            if not rest.any():
                break
            x[imin] = x[rest].min()
        nwin = imax.size + imin.size
        passing = _passes(x, spec)
        if passing is None:
            break
    return x, nwin


def log_transform(x: np.ndarray, kind: str) -> np.ndarray:
    present = ~np.isnan(x)
    lo, hi = x[present].min(), x[present].max()
    with np.errstate(divide="ignore", invalid="ignore"):
        if kind == "log_ct":
            return np.log(x - lo + 0.01 * (hi - lo))
        return np.log(x - lo + 1)


def treat_column(x: np.ndarray, spec: Treat, code: str = "") -> tuple[np.ndarray, Treatment]:
    sk0, kt0 = skew(x), kurt(x)
    if spec.method == "none":
        return x.copy(), Treatment(code, sk0, kt0, 0, None, sk0, kt0, None)
    passing = _passes(x, spec)
    if passing is None or passing:
        return x.copy(), Treatment(code, sk0, kt0, 0, None, sk0, kt0, passing)
    x1, nwin = winsorise(x, spec)
    passing = _passes(x1, spec)
    transform = None
    if passing is False and spec.fallback != "none":
        base = x1 if spec.combine else x
        x1 = log_transform(base, spec.fallback)
        transform = spec.fallback
        passing = _passes(x1, spec)
    return x1, Treatment(code, sk0, kt0, nwin, transform, skew(x1), kurt(x1), passing)


def treat(
    values: np.ndarray, codes: list[str], default: Treat, overrides: dict[str, Treat]
) -> tuple[np.ndarray, list[Treatment]]:
    out = np.empty_like(values)
    details = []
    for j, code in enumerate(codes):
        out[:, j], info = treat_column(values[:, j], overrides.get(code, default), code)
        details.append(info)
    return out, details
