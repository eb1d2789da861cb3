"""Levers: numeric scenario values addressed by key path, and what changing them does to the model.

A lever is a key path into the scenario (``funding_streams.dfe_ep.budget``, ``roles.ep.attrition``,
``programmes.ep_doctorate.course_costs.0.dfe_ep``) and an operation:

* ``set``: replace the value (a whole table becomes one number for every region and year);
* ``scale``: multiply every number under the path;
* ``add``: add to every number under the path;
* ``growth``: compound a yearly rate onto a table by year, ``value × (1 + g)^(year − first_year)``.

Sweeps and Monte Carlo change scenarios only through levers. :func:`apply_levers` applies them to a
scenario's data (for validation and for a rebuild); :func:`probe` finds once which parameters of
:class:`~workforce.model.data.ModelData` a lever moves, so that each point can update those parameters
directly and the compiled model in place (see :mod:`workforce.solver.warm`).
"""

from __future__ import annotations

import copy
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np

from workforce.errors import Problem, ScenarioError
from workforce.model.data import ModelData, prepare
from workforce.scenario import Scenario, scenario_from_dict
from workforce.scenario.tables import did_you_mean

Op = Literal["set", "scale", "add", "growth"]
OPS: tuple[str, ...] = ("set", "scale", "add", "growth")

#: ModelData fields that are plain parameters (dicts of numbers); every other field is structure.
PARAMETERS = (
    "stock_initial", "attrition", "attrition_new", "demand", "penalty_shortfall", "cost_surplus",
    "surplus_max", "hires_max", "cost_hire", "exits_max", "cost_exit", "fte_per_unit", "cost_flex",
    "flex_max", "completion_rate", "cost_course", "places_max", "national_places_max",
    "supervision_ratio", "intake_min", "intake_max", "intake_prior", "budget", "envelope", "weights",
)


@dataclass(frozen=True)
class Lever:
    """One numeric scenario value a sweep or Monte Carlo varies."""

    name: str
    path: tuple[Any, ...]
    op: Op = "set"

    @property
    def dotted(self) -> str:
        return ".".join(map(str, self.path))


@dataclass
class Effect:
    """What a lever does to the model's parameters: ``entries[param][key] = base value``."""

    entries: dict[str, dict[tuple[Any, ...], float]] = field(default_factory=dict)
    structural: str | None = None
    """Why the lever cannot be applied in place (it changes the model's structure), or None."""


def parse_path(text: str) -> tuple[Any, ...]:
    """``roles.ep.demand.E12000007.2027`` → ('roles', 'ep', 'demand', 'E12000007', 2027)."""
    parts: list[Any] = []
    for part in str(text).split("."):
        if not part:
            raise ValueError(f"empty part in key path {text!r}")
        parts.append(int(part) if part.isdigit() else part)
    return tuple(parts)


def _child(node: Any, part: Any, path: tuple[Any, ...], whole: tuple[Any, ...]) -> Any:
    if isinstance(node, Mapping):
        for key in (part, str(part)):
            if key in node:
                return key
        raise ScenarioError(Problem(
            f"no key {part!r} at {'.'.join(map(str, path)) or 'the top level'}"
            f"{did_you_mean(str(part), [str(k) for k in node])}; keys there: {', '.join(map(str, node))}",
            key=".".join(map(str, whole)),
        ))
    if isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
        return part
    raise ScenarioError(Problem(f"{'.'.join(map(str, path))} has no item {part!r}", key=".".join(map(str, whole))))


def _numbers(node: Any, fn: Any, path: tuple[Any, ...]) -> Any:
    """Apply ``fn(value, year)`` to every number under ``node`` (year: the nearest int key or None)."""
    if isinstance(node, bool):
        raise ScenarioError(Problem(f"{'.'.join(map(str, path))} is a switch, not a number", key=".".join(map(str, path))))
    if isinstance(node, int | float):
        year = next((p for p in reversed(path) if isinstance(p, int) and p >= 1000), None)
        return fn(float(node), year)
    if isinstance(node, Mapping):
        return {k: _numbers(v, fn, (*path, k)) for k, v in node.items()}
    if isinstance(node, list):
        return [_numbers(v, fn, (*path, i)) for i, v in enumerate(node)]
    what = "no value" if node is None else f"the value {node!r}"
    raise ScenarioError(Problem(f"{'.'.join(map(str, path))} has {what}: only numbers can be scaled or added to",
                                key=".".join(map(str, path))))


