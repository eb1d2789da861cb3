"""Compiling a study's draws in a process pool: each worker changes its own warm model in place
and sends back plain arrays (Pyomo models stay in the worker, as in sweeps)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from workforce.allow import ALLOWED_FOLDERS
from workforce.model.arrays import CSC
from workforce.scenario.schema import Scenario
from workforce.solver.levers import Lever
from workforce.studies.stochastic.model import LP, column_keys, row_keys


def as_lp(compiled: Any) -> LP:
    """A compiled scenario's arrays and keys, without its Pyomo model."""
    A = compiled.csc
    csc = CSC(np.asarray(A.data, dtype=float), np.asarray(A.indices, dtype=np.int32),
              np.asarray(A.indptr, dtype=np.int32), tuple(A.shape))
    return LP(csc=csc, row_lower=compiled.row_lower, row_upper=compiled.row_upper, col_lower=compiled.col_lower,
              col_upper=compiled.col_upper, term_costs=compiled.term_costs, term_offsets=compiled.term_offsets,
              integrality=compiled.integrality, keys=column_keys(compiled), rows=row_keys(compiled))


def compile_chunk(task: Mapping[str, Any]) -> tuple[list[LP], int]:
    """Compile a chunk of draws in a worker (takes and returns plain data), reading only where
    the planner allowed (``--allow-path``, sent with the task)."""
    from workforce.scenario.paths import allowing

    with allowing(task.get("allow_paths") or ()):
        return _compile_chunk(task)


def _compile_chunk(task: Mapping[str, Any]) -> tuple[list[LP], int]:
    from workforce.scenario import scenario_from_dict
    from workforce.solver.levers import scenario_with
    from workforce.studies.stochastic.scenarios import WarmCompiler

    base = scenario_from_dict(task["scenario"], name=task["scenario_name"])
    levers = {name: Lever(name, tuple(path), op) for name, path, op in task["levers"]}
    compiler = WarmCompiler(base, levers)
    out, rebuilt = [], 0
    for values, name in zip(task["values"], task["names"], strict=True):
        compiled, again = compiler.compile_values(values, scenario_with(task["scenario"], values, levers, name))
        out.append(as_lp(compiled))
        rebuilt += again
    return out, rebuilt


def compile_in_pool(base: Scenario, levers: Mapping[str, Lever], values: Sequence[Mapping[str, float]],
                    names: Sequence[str], workers: int) -> tuple[list[LP], int]:
    """Every draw's LP, in order, compiled on ``workers`` processes."""
    from workforce.studies.pool import default_executor

    data = base.model_dump()
    lever_list = [[n, list(lv.path), lv.op] for n, lv in levers.items()]
    size = -(-len(values) // workers)
    tasks = [{"scenario": data, "scenario_name": base.name, "levers": lever_list,
              "values": [dict(v) for v in values[i:i + size]], "names": list(names[i:i + size]),
              "allow_paths": [str(p) for p in ALLOWED_FOLDERS.get()]}
             for i in range(0, len(values), size)]
    pool = default_executor(workers)
    try:
        results = list(pool.map(compile_chunk, tasks))
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
    return [lp for lps, _ in results for lp in lps], sum(n for _, n in results)
