"""The audit: what an attacker can derive about each withheld cell from everything published.

For every withheld cell, the smallest and largest value it can take in any table that
agrees with every published cell and every table equation (a total is the sum of its
parts), each cell at least 0 where the values cannot be negative: two linear programmes
per cell. An *insider* — the single contributor of a withheld cell, who knows its own
value — is an attacker too (τ-ARGUS's "virtual cell" covers two singletons in one row):
each sensitive cell that the singleton's contributor is not part of, and that is linked to
the singleton through withheld cells, has its interval computed again with the
singleton's value known. A sensitive cell is protected when its interval, under every
attack, covers its required range [X − lower protection, X + upper protection]; a cell
sensitive only by the frequency rule without a protection percentage needs a width above 0.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from htz.disclosure.lp import INF, OPTIMAL, UNBOUNDED, Equations, add_rows, scale_of, solver


@dataclass(frozen=True)
class Attack:
    """Find the range of ``target`` knowing the published cells and the ``known`` ones."""

    target: int
    known: tuple[int, ...] = ()


@dataclass
class Intervals:
    low: np.ndarray  # per cell; a published cell's own value
    high: np.ndarray


def components(equations: Equations, free: np.ndarray) -> np.ndarray:
    """A label per cell: withheld cells joined by an equation share one (others: -1)."""
    parent = np.arange(len(free))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for r in range(len(equations)):
        idx, _ = equations.row(r)
        f = [int(i) for i in idx if free[i]]
        for a in f[1:]:
            ra, rb = find(f[0]), find(a)
            if ra != rb:
                parent[max(ra, rb)] = min(ra, rb)
    labels = np.array([find(i) for i in range(len(free))])
    return np.where(free, labels, -1)


def insider_attacks(
    equations: Equations,
    singleton: np.ndarray,
    withheld: np.ndarray,
    sensitive: np.ndarray,
    contains: Callable[[int, int], bool],
) -> list[Attack]:
    """Each sensitive cell attacked by the contributor of each withheld singleton.

    The singleton's contributor knows its own value, and so that cell; it attacks every
    sensitive cell it does not itself contribute to (``contains(s, t)``: does cell ``t``
    hold singleton ``s``'s contributor) whose withheld cells are linked to its own through
    the equations (elsewhere, knowing one more cell changes nothing).
    """
    label = components(equations, withheld)
    out = []
    for s in np.flatnonzero(singleton & withheld):
        for t in np.flatnonzero(sensitive & withheld & (label == label[s])):
            if t != s and not contains(int(s), int(t)):
                out.append(Attack(int(t), (int(s),)))
    return sorted(out, key=lambda a: (a.known, a.target))


def intervals(
    value: np.ndarray,
    equations: Equations,
    withheld: np.ndarray,
    nonnegative: bool,
    attacks: Sequence[Attack] | None = None,
) -> Intervals:
    """The attacker's [low, high] of each withheld cell (published cells: their value).

    ``attacks`` add insider attacks; a cell's interval is then the narrowest over all
    attacks on it (its own outsider attack always included).
    """
    low, high = value.astype(float).copy(), value.astype(float).copy()
    free = np.asarray(withheld, dtype=bool)
    if not free.any():
        return Intervals(low, high)
    s = scale_of(value)
    v = value / s
    rows, rhs = equations.restricted(free, v)
    cells = np.flatnonzero(free)
    m = len(cells)
    h = solver()
    lb = np.zeros(m) if nonnegative else np.full(m, -INF)
    h.addVars(m, lb, np.full(m, INF))
    add_rows(h, rows, rhs, rhs)
    col = {int(c): i for i, c in enumerate(cells)}
    # outsider attacks first; insider attacks grouped by what they know (one bound change)
    jobs = [Attack(int(c)) for c in cells] + sorted(
        (a for a in (attacks or []) if free[a.target]), key=lambda a: (a.known, a.target)
    )
    for a in jobs:
        j = col[a.target]
        fixed = [col[k] for k in a.known if k in col]
        for k in fixed:
            h.changeColBounds(k, v[cells[k]], v[cells[k]])
        lo, hi = _range(h, j)
        for k in fixed:
            h.changeColBounds(k, lb[k], INF)
        low[a.target] = max(low[a.target] if a.known else -np.inf, lo * s)
        high[a.target] = min(high[a.target] if a.known else np.inf, hi * s)
    return Intervals(low, high)


def _range(h, j: int) -> tuple[float, float]:
    out = []
    for sign in (1.0, -1.0):
        h.changeColCost(j, sign)
        h.run()
        status = h.getModelStatus()
        if status == OPTIMAL:
            out.append(sign * h.getInfo().objective_function_value)
        elif status in UNBOUNDED:
            out.append(-sign * np.inf)
        else:  # numerically troubled: fall back to a fresh solve
            h.clearSolver()
            h.run()
            if h.getModelStatus() == OPTIMAL:
                out.append(sign * h.getInfo().objective_function_value)
            else:
                raise RuntimeError(f"audit LP: {h.modelStatusToString(h.getModelStatus())}")
        h.changeColCost(j, 0.0)
    return out[0], out[1]


def tolerance(value: np.ndarray) -> np.ndarray:
    """How far an interval may fall short of a bound through rounding alone."""
    return 1e-7 * np.maximum(np.abs(value), 1.0) + 1e-9 * scale_of(value) * 1e6


def covered(
    value: np.ndarray,
    found: Intervals,
    required_low: np.ndarray,
    required_high: np.ndarray,
    sensitive: np.ndarray,
    width_only: np.ndarray,
) -> np.ndarray:
    """Per cell: is its derivable interval at least its required range (True if not sensitive)."""
    tol = tolerance(value)
    ok = (found.low <= required_low + tol) & (found.high >= required_high - tol)
    wide = (found.high - found.low) > tol
    ok = np.where(width_only, wide, ok)
    return ok | ~sensitive
