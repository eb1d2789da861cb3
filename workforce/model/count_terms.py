"""Objective terms that count people (issue 16, section 5; models/cohort_planning.md, section 21.2).

    exit_count     = Σ exits[k,r,t]            (redundancies and early releases)
    hire_count     = Σ hires[k,r,t]
    starter_count  = Σ intake[p,r,t]           (starters of every programme)
    flexible_count = Σ flex[k,o,r,t]           (units of every flexible-supply option)

summed over the horizon's regions and years. They are people, not money: a count term has weight 0
in the objective unless ``objective.weights`` gives it one or ``objective.lexicographic`` lists it
(then weight 1 unless given), so scenarios that do not name them solve as before.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pyomo.environ as pyo

    from workforce.model.array_expressions import Expressions
    from workforce.model.array_grids import Columns, Lin
    from workforce.model.data import ModelData

COUNT_TERMS = ("exit_count", "hire_count", "starter_count", "flexible_count")


def count_terms(m: pyo.ConcreteModel, d: ModelData) -> dict[str, Any]:
    """The count terms as Pyomo expressions."""
    regions, years = d.REGIONS, d.YEARS
    return {
        "exit_count": sum(m.exits[k, r, t] for k in m.EXIT_ROLES for r in regions for t in years),
        "hire_count": sum(m.hires[k, r, t] for k in m.HIRING_ROLES for r in regions for t in years),
        "starter_count": sum(m.intake[p, r, t] for p in d.PROGRAMMES for r in regions for t in years),
        "flexible_count": sum(m.flex[k, o, r, t] for k, o in d.FLEX for r in regions for t in years),
    }


def add_count_arrays(d: ModelData, cols: Columns, ex: Expressions, add: Callable[[str, Lin], None]) -> None:
    """The count terms in the array construction, column for column as :func:`count_terms`."""
    for i, _k in enumerate(cols.exit_roles):
        add("exit_count", ex.var("exits", i))
    for i, _k in enumerate(cols.hiring_roles):
        add("hire_count", ex.var("hires", i))
    for i, _p in enumerate(d.PROGRAMMES):
        add("starter_count", ex.var("intake", i))
    for i, _o in enumerate(d.FLEX):
        add("flexible_count", ex.var("flex", i))
