"""The tie-break stage (models/cohort_planning.md, section 8.5): one plan among equally good ones.

TIMING is a scenario whose optimum is a whole face: one region, no attrition, 100 in post, demand
100, 100 and 110 in 2026-2028, a course that qualifies in the year of starting (duration 0,
completion 1, £10k a starter, 20 places) and no surplus cost. Ten starters are needed by 2028 and
cost £100k whichever years they start in, so every (i_2026, i_2027, i_2028) ≥ 0 with sum 10 is
optimal (shortfall 0, training_cost 100).
"""

from __future__ import annotations

import copy

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from workforce import scenario_from_dict, solve
from workforce.cli.commands import bundled_config
from workforce.model.tiebreak import total_change
from workforce.scenario.load import load_scenario
from workforce.solver.core import by_face

from test_arrays import assert_same_lp, national_scale, rich_scenarios  # isort: skip
from test_horizon import WORKED  # isort: skip

TIMING = {
    "name": "Timing tie",
    "horizon": {"first_year": 2026, "last_year": 2028},
    "regions": [{"code": "NE", "name": "North East"}],
    "roles": {"ep": {"name": "EPs", "initial_stock": 100, "attrition": 0.0, "attrition_new_entrants": 0.0,
                     "demand": {"NE": {2026: 100, 2027: 100, 2028: 110}}, "shortfall_penalty": 100}},
    "programmes": {"course": {"name": "Course", "role": "ep", "duration": 0, "completion_rate": 1.0,
                              "course_costs": [{"dfe": 10}], "places": 20}},
    "funding_streams": {"dfe": {"name": "DfE"}},
}


def intakes(plan, programme: str = "course", region: str = "NE") -> list[float]:
    return [float(plan.intake.loc[(programme, region, t), "intake"]) for t in (2026, 2027, 2028)]


def test_the_tie_break_spreads_intake_evenly():
    """Σ |i_t − i_{t−1}| over 2027-2028 is 0 only when i_2026 = i_2027 = i_2028, and with the sum
    held at 10 (the optimum, tolerance 0) that is 10/3 each: the plan is that one, and its objective
    is the optimum 100 (training_cost 10 × 10, no shortfall)."""
    spec = copy.deepcopy(TIMING)
    spec["objective"] = {"tie_break": {}}
    plan = solve(scenario_from_dict(spec))
    assert intakes(plan) == pytest.approx([10 / 3] * 3, abs=1e-6)
    assert plan.objective == pytest.approx(100.0, abs=1e-6)
    stages = plan.summary["lexicographic_stages"]
    assert [s["terms"] for s in stages][-1] == ["intake_change"]
    assert stages[-1]["intake_change"] == pytest.approx(0.0, abs=1e-6)
    assert plan.summary["verification"]["checks"]["tie-break"] == 2


def test_without_the_tie_break_any_split_of_the_ten_starters_is_optimal():
    """The same scenario without the stage: the optimum is still 100 and the ten starters are
    somewhere in the horizon (HiGHS returns a vertex of the face, not necessarily the even split)."""
    plan = solve(scenario_from_dict(copy.deepcopy(TIMING)))
    assert plan.objective == pytest.approx(100.0, abs=1e-6)
    assert sum(intakes(plan)) == pytest.approx(10.0, abs=1e-6)
    assert len(plan.summary["lexicographic_stages"]) == 1


def test_a_positive_tolerance_buys_smoothing_up_to_its_fraction():
    """WORKED (section 11 of the formulation): optimum i = (15.75, 14.075, 0), objective 697.375
    (shortfall 200 + training 497.375). With tolerance 0.01 the objective may rise to
    697.375 × 1.01 = 704.34875, and the tie-break spends that slack of 6.97375: a 2028 starter costs
    £10k inside the horizon (its second course year falls after 2028) and lowers
    Σ|Δ| = |i_2027 − i_2026| + |i_2028 − i_2027| by one, so i_2028 = 6.97375 / 10 = 0.697375.
    Moving i_2026 or i_2027 instead would leave a shortfall at 100 a unit: dearer per unit of Σ|Δ|."""
    spec = copy.deepcopy(WORKED)
    spec["objective"] = {"tie_break": {"tolerance": 0.01}}
    plan = solve(scenario_from_dict(spec))
    assert plan.objective == pytest.approx(697.375 * 1.01, abs=1e-6)
    assert intakes(plan, "dedpsy")[2] == pytest.approx(0.0697375 * 10, abs=1e-6)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(budget=st.sampled_from([120.0, 200.0, 250.0]), penalty=st.sampled_from([1.0, 20.0, 100.0]),
       tolerance=st.sampled_from([0.0, 1e-6, 1e-3, 1e-2]), lexicographic=st.booleans())
