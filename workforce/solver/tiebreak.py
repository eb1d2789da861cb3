"""The tie-break stage of the solve (models/cohort_planning.md, section 8.5): after every stage of
the objective, minimise Σ intake_change (the year-to-year changes in intake) with the optimum held
to within ``objective.tie_break.tolerance``. The columns and rows are built by
workforce.model.tiebreak; this module gives the stage its cost vector, and holds a linear
programme's optimum by its optimal face where the tolerance is 0."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

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


FACE_DUAL = 1e-9
"""Reduced costs and row duals of at most this magnitude count as zero when the optimum is held by
its optimal face (:func:`hold_optimal_face`)."""


def by_face(data: ModelData, stages: list[list[str]], s: int, compiled: Compiled, warm: bool) -> bool:
    """Whether the optimum of stage s is held by its optimal face rather than a bound row: the next
    stage is the tie-break, its tolerance is 0, the model is a linear programme (HiGHS then holds the
    stage's duals) and HiGHS is the run's own (a warm study keeps its model's bounds as they are)."""
    spec = data.scenario.objective.tie_break
    return (not warm and compiled.integrality is None and spec is not None and spec.tolerance == 0
            and s + 1 < len(stages) and stages[s + 1] == [TIE_BREAK])


def hold_optimal_face(h: Any) -> Callable[[], None]:
    """Restrict HiGHS's linear programme to the optimal face of the stage it has just solved
    (formulation section 8.5): by complementary slackness a feasible plan keeps the optimum exactly
    when every column with a nonzero reduced cost stays at its bound and every row with a nonzero
    dual stays at its bound, for one optimal dual solution. Fixes those columns and rows at the
    bound they are at, clears the solver (so that presolve removes them) and returns what gives
    them their own bounds back. No row over the whole objective is added: on the 153-authority
    England scenario that row made the tie-break stage 13 s of a 15 s run."""
    sol, lp = h.getSolution(), h.getLp()
    restore = []
    for value, dual, lower, upper, change in (
        (sol.col_value, sol.col_dual, lp.col_lower_, lp.col_upper_, h.changeColsBounds),
        (sol.row_value, sol.row_dual, lp.row_lower_, lp.row_upper_, h.changeRowsBounds),
    ):
        value, lower, upper = np.asarray(value), np.asarray(lower), np.asarray(upper)
        idx = np.flatnonzero((np.abs(np.asarray(dual)) > FACE_DUAL) & (lower < upper)).astype(np.int32)
        at = np.where(np.abs(value[idx] - lower[idx]) <= np.abs(value[idx] - upper[idx]), lower[idx], upper[idx])
        restore.append((change, (len(idx), idx, lower[idx].copy(), upper[idx].copy())))
        change(len(idx), idx, at, at)
    h.clearSolver()

    def undo() -> None:
        for change, args in restore:
            change(*args)

    return undo
