"""The steady-state end condition (models/cohort_planning.md, section 10.2), on the worked example
of section 11 (one region, EPs, a one-year programme, 2026-2028): without it the optimum is
i = (15.75, 14.075, 0), objective 697.375 (shortfall 200, training 497.375)."""

from __future__ import annotations

import copy

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from workforce import InfeasibleScenarioError, scenario_from_dict, solve

from test_arrays import assert_same_lp, national_scale, rich_scenarios  # isort: skip
from test_horizon import WORKED, intakes  # isort: skip


def solve_with(steady: dict | None, **programme):
    spec = copy.deepcopy(WORKED)
    if steady is not None:
        spec["horizon"]["steady_state"] = steady
    spec["programmes"]["dedpsy"].update(programme)
    return solve(scenario_from_dict(spec))


@pytest.mark.parametrize(("share", "last"), [(1.0, 12.5), (0.5, 6.25)])
def test_the_last_intake_replaces_the_last_years_leavers(share, last):
    """D = 1 (one-year course), so one row, 2029: 0.8 i_2028 ≥ share × 0.1 × 100. Without the row
    i_2028 = 0 (its completers arrive after 2028), so the row binds: i_2028 = 10 share / 0.8
    (12.5 at share 1, 6.25 at 0.5). Each 2028 starter costs £10k inside the horizon
    (its second course year is after it) and changes nothing in 2026-2028, so the rest of the plan
    stays and objective = 697.375 + 10 × i_2028 (822.375, 759.875); the 2028 budget
    10 × 12.5 + 5 × 14.075 = 195.375 ≤ 250 does not bind."""
    plan = solve_with({"share": share})
    assert intakes(plan) == pytest.approx([15.75, 14.075, last], abs=1e-6)
    assert plan.objective == pytest.approx(697.375 + 10 * last, abs=1e-6)
    assert plan.summary["verification"]["checks"]["steady-state pipeline"] == 1


def test_a_share_of_zero_is_the_model_without_the_row():
    assert solve_with({"share": 0.0}).objective == pytest.approx(solve_with(None).objective, abs=1e-9)


def test_a_pipeline_the_places_cannot_hold_is_diagnosed_by_name():
    """places 5 in 2028: 0.8 × 5 = 4 < 10 needed; the diagnosis names the steady-state row."""
    with pytest.raises(InfeasibleScenarioError, match="steady-state pipeline"):
        solve_with({}, places={"NE": {2026: 20, 2027: 20, 2028: 5}})


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rich_scenarios(), st.sampled_from([0.0, 0.5, 1.0]))
def test_generated_lp_with_the_steady_state_rows_equals_the_pyomo_compilation(spec, share):
    for role in spec["roles"].values():
        role.pop("fte_per_head", None)  # refused with the steady-state condition for now (section 23)
    spec["horizon"]["steady_state"] = {"share": share}
    assert_same_lp(spec)


def test_national_scale_scenarios_with_the_steady_state_rows_have_equal_lps():
    ns = national_scale()
    for kw in ({}, {"terms": 3}, {"terms": 3, "integer": "all"}):
        spec = ns.synthetic_scenario(areas=3, roles=3, years=4, **kw)
        spec["horizon"]["steady_state"] = {}
        assert_same_lp(spec)


def solve_valued(values: dict, **programme):
    spec = copy.deepcopy(WORKED)
    spec["horizon"]["completer_value"] = values
    spec["programmes"]["dedpsy"].update(programme)
    return solve(scenario_from_dict(spec))


def test_a_declared_value_per_completer_buys_late_starters_up_to_the_budget():
    """Section 10.3, completer_value {ep: 20}: a 2028 starter qualifies in 2029 and is credited
    0.8 × 20 = 16 against a £10k cost in 2028, so 2028 intake grows until a limit binds: the 2028
    budget 10 i_2028 + 5 × 14.075 ≤ 250 gives i_2028 = 179.625 / 10 = 17.9625 (below the 20 places).
    Cutting i_2027 to free budget would cost 0.8 × 100 = 80 of 2028 shortfall per starter for a
    credit of 0.5 × 6 = 3: no. objective = 697.375 + (10 − 16) × 17.9625 = 589.6; the shortfall term
    is 200 − 16 × 17.9625 = −87.4."""
    plan = solve_valued({"ep": 20})
    assert intakes(plan) == pytest.approx([15.75, 14.075, 17.9625], abs=1e-6)
    assert plan.objective == pytest.approx(589.6, abs=1e-6)
    assert plan.summary["terms"]["shortfall"] == pytest.approx(-87.4, abs=1e-6)


def test_a_value_below_the_course_cost_buys_nothing():
    """{ep: 12}: 0.8 × 12 = 9.6 < 10, so i_2028 stays 0 and the plan is that of section 11."""
    plan = solve_valued({"ep": 12})
    assert intakes(plan) == pytest.approx([15.75, 14.075, 0.0], abs=1e-6)
    assert plan.objective == pytest.approx(697.375, abs=1e-6)


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(budget=st.sampled_from([120.0, 200.0, 250.0]), penalty=st.sampled_from([1.0, 20.0, 100.0]),
       duration=st.integers(1, 3))
def test_a_zero_value_per_completer_is_todays_model(budget, penalty, duration):
    """Section 7 invariant: completer_value 0 for the role is the model without it."""
    spec = copy.deepcopy(WORKED)
    spec["funding_streams"]["dfe"]["budget"] = budget
    spec["roles"]["ep"]["shortfall_penalty"] = penalty
    spec["programmes"]["dedpsy"].update(duration=duration, course_costs=[{"dfe": 10}] * (duration + 1))
    plain = solve(scenario_from_dict(copy.deepcopy(spec)))
    spec["horizon"]["completer_value"] = {"ep": 0.0}
    valued = solve(scenario_from_dict(spec))
    assert valued.objective == pytest.approx(plain.objective, rel=1e-9, abs=1e-9)
    assert valued.summary["terms"] == pytest.approx(plain.summary["terms"], rel=1e-9, abs=1e-9)


def test_an_unknown_role_in_completer_value_is_a_located_error():
    from workforce import ScenarioError

    with pytest.raises(ScenarioError, match=r"horizon\.completer_value\.epp.*unknown role 'epp'"):
        solve_valued({"epp": 5})


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rich_scenarios(), st.sampled_from([0.0, 7.5, 40.0]))
def test_generated_lp_with_a_completer_value_equals_the_pyomo_compilation(spec, value):
    spec["horizon"]["completer_value"] = {k: value for k in spec["roles"]}
    assert_same_lp(spec)
