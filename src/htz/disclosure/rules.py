"""Primary rules: which cells are sensitive, and how much protection each one needs.

As τ-ARGUS and sdcTable define them, with X the cell total, x1 ≥ x2 ≥ … the largest
contributions (absolute values: a loss is a contribution too) and n the contributors:

- frequency: sensitive when 0 < n < ``min_contributors``; the protection is
  ``frequency_range`` % of |X| each way (with none set, any interval wider than a point);
- (n, k) dominance: x1 + … + xn > k % of X; protection 100/k·(x1 + … + xn) − X;
- p %: X − x1 − x2 < p/100 · x1 (the second largest contributor, knowing its own value,
  would estimate the largest within p %); protection p/100·x1 − (X − x1 − x2);
- pq: X − x1 − x2 < p/q · x1; protection p/q·x1 − (X − x1 − x2).

The upper and lower protection levels are equal (symmetric); the lower never exceeds X
when the values cannot be negative. A cell with value 0 is never sensitive to the
magnitude rules, and an empty cell (n = 0) never sensitive at all.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field

import numpy as np

from htz.disclosure.cells import Cells
from htz.errors import InputError

# the reason codes; a cell sensitive by several rules has them all, joined by "+"
REASONS = ("forced", "threshold", "dominance", "p-percent", "pq")


@dataclass(frozen=True)
class Rules:
    min_contributors: int = 3
    frequency_range: float = 0.0  # percent of |X| each way; 0: a non-zero width suffices
    p: float | None = None  # percent
    nk: tuple[tuple[int, float], ...] = ()  # (n, k percent), any number of them
    pq: tuple[float, float] | None = None  # (p, q) percent
    allow_zeros: bool = False  # may a zero-valued cell be withheld as a secondary?
    nonnegative: bool = True  # the values cannot be negative (bounds for the attacker)

    @classmethod
    def parse(cls, data: Mapping | None, where: str = "rules") -> Rules:
        data = dict(data or {})
        known = {f for f in cls.__dataclass_fields__}
        extra = sorted(set(data) - known)
        if extra:
            raise InputError(f"{where}: unknown setting {extra[0]!r}; use {sorted(known)}.")
        nk = data.get("nk") or ()
        if nk and not isinstance(nk[0], list | tuple):
            nk = (nk,)
        try:
            out = cls(
                min_contributors=int(data.get("min_contributors", 3)),
                frequency_range=float(data.get("frequency_range", 0.0)),
                p=None if data.get("p") is None else float(data["p"]),
                nk=tuple((int(a), float(b)) for a, b in nk),
                pq=None if data.get("pq") is None else tuple(float(x) for x in data["pq"]),
                allow_zeros=bool(data.get("allow_zeros", False)),
                nonnegative=bool(data.get("nonnegative", True)),
            )
        except (TypeError, ValueError) as e:
            raise InputError(
                f"{where}: {e}; write e.g. {{min_contributors: 3, p: 10, nk: [2, 75]}}."
            ) from None
        out.check(where)
        return out

    def check(self, where: str = "rules") -> None:
        if self.min_contributors < 0 or self.frequency_range < 0:
            raise InputError(f"{where}: min_contributors and frequency_range must be ≥ 0.")
        if self.p is not None and self.p <= 0:
            raise InputError(f"{where}: p must be a positive percentage.")
        for n, k in self.nk:
            if n < 1 or not 0 < k <= 100:
                raise InputError(f"{where}: nk needs n ≥ 1 and 0 < k ≤ 100, not [{n}, {k}].")
        if self.pq is not None and (len(self.pq) != 2 or not 0 < self.pq[0] < self.pq[1]):
            raise InputError(f"{where}: pq needs 0 < p < q, as [25, 50].")

    @property
    def top_k(self) -> int:
        return max([2, *(n for n, _ in self.nk)])

    def as_dict(self) -> dict:
        d = asdict(self)
        d["nk"] = [list(x) for x in self.nk]
        d["pq"] = list(self.pq) if self.pq else None
        return d


@dataclass
class Primary:
    sensitive: np.ndarray  # bool per cell
    reason: list[str | None]
    upper: np.ndarray  # required upward protection (in value units)
    lower: np.ndarray  # required downward protection
    frequency_only: np.ndarray = field(default_factory=lambda: np.zeros(0, bool))


def primary(cells: Cells, rules: Rules, forced: np.ndarray | None = None) -> Primary:
    """Sensitive cells, each one's first reason and its protection levels."""
    x, n, top = cells.value, cells.n, cells.top
    size = np.abs(x) if cells.frequency else cells.abs_total
    m = len(cells)
    level = np.zeros(m)
    reason: list[str | None] = [None] * m
    freq_only = np.zeros(m, dtype=bool)

    def mark(mask: np.ndarray, code: str, need: np.ndarray) -> None:
        for i in np.flatnonzero(mask):
            reason[i] = code if reason[i] is None else f"{reason[i]}+{code}"
        np.maximum(level, np.where(mask, need, 0.0), out=level)

    if forced is not None:
        mark(forced & (n > 0), "forced", np.zeros(m))
    threshold = (n > 0) & (n < rules.min_contributors)
    mark(threshold, "threshold", rules.frequency_range / 100.0 * np.abs(x))
    if not cells.frequency:
        live = (n > 0) & (size > 0)
        for k_n, k in rules.nk:
            s = top[:, :k_n].sum(axis=1)
            mark(live & (s > k / 100.0 * size), "dominance", 100.0 / k * s - size)
        rest = size - top[:, 0] - top[:, 1]
        if rules.p is not None:
            need = rules.p / 100.0 * top[:, 0] - rest
            mark(live & (need > 0), "p-percent", need)
        if rules.pq is not None:
            need = rules.pq[0] / rules.pq[1] * top[:, 0] - rest
            mark(live & (need > 0), "pq", need)
    sensitive = np.array([r is not None for r in reason], dtype=bool)
    freq_only = sensitive & (level <= 0)
    upper = level.copy()
    lower = np.minimum(level, np.abs(x)) if rules.nonnegative else level.copy()
    return Primary(sensitive, reason, upper, lower, freq_only)
