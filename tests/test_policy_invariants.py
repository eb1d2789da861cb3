"""Invariants of the issue-4 rules on generated scenarios (hypothesis, HiGHS in the loop)."""

from __future__ import annotations

import copy

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_invariants import check_invariants, scenarios

from workforce import scenario_from_dict, solve

FEW = settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def close(a: float, b: float) -> bool:
    return abs(a - b) <= 1e-6 * max(1.0, abs(a), abs(b))


@FEW
@given(scenarios(), st.sampled_from([0.0, 2.0, 5.0]), st.sampled_from([0.0, 20.0]))
def test_whole_cohorts_never_beat_the_continuous_plan(spec, min_size, fixed):
    """Cohorts only restrict intake (and add a cost), so the MILP optimum is no better than the LP's;
    the plan keeps every balance and every cohort holds min_size..max_size trainees."""
    lp = solve(scenario_from_dict(spec))
    spec["programmes"]["doc"]["cohorts"] = {"min_size": min_size, "max_size": 8.0, "fixed_cost": {"dfe": fixed}}
    plan = solve(scenario_from_dict(spec))
    check_invariants(plan)
    assert plan.objective >= lp.objective - 1e-6 * max(1.0, abs(lp.objective)) - 1e-3 * abs(lp.objective)
    i = plan.intake.xs("doc", level="programme")
    assert (i["intake"] <= 8.0 * i["cohorts"] + 1e-6).all()
    assert (i["intake"] >= min_size * i["cohorts"] - 1e-6).all()


@FEW
@given(scenarios())
def test_equity_never_worsens_the_worst_rate_and_costs_no_less(spec):
    """The equitable plan's worst regional rate is at most the efficient plan's, and its weighted
    objective is at least the efficient optimum."""
    spec["objective"] = {"equity": {"roles": ["ep"]}}
    plan = solve(scenario_from_dict(spec))
    eq = plan.summary["equity"]
    # Later stages may let the worst rate exceed its minimum by objective.equity.tolerance (1e-6 of
    # max(1, optimum)); the efficient plan can sit exactly at the minimum, so allow that plus rounding.
    tolerance = 1e-6 * max(1.0, eq["equitable"]["worst_shortfall_rate"]) + 1e-9
    assert eq["equitable"]["worst_shortfall_rate"] <= eq["efficient"]["worst_shortfall_rate"] + tolerance
    assert eq["equitable"]["objective"] >= eq["efficient"]["objective"] - 1e-6 * max(1.0, abs(eq["efficient"]["objective"]))


@FEW
@given(scenarios())
def test_a_september_calendar_equals_the_annual_programme(spec):
    """A single September intake lasting 12 × duration months (6 months for duration 0) joins and
    pays exactly as the annual programme does."""
    annual = solve(scenario_from_dict(copy.deepcopy(spec)))
    prog = spec["programmes"]["doc"]
    months = 12 * prog["duration"] or 6
    prog["calendar"] = {"intakes": {"september": 0}, "duration_months": months}
    del prog["duration"]
    plan = solve(scenario_from_dict(spec))
    check_invariants(plan)
    assert close(plan.objective, annual.objective)


@FEW
@given(scenarios())
def test_neutral_tenure_and_deadline_rules_change_nothing(spec):
    """A tenure profile equal to attrition_new_entrants for one year, and a penalised deadline with
    penalty 0, leave the optimum unchanged."""
    base = solve(scenario_from_dict(copy.deepcopy(spec)))
    role = spec["roles"]["ep"]
    role["tenure"] = {"attrition": [role["attrition_new_entrants"]]}
    role["statutory_deadline"] = {"mode": "penalise", "penalty": 0}
    plan = solve(scenario_from_dict(spec))
    check_invariants(plan)
    assert close(plan.objective, base.objective)
    assert plan.summary["terms"]["shortfall"] == pytest.approx(base.summary["terms"]["shortfall"], rel=1e-6, abs=1e-6)