def _by_year(node: Any, years: list[int]) -> Any:
    """A table with an explicit year level (so that a growth rate can act on it)."""
    if isinstance(node, int | float) and not isinstance(node, bool):
        return {t: float(node) for t in years}
    if isinstance(node, Mapping) and node and all(isinstance(k, str) for k in node):
        return {k: _by_year(v, years) for k, v in node.items()}
    return node


def value_at(data: Mapping[str, Any], lever: Lever) -> Any:
    """The value ``lever`` addresses in ``data`` (a ScenarioError names a path that does not exist)."""
    node: Any = data
    for i, part in enumerate(lever.path):
        node = node[_child(node, part, lever.path[:i], lever.path)]
    return node


def apply_lever(data: dict[str, Any], lever: Lever, value: float) -> None:
    """Change ``data`` (a scenario as plain data, e.g. ``Scenario.model_dump()``) in place."""
    node: Any = data
    for i, part in enumerate(lever.path[:-1]):
        node = node[_child(node, part, lever.path[:i], lever.path)]
    last = _child(node, lever.path[-1], lever.path[:-1], lever.path)
    v = float(value)
    if not math.isfinite(v):
        raise ScenarioError(Problem(f"lever {lever.name} got {value!r}; expected a finite number", key=lever.dotted))
    if lever.op == "set":
        current = node[last]
        keep_int = isinstance(current, int) and not isinstance(current, bool) and v.is_integer()
        node[last] = int(v) if keep_int else v
    elif lever.op == "scale":
        node[last] = _numbers(node[last], lambda x, _y: x * v, lever.path)
    elif lever.op == "add":
        node[last] = _numbers(node[last], lambda x, _y: x + v, lever.path)
    elif lever.op == "growth":
        first = data["horizon"]["first_year"]
        years = list(range(first, data["horizon"]["last_year"] + 1))
        table = _by_year(node[last], years)
        node[last] = _numbers(table, lambda x, y: x * (1.0 + v) ** (y - first) if y is not None else x, lever.path)
    else:  # pragma: no cover - ops are validated by the spec schema
        raise ValueError(f"unknown operation {lever.op!r}")


def apply_levers(data: Mapping[str, Any], values: Mapping[str, float], levers: Mapping[str, Lever]) -> dict[str, Any]:
    """A deep copy of ``data`` with each lever applied (in the order of ``values``)."""
    out = copy.deepcopy(dict(data))
    for name, v in values.items():
        apply_lever(out, levers[name], v)
        _one_demand_source(out, levers[name].path)
    return out


def _one_demand_source(data: dict[str, Any], path: tuple[Any, ...]) -> None:
    """A role with a ``demand_forecast`` carries the demand computed from it too, and the loader
    insists that the two agree. A lever on ``demand`` changes that demand: the forecast no longer
    describes it and is dropped. A lever on ``demand_forecast`` changes the forecast: the stale
    ``demand`` is dropped and the loader computes it again."""
    if len(path) < 3 or path[0] != "roles" or path[2] not in ("demand", "demand_forecast"):
        return
    role = data.get("roles", {}).get(path[1])
    if isinstance(role, dict) and role.get("demand_forecast") is not None:
        role.pop("demand_forecast" if path[2] == "demand" else "demand", None)


def scenario_with(base: Mapping[str, Any], values: Mapping[str, float], levers: Mapping[str, Lever], name: str) -> Scenario:
    """Validate the base scenario data with the levers applied (a ScenarioError names the point)."""
    return scenario_from_dict(apply_levers(base, values, levers), name=name)


def entry_value(lever: Lever, base: float, key: tuple[Any, ...], value: float, first_year: int) -> float:
    """New value of one model parameter entry when ``lever`` is set to ``value``.

    Reproduces what :func:`apply_lever` followed by :func:`~workforce.model.data.prepare` gives (tests
    check this against ``prepare``), without validating and preparing the whole scenario again.
    """
    if lever.op == "set":
        return float(value)
    if lever.op == "scale":
        return base * value
    if lever.op == "add":
        return base + value
    year = key[-1] if key and isinstance(key[-1], int) else first_year
    return base * (1.0 + value) ** (year - first_year)


