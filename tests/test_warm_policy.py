"""Sweeps over scenarios that use the issue-4 rules: whole cohorts stay whole, and every change made
in place gives the model (and the optimum) a cold rebuild gives.

The sweep engine (issue 7) was written before cohorts, calendars, financial-year budgets, tenure,
statutory deadlines, targets and equity; these tests pin down how it handles each of them.
"""

from __future__ import annotations

import copy

import numpy as np
import pytest
from test_warm import _assert_in_place_as_cold, _assert_same_arrays, _cold, _lever

from workforce import scenario_from_dict
from workforce.solver.warm import WarmModel

POLICY = {
    "name": "policy rules",
    "horizon": {"first_year": 2026, "last_year": 2029},
    "regions": [{"code": "A", "name": "Area A"}, {"code": "B", "name": "Area B"}],
    "roles": {
        "ep": {"name": "EPs", "initial_stock": {"A": 20, "B": 12}, "attrition": 0.08,
               "demand": {"A": {2026: 22, 2027: 24, 2028: 26, 2029: 28}, "B": 14}, "shortfall_penalty": 60,
               "tenure": {"programmes": ["doc"], "from_intake_year": 2025, "attrition": [0.02, 0.15]},
               "hiring": {"max": 1, "cost": 4, "stream": "la"}},
        "senco": {"name": "SENCOs", "initial_stock": 40, "attrition": 0.1,
                  "demand": {"A": {2026: 30, 2027: 30, 2028: 28, 2029: 28}, "B": 20}, "shortfall_penalty": 8,
                  "statutory_deadline": {"within_years": 2, "mode": "penalise", "penalty": 5,
                                         "initial_shares": [0.5, 0.5]},
                  "hiring": {"max": 2, "cost": 3}},
    },
    "programmes": {
        "doc": {"name": "Doctorate", "role": "ep", "duration": 1, "completion_rate": 0.9,
                "course_costs": [{"dfe": 3}, {"dfe": 2}], "places": 12,
                "cohorts": {"min_size": 2, "max_size": 5, "fixed_cost": {"dfe": 4}},
                "prior_intake": {2025: {"A": 3, "B": 2}}},
        "npq": {"name": "NPQ", "role": "senco", "completion_rate": 0.8,
                "calendar": {"intakes": {"autumn": 2, "spring": 7}, "duration_months": 18, "prior_intake_at": "autumn"},
                "course_costs": [{"npq": 1.2}, {"npq": 0.6}], "places": 10,
                "prior_intake": {2025: {"A": 4, "B": 2}}},
    },
    "funding_streams": {"dfe": {"name": "DfE", "budget": 60},
                        "npq": {"name": "NPQ grant", "budget": 14, "year": "financial"},
                        "la": {"name": "Local authorities"}},
    "targets": {"docs": {"programme": "doc", "by_year": 2029, "at_least": 12}},
}

IN_PLACE = [
    ("funding_streams.dfe.budget", "scale", 0.85),
    ("funding_streams.npq.budget", "set", 9),  # a financial-year budget
    ("programmes.npq.course_costs.0.npq", "scale", 1.5),  # inside the financial-year budget rows
    ("roles.senco.attrition", "set", 0.2),  # unqualified holders leave at the role's attrition
    ("roles.senco.demand.A", "growth", -0.05),  # posts abolished free unqualified holders
    ("roles.ep.attrition", "set", 0.12),  # the established EPs under a tenure profile
    ("programmes.doc.completion_rate", "set", 0.7),  # completions count towards the target
    ("programmes.npq.completion_rate", "set", 0.6),  # qualified arrivals take over unqualified posts
    ("programmes.doc.prior_intake.2025.A", "set", 5),
]


def model(spec: dict) -> WarmModel:
    return WarmModel(scenario_from_dict(copy.deepcopy(spec)))


@pytest.fixture(scope="module")
def policy():
    return model(POLICY)


def test_the_sweep_engine_solves_whole_cohorts(policy):
    """The warm model hands HiGHS the integer columns: its plan runs whole cohorts, as solve() does."""
    info = policy.solve()
    cohorts = [j for j, v in enumerate(policy.compiled.columns) if v.parent_component().name == "cohorts"]
    assert cohorts and policy.compiled.integrality is not None
    assert np.allclose(info.x[cohorts], np.round(info.x[cohorts]), atol=1e-6)
    assert info.mip_gap is not None and info.mip_gap <= 1e-3
    _, cold = _cold(policy.base, {}, {}, policy.options)
    assert info.objective == pytest.approx(cold.objective, rel=1e-6)


