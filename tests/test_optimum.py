"""Tiny scenarios whose optimum is worked out by hand; the arithmetic is in each docstring."""

from __future__ import annotations

import copy

import pytest

from workforce import InfeasibleScenarioError, scenario_from_dict, solve

R = "A"


def base(years: int = 1, **role) -> dict:
    """One region 'A', one role 'ep', horizon 2026..2026+years-1; no programmes."""
    last = 2026 + years - 1
    spec = {
        "name": "tiny",
        "horizon": {"first_year": 2026, "last_year": last},
        "regions": [{"code": R, "name": "Area A"}],
        "roles": {
            "ep": {
                "name": "EPs",
                "initial_stock": 10,
                "attrition": 0.0,
                "demand": 10,
                "shortfall_penalty": 100,
                **role,
            }
        },
    }
    return spec


def run(spec: dict):
    return solve(scenario_from_dict(copy.deepcopy(spec)))


def wf(plan, col, year, role="ep"):
    return plan.workforce.loc[(role, R, year), col]


def flow(plan, col, year, role="ep"):
    return plan.flows.loc[(role, R, year), col]


def test_hiring_fills_a_gap_once():
    """Stock 8, demand 10 both years, no attrition, hire cost 5 (cap 5), shortfall penalty 100.
    Hire 2 in 2026 (cost 10 < penalty 200); in 2027 stock is 10 already. Objective = 2 × 5 = 10."""
    spec = base(2, initial_stock=8, hiring={"max": 5, "cost": 5})
    plan = run(spec)
    assert plan.status == "optimal"
    assert flow(plan, "hires", 2026) == pytest.approx(2)
    assert flow(plan, "hires", 2027) == pytest.approx(0)
    assert plan.objective == pytest.approx(10)
    assert plan.summary["terms"]["hiring_cost"] == pytest.approx(10)
    assert plan.workforce["shortfall"].sum() == pytest.approx(0)


def test_hiring_not_worth_its_cost_leaves_shortfall():
    """Hire cost 150 > penalty 100 per unit-year with one year left: leave 2 short; objective 200."""
    plan = run(base(1, initial_stock=8, hiring={"max": 5, "cost": 150}))
    assert flow(plan, "hires", 2026) == pytest.approx(0)
    assert wf(plan, "shortfall", 2026) == pytest.approx(2)
    assert plan.objective == pytest.approx(200)


def _pipeline(years=3, budget=None):
    spec = base(years, attrition=0.1)
    spec["programmes"] = {
        "doc": {
            "name": "Doctorate",
            "role": "ep",
            "duration": 2,
            "completion_rate": 0.8,
            "course_costs": [{"dfe": 1.0}],
        }
    }
    spec["funding_streams"] = {"dfe": {"name": "DfE", **({"budget": budget} if budget is not None else {})}}
    return spec


def test_training_pipeline_arrives_after_its_duration():
    """Stock 10, attrition 10%, demand 10 for 2026-2028; a 2-year course, 80% completion, £1k per starter.
    2026: stock 9 (short 1). 2027: 8.1 (short 1.9); nothing trained can arrive before 2028.
    2028: 8.1 − 0.81 + 0.8·x = 10 → x = 2.71/0.8 = 3.3875 starters in 2026.
    Objective = 100·(1 + 1.9) + 3.3875 = 293.3875."""
    plan = run(_pipeline())
    assert plan.intake.loc[("doc", R, 2026), "intake"] == pytest.approx(3.3875)
    assert plan.intake["intake"].sum() == pytest.approx(3.3875)
    assert wf(plan, "shortfall", 2026) == pytest.approx(1)
    assert wf(plan, "shortfall", 2027) == pytest.approx(1.9)
    assert wf(plan, "shortfall", 2028) == pytest.approx(0, abs=1e-7)
    assert flow(plan, "completions", 2028) == pytest.approx(2.71)
    assert plan.objective == pytest.approx(293.3875)


