"""Rows with no decision in them that cannot hold are reported as an infeasible scenario, naming the
limit (issue 16, section 6): before, Pyomo's compiler raised inside the solve (exit 70)."""

from __future__ import annotations

import copy

import pytest

from workforce import InfeasibleScenarioError, scenario_from_dict, solve

BASE = {
    "name": "constant rows", "horizon": {"first_year": 2026, "last_year": 2027},
    "regions": [{"code": "A", "name": "Area A"}],
    "roles": {"ep": {"name": "EPs", "initial_stock": 10, "attrition": 0.1, "demand": 10, "shortfall_penalty": 10}},
    "programmes": {"doc": {"name": "Doc", "role": "ep", "duration": 1, "completion_rate": 1.0,
                           "course_costs": [{"f": 1}, {"f": 0}], "prior_intake": {2025: 5}}},
    "funding_streams": {"f": {"name": "F"}},
}


def conflicts_of(spec: dict) -> list:
    with pytest.raises(InfeasibleScenarioError) as caught:
        solve(scenario_from_dict(copy.deepcopy(spec)))
    assert caught.value.exit_code == 2
    return caught.value.conflicts


def test_a_target_only_prior_cohorts_count_towards():
    """By 2026 only the 2025 cohort (5 starters × completion 1) qualifies; a target of 8 is 3 short."""
    spec = copy.deepcopy(BASE)
    spec["targets"] = {"t": {"programme": "doc", "by_year": 2026, "at_least": 8}}
    (conflict,) = conflicts_of(spec)
    assert conflict.kind == "policy target" and conflict.amount == pytest.approx(3.0)
    assert conflict.direction == "lower" and conflict.key.startswith("targets.t")


def test_committed_costs_above_a_budget_with_an_explicit_zero_course_cost():
    """Course year 1 costs an explicit 0 and year 2 costs 3: in 2026 the budget pays only the 2025
    cohort's second year, 5 × 3 = 15 > 10, £5k short. A target keeps the scenario on the Pyomo path."""
    spec = copy.deepcopy(BASE)
    spec["programmes"]["doc"]["course_costs"] = [{"f": 0}, {"f": 3}]
    spec["funding_streams"]["f"]["budget"] = {2026: 10, 2027: 100}
    spec["targets"] = {"t": {"programme": "doc", "by_year": 2027, "at_least": 1}}
    (conflict,) = conflicts_of(spec)
    assert conflict.kind == "budget" and conflict.amount == pytest.approx(5.0)
    assert conflict.key.startswith("funding_streams.f.budget")


def test_a_reachable_constant_row_is_no_conflict():
    """The same target at 5 holds with the prior cohort alone: the scenario solves."""
    spec = copy.deepcopy(BASE)
    spec["targets"] = {"t": {"programme": "doc", "by_year": 2026, "at_least": 5}}
    assert solve(scenario_from_dict(spec)).status == "optimal"
