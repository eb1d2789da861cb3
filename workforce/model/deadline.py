"""Statutory qualification deadlines (models/cohort_planning.md §14), e.g. SENCOs and the NPQ.

Posts counted as ``shortfall`` of a role in ``DEADLINE_ROLES`` are held by unqualified appointees,
tracked by years since appointment a = 0 .. A (A = ``deadline_years``; band A holds everyone at or
past the deadline, i.e. out of compliance). Qualified arrivals (``entrants``) take over posts from
any band; unqualified holders leave at the role's attrition and their posts are refilled (band 0).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from workforce.model.data import ModelData

if TYPE_CHECKING:  # Pyomo loads only when a Pyomo model is built
    import pyomo.environ as pyo

Expr = Any


def add_deadline_variables(m: pyo.ConcreteModel, d: ModelData) -> None:
    """unqualified[k,r,t,a] (a = 0..A) and qualified_in[k,r,t,a] (a = 1..A), both ≥ 0."""
    import pyomo.environ as pyo

    m.DEADLINE_ROLES = pyo.Set(initialize=d.DEADLINE_ROLES, ordered=True)
    bands = [(k, r, t, a) for k in d.DEADLINE_ROLES for r in d.REGIONS for t in d.YEARS
             for a in range(d.deadline_years[k] + 1)]
    m.unqualified = pyo.Var(bands, domain=pyo.NonNegativeReals)
    m.qualified_in = pyo.Var([key for key in bands if key[3] >= 1], domain=pyo.NonNegativeReals)


def unqualified_prev(m: pyo.ConcreteModel, d: ModelData, k: str, r: str, t: int, a: int) -> Expr:
    """Unqualified holders in band a at the end of year t − 1 (the initial split for the first year)."""
    if t == d.first_year:
        return d.unqualified_initial.get((k, r, a), 0.0)
    return m.unqualified[k, r, t - 1, a]


def out_of_compliance(m: pyo.ConcreteModel, d: ModelData, k: str, r: str, t: int) -> Expr:
    """Posts held in year t by someone appointed at least ``deadline_years`` earlier and unqualified."""
    return m.unqualified[k, r, t, d.deadline_years[k]]


def add_unqualified_balance(m: pyo.ConcreteModel, d: ModelData) -> None:
    """unqualified[t,a] = (1 − attrition) × unqualified[t−1,a−1] (+ band A itself for a = A) − qualified_in[t,a]."""
    import pyomo.environ as pyo

    def rule(m, k, r, t, a):
        stay = 1.0 - d.attrition[k, r]
        inflow = unqualified_prev(m, d, k, r, t, a - 1)
        if a == d.deadline_years[k]:
            inflow = inflow + unqualified_prev(m, d, k, r, t, a)
        return m.unqualified[k, r, t, a] == stay * inflow - m.qualified_in[k, r, t, a]

    m.unqualified_balance = pyo.Constraint(list(m.qualified_in.index_set()), rule=rule)


def add_unqualified_total(m: pyo.ConcreteModel, d: ModelData) -> None:
    """Σ_a unqualified[k,r,t,a] ≥ shortfall[k,r,t]: every post without a qualified holder is held by
    an unqualified appointee. Holders whose post is covered by flexible supply stay counted (an
    inequality, so that they never force a shortfall; flexible supply does not end a tenure)."""
    import pyomo.environ as pyo

    index = [(k, r, t) for k in d.DEADLINE_ROLES for r in d.REGIONS for t in d.YEARS]
    m.unqualified_total = pyo.Constraint(
        index,
        rule=lambda m, k, r, t: sum(m.unqualified[k, r, t, a] for a in range(d.deadline_years[k] + 1))
        >= m.shortfall[k, r, t],
    )


def posts_abolished(d: ModelData, k: str, r: str, t: int) -> float:
    """max(0, demand[k,r,t−1] − demand[k,r,t]): posts that disappear in year t (0 in the first year)."""
    if t == d.first_year:
        return 0.0
    return max(0.0, d.demand[k, r, t - 1] - d.demand[k, r, t])


def add_qualified_in_limit(m: pyo.ConcreteModel, d: ModelData) -> None:
    """Σ_a qualified_in[k,r,t,a] ≤ entrants[k,r,t] + posts_abolished[k,r,t]: an unqualified tenure
    ends only when a qualified arrival takes the post or the post disappears."""
    import pyomo.environ as pyo

    from workforce.model.expressions import entrants

    index = [(k, r, t) for k in d.DEADLINE_ROLES for r in d.REGIONS for t in d.YEARS]
    m.qualified_in_limit = pyo.Constraint(
        index,
        rule=lambda m, k, r, t: sum(m.qualified_in[k, r, t, a] for a in range(1, d.deadline_years[k] + 1))
        <= entrants(m, d, k, r, t) + posts_abolished(d, k, r, t),
    )


def add_statutory_deadline(m: pyo.ConcreteModel, d: ModelData) -> None:
    """out_of_compliance ≤ 0 for roles whose deadline is required (mode ``require``)."""
    import pyomo.environ as pyo

    index = [(k, r, t) for k in d.DEADLINE_ROLES if d.deadline_mode[k] == "require" for r in d.REGIONS for t in d.YEARS]
    m.statutory_deadline = pyo.Constraint(index, rule=lambda m, k, r, t: out_of_compliance(m, d, k, r, t) <= 0)


def breach_penalty(m: pyo.ConcreteModel, d: ModelData) -> Expr:
    """Σ penalty_breach[k] × out_of_compliance: added to the shortfall term (mode ``penalise``)."""
    from workforce.model.discount import weigh  # section 8.7

    return sum(weigh(d, t, d.penalty_breach[k] * out_of_compliance(m, d, k, r, t))
               for k in d.DEADLINE_ROLES if d.penalty_breach[k] for r in d.REGIONS for t in d.YEARS)


def add_deadlines(m: pyo.ConcreteModel, d: ModelData) -> None:
    add_unqualified_balance(m, d)
    add_unqualified_total(m, d)
    add_qualified_in_limit(m, d)
    add_statutory_deadline(m, d)
