"""Money over time (models/cohort_planning.md, section 8.7): ``objective.discount``.

Every money term and the shortfall penalty of academic year t count at disc[t] = (1 + rate)^−(t − base_year);
budgets stay in cash; the plan reports cash totals beside the discounted ones.
"""

from __future__ import annotations

import copy

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from workforce import scenario_from_dict, solve
from workforce.errors import ScenarioError
from workforce.model import arrays
from workforce.model.data import prepare
from workforce.output.report import summary_text
from workforce.plan.verify import VerificationError, verify_plan

TRAIN_OR_HIRE = {
    "name": "Train now or hire later",
    "horizon": {"first_year": 2026, "last_year": 2027},
    "regions": [{"code": "NE", "name": "North East"}],
    "roles": {"ep": {"name": "EPs", "initial_stock": 0, "attrition": 0, "demand": {2026: 0, 2027: 10},
                     "shortfall_penalty": 1000, "hiring": {"max": 100, "cost": 100, "stream": "la"}}},
    "programmes": {"doc": {"name": "Doctorate", "role": "ep", "duration": 1, "completion_rate": 1.0,
                           "course_costs": [{"dfe": 90}]}},
    "funding_streams": {"dfe": {"name": "DfE"}, "la": {"name": "Local authorities"}},
}


def solve_with(discount: dict | None, spec: dict = TRAIN_OR_HIRE):
    spec = copy.deepcopy(spec)
    if discount is not None:
        spec.setdefault("objective", {})["discount"] = discount
    return solve(scenario_from_dict(spec))


def timing(plan) -> tuple[float, float]:
    """(starters in 2026, hires in 2027): the two ways to have 10 EPs in post in 2027."""
    return (float(plan.intake.loc[("doc", "NE", 2026), "intake"]),
            float(plan.flows.loc[("ep", "NE", 2027), "hires"]))


def test_in_cash_training_now_is_cheaper_than_hiring_later():
    """10 EPs are needed in 2027 and none in 2026. A starter of 2026 qualifies in 2027 and costs £90k,
    paid in 2026; a hire of 2027 costs £100k, paid in 2027 (a 2027 starter qualifies after the
    horizon). In cash 90 < 100: train 10 in 2026, objective 10 × 90 = 900."""
    plan = solve_with(None)
    assert timing(plan) == pytest.approx((10.0, 0.0), abs=1e-6)
    assert plan.objective == pytest.approx(900.0, abs=1e-6)
    assert "terms_cash" not in plan.summary  # no discounting: the terms are cash
    assert plan.objective_cash == plan.objective and plan.terms_cash == plan.summary["terms"]


def test_discounting_moves_the_spending_later():
    """At 20 % a year to 2026 prices a 2027 hire counts 100 / 1.2 = 83.33 against the 2026 starter's
    90 (the 2027 shortfall penalty, 1000 / 1.2 = 833.3 a unit, still forbids leaving the posts
    empty): hire 10 in 2027, train nobody. Discounted objective 10 × 100 / 1.2 = 833.33; in cash
    the same plan costs 10 × 100 = 1,000 (more than the cash optimum of 900, as it must)."""
    plan = solve_with({"rate": 0.2, "base_year": 2026})
    assert timing(plan) == pytest.approx((0.0, 10.0), abs=1e-6)
    assert plan.objective == pytest.approx(1000 / 1.2, abs=1e-6)
    assert plan.summary["terms"]["hiring_cost"] == pytest.approx(1000 / 1.2, abs=1e-6)
    assert plan.summary["terms_cash"]["hiring_cost"] == pytest.approx(1000.0, abs=1e-6)
    assert plan.summary["objective_cash"] == pytest.approx(1000.0, abs=1e-6)
    assert (plan.objective_cash, plan.terms_cash["hiring_cost"]) == pytest.approx((1000.0, 1000.0), abs=1e-6)
    assert plan.summary["discount"] == {"rate": 0.2, "base_year": 2026, "factor_first_year": 1.0,
                                        "factor_last_year": pytest.approx(1 / 1.2)}
    record = verify_plan(plan)
    assert record["checks"]["objective"] == 1 and not record["not_rechecked"]


