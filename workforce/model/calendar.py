"""Calendars (models/cohort_planning.md §15): intakes within the academic year, durations in
months, and budgets on financial years with spending apportioned by month.

The stock is still counted by academic year. A calendar programme's annual ``intake`` is split
into ``intake_term`` per intake point; each intake joins the role ``intake_delay`` academic years
after it starts, and its course costs are spread over the course's months. Months are counted
from September: month 0-6 (September-March) of academic year t fall in financial year t,
month 7-11 (April-August) in financial year t + 1.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from workforce.model.data import ModelData

if TYPE_CHECKING:  # Pyomo loads only when a Pyomo model is built
    import pyomo.environ as pyo

Expr = Any

FY_START = 7
"""Month of the academic year (from September) that opens a financial year: April."""


def intakes_of(d: ModelData, p: str) -> list[str]:
    return [j for (q, j) in d.intake_month if q == p]


def add_calendar_variables(m: pyo.ConcreteModel, d: ModelData) -> None:
    """intake_term[p,r,t,j] ≥ 0: starters of calendar programme p at intake j of year t."""
    import pyomo.environ as pyo

    index = [(p, r, t, j) for (p, j) in d.intake_month for r in d.REGIONS for t in d.YEARS]
    m.intake_term = pyo.Var(index, domain=pyo.NonNegativeReals)


def add_intake_split(m: pyo.ConcreteModel, d: ModelData) -> None:
    """Σ_j intake_term[p,r,t,j] = intake[p,r,t] for calendar programmes."""
    import pyomo.environ as pyo

    index = [(p, r, t) for p in d.duration_months for r in d.REGIONS for t in d.YEARS]
    m.intake_split = pyo.Constraint(
        index, rule=lambda m, p, r, t: sum(m.intake_term[p, r, t, j] for j in intakes_of(d, p)) == m.intake[p, r, t]
    )


def term_starters(m: pyo.ConcreteModel, d: ModelData, p: str, r: str, s: int, j: str | None) -> Expr:
    """Starters of year s at intake j (prior cohorts at ``prior_term``); j None: the whole year."""
    from workforce.model.expressions import starters

    if j is None:
        return starters(m, d, p, r, s)
    if s > d.YEARS[-1]:
        return 0.0
    if s >= d.first_year:
        return m.intake_term[p, r, s, j]
    return d.intake_prior.get((p, r, s), 0.0) if j == d.prior_term[p] else 0.0


def calendar_completions(m: pyo.ConcreteModel, d: ModelData, p: str, r: str, t: int) -> Expr:
    """Σ_j completion_rate × starters at intake j of year t − intake_delay[p,j]."""
    return sum(d.completion_rate[p] * term_starters(m, d, p, r, t - d.intake_delay[p, j], j) for j in intakes_of(d, p))


def month_profile(d: ModelData, p: str, j: str | None, f: str) -> dict[tuple[int, int], float]:
    """Stream f's cost per starter of a cohort, by (academic-year offset, financial-year offset)
    from its start year. A calendar course year is 12 months from the start (the last may be
    shorter), its cost spread evenly over its months; without a calendar (j None) course year y
    is academic year y − 1 from the start, spread evenly over its 12 months."""
    out: dict[tuple[int, int], float] = {}
    if j is None:
        months = [(12 * (y - 1) + k, cost / 12) for (q, y, g), cost in d.cost_course.items()
                  if q == p and g == f for k in range(12)]
    else:
        total, start = d.duration_months[p], d.intake_month[p, j]
        months = []
        for k in range(total):
            y = k // 12 + 1
            length = min(12, total - 12 * (y - 1))
            cost = d.cost_course.get((p, y, f), 0.0)
            if cost:
                months.append((start + k, cost / length))
    for a, cost in months:
        key = (a // 12, a // 12 + (1 if a % 12 >= FY_START else 0))
        out[key] = out.get(key, 0.0) + cost
    return out


def _profile(m: pyo.ConcreteModel, d: ModelData, p: str, j: str | None, f: str) -> dict[tuple[int, int], float]:
    cache = m.__dict__.setdefault("calendar_profiles", {})
    if (p, j, f) not in cache:
        cache[p, j, f] = month_profile(d, p, j, f)
    return cache[p, j, f]


def _intakes(d: ModelData, p: str) -> list[str | None]:
    return list(intakes_of(d, p)) if p in d.duration_months else [None]


def course_cost_in(m: pyo.ConcreteModel, d: ModelData, p: str, f: str, t: int, financial: bool) -> Expr:
    """Course costs of programme p that stream f pays in academic (or financial) year t. Only months
    inside the horizon's academic years count."""
    total: Expr = 0.0
    for j in _intakes(d, p):
        for (q, fy), cost in _profile(m, d, p, j, f).items():
            s = t - (fy if financial else q)
            if d.first_year <= s + q <= d.YEARS[-1]:
                total = total + cost * sum(term_starters(m, d, p, r, s, j) for r in d.REGIONS)
    return total


def calendar_course_spend(m: pyo.ConcreteModel, d: ModelData, f: str, t: int) -> Expr:
    """Course costs of calendar programmes that stream f pays in academic year t."""
    return sum(course_cost_in(m, d, p, f, t, financial=False) for p in d.duration_months)


def fy_spend(m: pyo.ConcreteModel, d: ModelData, f: str, t: int) -> Expr:
    """Spend of stream f in financial year t (April t to March t + 1): course costs by month, and
    7/12 of the other costs of academic year t plus 5/12 of those of academic year t − 1."""
    from workforce.model.expressions import other_spend

    total: Expr = sum(course_cost_in(m, d, p, f, t, financial=True) for p in d.PROGRAMMES)
    total = total + (FY_START / 12) * other_spend(m, d, f, t)
    if t - 1 >= d.first_year:
        total = total + (1 - FY_START / 12) * other_spend(m, d, f, t - 1)
    return total


def add_fy_budget_limit(m: pyo.ConcreteModel, d: ModelData) -> None:
    """fy_spend[f,t] ≤ budget[f,t] for streams budgeted on financial years."""
    import pyomo.environ as pyo

    from workforce.model.build import _money_limit

    index = [(f, t) for (f, t) in d.budget if f in d.FY_STREAMS]
    m.fy_budget_limit = pyo.Constraint(
        index, rule=lambda m, f, t: _money_limit(fy_spend(m, d, f, t), d.budget[f, t], "fy_budget_limit", (f, t), d)
    )
