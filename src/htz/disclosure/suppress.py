"""Primary and secondary suppression of aggregate cells (Ibis: table in, table out).

Primary: a cell is withheld when fewer than ``MIN_ENTERPRISES`` enterprises make it up
(threshold rule) or the largest of them holds more than ``DOMINANCE`` of it (dominance
rule, on absolute values). Secondary: when a table that is published with its total has
exactly one withheld cell, that cell would be the total minus the others; the published
cell with the smallest absolute value is withheld too.
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

MIN_ENTERPRISES = 3
DOMINANCE = 0.85


def withhold(
    cells: ir.Table,
    n_min: int = MIN_ENTERPRISES,
    dominance: float = DOMINANCE,
    group_by: str | None = None,
) -> ir.Table:
    """Add ``confidential`` (bool) and ``reason`` (threshold, dominance, secondary or null).

    ``cells`` needs ``n_enterprises``, ``top_share`` and ``value``; ``group_by`` names a
    column whose values are separate tables (e.g. the indicator), each with its own total.
    """
    reason = ibis.cases(
        (cells.n_enterprises < n_min, "threshold"),
        (cells.top_share > dominance, "dominance"),
        else_=ibis.null("string"),
    )
    t = cells.mutate(reason=reason)
    part = [t[group_by]] if group_by else []
    primary = t.reason.notnull()
    withheld = primary.cast("int64").sum().over(group_by=part)
    order = ibis.cases((primary, 1), else_=0)
    rank = ibis.row_number().over(group_by=part, order_by=[order, t.value.abs(), t.key])
    t = t.mutate(_withheld=withheld, _rank=rank)
    secondary = (t._withheld == 1) & t.reason.isnull() & (t._rank == 0)
    t = t.mutate(reason=ibis.ifelse(secondary, "secondary", t.reason))
    return t.mutate(confidential=t.reason.notnull()).drop("_withheld", "_rank")