def test_the_recheck_recomputes_the_discounted_objective():
    """The re-check prices the tables year by year at disc[t]: a plan that reported its hiring
    cost in cash (1,000) where the objective counts it discounted (833.33) is rejected."""
    plan = solve_with({"rate": 0.2, "base_year": 2026})
    plan.summary["terms"]["hiring_cost"] = plan.summary["terms_cash"]["hiring_cost"]
    with pytest.raises(VerificationError, match="hiring_cost"):
        verify_plan(plan)


def test_a_low_rate_keeps_the_cash_timing():
    """At 5 %: 100 / 1.05 = 95.24 > 90, so training in 2026 stays cheaper; objective 900 (2026 money
    counts at face value in its own base year)."""
    plan = solve_with({"rate": 0.05, "base_year": 2026})
    assert timing(plan) == pytest.approx((10.0, 0.0), abs=1e-6)
    assert plan.objective == pytest.approx(900.0, abs=1e-6)


def test_the_base_year_only_rescales_the_objective():
    """Moving the base year from 2026 to 2027 multiplies every factor by 1.2: the same plan (hire in
    2027), and the discounted objective is 10 × 100 = 1,000, 2027 money at face value."""
    early, late = solve_with({"rate": 0.2, "base_year": 2026}), solve_with({"rate": 0.2, "base_year": 2027})
    assert timing(late) == pytest.approx(timing(early), abs=1e-6)
    assert late.objective == pytest.approx(early.objective * 1.2, abs=1e-6)
    assert late.summary["objective_cash"] == pytest.approx(early.summary["objective_cash"], abs=1e-6)


def test_budgets_stay_in_cash():
    """A 2027 budget of £950k on the hiring stream is a cash limit: 10 hires cost £1,000k in cash even
    though they count 833.33 discounted, so the plan hires 9.5 and trains the other 0.5 in 2026
    (0.5 × 90 = 45 beats leaving 0.5 posts empty at 833.3 a unit). Discounted objective
    45 + 950 / 1.2 = 836.67."""
    spec = copy.deepcopy(TRAIN_OR_HIRE)
    spec["funding_streams"]["la"]["budget"] = {2026: 0, 2027: 950}
    plan = solve_with({"rate": 0.2, "base_year": 2026}, spec)
    assert timing(plan) == pytest.approx((0.5, 9.5), abs=1e-6)
    assert plan.objective == pytest.approx(45 + 950 / 1.2, abs=1e-6)
    assert float(plan.spend.loc[("la", 2027), "spent"]) == pytest.approx(950.0, abs=1e-6)


def test_explain_values_a_cash_budget_in_discounted_money():
    """In the plan of test_budgets_stay_in_cash, £1k more of the 2027 cash budget buys 0.01 more hires,
    each replacing a 2026 starter: the objective falls by 0.01 × 90 − 0.01 × 100 / 1.2 = 0.0667,
    so £1m more is worth 66.67 in discounted £k of 2026 (80 in 2027 money); explain says which values are discounted."""
    spec = copy.deepcopy(TRAIN_OR_HIRE)
    spec["funding_streams"]["la"]["budget"] = {2026: 0, 2027: 950}
    e = solve_with({"rate": 0.2, "base_year": 2026}, spec).explain()
    assert e.budgets.loc[(1, "la", 2027), "value_of_1m"] == pytest.approx(1000 * (0.9 - 1 / 1.2), abs=1e-6)
    assert any("discounted at 20.0% a year to 2026 prices" in note and "limits themselves are cash" in note
               for note in e.notes)


def test_the_run_summary_shows_cash_beside_discounted():
    text = summary_text(solve_with({"rate": 0.2, "base_year": 2026}))
    assert "objective 833.3 (£k-equivalent) = hiring 833.3" in text
    assert "discounted at 20.0% a year to 2026 prices (above); in cash: objective 1,000.0 = hiring 1,000.0" in text


