"""End of the horizon (models/cohort_planning.md, section 10.1): the post-horizon years.

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


def test_one_post_horizon_year_keeps_the_last_intake():
    """years: 1. The 2029 supply is the 2028 stock at attrition plus the 2028 starters, who qualify
    in 2029: post_supply = (1 − 0.1) × stock_2028 + 0.8 i_2028, against 2028's demand of 100.
    With the plan of section 11.2 (stock_2028 = 100): 90 + 0.8 i_2028 + post_shortfall ≥ 100.
    A 2028 starter relieves 0.8 × 100 = 80 of post-horizon penalty for £10k, so i_2028 = 12.5 (the
    replacement intake); the 2028 budget 10 × 12.5 + 5 × 14.075 = 195.375 ≤ 250 does not bind.
    Reaching 2029 through a larger 2027 intake instead gives 0.8 × 0.9 = 0.72 per £15k starter, and
    a 2028 surplus that is worth nothing in 2028: dearer (£20.8k against £12.5k per unit).
    shortfall term = 100 × 2 (2026) + 0 = 200; training_cost = 497.375 + 125 = 622.375;
    objective = 822.375."""
    plan = solve_with({"years": 1})
    assert intakes(plan) == pytest.approx([15.75, 14.075, 12.5], abs=1e-6)
    assert plan.summary["terms"]["shortfall"] == pytest.approx(200, abs=1e-5)
    assert plan.summary["terms"]["training_cost"] == pytest.approx(622.375, abs=1e-5)
    assert plan.objective == pytest.approx(822.375, abs=1e-5)
    post = plan.extra["post_horizon"].loc[("ep", "NE", 2029)]
    assert (post["supply"], post["demand"], post["shortfall"]) == pytest.approx((100, 100, 0), abs=1e-6)


def test_post_horizon_rows_stop_where_the_pipeline_ends():
    """years: 2, discount_rate: 0.2. The programme takes one year, so no horizon starter qualifies
    after 2029: only 2029 gets a row (2030 could be met only by stockpiling in 2028). Its weight is
    100/1.2 = 83.33; a 2028 starter relieves 0.8 × 83.33 = 66.7 for £10k, so the plan is that of the
    one-year case: i_2028 = 12.5."""
    plan = solve_with({"years": 2, "discount_rate": 0.2})
    assert intakes(plan) == pytest.approx([15.75, 14.075, 12.5], abs=1e-6)
    post = plan.extra["post_horizon"]
    assert list(post.index) == [("ep", "NE", 2029)]
    assert post["weight"].tolist() == pytest.approx([100 / 1.2])


def test_a_two_year_pipeline_counts_two_post_horizon_years():
    """duration 2 (course costs 10, 5, 5 a year), years: 3, no discount. Starters of 2027 and 2028
    qualify in 2029 and 2030; the rows are 2029 and 2030 (not 2031).
    post_supply_2029 = 0.9 S + 0.8 i_2027,
    post_supply_2030 = 0.81 S + 0.8 × 0.8 i_2027 + 0.8 i_2028, with S = stock_2028.
    In the horizon: stock_2026 = 100 − 10 + 0 = 90 (the prior 2025 cohort of 10 qualifies in 2027),
    stock_2027 = 90 − 9 + 8 + 0 = 89 (leavers 0.1 × 90; i_2026 qualifies in 2028),
    stock_2028 = 89 − (0.1 × 81 + 0.2 × 8) + 0.8 i_2026 = 79.3 + 0.8 i_2026.
    Shortfall costs 100 a unit-year everywhere, far above the £20k course, so every year is met where
    it can be: i_2026 = (100 − 79.3)/0.8 = 25.875 would exceed the 20 places, so i_2026 = 20,
    S = 95.3 and 2028 is short by 4.7 (budget 2026: 10 × 20 + 5 × 10 (prior year 2) ≤ 250).
    2029: 0.9 × 95.3 + 0.8 i_2027 = 100 → i_2027 = 18.7875 (≤ 20 places; budget 2027:
    10 × 18.7875 + 5 × 20 + 5 × 10 = 337.9 > 250!). The 2027 budget binds:
    10 i_2027 + 100 + 50 ≤ 250 → i_2027 = 10, 2029 supply 85.77 + 8 = 93.77, short 6.23.
    2030: 0.81 × 95.3 + 6.4 + 0.8 i_2028 = 100 → 83.593 + 0.8 i_2028 = 100 → i_2028 = 20.50875 >
    20 places; budget 2028: 10 i_2028 + 5 × 10 + 5 × 20 ≤ 250 → i_2028 ≤ 10. So i_2028 = 10,
    2030 supply 91.593, short 8.407.
    shortfall term = 100 × (10 + 11 + 4.7) [2026: 100 − 90, 2027: 100 − 89, 2028: 100 − 95.3]
    + 100 × (6.23 + 8.407) = 2570 + 1463.7 = 4033.7."""
    spec = copy.deepcopy(WORKED)
    spec["programmes"]["dedpsy"].update(duration=2, course_costs=[{"dfe": 10}, {"dfe": 5}, {"dfe": 5}])
    spec["horizon"]["terminal_value"] = {"years": 3}
    plan = solve(scenario_from_dict(spec))
    assert intakes(plan) == pytest.approx([20.0, 10.0, 10.0], abs=1e-6)
    post = plan.extra["post_horizon"]
    assert list(post.index) == [("ep", "NE", 2029), ("ep", "NE", 2030)]
    assert post["supply"].tolist() == pytest.approx([93.77, 91.593], abs=1e-6)
    assert plan.summary["terms"]["shortfall"] == pytest.approx(2570 + 100 * (6.23 + 8.407), abs=1e-5)


def test_a_small_weight_lets_the_last_intake_fall():
    """weight 0.1, years 1: a 2028 starter now relieves 0.8 × 10 = 8 < its £10k cost, so i_2028 = 0,
    and the 2029 shortfall is 100 − 90 = 10 at weight 10: shortfall term = 200 + 100 = 300."""
    plan = solve_with({"years": 1, "weight": 0.1})
    assert intakes(plan) == pytest.approx([15.75, 14.075, 0.0], abs=1e-6)
    assert plan.summary["terms"]["shortfall"] == pytest.approx(300, abs=1e-5)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(budget=st.sampled_from([120.0, 200.0, 250.0]), penalty=st.sampled_from([1.0, 20.0, 100.0]),
       duration=st.integers(0, 2))
def test_a_zero_terminal_value_is_todays_model(budget, penalty, duration):
    """A terminal value of weight 0 penalises nothing after the horizon: the plan's objective and
    terms are those without a terminal value."""
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
    spec["horizon"]["terminal_value"] = {"years": 3, "weight": 0.0}
    zero = solve(scenario_from_dict(spec))
    assert zero.objective == pytest.approx(plain.objective, rel=1e-9, abs=1e-6)
    assert zero.summary["terms"] == pytest.approx(plain.summary["terms"], rel=1e-9, abs=1e-6)


@pytest.mark.parametrize(("column", "delta"), [("shortfall", -1.0), ("supply", 0.5)])
def test_the_recheck_rejects_a_wrong_post_horizon_table(column, delta):
    """The re-check recomputes the projected supply from the end stock and the starters, and needs
    shortfall ≥ demand − supply: less shortfall than that, or another supply, is a violation."""
    from workforce.errors import VerificationError
    from workforce.plan.verify import verify_plan

    plan = solve_with({"years": 1})
    assert verify_plan(plan)["passed"]
    plan.extra["post_horizon"].loc[("ep", "NE", 2029), column] += delta
    with pytest.raises(VerificationError, match="post-horizon"):
        verify_plan(plan)


@pytest.mark.parametrize(("weight", "value"), [(0.1, 10.0), (1.0, 12.5)])
def test_explain_values_post_horizon_supply(weight, value):
    """The dual of the 2029 row is what one more unit of 2029 supply is worth. weight 0.1 (see
    above): 2029 stays short, so it is the weighted penalty 0.1 × 100 = 10. weight 1: 2029 is met
    exactly by 2028 starters, so it is what the last unit costs: 1/0.8 = 1.25 starters at £10k = 12.5."""
    plan = solve_with({"years": 1, "weight": weight})
    e = plan.explain()
    assert e.post_horizon["value"].tolist() == pytest.approx([value], abs=1e-6)
    assert "After the horizon" in e.text() and "post_horizon" in e.tables()
