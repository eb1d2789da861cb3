"""One stochastic plan among equally good ones: the tie-break stage of the extensive form
(models/stochastic.md §3.3, issue 18)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from workforce import scenario_from_dict, solve
from workforce.studies.stochastic import stochastic_plan


def split(demand: float, tie_break: bool = True, regions: tuple[str, ...] = ("A", "B"), penalty: float = 3):
    """Areas A and B, EPs from 0 with no attrition; 2027 demand ``demand`` in each. The doctorate
    takes one year at £1k a starter (completion 100%); 10 national places in 2026; the 2027 intake is
    held at 7 in A and 3 in B (intake_min = intake_max). Shortfall costs ``penalty`` a unit."""
    role = {"name": "EPs", "initial_stock": 0, "attrition": 0, "shortfall_penalty": penalty,
            "demand": {r: {2026: 0, 2027: demand} for r in regions}}
    held = {"A": 7, "B": 3}
    data = {
        "name": f"demand {demand}", "horizon": {"first_year": 2026, "last_year": 2027},
        "regions": [{"code": r, "name": f"Area {r}"} for r in regions], "roles": {"ep": role},
        "programmes": {"doc": {"name": "Doc", "role": "ep", "duration": 1, "completion_rate": 1,
                               "course_costs": [{"dfe": 1}], "national_places": {2026: 10, 2027: 100},
                               "intake_min": {r: {2026: 0, 2027: held[r]} for r in regions},
                               "intake_max": {r: {2026: 100, 2027: held[r]} for r in regions}}},
        "funding_streams": {"dfe": {"name": "DfE"}},
    }
    if tie_break:
        data["objective"] = {"tie_break": {}}
    return scenario_from_dict(data)


def first_2026(result, plan: str = "stochastic") -> dict[str, float]:
    fs = result.first_stage
    rows = fs[(fs["variable"] == "intake") & (fs["year"] == 2026)]
    return {r: float(v) for r, v in zip(rows["region"], rows[plan], strict=True)}


def test_tied_regional_split_is_one_plan():
    """Demand 10 or 12 in each area (½ each). Every 2026 starter saves £3k of 2027 shortfall for £1k,
    so all 10 national places are used; both areas stay short (10 + 10 > 10), so any split a + b = 10
    of the 2026 starters costs the same: 2026 £10k + 2027 £10k + shortfall 3·(20 − 10) or 3·(24 − 10),
    expected 10 + 10 + 36 = 56 in the stochastic and the deterministic plan, VSS = EVPI = 0.
    (Without the tie-break HiGHS returned A 0, B 10 for the stochastic plan and A 10, B 0 for the
    deterministic one.) The tie-break minimises |7 − a| + |3 − b| with a + b = 10: zero only at
    a = 7, b = 3, in both plans."""
    r = stochastic_plan([split(10), split(12)], commit_years=1, mip_gap=0)
    assert first_2026(r) == pytest.approx({"A": 7, "B": 3}, abs=1e-6)
    assert first_2026(r, "deterministic") == pytest.approx({"A": 7, "B": 3}, abs=1e-6)
    m = r.measures
    assert m["stochastic_objective"] == pytest.approx(56)
    assert m["deterministic_objective"] == pytest.approx(56)
    assert m["VSS"] == pytest.approx(0, abs=1e-9)
    assert m["EVPI"] == pytest.approx(0, abs=1e-9)
    assert m["tie_break"] == "applied"
    # expected intake change: |7 − 7| + |3 − 3| = 0 in each scenario
    assert m["tie_break_intake_change"] == pytest.approx(0, abs=1e-9)
    assert "tie-break among equal plans: applied" in r.summary_text()
    assert r.solution.tie_break is not None and len(r.solution.stage_seconds) == 2


def test_first_stage_the_same_in_any_order_and_when_solved_again():
    """Scenarios listed the other way round, regions listed B before A, or the same study solved
    twice: the same first stage (a 7, b 3, as hand-derived above)."""
    plans = [stochastic_plan([split(10), split(12)], commit_years=1, mip_gap=0),
             stochastic_plan([split(12), split(10)], commit_years=1, mip_gap=0),
             stochastic_plan([split(10, regions=("B", "A")), split(12, regions=("B", "A"))], commit_years=1,
                             mip_gap=0),
             stochastic_plan([split(10), split(12)], commit_years=1, mip_gap=0)]
    for r in plans:
        assert first_2026(r) == pytest.approx({"A": 7, "B": 3}, abs=1e-6)
        assert first_2026(r, "deterministic") == pytest.approx({"A": 7, "B": 3}, abs=1e-6)
    assert plans[0].first_stage.equals(plans[3].first_stage)


def test_one_scenario_follows_the_deterministic_rule():
    """One scenario with probability 1: the extensive form's tie-break costs are the scenario's own
    (Σ_s p_s ε η = ε η), so its plan is `solve`'s, tie-break included: A 7, B 3 in 2026."""
    scenario = split(10)
    plan = solve(scenario)
    r = stochastic_plan([scenario], [1.0], commit_years=1, mip_gap=0)
    for region in ("A", "B"):
        assert first_2026(r)[region] == pytest.approx(plan.intake.loc[("doc", region, 2026), "intake"], abs=1e-6)
    assert first_2026(r) == pytest.approx({"A": 7, "B": 3}, abs=1e-6)
    assert r.measures["stochastic_objective"] == pytest.approx(plan.objective)


