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


def test_a_hard_requirement_overrides_a_cheap_penalty():
    """Stock 8, demand 10, penalty 1 per unit-year, hiring at 5 (cap 5): with the penalty alone
    hiring is not worth it (objective 2·1 = 2). Requiring 90% of demand allows 1 short: hire 1
    (cost 5) and pay 1 for the remaining shortfall: objective 6. Requiring it in full: hire 2, 10."""
    spec = one_role(1, initial_stock=8, shortfall_penalty=1, hiring={"max": 5, "cost": 5})
    assert run(spec).objective == pytest.approx(2)
    spec["roles"]["ep"]["required_share"] = 0.9
    plan = run(spec)
    assert plan.flows.loc[("ep", R, 2026), "hires"] == pytest.approx(1)
    assert plan.workforce.loc[("ep", R, 2026), "shortfall"] == pytest.approx(1)
    assert plan.objective == pytest.approx(6)
    spec["roles"]["ep"]["required_share"] = 1
    plan = run(spec)
    assert plan.flows.loc[("ep", R, 2026), "hires"] == pytest.approx(2)
    assert plan.objective == pytest.approx(10)


def test_an_unreachable_requirement_is_named_by_the_diagnosis():
    """Stock 8, demand 10, hiring capped at 1, demand required in full: at most 9 can be in post,
    so the requirement (or the hiring cap) must give 1."""
    from workforce import InfeasibleScenarioError

    spec = one_role(1, initial_stock=8, hiring={"max": 1, "cost": 5}, required_share=1)
    with pytest.raises(InfeasibleScenarioError) as info:
        run(spec)
    kinds = {c.kind for c in info.value.conflicts}
    assert kinds <= {"hard requirement", "hiring cap"} and kinds
    assert sum(c.amount for c in info.value.conflicts) == pytest.approx(1)
    assert "required share of demand" in str(info.value) or "hiring cap" in str(info.value)


def test_a_required_share_above_one_is_refused_with_its_key():
    from workforce.errors import ScenarioError

    with pytest.raises(ScenarioError) as info:
        scenario_from_dict(one_role(1, required_share=1.5))
    assert "roles.ep.required_share" in str(info.value) and "between 0 and 1" in str(info.value)


def test_requirement_rows_are_the_same_in_both_constructions():
    spec = minimal_scenario()
    spec["roles"]["ep"]["required_share"] = {"E1": 0.8, "E2": {2026: 0.5, 2027: 0.9, 2028: 1}}
    assert_same_lp(spec)
