"""A framework file (YAML) read into dataclasses, checked, with every mistake named.

A framework declares the indicator tree (indicators → pillars → … → index, any depth),
each node's weight, each indicator's direction and optional denominator and target,
the ordered build steps with their methods, and optionally the assumptions that the
uncertainty analysis varies. ``docs/evaluation.md`` documents the format.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from htz.errors import ConfigError

STEP_KINDS = ("denominate", "screen", "impute", "treat", "normalise", "aggregate")
IMPUTE_METHODS = ("none", "mean", "median", "group_mean", "group_median")
SCREEN_BY = ("missing", "zeros", "missing_or_zeros")
TREAT_METHODS = ("winsorise", "none")
TREAT_FALLBACKS = ("log_ct", "log_ct_orig", "none")
NORMALISE_METHODS = (
    "minmax",
    "zscore",
    "rank",
    "percentile_rank",
    "dist_to_max",
    "dist_to_target",
    "fraction_of_max",
    "borda",
    "none",
)
AGGREGATE_METHODS = ("arithmetic", "geometric", "harmonic")
PACKAGED = "htz.evaluation.frameworks"
DEFAULT_FRAMEWORK = "zones-2021"


@dataclass(frozen=True)
class Impute:
    method: str = "mean"
    group: str | None = None


@dataclass(frozen=True)
class Screen:
    by: str = "missing"
    min_availability: float = 2 / 3
    min_nonzero: float = 0.05
    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()


@dataclass(frozen=True)
class Treat:
    method: str = "winsorise"
    winmax: int | None = 5
    skew_threshold: float = 2.0
    kurtosis_threshold: float = 3.5
    fallback: str = "log_ct"
    force: bool = False
    combine: bool = False


@dataclass(frozen=True)
class Normalise:
    method: str = "minmax"
    range: tuple[float, float] = (0.0, 100.0)
    mean_sd: tuple[float, float] = (0.0, 1.0)
    cap: bool = False


@dataclass(frozen=True)
class Aggregate:
    method: str = "arithmetic"
    min_availability: float | None = None


@dataclass(frozen=True)
class Denominate:
    """The denominate step takes no options: each indicator names its own denominator."""


SPEC_TYPES: dict[str, type] = {
    "denominate": Denominate,
    "screen": Screen,
    "impute": Impute,
    "treat": Treat,
    "normalise": Normalise,
    "aggregate": Aggregate,
}


@dataclass(frozen=True)
class Step:
    kind: str
    spec: Any


@dataclass(frozen=True)
class Node:
    """An indicator (no children) or an aggregate (pillar, sub-index, index)."""

    code: str
    name: dict[str, str]
    weight: float = 1.0
    children: tuple[Node, ...] = ()
    direction: int = 1
    denominator: str | None = None
    scale: float = 1.0
    target: float | None = None
    treat: Treat | None = None
    normalise: Normalise | None = None
    aggregate: str | None = None
    basis: str | None = None
    note: str | None = None

    @property
    def is_indicator(self) -> bool:
        return not self.children

    def label(self, lang: str = "en") -> str:
        return self.name.get(lang) or self.name.get("en") or next(iter(self.name.values()), "")


@dataclass(frozen=True)
class Uncertainty:
    """The assumptions a Monte Carlo run varies; empty lists vary nothing."""

    weight_noise: float = 0.25
    weight_levels: tuple[int, ...] = ()
    impute: tuple[Impute, ...] = ()
    treat: tuple[Treat, ...] = ()
    normalise: tuple[Normalise, ...] = ()
    aggregate: tuple[str, ...] = ()


@dataclass(frozen=True)
class Framework:
    name: str
    root: Node
    steps: tuple[Step, ...]
    unit_id: str = "unit"
    unit_name: str | None = None
    groups: tuple[str, ...] = ()
    version: str | None = None
    source: str | None = None
    notes: str | None = None
    uncertainty: Uncertainty | None = None
    path: str | None = None
    nodes: dict[str, Node] = field(default_factory=dict, compare=False, repr=False)
    parents: dict[str, str] = field(default_factory=dict, compare=False, repr=False)
    levels: dict[str, int] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        nodes, parents, levels = {}, {}, {}

        def walk(node: Node, parent: str | None) -> int:
            nodes[node.code] = node
            if parent is not None:
                parents[node.code] = parent
            level = 1 + max((walk(c, node.code) for c in node.children), default=0)
            levels[node.code] = level
            return level

        walk(self.root, None)
        object.__setattr__(self, "nodes", nodes)
        object.__setattr__(self, "parents", parents)
        object.__setattr__(self, "levels", levels)

    @property
    def indicators(self) -> list[Node]:
        return [n for n in self.nodes.values() if n.is_indicator]

    @property
    def aggregates(self) -> list[Node]:
        """Aggregate nodes bottom-up (children before parents), tree order within a level."""
        aggs = [n for n in self.nodes.values() if not n.is_indicator]
        return sorted(aggs, key=lambda n: self.levels[n.code])

    def step(self, kind: str) -> Any | None:
        return next((s.spec for s in self.steps if s.kind == kind), None)

    def with_step(self, kind: str, spec: Any) -> Framework:
        """The same framework with the ``kind`` step replaced (or inserted where it belongs)."""
        if any(s.kind == kind for s in self.steps):
            steps = tuple(Step(kind, spec) if s.kind == kind else s for s in self.steps)
        else:
            before = {"impute": "treat", "treat": "normalise", "screen": "impute"}.get(kind)
            kinds = [s.kind for s in self.steps]
            at = kinds.index(before) if before in kinds else kinds.index("normalise")
            steps = (*self.steps[:at], Step(kind, spec), *self.steps[at:])
        return replace(self, steps=steps)

    def effective_weights(self) -> dict[str, float]:
        """Each node's share of the index: the product of its normalised weights to the root."""
        out = {self.root.code: 1.0}
        for node in sorted(self.nodes.values(), key=lambda n: -self.levels[n.code]):
            total = sum(c.weight for c in node.children)
            for c in node.children:
                out[c.code] = out[node.code] * (c.weight / total if total else 0.0)
        return out


