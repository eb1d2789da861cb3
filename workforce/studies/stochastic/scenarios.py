"""The scenarios of a stochastic plan as compiled blocks, and the expected-value scenario."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

from workforce.errors import Problem, ScenarioError
from workforce.model.data import ModelData, prepare
from workforce.scenario.schema import Scenario
from workforce.solver.levers import Lever, scenario_with
from workforce.studies.stochastic.model import FIRST_STAGE, Block, make_block


def compile_block(name: str, probability: float, scenario: Scenario | ModelData, commit_years: int,
                  first_stage: Sequence[str] = FIRST_STAGE, data: ModelData | None = None,
                  compiler: Callable[[Any, ModelData], Any] | None = None) -> Block:
    """Prepare and compile one scenario (arrays where the generator applies, Pyomo otherwise, or
    ``compiler(scenario, data)``)."""
    from workforce.solver.core import compile_scenario

    if data is None:
        data = scenario if isinstance(scenario, ModelData) else prepare(scenario)
    compiled = compiler(scenario, data) if compiler is not None else compile_scenario(data)[1]
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
                raise ScenarioError(Problem(
                    f"its {f.name} has other entries than scenario {first.scenario.name}'s; the scenarios of a "
                    "stochastic plan may change numbers only, not which limits exist", file=f"scenario {d.scenario.name}"))
        changes[f.name] = {k: _mean([t[k] for t in tables], p) for k in tables[0]}
    return dataclasses.replace(first, **changes)


def _number(v: Any) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool)


def _mean(values: list[Any], p: np.ndarray) -> Any:
    return values[0] if all(v == values[0] for v in values) else float(p @ np.asarray(values, dtype=float))


class WarmCompiler:
    """Compile many draws of one base scenario by changing one compiled model in place.

    A draw moves a few numbers (demand, attrition, ...): ``engine`` (default
    :class:`workforce.solver.warm_arrays.ArrayWarmModel`, the engine sweeps and Monte Carlo use, tested
    against rebuilds; :class:`workforce.solver.warm.WarmModel` re-evaluates through Pyomo) applies
    exactly those changes to the base's compiled LP, and a copy of its arrays is the draw's LP. A draw it cannot apply in place
    (``NeedsRebuild``) is compiled from scratch. With ``workers`` > 1 the draws are compiled in a
    process pool (each worker its own warm model), all at the first request, and come back as
    arrays (:class:`workforce.studies.stochastic.model.LP`)."""

    def __init__(self, base: Scenario, levers: Mapping[str, Lever], workers: int = 1, engine: Any = None):
        self.base = base
        self.engine = engine
        self.levers = dict(levers)
        self.workers = workers
        self.values: dict[int, dict[str, float]] = {}
        self._scenarios: dict[int, Scenario] = {}
        self._done: dict[int, Any] = {}
        self._warm: Any = None
        self.rebuilt = 0

    def scenarios(self, data: Mapping[str, Any], table: Any, prefix: str) -> list[Scenario]:
        """Validated scenarios of the table's rows, remembered with their lever values."""
        out = lever_scenarios(data, table, self.levers, prefix)
        for scenario, (_, row) in zip(out, table.iterrows(), strict=True):
            self.values[id(scenario)] = {n: float(row[n]) for n in self.levers if not np.isnan(row[n])}
            self._scenarios[id(scenario)] = scenario
        return out

    def __call__(self, scenario: Any, data: ModelData) -> Any:
        from workforce.solver.core import compile_scenario

        values = self.values.get(id(scenario))
        if values is None:
            return compile_scenario(data)[1]
        if self.workers > 1:
            if id(scenario) not in self._done:
                self._compile_pending()
            return self._done[id(scenario)]
        compiled, rebuilt = self.compile_values(values, scenario, data)
        self.rebuilt += rebuilt
        return compiled

    def compile_values(self, values: Mapping[str, float], scenario: Scenario,
                       data: ModelData | None = None) -> tuple[Any, bool]:
        """The LP of the base with ``values`` applied (and whether it had to be rebuilt); ``data``:
        the scenario's prepared tables, if at hand."""
        from workforce.model.arrays import ArrayCompiled
        from workforce.solver.core import compile_scenario
        from workforce.solver.warm import NeedsRebuild
        from workforce.solver.warm_arrays import ArrayWarmModel

        if self._warm is None:
            self._warm = (self.engine or ArrayWarmModel)(self.base, threads=1)
        try:
            self._warm.apply(values, self.levers)
        except NeedsRebuild:
            return compile_scenario(data or prepare(scenario))[1], True
        c = self._warm.compiled
        # the warm model changes these arrays in place at the next draw; its Pyomo views and tables
        # would become the next draw's, and its matrix may be updated in place too: the copy gets its own
        own = {"_pyomo": {}, "data": data or prepare(scenario), "csc": _own_csc(c.csc)} if isinstance(c, ArrayCompiled) else {}
        return dataclasses.replace(c, row_lower=c.row_lower.copy(), row_upper=c.row_upper.copy(),
                                   col_lower=c.col_lower.copy(), col_upper=c.col_upper.copy(),
                                   term_costs=c.term_costs.copy(), term_offsets=c.term_offsets.copy(), **own), False

    def _compile_pending(self) -> None:
        from workforce.studies.stochastic.parallel import compile_in_pool

        pending = [i for i in self.values if i not in self._done]
        lps, rebuilt = compile_in_pool(self.base, self.levers, [self.values[i] for i in pending],
                                       [self._scenarios[i].name for i in pending], self.workers)
        self._done.update(zip(pending, lps, strict=True))
        self.rebuilt += rebuilt


def _own_csc(csc: Any) -> Any:
    """A copy of a compiled matrix that later in-place changes to the original do not reach."""
    return dataclasses.replace(csc, data=csc.data.copy(), indices=csc.indices.copy(), indptr=csc.indptr.copy())
