"""An attacker of a published bulletin, written apart from ``htz.disclosure``.

It reads only the bulletin's JSON, the public registry (which zone lies in which province
and region), and — for what it must protect — the true enterprise values. For each
indicator it sets up every published level (nation, regions, provinces, zones) and the zone ×
section table behind the location quotients, takes every published number as known (a
published quotient as giving its cell's true value, which is more than a reader gets), and
asks a linear programme for the smallest and largest value of each withheld cell — also
for the single enterprise of a withheld cell, which knows its own value. Each interval
must cover the cell's required range under the bulletin's rules, computed here from the
enterprises' values by the textbook formulas.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import highspy
import numpy as np

SIGNED = {"zone_gdp", "net_profit"}
P, NK, MIN_N, FREQ_RANGE = 0.10, 0.85, 3, 0.10


def required(contributions: list[float]) -> float:
    """The protection a cell needs (0: not sensitive), from its enterprises' values."""
    x = sorted((abs(c) for c in contributions), reverse=True)
    n, total = len(x), sum(abs(c) for c in contributions)
    if n == 0 or total == 0:
        return 0.0
    x1, x2 = x[0], x[1] if n > 1 else 0.0
    need = []
    if n < MIN_N:
        need.append(FREQ_RANGE * abs(sum(contributions)))
    if x1 > NK * total:
        need.append(x1 / NK - total)
    if total - x1 - x2 < P * x1:
        need.append(P * x1 - (total - x1 - x2))
    return max(need, default=0.0) if need else 0.0


@dataclass
class Finding:
    indicator: str
    cell: str
    value: float
    low: float
    high: float
    need: float
    insider: str | None = None

    def __str__(self) -> str:
        who = f" (insider {self.insider})" if self.insider else ""
        return (f"{self.indicator} {self.cell} = {self.value:.6g}: derivable in "
                f"[{self.low:.6g}, {self.high:.6g}], needs ±{self.need:.6g}{who}")  # fmt: skip


def attack(
    data: dict,
    zones: dict[str, tuple[str, str]],
    enterprises: list[dict],
    insiders: str = "all",
    bounds: dict[str, dict[str, tuple[float, float]]] | None = None,
) -> list[Finding]:
    """Every withheld cell of ``data`` that an attacker narrows below its protection.

    ``zones``: zone code → (province code, region) for the zones of the period;
    ``enterprises``: (uscc, indicator, value, zone_code, section) of every enterprise
    counted in the bulletin's cells this year. ``insiders``: ``all`` (every withheld
    singleton against every sensitive cell), ``levels`` (only singletons and targets among
    the nation, region, province and zone cells: quicker), or ``none``. ``bounds``:
    indicator → cell → (low, high) the attacker knows from elsewhere (other periods).
    """
    findings: list[Finding] = []
    by_ind: dict[str, list[dict]] = defaultdict(list)
    for e in enterprises:
        by_ind[e["indicator"]].append(e)
    for indicator in data["headline"]:
        known_bounds = (bounds or {}).get(indicator, {})
        findings += _attack_one(data, indicator, zones, by_ind[indicator], insiders, known_bounds)
    return findings


