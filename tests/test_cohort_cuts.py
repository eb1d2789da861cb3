"""solver.cohort_strengthening: the cohort_capacity_cut rows (models/cohort_planning.md section 12.6).

They tighten the continuous relaxation and cut off no whole-cohort plan: hand-solved relaxations
with and without them, the same optimum with and without them on random small scenarios, the same
rows from both LP constructions, and a reported gap never below the one HiGHS's bound certifies.
The tests copy the ``fixed_cost`` in the docstrings' arithmetic as £k per cohort, £1k a starter.
"""

from __future__ import annotations

import copy

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_cohorts import one_region

from workforce import build_model, prepare, scenario_from_dict, solve
from workforce.scenario.schema import TERMS
from workforce.solver.cohort_cuts import capacity_cuts
from workforce.solver.core import _highs, compile_model, compile_scenario
from workforce.solver.policy import stage_cost


def relaxation(spec: dict, strengthen: bool) -> float:
    """The continuous relaxation's optimum (every cohort count fractional), with or without the cuts."""
    data = prepare(scenario_from_dict(copy.deepcopy(spec)))
    _, compiled = compile_scenario(data)
    cost, offset, _ = stage_cost(compiled, data, list(TERMS))
    h = _highs(compiled, {"threads": 1}, integer=False)
    h.changeColsCost(len(cost), np.arange(len(cost), dtype=np.int32), cost)
    if strengthen:
        for cols, vals, rhs in capacity_cuts(compiled, data).rows():
            h.addRow(-np.inf, rhs, len(cols), cols, vals)
    h.run()
    return h.getInfo().objective_function_value + offset


def compiled(spec: dict):
    """The scenario's data and its compiled model (the array construction where it applies)."""
    data = prepare(scenario_from_dict(copy.deepcopy(spec)))
    return data, compile_scenario(data)[1]


def solved(spec: dict, strengthen: bool):
    spec = copy.deepcopy(spec)
    spec["solver"] = {**spec.get("solver", {}), "cohort_strengthening": strengthen, "mip_gap": 0.0}
    return solve(scenario_from_dict(spec))


def test_one_cohort_when_the_places_are_below_a_full_cohort():
    """Demand 30, 30 places, cohorts of up to 40 at £50k each, £1k a starter, shortfall £100k a head.
    U = 30 < M = 40, so k = 0, ρ = 30 and the cut is intake ≤ 30·n. Whole cohorts: one cohort of 30,
    30 + 50 = 80 (none: 3,000 of shortfall). The relaxation without the cut runs n = 30/40 = 0.75
    cohorts for 30 + 37.5 = 67.5; with it n ≥ 30/30 = 1, so 30 + 50 = 80: the cut closes the gap."""
    spec = one_region(30, {"max_size": 40, "fixed_cost": {"dfe": 50}}, places=30)
    assert relaxation(spec, False) == pytest.approx(67.5)
    assert relaxation(spec, True) == pytest.approx(80)
    plan = solved(spec, True)
    assert plan.objective == pytest.approx(80)
    assert plan.intake.loc[("doc", "A", 2026), "cohorts"] == 1
    assert whole_optimum(*compiled(spec), False)[0] == pytest.approx(80)
    assert "1 cohort_capacity_cut rows" in "".join(plan.summary["solver_log"])


def test_a_remainder_cohort_above_whole_maximum_cohorts():
    """Demand 50, 50 places, cohorts of up to 20 at £10k each: U = 50 = 2·20 + 10, so k = 2, ρ = 10
    and the cut is intake ≤ 10·n + 20. Whole cohorts: three (2 hold at most 40), 50 + 30 = 80. The
    plain relaxation runs 2.5 cohorts, 50 + 25 = 75; the cut needs 50 ≤ 10·n + 20, n ≥ 3: 80."""
    spec = one_region(50, {"max_size": 20, "fixed_cost": {"dfe": 10}}, places=50)
    assert relaxation(spec, False) == pytest.approx(75)
    assert relaxation(spec, True) == pytest.approx(80)
    assert solved(spec, True).objective == pytest.approx(80)
    assert whole_optimum(*compiled(spec), False)[0] == pytest.approx(80)


def test_no_cut_where_the_places_are_whole_maximum_cohorts():
    """60 places in cohorts of up to 20: ρ = 0, intake ≤ 20·n already meets intake ≤ 60 at n = 3."""
    spec = one_region(50, {"max_size": 20}, places=60)
    data = prepare(scenario_from_dict(spec))
    assert capacity_cuts(compile_scenario(data)[1], data).rows() == []


