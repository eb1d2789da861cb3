"""Rules planners write (issue 16, section 5), each with a hand-solved optimum."""

from __future__ import annotations

import copy

import pytest

from workforce import scenario_from_dict, solve

from scenarios import minimal_scenario  # isort: skip
from test_arrays import assert_same_lp  # isort: skip

R = "A"


def one_role(years: int = 1, **role) -> dict:
    """One region 'A', one role 'ep' (stock 10, no attrition, demand 10, penalty 100)."""
    return {
        "name": "tiny",
        "horizon": {"first_year": 2026, "last_year": 2026 + years - 1},
        "regions": [{"code": R, "name": "Area A"}],
        "roles": {"ep": {"name": "EPs", "initial_stock": 10, "attrition": 0.0, "demand": 10,
                         "shortfall_penalty": 100, **role}},
    }


def run(spec: dict):
    return solve(scenario_from_dict(copy.deepcopy(spec)))


@pytest.mark.parametrize("costs", [None, []])
def test_a_programme_with_no_course_cost(costs):
    """Stock 8, demand 10, a same-year course with 1 place, 100% completion and no course cost
    (``course_costs`` left out or ``[]``): train 1 (free), 1 short at 100. Objective = 100,
    training cost 0, nothing spent."""
    spec = one_role(1, initial_stock=8)
    prog = {"name": "Free course", "role": "ep", "duration": 0, "completion_rate": 1.0, "places": 1}
    if costs is not None:
        prog["course_costs"] = costs
    spec["programmes"] = {"free": prog}
    plan = run(spec)
    assert plan.intake.loc[("free", R, 2026), "intake"] == pytest.approx(1)
    assert plan.workforce.loc[("ep", R, 2026), "shortfall"] == pytest.approx(1)
    assert plan.objective == pytest.approx(100)
    assert plan.summary["terms"]["training_cost"] == pytest.approx(0)
    assert plan.spend["spent"].sum() == pytest.approx(0)


def test_no_course_cost_gives_the_same_lp_both_ways():
    spec = minimal_scenario()
    spec["programmes"]["dedpsy"].pop("course_costs")
    assert_same_lp(spec)
    spec["programmes"]["dedpsy"]["course_costs"] = []
    assert_same_lp(spec)


def test_a_hard_requirement_overrides_a_cheap_penalty():
    """Stock 8, demand 10, penalty 1 per unit-year, hiring at 5 (cap 5): with the penalty alone
    hiring is not worth it (objective 2·1 = 2). Requiring 90% of demand allows 1 short: hire 1
    (cost 5) and pay 1 for the remaining shortfall: objective 6. Requiring it in full: hire 2, 10."""
    spec = one_role(1, initial_stock=8, shortfall_penalty=1, hiring={"max": 5, "cost": 5})
    assert run(spec).objective == pytest.approx(2)
    spec["roles"]["ep"]["required_share"] = 0.9
    plan = run(spec)
    assert plan.flows.loc[("ep", R, 2026), "hires"] == pytest.approx(1)
    assert plan.workforce.loc[("ep", R, 2026), "shortfall"] == pytest.approx(1)
    assert plan.objective == pytest.approx(6)
    spec["roles"]["ep"]["required_share"] = 1
    plan = run(spec)
    assert plan.flows.loc[("ep", R, 2026), "hires"] == pytest.approx(2)
    assert plan.objective == pytest.approx(10)


def test_an_unreachable_requirement_is_named_by_the_diagnosis():
    """Stock 8, demand 10, hiring capped at 1, demand required in full: at most 9 can be in post,
    so the requirement (or the hiring cap) must give 1."""
    from workforce import InfeasibleScenarioError

    spec = one_role(1, initial_stock=8, hiring={"max": 1, "cost": 5}, required_share=1)
    with pytest.raises(InfeasibleScenarioError) as info:
        run(spec)
    kinds = {c.kind for c in info.value.conflicts}
    assert kinds <= {"hard requirement", "hiring cap"} and kinds
    assert sum(c.amount for c in info.value.conflicts) == pytest.approx(1)
    assert "required share of demand" in str(info.value) or "hiring cap" in str(info.value)


