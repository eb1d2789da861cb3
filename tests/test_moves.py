"""Bounded, costed moves between regions (issue 16, section 5; models/cohort_planning.md, section 24),
hand-solved."""

from __future__ import annotations

import copy
import dataclasses

import pytest

from workforce import scenario_from_dict, solve
from workforce.errors import InfeasibleScenarioError, ScenarioError, VerificationError
from workforce.plan.verify import verify_plan

from test_arrays import assert_same_lp  # isort: skip


def two_regions(years: int = 2, **moves) -> dict:
    """EPs in Trainer (A, 15) and Neighbour (B, 5), demand 10 each, no attrition, penalty 100; moves
    A -> B capped at 3 a year, 2 £k a person paid by the LA stream."""
    return {
        "name": "moves", "horizon": {"first_year": 2026, "last_year": 2026 + years - 1},
        "regions": [{"code": "A", "name": "Trainer"}, {"code": "B", "name": "Neighbour"}],
        "roles": {"ep": {"name": "EPs", "initial_stock": {"A": 15, "B": 5}, "attrition": 0.0, "demand": 10,
                         "shortfall_penalty": 100,
                         "moves": {"cost": 2, "stream": "la", "max": {"Trainer": {"Neighbour": 3}}, **moves}}},
        "funding_streams": {"la": {"name": "LA"}},
    }


def run(spec: dict):
    return solve(scenario_from_dict(copy.deepcopy(spec)))


def test_moves_are_capped_and_costed():
    """A has 5 above demand, B is 5 short. 2026: move 3 (the cap): A 12, B 8, B 2 short (200).
    2027: move 2 more: A 10, B 10. Moves cost 5 × 2 = 10 £k (hiring_cost, LA spend 6 then 4);
    objective 210. (Moving 3 in 2027 too would leave A 1 short: 100 more.)"""
    plan = run(two_regions())
    moves = plan.extra["moves"]["people"]
    assert list(moves) == pytest.approx([3, 2])
    assert plan.flows.loc[("ep", "B", 2026), "moves_in"] == pytest.approx(3)
    assert plan.flows.loc[("ep", "A", 2026), "moves_out"] == pytest.approx(3)
    assert plan.flows.loc[("ep", "A", 2027), "stock_end"] == pytest.approx(10)
    assert plan.workforce.loc[("ep", "B", 2026), "shortfall"] == pytest.approx(2)
    assert plan.summary["terms"]["hiring_cost"] == pytest.approx(10)
    assert plan.spend_detail.loc[("la", 2026, "moves:ep"), "spent"] == pytest.approx(6)
    assert plan.objective == pytest.approx(210)
    assert_same_lp(two_regions())


def test_a_move_dearer_than_the_shortfall_is_not_made():
    """At 150 £k a person a move costs more than the 100 a year of shortfall it relieves in a
    one-year plan: nothing moves, B 5 short, objective 500."""
    plan = run(two_regions(1, cost=150))
    assert plan.extra["moves"]["people"].sum() == pytest.approx(0)
    assert plan.objective == pytest.approx(500)


def test_movers_come_from_the_staff_who_stayed():
    """A has 4 at the start and loses 50% to attrition: only 2 stayed, so at most 2 can move even
    with a cap of 3 (outflow_limit); B (0 at the start) gets 2."""
    spec = two_regions(1)
    spec["roles"]["ep"].update(initial_stock={"A": 4, "B": 0}, attrition=0.5, demand={"A": 0, "B": 10})
    plan = run(spec)
    assert plan.extra["moves"]["people"].sum() == pytest.approx(2)
    assert plan.flows.loc[("ep", "A", 2026), "stock_end"] == pytest.approx(0)
    assert_same_lp(spec)


def test_moves_of_an_fte_role_count_fte_per_head():
    """EPs in FTE at 0.5 FTE per person: B is 2 FTE short in a one-year plan; moving 3 people
    (the cap) brings 1.5 FTE, 0.5 FTE short: objective 3 × 2 + 0.5 × 100 = 56."""
    spec = two_regions(1)
    spec["roles"]["ep"].update(unit="FTE", fte_per_head=0.5, initial_stock={"A": 12, "B": 8})
    plan = run(spec)
    assert plan.extra["moves"]["people"].sum() == pytest.approx(3)
    assert plan.flows.loc[("ep", "B", 2026), "moves_in"] == pytest.approx(1.5)
    assert plan.objective == pytest.approx(56)
    assert_same_lp(spec)


def test_a_required_move_beyond_the_cap_is_diagnosed_by_name():
    """B must meet demand in full in 2026 (required_share 1) but only 3 of the 5 can move: infeasible,
    and the diagnosis names the cap on moves."""
    spec = two_regions(1)
    spec["roles"]["ep"]["required_share"] = 1
    with pytest.raises(InfeasibleScenarioError) as info:
        run(spec)
    assert "the cap on moves of EPs from Trainer to Neighbour in 2026" in str(info.value)


def test_the_recheck_checks_routes_and_flows():
    plan = run(two_regions())
    assert plan.summary["verification"]["checks"]["move cap"] == 2
    moves = plan.extra["moves"].copy()
    moves.loc[("ep", "A", "B", 2026), "people"] = 4.0
    with pytest.raises(VerificationError, match="move cap: people moved on ep A B 2026"):
        verify_plan(dataclasses.replace(plan, extra={**plan.extra, "moves": moves}))
    with pytest.raises(VerificationError, match="moves: moves_in .column missing"):
        verify_plan(dataclasses.replace(plan, flows=plan.flows.drop(columns=["moves_in", "moves_out"])))