def test_budget_limits_training():
    """As above with a £2k budget each year: only 2 starters in 2026; 2028 stock 7.29 + 1.6 = 8.89,
    short 1.11. Objective = 100·(1 + 1.9 + 1.11) + 2 = 403. Spend in 2026 equals the budget."""
    plan = run(_pipeline(budget=2.0))
    assert plan.intake.loc[("doc", R, 2026), "intake"] == pytest.approx(2)
    assert wf(plan, "shortfall", 2028) == pytest.approx(1.11)
    assert plan.objective == pytest.approx(403)
    assert plan.spend.loc[("dfe", 2026), "spent"] == pytest.approx(2)
    assert plan.spend.loc[("dfe", 2026), "headroom"] == pytest.approx(0, abs=1e-9)


def test_costs_fall_in_each_course_year_and_per_stream():
    """A 2-year course costing £3k (DfE) in year 1 and £2k (LA) in year 2 per starter, with 5 starters
    forced by intake_min in 2026: DfE spends 15 in 2026, LA spends 10 in 2027."""
    spec = _pipeline(years=3)
    spec["programmes"]["doc"]["course_costs"] = [{"dfe": 3.0}, {"la": 2.0}]
    spec["programmes"]["doc"]["intake_min"] = {R: {2026: 5, 2027: 0, 2028: 0}}
    spec["programmes"]["doc"]["intake_max"] = {R: {2026: 5, 2027: 0, 2028: 0}}
    spec["funding_streams"]["la"] = {"name": "Local authorities"}
    plan = run(spec)
    assert plan.spend.loc[("dfe", 2026), "spent"] == pytest.approx(15)
    assert plan.spend.loc[("la", 2027), "spent"] == pytest.approx(10)
    assert plan.spend.loc[("la", 2026), "spent"] == pytest.approx(0)
    assert plan.summary["terms"]["training_cost"] == pytest.approx(25)


def test_first_year_attrition_of_new_entrants():
    """Stock 10, attrition 10%, new entrants leave at 50% in their first year; hires cost 1.
    2026: 1 leaves, hire 1. 2027: leavers = 0.1·(10 − 1) + 0.5·1 = 1.4, hire 1.4. Hiring cost 2.4."""
    plan = run(base(2, attrition=0.1, attrition_new_entrants=0.5, hiring={"max": 10, "cost": 1}))
    assert flow(plan, "hires", 2026) == pytest.approx(1)
    assert flow(plan, "leavers", 2027) == pytest.approx(1.4)
    assert flow(plan, "hires", 2027) == pytest.approx(1.4)
    assert plan.objective == pytest.approx(2.4)


def test_prior_intake_completes_and_its_costs_are_committed():
    """A 2025 cohort of 5 on a 2-year course (80% completion) arrives in 2027 as 4 people, and its
    second course year (£2k each) is spent in 2026: 10 committed even though no one starts."""
    spec = _pipeline(years=2)
    spec["programmes"]["doc"]["course_costs"] = [{"dfe": 1.0}, {"dfe": 2.0}]
    spec["programmes"]["doc"]["prior_intake"] = {2025: {R: 5}}
    spec["roles"]["ep"]["attrition"] = 0.0
    spec["roles"]["ep"]["demand"] = {R: {2026: 10, 2027: 14}}
    plan = run(spec)
    assert flow(plan, "completions", 2027) == pytest.approx(4)
    assert plan.spend.loc[("dfe", 2026), "spent"] == pytest.approx(10)
    assert plan.intake["intake"].sum() == pytest.approx(0)
    assert wf(plan, "supply", 2027) == pytest.approx(14)


