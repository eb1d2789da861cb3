"""solver.region_decomposition (models/cohort_planning.md section 12.7): a Lagrangian bound over region
blocks and a repaired plan. The bound never exceeds the whole-cohort optimum (hand-solved case and
random small scenarios against HiGHS at gap 0), the plan keeps every row, and the option off leaves
the model and the solve as they were. ``fixed_cost`` is £k per cohort, £1k a starter.
"""

from __future__ import annotations

import copy

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_cohorts import one_region

import workforce.solver.region_solve as region_solve
from workforce import prepare, scenario_from_dict, solve
from workforce.scenario.schema import TERMS
from workforce.solver.core import _highs, compile_scenario
from workforce.solver.policy import stage_cost
from workforce.solver.region_solve import region_start
from workforce.solver.region_split import column_regions, problem_of, split


def shared_budget() -> dict:
    """Regions A (demand 15) and B (demand 8), one year, cohorts of up to 10 at £20k, shortfall £100k a
    head, one budget of £40k for both."""
    spec = one_region({"A": 15, "B": 8}, {"max_size": 10, "fixed_cost": {"dfe": 20}}, regions=("A", "B"))
    spec["funding_streams"]["dfe"]["budget"] = 40
    return spec


def loaded(spec: dict):
    """Data, compiled model, HiGHS holding the whole-cohort model at the weighted cost, cost, offset."""
    data = prepare(scenario_from_dict(copy.deepcopy(spec)))
    compiled = compile_scenario(data)[1]
    cost, offset, _ = stage_cost(compiled, data, list(TERMS))
    h = _highs(compiled, {"threads": 1, "mip_gap": 0.0}, integer=True)
    h.changeColsCost(len(cost), np.arange(len(cost), dtype=np.int32), cost)
    return data, compiled, h, cost, offset


def test_shared_budget_hand_solved():
    """A cohort costs £20k + £1k a starter, so one of 10 costs £30k and two cost at least £40k with
    nobody trained: the budget of £40k buys one cohort. In A it trains 10 (shortfall 5 + 8 = 13,
    1,300 + 30 = 1,330); in B 8 (shortfall 15, 1,500 + 28). Optimum 1,330, one cohort in A.
    The continuous relaxation pays £3k a trainee: 40/3 trained, 40 + (23 − 40/3)·100 = 1,006.67.
    Relaxing the budget with price λ ≥ 0 (λ per £k): A costs min(1500, 530 + 30λ, 55 + 55λ), B
    min(800, 28 + 28λ), and L(λ) = A + B − 40λ rises (slope 30 + 28 − 40) from λ = 19 to
    λ = 772/28 = 27.57, where it is 530 + 827.1 + 800 − 1102.9 = 1,054.3, and falls after: the bound is
    at most 1,054.3 (weak duality leaves a gap here) and at least the relaxation. The blocks' plan,
    repaired, is the optimum."""
    data, compiled, h, cost, offset = loaded(shared_budget())
    blocks = split(problem_of(h, cost), column_regions(compiled, data))
    assert int(blocks.coupling.sum()) == 1  # the budget row only
    assert len(blocks.columns) == 2
    report = region_start(h, compiled, data, cost, offset, {"threads": 1}, 60.0)
    assert report["relaxation"] == pytest.approx(1006.6667, rel=1e-6)
    assert 1006.6667 - 1e-3 <= report["bound"] <= 1054.2858 + 1e-3
    assert report["bound"] > 1015  # the subgradient rounds raise it above the relaxation
    assert report["value"] == pytest.approx(1330)
    x = report["x"]
    cohorts = compiled.layout["cohorts"].ravel()
    assert list(x[cohorts]) == [1.0, 0.0]


def test_solve_with_the_option_reports_a_certified_bound():
    """The same case through workforce.solve: the plan is the optimum 1,330, the bound the run reports
    is at most 1,330 and the log names the decomposition."""
    spec = shared_budget()
    spec["solver"] = {"region_decomposition": True}
    plan = solve(scenario_from_dict(spec))
    assert plan.objective == pytest.approx(1330)
    assert plan.summary["solver"]["bound"] <= 1330 + 1e-6
    assert any("region decomposition: 2 blocks" in line for line in plan.summary["solver_log"])
    assert plan.summary["timings_seconds"]["region_decomposition"] > 0