def test_the_tie_break_never_costs_more_than_its_tolerance(budget, penalty, tolerance, lexicographic):
    """Section 7 invariant: the stage before the tie-break keeps its optimum v within
    tolerance × max(1, |v|), and every earlier stage keeps its own bound."""
    spec = copy.deepcopy(WORKED)
    spec["funding_streams"]["dfe"]["budget"] = budget
    spec["roles"]["ep"]["shortfall_penalty"] = penalty
    if lexicographic:
        spec["objective"] = {"lexicographic": [["shortfall"], ["training_cost"]]}
    plain = solve(scenario_from_dict(copy.deepcopy(spec)))
    spec.setdefault("objective", {})["tie_break"] = {"tolerance": tolerance}
    tied = solve(scenario_from_dict(spec))
    before = plain.summary["lexicographic_stages"]
    after = tied.summary["lexicographic_stages"]
    assert len(after) == len(before) + 1
    for old, new in zip(before, after, strict=False):
        assert old["value"] == pytest.approx(new["value"], rel=1e-9, abs=1e-9)
    v = before[-1]["value"]
    held = sum(tied.summary["terms"][t] for t in before[-1]["terms"])
    assert held <= v + tolerance * max(1.0, abs(v)) + 1e-7 * max(1.0, abs(v))
    assert held >= v - 1e-7 * max(1.0, abs(v))
    assert after[-1]["intake_change"] == pytest.approx(
        total_change(tied.intake, ["dedpsy"], ["NE"], [2026, 2027, 2028]), abs=1e-6)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rich_scenarios())
def test_generated_lp_with_the_tie_break_equals_the_pyomo_compilation(spec):
    spec.setdefault("objective", {})["tie_break"] = {}
    assert_same_lp(spec)


def _face_and_row(spec: dict) -> tuple:
    """The plan (or the error's name) with the optimum held by its optimal face, and by a bound row."""
    import workforce.solver.core as core
    from workforce.errors import WorkforceError

    scenario = scenario_from_dict(spec)

    def plan_or_error():
        try:
            return solve(scenario)
        except WorkforceError as exc:  # an infeasible draw: both ways must say the same
            return type(exc).__name__

    used = []
    hold = core.hold_optimal_face
    core.hold_optimal_face = lambda h: used.append(1) or hold(h)
    try:
        face = plan_or_error()
        core.by_face = lambda *args: False
        row = plan_or_error()
    finally:
        core.hold_optimal_face, core.by_face = hold, by_face
    return face, row, bool(used)


def _assert_same_plan(face, row) -> None:
    assert face.objective == pytest.approx(row.objective, rel=1e-9, abs=1e-7)
    for old, new in zip(row.summary["lexicographic_stages"], face.summary["lexicographic_stages"], strict=True):
        assert new["value"] == pytest.approx(old["value"], rel=1e-9, abs=1e-7)
    for name in ("intake", "workforce", "spend"):
        pd.testing.assert_frame_equal(getattr(face, name), getattr(row, name), atol=1e-6, rtol=0)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(budget=st.sampled_from([120.0, 200.0, 250.0, 1e6]), penalty=st.sampled_from([1.0, 20.0, 100.0]),
       lexicographic=st.booleans(), timing=st.booleans())
