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
    out = {
        "exit_count": lambda: sum(m.exits[k, r, t] for k in m.EXIT_ROLES for r in regions for t in years),
        "hire_count": lambda: sum(m.hires[k, r, t] for k in m.HIRING_ROLES for r in regions for t in years),
        "starter_count": lambda: sum(m.intake[p, r, t] for p in d.PROGRAMMES for r in regions for t in years),
        "flexible_count": lambda: sum(m.flex[k, o, r, t] for k, o in d.FLEX for r in regions for t in years),
    }
    return {term: make() if used(d, term) else 0.0 for term, make in out.items()}


def used(d: ModelData, term: str) -> bool:
    """Whether the objective names the count term (a weight, or a lexicographic stage): only then
    is it built, and reported non-zero."""
    return d.weights[term] != 0


def add_count_arrays(d: ModelData, cols: Columns, ex: Expressions, add: Callable[[str, Lin], None]) -> None:
    """The count terms in the array construction, column for column as :func:`count_terms`."""
    blocks = {"exit_count": ("exits", cols.exit_roles), "hire_count": ("hires", cols.hiring_roles),
              "starter_count": ("intake", d.PROGRAMMES), "flexible_count": ("flex", d.FLEX)}
    for term, (var, keys) in blocks.items():
        if used(d, term):
            for i, _key in enumerate(keys):
                add(term, ex.var(var, i))