def test_a_required_share_above_one_is_refused_with_its_key():
    from workforce.errors import ScenarioError

    with pytest.raises(ScenarioError) as info:
        scenario_from_dict(one_role(1, required_share=1.5))
    assert "roles.ep.required_share" in str(info.value) and "between 0 and 1" in str(info.value)


def test_requirement_rows_are_the_same_in_both_constructions():
    spec = minimal_scenario()
    spec["roles"]["ep"]["required_share"] = {"E1": 0.8, "E2": {2026: 0.5, 2027: 0.9, 2028: 1}}
    assert_same_lp(spec)


def test_fewest_redundancies_first_then_least_cost():
    """Stock 12, demand 10, surplus costs 10 a year, exits cost 3 each, reduced hours remove 0.5
    FTE a unit at 4 a unit (cap 100).
    Least cost alone: 2 exits (6) beat 4 units of reduced hours (16) and 2 of surplus (20): objective 6.
    Fewest exits first (stage 1: exit_count = 0), then least cost: 4 units of reduced hours
    (16 < 20), no exit; the money terms are 16. Stage 1 keeps its optimum within the
    lexicographic tolerance (1e-6 of max(1, 0)), so up to 1e-6 exits remain possible."""
    spec = one_role(1, initial_stock=12, surplus_cost=10, exits={"enabled": True, "cost": 3},
                    flexible_supply={"fewer": {"name": "Reduced hours", "fte_per_unit": -0.5, "cost": 4,
                                               "max": 100}})
    plan = run(spec)
    assert plan.flows.loc[("ep", R, 2026), "exits"] == pytest.approx(2)
    assert plan.objective == pytest.approx(6)
    assert plan.summary["terms"]["exit_count"] == 0  # not named by the objective: not built
    assert plan.summary["weights"]["exit_count"] == 0
    spec["objective"] = {"lexicographic": [["exit_count"], ["exit_cost", "flexible_cost", "surplus_cost",
                                                            "shortfall"]]}
    plan = run(spec)
    assert plan.summary["terms"]["exit_count"] == pytest.approx(0, abs=1.1e-6)
    assert plan.flows.loc[("ep", R, 2026), "exits"] == pytest.approx(0, abs=1.1e-6)
    assert plan.workforce.loc[("ep", R, 2026), "flexible"] == pytest.approx(-2, abs=1e-5)
    assert plan.summary["terms"]["flexible_cost"] == pytest.approx(16, abs=1e-4)
    assert [s["value"] for s in plan.summary["lexicographic_stages"][:2]] == pytest.approx([0, 16], abs=1e-4)


def test_people_counts_in_a_weighted_sum():
    """Stock 8, demand 10, penalty 100, surplus 1 a unit; hiring costs 5 (cap 5); a same-year free
    course with 100% completion (cap 5 places). By money alone training is free: 2 starters, no
    surplus (objective 0). Weighting starter_count 50 and hire_count 1: 2 hires at 5 + 1 each
    = 12 beat 2 starters at 50 each = 100."""
    spec = one_role(1, initial_stock=8, surplus_cost=1, hiring={"max": 5, "cost": 5})
    spec["programmes"] = {"free": {"name": "Free course", "role": "ep", "duration": 0, "completion_rate": 1.0,
                                   "places": 5}}
    plan = run(spec)
    assert plan.intake.loc[("free", R, 2026), "intake"] == pytest.approx(2)
    assert plan.objective == pytest.approx(0)
    spec["objective"] = {"weights": {"starter_count": 50, "hire_count": 1}}
    plan = run(spec)
    assert plan.flows.loc[("ep", R, 2026), "hires"] == pytest.approx(2)
    assert plan.intake.loc[("free", R, 2026), "intake"] == pytest.approx(0, abs=1e-7)
    assert plan.objective == pytest.approx(12)
    assert plan.summary["terms"]["hire_count"] == pytest.approx(2)