def test_the_optimal_face_gives_the_bound_rows_plan(budget, penalty, lexicographic, timing):
    """A linear programme's optimum is held for the tie-break by its optimal face (complementary
    slackness: columns with a nonzero reduced cost and rows with a nonzero dual stay at their bounds),
    not by a row over the objective (section 8.5): on WORKED and TIMING with budgets, penalties and
    lexicographic stages varied, the plan is the bound row's, table by table, with the same
    objective, and the earlier stages' values are kept."""
    spec = copy.deepcopy(TIMING if timing else WORKED)
    spec["funding_streams"]["dfe"]["budget"] = budget
    spec["roles"]["ep"]["shortfall_penalty"] = penalty
    spec["objective"] = {"tie_break": {}}
    if lexicographic:
        spec["objective"]["lexicographic"] = [["shortfall"], ["training_cost"]]
    face, row, used = _face_and_row(spec)
    assert used, "the optimal face was not used"
    _assert_same_plan(face, row)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rich_scenarios())
def test_the_optimal_face_gives_the_bound_rows_plan_with_every_family(spec):
    """The same on scenarios with every family of sections 3-8 (linear programmes use the face; the
    rest, with whole cohorts, both use the bound row); an infeasible draw fails alike both ways."""
    spec.setdefault("objective", {})["tie_break"] = {}
    face, row, _ = _face_and_row(spec)
    if isinstance(row, str) or isinstance(face, str):
        assert face == row
        return
    _assert_same_plan(face, row)


def test_national_scale_and_integer_scenarios_with_the_tie_break_have_equal_lps():
    ns = national_scale()
    for kw in ({}, {"terms": 3}, {"terms": 3, "integer": "all"}):
        spec = ns.synthetic_scenario(areas=3, roles=3, years=4, **kw)
        spec.setdefault("objective", {})["tie_break"] = {}
        assert_same_lp(spec)


TABLES = ["intake", "workforce", "flows", "spend", "spend_detail", "tenure", "compliance", "intake_terms",
          "post_horizon"]
EXTRA = {"extra", "extra_course", "extra_fund"}


def baseline_spec() -> dict:
    """The shipped England baseline (integer EP cohorts: the stages are MIPs) as Python data, as it
    is: it sets the tie-break itself (models/assumptions.md, "One plan among equal ones")."""
    spec = load_scenario(bundled_config()).model_dump(exclude_none=True)
    assert spec["objective"]["tie_break"] == {"tolerance": 0.0}
    return spec


@pytest.fixture(scope="module")
def shipped():
    """The shipped baseline's plan, solved once for the two tests below (3 baseline solves in all)."""
    return solve(scenario_from_dict(baseline_spec()))


def assert_same_tables(a, b) -> None:
    """Every table of plan ``a`` equals ``b``'s to 1e-6 (rows of b's extra role, course and fund left out),
    in the reported years and, for a plan made to ``horizon.plan_to``, in every planned year."""
    pairs = [(a, b)] + ([(a.planned, b.planned)] if a.planned is not None else [])
    for x, y in pairs:
        _assert_same(x.tables(), y.tables())


def _assert_same(ta: dict, tb: dict) -> None:
    assert set(ta) == set(tb)
    for name in [n for n in [*TABLES, "beyond_horizon"] if n in ta]:
        left, right = ta[name], tb[name]
        right = right[~right.index.get_level_values(0).isin(EXTRA)]
        assert sorted(left.index) == sorted(right.index), name
        pd.testing.assert_frame_equal(left, right.loc[left.index], check_exact=False, rtol=0, atol=1e-6,
                                      obj=name)


def test_an_unrelated_role_changes_nothing_else_in_the_baseline(shipped):
    """Issue 16, section 3: a role with its own programme and funding stream added to the shipped
    baseline leaves every other row of every table where it was (to 1e-6). (Without the baseline's
    tie-break the NPQ intakes of 2027-2034 move between years at the same cost.)"""
    spec = baseline_spec()
    spec["roles"]["extra"] = {"name": "Extra", "initial_stock": 50, "attrition": 0.1, "demand": 60,
                              "shortfall_penalty": 30}
    spec["programmes"]["extra_course"] = {"name": "Extra course", "role": "extra", "duration": 1,
                                          "completion_rate": 0.9, "course_costs": [{"extra_fund": 5}],
                                          "places": 30}
    spec["funding_streams"]["extra_fund"] = {"name": "Extra fund", "budget": 100}
    extended = solve(scenario_from_dict(spec))
    assert float(extended.intake.loc[extended.intake.index.get_level_values(0) == "extra_course", "intake"].sum()) > 0
    assert_same_tables(shipped, extended)


