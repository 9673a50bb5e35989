"""Disclosure control of the bulletin: every headline indicator's tables as one linked system.

For each indicator, the cells published side by side — nation, NBS region, province and zone
(one hierarchy), and for the location-quotient indicators the zone × industry section table
whose quotients give away each published cell (docs/disclosure.md, "In the bulletin") — are
protected together by ``htz.disclosure``: primary rules on each cell's contributions, optimal
secondary suppression over every equation, and the audit. Leaf cells (zone × section: sum,
contributors, absolute sum, two largest contributions) come from one Ibis query on any
engine; everything above them is rolled up exactly by the engine.
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace

import ibis
import ibis.expr.types as ir
import numpy as np

from htz.analytics import metrics as m
from htz.catalog import load_catalog
from htz.disclosure import Hierarchy, Rules, from_leaves, protect, stack
from htz.errors import HtzError

# The bulletin's rules: fewer than 3 enterprises (protected by 10 % of the value), one
# enterprise above 85 % of the cell, or the second largest able to estimate the largest
# within 10 %.
RULES = Rules(min_contributors=3, frequency_range=10.0, nk=((1, 85.0),), p=10.0)
METHOD = "auto"
COST = "value"
NATION, TOTAL = "CN", "_T"
ALL_ZONES = "*"  # in Pattern.sections: the national section total, so every zone's quotient


def describe() -> dict:
    """The bulletin's ``disclosure`` object: the rules and the method (docs/bulletin-json.md)."""
    return {
        "min_enterprises": RULES.min_contributors,
        "frequency_range": RULES.frequency_range / 100.0,
        "dominance": RULES.nk[0][1] / 100.0,
        "p": RULES.p / 100.0 if RULES.p is not None else None,
        "method": METHOD,
        "cost": COST,
        "tables": "nation > region > province > zone per indicator, linked with zone × "
        "section for operating_revenue and employees, and for year-to-date flows that "
        "cannot be negative with the year's earlier quarters",
    }


class DisclosureError(HtzError):
    """A table whose audit fails: a withheld cell is derivable too closely (never published)."""


def leaf_cells(values: ir.Table, attrs: ir.Table, year: str = "now") -> ir.Table:
    """(indicator, zone_code, section, value, n, abs_total, top1, top2) of ``ytd_pairs``.

    ``year`` ``now`` reads this year's values of the enterprises with one (``has_now``),
    ``ly`` last year's (``has_ly``); ``attrs`` places the enterprises in that year's zones.
    """
    v = values.filter(values.has_now if year == "now" else values.has_ly)
    x = v.value if year == "now" else v.value_ly
    t = v.select("uscc", "indicator", x=x).join(
        attrs.select("uscc", "zone_code", "section"), "uscc"
    )
    t = t.mutate(a=t.x.abs())
    groups = ["indicator", "zone_code", "section"]
    t = t.mutate(r=ibis.row_number().over(group_by=groups, order_by=[ibis.desc(t.a), t.uscc]))
    return t.group_by(groups).aggregate(
        value=m.total(t.x),
        n=t.uscc.count(),
        abs_total=m.total(t.a),
        top1=t.a.max(where=t.r == 0),
        top2=t.a.max(where=t.r == 1),
    )


def zone_hierarchy(zones: Iterable[Mapping]) -> Hierarchy:
    """Nation → region → province → zone, as the bulletin rolls them up (codes prefixed)."""
    edges = []
    for z in sorted(zones, key=lambda z: z["code"]):
        region = z.get("region") or "unassigned"
        province = z.get("province_code") or "unassigned"
        edges += [(NATION, f"R:{region}"), (f"R:{region}", f"P:{province}"),
                  (f"P:{province}", f"Z:{z['code']}")]  # fmt: skip
    return Hierarchy.from_edges("zone", dict.fromkeys(edges))


def cell_code(level: str, key: str) -> str:
    return NATION if level == "national" else f"{level[0].upper()}:{key}"


def rules_for(indicator: str) -> Rules:
    """The bulletin's rules; values bounded below by 0 where the indicator cannot be negative."""
    if indicator == m.ZONE_GDP:
        return replace(RULES, nonnegative=False)  # operating surplus can be negative
    spec = load_catalog().indicator(indicator)
    return replace(RULES, nonnegative=spec.min is not None and spec.min >= 0)


@dataclass
class Pattern:
    """Withheld cells: (indicator, level, key) and (indicator, zone, section) → reason."""

    levels: dict[tuple[str, str, str], str] = field(default_factory=dict)
    sections: dict[tuple[str, str, str], str] = field(default_factory=dict)
    audit: dict[str, dict] = field(default_factory=dict)

    def withheld(self, indicator: str, level: str, key: str) -> str | None:
        return self.levels.get((indicator, level, str(key)))

    def quotient_withheld(self, indicator: str, zone: str, section: str) -> bool:
        """A zone × section quotient is withheld with its cell, or with its section's
        national total (published quotients would give that total away)."""
        s = self.sections
        return (indicator, zone, section) in s or (indicator, ALL_ZONES, section) in s


