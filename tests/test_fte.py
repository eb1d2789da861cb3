"""Heads and FTE (issue 16, section 5; models/cohort_planning.md, section 23), hand-solved."""

from __future__ import annotations

import copy
import dataclasses

import pytest

from workforce import scenario_from_dict, solve
from workforce.errors import InfeasibleScenarioError, ScenarioError, VerificationError
from workforce.plan.verify import verify_plan

from test_arrays import assert_same_lp  # isort: skip

R = "A"


def one_role(years: int = 1, **role) -> dict:
    """One region 'A', one role 'ep' in FTE (stock 8, no attrition, demand 10, penalty 100) and a
    same-year course into it (100% completion, 10 £k per starter, no cap)."""
    return {
        "name": "fte",
        "horizon": {"first_year": 2026, "last_year": 2026 + years - 1},
        "regions": [{"code": R, "name": "Area A"}],
        "roles": {"ep": {"name": "EPs", "unit": "FTE", "initial_stock": 8, "attrition": 0.0, "demand": 10,
                         "shortfall_penalty": 100, **role}},
        "funding_streams": {"dfe": {"name": "DfE"}},
        "programmes": {"course": {"name": "Course", "role": "ep", "duration": 0, "completion_rate": 1.0,
                                  "course_costs": [{"dfe": 10}]}},
    }


def run(spec: dict):
    return solve(scenario_from_dict(copy.deepcopy(spec)))


def test_each_fte_of_shortfall_needs_1_25_starters_at_0_8_fte_per_head():
    """2 FTE short; every completer adds 0.8 FTE, so 2 / 0.8 = 2.5 people start (heads) at 10 £k each:
    training cost 25, no shortfall, objective 25. Counted in people (no fte_per_head): 2 starters, 20."""
    plan = run(one_role(fte_per_head=0.8))
    assert plan.intake.loc[("course", R, 2026), "intake"] == pytest.approx(2.5)
    assert plan.flows.loc[("ep", R, 2026), "completions"] == pytest.approx(2.0)  # in FTE
    assert plan.flows.loc[("ep", R, 2026), "stock_end"] == pytest.approx(10.0)
    assert plan.summary["terms"]["training_cost"] == pytest.approx(25)
    assert plan.objective == pytest.approx(25)
    assert run(one_role()).objective == pytest.approx(20)


def test_fte_per_head_by_year():
    """Two years, demand 10 then 12, FTE per head 0.8 then 0.5, surplus 100 £k per FTE-year.
    2026: 2 FTE short, 2 / 0.8 = 2.5 starters. 2027: 2 FTE more, 2 / 0.5 = 4 starters (10 £k per
    0.5 FTE = 20 £k per FTE; an extra 2026 starter would cost 10 + 0.8 × 100 surplus for 0.8 FTE).
    Training cost 10 × 6.5 = 65. (Without the surplus cost, 5 starters in 2026 at 0.8 would be cheaper.)"""
    spec = one_role(2, fte_per_head={2026: 0.8, 2027: 0.5}, demand={2026: 10, 2027: 12}, surplus_cost=100)
    plan = run(spec)
    intake = plan.intake["intake"]
    assert intake[("course", R, 2026)] == pytest.approx(2.5)
    assert intake[("course", R, 2027)] == pytest.approx(4.0)
    assert plan.objective == pytest.approx(65)
    assert_same_lp(spec)


def test_hires_are_people_capped_and_paid_per_head():
    """No course; at most 2 hires at 5 £k a head, 0.8 FTE each: 1.6 FTE, 0.4 FTE still short.
    Objective = 2 × 5 + 0.4 × 100 = 50; the flows show 1.6 FTE hired, the spend 10 £k."""
    spec = one_role(fte_per_head=0.8, hiring={"max": 2, "cost": 5, "stream": "dfe"})
    spec["programmes"]["course"]["places"] = 0
    plan = run(spec)
    assert plan.flows.loc[("ep", R, 2026), "hires"] == pytest.approx(1.6)
    assert plan.workforce.loc[("ep", R, 2026), "shortfall"] == pytest.approx(0.4)
    assert plan.summary["terms"]["hiring_cost"] == pytest.approx(10)
    assert plan.spend["spent"].sum() == pytest.approx(10)
    assert plan.objective == pytest.approx(50)
    assert_same_lp(spec)