def _system(data, indicator, zones, ents, prefix: str = "") -> dict:
    """One bulletin's cells of ``indicator``: equations, published values (None: withheld),
    true values, members and required protection, every cell name led by ``prefix``."""
    # the cells: "CN", "R:east", "P:44", "Z:shenzhen", and "S:zone:section"
    members: dict[str, list[dict]] = defaultdict(list)
    for e in ents:
        province, region = zones[e["zone_code"]]
        for cell in ("CN", f"R:{region}", f"P:{province}", f"Z:{e['zone_code']}",
                     f"S:{e['zone_code']}:{e['section']}", f"N:{e['section']}"):  # fmt: skip
            members[cell].append(e)
    truth = {c: sum(e["value"] for e in es) for c, es in members.items()}
    shown: dict[str, float | None] = {}
    national = data["headline"].get(indicator)
    shown["CN"] = national["value"] if national else None
    for key, pre in (("by_region", "R"), ("by_province", "P"), ("by_zone", "Z")):
        for row in data[key]:
            if indicator in row:
                shown[f"{pre}:{row['code']}"] = row[indicator]["value"]
    lq = {(r["zone"], r["section"]): r for r in data.get("specialisation", {}).get(indicator, [])}
    if lq:
        for (zone, section), r in lq.items():
            cell = f"S:{zone}:{section}"
            shown[cell] = None if r["confidential"] else truth.get(cell, 0.0)
        for c in truth:
            if c.startswith("N:"):
                shown[c] = truth[c]  # national section totals follow from the quotients
    # equations: total − Σ parts = 0
    children: dict[str, list[str]] = defaultdict(list)
    for zone, (province, region) in zones.items():
        children["CN"].append(f"R:{region}")
        children[f"R:{region}"].append(f"P:{province}")
        children[f"P:{province}"].append(f"Z:{zone}")
    if lq:
        for c in truth:
            if c.startswith("S:"):
                _, zone, section = c.split(":")
                children[f"Z:{zone}"].append(c)
                children[f"N:{section}"].append(c)
    eqs = [(t, sorted(set(kids))) for t, kids in children.items()]
    cells = sorted({c for t, kids in eqs for c in [t, *kids]})
    # a cell absent from the bulletin has no enterprise: a known zero
    known = {c: shown.get(c, 0.0) for c in cells}
    withheld = [c for c in cells if known[c] is None]
    need = {c: required([e["value"] for e in members[c]]) for c in withheld}
    p = prefix
    return {
        "eqs": [(p + t, [p + k for k in kids]) for t, kids in eqs],
        "known": {p + c: v for c, v in known.items()},
        "withheld": [p + c for c in withheld],
        "truth": {p + c: truth.get(c, 0.0) for c in cells},
        "members": {p + c: members[c] for c in cells},
        "need": {p + c: v for c, v in need.items()},
    }


def _attack_one(data, indicator, zones, ents, insiders, bounds=None) -> list[Finding]:
    s = _system(data, indicator, zones, ents)
    withheld, need, truth, members = s["withheld"], s["need"], s["truth"], s["members"]
    if not withheld:
        return []
    out = []
    nonneg = indicator not in SIGNED
    lp = _LP(s["eqs"], s["known"], withheld, nonneg, bounds or {})
    for c in withheld:
        if need[c] <= 0:
            continue
        low, high = lp.range(c)
        if not _covers(truth[c], need[c], low, high, nonneg):
            out.append(Finding(indicator, c, truth[c], low, high, need[c]))
    if insiders == "none":
        return out
    # insiders: the one enterprise of a withheld singleton knows that cell
    level = ("CN", "R:", "P:", "Z:")
    singles = [c for c in withheld if len(members[c]) == 1
               and (insiders == "all" or c.startswith(level))]  # fmt: skip
    for s_ in singles:
        who = members[s_][0]["uscc"]
        for c in withheld:
            if c == s_ or need[c] <= 0 or any(e["uscc"] == who for e in members[c]):
                continue
            if insiders != "all" and not c.startswith(level):
                continue
            low, high = lp.range(c, {s_: truth[s_]})
            if not _covers(truth[c], need[c], low, high, nonneg):
                out.append(Finding(indicator, c, truth[c], low, high, need[c], s_))
    return out


def attack_year(
    bulletins: list[dict],
    zones: dict[str, tuple[str, str]],
    enterprises: list[list[dict]],
    indicators: list[str],
) -> list[Finding]:
    """The outsider who reads every bulletin of one year (``bulletins``, oldest first; each
    period's ``enterprises`` as for ``attack``) and knows that year-to-date values of
    ``indicators`` never fall: one LP over all of them, with ``x(period) ≤ x(next period)``
    for every cell where that holds, and every withheld cell of every period attacked.

    What the earlier bulletins had already published cannot be asked back: a cell of
    period j needs its range only within its *a priori* interval, the one it has when
    the bulletins before j are published and everything of j and later is withheld (a
    zone's revenue to June, published, is a floor under its revenue to September)."""
    findings: list[Finding] = []
    for indicator in indicators:
        systems = []
        for j, (data, ents) in enumerate(zip(bulletins, enterprises, strict=True)):
            mine = [e for e in ents if e["indicator"] == indicator]
            systems.append(_system(data, indicator, zones, mine, f"{j}|"))
        eqs = [e for s in systems for e in s["eqs"]]
        known = {c: v for s in systems for c, v in s["known"].items()}
        truth = {c: v for s in systems for c, v in s["truth"].items()}
        need = {c: v for s in systems for c, v in s["need"].items()}
        withheld = [c for s in systems for c in s["withheld"]]
        if not withheld:
            continue
        grows = []  # (earlier cell, later cell): the later is no smaller
        for j in range(1, len(systems)):
            for c in systems[j]["truth"]:
                before = f"{j - 1}|{c.split('|', 1)[1]}"
                if before in truth and truth[before] <= truth[c]:
                    grows.append((before, c))
        lp = _LP(eqs, known, withheld, True, grows=grows)
        prior: dict[int, _LP] = {}
        for c in withheld:
            if need[c] <= 0:
                continue
            low, high = lp.range(c)
            if _covers(truth[c], need[c], low, high, True):
                continue
            j = int(c.split("|", 1)[0])
            if j not in prior:
                before = {x: (v if int(x.split("|", 1)[0]) < j else None)
                          for x, v in known.items()}  # fmt: skip
                free = [x for x, v in before.items() if v is None]
                prior[j] = _LP(eqs, before, free, True, grows=grows)
            a_low, a_high = prior[j].range(c)
            tol = 1e-6 * max(abs(truth[c]), 1.0)
            want_low = max(truth[c] - need[c], a_low, 0.0)
            want_high = min(truth[c] + need[c], a_high)
            if low > want_low + tol or high < want_high - tol:
                findings.append(Finding(indicator, c, truth[c], low, high, need[c]))
    return findings