def test_count_terms_are_the_same_in_both_constructions():
    spec = minimal_scenario()
    spec["roles"]["ep"]["exits"] = {"enabled": True, "cost": 1}
    spec["roles"]["ep"]["flexible_supply"] = {"agency": {"name": "Agency", "fte_per_unit": 1, "cost": 1, "max": 2}}
    spec["objective"] = {"lexicographic": [["exit_count", "shortfall"], ["training_cost", "hire_count"]]}
    assert_same_lp(spec)


def _on_the_job(basis: str) -> dict:
    """'ta' (stock 10, demand 0, free surplus) retrains on the job into 'ep' (stock 4, demand 10,
    penalty 100): a same-year course, 100% completion, £1k a starter, supervised by ep at 0.5."""
    spec = one_role(1, initial_stock=4)
    spec["roles"]["ta"] = {"name": "Assistants", "initial_stock": 10, "attrition": 0.0, "demand": 0,
                           "shortfall_penalty": 0}
    spec["programmes"] = {"conv": {"name": "On the job", "role": "ep", "source": "ta", "duration": 0,
                                   "completion_rate": 1.0, "course_costs": [{"dfe": 1.0}],
                                   "supervision_ratio": 0.5, "supervisor_role": "ep", "supervision_basis": basis}}
    spec["funding_streams"] = {"dfe": {"name": "DfE"}}
    return spec


def test_supervision_by_the_start_of_year_stock():
    """Start basis: intake ≤ 0.5 · 4 = 2; ep ends at 6, 4 short. Objective = 2 + 100 · 4 = 402."""
    plan = run(_on_the_job("start"))
    assert plan.intake.loc[("conv", R, 2026), "intake"] == pytest.approx(2)
    assert plan.objective == pytest.approx(402)


def test_supervision_by_the_same_years_end_stock():
    """End basis: intake ≤ 0.5 · stock_end(ep) = 0.5 · (4 + intake), so intake ≤ 4; ep ends at 8,
    2 short. Objective = 4 + 100 · 2 = 204."""
    plan = run(_on_the_job("end"))
    assert plan.intake.loc[("conv", R, 2026), "intake"] == pytest.approx(4)
    assert plan.flows.loc[("ep", R, 2026), "stock_end"] == pytest.approx(8)
    assert plan.objective == pytest.approx(204)


def test_supervision_basis_rows_are_the_same_in_both_constructions():
    spec = minimal_scenario()
    spec["programmes"]["dedpsy"].update(supervision_ratio=0.2, supervision_basis="end")
    assert_same_lp(spec)


def test_a_supervision_basis_without_a_ratio_is_refused():
    from workforce.errors import ScenarioError

    spec = _on_the_job("end")
    del spec["programmes"]["conv"]["supervision_ratio"]
    del spec["programmes"]["conv"]["supervisor_role"]
    with pytest.raises(ScenarioError) as info:
        scenario_from_dict(spec)
    assert "programmes.conv" in str(info.value) and "supervision_basis" in str(info.value)


@pytest.mark.parametrize(("path", "op", "value"), [("roles.ep.demand", "scale", 1.1),
                                                    ("roles.ep.demand.A", "set", 11),
                                                    ("programmes.doc.supervision_ratio", "set", 0.3)])
def test_in_place_re_solves_keep_the_new_rows_equal_to_a_rebuild(path, op, value):
    """A sweep that changes demand re-evaluates the requirement rows (their bound is
    (1 − share) · demand); one that changes an end-basis supervision ratio, its rows."""
    from test_warm import RICH, _assert_in_place_as_cold, _lever

    from workforce.solver.warm import WarmModel

    spec = copy.deepcopy(RICH)
    spec["roles"]["ep"]["required_share"] = 0.7
    spec["programmes"]["doc"]["supervision_basis"] = "end"
    spec["objective"] = {"weights": {"exit_count": 0.5}}
    _assert_in_place_as_cold(WarmModel(scenario_from_dict(spec)), _lever(path, op), value)
