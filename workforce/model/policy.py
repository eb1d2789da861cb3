"""Cohorts, policy targets, place shares and regional equity (models/cohort_planning.md §12).

Every ``add_<constraint>`` here is called by :func:`workforce.model.build.build_model` and builds
nothing unless the scenario asks for the rule, so scenarios without these keys give the same model.
"""

from __future__ import annotations

import math
from typing import Any

import pyomo.environ as pyo

from workforce.model.data import ModelData
from workforce.model.expressions import completions

Expr = Any


def add_cohort_variables(m: pyo.ConcreteModel, d: ModelData) -> None:
    """cohorts[p,r,t] ∈ {0, 1, ..., ⌈intake_upper / cohort_max_size⌉} for cohort programmes;
    cohort_open[p,r,t] ∈ {0, 1} where a region minimum applies."""
    m.COHORT_PROGRAMMES = pyo.Set(initialize=d.COHORT_PROGRAMMES, ordered=True)

    def bounds(m, p, r, t):
        return (0, math.ceil(d.intake_upper[p, r, t] / d.cohort_max_size[p] - 1e-9))

    m.cohorts = pyo.Var(m.COHORT_PROGRAMMES, m.REGIONS, m.YEARS, domain=pyo.NonNegativeIntegers, bounds=bounds)
    opened = [(p, r, t) for p in d.COHORT_PROGRAMMES if d.cohort_region_min[p] > 0 for r in d.REGIONS for t in d.YEARS]
    m.cohort_open = pyo.Var(opened, domain=pyo.Binary)


def add_cohort_size_minimum(m: pyo.ConcreteModel, d: ModelData) -> None:
    """intake ≥ cohort_min_size × cohorts."""
    index = [(p, r, t) for p in d.COHORT_PROGRAMMES if d.cohort_min_size[p] > 0 for r in d.REGIONS for t in d.YEARS]
    m.cohort_size_minimum = pyo.Constraint(
        index, rule=lambda m, p, r, t: m.intake[p, r, t] >= d.cohort_min_size[p] * m.cohorts[p, r, t]
    )


def add_cohort_size_maximum(m: pyo.ConcreteModel, d: ModelData) -> None:
    """intake ≤ cohort_max_size × cohorts."""
    index = [(p, r, t) for p in d.COHORT_PROGRAMMES for r in d.REGIONS for t in d.YEARS]
    m.cohort_size_maximum = pyo.Constraint(
        index, rule=lambda m, p, r, t: m.intake[p, r, t] <= d.cohort_max_size[p] * m.cohorts[p, r, t]
    )


def add_cohort_open_minimum(m: pyo.ConcreteModel, d: ModelData) -> None:
    """intake ≥ cohort_region_min × cohort_open: either no cohort or at least N trainees."""
    m.cohort_open_minimum = pyo.Constraint(
        list(m.cohort_open.index_set()),
        rule=lambda m, p, r, t: m.intake[p, r, t] >= d.cohort_region_min[p] * m.cohort_open[p, r, t],
    )


def add_cohort_open_limit(m: pyo.ConcreteModel, d: ModelData) -> None:
    """intake ≤ intake_upper × cohort_open: no trainees in a region that runs no cohort."""
    m.cohort_open_limit = pyo.Constraint(
        list(m.cohort_open.index_set()),
        rule=lambda m, p, r, t: m.intake[p, r, t] <= d.intake_upper[p, r, t] * m.cohort_open[p, r, t],
    )


def cohort_cost(m: pyo.ConcreteModel, d: ModelData, p: str, f: str, t: int) -> Expr:
    """cost_cohort[p,f] × Σ_r cohorts[p,r,t]: stream f's fixed cost of the cohorts starting in t."""
    cost = d.cost_cohort.get((p, f), 0.0)
    if not cost or t not in d.YEARS:
        return 0.0
    return cost * sum(m.cohorts[p, r, t] for r in d.REGIONS)


def cohort_spend(m: pyo.ConcreteModel, d: ModelData, f: str, t: int) -> Expr:
    """Fixed cohort costs stream f pays in year t (£k)."""
    return sum(cohort_cost(m, d, p, f, t) for p in d.COHORT_PROGRAMMES)


