"""Statistical disclosure control: which cells of linked, hierarchical tables may be published.

The engine works on its own (``htz disclosure protect SPEC.yaml``) and under every public
output of htz (the bulletin and everything read from it). docs/disclosure.md explains it.

- ``hierarchy``: a dimension's codes as a tree whose root is the total
- ``cells``: the cells of one or more linked tables, from micro-data or leaf cells, and
  copies of them for several periods (``stack``)
- ``rules``: primary rules (frequency, (n,k) dominance, p %, pq) and protection levels
- ``secondary``: optimal (MIP) and heuristic (LP) secondary suppression
- ``audit``: the interval an attacker can derive for each withheld cell (LP)
- ``protect``: the one protection step, and the audit of a given pattern
- ``spec``: the YAML spec of the ``htz disclosure`` command
"""

from htz.disclosure.cells import Cells, from_leaves, from_microdata, stack
from htz.disclosure.hierarchy import Hierarchy
from htz.disclosure.protect import Protection, audit, protect
from htz.disclosure.rules import Rules

__all__ = [
    "Cells",
    "Hierarchy",
    "Protection",
    "Rules",
    "audit",
    "from_leaves",
    "from_microdata",
    "protect",
    "stack",
]
