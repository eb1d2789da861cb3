"""The scenarios of a stochastic plan as compiled blocks, and the expected-value scenario."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from workforce.data import ModelData, prepare
from workforce.errors import ScenarioError
from workforce.levers import Lever, scenario_with
from workforce.scenario.schema import Scenario
from workforce.stochastic.model import FIRST_STAGE, Block, make_block


def compile_block(name: str, probability: float, scenario: Scenario | ModelData, commit_years: int,
                  first_stage: Sequence[str] = FIRST_STAGE) -> Block:
    """Prepare and compile one scenario (arrays where the generator applies, Pyomo otherwise)."""
    from workforce.solve import compile_scenario

    data = scenario if isinstance(scenario, ModelData) else prepare(scenario)
    _, compiled = compile_scenario(data)
    return make_block(name, probability, data, compiled, commit_years, first_stage)


def lever_scenarios(base: Mapping[str, Any], table: Any, levers: Mapping[str, Lever], prefix: str) -> list[Scenario]:
    """One validated scenario per row of ``table`` (columns: lever names; NaN leaves the base value),
    as Monte Carlo builds its draws."""
    out = []
    for i, row in table.iterrows():
        label = row.name if isinstance(i, str) else f"{prefix} {i}"
        values = {n: float(row[n]) for n in levers if not np.isnan(row[n])}
        out.append(scenario_with(base, values, levers, str(label)))
    return out


def mean_data(datas: Sequence[ModelData], probabilities: Sequence[float]) -> ModelData:
    """The expected-value scenario: every number that differs between the scenarios replaced by its
    probability-weighted mean (E[ξ] of the textbook EV problem); the structure is the first scenario's."""
    p = np.asarray(probabilities, dtype=float)
    first = datas[0]
    changes: dict[str, Any] = {}
    for f in dataclasses.fields(first):
        tables = [getattr(d, f.name) for d in datas]
        if not isinstance(tables[0], dict) or all(t == tables[0] for t in tables[1:]):
            continue
        for d, t in zip(datas[1:], tables[1:], strict=True):
            if set(t) != set(tables[0]) or not all(_number(v) for v in t.values()):
                raise ScenarioError(f"the scenarios differ in the structure of {f.name} ({d.scenario.name} vs "
                                    f"{first.scenario.name}); the scenarios of a stochastic plan may change numbers only")
        changes[f.name] = {k: _mean([t[k] for t in tables], p) for k in tables[0]}
    return dataclasses.replace(first, **changes)


def _number(v: Any) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool)


def _mean(values: list[Any], p: np.ndarray) -> Any:
    return values[0] if all(v == values[0] for v in values) else float(p @ np.asarray(values, dtype=float))