def test_retraining_moves_people_between_roles():
    """Role 'ta' (stock 10, demand 5, surplus free) feeds a same-year course into 'ep' (stock 0,
    demand 4, completion 100%, cost 1). Train 4: ta falls to 6, ep rises to 4; shortfall 0."""
    spec = base(1, initial_stock=0, demand=4)
    spec["roles"]["ta"] = {"name": "Assistants", "initial_stock": 10, "attrition": 0.0, "demand": 5,
                           "shortfall_penalty": 100}
    spec["programmes"] = {"conv": {"name": "Conversion", "role": "ep", "source": "ta", "duration": 0,
                                   "completion_rate": 1.0, "course_costs": [{"dfe": 1.0}]}}
    spec["funding_streams"] = {"dfe": {"name": "DfE"}}
    plan = run(spec)
    assert plan.intake.loc[("conv", R, 2026), "intake"] == pytest.approx(4)
    assert flow(plan, "retraining_out", 2026, role="ta") == pytest.approx(4)
    assert wf(plan, "supply", 2026, role="ta") == pytest.approx(6)
    assert wf(plan, "supply", 2026) == pytest.approx(4)
    assert plan.objective == pytest.approx(4)


def test_retraining_cannot_take_more_than_the_source_stock():
    """Demand for ep is 20 but only 10 ta exist: train 10, 10 short. Objective = 10 + 100·10."""
    spec = base(1, initial_stock=0, demand=20)
    spec["roles"]["ta"] = {"name": "Assistants", "initial_stock": 10, "attrition": 0.0, "demand": 0,
                           "shortfall_penalty": 0}
    spec["programmes"] = {"conv": {"name": "Conversion", "role": "ep", "source": "ta", "duration": 0,
                                   "completion_rate": 1.0, "course_costs": [{"dfe": 1.0}]}}
    spec["funding_streams"] = {"dfe": {"name": "DfE"}}
    plan = run(spec)
    assert plan.intake.loc[("conv", R, 2026), "intake"] == pytest.approx(10)
    assert wf(plan, "shortfall", 2026) == pytest.approx(10)
    assert plan.objective == pytest.approx(1010)


def test_flexible_supply_agency_and_reduced_hours():
    """Agency (+1 FTE a unit, £50k, cap 3) covers 3 of a 5 FTE gap; 2 stay short (penalty 100 each).
    Objective = 3·50 + 2·100 = 350."""
    spec = base(1, initial_stock=5, flexible_supply={
        "agency": {"name": "Agency EPs", "fte_per_unit": 1.0, "cost": 50, "max": 3}})
    plan = run(spec)
    assert wf(plan, "flexible", 2026) == pytest.approx(3)
    assert wf(plan, "shortfall", 2026) == pytest.approx(2)
    assert plan.objective == pytest.approx(350)


def test_reduced_hours_absorb_surplus_when_cheaper():
    """Stock 12, demand 10, surplus costs 10 per FTE; reduced hours remove 0.5 FTE a unit at 2 each:
    4 units (cost 8) remove the 2 FTE surplus, cheaper than 20."""
    spec = base(1, initial_stock=12, surplus_cost=10, flexible_supply={
        "fewer_days": {"name": "Reduced hours", "fte_per_unit": -0.5, "cost": 2, "max": 100}})
    plan = run(spec)
    assert wf(plan, "flexible", 2026) == pytest.approx(-2)
    assert wf(plan, "surplus", 2026) == pytest.approx(0, abs=1e-7)
    assert plan.objective == pytest.approx(8)


def test_exits_are_off_unless_enabled():
    """Stock 12, demand 10, surplus cost 10: without exits the surplus costs 20; with exits at 3
    each, 2 exits cost 6."""
    assert run(base(1, initial_stock=12, surplus_cost=10)).objective == pytest.approx(20)
    plan = run(base(1, initial_stock=12, surplus_cost=10, exits={"enabled": True, "cost": 3}))
    assert flow(plan, "exits", 2026) == pytest.approx(2)
    assert plan.objective == pytest.approx(6)


def test_supervision_ratio_caps_intake_by_last_years_stock():
    """Supervision ratio 0.1 of 20 EPs: at most 2 starters in 2026 even though 5 are wanted."""
    spec = _pipeline(years=3)
    spec["roles"]["ep"].update(initial_stock=20, demand=25, attrition=0.0)
    spec["programmes"]["doc"]["supervision_ratio"] = 0.1
    plan = run(spec)
    assert plan.intake.loc[("doc", R, 2026), "intake"] == pytest.approx(2)
    assert plan.intake.loc[("doc", R, 2026), "supervision_max"] == pytest.approx(2)


