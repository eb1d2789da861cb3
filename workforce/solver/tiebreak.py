"""The tie-break stage of the solve (models/cohort_planning.md, section 8.5): after every stage of
the objective, minimise Σ intake_change (the year-to-year changes in intake) with the optimum held
to within ``objective.tie_break.tolerance``. The columns and rows are built by
workforce.model.tiebreak; this module gives the stage its cost vector."""

from __future__ import annotations

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


def tie_break_cost(compiled: Compiled, data: ModelData) -> tuple[np.ndarray, float, float]:
    """Cost vector (1 on every intake_change column), offset 0 and the stage's tolerance."""
    cost = np.zeros(compiled.csc.shape[1])
    cost[change_columns(compiled)] = 1.0
    spec = data.scenario.objective.tie_break
    return cost, 0.0, spec.tolerance if spec is not None else 0.0


def bound_tolerance(data: ModelData, stages: list[list[str]], s: int, tol: float) -> float:
    """Tolerance of the bound row added after stage s: the tie-break's own before the tie-break."""
    spec = data.scenario.objective.tie_break
    if spec is not None and s + 1 < len(stages) and stages[s + 1] == [TIE_BREAK]:
        return spec.tolerance
    return tol