def newsvendor(d27: float, tie_break: bool, cohorts: dict | None = None):
    """tests/test_stochastic.py's newsvendor: one area, demand ``d27`` in 2027, £1k a starter, penalty 3."""
    programme = {"name": "Doc", "role": "ep", "duration": 1, "completion_rate": 1, "course_costs": [{"dfe": 1}]}
    if cohorts:
        programme.update(cohorts=cohorts, places=100)
    data = {"name": f"demand {d27}", "horizon": {"first_year": 2026, "last_year": 2027},
            "regions": [{"code": "A", "name": "Area A"}],
            "roles": {"ep": {"name": "EPs", "initial_stock": 0, "attrition": 0, "demand": {2026: 0, 2027: d27},
                             "shortfall_penalty": 3}},
            "programmes": {"doc": programme}, "funding_streams": {"dfe": {"name": "DfE"}}}
    if tie_break:
        data["objective"] = {"tie_break": {}}
    return scenario_from_dict(data)


@pytest.mark.parametrize("cohorts, vss, evpi", [(None, 2.5, 5.0), ({"max_size": 10, "fixed_cost": {"dfe": 4}}, 2.5, 7.0)])
def test_vss_and_evpi_unchanged_by_the_tie_break(cohorts, vss, evpi):
    """The hand-solved newsvendors of tests/test_stochastic.py (demand 10 or 20): continuous,
    RP 20, EEV 22.5, WS 15 (VSS 2.5, EVPI 5); whole cohorts of 10 at £4k, RP 28, EEV 30.5, WS 21
    (VSS 2.5, EVPI 7). Their optima are unique, so the tie-break (tolerance 0) changes nothing."""
    with_tie, without = (stochastic_plan([newsvendor(10, tie, cohorts), newsvendor(20, tie, cohorts)],
                                         commit_years=1, mip_gap=0) for tie in (True, False))
    assert with_tie.measures["tie_break"] == "applied"
    assert "tie_break" not in without.measures
    for m in (with_tie.measures, without.measures):
        assert m["VSS"] == pytest.approx(vss, abs=1e-6)
        assert m["EVPI"] == pytest.approx(evpi, abs=1e-6)
    for key in ("stochastic_objective", "deterministic_objective", "wait_and_see", "VSS_at_least", "VSS_at_most",
                "EVPI_at_least", "EVPI_at_most"):
        assert with_tie.measures[key] == pytest.approx(without.measures[key], abs=1e-6)
    assert first_2026(with_tie) == pytest.approx(first_2026(without), abs=1e-6)


def test_decomposition_says_it_does_not_apply_the_tie_break():
    """The decomposition returns its incumbent's first stage: the result says the tie-break was not applied."""
    r = stochastic_plan([split(10), split(12)], commit_years=1, mip_gap=0, method="decomposition", target_gap=1e-6)
    assert r.measures["tie_break"].startswith("not applied: method decomposition")
    assert "tie-break among equal plans: not applied" in r.summary_text()
    assert r.measures["stochastic_objective"] == pytest.approx(56)


def test_the_tie_break_can_be_left_out():
    """stochastic.tie_break: false (stochastic_plan(tie_break=False)) skips the stage, and says so; the
    hand-solved cost (56) is the same, the split is whichever optimum HiGHS meets."""
    r = stochastic_plan([split(10), split(12)], commit_years=1, mip_gap=0, tie_break=False)
    assert r.measures["tie_break"].startswith("not applied: stochastic.tie_break is false")
    assert r.solution.tie_break is None and len(r.solution.stage_seconds) == 1
    assert r.measures["stochastic_objective"] == pytest.approx(56)
    assert sum(first_2026(r).values()) == pytest.approx(10)


