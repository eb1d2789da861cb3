"""Linear expressions shared by several constraints (names as in models/cohort_planning.md)."""

from __future__ import annotations

from typing import Any

import pyomo.environ as pyo
from pyomo.core.expr.numeric_expr import LinearExpression, MonomialTermExpression

from workforce.model.data import ModelData

Expr = Any


def starters(m: pyo.ConcreteModel, d: ModelData, p: str, r: str, year: int) -> Expr:
    """Trainees who started programme p in region r in ``year`` (a constant before the horizon)."""
    if year >= d.first_year:
        return m.intake[p, r, year] if year <= d.YEARS[-1] else 0.0
    return d.intake_prior.get((p, r, year), 0.0)


def completions(m: pyo.ConcreteModel, d: ModelData, p: str, r: str, t: int) -> Expr:
    """completion_rate[p] × starters in year t − duration[p]."""
    if p in d.duration_months:
        from workforce.model.calendar import calendar_completions

        return calendar_completions(m, d, p, r, t)
    return d.completion_rate[p] * starters(m, d, p, r, t - d.duration[p])


def entrants(m: pyo.ConcreteModel, d: ModelData, k: str, r: str, t: int) -> Expr:
    """New staff in post in year t: completions of programmes into k, plus hires.

    Built once per (k, r, t) as one flat linear expression and reused: the stock balance of year t
    and the leavers of year t + 1 both need it.
    """
    if t < d.first_year:
        return 0.0
    cache = _cache(m, "entrants")
    key = (k, r, t)
    if key not in cache:
        parts = [completions(m, d, p, r, t) for p in d.programmes_into[k]]
        if k in m.HIRING_ROLES:
            parts.append(m.hires[k, r, t])
        cache[key] = _linear(parts)
        if d.fte_per_head:  # section 23: people joining an FTE role add fte_per_head each
            from workforce.model.fte import in_fte

            cache[key] = in_fte(d, k, t, cache[key])
    return cache[key]


def stock_prev(m: pyo.ConcreteModel, d: ModelData, k: str, r: str, t: int) -> Expr:
    """Stock at the end of year t − 1 (the initial stock for the first year)."""
    return d.stock_initial[k, r] if t == d.first_year else m.stock[k, r, t - 1]


def leavers(m: pyo.ConcreteModel, d: ModelData, k: str, r: str, t: int) -> Expr:
    """attrition × established stock + attrition_new × last year's entrants.

    The initial stock counts as established; entrants of year t − 1 leave at the first-year rate.
    """
    if k in d.tenure_bands:
        from workforce.model.tenure import tenure_leavers

        return tenure_leavers(m, d, k, r, t)
    a, a_new = d.attrition[k, r], d.attrition_new[k, r]
    if t == d.first_year:
        return a * d.stock_initial[k, r]
    prev_entrants = entrants(m, d, k, r, t - 1)
    # a × (stock − entrants) + a_new × entrants, written as one flat linear expression.
    return _linear([MonomialTermExpression((a, m.stock[k, r, t - 1])), *_scaled(prev_entrants, a_new - a)])


def retraining(m: pyo.ConcreteModel, d: ModelData, k: str, r: str, t: int) -> Expr:
    """Starters on programmes that retrain staff out of role k."""
    heads = sum(m.intake[p, r, t] for p in d.programmes_from[k])
    if d.fte_per_head:  # section 23: each starter takes fte_per_head[k,t] from role k
        from workforce.model.fte import in_fte

        return in_fte(d, k, t, heads)
    return heads


def _cache(m: pyo.ConcreteModel, name: str) -> dict[Any, Expr]:
    caches = m.__dict__.setdefault("_expression_cache", {})
    return caches.setdefault(name, {})


def _is_term(part: Any) -> bool:
    return isinstance(part, int | float) or type(part) is MonomialTermExpression or part.is_variable_type()


def _linear(parts: list[Any]) -> Expr:
    """Sum of numbers, variables and monomials (c × var) as one flat LinearExpression, which the
    standard-form compiler reads without recursing; anything else is summed as usual."""
    flat: list[Any] = []
    for part in parts:
        if type(part) is LinearExpression:
            flat.extend(part.args)
        elif _is_term(part):
            flat.append(part)
        else:
            return sum(parts)
    return LinearExpression(flat) if flat else 0.0


def _scaled(expr: Expr, factor: float) -> list[Any]:
    """The terms of ``factor × expr`` for a number, variable, monomial or LinearExpression."""
    if factor == 0:
        return []
    terms = expr.args if type(expr) is LinearExpression else [expr]
    out: list[Any] = []
    for term in terms:
        if isinstance(term, int | float):
            out.append(factor * term)
        elif type(term) is MonomialTermExpression:
            out.append(MonomialTermExpression((factor * term.args[0], term.args[1])))
        elif term.is_variable_type():
            out.append(MonomialTermExpression((factor, term)))
        else:
            return [factor * expr]
    return out


