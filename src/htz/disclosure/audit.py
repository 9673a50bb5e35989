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

from htz.disclosure.deviation import Deviations
from htz.disclosure.lp import (
    INF,
    OPTIMAL,
    UNBOUNDED,
    Equations,
    add_rows,
    scale_of,
    solver,
    width_step,
)


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

    The singleton's contributor knows its own value, and so every singleton cell it alone
    makes up (its zone, the zone's province when it is alone there, …): they form one
    attack. It attacks every sensitive cell it does not itself contribute to
    (``contains(s, t)``: does cell ``t`` hold singleton ``s``'s contributor) whose withheld
    cells are linked to its own through the equations (elsewhere, knowing one more cell
    changes nothing).
    """
    label = components(equations, withheld)
    singles = [int(i) for i in np.flatnonzero(singleton & withheld)]
    # singletons of one contributor: each holds the other's only contributor
    group = {s: s for s in singles}
    for i, a in enumerate(singles):
        for b in singles[i + 1 :]:
            if group[b] == b and label[a] == label[b] and contains(a, b):
                group[b] = group[a]
    classes: dict[int, list[int]] = {}
    for s in singles:
        classes.setdefault(group[s], []).append(s)
    out = []
    for rep, members in classes.items():
        known = tuple(sorted(members))
        labels = {label[m] for m in members}
        for t in np.flatnonzero(sensitive & withheld & np.isin(label, list(labels))):
            t = int(t)
            if t not in known and not contains(rep, t):
                out.append(Attack(t, known))
    return sorted(out, key=lambda a: (a.known, a.target))


class Attacker:
    """One linear programme over the withheld cells, asked many questions.

    Variables are the withheld cells (scaled); rows are the equations with the published
    cells moved to the right-hand side; bounds are [0, ∞) or (−∞, ∞). Questions change only
    costs and bounds, so HiGHS starts each solve from the last basis.
    """

    def __init__(self, value: np.ndarray, equations: Equations, withheld: np.ndarray,
                 nonnegative: bool) -> None:  # fmt: skip
        self.free = np.asarray(withheld, dtype=bool)
        self.scale = scale_of(value)
        self.v = value / self.scale
        self.cells = np.flatnonzero(self.free)
        self.col = {int(c): i for i, c in enumerate(self.cells)}
        m = len(self.cells)
        self.lb = np.zeros(m) if nonnegative else np.full(m, -INF)
        self.h = solver(tolerance=1e-9)  # intervals to twelve digits
        if m:
            rows = equations.restricted(self.free, self.v)
            self.h.addVars(m, self.lb, np.full(m, INF))
            add_rows(self.h, rows.rows, *rows.attacker_bounds())

    def _fix(self, known: Sequence[int], on: bool) -> None:
        for k in known:
            j = self.col.get(k)
            if j is not None:
                # known to rounding: the equations hold in floating point only so far
                d = 1e-12 * max(abs(self.v[k]), 1.0)
                lo, hi = (self.v[k] - d, self.v[k] + d) if on else (self.lb[j], INF)
                self.h.changeColBounds(j, lo, hi)

    def range(self, target: int, known: Sequence[int] = ()) -> tuple[float, float]:
        """The smallest and largest value of ``target`` (value units)."""
        self._fix(known, True)
        lo, hi = _range(self.h, self.col[target])
        self._fix(known, False)
        # twelve significant digits: what the solver's tolerances leave exact
        return float(f"{lo * self.scale:.12g}"), float(f"{hi * self.scale:.12g}")

    def certify(self, targets: Sequence[int], need: np.ndarray, sign: float,
                known: Sequence[int] = (), one_by_one: bool = True,
                store: dict | None = None) -> dict[int, float]:  # fmt: skip
        """Targets that can reach ``need`` (value units; upward for sign +1, downward for
        −1), each with a value it can take: one LP pushes all of them at once (capped at
        their need), and again for those it did not reach, until a round reaches none;
        the rest are asked one by one (unless not ``one_by_one``: then some that can reach
        their need may be missing). ``store`` (outsiders only) gets, per target reached
        in a round, the cells that round's solution moves: a certificate for as long as
        they stay withheld."""
        self._fix(known, True)
        out: dict[int, float] = {}
        todo = [t for t in targets if t in self.col]
        goal = {t: need[t] / self.scale for t in todo}
        while todo:
            js = np.array([self.col[t] for t in todo], dtype=np.int32)
            weight = np.array([1.0 / max(abs(goal[t]), 1e-9) for t in todo])
            for t, j in zip(todo, js, strict=True):  # cap each target at its need
                if sign > 0:
                    self.h.changeColBounds(int(j), self.lb[j], goal[t])
                else:
                    self.h.changeColBounds(int(j), goal[t], INF)
            self.h.changeColsCost(len(js), js, -sign * weight)
            self.h.run()
            ok = self.h.getModelStatus() == OPTIMAL
            z = np.asarray(self.h.getSolution().col_value) if ok else None
            self.h.changeColsCost(len(js), js, np.zeros(len(js)))
            for j in js:
                self.h.changeColBounds(int(j), self.lb[j], INF)
            reached = []
            if z is not None:
                for t, j in zip(todo, js, strict=True):
                    if sign * (z[j] - goal[t]) >= -1e-9 * max(abs(goal[t]), 1.0):
                        out[t] = float(z[j]) * self.scale
                        reached.append(t)
            if not reached:
                break
            if store is not None and not known:
                v = self.v[self.cells]
                moved = frozenset(int(c) for c in self.cells[
                    np.abs(z - v) > 1e-9 * np.maximum(np.abs(v), 1.0)])  # fmt: skip
                for t in reached:
                    store.setdefault((t, int(sign)), []).append(moved)
            todo = [t for t in todo if t not in out]
        for t in todo if one_by_one else ():  # one by one: the exact bound
            x = _bound(self.h, self.col[t], -sign)
            if sign * (x - goal[t]) >= -1e-9 * max(abs(goal[t]), 1.0):
                out[t] = x * self.scale
        self._fix(known, False)
        return out


def intervals(
    value: np.ndarray,
    equations: Equations,
    withheld: np.ndarray,
    nonnegative: bool,
    attacks: Sequence[Attack] | None = None,
) -> Intervals:
    """The attacker's exact [low, high] of each withheld cell (published cells: their value).

    ``attacks`` add insider attacks; a cell's interval is then the narrowest over all
    attacks on it (its own outsider attack always included).
    """
    low, high = value.astype(float).copy(), value.astype(float).copy()
    attacker = Attacker(value, equations, withheld, nonnegative)
    for c in attacker.cells:
        low[c], high[c] = attacker.range(int(c))
    for a in sorted(attacks or [], key=lambda a: (a.known, a.target)):
        if attacker.free[a.target]:
            lo, hi = attacker.range(a.target, a.known)
            low[a.target], high[a.target] = max(low[a.target], lo), min(high[a.target], hi)
    return Intervals(low, high)


def check(
    value: np.ndarray,
    equations: Equations,
    withheld: np.ndarray,
    nonnegative: bool,
    attacks: Sequence[Attack],
    required_low: np.ndarray,
    required_high: np.ndarray,
    sensitive: np.ndarray,
    width_only: np.ndarray,
    store: dict | None = None,
    ranges: bool = True,
) -> tuple[Intervals, np.ndarray, list[tuple[Attack, int]]]:
    """Whether every sensitive cell is covered under every attack, without solving two
    programmes per cell: each attack's targets are certified together (``Attacker.certify``).

    Returns intervals that are *inner* bounds for certified cells (the attacker cannot
    narrow a cell below them; the true interval may be wider), exact bounds for a cell that
    fails (unless not ``ranges``), the coverage per cell, and each failing (attack,
    direction: +1 up, −1 down).
    """
    low, high = value.astype(float).copy(), value.astype(float).copy()
    ok = np.ones(len(value), dtype=bool)
    failing: list[tuple[Attack, int]] = []
    attacker = Attacker(value, equations, withheld, nonnegative)
    tol = tolerance(value)
    eps = width_step(value)
    groups: dict[tuple[int, ...], list[int]] = {(): []}
    for t in np.flatnonzero(sensitive & attacker.free):
        groups[()].append(int(t))
    for a in attacks:
        if attacker.free[a.target] and sensitive[a.target]:
            groups.setdefault(a.known, []).append(a.target)
    outsider = groups.pop(())
    plain = [t for t in outsider if not width_only[t]]
    wide = [t for t in outsider if width_only[t]]
    # a stored certificate (a deviation the secondary step found) whose cells are all
    # still withheld foils its attack with no programme to solve
    holds = _holding(withheld)

    def certified(sign: int, goal: np.ndarray) -> dict[int, float]:
        return {t: float(goal[t]) for t in plain
                if any(holds(c) for c in (store or {}).get((t, sign), ()))}  # fmt: skip

    up = certified(1, required_high - tol)
    up |= attacker.certify([t for t in plain if t not in up], required_high - tol, +1.0,
                           store=store)  # fmt: skip
    down = certified(-1, required_low + tol)
    down |= attacker.certify([t for t in plain if t not in down], required_low + tol, -1.0,
                             store=store)  # fmt: skip
    w_up = attacker.certify(wide, value + eps, +1.0)
    w_down = attacker.certify([t for t in wide if t not in w_up], value - eps, -1.0)
    for t in plain:
        if t in up and t in down:
            low[t], high[t] = down[t], up[t]
            continue
        ok[t] = False
        failing += [(Attack(t), sign) for sign, d in ((1, up), (-1, down)) if t not in d]
        if ranges:
            low[t], high[t] = attacker.range(t)
    for t in wide:
        if t in w_up or t in w_down:
            low[t], high[t] = w_down.get(t, value[t]), w_up.get(t, value[t])
            continue
        ok[t] = False
        failing.append((Attack(t), 1))
        low[t] = high[t] = value[t]
    if groups:
        failing += _insiders(value, equations, withheld, nonnegative, groups, ok, width_only,
                             required_high - value - tol, value - required_low - tol, eps,
                             store)  # fmt: skip
        for a, _ in failing if ranges else ():
            if a.known:
                lo, hi = attacker.range(a.target, a.known)
                low[a.target], high[a.target] = max(lo, low[a.target]), min(hi, high[a.target])
    return Intervals(low, high), ok, failing


def _insiders(value, equations, withheld, nonnegative, groups, ok, width_only, need_up,
              need_down, eps, store=None) -> list[tuple[Attack, int]]:  # fmt: skip
    """Failing insider attacks, found with a sparse certificate per target and direction
    (the cheapest deviation): it fools every insider whose known cells it leaves alone, so
    only the few insiders that it touches need a programme of their own."""
    dev = Deviations(value, equations, np.asarray(withheld, bool), nonnegative)
    # certificates that stay clear of every insider's cells where they can fool them all
    insider = np.zeros(len(value), dtype=bool)
    insider[[k for known in groups for k in known]] = True
    dev.set_cost(dev.unit * np.where(insider[dev.cols], 1e3, 1.0))
    # every certificate found so far, per (target, direction): any of them that leaves an
    # insider's cells alone fools that insider too. ``store`` keeps them across audits of
    # growing patterns: a certificate holds as long as every cell it moves is withheld.
    certificates: dict[tuple[int, int], list[frozenset[int]]] = {} if store is None else store
    holds = _holding(withheld)
    failing = []

    def moves(t: int, sign: int, known: tuple[int, ...] = ()) -> frozenset[int] | None:
        if width_only[t]:  # any width: a small move either way
            return _moved(dev.find(t, sign, eps[t], known))
        amount = need_up[t] if sign > 0 else need_down[t]
        return _moved(dev.find(t, sign, amount, known))

    for known, targets in groups.items():
        for t in targets:
            if not ok[t]:
                continue
            for sign in (1,) if width_only[t] else (1, -1):
                if sign < 0 and need_down[t] <= 0:
                    continue
                found = certificates.setdefault((t, sign), [])
                found[:] = [c for c in found if holds(c)]
                if not found:
                    first = moves(t, sign)
                    if first is not None:
                        found.append(first)
                if any(c.isdisjoint(known) for c in found):
                    continue
                cert = moves(t, sign, known)
                if cert is None and width_only[t]:
                    cert = moves(t, -1, known)
                if cert is not None:
                    found.append(cert)
                    continue
                ok[t] = False
                failing.append((Attack(t, known), sign))
    return failing


def _holding(withheld: np.ndarray) -> Callable[[frozenset[int]], bool]:
    """Does a certificate still hold: is every cell it moves withheld? (Certificates of one
    round of ``certify`` are one set shared by many targets: each is checked once.)"""
    free = frozenset(int(i) for i in np.flatnonzero(withheld))
    seen: dict[int, bool] = {}

    def holds(c: frozenset[int]) -> bool:
        k = id(c)
        if k not in seen:
            seen[k] = c <= free
        return seen[k]

    return holds


def _moved(cells: np.ndarray | None) -> frozenset[int] | None:
    return None if cells is None else frozenset(int(i) for i in cells)


def _range(h, j: int) -> tuple[float, float]:
    return _bound(h, j, 1.0), _bound(h, j, -1.0)


def _bound(h, j: int, sign: float) -> float:
    """The smallest value of column ``j`` (sign +1) or the largest (−1), scaled."""
    h.changeColCost(j, sign)
    h.run()
    status = h.getModelStatus()
    if status == OPTIMAL:
        out = sign * h.getInfo().objective_function_value
    elif status in UNBOUNDED:
        out = -sign * np.inf
    else:  # numerically troubled: fall back to a fresh solve
        h.clearSolver()
        h.run()
        if h.getModelStatus() != OPTIMAL:
            raise RuntimeError(f"audit LP: {h.modelStatusToString(h.getModelStatus())}")
        out = sign * h.getInfo().objective_function_value
    h.changeColCost(j, 0.0)
    return out


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
