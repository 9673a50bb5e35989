"""Secondary suppression: the cheapest set of extra cells that protects every sensitive one.

An *attack* asks for a sensitive cell to move by its protection level (up, or down) in a
table that keeps every equation and every published cell: a deviation ``y`` with
``A·y = 0``, ``y_i = 0`` on published cells, ``a_i + y_i ≥ 0`` where values cannot be
negative, and ``y_t ≥ upper_t`` (or ``≤ −lower_t``). A pattern protects the cell exactly
when such a deviation exists — the audit's linear programme, seen from the other side.

- ``optimal``: a mixed-integer programme (HiGHS) with a binary per cell (withheld or not)
  and one deviation vector per attack, bounded by the binaries (Fischetti and Salazar's
  model in its compact form). Attacks are added lazily: solve, audit, add the attacks the
  pattern fails, solve again; the result protects every attack and costs the least.
- ``heuristic``: one linear programme per attack, in a fixed order, that finds the
  cheapest deviation given the cells already withheld (free to use) and withholds the
  cells it moves (Kelly, Golden and Assad's approach). Each attack then has a deviation
  in the final pattern, so the audit passes by construction; the cost is not minimal.

Costs: ``value`` (|X|: lose as little of the table's magnitude as possible), ``count``
(as few cells as possible), ``contributors`` (n: sdcTable's default) or ``log``
(1 + log(1 + |X|), between value and count). Ties are broken
by cell order, so the same input gives the same pattern.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import highspy
import numpy as np

from htz.disclosure.audit import Attack, Attacker, check
from htz.disclosure.deviation import Deviations, capacity
from htz.disclosure.lp import INF, OPTIMAL, Equations, add_rows, scale_of, solver, width_step

COSTS = ("value", "count", "contributors", "log")


@dataclass(frozen=True)
class Need:
    """An attack with a direction and a required move (in value units)."""

    attack: Attack
    sign: int  # +1 up, -1 down
    amount: float


@dataclass
class Problem:
    value: np.ndarray
    equations: Equations
    sensitive: np.ndarray  # primary cells: withheld whatever it costs
    hidden: np.ndarray  # cells not published at all: free variables, no cost
    candidate: np.ndarray  # cells that may be withheld as secondaries
    upper: np.ndarray  # required protection
    lower: np.ndarray
    width_only: np.ndarray  # frequency-rule cells without a protection range
    nonnegative: bool
    insiders: Callable[[np.ndarray], list[Attack]]  # the insider attacks on a pattern
    cost: np.ndarray
    last_check: tuple | None = None  # (pattern bytes, check's result) of the last audit
    certificates: dict = field(default_factory=dict)  # the audit's, kept between audits
    singleton: np.ndarray | None = None  # cells of one contributor (an insider knows them)
    focus: np.ndarray | None = None  # targets whose attacks the MIP starts with (else all)
    prior: np.ndarray | None = None  # cells some pattern could withhold (a priori unknown)


def costs(value: np.ndarray, kind: str, n: np.ndarray | None = None) -> np.ndarray:
    a = np.abs(value)
    if kind == "value":
        base = a
    elif kind == "count":
        base = np.ones_like(a)
    elif kind == "contributors":
        base = np.asarray(n if n is not None else a, dtype=float)
    elif kind == "log":
        base = 1.0 + np.log1p(a)
    else:
        raise ValueError(f"cost {kind!r}: use one of {COSTS}")
    floor = base[base > 0].min() if (base > 0).any() else 1.0
    # deterministic tie-break: later cells a hair dearer
    return base + floor * 1e-6 * (np.arange(len(a)) + 1) / (len(a) + 1)


def needs(p: Problem, attacks: Sequence[Attack] | None = None) -> list[Need]:
    """Every attack in both directions, with how far the target must be able to move."""
    eps = width_step(p.value)  # a width above 0 for frequency-only cells
    out = []
    for a in [Attack(int(i)) for i in np.flatnonzero(p.sensitive)] + list(attacks or []):
        t = a.target
        up = eps[t] if p.width_only[t] else p.upper[t]
        down = 0.0 if p.width_only[t] else p.lower[t]
        if up > 0:
            out.append(Need(a, +1, float(up)))
        if down > 0:
            out.append(Need(a, -1, float(down)))
    return out


def _failing(p: Problem, withheld: np.ndarray) -> list[Need]:
    """The attacks (with their direction) that the pattern does not protect."""
    insiders = p.insiders(withheld | p.hidden)
    req_low, req_high = p.value - p.lower, p.value + p.upper
    result = check(p.value, p.equations, withheld | p.hidden, p.nonnegative, insiders,
                   req_low, req_high, p.sensitive, p.width_only, p.certificates,
                   ranges=False)  # fmt: skip
    p.last_check = ((withheld & ~p.hidden).tobytes(), result)
    failing = result[2]
    by_attack = {(n.attack, n.sign): n for n in needs(p, [a for a, _ in failing])}
    return [by_attack[(a, sign)] for a, sign in failing if (a, sign) in by_attack]


def heuristic(p: Problem, order: Sequence[Need] | None = None) -> np.ndarray:
    """Withheld cells (primary + secondary) by one cheapest-deviation LP per attack."""
    withheld = p.sensitive.copy()
    dev = Deviations(p.value, p.equations, p.candidate | p.sensitive | p.hidden, p.nonnegative)
    cols = dev.cols
    # a cell used by a deviation moves by about the attack's amount: the LP's cost of moving
    # it by one unit is its cost of suppression over that amount (per attack, below), so a
    # large total is as dear to use as it is to withhold (cost per unit of its own value
    # made the national totals look cheap)
    unit = p.cost[cols]
    # outsider attacks first; insider attacks join as the audit finds them failing
    todo = list(order) if order is not None else _order(p, needs(p))
    # withheld cells are free to move, a singleton's a little dearer: a deviation that can
    # avoid what an insider knows is then also the audit's certificate against insiders
    single = np.zeros(len(cols), bool) if p.singleton is None else p.singleton[cols]
    for _round in range(5):
        for i, need in enumerate(todo):
            if i % 32 == 0 and len(todo) - i > 32:  # drop the attacks already protected
                done = _protected(p, withheld, todo[i:])
                todo[i:] = [n for n in todo[i:] if (n.attack, n.sign) not in done]
                if i >= len(todo):
                    break
                need = todo[i]
            on = withheld[cols] | p.hidden[cols]
            per = unit / max(need.amount / dev.scale, 1e-12)
            dev.set_cost(np.where(on, np.where(single, 1e-3 * per, 0.0), per))
            moved = dev.find(need.attack.target, need.sign, need.amount, need.attack.known)
            if moved is None:  # no pattern of these cells protects it
                cap(p, need)
                continue
            withheld[moved] = True
            if not need.attack.known and not (p.width_only[need.attack.target] and need.sign < 0):
                key = (need.attack.target, need.sign)
                p.certificates.setdefault(key, []).append(frozenset(int(i) for i in moved))
        todo = _order(p, _failing(p, withheld))
        if not todo:
            break
    return withheld


def cap(p: Problem, need: Need) -> None:
    """An attack that no pattern of the candidate cells foils: if no pattern at all foils it
    (every cell but the settled published ones withheld), it is a priori knowledge, and the
    target's required range is capped at it; else (kept cells pin it) the audit fails."""
    if p.prior is None:
        return
    t, known = need.attack.target, need.attack.known
    low, high = Attacker(p.value, p.equations, p.prior, p.nonnegative).range(t, known)
    if need.sign > 0 and high < p.value[t] + p.upper[t]:
        p.upper[t] = max(high - p.value[t], 0.0)
    if need.sign < 0 and low > p.value[t] - p.lower[t]:
        p.lower[t] = max(p.value[t] - low, 0.0)


