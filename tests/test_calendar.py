"""Calendars: intakes within the year, durations in months, financial-year budgets (hand-worked)."""

from __future__ import annotations

import copy

import pytest
from scenarios import only_problem

from workforce import scenario_from_dict, solve

AUTUMN_SPRING = {"intakes": {"autumn": 2, "spring": 7}, "duration_months": 18}
"""November (month 2) and April (month 7) starts, 18 months. Autumn joins (2 + 18) // 12 = 1 year
on, spring (7 + 18) // 12 = 2 years on."""


def spec(budget=None, year="academic") -> dict:
    """Role ep: stock 0, demand 10 in 2026-2028, no attrition, penalty 100. Exactly 10 start the
    course in 2026 (none later), completion 100%. Course costs £12k for the first 12 months (£1k a
    month) and £3k for the last 6 (£0.5k a month): £15k a starter."""
    stream = {"name": "DfE", "year": year, **({"budget": budget} if budget is not None else {})}
    return {
        "name": "calendar",
        "horizon": {"first_year": 2026, "last_year": 2028},
        "regions": [{"code": "A", "name": "Area A"}],
        "roles": {"ep": {"name": "EPs", "initial_stock": 0, "attrition": 0.0, "demand": 10,
                         "shortfall_penalty": 100}},
        "programmes": {"npq": {"name": "NPQ", "role": "ep", "completion_rate": 1.0,
                               "course_costs": [{"dfe": 12}, {"dfe": 3}], "calendar": AUTUMN_SPRING,
                               "intake_min": {"A": {2026: 10, 2027: 0, 2028: 0}},
                               "intake_max": {"A": {2026: 10, 2027: 0, 2028: 0}}}},
        "funding_streams": {"dfe": stream},
    }


def run(s: dict):
    return solve(scenario_from_dict(copy.deepcopy(s)))


def terms(plan, intake):
    return plan.tables()["intake_terms"].loc[("npq", "A", 2026, intake), "starters"]


def test_autumn_intake_joins_a_year_earlier_and_costs_fall_by_month():
    """All 10 start in autumn (they join in 2027; spring starters would join in 2028): shortfall
    10 in 2026 only; objective 100·10 + 15·10 = 1150. Autumn months Nov 2026-Apr 2028: 10 months of
    academic year 2026 (£10k a starter) and 2 + 6 months of 2027 (2 × 1 + 6 × 0.5 = £5k)."""
    plan = run(spec())
    assert terms(plan, "autumn") == pytest.approx(10)
    assert plan.flows.loc[("ep", "A", 2027), "completions"] == pytest.approx(10)
    assert plan.objective == pytest.approx(1150)
    assert plan.spend.loc[("dfe", 2026), "spent"] == pytest.approx(100)
    assert plan.spend.loc[("dfe", 2027), "spent"] == pytest.approx(50)
    assert plan.summary["terms"]["training_cost"] == pytest.approx(150)
    assert plan.scenario_name and plan.data.scenario.programmes["npq"].duration == 1


def test_financial_year_budget_moves_starters_to_the_spring_intake():
    """Financial-year budgets (April-March). An autumn starter costs £5k in FY 2026 (Nov-Mar),
    £9.5k in FY 2027 (Apr-Aug 2027: 5; Sep 2027-Mar 2028: 2 + 2.5) and £0.5k in FY 2028; a spring
    (April 2027) starter costs nothing in FY 2026. With £30k in FY 2026 only 6 start in autumn and
    4 in spring; the 4 join in 2028, so 2027 is 4 short: objective 100·(10 + 4) + 150 = 1550."""
    plan = run(spec(budget={2026: 30, 2027: 1000, 2028: 1000}, year="financial"))
    assert terms(plan, "autumn") == pytest.approx(6)
    assert terms(plan, "spring") == pytest.approx(4)
    assert plan.workforce.loc[("ep", "A", 2027), "shortfall"] == pytest.approx(4)
    assert plan.objective == pytest.approx(1550)
    assert plan.spend.loc[("dfe", 2026), "spent"] == pytest.approx(30)
    # FY 2027: 6 × 9.5 + spring Apr 2027-Mar 2028 (12 months × £1k) × 4 = 57 + 48
    assert plan.spend.loc[("dfe", 2027), "spent"] == pytest.approx(105)


