"""Explain a plan picked by the tie-break stage (models/cohort_planning.md, section 8.5).

The tie-break's own objective (Σ intake_change plus tiny name-derived costs) means nothing to a
planner, so an explanation reports the main stages only, at the plan the tie-break returned:

* the marginal values and their ranging are the main stage's duals. By LP duality every optimal
  dual solution is complementary to every optimal plan, so a main-stage dual is a marginal value
  of the main objective at the tie-break's plan as much as at the vertex HiGHS met first (both lie
  on the optimal face; with ``tie_break.tolerance`` > 0 the plan may lie up to that fraction off
  it, and the values are the optimum's). Where the optimum is degenerate the dual is one of
  several valid ones, as it is without a tie-break;
* what is used, the slack and whether a limit binds are read at the plan returned, not at the
  main stage's vertex (a limit with a value binds at both, by complementary slackness);
* one note says that a tie-break picked the plan among equally good ones and how far it moved the
  main objective (0 with the default tolerance).
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any

import numpy as np

from workforce.model.tiebreak import TIE_BREAK
from workforce.solver.policy import stage_cost
from workforce.solver.stage_check import stage_value

if TYPE_CHECKING:
    from workforce.explain.marginal import Stage
    from workforce.model.compiled import Compiled
    from workforce.model.data import ModelData
    from workforce.plan.solution import SolveInfo


def without_tie_break(compiled: Compiled, data: ModelData) -> tuple[Compiled, ModelData]:
    """The LP the main stages solve, for their duals: the tie-break's rows made free (always basic,
    so they neither bind nor add degenerate vertices where intake is flat) and its columns, which
    then appear in no row, left at 0 at no cost; and the data without the tie-break stage. The
    main stages' duals and ranging are then those of the scenario without ``objective.tie_break``.
    Unchanged without a tie-break."""
    if data.scenario.objective.tie_break is None:
        return compiled, data
    names = (f"{TIE_BREAK}_up", f"{TIE_BREAK}_down")
    free = np.array([con.parent_component().name in names for con in compiled.rows], dtype=bool)
    lower, upper = compiled.row_lower.copy(), compiled.row_upper.copy()
    lower[free], upper[free] = -np.inf, np.inf
    objective = data.scenario.objective.model_copy(update={"tie_break": None})
    scenario = data.scenario.model_copy(update={"objective": objective})
    return (dataclasses.replace(compiled, row_lower=lower, row_upper=upper),
            dataclasses.replace(data, scenario=scenario))


def is_tie_break(stage: Stage) -> bool:
    return stage.terms == [TIE_BREAK]


def main_stages(
    compiled: Compiled, data: ModelData, stages: list[Stage], plan: SolveInfo
) -> tuple[list[Stage], str | None]:
    """The main stages (solved by :func:`without_tie_break`'s LP), each read at the plan returned
    (activities and column values of ``plan.x``), and the note that says a tie-break picked it;
    ``stages`` unchanged and no note without a tie-break."""
    if data.scenario.objective.tie_break is None:
        return stages, None
    stages = [st for st in stages if not is_tie_break(st)]
    x = np.asarray(plan.x, dtype=float)
    activity = np.asarray(compiled.csc @ x, dtype=float)[: len(compiled.rows)]
    kept = [dataclasses.replace(st, x=x.copy(), activity=activity.copy()) for st in stages]
    moved = [(st, _value_at(compiled, data, st, x)) for st in kept]
    return kept, tie_break_note(data, moved, _intake_change(plan))


def _value_at(compiled: Compiled, data: ModelData, stage: Stage, x: np.ndarray) -> float:
    cost, offset, _ = stage_cost(compiled, data, stage.terms)
    return stage_value(cost, offset, x)


def _intake_change(final: SolveInfo) -> float | None:
    logged: list[dict[str, Any]] = [s for s in final.stages if s.get("terms") == [TIE_BREAK]]
    return float(logged[-1]["intake_change"]) if logged and "intake_change" in logged[-1] else None


def tie_break_note(data: ModelData, moved: list[tuple[Stage, float]], change: float | None) -> str:
    """One line: a tie-break picked this plan, and how far it moved each main stage's objective."""
    spec = data.scenario.objective.tie_break
    tolerance = spec.tolerance if spec is not None else 0.0
    several = len(moved) > 1
    parts = []
    for stage, at_plan in moved:
        unit = stage.objective.rsplit("(", 1)[-1].rstrip(")") if "(" in stage.objective else ""
        label = f"stage {stage.stage} " if several else ""
        parts.append(f"{label}{_amount(at_plan)} {unit} at this plan, {_amount(at_plan - stage.value, signed=True)} "
                     "from the optimum".replace("  ", " "))
    smooth = f"; its year-to-year change in intake is {_amount(change)} starters" if change is not None else ""
    return (
        "A tie-break stage (objective.tie_break, models/cohort_planning.md section 8.5) picked this plan among "
        f"equally good ones (tolerance {tolerance:g}): the objective is {'; '.join(parts)}{smooth}. Every value "
        "below is the objective's at this plan, not the tie-break's."
    )


def _amount(v: float | None, signed: bool = False) -> str:
    """'4,560,685.0', '+0', '2,093.6': one decimal, thousands separated (what the run summary shows)."""
    if v is None:
        return "-"
    if abs(v) < 0.05:
        return "+0" if signed else "0"
    return f"{v:+,.1f}" if signed else f"{v:,.1f}"