def test_places_national_places_and_envelope():
    """Two regions want 10 starters each (duration 0, completion 1, cost 1). Places cap A at 4;
    national places cap the total at 9, so 9 start and 11 posts stay short. Which region takes them
    is a tie (the shortfall penalty is the same in both) as long as A stays within its 4 places. A
    whole-horizon envelope of 7 then binds first."""
    spec = base(1, initial_stock=0)
    spec["regions"] = [{"code": "A", "name": "Area A"}, {"code": "B", "name": "Area B"}]
    spec["programmes"] = {"short": {"name": "Short course", "role": "ep", "duration": 0, "completion_rate": 1.0,
                                    "course_costs": [{"dfe": 1.0}], "places": {"A": 4, "B": 100},
                                    "national_places": 9}}
    spec["funding_streams"] = {"dfe": {"name": "DfE"}}
    plan = run(spec)
    assert plan.intake["intake"].sum() == pytest.approx(9)
    assert plan.intake.loc[("short", "A", 2026), "intake"] <= 4 + 1e-9
    assert plan.workforce["shortfall"].sum() == pytest.approx(11)
    # With 6 national places to spare beyond A's 4, only the places cap binds: A 4, B 10.
    spec["programmes"]["short"]["national_places"] = 20
    plan = run(spec)
    assert plan.intake.loc[("short", "A", 2026), "intake"] == pytest.approx(4)
    assert plan.intake.loc[("short", "B", 2026), "intake"] == pytest.approx(10)
    spec["funding_streams"]["dfe"]["envelope"] = 7
    plan = run(spec)
    assert plan.intake["intake"].sum() == pytest.approx(7)
    assert plan.workforce["shortfall"].sum() == pytest.approx(13)


def test_surplus_cap_and_group_cap():
    """Stock 12 vs demand 10 with exits at cost 5 and surplus free: surplus_max 1 forces one exit;
    a group cap of 0.5 over both roles forces 1.5 exits in total."""
    spec = base(1, initial_stock=12, surplus_max=1, exits={"enabled": True, "cost": 5})
    plan = run(spec)
    assert flow(plan, "exits", 2026) == pytest.approx(1)
    spec.pop("surplus_groups", None)
    spec["roles"]["ep"].pop("surplus_max")
    spec["surplus_groups"] = {"all": {"roles": ["ep"], "max": 0.5}}
    plan = run(spec)
    assert flow(plan, "exits", 2026) == pytest.approx(1.5)
    assert plan.objective == pytest.approx(7.5)


def test_weights_scale_terms():
    """Hire cost 5, penalty 100, gap 2: with training/hiring weight 30 hiring (30·5 = 150 per hire)
    costs more than the shortfall (100), so the plan stays 2 short: objective 200."""
    spec = base(1, initial_stock=8, hiring={"max": 5, "cost": 5})
    spec["objective"] = {"weights": {"hiring_cost": 30}}
    plan = run(spec)
    assert flow(plan, "hires", 2026) == pytest.approx(0)
    assert plan.objective == pytest.approx(200)


def test_lexicographic_shortfall_before_cost():
    """Penalty 1 per unit-year, hire cost 5: the weighted sum leaves the gap of 2 (objective 2).
    Lexicographic [shortfall] then [hiring_cost] first removes all shortfall (hire 2, cost 10),
    then keeps the cheapest plan with zero shortfall."""
    spec = base(1, initial_stock=8, shortfall_penalty=1, hiring={"max": 5, "cost": 5})
    assert run(spec).objective == pytest.approx(2)
    spec["objective"] = {"lexicographic": [["shortfall"], ["hiring_cost"]]}
    plan = run(spec)
    assert plan.summary["terms"]["shortfall"] == pytest.approx(0, abs=1e-6)
    assert plan.summary["terms"]["hiring_cost"] == pytest.approx(10)
    assert [s["terms"] for s in plan.summary["lexicographic_stages"]][:2] == [["shortfall"], ["hiring_cost"]]


