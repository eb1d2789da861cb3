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
    spec["horizon"]["steady_state"] = {"share": share}
    assert_same_lp(spec)


def test_national_scale_scenarios_with_the_steady_state_rows_have_equal_lps():
    ns = national_scale()
    for kw in ({}, {"terms": 3}, {"terms": 3, "integer": "all"}):
        spec = ns.synthetic_scenario(areas=3, roles=3, years=4, **kw)
        spec["horizon"]["steady_state"] = {}
        assert_same_lp(spec)
