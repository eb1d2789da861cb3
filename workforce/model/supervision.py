"""Which year's stock of the supervising role limits a programme's intake (issue 16, section 5).

``programmes.<p>.supervision_basis`` is ``start`` (the default: the stock at the start of the year,
``stock_prev``) or ``end`` (the stock at the end of the same year, ``stock``: training done on the
job alongside that year's staff). models/cohort_planning.md, sections 7.11 and 21.3.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pyomo.environ as pyo

    from workforce.model.array_expressions import Expressions
    from workforce.model.array_grids import Lin
    from workforce.model.data import ModelData
    from workforce.scenario.schema import Scenario


def prepare_supervision(scenario: Scenario) -> dict[str, Any]:
    """The ModelData field ``SUPERVISION_END``: programmes whose supervision counts the year-end stock."""
    return {"SUPERVISION_END": [p for p, g in scenario.programmes.items()
                                if g.supervision_ratio and g.supervision_basis == "end"]}


def supervisors(m: pyo.ConcreteModel, d: ModelData, p: str, r: str, t: int) -> Any:
    """The supervising role's stock that limits ``p``'s intake in (r, t): start or end of year t."""
    from workforce.model.expressions import stock_prev

    k = d.supervisor_role[p]
    staff = m.stock[k, r, t] if p in d.SUPERVISION_END else stock_prev(m, d, k, r, t)
    if p in d.SUPERVISION_HEADS:  # section 23: the ratio counts people, stock / fte_per_head
        from workforce.model.fte import supervisor_factor

        return supervisor_factor(d, p, t) * staff
    return staff


def supervisor_arrays(d: ModelData, ex: Expressions, p: str) -> Lin:
    """(R, T) grid of :func:`supervisors` in the array construction."""
    k = d.supervisor_role[p]
    staff = ex.var("stock", d.ROLES.index(k)) if p in d.SUPERVISION_END else ex.stock_prev(k)
    if p in d.SUPERVISION_HEADS:  # section 23: the ratio counts people, stock / fte_per_head
        from workforce.model.fte import fte_row

        return staff * (1.0 / fte_row(d, k))
    return staff