def test_exits_release_fte_per_head_each_and_cost_per_head():
    """Stock 10 FTE, demand 8, surplus 10 £k per FTE-year, exits 1 £k a head at 0.5 FTE per head:
    releasing 4 people takes the 2 FTE surplus. Objective = 4 × 1 = 4 (exit count 4 people)."""
    spec = one_role(fte_per_head=0.5, initial_stock=10, demand=8, surplus_cost=10,
                    exits={"enabled": True, "cost": 1})
    spec["programmes"]["course"]["places"] = 0
    spec["objective"] = {"weights": {"exit_count": 0.001}}
    plan = run(spec)
    assert plan.flows.loc[("ep", R, 2026), "exits"] == pytest.approx(2.0)  # FTE
    assert plan.summary["terms"]["exit_cost"] == pytest.approx(4)
    assert plan.summary["terms"]["exit_count"] == pytest.approx(4)
    assert plan.objective == pytest.approx(4 + 0.004)
    assert_same_lp(spec)


def retraining(fte_per_head: float | None) -> dict:
    """Assistants in FTE (stock 10, demand 9, penalty 10) retrain into EPs (people, stock 0,
    demand 2, penalty 100) on a same-year conversion costing 1 £k a starter."""
    ta = {"name": "Assistants", "unit": "FTE", "initial_stock": 10, "attrition": 0.0, "demand": 9,
          "shortfall_penalty": 10}
    if fte_per_head is not None:
        ta["fte_per_head"] = fte_per_head
    return {
        "name": "retrain", "horizon": {"first_year": 2026, "last_year": 2026},
        "regions": [{"code": R, "name": "Area A"}],
        "roles": {"ta": ta, "ep": {"name": "EPs", "initial_stock": 0, "attrition": 0.0, "demand": 2,
                                   "shortfall_penalty": 100}},
        "funding_streams": {"la": {"name": "LAs"}},
        "programmes": {"conv": {"name": "Conversion", "role": "ep", "source": "ta", "duration": 0,
                                "completion_rate": 1.0, "course_costs": [{"la": 1}]}},
    }


def test_a_retraining_starter_takes_fte_per_head_from_the_source_role():
    """2 assistants start the conversion (2 £k) and qualify as 2 EPs. At 0.5 FTE per head they take
    1 FTE from the assistants, who keep 9 = demand: objective 2. Counted one FTE each they take 2,
    leaving the assistants 1 FTE short: objective 2 + 10 = 12."""
    plan = run(retraining(0.5))
    assert plan.intake.loc[("conv", R, 2026), "intake"] == pytest.approx(2)
    assert plan.flows.loc[("ta", R, 2026), "retraining_out"] == pytest.approx(1.0)
    assert plan.flows.loc[("ep", R, 2026), "completions"] == pytest.approx(2.0)  # EPs count people
    assert plan.objective == pytest.approx(2)
    assert run(retraining(None)).objective == pytest.approx(12)
    assert_same_lp(retraining(0.5))


def supervised(counts: str | None) -> dict:
    """EPs in FTE at 0.5 FTE per head (stock 10 FTE = 20 people, demand 10) supervise a same-year
    course into assistants (people, stock 0, demand 5, penalty 100, 1 £k a starter), 0.1 starters per
    supervisor."""
    spec = {
        "name": "supervision", "horizon": {"first_year": 2026, "last_year": 2026},
        "regions": [{"code": R, "name": "Area A"}],
        "roles": {"ep": {"name": "EPs", "unit": "FTE", "fte_per_head": 0.5, "initial_stock": 10, "attrition": 0.0,
                         "demand": 10, "shortfall_penalty": 100},
                  "ta": {"name": "Assistants", "initial_stock": 0, "attrition": 0.0, "demand": 5,
                         "shortfall_penalty": 100}},
        "funding_streams": {"la": {"name": "LAs"}},
        "programmes": {"course": {"name": "Course", "role": "ta", "duration": 0, "completion_rate": 1.0,
                                  "course_costs": [{"la": 1}], "supervision_ratio": 0.1, "supervisor_role": "ep"}},
    }
    if counts is not None:
        spec["programmes"]["course"]["supervision_counts"] = counts
    return spec


