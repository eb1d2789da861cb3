"""Staff moving between regions (issue 16, section 5; models/cohort_planning.md, section 21.4)."""

from __future__ import annotations

import copy
import dataclasses

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from workforce import scenario_from_dict, solve
from workforce.errors import ScenarioError, VerificationError
from workforce.plan.verify import verify_plan

from scenarios import minimal_scenario  # isort: skip
from test_arrays import assert_same_lp  # isort: skip


def two_regions(**role) -> dict:
    """Regions A and B, 2026-2027; EPs: stock A 10, B 0, no attrition, demand 10 in each region and
    year, penalty 100. A same-year course (duration 0, completion 1, £1k a starter) has places only
    in A (B: 0)."""
    return {
        "name": "two regions",
        "horizon": {"first_year": 2026, "last_year": 2027},
        "regions": [{"code": "A", "name": "Area A"}, {"code": "B", "name": "Area B"}],
        "roles": {"ep": {"name": "EPs", "initial_stock": {"A": 10, "B": 0}, "attrition": 0.0, "demand": 10,
                         "shortfall_penalty": 100, **role}},
        "programmes": {"course": {"name": "Course", "role": "ep", "duration": 0, "completion_rate": 1.0,
                                  "course_costs": [{"dfe": 1.0}], "places": {"A": 100, "B": 0}}},
        "funding_streams": {"dfe": {"name": "DfE"}},
    }


def run(spec: dict):
    return solve(scenario_from_dict(copy.deepcopy(spec)))


def test_the_exporter_trains_for_the_region_that_receives():
    """Half of A's start-of-year stock moves to B each year (movement {A: {B: 0.5}}).

    2026: A starts with 10 and sends 5, so A = 5 + x26 and B = 0 + 5 (B cannot train): B is 5 short
    whatever the plan does; A needs x26 = 5.
    2027: A starts with 5 + x26 and sends half, so B = 5 + (5 + x26)/2, which reaches 10 at x26 = 5;
    A = (5 + x26)/2 + x27 = 5 + x27 needs x27 = 5. Training more in 2026 (x26 = 5 + δ) saves only
    δ/2 in 2027, so the optimum is x26 = x27 = 5: training 10 (£10k) + 5 short in B 2026 (500):
    objective 510. A trains 10 and keeps 10: what it trains beyond its own losses feeds B.
    Without movement A needs no training (objective 2 × 10 × 100 = 2000 for B)."""
    plan = run(two_regions(movement={"Area A": {"B": 0.5}}))
    assert plan.objective == pytest.approx(510)
    assert plan.intake.loc[("course", "A", 2026), "intake"] == pytest.approx(5)
    assert plan.intake.loc[("course", "A", 2027), "intake"] == pytest.approx(5)
    f = plan.flows
    assert f.loc[("ep", "A", 2026), "moved_out"] == pytest.approx(5)
    assert f.loc[("ep", "B", 2026), "moved_in"] == pytest.approx(5)
    assert f.loc[("ep", "A", 2027), "moved_out"] == pytest.approx(5)
    assert f.loc[("ep", "B", 2027), "stock_end"] == pytest.approx(10)
    assert plan.workforce.loc[("ep", "B", 2026), "shortfall"] == pytest.approx(5)
    assert list(f.columns[-4:]) == ["moved_in", "moved_out", "stock_end", "flexible"]
    still = run(two_regions())
    assert still.objective == pytest.approx(2000)
    assert "moved_in" not in still.flows


def test_movers_cannot_also_retrain_in_the_region_they_left():
    """A retraining programme out of EPs (duration 0, into SENCOs) with no cost, while 60% of A's EPs
    move to B, half of B's move to A, and 10% leave everywhere (stock 10 in each). At most
    10 − 1 − 6 = 3 can start retraining in A in 2026, whatever SENCO demand asks for (outflow_limit:
    retraining ≤ stock_prev − leavers − moved_out): the 5 arriving from B cannot retrain in the year
    they arrive, as completers cannot. A ends at 10 − 1 − 6 + 5 − 3 = 5, B at 10 − 1 − 5 + 6 = 10."""
    spec = two_regions(movement={"A": {"B": 0.6}, "B": {"A": 0.5}}, attrition=0.1, demand=0,
                       initial_stock=10)
    spec["horizon"]["last_year"] = 2026
    spec["roles"]["senco"] = {"name": "SENCOs", "initial_stock": 0, "attrition": 0, "demand": 100,
                              "shortfall_penalty": 100}
    spec["programmes"] = {"convert": {"name": "Conversion", "role": "senco", "source": "ep", "duration": 0,
                                      "completion_rate": 1.0, "places": {"A": 100, "B": 0}}}
    plan = run(spec)
    assert plan.intake.loc[("convert", "A", 2026), "intake"] == pytest.approx(3)
    assert plan.flows.loc[("ep", "A", 2026), "stock_end"] == pytest.approx(5)
    assert plan.flows.loc[("ep", "B", 2026), "stock_end"] == pytest.approx(10)


