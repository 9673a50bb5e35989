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
    dims: tuple[str, ...]
    hierarchies: dict[str, Hierarchy]
    tables: tuple[tuple[str, ...], ...]
    keys: list[tuple[str, ...]]  # one code per dimension of ``dims``
    value: np.ndarray  # float64
    n: np.ndarray  # float64: contributors (weighted units)
    abs_total: np.ndarray  # float64
    top: np.ndarray  # (cells, K) float64, largest first
    table_cells: tuple[np.ndarray, ...]  # each table's cell indices
    frequency: bool = False  # no magnitude: the value is the count

    def __len__(self) -> int:
        return len(self.keys)

    def index(self) -> dict[tuple[str, ...], int]:
        return {k: i for i, k in enumerate(self.keys)}

    def equations(self) -> list[tuple[int, list[int]]]:
        """(total cell, its parts): every non-leaf code of every table's dimensions."""
        index = self.index()
        seen: set[tuple[int, tuple[int, ...]]] = set()
        out: list[tuple[int, list[int]]] = []
        for table in self.tables:
            for d in table:
                h = self.hierarchies[d]
                pos = self.dims.index(d)
                others = [self.hierarchies[o].codes if o in table else (self.hierarchies[o].root,)
                          for o in self.dims]  # fmt: skip
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

    def table_of(self) -> np.ndarray:
        """For each cell, the first table it belongs to."""
        out = np.full(len(self), -1, dtype=np.int64)
        for t, idx in reversed(list(enumerate(self.table_cells))):
            out[idx] = t
        return out


def _check_tables(dims: Sequence[str], tables: Sequence[Sequence[str]] | None) -> tuple:
    tables = [tuple(dims)] if not tables else [tuple(t) for t in tables]
    for t in tables:
        unknown = [d for d in t if d not in dims]
        if unknown or len(set(t)) != len(t) or not t:
            raise InputError(
                f"table {list(t)}: each table names distinct dimensions among {list(dims)}."
            )
    return tuple(tables)


def _strides(dims: Sequence[str], hier: Mapping[str, Hierarchy]) -> np.ndarray:
    sizes = [len(hier[d].codes) for d in dims]
    strides = np.ones(len(dims), dtype=np.int64)
    for i in range(len(dims) - 2, -1, -1):
        strides[i] = strides[i + 1] * sizes[i + 1]
    return strides


def _all_keys(dims, hier, tables, strides) -> tuple[np.ndarray, list[np.ndarray]]:
    """Every cell of every table as an integer key (mixed radix over code positions)."""
    per_table = []
    for t in tables:
        ranges = [np.arange(len(hier[d].codes)) if d in t else np.zeros(1, np.int64)
                  for d in dims]  # fmt: skip
        grids = np.meshgrid(*ranges, indexing="ij")
        per_table.append(sum(g.ravel() * s for g, s in zip(grids, strides, strict=True)))
    return np.unique(np.concatenate(per_table)), per_table


def _expand(leaf_pos: dict[str, np.ndarray], dims, hier, table, strides):
    """(row index, cell key) for each row and each cell of ``table`` that contains it."""
    n_rows = len(next(iter(leaf_pos.values())))
    rows = np.arange(n_rows, dtype=np.int64)
    keys = np.zeros(n_rows, dtype=np.int64)
    for d, stride in zip(dims, strides, strict=True):
        if d not in table:
            continue
        h = hier[d]
        pos = {c: i for i, c in enumerate(h.codes)}
        anc = [np.array([pos[a] for a in h.ancestors(c)], dtype=np.int64) for c in h.codes]
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


def _leaf_positions(columns: Mapping[str, Sequence], hier, what: str) -> dict[str, np.ndarray]:
    out = {}
    for d, values in columns.items():
        h = hier[d]
        pos = {c: i for i, c in enumerate(h.codes)}
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


def _finish(dims, hier, tables, strides, cell_keys, per_table, value, n, abs_total, top, freq):
    decode = []
    for key in cell_keys:
        rest, codes = int(key), []
        for d, s in zip(dims, strides, strict=True):
            i, rest = divmod(rest, int(s))
            codes.append(hier[d].codes[i])
        decode.append(tuple(codes))
    table_cells = tuple(np.searchsorted(cell_keys, np.unique(t)) for t in per_table)
    return Cells(tuple(dims), dict(hier), tables, decode, value, n, abs_total, top,
                 table_cells, freq)  # fmt: skip


