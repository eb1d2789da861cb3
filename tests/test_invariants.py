"""Invariants of solved plans on generated scenarios (hypothesis, HiGHS in the loop)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from workforce import InfeasibleScenarioError, scenario_from_dict, solve

REGIONS = [{"code": "A", "name": "Area A"}, {"code": "B", "name": "Area B"}]
YEARS = [2026, 2027, 2028, 2029]

amount = st.floats(min_value=0, max_value=200, allow_nan=False).map(lambda v: round(v, 2))
rate = st.floats(min_value=0, max_value=0.3).map(lambda v: round(v, 3))


def by_region_year(draw, strategy):
    return {r["code"]: {t: draw(strategy) for t in YEARS} for r in REGIONS}


@st.composite
def scenarios(draw):
    budget = draw(st.floats(min_value=0, max_value=500).map(lambda v: round(v, 1)))
    spec = {
        "name": "generated",
        "horizon": {"first_year": YEARS[0], "last_year": YEARS[-1]},
        "regions": REGIONS,
        "roles": {
            "ep": {
                "name": "EPs",
                "initial_stock": {"A": draw(amount), "B": draw(amount)},
                "attrition": draw(rate),
                "attrition_new_entrants": draw(rate),
                "demand": by_region_year(draw, amount),
                "shortfall_penalty": draw(st.sampled_from([1, 50, 200])),
                "surplus_cost": draw(st.sampled_from([0, 1])),
                "hiring": {"max": draw(st.sampled_from([0, 5, 20])), "cost": 8, "stream": "la"},
                "flexible_supply": {"agency": {"name": "Agency", "fte_per_unit": 1.0, "cost": 90,
                                               "max": draw(st.sampled_from([0, 3])), "stream": "la"}},
            },
            "ta": {
                "name": "Assistants",
                "initial_stock": draw(amount),
                "attrition": draw(rate),
                "demand": by_region_year(draw, amount),
                "shortfall_penalty": 5,
            },
        },
        "programmes": {
            "doc": {
                "name": "Doctorate",
                "role": "ep",
                "duration": draw(st.integers(0, 3)),
                "completion_rate": draw(st.floats(0.5, 1.0).map(lambda v: round(v, 2))),
                "course_costs": [{"dfe": 10.0}],
                "places": by_region_year(draw, st.sampled_from([0.0, 5.0, 50.0])),
                "supervision_ratio": 0.2,
            },
            "conv": {
                "name": "Conversion",
                "role": "ep",
                "source": "ta",
                "duration": 1,
                "completion_rate": 0.9,
                "course_costs": [{"dfe": 4.0}, {"la": 2.0}],
            },
        },
        "funding_streams": {"dfe": {"name": "DfE", "budget": budget}, "la": {"name": "LAs", "budget": 300}},
    }
    return spec


def check_invariants(plan) -> None:
    f = plan.flows
    balance = f["stock_start"] - f["leavers"] + f["completions"] + f["hires"] - f["retraining_out"] - f["exits"]
    np.testing.assert_allclose(balance, f["stock_end"], atol=1e-6, rtol=1e-6)
    # Each year starts from the previous year's closing stock.
    for _, g in f.groupby(level=["role", "region"]):
        closing = g["stock_end"].to_numpy()[:-1]
        np.testing.assert_allclose(g["stock_start"].to_numpy()[1:], closing, atol=1e-6)
    w = plan.workforce
    np.testing.assert_allclose(w["supply"] + w["flexible"] + w["shortfall"] - w["surplus"], w["demand"], atol=1e-6)
    assert (w[["supply", "shortfall", "surplus"]] >= -1e-9).all().all()
    s = plan.spend.dropna(subset=["budget"])
    assert (s["spent"] <= s["budget"] * (1 + 1e-6) + 1e-6).all()
    detail = plan.spend_detail["spent"].groupby(level=["stream", "year"]).sum()
    np.testing.assert_allclose(detail.reindex(plan.spend.index, fill_value=0.0), plan.spend["spent"], atol=1e-6)
    i = plan.intake
    capped = i.dropna(subset=["places_max"])
    assert (capped["intake"] <= capped["places_max"] + 1e-6).all()
    sup = i.dropna(subset=["supervision_max"])
    assert (sup["intake"] <= sup["supervision_max"] + 1e-6).all()
    terms = plan.summary["terms"]
    assert plan.objective == pytest.approx(sum(plan.summary["weights"][t] * v for t, v in terms.items()), rel=1e-9)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenarios())
def test_solved_plans_keep_every_balance_and_limit(spec):
    plan = solve(scenario_from_dict(spec))
    check_invariants(plan)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenarios(), st.floats(min_value=1.0, max_value=3.0))
def test_more_budget_never_increases_weighted_shortfall(spec, factor):
    low = solve(scenario_from_dict(spec))
    spec["funding_streams"]["dfe"]["budget"] = round(spec["funding_streams"]["dfe"]["budget"] * factor + 1, 1)
    high = solve(scenario_from_dict(spec))
    assert high.objective <= low.objective + 1e-6 * max(1.0, abs(low.objective))


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenarios())
def test_region_order_does_not_change_the_optimum(spec):
    plan = solve(scenario_from_dict(spec))
    spec["regions"] = list(reversed(spec["regions"]))
    flipped = solve(scenario_from_dict(spec))
    assert flipped.objective == pytest.approx(plan.objective, rel=1e-7, abs=1e-6)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenarios())
def test_zero_demand_means_no_training_hiring_or_shortfall(spec):
    for role in spec["roles"].values():
        role["demand"] = 0
    plan = solve(scenario_from_dict(spec))
    assert plan.workforce["shortfall"].sum() == pytest.approx(0, abs=1e-9)
    assert plan.intake["intake"].sum() == pytest.approx(0, abs=1e-7)
    assert plan.flows["hires"].sum() == pytest.approx(0, abs=1e-7)


def test_infeasible_generated_scenario_is_reported_not_returned():
    """Minimum intakes of 3 + 3 at £10k cost £60k against a 2026 budget of £50k: £10k or one
    starter must give, and making the reported moves gives a feasible scenario."""
    base = {
        "name": "min over budget",
        "horizon": {"first_year": 2026, "last_year": 2027},
        "regions": REGIONS,
        "roles": {"ep": {"name": "EPs", "initial_stock": 1, "attrition": 0.1, "demand": 5, "shortfall_penalty": 10}},
        "programmes": {"doc": {"name": "Doctorate", "role": "ep", "duration": 1, "completion_rate": 1.0,
                               "course_costs": [{"dfe": 10.0}], "intake_min": {"A": 3, "B": 3}}},
        "funding_streams": {"dfe": {"name": "DfE", "budget": {2026: 50, 2027: 100}}},
    }
    with pytest.raises(InfeasibleScenarioError) as info:
        solve(scenario_from_dict(base))
    conflicts = info.value.conflicts
    assert conflicts and {c.kind for c in conflicts} <= {"budget", "minimum intake"}
    # Applying the reported moves must make the scenario feasible.
    for c in conflicts:
        parts = c.key.split(".")
        if c.kind == "budget":
            base["funding_streams"]["dfe"]["budget"][int(parts[-1])] += c.amount
        else:
            region = parts[-2]
            base["programmes"]["doc"]["intake_min"][region] -= c.amount
    assert solve(scenario_from_dict(base)).status == "optimal"