LEVEL_OF = {"R": "region", "P": "province", "Z": "zone"}


def linked(indicator: str) -> bool:
    """Is the indicator a year-to-date flow that cannot be negative? Then each period's
    value is at least the one before (a zone's revenue to June is no less than to March),
    which links the bulletins of one year: they are protected as one system."""
    if indicator == m.ZONE_GDP:
        return False
    spec = load_catalog().indicator(indicator)
    return spec.kind == "flow_ytd" and spec.min is not None and spec.min >= 0


def protect_all(
    leaves: Iterable[Mapping],
    zones: Iterable[Mapping],
    lq_indicators: Iterable[str] = (),
    indicators: Iterable[str] | None = None,
    earlier: Sequence[Iterable[Mapping]] = (),
) -> Pattern:
    """The pattern of every indicator in ``leaves`` (rows of ``leaf_cells``), audited.

    ``earlier``: the leaf cells of the year's periods published before this one, oldest
    first (the quarters before a quarter). Their patterns are taken as published (each
    computed the same way from its own and earlier periods) and, for ``linked``
    indicators, this period is protected together with them: the attacker also knows
    that year-to-date values never fall, and no cell of an earlier bulletin may become
    derivable through this one.

    Raises ``DisclosureError`` if any indicator's audit fails (it never should: the
    secondary step protects every attack the audit makes).
    """
    zones = list(zones)
    hier = zone_hierarchy(zones)
    rows_by = _by_indicator(leaves)
    before = [_by_indicator(e) for e in earlier]
    lq = set(lq_indicators)
    out = Pattern()
    for indicator in sorted(indicators if indicators is not None else rows_by):
        rows = _inside(rows_by.get(indicator, []), hier)
        if not rows:
            continue
        chain = [rows]
        if linked(indicator):
            chain = [r for e in before if (r := _inside(e.get(indicator, []), hier))] + chain
        levels, sections, audit, _ = _protected(indicator, indicator in lq, chain, hier, zones)
        out.levels.update(levels)
        out.sections.update(sections)
        out.audit[indicator] = audit
    return out


def _by_indicator(leaves: Iterable[Mapping]) -> dict[str, list[Mapping]]:
    out: dict[str, list[Mapping]] = {}
    for r in leaves:
        out.setdefault(r["indicator"], []).append(r)
    return out


def _inside(rows: list[Mapping], hier: Hierarchy) -> list[Mapping]:
    return [r for r in rows if f"Z:{r['zone_code']}" in hier]


# A year's tables are protected once: this year's pattern of one bulletin is last year's
# of the next (its growth rates), a quarter's is part of every later quarter's system, and
# a year's bulletin is its fourth quarter's.
_MEMO: OrderedDict[str, tuple] = OrderedDict()


def _protected(indicator: str, lq: bool, chain: list[list[Mapping]], hier: Hierarchy,
               zones: list[Mapping]) -> tuple:  # fmt: skip
    """(levels, sections, audit, withheld cell keys) of the last period of ``chain``."""
    key = _key(indicator, lq, chain, zones)
    if key not in _MEMO:
        earlier = [_protected(indicator, lq, chain[: j + 1], hier, zones)[3]
                   for j in range(len(chain) - 1)]  # fmt: skip
        _MEMO[key] = _protect_chain(indicator, lq, chain, hier, earlier)
        while len(_MEMO) > 512:
            _MEMO.popitem(last=False)
    _MEMO.move_to_end(key)
    return _MEMO[key]


def _key(indicator: str, lq: bool, chain: list[list[Mapping]], zones: list[Mapping]) -> str:
    cols = ("zone_code", "section", "value", "n", "abs_total", "top1", "top2")
    cells = [sorted(tuple(r[c] for c in cols) for r in rows) for rows in chain]
    places = sorted((z["code"], z.get("province_code"), z.get("region")) for z in zones)
    payload = repr((indicator, lq, RULES, METHOD, COST, cells, places))
    return hashlib.sha256(payload.encode()).hexdigest()


def unpublished(keys: list[tuple[str, ...]]) -> np.ndarray:
    """Province and region × section cells: the bulletin does not publish them. (The nation
    × section totals count as published: they follow from the quotients.)"""
    return np.array([len(k) > 1 and k[1] != TOTAL and k[0][:2] in ("R:", "P:") for k in keys])


def kept(keys: list[tuple[str, ...]]) -> np.ndarray:
    """The national total, the headline: never withheld to protect another cell. (A
    national section total may be; then every quotient of its section is: ALL_ZONES.)"""
    return np.array([k[0] == NATION and (len(k) == 1 or k[1] == TOTAL) for k in keys])