def spend(m: pyo.ConcreteModel, d: ModelData, f: str, t: int) -> Expr:
    """Money stream f pays in year t (£k): course costs of every cohort in training that year,
    plus hiring, flexible supply and exits assigned to f."""
    if d.duration_months:
        from workforce.model.calendar import calendar_course_spend

        return course_spend(m, d, f, t) + calendar_course_spend(m, d, f, t) + other_spend(m, d, f, t)
    return course_spend(m, d, f, t) + other_spend(m, d, f, t)


def course_spend(m: pyo.ConcreteModel, d: ModelData, f: str, t: int) -> Expr:
    """Course costs stream f pays in academic year t for programmes without a calendar."""
    total: Expr = 0.0
    for (p, y, stream), cost in d.cost_course.items():
        if stream == f and p not in d.duration_months:
            total = total + cost * sum(starters(m, d, p, r, t - y + 1) for r in d.REGIONS)
    return total


def other_spend(m: pyo.ConcreteModel, d: ModelData, f: str, t: int) -> Expr:
    """Hiring, exits, flexible supply and fixed cohort costs stream f pays in academic year t."""
    total: Expr = 0.0
    for k in m.HIRING_ROLES:
        if d.stream_hire[k] == f and d.cost_hire[k]:
            total = total + d.cost_hire[k] * sum(m.hires[k, r, t] for r in d.REGIONS)
    for k in m.EXIT_ROLES:
        if d.stream_exit[k] == f and d.cost_exit[k]:
            total = total + d.cost_exit[k] * sum(m.exits[k, r, t] for r in d.REGIONS)
    for k, o in d.FLEX:
        if d.stream_flex[k, o] == f and d.cost_flex[k, o]:
            total = total + d.cost_flex[k, o] * sum(m.flex[k, o, r, t] for r in d.REGIONS)
    if d.COHORT_PROGRAMMES:
        from workforce.model.policy import cohort_spend

        total = total + cohort_spend(m, d, f, t)
    if d.MOVE_ROUTES:  # section 24
        from workforce.model.moves import move_spend

        total = total + move_spend(m, d, f, t)
    return total


def terms(m: pyo.ConcreteModel, d: ModelData) -> dict[str, Expr]:
    """The objective's named terms (see models/cohort_planning.md, Objective); each money term of
    year t counts at the discount factor disc[t] (section 8.7; 1 without ``objective.discount``)."""
    from workforce.model.count_terms import count_terms
    from workforce.model.discount import weigh

    years, regions = d.YEARS, d.REGIONS
    training: Expr = 0.0
    for (p, y, _f), cost in d.cost_course.items():
        if p not in d.duration_months:
            training = training + cost * sum(weigh(d, t, starters(m, d, p, r, t - y + 1)) for r in regions for t in years)
    if d.duration_months:
        from workforce.model.calendar import calendar_course_spend

        training = training + sum(weigh(d, t, calendar_course_spend(m, d, f, t)) for f in d.STREAMS for t in years)
    if d.COHORT_PROGRAMMES:
        from workforce.model.policy import cohort_spend

        training = training + sum(weigh(d, t, cohort_spend(m, d, f, t)) for f in d.STREAMS for t in years)
    shortfall: Expr = sum(weigh(d, t, d.penalty_shortfall[k] * m.shortfall[k, r, t])
                          for k in d.ROLES for r in regions for t in years)
    if d.DEADLINE_ROLES:
        from workforce.model.deadline import breach_penalty

        shortfall = shortfall + breach_penalty(m, d)
    if d.scenario.horizon.terminal_value is not None:
        from workforce.model.horizon import post_penalty

        shortfall = shortfall + post_penalty(m, d)
    if d.scenario.horizon.completer_value:
        from workforce.model.completer_value import completer_credit

        shortfall = shortfall - completer_credit(m, d)
    hiring: Expr = sum(weigh(d, t, d.cost_hire[k] * m.hires[k, r, t]) for k in m.HIRING_ROLES for r in regions for t in years)
    if d.MOVE_ROUTES:  # section 24: paid moves between regions count with hiring
        from workforce.model.moves import move_cost

        hiring = hiring + move_cost(m, d)
    return {
        "shortfall": shortfall,
        "training_cost": training,
        "hiring_cost": hiring,
        "surplus_cost": sum(weigh(d, t, d.cost_surplus[k] * m.surplus[k, r, t]) for k in d.ROLES for r in regions for t in years),
        "flexible_cost": sum(weigh(d, t, d.cost_flex[k, o] * m.flex[k, o, r, t])
                             for k, o in d.FLEX for r in regions for t in years),
        "exit_cost": sum(weigh(d, t, d.cost_exit[k] * m.exits[k, r, t]) for k in m.EXIT_ROLES for r in regions for t in years),
        **count_terms(m, d),
    }
