"""Deviations: tables an attacker cannot tell from the true one, found one at a time.

A deviation ``y = y⁺ − y⁻`` moves some cells and keeps every equation (``A·y = 0``); a cell
may move up by at most a large bound and down by at most its value where values cannot be
negative. A sensitive cell is protected upwards exactly when some deviation moves it up by
its protection level using withheld cells only. ``find`` returns the cheapest such
deviation under a cost per unit of movement: the secondary-suppression heuristic withholds
the cells it moves; the audit keeps it as a *certificate* — an insider who knows some
cells is still fooled by every certificate that leaves those cells alone.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from htz.disclosure.lp import OPTIMAL, Equations, add_rows, scale_of, solver


def capacity(value: np.ndarray, nonnegative: bool, scale: float) -> tuple[np.ndarray, np.ndarray]:
    """How far each cell may move up and down in a deviation (scaled): up by a bound larger
    than any cell; down by its value where values cannot be negative, else as far."""
    v = value / scale
    big = float(np.max(np.abs(v))) * 2.0 + 1.0 if len(v) else 1.0
    up = np.full(len(v), big)
    return up, np.maximum(v, 0.0) if nonnegative else up.copy()


class Deviations:
    def __init__(self, value: np.ndarray, equations: Equations, cells: np.ndarray,
                 nonnegative: bool) -> None:  # fmt: skip
        """A model over ``cells`` (mask): the cells that may move."""
        self.scale = scale_of(value)
        v = value / self.scale
        self.cols = np.flatnonzero(cells)
        self.col = {int(c): i for i, c in enumerate(self.cols)}
        m = self.m = len(self.cols)
        self.up, self.down = (c[self.cols] for c in capacity(value, nonnegative, self.scale))
        self.unit = 1.0 / np.maximum(np.abs(v[self.cols]), 1e-9)  # movement per unit of value
        self.h = solver()
        if m:
            rows = equations.restricted(np.asarray(cells, bool), v)
            self.h.addVars(2 * m, np.zeros(2 * m), np.concatenate([self.up, self.down]))
            both = [(np.concatenate([i, i + m]), np.concatenate([c, -c])) for i, c in rows.rows]
            add_rows(self.h, both, *rows.deviation_bounds())
        self.cost: np.ndarray | None = None

    def set_cost(self, per_unit: np.ndarray) -> None:
        """Cost of moving each cell of the model by one (scaled) unit, either way."""
        c = np.concatenate([per_unit, per_unit])
        if self.cost is None or not np.array_equal(c, self.cost):
            self.h.changeColsCost(2 * self.m, np.arange(2 * self.m, dtype=np.int32), c)
            self.cost = c

    def find(self, target: int, sign: int, amount: float,
             known: Sequence[int] = ()) -> np.ndarray | None:  # fmt: skip
        """Cells (indices) moved by the cheapest deviation that moves ``target`` by
        ``amount`` (value units) up (sign +1) or down (−1) and leaves ``known`` alone;
        None when there is none."""
        if self.cost is None:
            self.set_cost(self.unit)
        h, m = self.h, self.m
        t = self.col[target]
        a = amount / self.scale
        if sign > 0:  # the target moves one way only: its other half is held at 0
            h.changeColBounds(t, a, max(self.up[t], a))
            h.changeColBounds(t + m, 0.0, 0.0)
        else:
            h.changeColBounds(t, 0.0, 0.0)
            h.changeColBounds(t + m, a, max(self.down[t], a))
        fixed = [self.col[k] for k in known if k in self.col]
        for k in fixed:
            h.changeColBounds(k, 0.0, 0.0)
            h.changeColBounds(k + m, 0.0, 0.0)
        h.run()
        if h.getModelStatus() != OPTIMAL:  # a stale basis can mislead HiGHS: once afresh
            h.clearSolver()
            h.run()
        moved = None
        if h.getModelStatus() == OPTIMAL:
            y = np.asarray(h.getSolution().col_value)
            size = y[:m] + y[m:]
            moved = self.cols[size > 1e-9 * np.maximum(1.0 / self.unit, 1.0)]
        for j in [t, *fixed]:
            h.changeColBounds(j, 0.0, self.up[j])
            h.changeColBounds(j + m, 0.0, self.down[j])
        return moved
