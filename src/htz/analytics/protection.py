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
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace

import ibis
import ibis.expr.types as ir
import numpy as np

from htz.analytics import metrics as m
from htz.catalog import load_catalog
from htz.disclosure import Hierarchy, Rules, from_leaves, protect
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
        "section for operating_revenue and employees",
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


def protect_all(
    leaves: Iterable[Mapping],
    zones: Iterable[Mapping],
    lq_indicators: Iterable[str] = (),
    indicators: Iterable[str] | None = None,
) -> Pattern:
    """The pattern of every indicator in ``leaves`` (rows of ``leaf_cells``), audited.

    Raises ``DisclosureError`` if any indicator's audit fails (it never should: the
    secondary step protects every attack the audit makes).
    """
    zones = list(zones)
    hier = zone_hierarchy(zones)
    rows_by: dict[str, list[Mapping]] = {}
    for r in leaves:
        rows_by.setdefault(r["indicator"], []).append(r)
    lq = set(lq_indicators)
    out = Pattern()
    for indicator in sorted(indicators if indicators is not None else rows_by):
        rows = [r for r in rows_by.get(indicator, []) if f"Z:{r['zone_code']}" in hier]
        if not rows:
            continue
        key = _key(indicator, indicator in lq, rows, zones)
        if key not in _MEMO:
            _MEMO[key] = _protect_one(indicator, indicator in lq, rows, hier)
            while len(_MEMO) > 256:
                _MEMO.popitem(last=False)
        _MEMO.move_to_end(key)
        levels, sections, audit = _MEMO[key]
        out.levels.update(levels)
        out.sections.update(sections)
        out.audit[indicator] = audit
    return out


# A year's tables are protected once: this year's pattern of one bulletin is last year's
# of the next (its growth rates), and a year's bulletin is its fourth quarter's.
_MEMO: OrderedDict[str, tuple] = OrderedDict()


def _key(indicator: str, lq: bool, rows: list[Mapping], zones: list[Mapping]) -> str:
    cols = ("zone_code", "section", "value", "n", "abs_total", "top1", "top2")
    cells = sorted(tuple(r[c] for c in cols) for r in rows)
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


def _protect_one(indicator: str, lq: bool, rows: list[Mapping], hier: Hierarchy) -> tuple:
    """One indicator's linked tables: (levels, sections, audit summary) of its pattern."""
    levels: dict[tuple[str, str, str], str] = {}
    sections_out: dict[tuple[str, str, str], str] = {}
    zone = [f"Z:{r['zone_code']}" for r in rows]
    section = [r["section"] or "?" for r in rows]
    args = dict(
        value=[r["value"] or 0.0 for r in rows],
        n=[r["n"] for r in rows],
        abs_total=[r["abs_total"] or 0.0 for r in rows],
        top=[[r["top1"] or 0.0, r["top2"] or 0.0] for r in rows],
    )
    if lq:
        sections = Hierarchy.flat("section", TOTAL, sorted(set(section)))
        cells = from_leaves({"zone": zone, "section": section},
                            {"zone": hier, "section": sections},
                            tables=[["zone"], ["zone", "section"]], **args)  # fmt: skip
        hidden = unpublished(cells.keys)
    else:
        cells = from_leaves({"zone": zone}, {"zone": hier}, **args)
        hidden = None
    keep = kept(cells.keys)
    result = protect(cells, rules_for(indicator), METHOD, COST, hidden=hidden, keep=keep,
                     exact=False)  # fmt: skip
    summary = result.summary()
    shown = ("cells", "primary", "secondary", "method")
    audit = {k: summary[k] for k in shown} | {"passed": result.ok}
    if not result.ok:
        raise DisclosureError(
            f"the disclosure audit of {indicator} failed for {summary['failed']} cells; "
            "nothing was published. Report this as a bug with the snapshot id."
        )
    for i in np.flatnonzero(result.withheld):
        key, reason = cells.keys[i], result.reason[i] or "secondary"
        code = key[0]
        if len(key) > 1 and key[1] != TOTAL:
            zone = ALL_ZONES if code == NATION else code[2:]
            sections_out[(indicator, zone, key[1])] = reason
        elif code == NATION:
            levels[(indicator, "national", NATION)] = reason
        else:
            levels[(indicator, LEVEL_OF[code[0]], code[2:])] = reason
    return levels, sections_out, audit