def from_microdata(
    columns: Mapping[str, Sequence],
    hierarchies: Mapping[str, Hierarchy],
    tables: Sequence[Sequence[str]] | None = None,
    value: Sequence[float] | None = None,
    contributor: Sequence | None = None,
    weight: Sequence[float] | None = None,
    top_k: int = 2,
    what: str = "data",
) -> Cells:
    """Cells of ``tables`` from one row per contributor (or per unit with a ``weight``).

    ``columns`` maps each dimension to the rows' bottom-level codes. Without ``value`` the
    tables count units (a frequency table). Rows with one ``contributor`` id are one
    contributor whose contribution to a cell is the sum of its rows there. A row with
    ``weight`` w stands for w units of its value each (w × value in total).
    """
    dims = tuple(hierarchies)
    if set(columns) != set(dims):
        raise InputError(f"{what}: give a column for each dimension {list(dims)}.")
    tables = _check_tables(dims, tables)
    pos = _leaf_positions(columns, hierarchies, what)
    n_rows = len(next(iter(pos.values())))
    v = np.ones(n_rows) if value is None else np.asarray(value, dtype=np.float64)
    w = np.ones(n_rows) if weight is None else np.asarray(weight, dtype=np.float64)
    for name, arr in (("value", v), ("weight", w)):
        bad = np.flatnonzero(~np.isfinite(arr))
        if len(bad):
            raise InputError(f"{what} row {bad[0] + 2}: the {name} is not a number; fill it in.")
    if (w < 0).any():
        raise InputError(f"{what} row {np.flatnonzero(w < 0)[0] + 2}: a weight is negative.")
    strides = _strides(dims, hierarchies)
    cell_keys, per_table = _all_keys(dims, hierarchies, tables, strides)
    rows, keys = zip(*(_expand(pos, dims, hierarchies, t, strides) for t in tables), strict=True)
    rows, keys = np.concatenate(rows), np.concatenate(keys)
    pair = np.unique(np.stack([keys, rows], axis=1), axis=0)  # a shared cell counts rows once
    keys, rows = pair[:, 0], pair[:, 1]
    cell = np.searchsorted(cell_keys, keys)
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
    return _finish(dims, hierarchies, tables, strides, cell_keys, per_table,
                   total, n, abs_total, top, value is None)  # fmt: skip


def from_leaves(
    columns: Mapping[str, Sequence],
    hierarchies: Mapping[str, Hierarchy],
    value: Sequence[float],
    n: Sequence[float],
    abs_total: Sequence[float],
    top: Sequence[Sequence[float]],
    tables: Sequence[Sequence[str]] | None = None,
    what: str = "cells",
) -> Cells:
    """Cells of ``tables`` rolled up from bottom-level cells (their sums and top lists).

    Right when no contributor lies in two bottom-level cells (each enterprise is in one zone
    and one industry section): then a total's K largest contributions are the K largest of
    its parts' K largest, and its contributors are the sum of theirs.
    """
    dims = tuple(hierarchies)
    tables = _check_tables(dims, tables)
    pos = _leaf_positions(columns, hierarchies, what)
    top_arr = np.asarray(top, dtype=np.float64)
    k = top_arr.shape[1] if top_arr.ndim == 2 else 2
    strides = _strides(dims, hierarchies)
    cell_keys, per_table = _all_keys(dims, hierarchies, tables, strides)
    rows, keys = zip(*(_expand(pos, dims, hierarchies, t, strides) for t in tables), strict=True)
    pair = np.unique(np.stack([np.concatenate(keys), np.concatenate(rows)], axis=1), axis=0)
    cell, rows = np.searchsorted(cell_keys, pair[:, 0]), pair[:, 1]
    n_cells = len(cell_keys)
    v, cnt, ab = (np.asarray(a, dtype=np.float64) for a in (value, n, abs_total))
    tops = _top_k(np.repeat(cell, k), np.abs(top_arr[rows]).ravel(), n_cells, k)
    return _finish(
        dims, hierarchies, tables, strides, cell_keys, per_table,
        np.bincount(cell, weights=v[rows], minlength=n_cells),
        np.bincount(cell, weights=cnt[rows], minlength=n_cells),
        np.bincount(cell, weights=ab[rows], minlength=n_cells),
        tops, False,
    )  # fmt: skip
