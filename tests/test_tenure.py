"""Retention by tenure: hand-worked stock arithmetic for a tie-in profile."""

from __future__ import annotations

import copy

import pytest
from scenarios import only_problem

from workforce import scenario_from_dict, solve


def spec(tenure: dict) -> dict:
    """Stock 10, base attrition 10% (new entrants too), demand 0 with free surplus. Exactly 10 start a
    same-year course (100% completion, £1k) in 2026 and none later; horizon 2026-2029."""
    return {
        "name": "tenure",
        "horizon": {"first_year": 2026, "last_year": 2029},
        "regions": [{"code": "A", "name": "Area A"}],
        "roles": {"ep": {"name": "EPs", "initial_stock": 10, "attrition": 0.1, "demand": 0,
                         "shortfall_penalty": 1, "tenure": tenure}},
        "programmes": {"doc": {"name": "Course", "role": "ep", "duration": 0, "completion_rate": 1.0,
                               "course_costs": [{"dfe": 1.0}],
                               "intake_min": {"A": {2026: 10, 2027: 0, 2028: 0, 2029: 0}},
                               "intake_max": {"A": {2026: 10, 2027: 0, 2028: 0, 2029: 0}}}},
        "funding_streams": {"dfe": {"name": "DfE"}},
    }


def run(s: dict):
    return solve(scenario_from_dict(copy.deepcopy(s)))


def leavers(plan, year):
    return plan.flows.loc[("ep", "A", year), "leavers"]


def test_tie_in_keeps_completers_then_they_leave():
    """Tenure attrition [0, 0.5]: none leave in the first year after qualifying, half in the second.
    2026: 1 of the initial 10 leaves; 10 qualify: stock 19.
    2027: established 19 − 10 = 9 → 0.9 leave; the tied 10 lose 0 → stock 18.1.
    2028: established 18.1 − 10 = 8.1 → 0.81; tied band 2: 0.5 × 10 = 5 → leavers 5.81, stock 12.29.
    2029: the 5 survivors are established: 0.1 × 12.29 = 1.229 leave → stock 11.061."""
    plan = run(spec({"attrition": [0.0, 0.5]}))
    assert leavers(plan, 2026) == pytest.approx(1)
    assert leavers(plan, 2027) == pytest.approx(0.9)
    assert leavers(plan, 2028) == pytest.approx(5.81)
    assert leavers(plan, 2029) == pytest.approx(1.229)
    assert plan.flows.loc[("ep", "A", 2029), "stock_end"] == pytest.approx(11.061)
    tenure = plan.tables()["tenure"]
    assert tenure.loc[("ep", "A", 2027, 1), "stock_start"] == pytest.approx(10)
    assert tenure.loc[("ep", "A", 2028, 2), "leavers"] == pytest.approx(5)
    assert tenure.loc[("ep", "A", 2029, 1), "stock_start"] == pytest.approx(0)


def test_cohorts_before_the_first_tied_intake_keep_the_ordinary_rates():
    """With from_intake_year 2027 the 2026 cohort is not tied: 2027 leavers = 0.1 × 19 = 1.9
    (entrants leave at attrition_new = attrition), as without a profile."""
    plan = run(spec({"attrition": [0.0, 0.5], "from_intake_year": 2027}))
    plain = spec({"attrition": [0.0]})
    del plain["roles"]["ep"]["tenure"]
    reference = run(plain)
    assert leavers(plan, 2027) == pytest.approx(1.9)
    for year in (2026, 2027, 2028, 2029):
        assert leavers(plan, year) == pytest.approx(leavers(reference, year))
    assert "tenure" not in reference.tables()


def test_tenure_programmes_must_train_the_role():
    s = spec({"attrition": [0.0], "programmes": ["doc", "other"]})
    problem = only_problem(lambda: scenario_from_dict(s))
    assert problem.key == "roles.ep.tenure.programmes.1"


def test_a_tenure_role_that_retrains_keeps_its_established_stock_non_negative():
    """Issue 16, section 6: TAs with a 3-year tie-in during which nobody leaves (tenure attrition
    [0, 0, 0]), attrition 0.3, 10 in post, a TA course (duration 0, at most 10 a year, £0.1k) and a
    conversion course from TA to EP (duration 0, £0.1k); EPs are 0 against a demand of 100 at a
    penalty of 100. Retraining comes out of the established TAs only (tenure_established).
    2026: 0.3 × 10 = 3 leave, the other 7 convert; 10 start the TA course and are tied, so the
    established stock at the end of 2026 is 10 − 3 − 7 = 0. 2027 and 2028: nobody is established,
    so nobody converts, and a TA trained then is tied past 2029: no TA training. 2029: the 2026
    cohort leaves its last tenure band at the end of the year, so the 10 may convert.
    EP supply 7, 7, 7, 17: shortfall 93 + 93 + 93 + 83 = 362 unit-years = 36,200; course costs
    0.1 × (10 + 7 + 10) = 2.7; objective 36,202.7. Before the row, outflows took tied staff the
    tenure profile still counted in post, the 2028-2029 leavers went negative and the re-check
    rejected the solver's optimum."""
    spec = {
        "name": "tenure and retraining", "horizon": {"first_year": 2026, "last_year": 2029},
        "regions": [{"code": "A", "name": "Area A"}],
        "roles": {
            "ta": {"name": "TAs", "initial_stock": 10, "attrition": 0.3, "demand": 0, "shortfall_penalty": 1,
                   "tenure": {"attrition": [0.0, 0.0, 0.0]}},
            "ep": {"name": "EPs", "initial_stock": 0, "attrition": 0.0, "demand": 100, "shortfall_penalty": 100},
        },
        "programmes": {
            "ta_train": {"name": "TA training", "role": "ta", "duration": 0, "completion_rate": 1.0,
                         "course_costs": [{"f": 0.1}], "intake_max": 10},
            "conv": {"name": "Conversion", "role": "ep", "source": "ta", "duration": 0, "completion_rate": 1.0,
                     "course_costs": [{"f": 0.1}]},
        },
        "funding_streams": {"f": {"name": "F"}},
    }
    plan = solve(scenario_from_dict(spec))
    intake = plan.intake["intake"]
    assert intake.xs("ta_train", level="programme").tolist() == pytest.approx([10, 0, 0, 0], abs=1e-6)
    assert intake.xs("conv", level="programme").tolist() == pytest.approx([7, 0, 0, 10], abs=1e-6)
    assert plan.objective == pytest.approx(36202.7, abs=1e-6)
    assert (plan.flows["leavers"] >= -1e-9).all()
