"""Retention by tenure (models/cohort_planning.md §13): leavers of roles with a ``tenure`` profile.

Tied completers (of ``tenure_programmes[k]``, from cohorts started in or after
``tenure_first_intake[k]``) leave at ``attrition_tenure[k,b]`` in their b-th year after qualifying
and join the established stock after ``tenure_bands[k]`` years. Their stock by tenure band is a
linear expression of past intake, so no variable is added; roles without a profile are untouched.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from workforce.model.data import ModelData

if TYPE_CHECKING:  # Pyomo loads only when a Pyomo model is built
    import pyomo.environ as pyo

Expr = Any


def tied_entrants(m: pyo.ConcreteModel, d: ModelData, k: str, r: str, s: int) -> Expr:
    """Completers of year s who follow role k's tenure profile (0 outside the horizon)."""
    from workforce.model.expressions import starters

    if s < d.first_year or s > d.YEARS[-1]:
        return 0.0
    first = d.tenure_first_intake.get(k)
    total: Expr = 0.0
    for p in d.tenure_programmes[k]:
        if p in d.duration_months:
            from workforce.model.calendar import intakes_of, term_starters

            for j in intakes_of(d, p):
                start = s - d.intake_delay[p, j]
                if first is None or start >= first:
                    total = total + d.completion_rate[p] * term_starters(m, d, p, r, start, j)
            continue
        start = s - d.duration[p]
        if first is None or start >= first:
            total = total + d.completion_rate[p] * starters(m, d, p, r, start)
    if d.fte_per_head:  # section 23: tied completers of an FTE role, in FTE
        from workforce.model.fte import in_fte

        return in_fte(d, k, s, total)
    return total


def tenure_survival(d: ModelData, k: str, n: int) -> float:
    """Share of tied completers still in post after n years of tenure attrition."""
    share = 1.0
    for b in range(1, n + 1):
        share *= 1.0 - d.attrition_tenure[k, b]
    return share


def tenure_stock(m: pyo.ConcreteModel, d: ModelData, k: str, r: str, t: int, b: int) -> Expr:
    """Tied staff in band b at the start of year t: completers of year t − b who stayed b − 1 years."""
    return tenure_survival(d, k, b - 1) * tied_entrants(m, d, k, r, t - b)


def tenure_leavers(m: pyo.ConcreteModel, d: ModelData, k: str, r: str, t: int) -> Expr:
    """attrition × established + attrition_new × untied entrants of t − 1 + Σ_b attrition_tenure[k,b] × band b.

    The established stock is the start-of-year stock less last year's untied entrants and every
    tied band; with no tied completers this is the ``leavers`` expression of section 6.
    """
    from workforce.model.expressions import entrants

    a, a_new = d.attrition[k, r], d.attrition_new[k, r]
    if t == d.first_year:
        return a * d.stock_initial[k, r]
    bands = [tenure_stock(m, d, k, r, t, b) for b in range(1, d.tenure_bands[k] + 1)]
    untied = entrants(m, d, k, r, t - 1) - tied_entrants(m, d, k, r, t - 1)
    established = established_stock(m, d, k, r, t)
    return (
        a * established
        + a_new * untied
        + sum(d.attrition_tenure[k, b] * band for b, band in enumerate(bands, start=1))
    )


def established_stock(m: pyo.ConcreteModel, d: ModelData, k: str, r: str, t: int) -> Expr:
    """Staff of role k in region r at the start of year t (t > t0) who are neither last year's
    untied entrants nor in a tied tenure band: stock[t−1] − untied entrants[t−1] − Σ_b tenure_stock[t,b]."""
    from workforce.model.expressions import entrants

    bands = sum(tenure_stock(m, d, k, r, t, b) for b in range(1, d.tenure_bands[k] + 1))
    untied = entrants(m, d, k, r, t - 1) - tied_entrants(m, d, k, r, t - 1)
    return m.stock[k, r, t - 1] - untied - bands


def add_tenure_established(m: pyo.ConcreteModel, d: ModelData) -> None:
    """tenure_established[k,r,t]: the established stock at the end of year t (= the start of t + 1)
    is not negative, for roles with a tenure profile that lose staff to retraining or exits
    (section 13). Outflows come out of the established part; without the row they could take tied
    staff the profile still counts in post, and the next year's leavers turn negative."""
    import pyomo.environ as pyo

    roles = [k for k in d.tenure_bands if d.exits_enabled[k] or k in d.source_of.values()]
    index = [(k, r, t) for k in roles for r in d.REGIONS for t in d.YEARS]
    m.tenure_established = pyo.Constraint(index, rule=lambda m, k, r, t: established_stock(m, d, k, r, t + 1) >= 0)
