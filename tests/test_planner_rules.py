"""Rules planners write (issue 16, section 5), each with a hand-solved optimum."""

from __future__ import annotations

import copy

import pytest

from workforce import scenario_from_dict, solve

from scenarios import minimal_scenario  # isort: skip
from test_arrays import assert_same_lp  # isort: skip

R = "A"


def one_role(years: int = 1, **role) -> dict:
    """One region 'A', one role 'ep' (stock 10, no attrition, demand 10, penalty 100)."""
    return {
        "name": "tiny",
        "horizon": {"first_year": 2026, "last_year": 2026 + years - 1},
        "regions": [{"code": R, "name": "Area A"}],
        "roles": {"ep": {"name": "EPs", "initial_stock": 10, "attrition": 0.0, "demand": 10,
                         "shortfall_penalty": 100, **role}},
    }


def run(spec: dict):
    return solve(scenario_from_dict(copy.deepcopy(spec)))


@pytest.mark.parametrize("costs", [None, []])
def test_a_programme_with_no_course_cost(costs):
    """Stock 8, demand 10, a same-year course with 1 place, 100% completion and no course cost
    (``course_costs`` left out or ``[]``): train 1 (free), 1 short at 100. Objective = 100,
    training cost 0, nothing spent."""
    spec = one_role(1, initial_stock=8)
    prog = {"name": "Free course", "role": "ep", "duration": 0, "completion_rate": 1.0, "places": 1}
    if costs is not None:
        prog["course_costs"] = costs
    spec["programmes"] = {"free": prog}
    plan = run(spec)
    assert plan.intake.loc[("free", R, 2026), "intake"] == pytest.approx(1)
    assert plan.workforce.loc[("ep", R, 2026), "shortfall"] == pytest.approx(1)
    assert plan.objective == pytest.approx(100)
    assert plan.summary["terms"]["training_cost"] == pytest.approx(0)
    assert plan.spend["spent"].sum() == pytest.approx(0)


def test_no_course_cost_gives_the_same_lp_both_ways():
    spec = minimal_scenario()
    spec["programmes"]["dedpsy"].pop("course_costs")
    assert_same_lp(spec)
    spec["programmes"]["dedpsy"]["course_costs"] = []
    assert_same_lp(spec)