@pytest.mark.parametrize(("counts", "starters", "objective"), [
    ("FTE", 1.0, 1 + 4 * 100),    # 0.1 × 10 FTE = 1 starter, 4 assistants short
    (None, 1.0, 1 + 4 * 100),     # the role's own unit: FTE
    ("heads", 2.0, 2 + 3 * 100),  # 0.1 × 10 / 0.5 = 0.1 × 20 people = 2 starters, 3 short
])
def test_supervision_counts_heads_or_fte(counts, starters, objective):
    plan = run(supervised(counts))
    assert plan.intake.loc[("course", R, 2026), "intake"] == pytest.approx(starters)
    assert plan.intake.loc[("course", R, 2026), "supervision_max"] == pytest.approx(starters)
    assert plan.objective == pytest.approx(objective)
    assert_same_lp(supervised(counts))


@pytest.mark.parametrize("one", [1, 1.0, {2026: 1, 2027: 1.0}])
def test_fte_per_head_1_is_no_setting(one):
    """An FTE per head of 1 (one number or every year) builds the same LP as none, coefficient by
    coefficient, and reaches the same optimum."""
    from test_arrays import canonical

    from workforce.model.arrays import compile_arrays
    from workforce.model.data import prepare

    base = one_role(2, hiring={"max": 1, "cost": 5}, exits={"enabled": True, "cost": 1}, demand={2026: 10, 2027: 12})
    with_one = copy.deepcopy(base)
    with_one["roles"]["ep"]["fte_per_head"] = one

    def lp(spec: dict) -> tuple:
        c = compile_arrays(prepare(scenario_from_dict(copy.deepcopy(spec))))
        rows = canonical(c.A, c.row_lower, c.row_upper, c.row_keys(), c.layout.column_keys())
        return rows, c.term_costs.tolist(), c.term_offsets.tolist()

    assert lp(with_one) == lp(base)
    assert run(with_one).objective == pytest.approx(run(base).objective, rel=1e-12)


def test_the_recheck_converts_heads_and_fte():
    """The re-check recomputes completions in FTE from the intake in people: a flows table that
    reports the completers as people (2.5 instead of 2 FTE) is refused."""
    plan = run(one_role(fte_per_head=0.8))
    assert verify_plan(plan)["passed"]
    flows = plan.flows.copy()
    flows.loc[("ep", R, 2026), "completions"] = 2.5
    with pytest.raises(VerificationError, match="completions of"):
        verify_plan(dataclasses.replace(plan, flows=flows))


def test_the_recheck_caps_hires_in_people():
    """2 hires allowed at 0.8 FTE per head = 1.6 FTE; a flows table with 2 FTE hired is 2.5 people."""
    spec = one_role(fte_per_head=0.8, hiring={"max": 2, "cost": 5})
    spec["programmes"]["course"]["places"] = 0
    plan = run(spec)
    flows = plan.flows.copy()
    flows.loc[("ep", R, 2026), "hires"] = 2.0
    flows.loc[("ep", R, 2026), "stock_end"] = 10.0
    with pytest.raises(VerificationError, match="hiring cap"):
        verify_plan(dataclasses.replace(plan, flows=flows))


@pytest.mark.parametrize(("change", "key", "text"), [
    ({"unit": "people", "fte_per_head": 0.8}, "roles.ep.fte_per_head", "role's unit is people"),
    ({"fte_per_head": 0}, "roles.ep.fte_per_head", "must be above 0 and at most 1.5 FTE per person, got 0 in 2026"),
    ({"fte_per_head": 2}, "roles.ep.fte_per_head", "got 2 in 2026"),
    ({"fte_per_head": {2026: 0.8}}, "roles.ep.fte_per_head", "2027"),
])
def test_bad_fte_per_head_is_refused_with_its_key(change, key, text):
    with pytest.raises(ScenarioError) as info:
        scenario_from_dict(one_role(2, **change))
    assert key in str(info.value) and text in str(info.value)