def test_option_off_builds_and_solves_as_before(monkeypatch):
    """With the option off (the default) the decomposition is never called and the compiled model is
    the one the option on compiles too (the option touches only the solve); with it on it is called."""
    calls = []
    real = region_solve.region_start
    monkeypatch.setattr(region_solve, "region_start", lambda *a, **k: calls.append(1) or real(*a, **k))
    spec = shared_budget()
    plain = solve(scenario_from_dict(copy.deepcopy(spec)))
    assert calls == []
    assert not any("region decomposition" in line for line in plain.summary["solver_log"])
    on = copy.deepcopy(spec)
    on["solver"] = {"region_decomposition": True}
    a = compile_scenario(prepare(scenario_from_dict(copy.deepcopy(spec))))[1]
    b = compile_scenario(prepare(scenario_from_dict(on)))[1]
    for name in ("row_lower", "row_upper", "col_lower", "col_upper", "term_costs"):
        assert np.array_equal(getattr(a, name), getattr(b, name))
    assert (a.A != b.A).nnz == 0
    solve(scenario_from_dict(on))
    assert calls == [1]


@st.composite
def budget_scenarios(draw):
    """Two or three regions, two years, attrition 10%, one shared budget a year; random demand,
    places, cohort sizes and fixed costs."""
    regions = ["A", "B", "C"][: draw(st.integers(2, 3))]
    max_size = draw(st.integers(3, 30))
    return {
        "name": "split",
        "horizon": {"first_year": 2026, "last_year": 2027},
        "regions": [{"code": r, "name": f"Area {r}"} for r in regions],
        "roles": {"ep": {"name": "EPs", "initial_stock": {r: draw(st.integers(0, 20)) for r in regions},
                         "attrition": 0.1, "shortfall_penalty": draw(st.sampled_from([5, 50, 200])),
                         "demand": {r: draw(st.integers(0, 60)) for r in regions}}},
        "programmes": {"doc": {"name": "Course", "role": "ep", "duration": 0, "completion_rate": 0.9,
                               "course_costs": [{"dfe": 1.0}],
                               "places": {r: draw(st.integers(1, 70)) for r in regions},
                               "national_places": draw(st.integers(1, 120)),
                               "cohorts": {"max_size": max_size, "min_size": draw(st.integers(0, max_size)),
                                           "fixed_cost": {"dfe": draw(st.integers(0, 60))}}}},
        "funding_streams": {"dfe": {"name": "DfE", "budget": draw(st.integers(0, 200))}},
    }


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(budget_scenarios())
def test_bound_never_exceeds_the_optimum(spec):
    """Against HiGHS at gap 0: the decomposition's bound is at most the whole-cohort optimum, its plan
    (when it has one) keeps every row and every bound, has whole counts and is worth at least the
    optimum."""
    data, compiled, h, cost, offset = loaded(spec)
    report = region_start(h, compiled, data, cost, offset, {"threads": 1, "mip_gap": 0.0}, 5.0, rounds=2)
    h.run()
    if h.getInfo().primal_solution_status != 2:  # no whole-cohort plan at all
        assert report["x"] is None
        return
    optimum = h.getInfo().objective_function_value + offset
    tol = 1e-6 * max(1.0, abs(optimum))
    assert report["bound"] <= optimum + tol
    x = report["x"]
    if x is not None:
        assert report["value"] >= optimum - tol
        activity = compiled.csc @ x
        assert np.all(activity <= compiled.row_upper + 1e-6) and np.all(activity >= compiled.row_lower - 1e-6)
        assert np.all(x <= compiled.col_upper + 1e-9) and np.all(x >= compiled.col_lower - 1e-9)
        assert np.array_equal(x[compiled.integrality], np.round(x[compiled.integrality]))


def test_a_round_cut_short_gives_no_plan_and_only_the_relaxations_bound():
    """With no time for a round (deadline already past) the decomposition stops before any block: no
    plan, and the bound is the continuous relaxation's, 1,006.67 (the hand-solved case above)."""
    data, compiled, h, cost, offset = loaded(shared_budget())
    report = region_start(h, compiled, data, cost, offset, {"threads": 1}, 0.0)
    assert report["x"] is None
    assert report["bound"] == pytest.approx(1006.6667, rel=1e-6)
    assert report["rounds"][0]["bound"] == -np.inf


def test_both_lp_constructions_give_each_column_the_same_region():
    """The array construction reads regions from its layout, the Pyomo one from each variable's index:
    the same region for every column, by name (intake, cohorts, stock ... of A are 0, of B 1)."""
    from workforce import build_model
    from workforce.solver.core import compile_model

    data = prepare(scenario_from_dict(shared_budget()))
    arrays_path = compile_scenario(data)[1]
    pyomo_path = compile_model(build_model(data))
    by_name = {v.name: r for v, r in zip(arrays_path.columns, column_regions(arrays_path, data), strict=True)}
    assert by_name == {v.name: r for v, r in zip(pyomo_path.columns, column_regions(pyomo_path, data), strict=True)}
    assert by_name["cohorts[doc,A,2026]"] == 0 and by_name["intake[doc,B,2026]"] == 1