def test_regions_listed_in_another_order_give_the_same_baseline_plan(shipped):
    spec = baseline_spec()
    spec["regions"] = list(reversed(spec["regions"]))
    assert_same_tables(shipped, solve(scenario_from_dict(spec)))


def test_a_limit_on_the_year_on_year_change_spreads_a_late_need():
    """Section 8.6. TIMING with demand 100, 100, 120 and a surplus cost of 1 a unit-year: 20 starters
    are needed by 2028 and early ones sit in surplus, so without a limit i = (0, 0, 20), objective
    10 × 20 = 200. With max_intake_change 8: i_2027 ≤ i_2026 + 8 and i_2028 ≤ i_2027 + 8 with
    i_2026 + i_2027 + i_2028 = 20. Surplus costs 2 i_2026 + i_2027 (2026 starters sit two years);
    i_2027 + i_2028 = 20 − a with i_2028 ≤ i_2027 + 8 needs i_2027 ≥ 6 − a/2, so the surplus cost
    6 + 1.5 a is least at a = 0: i = (0, 6, 14), objective 200 + 6 = 206."""
    spec = copy.deepcopy(TIMING)
    spec["roles"]["ep"]["demand"] = {"NE": {2026: 100, 2027: 100, 2028: 120}}
    spec["roles"]["ep"]["surplus_cost"] = 1
    plain = solve(scenario_from_dict(copy.deepcopy(spec)))
    assert intakes(plain) == pytest.approx([0, 0, 20], abs=1e-6)
    assert plain.objective == pytest.approx(200, abs=1e-6)
    spec["programmes"]["course"]["max_intake_change"] = 8
    plan = solve(scenario_from_dict(spec))
    assert intakes(plan) == pytest.approx([0, 6, 14], abs=1e-6)
    assert plan.objective == pytest.approx(206, abs=1e-6)
    assert plan.summary["verification"]["checks"]["intake change limit"] == 4


def test_an_unreachable_intake_change_limit_is_diagnosed_by_name():
    """An intake_min of 10 in 2028 and 0 places before it: the national intake must rise by 10 in
    one year, which a limit of 4 forbids; the diagnosis names the limit."""
    from workforce import InfeasibleScenarioError

    spec = copy.deepcopy(TIMING)
    spec["programmes"]["course"].update(max_intake_change=4, places={"NE": {2026: 0, 2027: 0, 2028: 20}},
                                        intake_min={"NE": {2026: 0, 2027: 0, 2028: 10}})
    with pytest.raises(InfeasibleScenarioError, match="national intake"):
        solve(scenario_from_dict(spec))


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rich_scenarios(), st.sampled_from([0.0, 1.0, 5.0]))
def test_generated_lp_with_an_intake_change_limit_equals_the_pyomo_compilation(spec, limit):
    for programme in spec["programmes"].values():
        programme["max_intake_change"] = limit
    assert_same_lp(spec)


def test_explain_reports_the_plan_not_the_tie_break_stage():
    """The explanation reports the main objective only (tests/test_explain_tiebreak.py checks its
    values by hand) and says in a note that a tie-break picked the plan."""
    spec = copy.deepcopy(TIMING)
    spec["objective"] = {"tie_break": {}}
    e = solve(scenario_from_dict(spec)).explain()
    text = str(e)
    assert "stage 2 of 2" not in text
    assert [s["stage"] for s in e.stages] == [1]
    assert "A tie-break stage (objective.tie_break" in text


def test_a_failing_tie_break_stage_names_its_own_tolerance():
    """The tie-break stage solves under a bound row of tie_break.tolerance, not lexicographic_tolerance."""
    from workforce.solver.tiebreak import stage_infeasible_message

    assert "raise objective.tie_break.tolerance" in stage_infeasible_message(1, ["intake_change"])
    assert "raise objective.lexicographic_tolerance" in stage_infeasible_message(1, ["training_cost"])
