"""Policy targets, regional shares of places and regional equity: hand-solved optima."""

from __future__ import annotations

import copy

import pytest
from scenarios import only_problem, problems_of

from workforce import InfeasibleScenarioError, scenario_from_dict, solve


def two_regions(years: int = 1, **prog) -> dict:
    """Regions A and B; role ep with stock 10 and demand 10 in each, no attrition, penalty 100;
    a same-year course (duration 0, completion 100%) at £1k per starter, paid by dfe."""
    return {
        "name": "policy",
        "horizon": {"first_year": 2026, "last_year": 2026 + years - 1},
        "regions": [{"code": "A", "name": "Area A"}, {"code": "B", "name": "Area B"}],
        "roles": {"ep": {"name": "EPs", "initial_stock": 10, "attrition": 0.0, "demand": 10,
                         "shortfall_penalty": 100}},
        "programmes": {"doc": {"name": "Course", "role": "ep", "duration": 0, "completion_rate": 1.0,
                               "course_costs": [{"dfe": 1.0}], **prog}},
        "funding_streams": {"dfe": {"name": "DfE"}},
    }


def run(spec: dict):
    return solve(scenario_from_dict(copy.deepcopy(spec)))


def intake(plan, region: str, year: int) -> float:
    return plan.intake.loc[("doc", region, year), "intake"]


def test_national_cumulative_completions_target():
    """No demand needs training (stock = demand), so only the target makes anyone train.
    At least 5 completions over 2026-2027 nationally: 5 starters at £1k, objective 5, and the
    summary reports the target as achieved (5 ≥ 5)."""
    spec = two_regions(2)
    spec["targets"] = {"five": {"programme": "doc", "by_year": 2027, "at_least": 5}}
    plan = run(spec)
    assert plan.intake["intake"].sum() == pytest.approx(5)
    assert plan.objective == pytest.approx(5)
    (row,) = plan.summary["targets"]
    assert row["achieved"] == pytest.approx(5)
    assert (row["from_year"], row["to_year"], row["scope"]) == (2026, 2027, "national")


def test_regional_targets_bind_each_region():
    """Per-region targets A ≥ 2, B ≥ 3 completions by 2027: the cheapest plan trains exactly 2 in A
    and 3 in B over the two years; objective 5."""
    spec = two_regions(2)
    spec["targets"] = {"each": {"programme": "doc", "by_year": 2027, "scope": "region",
                                "at_least": {"A": 2, "B": 3}}}
    plan = run(spec)
    assert intake(plan, "A", 2026) + intake(plan, "A", 2027) == pytest.approx(2)
    assert intake(plan, "B", 2026) + intake(plan, "B", 2027) == pytest.approx(3)
    assert plan.objective == pytest.approx(5)


def test_annual_intake_target_from_a_year():
    """At least 3 starters a year from 2027 to 2028 (annual, measure intake), in region A only:
    none in 2026, 3 in each of 2027 and 2028, all in A; objective 6."""
    spec = two_regions(3)
    spec["targets"] = {"yearly": {"programme": "doc", "measure": "intake", "from_year": 2027,
                                  "by_year": 2028, "annual": True, "at_least": 3, "regions": ["Area A"]}}
    plan = run(spec)
    assert plan.intake.xs(2026, level="year")["intake"].sum() == pytest.approx(0)
    assert intake(plan, "A", 2027) == pytest.approx(3)
    assert intake(plan, "A", 2028) == pytest.approx(3)
    assert plan.objective == pytest.approx(6)
    assert len(plan.summary["targets"]) == 2


def test_completions_target_counts_prior_cohorts():
    """A 1-year course; 4 starters in 2025 complete in 2026. Target: 6 completions by 2027.
    The prior cohort gives 4, so 2 start in 2026 (they complete in 2027); objective 2."""
    spec = two_regions(2, prior_intake={2025: {"A": 4, "B": 0}})
    spec["programmes"]["doc"]["duration"] = 1
    spec["roles"]["ep"]["surplus_cost"] = 0.0
    spec["targets"] = {"six": {"programme": "doc", "by_year": 2027, "at_least": 6}}
    plan = run(spec)
    assert plan.intake.xs(2026, level="year")["intake"].sum() == pytest.approx(2)
    assert plan.objective == pytest.approx(2)


def test_unreachable_target_is_diagnosed_by_name():
    """Target 8 completions in 2026 but only 3 places in each region: the diagnosis names the target."""
    spec = two_regions(1, places=3)
    spec["targets"] = {"eight": {"programme": "doc", "by_year": 2026, "at_least": 8}}
    with pytest.raises(InfeasibleScenarioError) as info:
        run(spec)
    kinds = {c.kind for c in info.value.conflicts}
    assert "policy target" in kinds
    assert any("target eight" in c.description for c in info.value.conflicts)