def test_explain_and_the_waterfall_show_the_moves():
    from workforce.explain import explain_plan
    from workforce.plots.flows import waterfall_steps

    e = explain_plan(run(two_regions()), what_if=0)
    assert e.moves.loc[("ep", "A", "B"), "people"] == pytest.approx(5)
    assert "EPs, Trainer -> Neighbour: 5.0 of at most 6.0, costing 10.0 £k" in e.text()
    bars = dict(waterfall_steps(run(two_regions()), "ep", "B"))
    assert bars["moves_in"] == pytest.approx(5)
    assert bars["start"] + sum(v for k, v in bars.items() if k not in ("start", "end")) == pytest.approx(bars["end"])


@pytest.mark.parametrize(("change", "key", "text"), [
    ({"max": {"Area Z": {"B": 1}}}, "roles.ep.moves.max.Area Z", "unknown region 'Area Z'"),
    ({"max": {"A": {"Trainer": 1}}}, "roles.ep.moves.max.A.Trainer", "from A to itself"),
    ({"max": {"A": {"B": 1, "Neighbour": 2}}}, "roles.ep.moves.max.A.Neighbour", "given twice"),
    ({"max": {"A": {"B": {2026: 1}}}}, "roles.ep.moves.max.A.B", "2027"),
    ({"max": {"A": {"B": -1}}}, "roles.ep.moves.max", "must be zero or more"),
    ({"stream": "dfe"}, "roles.ep.moves.stream", "unknown funding stream 'dfe'"),
    ({"max": {"file": "moves.csv"}}, "roles.ep.moves.max", "cannot be read from a file yet"),
    ({"max": 3}, "roles.ep.moves.max", "expected a mapping origin region"),
])
def test_bad_moves_are_refused_with_their_key(change, key, text):
    with pytest.raises(ScenarioError) as info:
        scenario_from_dict(two_regions(**change))
    assert key in str(info.value) and text in str(info.value)


def test_the_rows_are_the_same_in_both_constructions_with_retraining_and_exits():
    """A role that moves, retrains and exits: the movers join outflow_limit beside the other outflows."""
    spec = two_regions()
    spec["roles"]["ep"]["exits"] = {"enabled": True, "cost": 1}
    spec["roles"]["sen"] = {"name": "Specialists", "initial_stock": 0, "attrition": 0.0, "demand": 3,
                            "shortfall_penalty": 50}
    spec["programmes"] = {"conv": {"name": "Conversion", "role": "sen", "source": "ep", "duration": 0,
                                   "completion_rate": 1.0}}
    assert_same_lp(spec)
    assert run(spec).objective >= 0


def test_the_documented_example_runs_and_gives_what_the_page_says():
    """docs/planner-rules.md, "Moves between regions, bounded and costed": objective 210, 3 then 2
    moved, LA spend 6 then 4."""
    import re
    from pathlib import Path

    import yaml

    text = (Path(__file__).resolve().parents[1] / "docs" / "planner-rules.md").read_text(encoding="utf-8")
    section = text.split("## Moves between regions, bounded and costed", 1)[1]
    plan = run(yaml.safe_load(re.search(r"```yaml\n(.*?)```", section, re.S).group(1)))
    assert plan.objective == pytest.approx(210)
    assert list(plan.extra["moves"]["people"]) == pytest.approx([3, 2])
    assert list(plan.spend_detail.xs("moves:ep", level="item")["spent"]) == pytest.approx([6, 4])
    from workforce.explain import explain_plan

    assert ("Educational psychologists, Trainer -> Neighbour: 5.0 of at most 6.0, costing 10.0 £k"
            in explain_plan(plan, what_if=0).text())


@pytest.mark.parametrize(("path", "op", "value"), [("roles.ep.initial_stock.A", "set", 13),
                                                   ("roles.ep.attrition", "set", 0.1),
                                                   ("roles.ep.demand", "scale", 1.2)])
def test_a_sweep_in_place_keeps_the_moves(path, op, value):
    """Rows changed in place on a role with moves equal the cold rebuild, coefficients and optimum."""
    from test_warm import _assert_in_place_as_cold, _lever

    from workforce.solver.warm import WarmModel

    _assert_in_place_as_cold(WarmModel(scenario_from_dict(two_regions())), _lever(path, op), value)


def test_a_move_cap_is_a_structural_change_for_a_sweep():
    """Raising the 2026-2027 cap to 5 moves all 5 in 2026: no shortfall, objective 10 (rebuilt)."""
    from test_warm import _lever

    from workforce.solver.warm import WarmModel

    warm = WarmModel(scenario_from_dict(two_regions()))
    info, _used, note = warm.solve_point({"x": 5}, {"x": _lever("roles.ep.moves.max.Trainer.Neighbour", "set")})
    assert note["how"] != "in place"
    assert info.objective == pytest.approx(10)


def test_the_staff_available_to_move_are_named_so():
    """With 4 in Trainer at the start and half leaving, the 2 who stayed all move and the outflow
    row binds: explain names it 'EPs available to retrain, exit or be moved in Trainer in 2026'."""
    from workforce.explain import explain_plan

    spec = two_regions(1)
    spec["roles"]["ep"].update(initial_stock={"A": 4, "B": 0}, attrition=0.5, demand={"A": 0, "B": 10})
    e = explain_plan(run(spec), what_if=0)
    assert e.limits["label"].str.contains("EPs available to retrain, exit or be moved in Trainer in 2026").any()
    cap = e.limits[e.limits["family"] == "move_limit"].iloc[0]
    assert (cap["role"], cap["region"], cap["year"]) == ("ep", "A", 2026)  # the route's origin
