"""End of the horizon (models/cohort_planning.md, section 10.1): the pipeline's terminal value.

The scenario is the worked example of section 11 (one region, EPs, a one-year programme, 2026-2028),
whose optimum without a terminal value is i_2026 = 15.75, i_2027 = 14.075, i_2028 = 0.
"""

from __future__ import annotations

import copy

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from workforce import scenario_from_dict, solve

WORKED = {
    "name": "Tiny example",
    "horizon": {"first_year": 2026, "last_year": 2028},
    "regions": [{"code": "NE", "name": "North East"}],
    "roles": {"ep": {"name": "EPs", "initial_stock": 100, "attrition": 0.10, "attrition_new_entrants": 0.20,
                     "demand": 100, "shortfall_penalty": 100}},
    "programmes": {"dedpsy": {"name": "Doctorate", "role": "ep", "duration": 1, "completion_rate": 0.8,
                              "course_costs": [{"dfe": 10}, {"dfe": 5}], "places": 20, "prior_intake": {2025: 10}}},
    "funding_streams": {"dfe": {"name": "DfE EP training grant", "budget": 250}},
}


def solve_with(terminal: dict | None):
    spec = copy.deepcopy(WORKED)
    if terminal is not None:
        spec["horizon"]["terminal_value"] = terminal
    return solve(scenario_from_dict(spec))


def intakes(plan) -> list[float]:
    return [float(plan.intake.loc[("dedpsy", "NE", t), "intake"]) for t in (2026, 2027, 2028)]


def test_without_a_terminal_value_the_last_intake_is_zero():
    assert intakes(solve_with(None)) == pytest.approx([15.75, 14.075, 0.0], abs=1e-6)


def test_one_post_horizon_year_fills_the_last_years_budget():
    """years: 1. A 2028 starter qualifies in 2029 = T + 1 and is valued for 2029 only:
    worth = 100 × survival(0) = 100, credit = 0.8 × 100 = 80 per starter, far above its in-horizon
    cost of £10k, so the 2028 budget (10 i_2028 + 5 i_2027 ≤ 250) is now worth 8 per £k.
    2028 supply is best bought with 2026 starters, which use no 2028 money: 1.25 of them give 0.8
    unit for £18.75k, against one 2027 starter for £15k plus £5k of 2028 budget (0.5 starter, whose
    credit net of its £10k is 0.5 × 70 = 35). So i_2026 = 20 (its 20 places; the 2026 budget 10 × 20 + 50 = 250 also binds), and i_2027
    covers the rest of 2028: 78.66 + 0.64 × 20 + 0.8 i_2027 = 100 → i_2027 = 10.675 (worth it: 80 of
    penalty saved for 15 + 35 = 50). 2027 then has 87.4 + 16 = 103.4: a surplus of 3.4, which costs
    nothing. i_2028 = (250 − 5 × 10.675)/10 = 19.6625 (< 20 places).
    shortfall term = 100 × 2 − 80 × 19.6625 = 200 − 1573 = −1373;
    training_cost = 250 + (106.75 + 100) + 250 = 706.75; objective = −666.25."""
    plan = solve_with({"years": 1})
    assert intakes(plan) == pytest.approx([20.0, 10.675, 19.6625], abs=1e-6)
    assert plan.summary["terms"]["shortfall"] == pytest.approx(-1373, abs=1e-5)
    assert plan.summary["terms"]["training_cost"] == pytest.approx(706.75, abs=1e-5)
    assert plan.objective == pytest.approx(-666.25, abs=1e-5)
    terminal = plan.summary["terminal_value"]
    assert terminal["credit"] == pytest.approx(1573, abs=1e-5)
    assert terminal["completers_after_horizon"] == {"ep": pytest.approx(0.8 * 19.6625, abs=1e-6)}


