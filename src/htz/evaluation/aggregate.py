"""Aggregate: weighted means up the tree, vectorised over any number of weight sets.

As COINr's ``a_amean``, ``a_gmean`` and ``a_hmean``, for each unit and aggregate node over
its children that have a value (weights of missing children are dropped and the rest
re-normalised, so weights are relative):

- arithmetic: Σ wᵢxᵢ / Σ wᵢ
- geometric: exp(Σ wᵢ log xᵢ / Σ wᵢ); every value must be positive
- harmonic: Σ wᵢ / Σ (wᵢ / xᵢ); no value may be zero

A node with no child value has no value. With ``min_availability`` (COINr's
``dat_thresh``), a node whose share of children with a value is below it has no value.

The same code runs one build (R = 1) and a Monte Carlo batch (R weight sets at once):
children that are indicators enter by matrix products, children that are aggregates by
``einsum``, so nothing loops over runs.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from htz.errors import ConfigError
from htz.evaluation.framework import Framework


@dataclass(frozen=True)
class Plan:
    """The tree as index arrays. Node ids: indicators 0…k-1, then aggregates bottom-up."""

    codes: tuple[str, ...]
    n_indicators: int
    children: tuple[np.ndarray, ...]  # per aggregate: child node ids
    methods: tuple[str, ...]  # per aggregate
    min_availability: float | None
    nominal_weights: np.ndarray  # per node (relative to siblings)

    @property
    def aggregate_codes(self) -> tuple[str, ...]:
        return self.codes[self.n_indicators :]


def plan(framework: Framework) -> Plan:
    indicators = framework.indicators
    aggregates = framework.aggregates
    codes = tuple(n.code for n in (*indicators, *aggregates))
    ids = {c: i for i, c in enumerate(codes)}
    spec = framework.step("aggregate")
    return Plan(
        codes=codes,
        n_indicators=len(indicators),
        children=tuple(np.array([ids[c.code] for c in a.children]) for a in aggregates),
        methods=tuple(a.aggregate or spec.method for a in aggregates),
        min_availability=spec.min_availability,
        nominal_weights=np.array([framework.nodes[c].weight for c in codes], dtype=float),
    )


def _check(values: np.ndarray, method: str, code: str) -> None:
    if method == "geometric" and np.any(values[~np.isnan(values)] <= 0):
        raise ConfigError(
            f"aggregate: the geometric mean at {code} needs positive values but a child has "
            "a value ≤ 0; normalise to a positive range, e.g. minmax with range: [1, 100]."
        )
    if method == "harmonic" and np.any(values[~np.isnan(values)] == 0):
        raise ConfigError(
            f"aggregate: the harmonic mean at {code} needs non-zero values but a child has "
            "the value 0; normalise to a positive range, e.g. minmax with range: [1, 100]."
        )


def _transform(v: np.ndarray, method: str) -> np.ndarray:
    """The terms each mean sums: x, log x or 1/x (missing stays missing)."""
    if method == "arithmetic":
        return v
    if method == "geometric":
        return np.log(v)
    return 1.0 / v


def aggregate(
    x: np.ndarray,
    p: Plan,
    weights: np.ndarray | None = None,
    methods: tuple[str, ...] | None = None,
) -> np.ndarray:
    """Scores of every aggregate node: units × aggregates × R.

    ``x``: normalised indicators, units × indicators. ``weights``: R × nodes (each node's
    weight relative to its siblings); default the framework's, R = 1.
    """
    w = p.nominal_weights[None, :] if weights is None else np.asarray(weights, dtype=float)
    methods = methods or p.methods
    n, k = x.shape
    r = w.shape[0]
    agg = np.full((n, len(p.children), r), np.nan)
    for a, (kids, method) in enumerate(zip(p.children, methods, strict=True)):
        code = p.aggregate_codes[a]
        ind = kids[kids < k]
        sub = kids[kids >= k] - k
        wi = w[:, ind].T  # children × R
        ws = w[:, kids[kids >= k]].T
        xi = x[:, ind]
        xs = agg[:, sub, :]
        _check(xi, method, code)
        _check(xs, method, code)
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            fi, fs = _transform(xi, method), _transform(xs, method)
            mi, ms = ~np.isnan(xi), ~np.isnan(xs)
            full_i, full_s = bool(mi.all()), bool(ms.all())
            if not full_i:
                fi = np.where(mi, fi, 0.0)
            if not full_s:
                fs = np.where(ms, fs, 0.0)
            num = np.einsum("nc,cr->nr", fi, wi) + np.einsum("ncr,cr->nr", fs, ws)
            if full_i and full_s:
                den = np.broadcast_to(wi.sum(axis=0) + ws.sum(axis=0), num.shape)
                count = np.full((n, 1), float(kids.size))
            else:
                den = np.einsum("nc,cr->nr", mi.astype(float), wi) + np.einsum(
                    "ncr,cr->nr", ms.astype(float), ws
                )
                count = mi.sum(axis=1)[:, None] + ms.sum(axis=1)
            if method == "arithmetic":
                y = num / den
            elif method == "geometric":
                y = np.exp(num / den)
            else:
                y = den / num
        if not (full_i and full_s):
            y = np.where(count > 0, y, np.nan)
        if p.min_availability is not None:
            y = np.where(count / kids.size < p.min_availability, np.nan, y)
        agg[:, a, :] = y
    return agg
