"""ModelData → Pyomo model of the workforce and its training pipelines.

``build_model`` reads like the table of contents of ``models/cohort_planning.md``: it creates the
sets and variables, then calls one ``add_<constraint>`` per constraint family, in the order the
document gives them. Every component has the document's name. Data are plain dicts (no Param
components) and garbage collection is paused during the build, which keeps construction fast.
"""

from __future__ import annotations

from typing import Any

import pyomo.environ as pyo
from pyomo.common.gc_manager import PauseGC

from workforce.model.calendar import add_calendar_variables, add_fy_budget_limit, add_intake_split
from workforce.model.capacity_years import trainees
from workforce.model.data import ModelData
from workforce.model.deadline import add_deadline_variables, add_deadlines
from workforce.model.expressions import entrants, leavers, retraining, spend, stock_prev, terms
from workforce.model.fte import in_fte
from workforce.model.horizon import add_post_horizon
from workforce.model.movement import moved_in, moved_out, movement_roles
from workforce.model.moves import (
    add_move_limit,
    add_move_variables,
    move_origin_rows,
    move_roles,
    moves_out,
    net_moves,
)
from workforce.model.policy import add_cohort_variables, add_policy
from workforce.model.requirement import add_requirement_limit
from workforce.model.steady_state import add_steady_state
from workforce.model.supervision import supervisors
from workforce.model.tenure import add_tenure_established
from workforce.model.tiebreak import add_tie_break
from workforce.scenario.schema import TERMS


def build_model(data: ModelData) -> pyo.ConcreteModel:
    """Build the linear programme for ``data`` (see models/cohort_planning.md)."""
    with PauseGC():
        m = pyo.ConcreteModel(name=data.scenario.name)
        m.data = data
        add_sets(m, data)
        add_variables(m, data)
        add_cohort_variables(m, data)
        add_deadline_variables(m, data)
        add_calendar_variables(m, data)
        add_move_variables(m, data)
        add_stock_balance(m, data)
        add_outflow_limit(m, data)
        add_tenure_established(m, data)
        add_demand_balance(m, data)
        add_surplus_limit(m, data)
        add_requirement_limit(m, data)
        add_surplus_group_limit(m, data)
        add_hires_limit(m, data)
        add_exits_limit(m, data)
        add_move_limit(m, data)
        add_flex_limit(m, data)
        add_places_limit(m, data)
        add_national_places_limit(m, data)
        add_supervision_limit(m, data)
        add_intake_minimum(m, data)
        add_intake_maximum(m, data)
        add_budget_limit(m, data)
        add_envelope_limit(m, data)
        add_policy(m, data)
        add_deadlines(m, data)
        add_intake_split(m, data)
        add_fy_budget_limit(m, data)
        add_post_horizon(m, data)
        add_tie_break(m, data)
        add_steady_state(m, data)
        add_objective(m, data)
    return m


def add_sets(m: pyo.ConcreteModel, d: ModelData) -> None:
    """ROLES (k), REGIONS (r), YEARS (t), PROGRAMMES (p), STREAMS (f), FLEX ((k, o))."""
    m.ROLES = pyo.Set(initialize=d.ROLES, ordered=True)
    m.REGIONS = pyo.Set(initialize=d.REGIONS, ordered=True)
    m.YEARS = pyo.Set(initialize=d.YEARS, ordered=True)
    m.PROGRAMMES = pyo.Set(initialize=d.PROGRAMMES, ordered=True)
    m.STREAMS = pyo.Set(initialize=d.STREAMS, ordered=True)
    m.FLEX = pyo.Set(initialize=d.FLEX, dimen=2, ordered=True)
    m.HIRING_ROLES = pyo.Set(initialize=sorted({k for k, _, _ in d.hires_max}, key=d.ROLES.index), ordered=True)
    m.EXIT_ROLES = pyo.Set(initialize=[k for k in d.ROLES if d.exits_enabled[k]], ordered=True)


def add_variables(m: pyo.ConcreteModel, d: ModelData) -> None:
    """Decision variables, all non-negative and continuous."""
    nn = pyo.NonNegativeReals
    m.intake = pyo.Var(m.PROGRAMMES, m.REGIONS, m.YEARS, domain=nn)
    m.stock = pyo.Var(m.ROLES, m.REGIONS, m.YEARS, domain=nn)
    m.hires = pyo.Var(m.HIRING_ROLES, m.REGIONS, m.YEARS, domain=nn)
    m.exits = pyo.Var(m.EXIT_ROLES, m.REGIONS, m.YEARS, domain=nn)
    m.flex = pyo.Var(m.FLEX, m.REGIONS, m.YEARS, domain=nn)
    m.shortfall = pyo.Var(m.ROLES, m.REGIONS, m.YEARS, domain=nn)
    m.surplus = pyo.Var(m.ROLES, m.REGIONS, m.YEARS, domain=nn)