def test_annual_costs_are_apportioned_to_financial_years():
    """No calendar: a 1-year course (£12k a starter, academic year of starting) and hires at £12k,
    both paid by a financial-year stream. 1 starter forced in 2026 and 1 hire forced by demand in
    2026 (stock 9, demand 10 in 2026; 11 in 2027 reached by the completer). FY 2026 = 7/12 of
    2026 costs = 7 + 7 = 14; FY 2027 = 5/12 of them = 10."""
    s = spec(year="financial")
    prog = s["programmes"]["npq"]
    del prog["calendar"]
    prog.update(duration=1, course_costs=[{"dfe": 12}],
                intake_min={"A": {2026: 1, 2027: 0, 2028: 0}}, intake_max={"A": {2026: 1, 2027: 0, 2028: 0}})
    s["roles"]["ep"].update(initial_stock=9, demand={"A": {2026: 10, 2027: 11, 2028: 11}},
                            hiring={"max": 1, "cost": 12, "stream": "dfe"})
    plan = run(s)
    assert plan.flows.loc[("ep", "A", 2026), "hires"] == pytest.approx(1)
    assert plan.spend.loc[("dfe", 2026), "spent"] == pytest.approx(14)
    assert plan.spend.loc[("dfe", 2027), "spent"] == pytest.approx(10)
    detail = plan.spend_detail
    assert detail.loc[("dfe", 2027, "npq"), "spent"] == pytest.approx(5)
    assert detail.loc[("dfe", 2027, "hiring:ep"), "spent"] == pytest.approx(5)


def test_calendar_settings_are_checked():
    s = spec()
    s["programmes"]["npq"]["duration"] = 2
    assert "leave duration out" in only_problem(lambda: scenario_from_dict(s)).message
    s = spec()
    s["programmes"]["npq"]["calendar"] = {**AUTUMN_SPRING, "prior_intake_at": "summer"}
    assert "not one of the intakes" in only_problem(lambda: scenario_from_dict(s)).message
    s = spec()
    s["programmes"]["npq"]["course_costs"] = [{"dfe": 1}, {"dfe": 1}, {"dfe": 1}]
    assert "has 2" in only_problem(lambda: scenario_from_dict(s)).message


def test_a_financial_year_stream_that_pays_for_nothing_is_no_constraint():
    """A stream budgeted on financial years that no decision charges (no course, hiring or other
    cost names it) has a constant spend of 0 within its budget: no row, the same plan. Before,
    building its row stopped with Pyomo's 'trivial Boolean' error."""
    s = spec()
    plan = run(s)
    s["funding_streams"]["idle"] = {"name": "Idle grant", "year": "financial", "budget": 5}
    with_idle = run(s)
    assert with_idle.objective == pytest.approx(plan.objective)
    assert with_idle.spend.loc[("idle", 2026), "spent"] == 0


def test_committed_costs_over_a_financial_year_budget_are_reported_in_planner_terms():
    """10 starters of November 2025 (the autumn intake, prior cohort) are still in their course in
    financial year 2026 (April 2026-March 2027). Only months of the horizon's academic years count:
    September and October 2026 (course months 11 and 12, £1k each) and November 2026-March 2027
    (5 months at £0.5k): £4.5k a starter, £45k committed, against a £40k budget. The stream 'late'
    pays only the old cohort's costs and no one may start, so £5k is short whatever the plan."""
    s = spec()
    s["programmes"]["npq"]["course_costs"] = [{"late": 12}, {"late": 3}]
    s["programmes"]["npq"]["prior_intake"] = {2025: {"A": 10}}
    s["programmes"]["npq"]["intake_max"] = 0
    s["programmes"]["npq"].pop("intake_min")
    s["funding_streams"] = {"late": {"name": "Legacy grant", "year": "financial", "budget": 40}}
    from workforce import InfeasibleScenarioError

    with pytest.raises(InfeasibleScenarioError) as caught:
        run(s)
    (conflict,) = caught.value.conflicts
    assert conflict.kind == "financial-year budget"
    assert conflict.amount == pytest.approx(45 - 40)


def test_a_prior_cohort_is_timed_by_its_own_intake():
    """Issue 16, section 6: a 2024 cohort that started at the spring intake (April, 18 months) joins
    (7 + 18) // 12 = 2 years on, in 2026, inside the horizon; validation used duration (the autumn
    delay, 1) and rejected it as completing in 2025. Now it loads and its 8 starters (completion 1)
    are the 2026 supply: with no 2026 starter able to qualify in 2026, 2026 supply is exactly 8.
    A 2024 cohort at the autumn intake does complete in 2025 and is rejected, naming the intake."""
    s = spec()
    s["programmes"]["npq"]["calendar"] = {**AUTUMN_SPRING, "prior_intake_at": "spring"}
    s["programmes"]["npq"]["prior_intake"] = {2024: 8}
    plan = run(s)
    assert plan.workforce.loc[("ep", "A", 2026), "supply"] == pytest.approx(8.0)
    s["programmes"]["npq"]["calendar"] = {**AUTUMN_SPRING, "prior_intake_at": "autumn"}
    message = only_problem(lambda: scenario_from_dict(s)).message
    assert "a 2024 intake (autumn) completes in 2025" in message
