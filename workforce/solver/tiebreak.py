"""The tie-break stage of the solve (models/cohort_planning.md, section 8.5): after every stage of
the objective, minimise Σ intake_change (the year-to-year changes in intake) with the optimum held
to within ``objective.tie_break.tolerance``. The columns and rows are built by
workforce.model.tiebreak; this module gives the stage its cost vector."""

from __future__ import annotations

import hashlib

import numpy as np

from workforce.model.compiled import Compiled
from workforce.model.data import ModelData
from workforce.model.tiebreak import TIE_BREAK, enabled


def with_tie_break(data: ModelData, stages: list[list[str]]) -> list[list[str]]:
    """The solve stages followed by the tie-break stage when the objective asks for one."""
    return [*stages, [TIE_BREAK]] if enabled(data) else stages


def change_columns(compiled: Compiled) -> np.ndarray:
    """Column numbers of ``intake_change`` (array or Pyomo compilation)."""
    layout = getattr(compiled, "layout", None)
    if layout is not None:
        return np.asarray(layout[TIE_BREAK], dtype=np.int64).ravel()
    return np.array([j for j, v in enumerate(compiled.columns) if v.parent_component().name == TIE_BREAK],
                    dtype=np.int64)


EPSILON = 1e-3
"""Scale of the name-derived costs that settle what the intake changes leave open."""


def column_keys(compiled: Compiled) -> list[tuple[str, object]]:
    """(component name, index) of every column, in column order (array or Pyomo compilation)."""
    layout = getattr(compiled, "layout", None)
    if layout is not None:
        return layout.column_keys()
    return [(v.parent_component().name, v.index()) for v in compiled.columns]


def name_weight(name: str, key: object) -> float:
    """A number in [1, 2) fixed by the column's name and index alone (not by its position, so
    listing regions or roles in another order, or adding unrelated ones, leaves it unchanged)."""
    digest = hashlib.sha256(repr((name, key)).encode()).digest()
    return 1.0 + int.from_bytes(digest[:8], "big") / 2.0**64


def tie_break_cost(compiled: Compiled, data: ModelData) -> tuple[np.ndarray, float, float]:
    """Cost vector, offset 0 and the stage's tolerance: 1 on every intake_change column, and
    EPSILON × name_weight on every other column, so that among the smoothest plans one is picked by
    the scenario's names alone (a cost vector in general position has a single optimum)."""
    keys = column_keys(compiled)
    cost = np.array([EPSILON * name_weight(name, key) for name, key in keys])
    cost[change_columns(compiled)] = 1.0
    spec = data.scenario.objective.tie_break
    return cost, 0.0, spec.tolerance if spec is not None else 0.0


def bound_tolerance(data: ModelData, stages: list[list[str]], s: int, tol: float) -> float:
    """Tolerance of the bound row added after stage s: the tie-break's own before the tie-break."""
    spec = data.scenario.objective.tie_break
    if spec is not None and s + 1 < len(stages) and stages[s + 1] == [TIE_BREAK]:
        return spec.tolerance
    return tol



def stage_infeasible_message(s: int, group: list[str]) -> str:
    """What to say when stage s (from 0) finds no plan that keeps the earlier stages' optimum: the
    setting to raise is the tolerance of the bound row that stage solves under."""
    if group == [TIE_BREAK]:
        return (f"the tie-break stage (stage {s + 1}, section 8.5) found no plan that keeps the earlier stages' "
                "optimum; raise objective.tie_break.tolerance (numerical trouble)")
    return (f"stage {s + 1} of the lexicographic objective ({', '.join(group)}) found no plan that keeps the "
            "earlier stages' optimum; raise objective.lexicographic_tolerance (numerical trouble)")