def _share_spec() -> dict:
    """A needs 10 (stock 0, demand 10); B is full (stock 10, demand 10; surplus free). One year."""
    spec = two_regions(1)
    spec["roles"]["ep"]["initial_stock"] = {"A": 0, "B": 10}
    return spec


def test_maximum_share_of_places_for_a_region_group():
    """A may have at most 80% of places: x_A ≤ 0.8 (x_A + x_B) ⇔ x_B ≥ x_A / 4. Each trainee in A
    saves 100 of shortfall and costs 1 + 1/4, so x_A = 10, x_B = 2.5; objective 12.5."""
    spec = _share_spec()
    spec["place_shares"] = {"cap_a": {"programme": "doc", "regions": ["A"], "max_share": 0.8}}
    plan = run(spec)
    assert intake(plan, "A", 2026) == pytest.approx(10)
    assert intake(plan, "B", 2026) == pytest.approx(2.5)
    assert plan.objective == pytest.approx(12.5)


def test_minimum_share_of_places_for_a_region_group():
    """B must get at least 20%: the same plan as the 80% cap on A (x_B ≥ x_A / 4); objective 12.5."""
    spec = _share_spec()
    spec["place_shares"] = {"floor_b": {"programme": "doc", "regions": ["Area B"], "min_share": 0.2}}
    plan = run(spec)
    assert intake(plan, "B", 2026) == pytest.approx(2.5)
    assert plan.objective == pytest.approx(12.5)


def _equity_spec(mode: str = "before_cost") -> dict:
    """One year, stock 0. Demand A 10, B 30. Two courses: 'doc' only in A at £2k, 'local' only in
    B at £1k; a DfE budget of £20k. Efficient plan: all money to B (20 trainees): shortfall
    A 10 + B 10 = 20, worst rate 1.0 (A); objective 100·20 + 20 = 2020.
    Equitable plan: rates (10 − a)/10 ≤ w, (30 − b)/30 ≤ w, 2a + b ≤ 20 ⇒ 50(1 − w) ≤ 20 ⇒ w = 0.6,
    a = 4, b = 12 (spend 8 + 12 = 20). With w held, shortfall A ≥ 6 and B ≥ 18: total 24, cost 20,
    objective 2420. Price of fairness: +4 unit-years of shortfall, +£0k."""
    spec = two_regions(1, places={"A": 100, "B": 0}, course_costs=[{"dfe": 2.0}])
    spec["roles"]["ep"].update(initial_stock=0, demand={"A": 10, "B": 30})
    spec["programmes"]["local"] = {"name": "Local course", "role": "ep", "duration": 0, "completion_rate": 1.0,
                                   "course_costs": [{"dfe": 1.0}], "places": {"A": 0, "B": 100}}
    spec["funding_streams"]["dfe"]["budget"] = 20
    spec["objective"] = {"equity": {"mode": mode}}
    return spec


def test_equity_before_cost_and_the_price_of_fairness():
    """See :func:`_equity_spec` for the arithmetic."""
    plan = run(_equity_spec())
    assert plan.intake.loc[("doc", "A", 2026), "intake"] == pytest.approx(4, abs=1e-4)
    assert plan.intake.loc[("local", "B", 2026), "intake"] == pytest.approx(12, abs=1e-4)
    assert plan.objective == pytest.approx(2420, rel=1e-5)
    eq = plan.summary["equity"]
    assert eq["equitable"]["worst_shortfall_rate"] == pytest.approx(0.6, abs=1e-5)
    assert eq["efficient"]["worst_shortfall_rate"] == pytest.approx(1.0)
    assert eq["efficient"]["total_shortfall"] == pytest.approx(20)
    assert eq["equitable"]["total_shortfall"] == pytest.approx(24, abs=1e-4)
    assert eq["price_shortfall"] == pytest.approx(4, abs=1e-4)
    assert eq["price_cost"] == pytest.approx(0, abs=1e-4)
    assert [s["terms"] for s in plan.summary["lexicographic_stages"]][0] == ["worst_shortfall_rate"]


def test_equity_alone_minimises_only_the_worst_rate():
    """Alone, the worst rate is still 0.6 and no region's rate is above it; only one stage runs."""
    plan = run(_equity_spec("alone"))
    assert plan.summary["equity"]["equitable"]["worst_shortfall_rate"] == pytest.approx(0.6, abs=1e-6)
    assert len(plan.summary["lexicographic_stages"]) == 1
    rates = plan.workforce["shortfall_rate"]
    assert rates.max() <= 0.6 + 1e-6