def shared_places(demands: list[dict[str, float]], places: float, penalty: float, cohorts: bool):
    """Scenarios of three areas sharing ``places`` national places in 2026 (the first stage), each
    with its own 2027 demand by area, one-year course at £1k (or whole cohorts of up to 4 at £1k
    each plus £1k a starter), shortfall ``penalty``: many regional splits cost the same."""
    regions = ("A", "B", "C")
    out = []
    for i, d in enumerate(demands):
        programme = {"name": "Doc", "role": "ep", "duration": 1, "completion_rate": 1, "course_costs": [{"dfe": 1}],
                     "national_places": {2026: places, 2027: 100}}
        if cohorts:
            programme.update(cohorts={"max_size": 4, "fixed_cost": {"dfe": 1}}, places=100)
        out.append(scenario_from_dict({
            "name": f"draw {i}", "horizon": {"first_year": 2026, "last_year": 2027},
            "regions": [{"code": r, "name": f"Area {r}"} for r in regions],
            "roles": {"ep": {"name": "EPs", "initial_stock": 0, "attrition": 0, "shortfall_penalty": penalty,
                             "demand": {r: {2026: 0, 2027: d[r]} for r in regions}}},
            "programmes": {"doc": programme}, "funding_streams": {"dfe": {"name": "DfE"}},
            "objective": {"tie_break": {}}}))
    return out


@example(demands=[{"A": 0.0, "B": 1.0, "C": 5.0}], places=5.0, penalty=2.0, cohorts=True)
@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(demands=st.lists(st.fixed_dictionaries({r: st.integers(0, 12).map(float) for r in "ABC"}),
                        min_size=1, max_size=3),
       places=st.integers(0, 20).map(float), penalty=st.sampled_from([2.0, 3.0, 5.0]), cohorts=st.booleans())
def test_the_optimal_face_gives_the_bound_row_stages_plan(demands, places, penalty, cohorts):
    """With tolerance 0 the stage holds the optimum by its optimal face (complementary slackness)
    instead of a dense row bounding the objective (models/stochastic.md §3.3): always applied, and
    where the bound-row stage is too, the same plans (first stage and every scenario's recourse) and
    the same expected cost."""
    from workforce.studies.stochastic import tiebreak

    scenarios = shared_places(demands, places, penalty, cohorts)
    face = stochastic_plan(scenarios, commit_years=1, mip_gap=0, wait_and_see=False)
    original = tiebreak.face_stage
    tiebreak.face_stage = tiebreak.bound_row_stage  # run_stage picks it by name: the bound row at tolerance 0
    try:
        row = stochastic_plan(scenarios, commit_years=1, mip_gap=0, wait_and_see=False)
    finally:
        tiebreak.face_stage = original
    assert face.measures["tie_break"] == "applied"
    if row.measures["tie_break"] != "applied":
        # the bound row at tolerance 0 can be declared infeasible where the main MIP's value sits
        # within HiGHS's integrality tolerance of the held LP's (found here: demands A 0, B 1, C 5,
        # 5 places, penalty 2, cohorts); the face has no such row
        assert "Infeasible" in row.measures["tie_break"]
        return
    assert face.measures["stochastic_objective"] == pytest.approx(row.measures["stochastic_objective"], abs=1e-6)
    assert face.solution.tie_break.value == pytest.approx(row.solution.tie_break.value, abs=1e-6)
    for a, b in zip(face.solution.x, row.solution.x, strict=True):
        assert np.abs(a - b).max() < 1e-6
    assert np.abs(face.solution.first - row.solution.first).max() < 1e-6


def test_the_stage_runs_whatever_thread_count_this_threads_first_highs_used():
    """HiGHS sets its task scheduler once per thread; a stage run in the caller's thread with another
    thread count than the caller's first HiGHS was refused ('Not Set': the tie-break 'not applied'
    with threads=2 after any single-thread solve, as bench_stochastic.py's draws compile). The stage
    runs in a thread of its own, like the main solve, and is applied."""
    import threading

    import highspy

    seen = {}

    def caller() -> None:
        h = highspy.Highs()
        h.silent()
        h.setOptionValue("threads", 1)
        h.addVar(0, 1)
        h.run()  # this thread's scheduler: one thread
        r = stochastic_plan([split(10), split(12)], commit_years=1, mip_gap=0, threads=2, wait_and_see=False)
        seen["tie_break"] = r.measures["tie_break"]
        seen["first"] = first_2026(r)

    t = threading.Thread(target=caller)
    t.start()
    t.join()
    assert seen["tie_break"] == "applied"
    assert seen["first"] == pytest.approx({"A": 7, "B": 3}, abs=1e-6)
