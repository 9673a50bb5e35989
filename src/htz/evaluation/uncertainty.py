"""Uncertainty and sensitivity: rebuild the index many times under alternative assumptions.

Each assumption the framework's ``uncertainty:`` section varies is one input factor:

- ``weights``: weight sets perturbed around the nominal ones, each weight multiplied by
  ``1 + U(-noise, noise)`` at the chosen levels (COINr's ``get_noisy_weights``); as in
  COINr's sensitivity vignette the factor picks one of ``runs`` pre-drawn weight sets;
- ``impute``, ``treat``, ``normalise``, ``aggregate``: one of a list of alternatives,
  chosen with equal probability.

An uncertainty run draws every factor at random (``runs`` builds). A sensitivity run uses
Saltelli's design as COINr's ``SA_sample``/``SA_estimate``: matrices A and B of ``runs``
rows, and for each factor i the matrix ABᵢ (A with column i from B), ``runs × (d + 2)``
builds in all. The output y of a build is the mean absolute shift of the units' ranks from
their nominal ranks (COINr's choice); with V = var(y over A and B, n - 1):
first-order Sᵢ = mean(y_B (y_ABᵢ - y_A)) / V and total STᵢ = Σ (y_A - y_ABᵢ)² / (2 N V).

The set of units is the nominal build's (screening is not re-run), so ranks compare.
Everything but the imputation/treatment/normalisation alternatives (a handful of builds,
cached) is vectorised over runs: see :func:`htz.evaluation.aggregate.aggregate`.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np

from htz.errors import ConfigError
from htz.evaluation import aggregate as agg
from htz.evaluation.data import Dataset, TableLike, as_dataset
from htz.evaluation.framework import Framework, Uncertainty
from htz.evaluation.index import IndexResult, build_index
from htz.evaluation.stats import quantile, rank_desc

CHUNK = 2048


@dataclass
class UncertaintyResult:
    units: np.ndarray
    names: np.ndarray | None
    nominal_score: np.ndarray
    nominal_rank: np.ndarray
    mean_rank: np.ndarray
    median_rank: np.ndarray
    q05: np.ndarray
    q95: np.ndarray
    factors: list[str]
    runs: int  # builds evaluated
    seed: int | None
    ranks: np.ndarray = field(repr=False)  # units × builds (float32)
    sensitivity: dict[str, dict[str, float]] | None = None  # factor → {first, total}
    variance: float | None = None

    def rows(self) -> list[dict]:
        order = np.lexsort((self.units, self.nominal_rank))
        out = []
        for i in order:
            out.append(
                {
                    "unit": self.units[i],
                    "name": None if self.names is None else self.names[i],
                    "rank": _num(self.nominal_rank[i]),
                    "score": _num(self.nominal_score[i]),
                    "median_rank": _num(self.median_rank[i]),
                    "rank_q05": _num(self.q05[i]),
                    "rank_q95": _num(self.q95[i]),
                    "mean_rank": _num(self.mean_rank[i]),
                }
            )
        return out


def _num(v: float) -> float | None:
    return None if np.isnan(v) else float(v)


def default_assumptions() -> Uncertainty:
    """Weights ±25% at every level; nothing else varied."""
    return Uncertainty(weight_noise=0.25)


def _factors(spec: Uncertainty) -> list[tuple[str, int]]:
    out = []
    if spec.weight_noise > 0:
        out.append(("weights", 0))
    for name in ("impute", "treat", "normalise", "aggregate"):
        n = len(getattr(spec, name))
        if n:
            out.append((name, n))
    return out


def _noisy_weights(
    fw: Framework, p: agg.Plan, spec: Uncertainty, n: int, rng: np.random.Generator
) -> np.ndarray:
    levels = spec.weight_levels or tuple(range(1, fw.levels[fw.root.code]))
    vary = np.array([fw.levels[c] in levels and c != fw.root.code for c in p.codes])
    w = np.repeat(p.nominal_weights[None, :], n, axis=0)
    noise = (rng.random((n, len(p.codes))) * 2 - 1) * spec.weight_noise
    return np.where(vary[None, :], w * (1 + noise), w)


def run_uncertainty(
    data: TableLike | Dataset,
    framework: Framework,
    *,
    runs: int = 1000,
    seed: int | None = None,
    sensitivity: bool = False,
    assumptions: Uncertainty | None = None,
    nominal: IndexResult | None = None,
) -> UncertaintyResult:
    """Monte Carlo over the framework's assumptions; ``sensitivity`` adds Saltelli indices."""
    if runs < 2:
        raise ConfigError(f"runs must be at least 2 (got {runs}); try --runs 1000.")
    spec = assumptions or framework.uncertainty or default_assumptions()
    extra = tuple(s.group for s in spec.impute if s.group and s.group not in framework.groups)
    ds = as_dataset(data, replace(framework, groups=(*framework.groups, *extra)))
    nominal = nominal or build_index(ds, framework)
    keep = np.isin(ds.units, nominal.units)
    factors = _factors(spec)
    if not factors:
        raise ConfigError(
            "uncertainty: nothing varies; give weights noise > 0 or at least one list of "
            "alternatives (impute, treat, normalise, aggregate)."
        )
    rng = np.random.default_rng(seed)
    d = len(factors)
    if sensitivity:
        a, b = rng.random((runs, d)), rng.random((runs, d))
        blocks = [a, b]
        for i in range(d):
            ab = a.copy()
            ab[:, i] = b[:, i]
            blocks.append(ab)
        u = np.vstack(blocks)
    else:
        u = rng.random((runs, d))
    p = agg.plan(framework)
    weight_sets = _noisy_weights(framework, p, spec, runs, rng) if spec.weight_noise > 0 else None
    choice = {}
    for col, (name, n_alt) in enumerate(factors):
        size = runs if name == "weights" else n_alt
        choice[name] = np.minimum((u[:, col] * size).astype(int), size - 1)
    total = u.shape[0]

    def pick(name: str) -> np.ndarray:
        return choice.get(name, np.full(total, -1))

    keys = np.stack([pick("impute"), pick("treat"), pick("normalise"), pick("aggregate")], 1)
    ranks = np.empty((keep.sum(), total), dtype=np.float32)
    root = p.aggregate_codes.index(framework.root.code)
    prepared: dict[tuple[int, int, int], np.ndarray] = {}
    for key in np.unique(keys, axis=0):
        ii, ti, ni, ai = (int(k) for k in key)
        if (ii, ti, ni) not in prepared:
            fw = framework
            if ii >= 0:
                fw = fw.with_step("impute", spec.impute[ii])
            if ti >= 0:
                fw = fw.with_step("treat", spec.treat[ti])
            if ni >= 0:
                fw = fw.with_step("normalise", spec.normalise[ni])
            prepared[(ii, ti, ni)] = build_index(ds, fw, keep_units=keep).stages["normalised"]
        x = prepared[(ii, ti, ni)]
        methods = p.methods if ai < 0 else (spec.aggregate[ai],) * len(p.methods)
        rows = np.nonzero((keys == key).all(axis=1))[0]
        for start in range(0, rows.size, CHUNK):
            sel = rows[start : start + CHUNK]
            w = (
                weight_sets[choice["weights"][sel]]
                if weight_sets is not None
                else (np.repeat(p.nominal_weights[None, :], sel.size, axis=0))
            )
            try:
                scores = agg.aggregate(x, p, w, methods)[:, root, :]
            except ConfigError as exc:
                raise ConfigError(
                    f"uncertainty alternative (aggregate {methods[0]}, normalisation "
                    f"{spec.normalise[ni].method if ni >= 0 else 'nominal'}): {exc.message}"
                ) from exc
            ranks[:, sel] = rank_desc(scores)
    ua = (ranks[:, : 2 * runs] if sensitivity else ranks).astype(float)
    result = UncertaintyResult(
        units=nominal.units,
        names=nominal.names,
        nominal_score=nominal.scores[framework.root.code],
        nominal_rank=nominal.ranks[framework.root.code],
        mean_rank=np.nanmean(ua, axis=1) if not np.isnan(ua).all() else np.full(len(ua), np.nan),
        median_rank=quantile(ua, 0.5, axis=1),
        q05=quantile(ua, 0.05, axis=1),
        q95=quantile(ua, 0.95, axis=1),
        factors=[f for f, _ in factors],
        runs=total,
        seed=seed,
        ranks=ranks,
    )
    if sensitivity:
        y = np.nanmean(np.abs(ranks - nominal.ranks[framework.root.code][:, None]), axis=0)
        result.sensitivity, result.variance = saltelli_indices(y, runs, [f for f, _ in factors])
    return result


def saltelli_indices(
    y: np.ndarray, n: int, names: list[str]
) -> tuple[dict[str, dict[str, float]], float]:
    """COINr's ``SA_estimate``: first-order and total indices from y over A, B, AB₁…AB_d."""
    d = len(names)
    if y.size != n * (d + 2):
        raise ValueError("y must have n × (d + 2) values")
    ya, yb = y[:n], y[n : 2 * n]
    yab = y[2 * n :].reshape(d, n)
    var = float(np.var(np.concatenate([ya, yb]), ddof=1))
    out = {}
    for i, name in enumerate(names):
        if var == 0:
            out[name] = {"first": 0.0, "total": 0.0}
            continue
        first = float(np.mean(yb * (yab[i] - ya)) / var)
        total = float(np.sum((ya - yab[i]) ** 2) / (2 * n * var))
        out[name] = {"first": first, "total": total}
    return out, var