def add_stock_balance(m: pyo.ConcreteModel, d: ModelData) -> None:
    r"""stock[k,r,t] = stock_prev − leavers + entrants − retraining − exits.

    .. math:: S_{krt} = S_{kr,t-1} - L_{krt} + E_{krt} - R_{krt} - X_{krt}
    """

    def rule(m, k, r, t):
        out = retraining(m, d, k, r, t)
        if k in m.EXIT_ROLES:
            out = out + in_fte(d, k, t, m.exits[k, r, t])
        if k in moving:  # section 21.4: staff moving between regions
            out = out + moved_out(m, d, k, r, t) - moved_in(m, d, k, r, t)
        if k in moves:  # section 24: moves between regions as decisions
            out = out - net_moves(m, d, k, r, t)
        return m.stock[k, r, t] == stock_prev(m, d, k, r, t) - leavers(m, d, k, r, t) + entrants(m, d, k, r, t) - out

    moving = set(movement_roles(d))
    moves = set(move_roles(d))

    m.stock_balance = pyo.Constraint(m.ROLES, m.REGIONS, m.YEARS, rule=rule)


def add_outflow_limit(m: pyo.ConcreteModel, d: ModelData) -> None:
    """Retraining starts and exits cannot exceed the staff who stayed from last year."""
    moves = set(move_roles(d))
    roles = [k for k in d.ROLES if k in m.EXIT_ROLES or k in d.source_of.values()]
    index = [(k, r, t) for k in roles for r in d.REGIONS for t in d.YEARS] + move_origin_rows(d, roles)

    def rule(m, k, r, t):
        out = retraining(m, d, k, r, t)
        if k in m.EXIT_ROLES:
            out = out + in_fte(d, k, t, m.exits[k, r, t])
        if k in moves:  # section 24: people moved out come from the staff who stayed
            out = out + in_fte(d, k, t, moves_out(m, d, k, r, t))
        return out <= stock_prev(m, d, k, r, t) - leavers(m, d, k, r, t) - moved_out(m, d, k, r, t)

    m.outflow_limit = pyo.Constraint(index, rule=rule)


def add_demand_balance(m: pyo.ConcreteModel, d: ModelData) -> None:
    """stock + flexible supply + shortfall − surplus = demand."""

    def rule(m, k, r, t):
        flex = sum(d.fte_per_unit[kk, o] * m.flex[kk, o, r, t] for kk, o in d.FLEX if kk == k)
        return m.stock[k, r, t] + flex + m.shortfall[k, r, t] - m.surplus[k, r, t] == d.demand[k, r, t]

    m.demand_balance = pyo.Constraint(m.ROLES, m.REGIONS, m.YEARS, rule=rule)


def add_surplus_limit(m: pyo.ConcreteModel, d: ModelData) -> None:
    """surplus ≤ surplus_max, where a role caps its surplus."""
    m.surplus_limit = pyo.Constraint(
        list(d.surplus_max), rule=lambda m, k, r, t: m.surplus[k, r, t] <= d.surplus_max[k, r, t]
    )


def add_surplus_group_limit(m: pyo.ConcreteModel, d: ModelData) -> None:
    """Σ_{k in group} surplus ≤ group max."""
    index = [(g, r, t) for g in d.surplus_groups for r in d.REGIONS for t in d.YEARS]

    def rule(m, g, r, t):
        roles, cap = d.surplus_groups[g]
        return sum(m.surplus[k, r, t] for k in roles) <= cap[r, t]

    m.surplus_group_limit = pyo.Constraint(index, rule=rule)


def add_hires_limit(m: pyo.ConcreteModel, d: ModelData) -> None:
    """hires ≤ hires_max."""
    m.hires_limit = pyo.Constraint(list(d.hires_max), rule=lambda m, k, r, t: m.hires[k, r, t] <= d.hires_max[k, r, t])


def add_exits_limit(m: pyo.ConcreteModel, d: ModelData) -> None:
    """exits ≤ exits_max, where exits are enabled and capped."""
    m.exits_limit = pyo.Constraint(list(d.exits_max), rule=lambda m, k, r, t: m.exits[k, r, t] <= d.exits_max[k, r, t])


def add_flex_limit(m: pyo.ConcreteModel, d: ModelData) -> None:
    """flex ≤ flex_max."""
    m.flex_limit = pyo.Constraint(
        list(d.flex_max), rule=lambda m, k, o, r, t: m.flex[k, o, r, t] <= d.flex_max[k, o, r, t]
    )