def test_equity_by_year_counts_each_region_year():
    """Basis 'year' over one year gives the same bound as 'horizon': w = 0.6."""
    spec = _equity_spec()
    spec["objective"]["equity"]["basis"] = "year"
    plan = run(spec)
    assert plan.summary["equity"]["equitable"]["worst_shortfall_rate"] == pytest.approx(0.6, abs=1e-5)


def test_targets_and_shares_are_checked_against_the_scenario():
    spec = two_regions(1)
    spec["targets"] = {"t": {"programme": "dock", "by_year": 2026, "at_least": 1}}
    problem = only_problem(lambda: scenario_from_dict(spec))
    assert problem.key == "targets.t.programme" and "did you mean 'doc'" in problem.message
    spec["targets"] = {"t": {"programme": "doc", "by_year": 2030, "at_least": {"A": 1, "B": 1}}}
    spec["place_shares"] = {"s": {"programme": "doc", "regions": ["C"], "min_share": 0.5}}
    problems = {p.key: p.message for p in _problems(spec)}
    assert "outside the horizon" in problems["targets.t.by_year"]
    assert "scope: region" in problems["targets.t.at_least"]
    assert "unknown region 'C'" in problems["place_shares.s.regions.0"]
    spec = two_regions(1)
    spec["place_shares"] = {"s": {"programme": "doc", "regions": ["A"]}}
    assert "min_share, max_share or both" in only_problem(lambda: scenario_from_dict(spec)).message
    spec = two_regions(1)
    spec["objective"] = {"equity": {"roles": ["ed"]}}
    assert only_problem(lambda: scenario_from_dict(spec)).key == "objective.equity.roles.0"


def _problems(spec):
    return problems_of(lambda: scenario_from_dict(spec))


def test_regional_target_for_a_subset_of_regions_names_only_those():
    """scope region with regions [A]: at_least gives A only (B would be an unknown key); A ≥ 3 by
    2026 costs 3."""
    spec = two_regions(1)
    spec["targets"] = {"a": {"programme": "doc", "by_year": 2026, "scope": "region", "regions": ["A"],
                             "at_least": {"Area A": 3}}}
    plan = run(spec)
    assert intake(plan, "A", 2026) == pytest.approx(3)
    assert plan.objective == pytest.approx(3)
    spec["targets"]["a"]["at_least"] = {"A": 3, "B": 1}
    problem = only_problem(lambda: scenario_from_dict(spec))
    assert problem.key == "targets.a.at_least.B" and "unknown region" in problem.message


def test_target_at_least_by_year_and_by_region_and_year():
    """Issue 16, section 6: the nested forms of targets.at_least load and apply to their own rows.
    Two regions, 2026-2027, stock meets demand, so only the targets start anyone (£1k a starter).
    Annual intake targets: national {2026: 1, 2027: 2}; by region A and B {2026: 1, 2027: 0.5}.
    2026: each region ≥ 1 (total 2 ≥ 1); 2027: each ≥ 0.5 and the total ≥ 2, so 2 in all.
    Starters 2 + 2 = 4, training_cost = 4, nothing else costs: objective 4."""
    spec = two_regions(years=2)
    spec["targets"] = {
        "nat": {"programme": "doc", "measure": "intake", "by_year": 2027, "annual": True,
                "at_least": {2026: 1, 2027: 2}},
        "reg": {"programme": "doc", "measure": "intake", "by_year": 2027, "annual": True, "scope": "region",
                "at_least": {"A": {2026: 1, 2027: 0.5}, "B": {2026: 1, 2027: 0.5}}},
    }
    plan = run(spec)
    assert (intake(plan, "A", 2026), intake(plan, "B", 2026)) == pytest.approx((1.0, 1.0), abs=1e-6)
    assert intake(plan, "A", 2027) + intake(plan, "B", 2027) == pytest.approx(2.0, abs=1e-6)
    assert min(intake(plan, "A", 2027), intake(plan, "B", 2027)) >= 0.5 - 1e-6
    assert plan.objective == pytest.approx(4.0, abs=1e-6)
    spec["targets"]["nat"]["at_least"] = {2027: 2}  # 2026 has a row too: a by-year table must give it
    assert "2026" in only_problem(lambda: scenario_from_dict(spec)).message


def test_a_regional_target_leaves_every_region_to_a_later_place_share():
    """A regional target that names region A only, then a place share for region B: the share's
    region is checked against every region, not the target's (the check reused the target's keys)."""
    spec = two_regions(2)
    spec["targets"] = {"a": {"programme": "doc", "by_year": 2027, "scope": "region", "regions": ["Area A"],
                             "at_least": 1}}
    spec["place_shares"] = {"b": {"programme": "doc", "regions": ["Area B"], "max_share": 0.9}}
    scenario = scenario_from_dict(spec)
    assert scenario.place_shares["b"].regions == ["Area B"]
