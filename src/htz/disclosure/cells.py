"""The cells of one or more linked tables, computed from micro-data or from leaf cells.

A *table* names some dimensions; its cells are every combination of their codes, totals
and sub-totals included. A cell is identified by one code per dimension of the whole
problem, the root (the total) standing for a dimension the table does not have, so two
tables that share a cell share it as one variable: that is what makes them *linked*.

For each cell: ``value`` (X, the signed total), ``n`` (contributors), ``abs_total`` (the
sum of absolute contributions) and ``top`` (the K largest absolute contributions, largest
first, zero-padded) — what every primary rule needs. Rows of one contributor (an
enterprise, or a holding group) are added together before they count, so they count once.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from htz.disclosure.hierarchy import Hierarchy
from htz.errors import InputError


@dataclass
class Cells:
    dims: tuple[str, ...]  # the dimension columns, in order; a cell key has one code each
    hierarchies: dict[str, Hierarchy]  # by name
    column_of: dict[str, str]  # hierarchy name → its dimension column
    tables: tuple[tuple[str, ...], ...]  # each a tuple of hierarchy names
    keys: list[tuple[str, ...]]  # one code per dimension of ``dims``
    value: np.ndarray  # float64
    n: np.ndarray  # float64: contributors (weighted units)
    abs_total: np.ndarray  # float64
    top: np.ndarray  # (cells, K) float64, largest first
    table_cells: tuple[np.ndarray, ...]  # each table's cell indices
    frequency: bool = False  # no magnitude: the value is the count
    repeated: str | None = None  # a dimension of copies of the tables (``stack``)
    sums: list[tuple[int, list[int]]] | None = None  # the equations, where given (``stack``)

    def __len__(self) -> int:
        return len(self.keys)

    def index(self) -> dict[tuple[str, ...], int]:
        return {k: i for i, k in enumerate(self.keys)}

    def equations(self) -> list[tuple[int, list[int]]]:
        """(total cell, its parts): every non-leaf code of every table's hierarchies."""
        if self.sums is not None:
            return self.sums
        index = self.index()
        seen: set[tuple[int, tuple[int, ...]]] = set()
        out: list[tuple[int, list[int]]] = []
        for table in self.tables:
            by_col = {self.column_of[h]: self.hierarchies[h] for h in table}
            for col, h in by_col.items():
                pos = self.dims.index(col)
                others = [by_col[d].codes if d in by_col else (self._root(d),) for d in self.dims]
                others[pos] = ("",)
                for combo in itertools.product(*others):
                    for p, kids in h.children.items():
                        key = list(combo)
                        key[pos] = p
                        total = index[tuple(key)]
                        parts = []
                        for c in kids:
                            key[pos] = c
                            parts.append(index[tuple(key)])
                        sig = (total, tuple(sorted(parts)))
                        if sig not in seen:
                            seen.add(sig)
                            out.append((total, parts))
        return out

    def _root(self, column: str) -> str:
        return next(h.root for n, h in self.hierarchies.items() if self.column_of[n] == column)


@dataclass(frozen=True)
class _Space:
    """Integer keys of cells: a mixed radix over each column's codes (all its hierarchies)."""

    dims: tuple[str, ...]
    codes: dict[str, tuple[str, ...]]
    strides: np.ndarray

    @classmethod
    def of(cls, hier: Mapping[str, Hierarchy], column_of: Mapping[str, str]) -> _Space:
        dims = tuple(dict.fromkeys(column_of[n] for n in hier))
        codes: dict[str, tuple[str, ...]] = {}
        for d in dims:
            mine = [h for n, h in hier.items() if column_of[n] == d]
            roots = {h.root for h in mine}
            leaves = {h.leaves for h in mine}
            if len(roots) > 1 or len({frozenset(x) for x in leaves}) > 1:
                raise InputError(
                    f"dimension {d!r}: its hierarchies must share one total and the same "
                    "bottom-level codes (they group the same codes differently)."
                )
            codes[d] = tuple(dict.fromkeys(c for h in mine for c in h.codes))
        sizes = [len(codes[d]) for d in dims]
        strides = np.ones(len(dims), dtype=np.int64)
        for i in range(len(dims) - 2, -1, -1):
            strides[i] = strides[i + 1] * sizes[i + 1]
        return cls(dims, codes, strides)

    def decode(self, key: int) -> tuple[str, ...]:
        out, rest = [], int(key)
        for d, s in zip(self.dims, self.strides, strict=True):
            i, rest = divmod(rest, int(s))
            out.append(self.codes[d][i])
        return tuple(out)