@pytest.mark.parametrize(("discount", "where", "says"), [
    ({"rate": 1.0, "base_year": 2026}, "objective.discount.rate", "less than 1"),
    ({"rate": -0.01, "base_year": 2026}, "objective.discount.rate", "greater than or equal to 0"),
    ({"rate": 0.035, "base_year": 2028}, "objective.discount.base_year", "within or before the horizon (2026-2027)"),
    ({"rate": 0.035, "base_year": 1996}, "objective.discount.base_year", "greater than or equal to 2000"),
    ({"rate": 0.035}, "objective.discount.base_year", "required"),
])
def test_bad_discounts_are_refused_with_their_key(discount, where, says):
    with pytest.raises(ScenarioError) as caught:
        solve_with(discount)
    message = str(caught.value)
    assert where in message and says in message, message


def test_more_than_30_years_after_the_base_year_is_refused():
    """The Green Book's 3.5 % holds for 30 years and declines after; the model does not apply the
    declining schedule, so a last year 31 years after the base year is refused, naming the key."""
    spec = copy.deepcopy(TRAIN_OR_HIRE)
    spec["horizon"]["last_year"] = 2031
    spec["roles"]["ep"]["demand"] = 10
    with pytest.raises(ScenarioError) as caught:
        solve_with({"rate": 0.035, "base_year": 2000}, spec)
    message = str(caught.value)
    assert "objective.discount.base_year" in message and "31 years before the last year 2031: at most 30" in message
    assert "move base_year to 2001 or later" in message, message


WORKED = {  # the worked example of section 11, with a post-horizon year (section 10.1)
    "name": "Tiny example",
    "horizon": {"first_year": 2026, "last_year": 2028, "terminal_value": {"years": 1}},
    "regions": [{"code": "NE", "name": "North East"}],
    "roles": {"ep": {"name": "EPs", "initial_stock": 100, "attrition": 0.10, "attrition_new_entrants": 0.20,
                     "demand": 100, "shortfall_penalty": 100, "hiring": {"max": 5, "cost": 30}}},
    "programmes": {"dedpsy": {"name": "Doctorate", "role": "ep", "duration": 1, "completion_rate": 0.8,
                              "course_costs": [{"dfe": 10}, {"dfe": 5}], "places": 20, "prior_intake": {2025: 10}}},
    "funding_streams": {"dfe": {"name": "DfE EP training grant", "budget": 250}},
}


def variant(demand: float, penalty: float, terminal: bool, discount: dict | None) -> dict:
    spec = copy.deepcopy(WORKED)
    spec["roles"]["ep"].update(demand=demand, shortfall_penalty=penalty)
    if not terminal:
        del spec["horizon"]["terminal_value"]
    if discount is not None:
        spec["objective"] = {"discount": discount}
    return spec


@settings(max_examples=25, deadline=None)
@given(demand=st.sampled_from([80, 100, 120]), penalty=st.sampled_from([5, 40, 100]),
       base_year=st.integers(2000, 2028), terminal=st.booleans())
def test_a_zero_rate_is_no_discounting(demand, penalty, base_year, terminal):
    """Section 7 (proof): discounting at 0 %, whatever the base year, gives the undiscounted LP
    coefficient for coefficient (objective terms and their constants), so the same plan and objective."""
    plain, zero = (arrays.compile_arrays(prepare(scenario_from_dict(variant(demand, penalty, terminal, discount))))
                   for discount in (None, {"rate": 0.0, "base_year": base_year}))
    assert np.array_equal(zero.term_costs, plain.term_costs)
    assert np.array_equal(zero.term_offsets, plain.term_offsets)
    assert np.array_equal(zero.csc.data, plain.csc.data) and np.array_equal(zero.row_upper, plain.row_upper)


def test_a_zero_rate_solves_to_the_undiscounted_plan():
    """The same, solved: equal tables, objective and terms, and the cash terms equal the terms."""
    cash = solve(scenario_from_dict(variant(100, 100, True, None)))
    zero = solve(scenario_from_dict(variant(100, 100, True, {"rate": 0.0, "base_year": 2020})))
    assert zero.objective == cash.objective and zero.summary["terms"] == cash.summary["terms"]
    assert zero.summary["terms_cash"] == cash.summary["terms"]
    for table in ("intake", "flows", "workforce", "spend"):
        assert getattr(zero, table).equals(getattr(cash, table)), table