def _protected(p: Problem, withheld: np.ndarray, items: list[Need]) -> set:
    """(attack, sign) of outsider attacks in ``items`` that the pattern already foils: one
    LP pushes all their targets at once (``Attacker.certify``); not necessarily all."""
    attacker = Attacker(p.value, p.equations, withheld | p.hidden, p.nonnegative)
    out = set()
    for sign in (1, -1):
        mine = [n for n in items if n.sign == sign and not n.attack.known]
        if not mine:
            continue
        goal = p.value.astype(float).copy()
        for n in mine:
            goal[n.attack.target] = p.value[n.attack.target] + sign * n.amount
        # those it cannot show at once are left to the heuristic, which finds them foiled
        reached = attacker.certify([n.attack.target for n in mine], goal, float(sign),
                                   one_by_one=False, store=p.certificates)  # fmt: skip
        out |= {(n.attack, sign) for n in mine if n.attack.target in reached}
    return out


def _order(p: Problem, items: list[Need]) -> list[Need]:
    return sorted(items, key=lambda n: (-n.amount / max(abs(p.value[n.attack.target]), 1e-300),
                                        n.attack.target, n.attack.known, -n.sign))  # fmt: skip


@dataclass
class Solved:
    withheld: np.ndarray
    method: str
    optimal: bool  # proven optimal (the MIP closed its gap)
    rounds: int
    seconds: float