def test_an_all_zero_matrix_is_no_movement():
    spec = minimal_scenario()
    base = run(spec)
    spec["roles"]["ep"]["movement"] = {"North": {"South": 0}, "E2": {"E1": {2026: 0, 2027: 0, 2028: 0}}}
    zero = run(spec)
    assert zero.objective == base.objective
    for name, table in base.tables().items():
        pd.testing.assert_frame_equal(zero.tables()[name], table, check_exact=True, obj=name)


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(stock=st.lists(st.integers(0, 100), min_size=3, max_size=3),
       shares=st.lists(st.sampled_from([0.0, 0.05, 0.3]), min_size=6, max_size=6),
       attrition=st.sampled_from([0.0, 0.08]), new=st.sampled_from([0.02, 0.2]),
       intake=st.lists(st.integers(0, 5), min_size=3, max_size=3))
def test_movement_conserves_people(stock, shares, attrition, new, intake):
    """With the same attrition (and first-year attrition) in every region and fixed intakes, the
    national stock each year is the same with and without movement: movers leave one region and
    join another, and they leave at the same rate wherever they are."""
    regions = ["A", "B", "C"]
    spec = {
        "name": "three regions", "horizon": {"first_year": 2026, "last_year": 2029},
        "regions": [{"code": r, "name": f"Area {r}"} for r in regions],
        "roles": {"ep": {"name": "EPs", "initial_stock": dict(zip(regions, stock, strict=True)),
                         "attrition": attrition, "attrition_new_entrants": new, "demand": 50,
                         "shortfall_penalty": 100}},
        "programmes": {"course": {"name": "Course", "role": "ep", "duration": 1, "completion_rate": 0.9,
                                  "intake_min": dict(zip(regions, intake, strict=True)),
                                  "intake_max": dict(zip(regions, intake, strict=True))}},
    }
    still = run(spec)
    pairs = [(a, b) for a in regions for b in regions if a != b]
    matrix: dict = {}
    for (a, b), share in zip(pairs, shares, strict=True):
        matrix.setdefault(a, {})[b] = share
    spec["roles"]["ep"]["movement"] = matrix
    moving = run(spec)
    national = [p.flows["stock_end"].groupby(level="year").sum() for p in (still, moving)]
    pd.testing.assert_series_equal(national[1], national[0], rtol=1e-9, atol=1e-6)
    if any(shares):
        assert moving.flows["moved_in"].sum() == pytest.approx(moving.flows["moved_out"].sum(), abs=1e-6)
    else:  # an all-zero matrix: no movement columns at all
        assert "moved_in" not in moving.flows


def test_movement_rows_are_the_same_in_both_constructions():
    spec = minimal_scenario()
    spec["roles"]["ep"]["movement"] = {"North": {"South": 0.1}, "E2": {"North": {2026: 0.05, 2027: 0, 2028: 0.2}}}
    spec["roles"]["ep"]["exits"] = {"enabled": True, "cost": 1}
    assert_same_lp(spec)


def test_the_recheck_recomputes_the_moves():
    plan = run(two_regions(movement={"Area A": {"B": 0.5}}))
    assert plan.summary["verification"]["checks"]["movement"] == 8
    flows = plan.flows.copy()
    flows.loc[("ep", "B", 2026), "moved_in"] = 6.0
    with pytest.raises(VerificationError, match="movement: moved_in of"):
        verify_plan(dataclasses.replace(plan, flows=flows))
    with pytest.raises(VerificationError, match="movement: moved_out .column missing"):
        verify_plan(dataclasses.replace(plan, flows=plan.flows.drop(columns=["moved_in", "moved_out"])))


def test_explain_and_the_waterfall_show_the_moves():
    from workforce.explain import explain_plan
    from workforce.plots.flows import waterfall_steps

    plan = run(two_regions(movement={"Area A": {"B": 0.5}}))
    e = explain_plan(plan, what_if=0)
    assert e.movement.loc[("ep", "A"), "net"] == pytest.approx(-10)
    assert e.movement.loc[("ep", "B"), "net"] == pytest.approx(10)
    assert "Staff moving between regions" in e.text() and "net +10.0" in e.text()
    bars = dict(waterfall_steps(plan, "ep", "B"))
    assert bars["moved_in"] == pytest.approx(10) and bars["moved_out"] == 0
    assert bars["start"] + sum(v for k, v in bars.items() if k not in ("start", "end")) == pytest.approx(bars["end"])


