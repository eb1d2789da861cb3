"""Explaining a plan picked by the tie-break stage (workforce/explain/tiebreak.py, section 8.5).

ENVELOPE: one region, no attrition, 100 in post, demand 100, 100 and 200 in 2026-2028, a course
that qualifies in the year of starting (duration 0, completion 1, £10k a starter, 20 places a year)
paid from a stream with a £100k envelope over the horizon and no yearly budget, penalty 100 per
unit-year short, no surplus cost. The envelope buys 10 starters whichever years they start in, and
every one of them is still in post in 2028, so the optimum is a face: any (i_2026, i_2027, i_2028)
≥ 0 with sum 10 (each ≤ 20). Its objective is training 10 × 10 = 100 plus shortfall
100 × (200 − 100 − 10) = 9,000: 9,100. The tie-break spreads the ten evenly: 10/3 a year.

The envelope's marginal value is fixed by the optimum, not by the vertex: £1k more buys 0.1 of a
starter, 0.1 unit-years less shortfall in 2028 (−10) at +£1k, so 9 per £k, 9,000 per £1m. It holds
until the places bind (60 starters, envelope £600k); HiGHS's main-stage vertex puts all ten starters
in one year, whose basis stays optimal until that year's 20 places fill (envelope £200k): ranging
says it holds for at least £100k. A whole step of £1m buys 50 more starters (60 in all, places full):
shortfall 40, objective 600 + 4,000 = 4,600, a change of −4,500.
"""

from __future__ import annotations

import copy

import pandas as pd
import pytest

from workforce import scenario_from_dict, solve

ENVELOPE = {
    "name": "Envelope tie",
    "horizon": {"first_year": 2026, "last_year": 2028},
    "regions": [{"code": "NE", "name": "North East"}],
    "roles": {"ep": {"name": "EPs", "initial_stock": 100, "attrition": 0.0, "attrition_new_entrants": 0.0,
                     "demand": {"NE": {2026: 100, 2027: 100, 2028: 200}}, "shortfall_penalty": 100}},
    "programmes": {"course": {"name": "Course", "role": "ep", "duration": 0, "completion_rate": 1.0,
                              "course_costs": [{"dfe": 10}], "places": 20}},
    "funding_streams": {"dfe": {"name": "DfE", "envelope": 100}},
    "objective": {"tie_break": {}},
}


@pytest.fixture(scope="module")
def explained():
    plan = solve(scenario_from_dict(copy.deepcopy(ENVELOPE)))
    return plan, plan.explain()


def test_the_plan_is_the_even_split_at_the_optimum(explained):
    plan, _ = explained
    intake = [float(plan.intake.loc[("course", "NE", t), "intake"]) for t in (2026, 2027, 2028)]
    assert intake == pytest.approx([10 / 3] * 3, abs=1e-6)
    assert plan.objective == pytest.approx(9100, abs=1e-6)


def test_explain_reports_the_main_objective_only(explained):
    """One stage, the cost/shortfall objective at its optimum 9,100; not the tie-break's stage."""
    _, e = explained
    assert [s["terms"][:1] for s in e.stages] == [["shortfall"]]
    assert e.stages[0]["value"] == pytest.approx(9100, abs=1e-6)
    assert set(e.limits["stage"]) == {1}
    text = str(e)
    assert "stage 2 of 2" not in text and "intake_change" not in text
    note = [n for n in e.notes if n.startswith("A tie-break stage")]
    assert len(note) == 1
    assert "9,100.0 £k-equivalent at this plan, +0 from the optimum" in note[0]
    assert "year-to-year change in intake is 0 starters" in note[0]


def test_the_envelope_value_is_the_main_objectives(explained):
    """9 per £k (9,000 per £1m step), holding for £100k at least and at most £500k (see above)."""
    _, e = explained
    row = e.limits[e.limits["family"] == "envelope_limit"].iloc[0]
    assert row["status"] == "binds"
    assert row["used"] == pytest.approx(100, abs=1e-6)
    assert row["marginal_value"] == pytest.approx(9, abs=1e-6)
    assert row["value_per_step"] == pytest.approx(9000, abs=1e-3)
    assert 100 - 1e-6 <= row["holds_at_least"] <= 500 + 1e-6


def test_limits_are_read_at_the_plan_returned(explained):
    """Each year's 20 places: 10/3 used at the tie-break's plan (not the 10 or 0 of a vertex), so
    slack 50/3 and no value."""
    _, e = explained
    places = e.limits[e.limits["family"] == "places_limit"].sort_values("year")
    assert list(places["used"]) == pytest.approx([10 / 3] * 3, abs=1e-6)
    assert list(places["slack"]) == pytest.approx([50 / 3] * 3, abs=1e-6)
    assert set(places["status"]) == {"slack"}
    assert list(places["marginal_value"]) == [0.0, 0.0, 0.0]


def test_the_what_if_re_solve_is_in_the_main_objective(explained):
    """£1m more: predicted −9,000 from the marginal value, re-solved −4,500 (places fill at 60)."""
    _, e = explained
    w = e.what_if[e.what_if["step_text"] == "£1m more"].iloc[0]
    assert w["predicted"] == pytest.approx(-9000, abs=1e-3)
    assert w["change"] == pytest.approx(-4500, abs=1e-6)
    assert w["shortfall:ep"] == pytest.approx(-50, abs=1e-6)


def test_values_and_ranges_are_those_of_the_scenario_without_the_tie_break(explained):
    """The main stage is re-solved with the tie-break's rows set free, so every marginal value and
    how far it holds equal the explanation of the same scenario without ``objective.tie_break``."""
    _, e = explained
    spec = copy.deepcopy(ENVELOPE)
    del spec["objective"]
    plain = solve(scenario_from_dict(spec)).explain()
    cols = ["family", "year", "marginal_value", "holds_at_least", "value_if_loosened"]
    a = e.limits[cols].sort_values(["family", "year"]).reset_index(drop=True)
    b = plain.limits[cols].sort_values(["family", "year"]).reset_index(drop=True)
    pd.testing.assert_frame_equal(a, b, check_exact=False, rtol=0, atol=1e-9)


def test_a_flat_intake_does_not_make_the_values_degenerate():
    """ENVELOPE with 5 places a year and no envelope: all 15 places are used (5, 5, 5), shortfall
    in 2028 is 200 − 100 − 15 = 85. One more place in any year is one more EP in 2028: 100 less
    penalty at £10k, a value of 90 that holds for 85 places (then 2028 is met). The tie-break's rows
    at a flat intake (both |Δ| rows tight at 0) would make that vertex degenerate ('holds for 0');
    with them set free for the re-solve the range is the scenario's own, 85."""
    spec = copy.deepcopy(ENVELOPE)
    spec["programmes"]["course"]["places"] = 5
    spec["funding_streams"]["dfe"] = {"name": "DfE"}
    e = solve(scenario_from_dict(spec)).explain()
    places = e.limits[e.limits["family"] == "places_limit"]
    assert list(places["used"]) == pytest.approx([5, 5, 5], abs=1e-6)
    assert list(places["marginal_value"]) == pytest.approx([90, 90, 90], abs=1e-6)
    assert list(places["holds_at_least"]) == pytest.approx([85, 85, 85], abs=1e-6)