# -- loading ------------------------------------------------------------------------------


def packaged_frameworks() -> list[str]:
    """Names of the frameworks shipped with htz (``zones-2021`` …)."""
    files = resources.files(PACKAGED)
    return sorted(
        p.name[: -len(".yaml")]
        for p in files.iterdir()
        if p.name.endswith(".yaml") and not p.name.startswith("eligibility")
    )


def load_framework(source: str | Path | None = None) -> Framework:
    """A framework from a YAML file path or a packaged name; ``None`` is the default (2021)."""
    if source is None:
        source = DEFAULT_FRAMEWORK
    path = Path(source)
    if path.suffix.lower() in (".yaml", ".yml") or path.exists():
        if not path.is_file():
            raise ConfigError(f"{path}: no such framework file; check the path.")
        text, where = path.read_text(encoding="utf-8"), str(path)
    else:
        name = str(source)
        if name not in packaged_frameworks():
            raise ConfigError(
                f"framework {name!r} is neither a file nor a packaged framework; use a .yaml "
                f"path or one of: {', '.join(packaged_frameworks())}."
            )
        text = resources.files(PACKAGED).joinpath(f"{name}.yaml").read_text(encoding="utf-8")
        where = f"framework {name}"
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ConfigError(f"{where}: not valid YAML ({exc}); fix the syntax.") from exc
    return parse_framework(raw, where)


def parse_framework(raw: Any, where: str = "framework") -> Framework:
    """A framework from already-parsed YAML (a mapping); raises ConfigError on any mistake."""
    _mapping(raw, where)
    _known(
        raw,
        {"name", "version", "source", "notes", "units", "tree", "steps", "uncertainty"},
        where,
    )
    units = _mapping(raw.get("units", {}), f"{where}: units")
    _known(units, {"id", "name", "groups"}, f"{where}: units")
    if "tree" not in raw:
        raise ConfigError(f"{where}: no 'tree'; declare the index and its children under tree:.")
    root = _node(raw["tree"], f"{where}: tree", top=True)
    steps = _steps(raw.get("steps"), where)
    fw = Framework(
        name=str(raw.get("name") or root.label()),
        root=root,
        steps=steps,
        unit_id=str(units.get("id", "unit")),
        unit_name=units.get("name"),
        groups=tuple(units.get("groups") or ()),
        version=None if raw.get("version") is None else str(raw["version"]),
        source=raw.get("source"),
        notes=raw.get("notes"),
        uncertainty=_uncertainty(raw.get("uncertainty"), where),
        path=where,
    )
    _check_tree(fw, where)
    return fw


def _mapping(value: Any, where: str) -> dict:
    if not isinstance(value, dict):
        raise ConfigError(f"{where}: expected a mapping (key: value), got {value!r}.")
    return value


def _known(value: dict, keys: set[str], where: str) -> None:
    unknown = sorted(set(value) - keys)
    if unknown:
        raise ConfigError(
            f"{where}: unknown key(s) {', '.join(map(str, unknown))}; "
            f"allowed: {', '.join(sorted(keys))}."
        )