@pytest.mark.parametrize(("movement", "key", "text"), [
    ({"Area Z": {"B": 0.1}}, "roles.ep.movement.Area Z", "unknown region 'Area Z'"),
    ({"A": {"Area A": 0.1}}, "roles.ep.movement.A.Area A", "cannot move from A to itself"),
    ({"A": {"B": 1.5}}, "roles.ep.movement.A.B", "between 0 and 1"),
    ({"A": {"B": 0.7}}, "roles.ep.movement.A", "shares out plus attrition must be at most 1"),
    ({"A": {"B": {2026: 0.1}}}, "roles.ep.movement.A.B", "no value for year(s) 2027"),
    ({"A": {"B": 0.1, "Area B": 0.1}}, "roles.ep.movement.A.Area B", "given twice"),
])
def test_bad_matrices_are_refused_with_their_key(movement, key, text):
    """Attrition 0.4 with 0.7 moving out would take 1.1 of A's stock in a year."""
    with pytest.raises(ScenarioError) as info:
        scenario_from_dict(two_regions(movement=movement, attrition=0.4))
    assert key in str(info.value) and text in str(info.value)


def test_movement_with_a_tenure_profile_is_refused():
    with pytest.raises(ScenarioError, match="not modelled for a role with a tenure profile"):
        scenario_from_dict(two_regions(movement={"A": {"B": 0.1}}, tenure={"attrition": [0.03]}))


def test_a_movement_csv_is_read_by_name_and_year(tmp_path):
    """from,to,share,year rows; a bad share is reported with the CSV's line."""
    import yaml

    from workforce import load_scenario

    spec = two_regions(movement={"file": "moves.csv"})
    (tmp_path / "s.yaml").write_text(yaml.safe_dump(spec), encoding="utf-8")
    (tmp_path / "moves.csv").write_text("from,to,year,share\nArea A,B,2026,0.5\nArea A,B,2027,0.5\n", encoding="utf-8")
    plan = solve(load_scenario(tmp_path / "s.yaml"))
    assert plan.objective == pytest.approx(510)
    (tmp_path / "moves.csv").write_text("from,to,year,share\nArea A,B,2026,0.5\nArea A,B,2027,5%\n", encoding="utf-8")
    with pytest.raises(ScenarioError) as info:
        load_scenario(tmp_path / "s.yaml")
    assert "moves.csv:3 [roles.ep.movement]" in str(info.value) and "'5%' is a percentage" in str(info.value)
    (tmp_path / "moves.csv").write_text("from,to,share\nArea A,B,1.5\n", encoding="utf-8")
    with pytest.raises(ScenarioError) as info:
        load_scenario(tmp_path / "s.yaml")
    assert "moves.csv:2 [roles.ep.movement.Area A.B]" in str(info.value) and "between 0 and 1" in str(info.value)


def test_the_documented_example_runs_and_gives_what_the_page_says():
    """docs/planner-rules.md, "Staff moving between regions": the YAML block solves to objective 510
    with 10 trained in Trainer, 5 moving out of it each year, net −10 / +10 over the horizon."""
    import re
    from pathlib import Path

    import yaml

    text = (Path(__file__).resolve().parents[1] / "docs" / "planner-rules.md").read_text(encoding="utf-8")
    section = text.split("## Staff moving between regions", 1)[1]
    block = re.search(r"```yaml\n(.*?)```", section, re.S).group(1)
    plan = solve(scenario_from_dict(yaml.safe_load(block)))
    assert plan.objective == pytest.approx(510)
    assert plan.intake.xs("A", level="region")["intake"].sum() == pytest.approx(10)
    assert list(plan.flows.xs("A", level="region")["moved_out"]) == pytest.approx([5, 5])
    assert list(plan.flows.xs("B", level="region")["moved_in"]) == pytest.approx([5, 5])
    assert plan.workforce.loc[("ep", "B", 2026), "shortfall"] == pytest.approx(5)


@pytest.mark.parametrize(("path", "op", "value"), [("roles.ep.initial_stock.A", "set", 16),
                                                   ("roles.ep.attrition", "set", 0.1)])
def test_a_sweep_in_place_moves_the_arrivals_too(path, op, value):
    """A's initial stock enters B's first stock balance through moved_in: changing it in place must
    re-evaluate B's row as well as A's (the cold rebuild is the reference)."""
    from test_warm import _assert_in_place_as_cold, _lever

    from workforce.solver.warm import WarmModel

    spec = two_regions(movement={"A": {"B": 0.5}}, initial_stock={"A": 10, "B": 4})
    _assert_in_place_as_cold(WarmModel(scenario_from_dict(spec)), _lever(path, op), value)


def test_a_movement_share_is_a_structural_change_for_a_sweep():
    from test_warm import _lever

    from workforce.solver.warm import WarmModel

    warm = WarmModel(scenario_from_dict(two_regions(movement={"A": {"B": 0.5}})))
    info, used, note = warm.solve_point({"x": 0.25}, {"x": _lever("roles.ep.movement.A.B", "set")})
    assert note["how"] != "in place"
    assert info.objective == pytest.approx(run(two_regions(movement={"A": {"B": 0.25}})).objective)
