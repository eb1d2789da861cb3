"""The whole-cohort starting plan (round, lift, repair) and the gap every MILP plan reports."""

from __future__ import annotations

import copy

import numpy as np
import pytest
from test_cohorts import one_region

from workforce import build_model, prepare, scenario_from_dict, solve
from workforce.scenario.schema import TERMS
from workforce.solver.core import check_rows, compile_model
from workforce.solver.mip_start import honest_gap, start_solution
from workforce.solver.policy import stage_cost


def start_of(spec: dict):
    data = prepare(scenario_from_dict(copy.deepcopy(spec)))
    compiled = compile_model(build_model(data))
    cost, offset, _ = stage_cost(compiled, data, list(TERMS))
    x, report = start_solution(compiled, cost, {"threads": 1, "random_seed": 0})
    return compiled, cost, offset, x, report


def cohorts_and_intake(compiled, x) -> tuple[float, float]:
    values = {v.parent_component().name: float(x[j]) for j, v in enumerate(compiled.columns)
              if v.parent_component().name in ("cohorts", "intake")}
    return values["cohorts"], values["intake"]


def test_start_rounds_the_relaxation_to_the_optimal_cohorts():
    """Demand 25, cohorts of 8-10 at £30k each, £1k a starter, penalty 100. The relaxation runs 2.5
    cohorts (cost 25 + 75 = 100); the nearest whole number 3 (rounding 2.5 up) holds all 25 for
    25 + 90 = 115, the MILP optimum (two cohorts carry 20: 100·5 + 20 + 60 = 580)."""
    compiled, cost, offset, x, report = start_of(one_region(25, {"min_size": 8, "max_size": 10, "fixed_cost": {"dfe": 30}}))
    assert report["relaxation"] + offset == pytest.approx(100)
    assert x is not None and report["method"].startswith("nearest")
    assert cohorts_and_intake(compiled, x) == pytest.approx((3, 25))
    assert float(cost @ x) + offset == pytest.approx(115)
    check_rows(compiled, x, 1e-7)


def test_start_lifts_a_count_that_a_minimum_intake_needs():
    """Demand 0, minimum intake 11, cohorts of at most 10, no fixed cost: the relaxation runs 1.1
    cohorts (or, as cohorts cost nothing here, any count from 1.1 up: HiGHS releases differ), and
    a count of 1 is too few for 11 starters. The start holds 11 starters in a whole number of
    cohorts, at least the 2 they need (cost 11)."""
    compiled, cost, offset, x, report = start_of(one_region(0, {"max_size": 10}, intake_min=11))
    assert x is not None and report["method"].startswith("nearest")
    cohorts, intake = cohorts_and_intake(compiled, x)
    assert intake == pytest.approx(11) and cohorts >= 2 and cohorts == pytest.approx(round(cohorts))
    assert float(cost @ x) + offset == pytest.approx(11)
    check_rows(compiled, x, 1e-7)


def test_no_start_when_whole_cohorts_cannot_keep_the_limits():
    """Intake between 11 and 12 but cohorts of exactly 5: 2 cohorts hold 10, 3 need 15. The
    relaxation has a plan (2.2 cohorts), no whole number of cohorts does: no start is given."""
    spec = one_region(0, {"min_size": 5, "max_size": 5}, intake_min=11, intake_max=12)
    compiled, cost, offset, x, report = start_of(spec)
    assert x is None and report["method"] == "none"


def test_honest_gap_is_relative_to_the_plan():
    """Plan 110, bound 100: (110 − 100) / 110. A value below 1 in size divides by 1; a plan at
    its bound has no gap; no bound means an infinite gap."""
    assert honest_gap(110.0, 100.0) == pytest.approx(10 / 110)
    assert honest_gap(0.5, 0.25) == pytest.approx(0.25)
    assert honest_gap(7.0, 7.0 + 1e-12) == 0.0
    assert honest_gap(7.0, -np.inf) == np.inf


def test_a_milp_plan_reports_its_gap_to_the_proven_bound():
    """The hand-solved cohort case (optimum 115): the plan's gap is measured against HiGHS's bound
    (never above the plan), not set to 0. HiGHS found a plan itself, so no rounded start was built."""
    plan = solve(scenario_from_dict(one_region(25, {"min_size": 8, "max_size": 10, "fixed_cost": {"dfe": 30}})),
                 verify=False)
    assert plan.objective == pytest.approx(115)
    bound = plan.summary["solver"]["bound"]
    assert bound <= plan.objective + 1e-9
    assert plan.summary["mip_gap"] == pytest.approx(honest_gap(plan.objective, bound))
    assert plan.summary["mip_gap"] <= 1e-3
    assert "mip_start" not in plan.summary["timings_seconds"]


def test_a_limit_that_stops_highs_before_any_plan_still_gives_one():
    """A time limit of 1e-9 s stops HiGHS before it has any plan: the rounded start (3 cohorts,
    the optimum 115 above) is handed to it for a short second run, which returns it with its gap
    instead of failing. The rescue's seconds count in the solve time."""
    plan = solve(scenario_from_dict(one_region(25, {"min_size": 8, "max_size": 10, "fixed_cost": {"dfe": 30}})),
                 verify=False, time_limit=1e-9)
    assert plan.objective == pytest.approx(115)
    assert plan.summary["mip_gap"] is not None and plan.summary["mip_gap"] <= 1e-3
    timings = plan.summary["timings_seconds"]
    assert 0 < timings["mip_start"] <= timings["solve"]


def test_lexicographic_milp_stages_start_from_the_earlier_plan():
    """Shortfall first, then training cost: 3 cohorts hold all 25 (shortfall 0), the cheapest such
    plan costs 25 + 3·30 = 115. Each later stage is handed the earlier stage's plan, which keeps
    its bound row, and still reaches the hand-solved optimum."""
    spec = one_region(25, {"min_size": 8, "max_size": 10, "fixed_cost": {"dfe": 30}})
    spec["objective"] = {"lexicographic": [["shortfall"], ["training_cost"]]}
    plan = solve(scenario_from_dict(spec), verify=False)
    stages = plan.summary["lexicographic_stages"]
    assert [s["value"] for s in stages[:2]] == pytest.approx([0, 115])
    assert plan.intake.loc[("doc", "A", 2026), "cohorts"] == 3