def _check_tables(hier, column_of, tables) -> tuple:
    names = tuple(hier)
    if not tables:
        tables = [tuple(dict((column_of[n], n) for n in names).values())]
    tables = [tuple(t) for t in tables]
    for t in tables:
        unknown = [d for d in t if d not in hier]
        cols = [column_of[d] for d in t if d in hier]
        if unknown or len(set(cols)) != len(cols) or not t:
            raise InputError(
                f"table {list(t)}: each table names dimensions among {list(names)}, "
                "one hierarchy per dimension column."
            )
    return tuple(tables)


def _all_keys(space: _Space, hier, column_of, tables) -> tuple[np.ndarray, list[np.ndarray]]:
    """Every cell of every table as an integer key."""
    per_table = []
    for t in tables:
        by_col = {column_of[n]: hier[n] for n in t}
        ranges = []
        for d in space.dims:
            pos = {c: i for i, c in enumerate(space.codes[d])}
            if d in by_col:
                ranges.append(np.array([pos[c] for c in by_col[d].codes], dtype=np.int64))
            else:
                ranges.append(np.array([pos[space.codes[d][0]]], dtype=np.int64))
        grids = np.meshgrid(*ranges, indexing="ij")
        per_table.append(sum(g.ravel() * s for g, s in zip(grids, space.strides, strict=True)))
    return np.unique(np.concatenate(per_table)), per_table


def _expand(leaf_pos: dict[str, np.ndarray], space: _Space, hier, column_of, table):
    """(row index, cell key) for each row and each cell of ``table`` that contains it."""
    n_rows = len(next(iter(leaf_pos.values())))
    rows = np.arange(n_rows, dtype=np.int64)
    keys = np.zeros(n_rows, dtype=np.int64)
    by_col = {column_of[n]: hier[n] for n in table}
    for d, stride in zip(space.dims, space.strides, strict=True):
        codes = space.codes[d]
        pos = {c: i for i, c in enumerate(codes)}
        if d not in by_col:
            keys = keys + pos[codes[0]] * stride
            continue
        h = by_col[d]
        anc = [np.array([pos[a] for a in h.ancestors(c)] if c in h else [], dtype=np.int64)
               for c in codes]  # fmt: skip
        lengths = np.array([len(a) for a in anc], dtype=np.int64)
        starts = np.concatenate([[0], np.cumsum(lengths)[:-1]])
        flat = np.concatenate(anc)
        code = leaf_pos[d][rows]
        reps = lengths[code]
        offsets = np.arange(reps.sum()) - np.repeat(np.cumsum(reps) - reps, reps)
        ancestor = flat[np.repeat(starts[code], reps) + offsets]
        rows = np.repeat(rows, reps)
        keys = np.repeat(keys, reps) + ancestor * stride
    return rows, keys


def _top_k(cell: np.ndarray, mags: np.ndarray, n_cells: int, k: int) -> np.ndarray:
    top = np.zeros((n_cells, k), dtype=np.float64)
    if len(cell) == 0:
        return top
    order = np.lexsort((-mags, cell))
    c, m = cell[order], mags[order]
    first = np.searchsorted(c, c, side="left")
    rank = np.arange(len(c)) - first
    keep = rank < k
    top[c[keep], rank[keep]] = m[keep]
    return top


