"""Statutory qualification deadlines: hand-solved optima (SENCO-style NPQ within N years)."""

from __future__ import annotations

import copy

import pytest

from workforce import InfeasibleScenarioError, scenario_from_dict, solve


def spec(years: int, rule: dict, hire_cost: float, hire_max: float = 5) -> dict:
    """Stock 8, demand 10 (2 posts held by unqualified appointees at the start), no attrition,
    shortfall penalty 100 a post-year; qualified SENCOs can be hired at ``hire_cost``."""
    return {
        "name": "deadline",
        "horizon": {"first_year": 2026, "last_year": 2026 + years - 1},
        "regions": [{"code": "A", "name": "Area A"}],
        "roles": {"senco": {"name": "SENCOs", "initial_stock": 8, "attrition": 0.0, "demand": 10,
                            "shortfall_penalty": 100, "hiring": {"max": hire_max, "cost": hire_cost},
                            "statutory_deadline": rule}},
    }


def run(s: dict):
    return solve(scenario_from_dict(copy.deepcopy(s)))


OVERDUE = {"within_years": 2, "initial_shares": [0.0, 1.0]}
"""Both unqualified holders were appointed two years before 2026, so in 2026 they are at the
two-year deadline (band A = 2) unless a qualified arrival takes over."""


def test_penalised_breach_below_the_hire_cost_is_accepted_and_reported():
    """One year; a hire costs 150 against 100 of shortfall + 40 of breach a post: keep both
    unqualified (2 × 140 = 280 < 300). The compliance table shows 2 out of compliance."""
    plan = run(spec(1, {**OVERDUE, "mode": "penalise", "penalty": 40}, hire_cost=150))
    assert plan.flows.loc[("senco", "A", 2026), "hires"] == pytest.approx(0)
    assert plan.objective == pytest.approx(280)
    assert plan.summary["terms"]["shortfall"] == pytest.approx(280)
    assert plan.tables()["compliance"].loc[("senco", "A", 2026), "out_of_compliance"] == pytest.approx(2)


def test_penalised_breach_above_the_hire_cost_is_cured():
    """Penalty 60: 2 × 160 = 320 > 300, so hire both; no one out of compliance; objective 300."""
    plan = run(spec(1, {**OVERDUE, "mode": "penalise", "penalty": 60}, hire_cost=150))
    assert plan.flows.loc[("senco", "A", 2026), "hires"] == pytest.approx(2)
    assert plan.objective == pytest.approx(300)
    assert plan.tables()["compliance"]["out_of_compliance"].sum() == pytest.approx(0)


def test_required_compliance_forces_the_hires():
    """Mode require with a hire cost of 150 > 100: hiring both is forced; objective 300."""
    plan = run(spec(1, {**OVERDUE, "mode": "require"}, hire_cost=150))
    assert plan.objective == pytest.approx(300)


def test_required_compliance_that_cannot_be_met_is_diagnosed():
    """Only 1 hire allowed: one holder stays past the deadline. Raising the hiring cap by 1 or
    allowing 1 breach are equally small fixes; the diagnosis names one of them, by 1 person."""
    with pytest.raises(InfeasibleScenarioError) as info:
        run(spec(1, {**OVERDUE, "mode": "require"}, hire_cost=150, hire_max=1))
    (conflict,) = info.value.conflicts
    assert conflict.kind in {"hiring cap", "statutory qualification deadline"}
    assert conflict.amount == pytest.approx(1)


def test_holders_age_into_breach():
    """Two years, deadline 2, both appointed in 2025 (band 1 in 2026, band 2 in 2027), hire cost 250.
    Without the rule: hiring saves at most 200, so none: shortfall 2 a year, objective 400.
    Penalty 1000 a breach: hire 2 in 2026 (500, and no 2026 shortfall) beats hiring in 2027
    (200 + 500) and the breach (2 × (100 + 1000)); objective 500, nobody out of compliance."""
    rule = {"within_years": 2, "initial_shares": [1.0], "mode": "penalise", "penalty": 1000}
    free = spec(2, {**rule, "penalty": 0}, hire_cost=250)
    plain = run(free)
    assert plain.objective == pytest.approx(400)
    comp = plain.tables()["compliance"]
    assert comp.loc[("senco", "A", 2026), "unqualified_1"] == pytest.approx(2)
    assert comp.loc[("senco", "A", 2027), "out_of_compliance"] == pytest.approx(2)
    plan = run(spec(2, rule, hire_cost=250))
    assert plan.flows.loc[("senco", "A", 2026), "hires"] == pytest.approx(2)
    assert plan.objective == pytest.approx(500)
    assert plan.tables()["compliance"]["out_of_compliance"].sum() == pytest.approx(0)


def test_initial_shares_must_sum_to_one():
    from pydantic import ValidationError

    from workforce.errors import ScenarioError

    with pytest.raises((ScenarioError, ValidationError)) as info:
        scenario_from_dict(spec(1, {"initial_shares": [0.5, 0.2]}, hire_cost=1))
    assert "sum to 1" in str(info.value)
