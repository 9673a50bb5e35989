"""One protection step: primary rules, secondary suppression over all linked tables, audit.

``protect(cells, rules)`` decides every cell's status — ``publish``, ``primary``,
``secondary``, ``empty`` (no contributor: known to be zero) or ``unpublished`` (a cell the
caller does not publish at all, which an attacker does not see either) — and audits the
result; ``audit(cells, rules, withheld)`` audits a pattern made elsewhere (τ-ARGUS,
sdcTable, a person). Both return a ``Protection`` whose ``ok`` says whether every
sensitive cell's derivable interval covers its required range.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from htz.disclosure.audit import check, covered, insider_attacks, intervals
from htz.disclosure.cells import Cells
from htz.disclosure.lp import Equations
from htz.disclosure.rules import Primary, Rules, primary
from htz.disclosure.secondary import Problem, costs, heuristic, needs, optimal

METHODS = ("optimal", "heuristic", "auto")
STATUSES = ("publish", "primary", "secondary", "empty", "unpublished")
# "auto" solves the MIP when its first model stays below this many deviation variables
AUTO_LIMIT = 400_000


@dataclass
class Protection:
    cells: Cells
    rules: Rules
    method: str  # what was run: optimal, heuristic, or audit (a pattern given)
    status: np.ndarray  # str per cell
    reason: list[str | None]
    required_low: np.ndarray  # NaN where not sensitive
    required_high: np.ndarray
    low: np.ndarray  # derivable interval (a published cell: its value)
    high: np.ndarray
    covered: np.ndarray  # bool per cell (True where not sensitive)
    seconds: float
    proven_optimal: bool = False

    @property
    def ok(self) -> bool:
        return bool(self.covered.all())

    @property
    def withheld(self) -> np.ndarray:
        return np.isin(self.status, ("primary", "secondary"))

    def summary(self) -> dict:
        sec = self.status == "secondary"
        return {
            "cells": len(self.cells),
            "primary": int((self.status == "primary").sum()),
            "secondary": int(sec.sum()),
            "secondary_value": float(np.abs(self.cells.value[sec]).sum()),
            "failed": int((~self.covered).sum()),
            "method": self.method,
            "proven_optimal": self.proven_optimal,
            "seconds": round(self.seconds, 3),
        }

    def rows(self) -> list[dict]:
        """One record per cell: codes, n, value, top1, top2, status, reason, the audit."""
        c = self.cells
        out = []
        for i, key in enumerate(c.keys):
            sens = not np.isnan(self.required_low[i])
            out.append({
                **dict(zip(c.dims, key, strict=True)),
                "n": _num(c.n[i]), "value": _num(c.value[i]),
                "top1": _num(c.top[i, 0]), "top2": _num(c.top[i, 1]),
                "status": str(self.status[i]), "reason": self.reason[i] or "",
                "low": _num(self.low[i]), "high": _num(self.high[i]),
                "required_low": _num(self.required_low[i]) if sens else None,
                "required_high": _num(self.required_high[i]) if sens else None,
            })  # fmt: skip
        return out


def _num(x: float):
    if x is None or np.isnan(x):
        return None
    if np.isinf(x):
        return float(x)
    return int(x) if float(x).is_integer() and abs(x) < 2**53 else float(x)


def _containment(cells: Cells):
    """``contains(s, t)``: does cell ``t`` hold the single contributor of cell ``s``?

    It does when ``t`` covers ``s`` in every dimension, or when the cell where the two
    overlap has a contributor (``s`` has only one); cells that do not overlap never do.
    Copies of the tables (``Cells.repeated``, the periods) have the same contributors.
    """
    leaves: dict[str, dict[str, frozenset[str]]] = {}
    for name, h in cells.hierarchies.items():
        col = leaves.setdefault(cells.column_of[name], {})
        for code, under in h.leaves_under().items():
            col[code] = col.get(code, frozenset()) | under
    index = cells.index()

    def contains(s: int, t: int) -> bool:
        inter, covers = [], True
        for d, a, b in zip(cells.dims, cells.keys[s], cells.keys[t], strict=True):
            if d == cells.repeated:  # the same contributors in every copy
                inter.append(b)
                continue
            la, lb = leaves[d][a], leaves[d][b]
            if not la & lb:
                return False
            covers = covers and la <= lb
            inter.append(a if la <= lb else b if lb <= la else None)
        if covers or None in inter:
            return True
        i = index.get(tuple(inter))
        return i is None or bool(cells.n[i] > 0)

    return contains


def _setup(cells: Cells, rules: Rules, forced, hidden, cost: str, keep=None, orders=(),
           settled=None):  # fmt: skip
    prim: Primary = primary(cells, rules, forced)
    hidden = np.zeros(len(cells), bool) if hidden is None else np.asarray(hidden, bool)
    keep = np.zeros(len(cells), bool) if keep is None else np.asarray(keep, bool)
    sens = prim.sensitive & ~hidden
    empty = cells.n <= 0
    zero = (cells.value == 0) & (cells.abs_total == 0) if not cells.frequency else empty
    candidate = ~empty & ~sens & ~hidden & ~keep & (rules.allow_zeros | ~zero)
    eqs = Equations.from_sums(cells.equations(), orders)
    singleton = (cells.n > 0) & (cells.n < 1.5) & ~cells.frequency
    problem = Problem(
        value=cells.value, equations=eqs, sensitive=sens, hidden=hidden, candidate=candidate,
        upper=prim.upper, lower=prim.lower, width_only=prim.frequency_only & sens,
        nonnegative=rules.nonnegative, insiders=lambda w: [],
        cost=costs(cells.value, cost, cells.n),
    )  # fmt: skip
    problem.singleton = singleton
    # what some pattern could withhold: every cell but the settled published ones
    problem.prior = ~empty
    if settled is not None:
        problem.focus = ~np.asarray(settled, bool)
        problem.prior &= ~(np.asarray(settled, bool) & ~sens & ~hidden)
    return prim, problem, singleton, empty


def _a_priori(p: Problem) -> None:
    """Cap each sensitive cell's required range at what it is with every cell that is not
    settled withheld: what the orders and the settled published cells (a year's earlier
    bulletins) already say, no pattern can take back (τ-ARGUS caps protection at a cell's
    a priori bounds the same way, as the rules cap it at zero for values that cannot be
    negative). Before the MIP, which would have no pattern otherwise; the heuristic caps
    what it cannot foil as it meets it (``secondary.cap``), insider attacks too."""
    found, ok, _ = check(p.value, p.equations, p.prior, p.nonnegative, [], p.value - p.lower,
                         p.value + p.upper, p.sensitive, p.width_only)  # fmt: skip
    for t in np.flatnonzero(p.sensitive & ~ok & ~p.width_only):
        p.upper[t] = min(p.upper[t], max(found.high[t] - p.value[t], 0.0))
        p.lower[t] = min(p.lower[t], max(p.value[t] - found.low[t], 0.0))


def _finish(cells, rules, prim, problem, singleton, empty, withheld, method, start, proven,
            exact=True):  # fmt: skip
    withheld = withheld & ~problem.hidden
    sens = problem.sensitive
    req_low = np.where(sens, cells.value - prim.lower, np.nan)
    req_high = np.where(sens, cells.value + prim.upper, np.nan)
    reused = not exact and problem.last_check and problem.last_check[0] == withheld.tobytes()
    if not reused:
        attacks = insider_attacks(problem.equations, singleton, withheld | problem.hidden,
                                  problem.sensitive, _containment(cells))  # fmt: skip
    if exact:
        found = intervals(cells.value, problem.equations, withheld | problem.hidden,
                          rules.nonnegative, attacks)  # fmt: skip
        ok = covered(cells.value, found, np.nan_to_num(req_low), np.nan_to_num(req_high),
                     sens, problem.width_only)  # fmt: skip
    elif reused:
        found, ok, _ = problem.last_check[1]  # the secondary step audited this very pattern
        found.low[withheld & ~sens], found.high[withheld & ~sens] = np.nan, np.nan
        found.low[sens & ~ok], found.high[sens & ~ok] = np.nan, np.nan  # not computed
    else:  # coverage certified; intervals only where a cell fails (inner bounds elsewhere)
        found, ok, _ = check(cells.value, problem.equations, withheld | problem.hidden,
                          rules.nonnegative, attacks, np.nan_to_num(req_low),
                          np.nan_to_num(req_high), sens, problem.width_only)  # fmt: skip
        unknown = withheld & ~sens
        found.low[unknown], found.high[unknown] = np.nan, np.nan
    status = np.full(len(cells), "publish", dtype=object)
    status[empty] = "empty"
    status[withheld] = "secondary"
    status[sens & withheld] = "primary"
    status[problem.hidden] = "unpublished"
    reason = [prim.reason[i] if sens[i] else ("secondary" if status[i] == "secondary" else None)
              for i in range(len(cells))]  # fmt: skip
    return Protection(cells, rules, method, status, reason, req_low, req_high, found.low,
                      found.high, ok, time.perf_counter() - start, proven)  # fmt: skip


def protect(
    cells: Cells,
    rules: Rules,
    method: str = "auto",
    cost: str = "value",
    forced: np.ndarray | None = None,
    hidden: np.ndarray | None = None,
    time_limit: float = 60.0,
    keep: np.ndarray | None = None,
    exact: bool = True,
    orders: Sequence[tuple[int, int]] = (),
    settled: np.ndarray | None = None,
) -> Protection:
    """Primary and secondary suppression of every cell of the linked tables, audited.

    ``hidden`` cells are not published at all (an attacker does not see them either);
    ``keep`` cells are never chosen as secondaries (a headline total, or a cell that other
    published figures give away), though a sensitive one is still withheld. ``exact``
    computes every withheld cell's interval (two LPs each); without it the audit only
    certifies coverage (a few LPs per attack) and reports inner bounds.
    """
    if method not in METHODS:
        raise ValueError(f"method {method!r}: use one of {METHODS}")
    start = time.perf_counter()
    prim, problem, singleton, empty = _setup(cells, rules, forced, hidden, cost, keep, orders,
                                             settled)  # fmt: skip
    contains = _containment(cells)
    problem.insiders = lambda withheld: insider_attacks(
        problem.equations, singleton, withheld, problem.sensitive, contains
    )
    proven = False
    if not problem.sensitive.any():
        withheld, used = problem.sensitive.copy(), method
    else:
        free = int((problem.candidate | problem.sensitive | problem.hidden).sum())
        size = len(needs(problem)) * free
        if method == "optimal" or (method == "auto" and size <= AUTO_LIMIT):
            if len(orders):  # the MIP has no pattern when an attack cannot be foiled
                _a_priori(problem)
            solved = optimal(problem, time_limit=time_limit)
            withheld, used, proven = solved.withheld, solved.method, solved.optimal
        else:
            withheld, used = heuristic(problem), "heuristic"
    return _finish(cells, rules, prim, problem, singleton, empty, withheld, used, start, proven,
                   exact)  # fmt: skip


def audit(
    cells: Cells,
    rules: Rules,
    withheld: np.ndarray,
    forced: np.ndarray | None = None,
    hidden: np.ndarray | None = None,
    exact: bool = True,
    orders: Sequence[tuple[int, int]] = (),
    keep: np.ndarray | None = None,
) -> Protection:
    """The audit of a given pattern (``withheld``: cells not published); without ``exact``
    the verdict only, by certificates, as ``protect(exact=False)`` (quick on large tables).
    ``orders`` and ``keep`` as for ``protect``: with orders, the required ranges are capped
    at what no pattern could change (the cells in ``keep`` stay published)."""
    start = time.perf_counter()
    prim, problem, singleton, empty = _setup(cells, rules, forced, hidden, "value", keep, orders)
    if len(orders) and problem.sensitive.any():
        _a_priori(problem)
    withheld = np.asarray(withheld, bool) & ~empty
    return _finish(cells, rules, prim, problem, singleton, empty, withheld, "audit", start, False,
                   exact)  # fmt: skip