def _leaf_positions(columns: Mapping[str, Sequence], space: _Space, hier, column_of, what: str):
    out = {}
    for d in space.dims:
        if d not in columns:
            raise InputError(
                f"{what}: no column {d!r}; give a column for each of {list(space.dims)}."
            )
        h = next(hier[n] for n in hier if column_of[n] == d)
        pos = {c: i for i, c in enumerate(space.codes[d])}
        values = columns[d]
        idx = np.empty(len(values), dtype=np.int64)
        for i, v in enumerate(values):
            code = "" if v is None else str(v).strip()
            p = pos.get(code)
            if p is None or not h.is_leaf(code):
                where = "not in" if p is None else "a total in"
                raise InputError(
                    f"{what} row {i + 2}, column {d!r}: {code!r} is {where} the hierarchy of "
                    f"{d!r}; each row needs a bottom-level code (add it to the hierarchy file)."
                )
            idx[i] = p
        out[d] = idx
    return out


def _prepare(columns, hierarchies, tables, column_of, what):
    column_of = {n: (column_of or {}).get(n, n) for n in hierarchies}
    space = _Space.of(hierarchies, column_of)
    tables = _check_tables(hierarchies, column_of, tables)
    pos = _leaf_positions(columns, space, hierarchies, column_of, what)
    cell_keys, per_table = _all_keys(space, hierarchies, column_of, tables)
    rows, keys = zip(*(_expand(pos, space, hierarchies, column_of, t) for t in tables),
                     strict=True)  # fmt: skip
    # a cell shared by linked tables counts each row once
    pair = np.unique(np.stack([np.concatenate(keys), np.concatenate(rows)], axis=1), axis=0)
    cell = np.searchsorted(cell_keys, pair[:, 0])
    return column_of, space, tables, cell_keys, per_table, cell, pair[:, 1]


def _finish(space, hier, column_of, tables, cell_keys, per_table, value, n, abs_total, top, freq):
    table_cells = tuple(np.searchsorted(cell_keys, np.unique(t)) for t in per_table)
    keys = [space.decode(k) for k in cell_keys]
    return Cells(space.dims, dict(hier), dict(column_of), tables, keys, value, n, abs_total,
                 top, table_cells, freq)  # fmt: skip


def from_microdata(
    columns: Mapping[str, Sequence],
    hierarchies: Mapping[str, Hierarchy],
    tables: Sequence[Sequence[str]] | None = None,
    value: Sequence[float] | None = None,
    contributor: Sequence | None = None,
    weight: Sequence[float] | None = None,
    top_k: int = 2,
    column_of: Mapping[str, str] | None = None,
    what: str = "data",
) -> Cells:
    """Cells of ``tables`` from one row per contributor (or per unit with a ``weight``).

    ``columns`` maps each dimension column to the rows' bottom-level codes;
    ``hierarchies`` are named, each on the column ``column_of`` gives (default: its own
    name), so that one column may be grouped two ways in two linked tables; ``tables``
    list hierarchy names (default: one table of every column). Without ``value`` the
    tables count units (a frequency table). Rows with one ``contributor`` id are one
    contributor whose contribution to a cell is the sum of its rows there. A row with
    ``weight`` w stands for w units of its value each (w × value in total).
    """
    column_of, space, tables, cell_keys, per_table, cell, rows = _prepare(
        columns, hierarchies, tables, column_of, what
    )
    n_rows = len(columns[space.dims[0]])
    v = np.ones(n_rows) if value is None else np.asarray(value, dtype=np.float64)
    w = np.ones(n_rows) if weight is None else np.asarray(weight, dtype=np.float64)
    for name, arr in (("value", v), ("weight", w)):
        bad = np.flatnonzero(~np.isfinite(arr))
        if len(bad):
            raise InputError(f"{what} row {bad[0] + 2}: the {name} is not a number; fill it in.")
    if (w < 0).any():
        raise InputError(f"{what} row {np.flatnonzero(w < 0)[0] + 2}: a weight is negative.")
    n_cells = len(cell_keys)
    amount = v[rows] * w[rows]
    if contributor is None:
        # each row is w units of value v each
        units = np.minimum(np.ceil(w[rows]), top_k).astype(np.int64)
        rep_cell, rep_mag = np.repeat(cell, units), np.repeat(np.abs(v[rows]), units)
        n = np.bincount(cell, weights=w[rows], minlength=n_cells)
        abs_total = np.bincount(cell, weights=np.abs(amount), minlength=n_cells)
        top = _top_k(rep_cell, rep_mag, n_cells, top_k)
    else:
        ids = np.unique(np.asarray([str(c) for c in contributor]), return_inverse=True)[1]
        group, g_idx = np.unique(np.stack([cell, ids[rows]], axis=1), axis=0, return_inverse=True)
        g_amount = np.bincount(g_idx.ravel(), weights=amount, minlength=len(group))
        g_cell = group[:, 0]
        n = np.bincount(g_cell, minlength=n_cells).astype(np.float64)
        abs_total = np.bincount(g_cell, weights=np.abs(g_amount), minlength=n_cells)
        top = _top_k(g_cell, np.abs(g_amount), n_cells, top_k)
    total = np.bincount(cell, weights=amount, minlength=n_cells)
    if value is None:
        total, abs_total = n.copy(), n.copy()
        top = np.zeros((n_cells, top_k))
    return _finish(space, hierarchies, column_of, tables, cell_keys, per_table,
                   total, n, abs_total, top, value is None)  # fmt: skip


