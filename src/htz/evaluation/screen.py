"""Screen: drop units with too little data, as COINr's ``Screen(unit_screen = …)``.

For each unit over the indicator columns: availability = 1 - (missing / indicators);
non-zero share = 1 - zeros / (indicators - missing). A unit is kept when
``availability >= min_availability`` (``by: missing``), ``non-zero share >= min_nonzero``
(``by: zeros``) or both (``by: missing_or_zeros``). ``include`` and ``exclude`` force units
in or out whatever their data (COINr's ``Force``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from htz.errors import ConfigError
from htz.evaluation.framework import Screen


@dataclass(frozen=True)
class ScreenResult:
    keep: np.ndarray  # bool per unit
    availability: np.ndarray
    nonzero: np.ndarray


def screen(values: np.ndarray, units: np.ndarray, spec: Screen) -> ScreenResult:
    k = values.shape[1]
    missing = np.isnan(values).sum(axis=1)
    zeros = (values == 0).sum(axis=1)
    availability = 1 - missing / k
    with np.errstate(divide="ignore", invalid="ignore"):
        nonzero = 1 - zeros / (k - missing)
    low_data = availability < spec.min_availability
    low_nonzero = nonzero < spec.min_nonzero
    if spec.by == "missing":
        keep = ~low_data
    elif spec.by == "zeros":
        keep = ~low_nonzero
    else:
        keep = ~(low_data | low_nonzero)
    known = set(units.tolist())
    for code in (*spec.include, *spec.exclude):
        if code not in known:
            raise ConfigError(
                f"screen: unit {code!r} in include/exclude is not in the data; check the code."
            )
    keep = keep | np.isin(units, spec.include)
    keep = keep & ~np.isin(units, spec.exclude)
    if not keep.any():
        raise ConfigError(
            "screen: no unit has enough data to be kept; lower min_availability "
            f"(now {spec.min_availability:.2f}) or fill in more data."
        )
    return ScreenResult(keep=keep, availability=availability, nonzero=nonzero)
