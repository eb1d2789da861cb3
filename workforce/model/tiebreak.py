"""The tie-break stage (models/cohort_planning.md, section 8.5): one plan among equally good ones.

With ``objective.tie_break`` the model gains, for every programme p, region r and year t after the
first, a column ``intake_change[p,r,t] ≥ 0`` and two rows that make it at least the absolute
year-to-year change in intake:

    intake_change[p,r,t] − intake[p,r,t] + intake[p,r,t−1] ≥ 0     (intake_change_up)
    intake_change[p,r,t] + intake[p,r,t] − intake[p,r,t−1] ≥ 0     (intake_change_down)

The columns cost nothing in the objective's terms. The solve stage (workforce.solver.core) adds a
last stage that minimises Σ intake_change with every earlier stage held at its optimum (the last
one within ``tie_break.tolerance``), so at the plan intake_change = |intake[t] − intake[t−1]|. Both
constructions take their keys from :func:`change_keys`; the array rows are in
workforce.model.tiebreak_arrays.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from workforce.model.data import ModelData

if TYPE_CHECKING:  # Pyomo loads only when a Pyomo model is built
    import pyomo.environ as pyo

TIE_BREAK = "intake_change"
"""Name of the tie-break stage and of its columns."""


def enabled(d: ModelData) -> bool:
    return d.scenario.objective.tie_break is not None


def change_keys(d: ModelData) -> list[tuple[str, str, int]]:
    """(p, r, t) for every programme, region and year after the first (none without a tie-break)."""
    if not enabled(d):
        return []
    return [(p, r, t) for p in d.PROGRAMMES for r in d.REGIONS for t in d.YEARS[1:]]


def add_tie_break(m: pyo.ConcreteModel, d: ModelData) -> None:
    """intake_change[p,r,t] ≥ |intake[p,r,t] − intake[p,r,t−1]| (two rows each)."""
    import pyomo.environ as pyo

    m.CHANGE_KEYS = pyo.Set(initialize=change_keys(d), dimen=3, ordered=True)
    m.intake_change = pyo.Var(m.CHANGE_KEYS, domain=pyo.NonNegativeReals)

    def up(m: pyo.ConcreteModel, p: str, r: str, t: int) -> Any:
        return m.intake_change[p, r, t] - m.intake[p, r, t] + m.intake[p, r, t - 1] >= 0

    def down(m: pyo.ConcreteModel, p: str, r: str, t: int) -> Any:
        return m.intake_change[p, r, t] + m.intake[p, r, t] - m.intake[p, r, t - 1] >= 0

    m.intake_change_up = pyo.Constraint(m.CHANGE_KEYS, rule=up)
    m.intake_change_down = pyo.Constraint(m.CHANGE_KEYS, rule=down)
    add_intake_change_limit(m, d)


def limit_keys(d: ModelData) -> list[tuple[str, int]]:
    """(p, t) for every programme with ``max_intake_change`` and every year after the first."""
    return [(p, t) for p in d.PROGRAMMES if change_limit(d, p) is not None for t in d.YEARS[1:]]


def change_limit(d: ModelData, p: str) -> float | None:
    return d.scenario.programmes[p].max_intake_change


def add_intake_change_limit(m: pyo.ConcreteModel, d: ModelData) -> None:
    """Σ_r intake[p,r,t] − Σ_r intake[p,r,t−1] ≤ max (intake_change_rise) and ≥ −max
    (intake_change_fall), section 8.6."""
    import pyomo.environ as pyo

    def change(m: pyo.ConcreteModel, p: str, t: int) -> Any:
        return sum(m.intake[p, r, t] for r in d.REGIONS) - sum(m.intake[p, r, t - 1] for r in d.REGIONS)

    m.intake_change_rise = pyo.Constraint(limit_keys(d), rule=lambda m, p, t: change(m, p, t) <= change_limit(d, p))
    m.intake_change_fall = pyo.Constraint(limit_keys(d), rule=lambda m, p, t: change(m, p, t) >= -change_limit(d, p))


def total_change(intake: Any, programmes: list[str], regions: list[str], years: list[int]) -> float:
    """Σ |intake[p,r,t] − intake[p,r,t−1]| over the plan's ``intake`` table: the value the
    tie-break stage reaches at the plan."""
    value = intake["intake"]
    return float(sum(abs(float(value[p, r, t]) - float(value[p, r, t - 1]))
                     for p in programmes for r in regions for t in years[1:]))