def add_places_limit(m: pyo.ConcreteModel, d: ModelData) -> None:
    """trainees counted (starters by default) ≤ places_max (training places per region and year)."""
    m.places_limit = pyo.Constraint(
        list(d.places_max), rule=lambda m, p, r, t: trainees(m, d, "places", p, r, t) <= d.places_max[p, r, t]
    )


def add_national_places_limit(m: pyo.ConcreteModel, d: ModelData) -> None:
    """Σ_r trainees counted (starters by default) ≤ national_places_max."""
    m.national_places_limit = pyo.Constraint(
        list(d.national_places_max),
        rule=lambda m, p, t: sum(trainees(m, d, "national_places", p, r, t) for r in d.REGIONS)
        <= d.national_places_max[p, t],
    )


def add_supervision_limit(m: pyo.ConcreteModel, d: ModelData) -> None:
    """intake ≤ supervision_ratio × stock of the supervising role at the start of the year."""
    index = [(p, r, t) for p in d.supervision_ratio for r in d.REGIONS for t in d.YEARS]

    def rule(m, p, r, t):
        return trainees(m, d, "supervision", p, r, t) <= d.supervision_ratio[p] * supervisors(m, d, p, r, t)

    m.supervision_limit = pyo.Constraint(index, rule=rule)


def add_intake_minimum(m: pyo.ConcreteModel, d: ModelData) -> None:
    """intake ≥ intake_min."""
    m.intake_minimum = pyo.Constraint(
        [key for key, v in d.intake_min.items() if v > 0],
        rule=lambda m, p, r, t: m.intake[p, r, t] >= d.intake_min[p, r, t],
    )


def add_intake_maximum(m: pyo.ConcreteModel, d: ModelData) -> None:
    """intake ≤ intake_max."""
    m.intake_maximum = pyo.Constraint(
        list(d.intake_max), rule=lambda m, p, r, t: m.intake[p, r, t] <= d.intake_max[p, r, t]
    )


def _money_limit(expr: Any, bound: float, name: str, index: tuple[Any, ...], d: ModelData) -> Any:
    """``expr ≤ bound``; a stream that pays for no decision has a constant spend (committed costs
    only, or nothing): skip the row when the constant fits, and say so plainly when it does not."""
    if not is_constant_expr(expr):
        return expr <= bound
    committed = float(pyo.value(expr))
    if committed <= bound * (1 + 1e-9) + 1e-9:
        return pyo.Constraint.Skip
    from workforce.errors import Conflict, InfeasibleScenarioError
    from workforce.model.rows import KIND_NAMES, describe

    meaning = describe(name, index, d)
    file, line = d.scenario.source_of(meaning.path)
    raise InfeasibleScenarioError(
        "the scenario is infeasible whatever the plan does: costs already committed (cohorts in "
        "training before the horizon) exceed a budget",
        [Conflict(kind=KIND_NAMES[name], description=meaning.label, amount=committed - bound, unit="£k",
                  file=file, line=line, key=".".join(map(str, meaning.path)))],
    )


def is_constant_expr(expr: Any) -> bool:
    return isinstance(expr, int | float) or (hasattr(expr, "is_constant") and expr.is_constant())


def add_budget_limit(m: pyo.ConcreteModel, d: ModelData) -> None:
    """spend[f,t] ≤ budget[f,t]."""
    m.budget_limit = pyo.Constraint(
        [key for key in d.budget if key[0] not in d.FY_STREAMS],
        rule=lambda m, f, t: _money_limit(spend(m, d, f, t), d.budget[f, t], "budget_limit", (f, t), d),
    )


def add_envelope_limit(m: pyo.ConcreteModel, d: ModelData) -> None:
    """Σ_t spend[f,t] ≤ envelope[f], over the reported years (section 10.4: all years without plan_to)."""
    from workforce.scenario.horizon_extend import envelope_years

    years = envelope_years(d.YEARS)
    m.envelope_limit = pyo.Constraint(
        list(d.envelope),
        rule=lambda m, f: _money_limit(sum(spend(m, d, f, t) for t in years), d.envelope[f], "envelope_limit", (f,), d),
    )


def add_objective(m: pyo.ConcreteModel, d: ModelData) -> None:
    """objective = Σ_term weight[term] × term; each term is also an (inactive) objective of its own.

    ``objective_term[term]`` lets the solver stage read every term's coefficients in one pass
    (for lexicographic optimisation and for reporting each term's value).
    """
    expressions = terms(m, d)
    m.objective = pyo.Objective(expr=sum(d.weights[t] * expressions[t] for t in TERMS), sense=pyo.minimize)
    m.TERMS = pyo.Set(initialize=list(TERMS), ordered=True)
    m.objective_term = pyo.Objective(m.TERMS, rule=lambda m, t: expressions[t], sense=pyo.minimize)
    m.objective_term.deactivate()