def _covers(value, need, low, high, nonneg) -> bool:
    tol = 1e-6 * max(abs(value), 1.0)
    want_low = max(value - need, 0.0) if nonneg else value - need
    return low <= want_low + tol and high >= value + need - tol


class _LP:
    """min and max of one withheld cell given the published ones (and some known ones)."""

    def __init__(self, eqs, known, free, nonneg, bounds=None, grows=()) -> None:
        self.col = {c: i for i, c in enumerate(free)}
        self.scale = max(abs(v) for v in known.values() if v is not None) or 1.0
        self.h = h = highspy.Highs()
        h.silent()
        inf = highspy.kHighsInf
        n = len(free)
        self.lb = 0.0 if nonneg else -inf
        lo, hi = np.full(n, self.lb), np.full(n, inf)
        for c, (low, high) in (bounds or {}).items():
            if c in self.col:
                lo[self.col[c]] = max(low, self.lb) / self.scale
                hi[self.col[c]] = high / self.scale
        pairs = []  # x_a ≤ x_b: a row, or a bound where one of the two is published
        for a, b in grows:
            ia, ib = self.col.get(a), self.col.get(b)
            if ia is not None and ib is not None:
                pairs.append((ia, ib))
            elif ia is not None:
                hi[ia] = min(hi[ia], known[b] / self.scale)
            elif ib is not None:
                lo[ib] = max(lo[ib], known[a] / self.scale)
        h.addVars(n, lo, hi)
        self.lo, self.hi = lo, hi
        for total, parts in eqs:
            terms = [(total, 1.0)] + [(p, -1.0) for p in parts]
            idx = [self.col[c] for c, _ in terms if c in self.col]
            if not idx:
                continue
            coef = [k for c, k in terms if c in self.col]
            rhs = -sum(k * known[c] for c, k in terms if c not in self.col) / self.scale
            slack = 1e-12 * (1 + sum(abs(known[c] or 0) for c, _ in terms if c not in self.col))
            h.addRow(rhs - slack / self.scale, rhs + slack / self.scale, len(idx),
                     np.array(idx, np.int32), np.array(coef))  # fmt: skip
        for ia, ib in pairs:
            h.addRow(-inf, 0.0, 2, np.array([ia, ib], np.int32), np.array([1.0, -1.0]))

    def range(self, target, fixed: dict | None = None) -> tuple[float, float]:
        h = self.h
        for c, v in (fixed or {}).items():
            h.changeColBounds(self.col[c], v / self.scale, v / self.scale)
        out = []
        for sign in (1.0, -1.0):
            h.changeColCost(self.col[target], sign)
            h.run()
            if h.getModelStatus() == highspy.HighsModelStatus.kOptimal:
                out.append(sign * h.getInfo().objective_function_value * self.scale)
            else:
                out.append(-sign * np.inf)
            h.changeColCost(self.col[target], 0.0)
        for c in fixed or {}:
            h.changeColBounds(self.col[c], self.lo[self.col[c]], self.hi[self.col[c]])
        return out[0], out[1]