@pytest.mark.parametrize(("path", "op", "value"), IN_PLACE, ids=[f"{p}:{o}" for p, o, _ in IN_PLACE])
def test_each_change_in_place_matches_a_cold_rebuild(policy, path, op, value):
    _assert_in_place_as_cold(policy, _lever(path, op), value, tol=1e-6)


def test_financial_year_spend_is_reported_by_financial_year(policy):
    """The sweep's spend of a financial-year stream is what plan.spend reports: by financial year."""
    from workforce import solve

    warm = model(POLICY)
    info = warm.solve()
    plan = solve(scenario_from_dict(copy.deepcopy(POLICY)))
    template = warm.template
    spent = template.assign(value=warm.key_values(info))
    spent = spent[spent["measure"] == "spend"].set_index(["item", "year"])["value"]
    assert len(spent) == len(plan.spend)
    for (f, t), v in plan.spend["spent"].items():
        assert spent[f, t] == pytest.approx(v, rel=1e-6, abs=1e-6), (f, t)


def test_equity_is_a_stage_of_the_warm_solve_too():
    spec = copy.deepcopy(POLICY)
    spec["objective"] = {"equity": {"roles": ["ep"]}}
    warm = model(spec).solve()
    _, cold = _cold(scenario_from_dict(copy.deepcopy(spec)).model_dump(), {}, {}, {"threads": 1, "random_seed": 0})
    assert [s["terms"] for s in warm.stages] == [s["terms"] for s in cold.stages]
    assert warm.stages[0]["terms"] == ["worst_shortfall_rate"]
    assert warm.objective == pytest.approx(cold.objective, rel=1e-6)


FORECAST = {
    "name": "forecast demand",
    "horizon": {"first_year": 2026, "last_year": 2028},
    "regions": [{"code": "A", "name": "Area A"}],
    "roles": {"ep": {"name": "EPs", "initial_stock": 5, "attrition": 0.1, "shortfall_penalty": 50,
                     "demand_forecast": {"driver": 100, "method": "flat", "multiply": {"per_plan": 0.1}},
                     "hiring": {"max": 3, "cost": 2}}},
    "funding_streams": {"la": {"name": "Local authorities"}},
}


@pytest.mark.parametrize(("path", "op", "value", "demand", "how"), [
    ("roles.ep.demand", "scale", 1.2, 12.0, "in place"),  # the forecast's demand (100 × 0.1 = 10) scaled
    ("roles.ep.demand_forecast.multiply.per_plan", "set", 0.08, 8.0, "rebuild"),  # the forecast itself
])
def test_levers_on_forecast_demand(path, op, value, demand, how):
    """A role whose demand comes from demand_forecast carries both; a lever on either one must not
    leave the other disagreeing (the loader rejects that), and the point solves as a cold run does.
    A lever on the forecast moves demand by the forecast's rule, which only the loader applies."""
    warm = model(FORECAST)
    levers = {"x": _lever(path, op)}
    info, used, note = warm.solve_point({"x": value}, levers)
    assert note["how"] == how, note
    assert used.data.demand["ep", "A", 2027] == pytest.approx(demand)
    _, cold = _cold(warm.base, {"x": value}, levers, warm.options)
    assert info.objective == pytest.approx(cold.objective, rel=1e-9)


TERMINAL = copy.deepcopy(POLICY)
TERMINAL["horizon"]["terminal_value"] = {"years": 2, "discount_rate": 0.035}
IN_PLACE_TERMINAL = [
    ("roles.senco.demand.A", "growth", -0.05),  # the last year's demand is the post-horizon rows' bound
    ("roles.ep.attrition", "set", 0.12),  # survival of the end stock
    ("roles.senco.attrition_new_entrants", "set", 0.3),  # survival of the pipeline's completers
    ("programmes.npq.completion_rate", "set", 0.6),  # the pipeline's completers
]


@pytest.fixture(scope="module")
def terminal():
    return model(TERMINAL)


@pytest.mark.parametrize(("path", "op", "value"), IN_PLACE_TERMINAL, ids=[f"{p}:{o}" for p, o, _ in IN_PLACE_TERMINAL])
def test_post_horizon_rows_change_in_place_as_a_cold_rebuild(terminal, path, op, value):
    """post_demand_balance (section 10.1) is re-evaluated in place for each parameter it reads."""
    assert terminal.compiled.model.post_demand_balance
    levers = {"x": _lever(path, op)}
    info, used, note = terminal.solve_point({"x": value}, levers)
    assert used is terminal and note["how"] == "in place", note
    compiled, cold = _cold(terminal.base, {"x": value}, levers, terminal.options)
    _assert_same_arrays(terminal.compiled, compiled)
    assert info.objective == pytest.approx(cold.objective, rel=1e-6, abs=1e-6)