def test_lexicographic_second_stage_picks_cheapest_among_equal_shortfall():
    """Two ways to close a gap of 2: hires at 5 or agency at 3 per FTE-year. Stage 1 zeroes
    shortfall either way; stage 2 (all costs) picks agency: cost 6."""
    spec = base(1, initial_stock=8, shortfall_penalty=1, hiring={"max": 5, "cost": 5},
                flexible_supply={"agency": {"name": "Agency", "fte_per_unit": 1, "cost": 3, "max": 5}})
    spec["objective"] = {"lexicographic": [["shortfall"], ["hiring_cost", "flexible_cost"]]}
    plan = run(spec)
    assert wf(plan, "flexible", 2026) == pytest.approx(2)
    assert flow(plan, "hires", 2026) == pytest.approx(0, abs=1e-7)
    assert plan.summary["terms"]["flexible_cost"] == pytest.approx(6)


def test_infeasible_minimum_intake_over_budget_names_both_limits():
    """intake_min 5 at £1k each against a £3k budget: £2k or 2 starters must give."""
    spec = base(1)
    spec["programmes"] = {"short": {"name": "Short course", "role": "ep", "duration": 0, "completion_rate": 1.0,
                                    "course_costs": [{"dfe": 1.0}], "intake_min": 5}}
    spec["funding_streams"] = {"dfe": {"name": "DfE grant", "budget": 3}}
    with pytest.raises(InfeasibleScenarioError) as info:
        run(spec)
    err = info.value
    assert err.exit_code == 2
    kinds = {c.kind for c in err.conflicts}
    assert kinds <= {"budget", "minimum intake"} and kinds
    assert sum(c.amount for c in err.conflicts) == pytest.approx(2)
    assert "DfE grant" in str(err) or "Short course" in str(err)


def test_infeasible_committed_costs_name_the_budget_year():
    """A 2025 cohort of 10 owes £2k each in 2026 (£20k) against a 2026 budget of £15k: the 2026
    budget is £5k short whatever the plan does."""
    spec = _pipeline(years=2, budget=15)
    spec["programmes"]["doc"]["course_costs"] = [{"dfe": 1.0}, {"dfe": 2.0}]
    spec["programmes"]["doc"]["prior_intake"] = {2025: {R: 10}}
    with pytest.raises(InfeasibleScenarioError) as info:
        run(spec)
    (conflict,) = info.value.conflicts
    assert conflict.kind == "budget"
    assert "2026" in conflict.description
    assert conflict.amount == pytest.approx(5)


def test_infeasible_surplus_cap_without_exits():
    """Stock 12, demand 10, surplus capped at 1 and no way to shed staff: the cap must rise by 1."""
    with pytest.raises(InfeasibleScenarioError) as info:
        run(base(1, initial_stock=12, surplus_max=1))
    (conflict,) = info.value.conflicts
    assert conflict.kind == "surplus cap"
    assert conflict.amount == pytest.approx(1)


def test_a_stream_that_pays_for_no_decision_is_checked_not_dropped():
    """The LA stream pays only the second course year of a 2025 cohort of 10 (£2k each = £20k in
    2026): no decision touches it. A budget of 25 fits (the row is skipped); a budget of 15 cannot
    fit whatever the plan does, and the error says by how much (£5k) and which budget."""
    spec = _pipeline(years=2)
    spec["programmes"]["doc"]["course_costs"] = [{"dfe": 1.0}, {"la": 2.0}]
    spec["programmes"]["doc"]["prior_intake"] = {2025: {R: 10}}
    spec["programmes"]["doc"]["intake_max"] = 0
    spec["funding_streams"]["la"] = {"name": "Local authorities", "budget": 25}
    plan = run(spec)
    assert plan.spend.loc[("la", 2026), "spent"] == pytest.approx(20)
    spec["funding_streams"]["la"]["budget"] = 15
    with pytest.raises(InfeasibleScenarioError) as info:
        run(spec)
    (conflict,) = info.value.conflicts
    assert conflict.kind == "budget" and "2026" in conflict.description and "Local authorities" in conflict.description
    assert conflict.amount == pytest.approx(5)