def test_supervision_counts_needs_a_ratio():
    spec = one_role(fte_per_head=0.8)
    spec["programmes"]["course"]["supervision_counts"] = "heads"
    with pytest.raises(ScenarioError) as info:
        scenario_from_dict(spec)
    assert "programmes.course" in str(info.value) and "supervision_counts is set but supervision_ratio is not" in str(info.value)


def test_the_end_of_horizon_rules_are_refused_with_an_fte_per_head():
    spec = one_role(fte_per_head=0.8)
    spec["horizon"]["terminal_value"] = {"years": 2}
    with pytest.raises(ScenarioError) as info:
        scenario_from_dict(spec)
    assert "horizon.terminal_value" in str(info.value) and "fte_per_head" in str(info.value)


def test_explain_shows_people_beside_fte():
    """The 2.5 starters of the first test are 2.5 completers = 2.0 FTE; the end stock 10 FTE is
    10 / 0.8 = 12.5 people; one FTE of shortfall needs 1 / 0.8 = 1.25 completers."""
    from workforce.explain import explain_plan

    e = explain_plan(run(one_role(fte_per_head=0.8)), what_if=0)
    row = e.fte.loc[("ep", 2026)]
    assert row["completers"] == pytest.approx(2.5) and row["completions_fte"] == pytest.approx(2.0)
    assert row["stock_end_people"] == pytest.approx(12.5)
    text = e.text()
    assert "0.8 FTE per person" in text and "2.5 completers (2.0 FTE)" in text and "needs 1.25 completers" in text
    assert "fte" in e.tables()
    assert explain_plan(run(one_role()), what_if=0).fte.empty


def test_the_supervision_explanation_counts_people():
    """Supervision counting heads: the ratio's value is priced on 20 people, not 10 FTE; the
    infeasibility text says people. Required 3 starters with 2 allowed: 'ratio 0.1 x 20.0 people'."""
    spec = supervised("heads")
    spec["programmes"]["course"]["intake_min"] = 3
    with pytest.raises(InfeasibleScenarioError) as info:
        run(spec)
    assert "ratio 0.1 x 20.0 people = 2.00 places" in str(info.value)


def test_the_documented_example_runs_and_gives_what_the_page_says():
    """docs/planner-rules.md, "Heads and FTE": objective 350 with 25 starters counting heads
    (16 FTE trained, 4 hired); 620 with 20 starters counting FTE (3.2 FTE short)."""
    import re
    from pathlib import Path

    import yaml

    text = (Path(__file__).resolve().parents[1] / "docs" / "planner-rules.md").read_text(encoding="utf-8")
    block = re.search(r"```yaml\n(.*?)```", text.split("## Heads and FTE", 1)[1], re.S).group(1)
    spec = yaml.safe_load(block)
    plan = run(spec)
    assert plan.objective == pytest.approx(350)
    assert plan.intake["intake"].sum() == pytest.approx(25)
    assert plan.flows.loc[("ep", "A", 2026), "completions"] == pytest.approx(16)
    assert plan.flows.loc[("ep", "A", 2026), "hires"] == pytest.approx(4)
    spec["programmes"]["dedpsy"]["supervision_counts"] = "FTE"
    plan = run(spec)
    assert plan.objective == pytest.approx(620)
    assert plan.workforce.loc[("ep", "A", 2026), "shortfall"] == pytest.approx(3.2)


@pytest.mark.parametrize(("path", "op", "value"), [("roles.ep.initial_stock", "set", 6),
                                                   ("roles.ep.attrition", "set", 0.1),
                                                   ("programmes.course.completion_rate", "set", 0.5),
                                                   ("roles.ep.hiring.max", "set", 3)])