def test_discounted_window_of_two_years():
    """years: 2, discount_rate: 0.2. A 2029 completer is in post in 2029 (share 1, discount
    1/1.2) and in 2030 (share 1 − attrition_new = 0.8, discount 1/1.2² = 1/1.44):
    worth = 100 × (1/1.2 + 0.8/1.44) = 100 × 1.38889 = 138.889, credit = 0.8 × 138.889 = 111.111
    (= 1000/9) per 2028 starter. The reasoning of the one-year case holds (a 2027 starter still
    pays: 80 saved for 15 + 0.5 × (111.111 − 10) = 65.56), so the intakes are the same and
    shortfall term = 200 − (1000/9) × 19.6625 = 200 − 2184.722 = −1984.722."""
    plan = solve_with({"years": 2, "discount_rate": 0.2})
    assert intakes(plan) == pytest.approx([20.0, 10.675, 19.6625], abs=1e-6)
    assert plan.summary["terms"]["shortfall"] == pytest.approx(200 - 1000 / 9 * 19.6625, abs=1e-5)


@pytest.mark.parametrize(("value", "expected"), [(12.0, [15.75, 14.075, 0.0]), (12.6, [15.75, 14.075, 17.9625])])
def test_a_declared_value_per_completer(value, expected):
    """per_completer 12: credit 0.8 × 12 = 9.6 per 2028 starter, below its £10k cost: i_2028 = 0 and
    the plan is that of section 11.2. per_completer 12.6: credit 10.08 > 10, i_2028 fills the 2028
    budget, 17.9625 as 2028 starters' remaining money allows. 0.8 unit of 2028 supply costs
    15 + 0.5 × (10.08 − 10) = 15.04 through a 2027 starter and 18.75 through 1.25 2026 starters, so
    i_2026 and i_2027 stay those of section 11.2 and i_2028 = (250 − 5 × 14.075)/10 = 17.9625."""
    plan = solve_with({"years": 1, "per_completer": {"ep": value}})
    assert intakes(plan) == pytest.approx(expected, abs=1e-6)


def test_completers_after_the_window_are_not_valued():
    """duration 2 with years: 1: a 2027 starter qualifies in 2029 (valued), a 2028 starter in 2030,
    after T + 1 (not valued), so the 2028 intake stays 0."""
    spec = copy.deepcopy(WORKED)
    spec["programmes"]["dedpsy"].update(duration=2, course_costs=[{"dfe": 10}, {"dfe": 5}, {"dfe": 5}])
    spec["horizon"]["terminal_value"] = {"years": 1}
    plan = solve(scenario_from_dict(spec))
    assert float(plan.intake.loc[("dedpsy", "NE", 2028), "intake"]) == pytest.approx(0.0, abs=1e-6)
    assert float(plan.intake.loc[("dedpsy", "NE", 2027), "intake"]) > 1.0


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(budget=st.sampled_from([120.0, 200.0, 250.0]), penalty=st.sampled_from([1.0, 20.0, 100.0]),
       duration=st.integers(0, 2))
def test_a_zero_terminal_value_is_todays_model(budget, penalty, duration):
    """A declared value of 0 per completer credits nothing: the plan is the one without a terminal value."""
    spec = copy.deepcopy(WORKED)
    spec["funding_streams"]["dfe"]["budget"] = budget
    spec["roles"]["ep"]["shortfall_penalty"] = penalty
    spec["programmes"]["dedpsy"]["duration"] = duration
    if duration == 0:
        spec["programmes"]["dedpsy"].update(course_costs=[{"dfe": 15}])
        del spec["programmes"]["dedpsy"]["prior_intake"]
    elif duration == 2:
        spec["programmes"]["dedpsy"]["course_costs"].append({"dfe": 5})
    plain = solve(scenario_from_dict(copy.deepcopy(spec)))
    spec["horizon"]["terminal_value"] = {"years": 3, "per_completer": {"ep": 0.0}}
    zero = solve(scenario_from_dict(spec))
    assert zero.objective == pytest.approx(plain.objective, rel=1e-9, abs=1e-6)
    assert zero.summary["terms"] == pytest.approx(plain.summary["terms"], rel=1e-9, abs=1e-6)