def cohort_training_cost(m: pyo.ConcreteModel, d: ModelData) -> Expr:
    """Σ fixed cohort costs over streams and years: part of ``training_cost``."""
    return sum(cohort_spend(m, d, f, t) for f in d.STREAMS for t in d.YEARS)


def target_count(m: pyo.ConcreteModel, d: ModelData, g: str, q: str, t: int) -> Expr:
    """Completions (or starters) of target g's programme counted by row (g, q, t)."""
    p = d.target_programme[g]
    regions = d.target_regions[g, q]
    years = d.target_years[g, t]
    if d.target_measure[g] == "intake":
        return sum(m.intake[p, r, s] for r in regions for s in years)
    return sum(completions(m, d, p, r, s) for r in regions for s in years)


def add_target_minimum(m: pyo.ConcreteModel, d: ModelData) -> None:
    """Σ_{r in target_regions} Σ_{s in target_years} completions (or intake) ≥ target_min."""

    def rule(m, g, q, t):
        count = target_count(m, d, g, q, t)
        if isinstance(count, int | float):
            # Only cohorts started before the horizon count: keep the row (with a zero
            # coefficient) so that an unreachable target is diagnosed in the planner's terms.
            p = d.target_programme[g]
            count = count + 0 * m.intake[p, d.REGIONS[0], d.YEARS[0]]
        return count >= d.target_min[g, q, t]

    m.target_minimum = pyo.Constraint(list(d.target_min), rule=rule)


def _share_rule(bound: dict, sense: str):
    def rule(m, g, t):
        d = m.data
        p = d.share_programme[g]
        group = sum(m.intake[p, r, t] for r in d.share_regions[g])
        total = sum(m.intake[p, r, t] for r in d.REGIONS)
        return group >= bound[g, t] * total if sense == "min" else group <= bound[g, t] * total

    return rule


def add_share_minimum(m: pyo.ConcreteModel, d: ModelData) -> None:
    """Σ_{r in share_regions} intake ≥ share_min × Σ_r intake."""
    m.share_minimum = pyo.Constraint(list(d.share_min), rule=_share_rule(d.share_min, "min"))


def add_share_maximum(m: pyo.ConcreteModel, d: ModelData) -> None:
    """Σ_{r in share_regions} intake ≤ share_max × Σ_r intake."""
    m.share_maximum = pyo.Constraint(list(d.share_max), rule=_share_rule(d.share_max, "max"))


def add_equity_limit(m: pyo.ConcreteModel, d: ModelData) -> None:
    """Σ shortfall ≤ worst_shortfall_rate × Σ demand, per role and region (over the horizon) or
    per role, region and year."""
    if d.equity_basis is None:
        return
    m.worst_shortfall_rate = pyo.Var(domain=pyo.NonNegativeReals)
    w = m.worst_shortfall_rate
    if d.equity_basis == "year":
        index = [(k, r, t) for k in d.equity_roles for r in d.REGIONS for t in d.YEARS if d.demand[k, r, t] > 0]
        m.equity_limit = pyo.Constraint(
            index, rule=lambda m, k, r, t: m.shortfall[k, r, t] <= w * d.demand[k, r, t]
        )
        return
    index = [(k, r) for k in d.equity_roles for r in d.REGIONS if sum(d.demand[k, r, t] for t in d.YEARS) > 0]
    m.equity_limit = pyo.Constraint(
        index,
        rule=lambda m, k, r: sum(m.shortfall[k, r, t] for t in d.YEARS)
        <= w * sum(d.demand[k, r, t] for t in d.YEARS),
    )


def add_policy(m: pyo.ConcreteModel, d: ModelData) -> None:
    """Every issue-4 constraint family, in the order of models/cohort_planning.md §12."""
    add_cohort_size_minimum(m, d)
    add_cohort_size_maximum(m, d)
    add_cohort_open_minimum(m, d)
    add_cohort_open_limit(m, d)
    add_target_minimum(m, d)
    add_share_minimum(m, d)
    add_share_maximum(m, d)
    add_equity_limit(m, d)