def test_a_sweep_in_place_keeps_the_fte_per_head(path, op, value):
    """Rows changed in place on an FTE role (completions, hires and leavers at 0.8 FTE per head)
    equal the cold rebuild, coefficients and optimum."""
    from test_warm import _assert_in_place_as_cold, _lever

    from workforce.solver.warm import WarmModel

    spec = one_role(2, fte_per_head={2026: 0.8, 2027: 0.6}, attrition=0.05, hiring={"max": 1, "cost": 50},
                    demand={2026: 10, 2027: 12})
    _assert_in_place_as_cold(WarmModel(scenario_from_dict(spec)), _lever(path, op), value)


def test_fte_per_head_is_a_structural_change_for_a_sweep():
    from test_warm import _lever

    from workforce.solver.warm import WarmModel

    warm = WarmModel(scenario_from_dict(one_role(fte_per_head=0.8)))
    info, _used, note = warm.solve_point({"x": 0.5}, {"x": _lever("roles.ep.fte_per_head", "set")})
    assert note["how"] != "in place"
    assert info.objective == pytest.approx(run(one_role(fte_per_head=0.5)).objective)  # 2 / 0.5 = 4 starters: 40
    assert info.objective == pytest.approx(40)


def test_the_run_summary_names_the_fte_per_head():
    from workforce.output.report import summary_text

    assert "EPs (FTE, 0.8 FTE per person)" in summary_text(run(one_role(fte_per_head=0.8)))
    assert "EPs (FTE, 0.5-0.8 FTE per person)" in summary_text(run(one_role(2, fte_per_head={2026: 0.8, 2027: 0.5})))
    assert "EPs (FTE)" in summary_text(run(one_role(fte_per_head=1)))


def test_a_completer_value_credits_people():
    """A value per completer (section 10.3) counts people: a 2-year plan, a 1-year course started in
    2027 qualifies after the horizon; at V = 30 per completer and 10 £k a starter, starting is worth
    it whatever the FTE per head (the credit is per person), capped by 5 places: credit 5 × 30."""
    spec = one_role(2, fte_per_head=0.8, initial_stock=10, demand=10)
    spec["programmes"]["course"].update(duration=1, places=5)
    spec["horizon"]["completer_value"] = {"ep": 30}
    plan = run(spec)
    assert plan.intake.loc[("course", R, 2027), "intake"] == pytest.approx(5)
    assert plan.objective == pytest.approx(5 * 10 - 5 * 30)


def test_tied_completers_count_their_fte_in_the_tenure_bands():
    """FTE at 0.5 per person, attrition 0.1, a tenure profile [0.5] for every completer; 4 people
    complete in 2026 (fixed intake), none in 2027. 2026: 10 − 0.1 × 10 + 4 × 0.5 = 11 FTE. 2027: the
    tied band holds 2 FTE, the established stock 11 − 2 = 9; leavers 0.1 × 9 + 0.5 × 2 = 1.9, stock 9.1.
    (Counting the 4 tied people as 4 FTE would give leavers 0.1 × 7 + 0.5 × 4 = 2.7.)"""
    spec = one_role(2, fte_per_head=0.5, initial_stock=10, attrition=0.1, demand=0, shortfall_penalty=0,
                    tenure={"attrition": [0.5]})
    spec["programmes"]["course"].update(intake_min={2026: 4, 2027: 0}, intake_max={2026: 4, 2027: 0})
    plan = run(spec)
    assert plan.flows.loc[("ep", R, 2026), "stock_end"] == pytest.approx(11)
    assert plan.flows.loc[("ep", R, 2027), "leavers"] == pytest.approx(1.9)
    assert plan.flows.loc[("ep", R, 2027), "stock_end"] == pytest.approx(9.1)
    assert_same_lp(spec)


def test_a_statutory_deadline_counts_posts_in_fte():
    """SENCO posts in FTE at 0.5 per person with a deadline: both constructions agree and the
    re-check (qualified arrivals in FTE taking over posts in FTE) passes."""
    spec = one_role(3, fte_per_head=0.5, initial_stock=6, demand=10,
                    statutory_deadline={"within_years": 1, "mode": "penalise", "penalty": 50})
    spec["programmes"]["course"]["places"] = 3
    assert_same_lp(spec)
    plan = run(spec)
    assert plan.summary["verification"]["passed"]
    assert plan.intake["intake"].sum() > 0