def _leaf_args(rows: list[Mapping], lq: bool) -> tuple[dict, dict]:
    columns = {"zone": [f"Z:{r['zone_code']}" for r in rows]}
    if lq:
        columns["section"] = [r["section"] or "?" for r in rows]
    stats = dict(
        value=[r["value"] or 0.0 for r in rows],
        n=[r["n"] for r in rows],
        abs_total=[r["abs_total"] or 0.0 for r in rows],
        top=[[r["top1"] or 0.0, r["top2"] or 0.0] for r in rows],
    )
    return columns, stats


def _sections(chain: list[list[Mapping]]) -> Hierarchy:
    codes = sorted({r["section"] or "?" for rows in chain for r in rows})
    return Hierarchy.flat("section", TOTAL, codes)


def _period_cells(rows: list[Mapping], lq: bool, hier: Hierarchy, sections: Hierarchy):
    """One period's cells: the zone hierarchy, and for ``lq`` zone × section with it."""
    columns, stats = _leaf_args(rows, lq)
    if lq:
        return from_leaves(columns, {"zone": hier, "section": sections},
                           tables=[["zone"], ["zone", "section"]], **stats)  # fmt: skip
    return from_leaves(columns, {"zone": hier}, **stats)


def _protect_chain(indicator: str, lq: bool, chain: list[list[Mapping]], hier: Hierarchy,
                   earlier: list[dict]) -> tuple:  # fmt: skip
    """The pattern of the last period of ``chain``, protected with the periods before it.

    One period alone is one linked system (the zone hierarchy, and zone × section). With
    earlier periods, each period's tables are a copy (``stack``), and every cell whose
    value did not fall from one period to the next is known not to have (``orders``:
    a year-to-date flow that cannot be negative only grows; where it fell, an enterprise
    left its zone, say, and nothing is assumed). The earlier periods' patterns are fixed:
    their published cells are known, their secondary cells unknown, and their primary
    cells are protected again.
    """
    sections = _sections(chain) if lq else None
    per = [_period_cells(rows, lq, hier, sections) for rows in chain]
    plain, k, size = per[0].keys, len(chain), len(per[0])
    cells = per[0] if k == 1 else stack(per, "period", [f"T{j + 1}" for j in range(k)])
    period = np.repeat(np.arange(k), size)
    hidden = np.tile(unpublished(plain) if lq else np.zeros(size, bool), k)
    keep = np.tile(kept(plain), k)
    for j, withheld in enumerate(earlier):
        mine = period == j
        was = np.tile([key in withheld for key in plain], k) & mine
        secondary = np.tile([withheld.get(key) == "secondary" for key in plain], k) & mine
        keep |= mine & ~was & ~hidden  # published then: known for good
        hidden |= secondary  # withheld then: unknown (a primary cell is primary here too)
    result = protect(cells, rules_for(indicator), METHOD, COST, hidden=hidden, keep=keep,
                     exact=False, orders=_orders(per), settled=period < k - 1)  # fmt: skip
    if not result.ok:
        summary = result.summary()
        raise DisclosureError(
            f"the disclosure audit of {indicator} failed for {summary['failed']} cells; "
            "nothing was published. Report this as a bug with the snapshot id."
        )
    now = period == k - 1
    status = result.status
    audit = {
        "cells": size,
        "primary": int((now & (status == "primary")).sum()),
        "secondary": int((now & (status == "secondary")).sum()),
        "method": result.method,
        "periods": k,
        "passed": result.ok,
    }
    levels: dict[tuple[str, str, str], str] = {}
    sections_out: dict[tuple[str, str, str], str] = {}
    withheld: dict[tuple[str, ...], str] = {}
    for i in np.flatnonzero(result.withheld & now):
        key, reason = plain[i - (k - 1) * size], result.reason[i] or "secondary"
        withheld[key] = reason
        code = key[0]
        if len(key) > 1 and key[1] != TOTAL:
            zone = ALL_ZONES if code == NATION else code[2:]
            sections_out[(indicator, zone, key[1])] = reason
        elif code == NATION:
            levels[(indicator, "national", NATION)] = reason
        else:
            levels[(indicator, LEVEL_OF[code[0]], code[2:])] = reason
    return levels, sections_out, audit, withheld


def _orders(per: list) -> list[tuple[int, int]]:
    """``(a, b)``: cell a of one period is no larger than the same cell b of the next.

    Only where it is true, and not where the cell's parts already say it (a total whose
    parts in one of its equations all grew grew too)."""
    size = len(per[0])
    sums = per[0].equations()
    out = []
    for j in range(1, len(per)):
        before, now = per[j - 1].value, per[j].value
        grew = before <= now + 1e-9 * np.maximum(np.abs(now), 1.0)
        implied = np.zeros(size, bool)
        for total, parts in sums:
            implied[total] |= bool(grew[parts].all())
        out += [((j - 1) * size + int(i), j * size + int(i)) for i in
                np.flatnonzero(grew & ~implied)]  # fmt: skip
    return out