def test_both_lp_constructions_give_the_same_rows():
    """Array and Pyomo compilations of a two-region, three-intake scenario: the same cuts, by column name
    (the intake side is the sum over the year's terms)."""
    spec = one_region({"A": 30, "B": 55}, {"max_size": 40, "min_size": 5, "fixed_cost": {"dfe": 5}},
                      regions=("A", "B"), places={"A": 30, "B": 70})
    data = prepare(scenario_from_dict(spec))
    arrays_path = compile_scenario(data)[1]
    pyomo_path = compile_model(build_model(data))

    def named(compiled):
        return sorted((tuple(sorted((compiled.columns[j].name, v) for j, v in zip(c, vals, strict=True))), r)
                      for c, vals, r in capacity_cuts(compiled, data).rows())

    rows = named(arrays_path)
    assert len(rows) == 2  # A: 30 = 0·40 + 30; B: 70 = 1·40 + 30
    assert rows == named(pyomo_path)
    assert rows[1] == ((("cohorts[doc,B,2026]", -30.0), ("intake[doc,B,2026]", 1.0)), 10.0)


@st.composite
def cohort_scenarios(draw):
    """Two regions, two years, attrition 10%; random demand, places, cohort sizes and fixed costs."""
    years = [2026, 2027]
    regions = ["A", "B"]
    max_size = draw(st.integers(3, 30))
    spec = {
        "name": "cuts",
        "horizon": {"first_year": years[0], "last_year": years[-1]},
        "regions": [{"code": r, "name": f"Area {r}"} for r in regions],
        "roles": {"ep": {"name": "EPs", "initial_stock": {r: draw(st.integers(0, 20)) for r in regions},
                         "attrition": 0.1, "shortfall_penalty": draw(st.sampled_from([5, 50, 200])),
                         "demand": {r: draw(st.integers(0, 60)) for r in regions}}},
        "programmes": {"doc": {"name": "Course", "role": "ep", "duration": 0, "completion_rate": 0.9,
                               "course_costs": [{"dfe": 1.0}],
                               "places": {r: draw(st.integers(1, 70)) for r in regions},
                               "cohorts": {"max_size": max_size, "min_size": draw(st.integers(0, max_size)),
                                           "fixed_cost": {"dfe": draw(st.integers(0, 60))}}}},
        "funding_streams": {"dfe": {"name": "DfE"}},
    }
    return spec


def whole_optimum(data, model, strengthen: bool) -> tuple[float, float]:
    """HiGHS's whole-cohort optimum (gap 0) and proven bound, with or without the cuts."""
    cost, offset, _ = stage_cost(model, data, list(TERMS))
    h = _highs(model, {"threads": 1, "mip_gap": 0.0}, integer=True)
    h.changeColsCost(len(cost), np.arange(len(cost), dtype=np.int32), cost)
    if strengthen:
        for cols, vals, rhs in capacity_cuts(model, data).rows():
            h.addRow(-np.inf, rhs, len(cols), cols, vals)
    h.run()
    info = h.getInfo()
    return info.objective_function_value + offset, info.mip_dual_bound + offset


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cohort_scenarios())
def test_strengthening_keeps_the_optimum_and_its_bound_holds(spec):
    """The same whole-cohort optimum with and without the cuts, and the strengthened solve's proven
    bound is at most the plain optimum (the cuts remove no whole-cohort plan)."""
    data, model = compiled(spec)
    plain, _ = whole_optimum(data, model, False)
    strong, bound = whole_optimum(data, model, True)
    assert strong == pytest.approx(plain, rel=1e-6, abs=1e-6)
    assert bound <= plain + 1e-6 * max(1.0, abs(plain))


def test_reported_gap_is_never_below_the_one_highs_certifies():
    """Two regions where the cuts apply, solved through workforce.solve with the option on and the
    default gap 0.1%: the plan's gap is at least (plan value − HiGHS's bound) / plan value, and the
    bound is at most the whole-cohort optimum 130. Cohorts of up to 20 at £10k, regions independent:
    A (30 places, demand 30; U = 1·20 + 10) runs two cohorts, 30 + 20 = 50; B (50 places, demand 50)
    three, 50 + 30 = 80."""
    spec = one_region({"A": 30, "B": 50}, {"max_size": 20, "fixed_cost": {"dfe": 10}}, regions=("A", "B"),
                      places={"A": 30, "B": 50})
    spec["solver"] = {"cohort_strengthening": True}
    plan = solve(scenario_from_dict(spec))
    assert plan.objective == pytest.approx(130)
    bound = plan.summary["solver"]["bound"]
    value = plan.summary["lexicographic_stages"][-1]["value"]
    assert bound <= 130 + 1e-6
    assert plan.summary["mip_gap"] >= (value - bound) / max(1.0, abs(value)) - 1e-12