def _number(value: Any, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ConfigError(f"{where}: expected a number, got {value!r}.")
    return float(value)


def _choice(value: Any, allowed: tuple[str, ...], where: str) -> str:
    if value not in allowed:
        raise ConfigError(f"{where}: {value!r} is not one of {', '.join(allowed)}.")
    return value


def _pair(value: Any, where: str) -> tuple[float, float]:
    if not isinstance(value, list | tuple) or len(value) != 2:
        raise ConfigError(f"{where}: expected two numbers [a, b], got {value!r}.")
    return (_number(value[0], where), _number(value[1], where))


def _name(value: Any, code: str) -> dict[str, str]:
    if value is None:
        return {"en": code}
    if isinstance(value, str):
        return {"en": value}
    if isinstance(value, dict):
        return {str(k): str(v) for k, v in value.items()}
    raise ConfigError(f"node {code}: name must be text or {{zh: …, en: …, vi: …}}.")


NODE_KEYS = {
    "code",
    "name",
    "weight",
    "children",
    "direction",
    "denominator",
    "scale",
    "target",
    "treat",
    "normalise",
    "aggregate",
    "basis",
    "note",
    "unit",
}


def _node(raw: Any, where: str, top: bool = False) -> Node:
    _mapping(raw, where)
    code = raw.get("code")
    if not isinstance(code, str) or not code:
        raise ConfigError(f"{where}: every node needs a code (text).")
    here = f"{where} → {code}"
    _known(raw, NODE_KEYS, here)
    children = raw.get("children") or []
    if not isinstance(children, list):
        raise ConfigError(f"{here}: children must be a list of nodes.")
    weight = _number(raw.get("weight", 1.0), f"{here}: weight")
    if weight < 0:
        raise ConfigError(f"{here}: weight {weight} is negative; weights are 0 or more.")
    direction = raw.get("direction", 1)
    if direction not in (1, -1):
        raise ConfigError(f"{here}: direction must be 1 (higher is better) or -1.")
    if children and any(k in raw for k in ("direction", "denominator", "target", "treat")):
        raise ConfigError(
            f"{here}: direction, denominator, target and treat belong to indicators "
            "(nodes without children); move them to the indicators."
        )
    treat = raw.get("treat")
    normalise = raw.get("normalise")
    return Node(
        code=code,
        name=_name(raw.get("name"), code),
        weight=weight,
        children=tuple(_node(c, here) for c in children),
        direction=int(direction),
        denominator=raw.get("denominator"),
        scale=_number(raw.get("scale", 1.0), f"{here}: scale"),
        target=None if raw.get("target") is None else _number(raw["target"], f"{here}: target"),
        treat=None if treat is None else _spec("treat", treat, f"{here}: treat"),
        normalise=None
        if normalise is None
        else _spec("normalise", normalise, f"{here}: normalise"),
        aggregate=None
        if raw.get("aggregate") is None
        else _choice(raw["aggregate"], AGGREGATE_METHODS, f"{here}: aggregate"),
        basis=raw.get("basis"),
        note=raw.get("note"),
    )


def _spec(kind: str, raw: Any, where: str) -> Any:
    """One step's parameters; ``none`` (text) means the method ``none``."""
    if raw is None or raw == {}:
        raw = {}
    elif isinstance(raw, str):
        raw = {"method": raw}
    _mapping(raw, where)
    cls = SPEC_TYPES[kind]
    allowed = set(cls.__dataclass_fields__)
    _known(raw, allowed, where)
    values = dict(raw)
    if kind == "impute":
        _choice(values.get("method", "mean"), IMPUTE_METHODS, f"{where}: method")
        if values.get("method", "mean").startswith("group_") and not values.get("group"):
            raise ConfigError(f"{where}: {values['method']} needs group: <a group column>.")
    elif kind == "screen":
        _choice(values.get("by", "missing"), SCREEN_BY, f"{where}: by")
        for key in ("min_availability", "min_nonzero"):
            if key in values:
                v = _number(values[key], f"{where}: {key}")
                if not 0 <= v <= 1:
                    raise ConfigError(f"{where}: {key} must be between 0 and 1, got {v}.")
        for key in ("include", "exclude"):
            values[key] = tuple(str(u) for u in values.get(key) or ())
    elif kind == "treat":
        _choice(values.get("method", "winsorise"), TREAT_METHODS, f"{where}: method")
        _choice(values.get("fallback", "log_ct"), TREAT_FALLBACKS, f"{where}: fallback")
        winmax = values.get("winmax", 5)
        if winmax is not None and (not isinstance(winmax, int) or winmax < 0):
            raise ConfigError(f"{where}: winmax must be a whole number ≥ 0 or null (no limit).")
    elif kind == "normalise":
        _choice(values.get("method", "minmax"), NORMALISE_METHODS, f"{where}: method")
        for key in ("range", "mean_sd"):
            if key in values:
                values[key] = _pair(values[key], f"{where}: {key}")
        if "mean_sd" in values and values["mean_sd"][1] <= 0:
            raise ConfigError(f"{where}: mean_sd's standard deviation must be positive.")
    elif kind == "aggregate":
        _choice(values.get("method", "arithmetic"), AGGREGATE_METHODS, f"{where}: method")
        if values.get("min_availability") is not None:
            _number(values["min_availability"], f"{where}: min_availability")
    return cls(**values)


def _steps(raw: Any, where: str) -> tuple[Step, ...]:
    if raw is None:
        raw = ["normalise", "aggregate"]
    if not isinstance(raw, list):
        raise ConfigError(f"{where}: steps must be a list, e.g. - normalise: {{method: minmax}}.")
    steps = []
    for i, item in enumerate(raw, start=1):
        at = f"{where}: step {i}"
        if isinstance(item, str):
            kind, params = item, {}
        elif isinstance(item, dict) and len(item) == 1:
            kind, params = next(iter(item.items()))
        else:
            raise ConfigError(f"{at}: write a step as '- kind: {{params}}' or '- kind'.")
        _choice(kind, STEP_KINDS, at)
        if any(s.kind == kind for s in steps):
            raise ConfigError(f"{at}: {kind} appears twice; keep one {kind} step.")
        steps.append(Step(kind, _spec(kind, params, f"{at} ({kind})")))
    kinds = [s.kind for s in steps]
    if "normalise" not in kinds or "aggregate" not in kinds:
        raise ConfigError(f"{where}: steps need a normalise and an aggregate step.")
    if kinds[-1] != "aggregate":
        raise ConfigError(f"{where}: aggregate must be the last step.")
    if "denominate" in kinds and kinds.index("denominate") > kinds.index("normalise"):
        raise ConfigError(f"{where}: denominate must come before normalise.")
    return tuple(steps)


def _uncertainty(raw: Any, where: str) -> Uncertainty | None:
    if raw is None:
        return None
    at = f"{where}: uncertainty"
    _mapping(raw, at)
    _known(raw, {"weights", "impute", "treat", "normalise", "aggregate"}, at)
    weights = _mapping(raw.get("weights") or {"noise": 0.0}, f"{at}: weights")
    _known(weights, {"noise", "levels"}, f"{at}: weights")
    noise = _number(weights.get("noise", 0.25), f"{at}: weights: noise")
    if not 0 <= noise < 1:
        raise ConfigError(f"{at}: weights: noise must be in [0, 1), e.g. 0.25 for ±25%.")

    def alternatives(kind: str) -> tuple:
        items = raw.get(kind) or []
        if not isinstance(items, list):
            raise ConfigError(f"{at}: {kind} must be a list of alternatives.")
        return tuple(_spec(kind, it, f"{at}: {kind} {i}") for i, it in enumerate(items, 1))

    aggregate = tuple(
        _choice(
            a if isinstance(a, str) else (a or {}).get("method"),
            AGGREGATE_METHODS,
            f"{at}: aggregate {i}",
        )
        for i, a in enumerate(raw.get("aggregate") or [], 1)
    )
    return Uncertainty(
        weight_noise=noise,
        weight_levels=tuple(int(v) for v in weights.get("levels") or ()),
        impute=alternatives("impute"),
        treat=alternatives("treat"),
        normalise=alternatives("normalise"),
        aggregate=aggregate,
    )


def _check_tree(fw: Framework, where: str) -> None:
    seen: dict[str, int] = {}
    for node in _all(fw.root):
        seen[node.code] = seen.get(node.code, 0) + 1
    dup = sorted(c for c, n in seen.items() if n > 1)
    if dup:
        raise ConfigError(f"{where}: code(s) used twice in the tree: {', '.join(dup)}.")
    if fw.root.is_indicator:
        raise ConfigError(f"{where}: the tree's top node needs children (indicators or pillars).")
    for node in fw.nodes.values():
        if node.children and sum(c.weight for c in node.children) <= 0:
            raise ConfigError(f"{where}: {node.code}'s children all have weight 0.")
    normalise = fw.step("normalise")
    for ind in fw.indicators:
        spec = ind.normalise or normalise
        if spec.method == "dist_to_target" and ind.target is None:
            raise ConfigError(
                f"{where}: indicator {ind.code} is normalised by distance to target but has "
                "no target; add target: <value> to it."
            )
    impute = fw.step("impute")
    if impute and impute.group and impute.group not in fw.groups:
        object.__setattr__(fw, "groups", (*fw.groups, impute.group))


def _all(node: Node):
    yield node
    for c in node.children:
        yield from _all(c)
