"""The table equations as sparse rows, and small helpers around HiGHS (``highspy``).

Every solve in ``htz.disclosure`` goes through here: one HiGHS instance per problem,
silent, single-threaded and with its default random seed, so the same input gives the
same pattern and the same intervals.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import highspy
import numpy as np

INF = highspy.kHighsInf
OPTIMAL = highspy.HighsModelStatus.kOptimal
UNBOUNDED = (highspy.HighsModelStatus.kUnbounded, highspy.HighsModelStatus.kUnboundedOrInfeasible)


@dataclass(frozen=True)
class Equations:
    """Rows ``Σ coef · cell = 0``: a total minus its parts, in CSR form over cell indices."""

    start: np.ndarray
    index: np.ndarray
    coef: np.ndarray

    @classmethod
    def from_sums(cls, sums: Sequence[tuple[int, Sequence[int]]]) -> Equations:
        start, index, coef = [0], [], []
        for total, parts in sums:
            index.extend([total, *parts])
            coef.extend([1.0] + [-1.0] * len(parts))
            start.append(len(index))
        return cls(np.array(start, np.int64), np.array(index, np.int64), np.array(coef))

    def __len__(self) -> int:
        return len(self.start) - 1

    def row(self, r: int) -> tuple[np.ndarray, np.ndarray]:
        a, b = self.start[r], self.start[r + 1]
        return self.index[a:b], self.coef[a:b]

    def restricted(
        self, free: np.ndarray, value: np.ndarray, slack: bool = False
    ) -> tuple[list, np.ndarray] | tuple[list, np.ndarray, np.ndarray]:
        """Rows over the ``free`` cells only, the others moved to the right-hand side.

        Returns ([(positions among free cells, coefs)], rhs) for rows that touch a free cell;
        with ``slack``, also how far each rhs may be off through rounding (the floating-point
        sum of the row's published cells: ``2u · terms · Σ|terms|``).
        """
        pos = np.full(len(free), -1, dtype=np.int64)
        pos[free] = np.arange(int(free.sum()))
        rows, rhs, err = [], [], []
        for r in range(len(self)):
            idx, c = self.row(r)
            f = free[idx]
            if not f.any():
                continue
            rows.append((pos[idx[f]], c[f]))
            rhs.append(-float(np.dot(c[~f], value[idx[~f]])))
            err.append(2.3e-16 * len(idx) * float(np.abs(value[idx]).sum()))
        if slack:
            return rows, np.array(rhs), np.array(err)
        return rows, np.array(rhs)


def solver(
    time_limit: float | None = None,
    mip_gap: float = 1e-6,
    tolerance: float = 1e-7,
    presolve: bool = False,
) -> highspy.Highs:
    """A silent HiGHS; ``tolerance``: feasibility, in scaled units (values up to ~10⁴)."""
    h = highspy.Highs()
    h.silent()
    # warm-started LPs of one model: presolve would redo its work every time (a MIP wants it)
    h.setOptionValue("presolve", "on" if presolve else "off")
    h.setOptionValue("primal_feasibility_tolerance", tolerance)
    h.setOptionValue("dual_feasibility_tolerance", tolerance)
    h.setOptionValue("mip_rel_gap", mip_gap)
    h.setOptionValue("mip_feasibility_tolerance", tolerance)
    if time_limit:
        h.setOptionValue("time_limit", float(time_limit))
    return h


def add_rows(h: highspy.Highs, rows: list, lower: np.ndarray, upper: np.ndarray) -> None:
    """Add rows given as [(column indices, coefs)] with their bounds."""
    if not rows:
        return
    start = np.cumsum([0] + [len(i) for i, _ in rows[:-1]]).astype(np.int32)
    index = np.concatenate([i for i, _ in rows]).astype(np.int32)
    value = np.concatenate([c for _, c in rows]).astype(np.float64)
    h.addRows(len(rows), np.asarray(lower, float), np.asarray(upper, float),
              len(index), start, index, value)  # fmt: skip


def scale_of(value: np.ndarray) -> float:
    """A power of ten that brings the largest |value| to about 10⁴ (HiGHS works in
    absolute tolerances; cells from a few yuan to trillions must all stay well above them)."""
    big = float(np.max(np.abs(value))) if len(value) else 0.0
    if big <= 0:
        return 1.0
    return float(10.0 ** (np.floor(np.log10(big)) - 4))


def width_step(value: np.ndarray) -> np.ndarray:
    """How far a cell must be able to move for its interval to count as wider than a point
    (a frequency-rule cell without a protection range): 10⁻⁴ of it, or of the scale."""
    return 1e-4 * np.maximum(np.abs(value), scale_of(value))