def optimal(p: Problem, time_limit: float = 60.0, max_rounds: int = 50) -> Solved:
    """The cheapest protecting pattern, by a MIP with lazily added attacks."""
    start = time.perf_counter()
    s = scale_of(p.value)
    free = p.candidate | p.sensitive | p.hidden
    cols = np.flatnonzero(free)
    m = len(cols)
    col = {int(c): i for i, c in enumerate(cols)}
    up_cap, down_cap = (c[cols] for c in capacity(p.value, p.nonnegative, s))
    rows = p.equations.restricted(free, p.value / s)
    h = solver(time_limit=time_limit, presolve=True)
    # x: one per free cell; fixed to 1 for sensitive and hidden cells (hidden cost nothing)
    fixed = (p.sensitive | p.hidden)[cols]
    cost = np.where(fixed, 0.0, p.cost[cols])
    h.addVars(m, fixed.astype(float), np.ones(m))
    h.changeColsCost(m, np.arange(m, dtype=np.int32), cost)
    h.changeColsIntegrality(m, np.arange(m, dtype=np.int32),
                            np.array([highspy.HighsVarType.kInteger] * m))  # fmt: skip
    pending = _order(p, [n for n in needs(p) if p.focus is None or p.focus[n.attack.target]])
    added: set[Need] = set()
    proven, rounds, withheld = True, 0, p.sensitive.copy()
    while pending and rounds < max_rounds:
        rounds += 1
        for need in pending:
            if need not in added:
                added.add(need)
                _add_attack(h, need, rows, cols, col, fixed, up_cap, down_cap, s, m)
        remaining = time_limit - (time.perf_counter() - start)
        h.setOptionValue("time_limit", max(remaining, 1.0))
        h.run()
        status = h.getModelStatus()
        if h.getInfo().primal_solution_status != 2:  # no feasible pattern within the time
            return Solved(heuristic(p), "heuristic", False, rounds, time.perf_counter() - start)
        proven = proven and status == OPTIMAL
        x = np.asarray(h.getSolution().col_value)[:m] > 0.5
        withheld = p.sensitive.copy()
        withheld[cols[x]] = True
        withheld &= ~p.hidden
        failing = _failing(p, withheld)
        pending = [n for n in failing if n not in added]
        if not pending and failing:
            # an attack already in the model fails the audit (tolerances): repair greedily
            withheld = _repair(p, withheld)
    return Solved(withheld, "optimal", proven, rounds, time.perf_counter() - start)


def _repair(p: Problem, withheld: np.ndarray) -> np.ndarray:
    more = p.sensitive | withheld
    q = Problem(**{**p.__dict__, "sensitive": more})
    return heuristic(q) | withheld


def _add_attack(h, need, rows, cols, col, fixed, up_cap, down_cap, s, m) -> None:
    """Deviation variables of one attack, their equations, and their links to x.

    A deviation that moves the target by more than its protection can be scaled down to
    exactly that, so the target moves by exactly ``amount``; every other cell by at most
    ``amount`` too (a restriction: a pattern it finds is protected, and in tables where
    protection runs along paths and cycles, as in hierarchies and two-way tables, it
    loses nothing), which keeps the links y ≤ cap·x tight and the MIP small to solve.
    """
    base = h.getNumCol()
    amount = need.amount / s
    up_cap, down_cap = np.minimum(up_cap, amount), np.minimum(down_cap, amount)
    lo, hi = -down_cap.copy(), up_cap.copy()
    t = col[need.attack.target]
    if need.sign > 0:
        lo[t] = hi[t] = amount
    else:
        lo[t] = hi[t] = -amount
    for k in need.attack.known:
        if k in col:
            lo[col[k]] = hi[col[k]] = 0.0
    h.addVars(m, lo, hi)
    add_rows(h, [(i + base, c) for i, c in rows.rows], *rows.deviation_bounds())
    # y_i ≤ up_i · x_i and −y_i ≤ down_i · x_i for the cells whose x is free
    link = np.flatnonzero(~fixed)
    if len(link):
        ups = [(np.array([base + i, i]), np.array([1.0, -up_cap[i]])) for i in link]
        downs = [(np.array([base + i, i]), np.array([-1.0, -down_cap[i]])) for i in link]
        add_rows(h, ups + downs, np.full(2 * len(link), -INF), np.zeros(2 * len(link)))
