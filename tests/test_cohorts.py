"""Integer cohorts: hand-solved mixed-integer optima, the LP relaxation, and integrality-only conflicts."""

from __future__ import annotations

import copy

import pytest
from scenarios import only_problem

from workforce import InfeasibleScenarioError, build_model, prepare, scenario_from_dict, solve
from workforce.solver.core import compile_model


def one_region(demand, cohorts: dict, stock=0, regions=("A",), **prog) -> dict:
    """Role ep with no attrition, penalty 100; same-year course (completion 100%, £1k a starter),
    100 places a region; delivered in ``cohorts``."""
    return {
        "name": "cohorts",
        "horizon": {"first_year": 2026, "last_year": 2026},
        "regions": [{"code": r, "name": f"Area {r}"} for r in regions],
        "roles": {"ep": {"name": "EPs", "initial_stock": stock, "attrition": 0.0, "demand": demand,
                         "shortfall_penalty": 100}},
        "programmes": {"doc": {"name": "Course", "role": "ep", "duration": 0, "completion_rate": 1.0,
                               "course_costs": [{"dfe": 1.0}], "places": 100, "cohorts": cohorts, **prog}},
        "funding_streams": {"dfe": {"name": "DfE"}},
    }


def run(spec: dict):
    return solve(scenario_from_dict(copy.deepcopy(spec)))


def test_whole_cohorts_with_a_fixed_cost():
    """Demand 25; cohorts of 8-10 at £30k each. Three cohorts carry 25 (24 ≤ 25 ≤ 30):
    cost 25 + 3·30 = 115. Two carry at most 20: 100·5 + 20 + 60 = 580. So 3 cohorts, objective 115.
    The continuous relaxation would run 2.5 cohorts for 25 + 75 = 100; the MILP reports its gap."""
    plan = run(one_region(25, {"min_size": 8, "max_size": 10, "fixed_cost": {"dfe": 30}}))
    assert plan.intake.loc[("doc", "A", 2026), "cohorts"] == 3
    assert plan.intake.loc[("doc", "A", 2026), "intake"] == pytest.approx(25)
    assert plan.objective == pytest.approx(115)
    assert plan.summary["terms"]["training_cost"] == pytest.approx(115)
    assert plan.spend_detail.loc[("dfe", 2026, "cohorts:doc"), "spent"] == pytest.approx(90)
    assert plan.spend.loc[("dfe", 2026), "spent"] == pytest.approx(115)
    assert plan.status == "optimal"
    assert plan.summary["mip_gap"] is not None and plan.summary["mip_gap"] <= 1e-3


def test_minimum_cohort_size_trains_more_than_needed():
    """Demand 5, cohorts of 8-10, no fixed cost: a cohort must hold 8 (3 surplus, free) which costs
    8 < 500 of shortfall. Objective 8."""
    plan = run(one_region(5, {"min_size": 8, "max_size": 10}))
    assert plan.intake.loc[("doc", "A", 2026), "intake"] == pytest.approx(8)
    assert plan.objective == pytest.approx(8)


def test_either_no_cohort_or_at_least_n_trainees_in_a_region():
    """Region A needs 3, B needs 10; cohorts of up to 20, a region runs none or at least 5 trainees.
    Penalty 1.5 a unit-year, £1k a starter. A: 5 trainees cost 5 > 3·1.5 = 4.5, so none (without
    the rule A would train 3 for 3). B: 10 trainees cost 10 < 15. Objective 4.5 + 10 = 14.5."""
    spec = one_region({"A": 3, "B": 10}, {"max_size": 20, "region_minimum": 5}, regions=("A", "B"))
    spec["roles"]["ep"]["shortfall_penalty"] = 1.5
    plan = run(spec)
    assert plan.intake.loc[("doc", "A", 2026), "intake"] == pytest.approx(0)
    assert plan.intake.loc[("doc", "B", 2026), "intake"] == pytest.approx(10)
    assert plan.objective == pytest.approx(14.5)
    del spec["programmes"]["doc"]["cohorts"]["region_minimum"]
    assert run(spec).objective == pytest.approx(13)


