"""A dimension's hierarchy: codes as a tree whose root is the total.

Built from ``(parent, child)`` edges, the form a τ-ARGUS ``.hrc`` file or an sdcTable
dimension spells out: every code but the root has exactly one parent, the root has none,
and sub-totals may sit at any depth. A cell of a table names one code per dimension;
a non-leaf code is the sum of its children, which is what makes the table's equations.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from htz.errors import InputError


@dataclass(frozen=True)
class Hierarchy:
    """Codes in depth-first order (the root first) with each code's parent."""

    name: str
    root: str
    parent: dict[str, str]  # child → parent (the root is absent)
    codes: tuple[str, ...] = field(default=())
    children: dict[str, tuple[str, ...]] = field(default_factory=dict)

    @classmethod
    def from_edges(cls, name: str, edges: Iterable[tuple[str, str]]) -> Hierarchy:
        """The hierarchy of ``(parent, child)`` pairs; exactly one code has no parent."""
        parent: dict[str, str] = {}
        order: list[str] = []
        for p, c in edges:
            p, c = str(p).strip(), str(c).strip()
            if not p or not c:
                raise InputError(f"hierarchy {name!r}: an edge has an empty code; fill it in.")
            if p == c:
                raise InputError(f"hierarchy {name!r}: {c!r} is its own parent; remove that row.")
            if c in parent and parent[c] != p:
                raise InputError(
                    f"hierarchy {name!r}: {c!r} has two parents ({parent[c]!r} and {p!r}); "
                    "give each code one parent."
                )
            parent[c] = p
            order.extend((p, c))
        roots = sorted({p for p in parent.values() if p not in parent})
        if not parent:
            raise InputError(f"hierarchy {name!r} is empty; give at least one parent,child row.")
        if len(roots) != 1:
            raise InputError(
                f"hierarchy {name!r} has {len(roots)} roots ({', '.join(roots) or 'none'}); "
                "it needs exactly one total that is nobody's child (a cycle leaves none)."
            )
        return cls.build(name, roots[0], parent, order)

    @classmethod
    def flat(cls, name: str, root: str, leaves: Sequence[str]) -> Hierarchy:
        """A total and its leaves, one level deep."""
        return cls.from_edges(name, [(root, leaf) for leaf in leaves])

    @classmethod
    def build(cls, name: str, root: str, parent: dict[str, str], order: Sequence[str]) -> Hierarchy:
        kids: dict[str, list[str]] = {}
        seen_first: dict[str, int] = {}
        for i, code in enumerate(order):
            seen_first.setdefault(code, i)
        for child in sorted(parent, key=lambda c: seen_first.get(c, 0)):
            kids.setdefault(parent[child], []).append(child)
        codes: list[str] = []
        stack = [root]
        while stack:
            code = stack.pop()
            codes.append(code)
            stack.extend(reversed(kids.get(code, [])))
        if len(codes) != len(parent) + 1:
            missing = sorted(set(parent) - set(codes))
            raise InputError(
                f"hierarchy {name!r}: {', '.join(missing[:5])} cannot be reached from the "
                f"total {root!r} (a cycle); give each code a path up to the total."
            )
        return cls(name, root, dict(parent), tuple(codes), {k: tuple(v) for k, v in kids.items()})

    def __contains__(self, code: object) -> bool:
        return code == self.root or code in self.parent

    def is_leaf(self, code: str) -> bool:
        return code not in self.children

    @property
    def leaves(self) -> tuple[str, ...]:
        return tuple(c for c in self.codes if self.is_leaf(c))

    def ancestors(self, code: str) -> tuple[str, ...]:
        """``code`` and every code above it, up to the root."""
        out = [code]
        while out[-1] in self.parent:
            out.append(self.parent[out[-1]])
        return tuple(out)

    def leaves_under(self) -> dict[str, frozenset[str]]:
        """Each code's bottom-level codes (a leaf: itself)."""
        out: dict[str, frozenset[str]] = {}
        for code in reversed(self.codes):  # children come after their parent
            kids = self.children.get(code)
            out[code] = frozenset().union(*(out[k] for k in kids)) if kids else frozenset({code})
        return out

    def depth(self, code: str) -> int:
        return len(self.ancestors(code)) - 1
