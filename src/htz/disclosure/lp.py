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
    """Rows over cell indices in CSR form: ``Σ coef · cell = 0`` (a total minus its parts),
    and, where ``order`` is set, ``Σ coef · cell ≤ 0`` (one cell known to be no larger
    than another: a year-to-date flow in March and in June)."""

    start: np.ndarray
    index: np.ndarray
    coef: np.ndarray
    order: np.ndarray | None = None  # bool per row: "≤ 0" rather than "= 0"

    @classmethod
    def from_sums(
        cls, sums: Sequence[tuple[int, Sequence[int]]], orders: Sequence[tuple[int, int]] = ()
    ) -> Equations:
        """Rows of (total, parts) equations, then one ``a ≤ b`` row per pair of ``orders``."""
        start, index, coef = [0], [], []
        for total, parts in sums:
            index.extend([total, *parts])
            coef.extend([1.0] + [-1.0] * len(parts))
            start.append(len(index))
        for a, b in orders:
            index.extend([a, b])
            coef.extend([1.0, -1.0])
            start.append(len(index))
        order = np.array([False] * len(sums) + [True] * len(orders), dtype=bool)
        return cls(np.array(start, np.int64), np.array(index, np.int64), np.array(coef), order)

    def __len__(self) -> int:
        return len(self.start) - 1

    def row(self, r: int) -> tuple[np.ndarray, np.ndarray]:
        a, b = self.start[r], self.start[r + 1]
        return self.index[a:b], self.coef[a:b]

    def restricted(self, free: np.ndarray, value: np.ndarray) -> Rows:
        """The rows that touch a ``free`` cell, over the free cells only, the others (known)
        moved to the right-hand side."""
        pos = np.full(len(free), -1, dtype=np.int64)
        pos[free] = np.arange(int(free.sum()))
        order = self.order if self.order is not None else np.zeros(len(self), dtype=bool)
        rows, rhs, err, kind, room = [], [], [], [], []
        for r in range(len(self)):
            idx, c = self.row(r)
            f = free[idx]
            if not f.any():
                continue
            rows.append((pos[idx[f]], c[f]))
            rhs.append(-float(np.dot(c[~f], value[idx[~f]])))
            err.append(2.3e-16 * len(idx) * float(np.abs(value[idx]).sum()))
            kind.append(bool(order[r]))
            room.append(max(rhs[-1] - float(np.dot(c[f], value[idx[f]])), 0.0) if order[r] else 0.0)
        return Rows(rows, np.array(rhs), np.array(err), np.array(kind, dtype=bool),
                    np.array(room))  # fmt: skip


@dataclass(frozen=True)
class Rows:
    """``Equations.restricted``: rows over the free cells (positions among them, coefs)."""

    rows: list
    rhs: np.ndarray  # Σ coef · free cell = rhs, or ≤ rhs for an order row
    err: np.ndarray  # how far rhs may be off through rounding (2u · terms · Σ|terms|)
    order: np.ndarray  # bool per row
    room: np.ndarray  # an order row: how far Σ coef · free cell may rise from the truth

    def __len__(self) -> int:
        return len(self.rows)

    def attacker_bounds(self) -> tuple[np.ndarray, np.ndarray]:
        """Row bounds on the free cells' values (within rounding of the published ones)."""
        return np.where(self.order, -INF, self.rhs - self.err), self.rhs + self.err

    def deviation_bounds(self) -> tuple[np.ndarray, np.ndarray]:
        """Row bounds on a deviation of the free cells from their true values."""
        return np.where(self.order, -INF, 0.0), np.where(self.order, self.room, 0.0)


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