def test_lp_scenarios_stay_continuous():
    """Without cohorts the compiled model has no integer column and the plan has no gap."""
    spec = one_region(25, {"max_size": 10})
    del spec["programmes"]["doc"]["cohorts"]
    compiled = compile_model(build_model(prepare(scenario_from_dict(spec))))
    assert compiled.integrality is None
    plan = run(spec)
    assert plan.summary["mip_gap"] is None
    assert "cohorts" not in plan.intake.columns


def test_conflict_from_whole_cohorts_only_is_named():
    """Exactly 25 starters (intake_min = intake_max = 25) in cohorts of 9-12: two hold 18-24,
    three 27-36, so no whole number of cohorts fits, though 2.5 fractional cohorts would."""
    spec = one_region(25, {"min_size": 9, "max_size": 12}, intake_min=25, intake_max=25)
    with pytest.raises(InfeasibleScenarioError) as info:
        run(spec)
    assert "only because training runs in whole cohorts" in str(info.value)
    assert info.value.conflicts[0].key == "programmes.doc.cohorts"


def test_conflict_in_the_relaxation_is_diagnosed_as_for_an_lp():
    """25 starters required but only 20 places: the continuous relaxation is infeasible too, so the
    elastic diagnosis names the places (or the minimum), not the cohorts."""
    spec = one_region(25, {"max_size": 10}, intake_min=25, places=20)
    spec["programmes"]["doc"]["intake_min"] = 20
    spec["targets"] = {"t": {"programme": "doc", "by_year": 2026, "at_least": 25}}
    with pytest.raises(InfeasibleScenarioError) as info:
        run(spec)
    assert "whole cohorts" not in str(info.value)
    assert {c.kind for c in info.value.conflicts} & {"training places", "policy target"}


def test_cohort_settings_are_checked():
    spec = one_region(5, {"min_size": 12, "max_size": 10})
    assert "above max_size" in only_problem(lambda: scenario_from_dict(spec)).message
    spec = one_region(5, {"max_size": 10, "fixed_cost": {"dfee": 1}})
    problem = only_problem(lambda: scenario_from_dict(spec))
    assert problem.key == "programmes.doc.cohorts.fixed_cost.dfee"
    spec = one_region(5, {"max_size": 10})
    del spec["programmes"]["doc"]["places"]
    assert "needs places" in only_problem(lambda: scenario_from_dict(spec)).message


def test_a_plan_stopped_at_the_time_limit_is_provisional_with_its_gap(monkeypatch):
    """When HiGHS stops at its time limit holding a plan, the plan comes back 'provisional' with the
    gap HiGHS reports. HiGHS is made to report kTimeLimit after its (complete) search, so the test
    does not depend on timing; the plan is then the 3-cohort optimum of the first test."""
    import sys

    import highspy

    solve_module = sys.modules["workforce.solver.core"]  # the package re-exports the solve function under this name
    real = solve_module._run_highs

    def stopped(h):
        real(h)
        return highspy.HighsModelStatus.kTimeLimit

    monkeypatch.setattr(solve_module, "_run_highs", stopped)
    plan = run(one_region(25, {"min_size": 8, "max_size": 10, "fixed_cost": {"dfe": 30}}))
    assert plan.status == "provisional"
    assert plan.summary["mip_gap"] is not None
    assert plan.objective == pytest.approx(115)


def test_cohort_problems_are_located_in_the_yaml(tmp_path):
    """A cohort rule without any intake cap is reported at the cohorts key's line."""
    import yaml
    from scenarios import load_problem

    s = one_region(5, {"max_size": 10})
    del s["programmes"]["doc"]["places"]
    text = yaml.safe_dump(s, sort_keys=False)
    problem = load_problem(tmp_path, text)
    line = next(i for i, row in enumerate(text.splitlines(), start=1) if row.strip() == "cohorts:")
    assert problem.key == "programmes.doc.cohorts"
    assert problem.line == line
    assert problem.file is not None and problem.file.endswith("scenario.yaml")