def from_leaves(
    columns: Mapping[str, Sequence],
    hierarchies: Mapping[str, Hierarchy],
    value: Sequence[float],
    n: Sequence[float],
    abs_total: Sequence[float],
    top: Sequence[Sequence[float]],
    tables: Sequence[Sequence[str]] | None = None,
    column_of: Mapping[str, str] | None = None,
    what: str = "cells",
) -> Cells:
    """Cells of ``tables`` rolled up from bottom-level cells (their sums and top lists).

    Right when no contributor lies in two bottom-level cells (each enterprise is in one zone
    and one industry section): then a total's K largest contributions are the K largest of
    its parts' K largest, and its contributors are the sum of theirs.
    """
    column_of, space, tables, cell_keys, per_table, cell, rows = _prepare(
        columns, hierarchies, tables, column_of, what
    )
    top_arr = np.asarray(top, dtype=np.float64)
    k = top_arr.shape[1]
    n_cells = len(cell_keys)
    v, cnt, ab = (np.asarray(a, dtype=np.float64) for a in (value, n, abs_total))
    tops = _top_k(np.repeat(cell, k), np.abs(top_arr[rows]).ravel(), n_cells, k)
    return _finish(
        space, hierarchies, column_of, tables, cell_keys, per_table,
        np.bincount(cell, weights=v[rows], minlength=n_cells),
        np.bincount(cell, weights=cnt[rows], minlength=n_cells),
        np.bincount(cell, weights=ab[rows], minlength=n_cells),
        tops, False,
    )  # fmt: skip


def stack(parts: Sequence[Cells], dim: str, labels: Sequence[str]) -> Cells:
    """One copy of the same tables per label (the periods of one year) as one set of cells.

    Each key gets ``dim``'s label in front; each copy keeps its own equations and none
    joins two copies: what is known between them (a year-to-date value never falls) goes
    to ``protect`` as ``orders``. Contributors are taken to be the same along ``dim``: the
    enterprise alone in a cell in March is in that cell in June (the insider attacks).
    """
    if not parts or len(parts) != len(labels) or len(set(labels)) != len(labels):
        raise ValueError("stack: one distinct label per part, and at least one part")
    first = parts[0]
    if any(p.dims != first.dims or p.keys != first.keys for p in parts):
        raise ValueError("stack: every part must have the same cells")
    n = len(first)
    sums = [(total + j * n, [i + j * n for i in kids])
            for j, p in enumerate(parts) for total, kids in p.equations()]  # fmt: skip
    flat = Hierarchy.flat(dim, "*", list(labels))
    return Cells(
        dims=(dim, *first.dims),
        hierarchies={dim: flat, **first.hierarchies},
        column_of={dim: dim, **first.column_of},
        tables=first.tables,
        keys=[(label, *key) for label in labels for key in first.keys],
        value=np.concatenate([p.value for p in parts]),
        n=np.concatenate([p.n for p in parts]),
        abs_total=np.concatenate([p.abs_total for p in parts]),
        top=np.concatenate([p.top for p in parts]),
        table_cells=tuple(
            np.concatenate([t + j * n for j in range(len(parts))]) for t in first.table_cells
        ),
        frequency=first.frequency,
        repeated=dim,
        sums=sums,
    )