def _diff(a: ModelData, b: ModelData) -> tuple[dict[str, set[tuple[Any, ...]]], list[str]]:
    changed: dict[str, set[tuple[Any, ...]]] = {}
    other: list[str] = []
    for name in a.__dataclass_fields__:
        if name == "scenario":
            continue
        va, vb = getattr(a, name), getattr(b, name)
        if name in PARAMETERS:
            if set(va) != set(vb):
                other.append(name)
                continue
            keys = {k for k in va if va[k] != vb[k]}
            if keys:
                changed[name] = {k if isinstance(k, tuple) else (k,) for k in keys}
        elif va != vb:
            other.append(name)
    return changed, other


def probe(base: Mapping[str, Any], data: ModelData, lever: Lever) -> Effect:
    """Find which model parameters ``lever`` moves by applying it with probe values.

    Two probe values are used so that no entry can keep its value by coincidence. A lever that
    changes anything other than parameter values (sets, durations, which limits exist) is
    structural: points that move it are solved by rebuilding the model.
    """
    keys: dict[str, set[tuple[Any, ...]]] = {}
    done = 0
    for v in _probe_values(lever, value_at(base, lever)):
        try:
            changed_data = prepare(scenario_with(base, {lever.name: v}, {lever.name: lever}, "<probe>"))
        except ScenarioError:
            continue  # this probe value is not valid here (e.g. below a minimum); try the next
        changed, other = _diff(data, changed_data)
        if other:
            return Effect(structural=f"{lever.dotted} changes the model's structure ({', '.join(other)})")
        for name, ks in changed.items():
            keys.setdefault(name, set()).update(ks)
            before, after = getattr(data, name), getattr(changed_data, name)
            for k in ks:  # the in-place path sets each entry by entry_value: it must be what prepare gives
                want = after[raw_key(name, k)]
                got = entry_value(lever, before[raw_key(name, k)], k, v, data.first_year)
                if abs(got - want) > 1e-9 * max(1.0, abs(want)):
                    return Effect(structural=f"{lever.dotted} moves {name} through a rule of the loader "
                                             "(e.g. a demand forecast); each point is rebuilt")
        done += 1
        if done == 2:
            break
    if done < 2:
        return Effect(structural=f"{lever.dotted} could not be probed with valid values; each point is rebuilt")
    entries = {}
    for name, ks in keys.items():
        table = getattr(data, name)
        entries[name] = {k: table[raw_key(name, k)] for k in ks}
    return Effect(entries=entries)


def _probe_values(lever: Lever, current: Any) -> list[float]:
    """Candidate probe values near the current value (two valid ones are used)."""
    leaves: list[float] = []
    _numbers(current, lambda x, _y: leaves.append(x) or x, lever.path) if current is not None else None
    c = float(np.mean(leaves)) if leaves else 1.0
    if lever.op == "set":
        if isinstance(current, int) and not isinstance(current, bool):
            return [current + 1, current + 2, max(current - 1, 0)]  # whole numbers (durations, years)
        return [c * f + e for f, e in ((1.01, 1e-3), (0.99, 2e-3), (1.1, 1e-2), (0.9, 2e-2), (0.5, 3e-3), (2, 4e-3))]
    if lever.op == "scale":
        return [1.01, 0.99, 1.1, 0.9, 1.37, 0.61]
    if lever.op == "add":
        step = 1.0 if isinstance(current, int) and not isinstance(current, bool) else 1e-3 * (1 + abs(c))
        return [step, -step, 10 * step, -10 * step, 2 * step]
    return [0.01, -0.01, 0.03, -0.02]


def raw_key(name: str, key: tuple[Any, ...]) -> Any:
    """The key as the ModelData dict ``name`` uses it (a bare id for parameters keyed by one id)."""
    return key[0] if name in _SCALAR_KEYED else key


_SCALAR_KEYED = {"penalty_shortfall", "cost_surplus", "cost_hire", "cost_exit", "completion_rate",
                 "supervision_ratio", "envelope", "weights"}
"""Parameters keyed by a single id rather than a tuple."""
