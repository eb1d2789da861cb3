"""Training capacity counted across course years (issue 16, section 4; formulation section 22),
each with a hand-solved optimum."""

from __future__ import annotations

import copy

import pytest

from workforce import InfeasibleScenarioError, scenario_from_dict, solve
from workforce.errors import ScenarioError

from scenarios import minimal_scenario  # isort: skip
from test_arrays import assert_same_lp  # isort: skip

R = "A"


def two_year_course(capacity: str, years, limit: float, prior: float = 4) -> dict:
    """One region, 2026-2030; 'ep' starts empty (no attrition, demand 100, penalty 100). A 2-year
    course (100% completion, £1k a starter in each course year) with ``prior`` starters in 2025, who
    qualify in 2027. A starter of 2026 serves 2028-2030 (3 years), of 2027 two, of 2028 one; later
    starters qualify after the horizon and are worth nothing, so they cost without value."""
    prog = {"name": "Course", "role": "ep", "duration": 2, "completion_rate": 1.0,
            "course_costs": [{"dfe": 1.0}, {"dfe": 1.0}], "prior_intake": {2025: prior}}
    if capacity == "supervision":
        prog.update(supervision_ratio=limit / 10, supervisor_role="senior")
    else:
        prog[capacity] = limit
    if years is not None:
        prog["capacity_course_years"] = {capacity: years}
    return {
        "name": "course years",
        "horizon": {"first_year": 2026, "last_year": 2030},
        "regions": [{"code": R, "name": "Area A"}],
        "roles": {
            "ep": {"name": "EPs", "initial_stock": 0, "attrition": 0.0, "demand": 100, "shortfall_penalty": 100},
            "senior": {"name": "Supervisors", "initial_stock": 10, "attrition": 0.0, "demand": 10,
                       "shortfall_penalty": 1},
        },
        "programmes": {"course": prog},
        "funding_streams": {"dfe": {"name": "DfE"}},
    }


def intakes(spec: dict) -> list[float]:
    plan = solve(scenario_from_dict(copy.deepcopy(spec)))
    return [plan.intake.loc[("course", R, t), "intake"] for t in range(2026, 2031)]


@pytest.mark.parametrize("capacity", ["places", "national_places", "supervision"])
def test_a_capacity_of_all_course_years_counts_last_years_starters_and_prior_cohorts(capacity):
    """Capacity 10 (places, national places in the one region, or 10 supervisors at ratio 1).
    All course years: trainees of year t = intake[t] + intake[t-1], the 4 prior starters of 2025
    still on the course in 2026:
        i26 + 4 ≤ 10, i27 + i26 ≤ 10, i28 + i27 ≤ 10.
    Maximise 3·i26 + 2·i27 + 1·i28 (person-years of shortfall relieved, × 100 each; the £1k course
    costs are far smaller): i26 = 6, then i27 = 4 and i28 = 6 score 18 + 8 + 6 = 32, above i27 = 0,
    i28 = 10 (18 + 10 = 28); one starter fewer in 2026 allows one more in 2027 and one fewer in
    2028: −3 + 2 − 1 = −2. Optimum [6, 4, 6, 0, 0]."""
    assert intakes(two_year_course(capacity, "all", 10)) == pytest.approx([6, 4, 6, 0, 0], abs=1e-7)


def test_starters_only_and_equal_weights():
    """The same course with places counting starters only: 10 a year in 2026-2028. Weights [1, 1]
    are "all" written out: [6, 4, 6, 0, 0] as above."""
    assert intakes(two_year_course("places", None, 10)) == pytest.approx([10, 10, 10, 0, 0], abs=1e-7)
    assert intakes(two_year_course("places", [1, 1], 10)) == pytest.approx([6, 4, 6, 0, 0], abs=1e-7)


def test_weights_per_course_year():
    """Places 10 counting course year 2 at half weight: i26 + 0.5·4 ≤ 10 → i26 = 8;
    i27 + 0.5·i26 ≤ 10 → i27 ≤ 6; i28 + 0.5·i27 ≤ 10. Value 3·i26 + 2·i27 + i28: i26 = 8 (3 per
    starter beats the 2·0.5 + ... it displaces: one fewer in 2026 allows 0.5 more in 2027, worth 1),
    i27 = 6 (2 beats the 0.5 it takes from 2028), i28 = 10 − 3 = 7."""
    assert intakes(two_year_course("places", [1, 0.5], 10)) == pytest.approx([8, 6, 7, 0, 0], abs=1e-7)


def test_supervision_of_second_year_trainees_only():
    """Supervision of course year 2 only (``[0, 1]``) at 5 places (10 supervisors × 0.5): in 2026 only
    the 4 prior starters are supervised (4 ≤ 5, no decision in the row); then i26 ≤ 5, i27 ≤ 5,
    i28 ≤ 5, each worth taking; i29 ≤ 5 would qualify after the horizon: 0."""
    assert intakes(two_year_course("supervision", [0, 1], 5)) == pytest.approx([5, 5, 5, 0, 0], abs=1e-7)


def test_prior_cohorts_beyond_a_capacity_are_diagnosed_by_name():
    """6 prior starters in course year 2 in 2026 against 5 supervised places: no plan can help, so the
    scenario is infeasible and the supervision capacity with its course years is named, 1 short."""
    with pytest.raises(InfeasibleScenarioError) as info:
        intakes(two_year_course("supervision", [0, 1], 5, prior=6))
    text = str(info.value)
    assert "supervision capacity for Course in Area A in 2026 (trainees in course year 2)" in text
    assert sum(c.amount for c in info.value.conflicts) == pytest.approx(1)


def test_a_binding_capacity_of_all_course_years_is_named_with_them_by_explain():
    from workforce.explain import explain_plan

    plan = solve(scenario_from_dict(two_year_course("places", "all", 10)))
    limits = explain_plan(plan, what_if=0).limits
    binding = limits[(limits["family"] == "places_limit") & (limits["status"] == "binds")]
    assert set(binding["year"]) == {2026, 2027, 2028}
    assert all(label.endswith("(trainees in course years 1-2)") for label in binding["label"])
    assert binding["used"].to_numpy() == pytest.approx([10, 10, 10])


def test_the_re_check_counts_the_course_years():
    """A plan whose intake is raised to the starters-only optimum breaks the all-years places: the
    re-check (verify_plan) refuses it, naming training places."""
    from workforce.errors import VerificationError
    from workforce.plan.verify import verify_plan

    plan = solve(scenario_from_dict(two_year_course("places", "all", 10)))
    verify_plan(plan)
    plan.intake.loc[("course", R, 2027), "intake"] = 10.0
    with pytest.raises(VerificationError, match="training places"):
        verify_plan(plan)


def test_absent_or_starters_is_todays_model():
    plain = two_year_course("places", None, 10)
    starters = two_year_course("places", "starters", 10)
    assert solve(scenario_from_dict(starters)).objective == pytest.approx(solve(scenario_from_dict(plain)).objective,
                                                                            rel=1e-12)


@pytest.mark.parametrize(("years", "message"), [
    ([0, 0], "every course-year weight is 0"),
    ([1, 1, 1, 1], "at most 3"),
    ("some", "places"),
])
def test_bad_course_years_are_refused_with_their_key(years, message):
    with pytest.raises(ScenarioError) as info:
        scenario_from_dict(two_year_course("places", years, 10))
    assert "programmes.course" in str(info.value) and message in str(info.value)


def test_a_course_year_rule_for_a_capacity_the_programme_lacks_is_refused():
    spec = two_year_course("places", None, 10)
    spec["programmes"]["course"]["capacity_course_years"] = {"supervision": "all"}
    with pytest.raises(ScenarioError) as info:
        scenario_from_dict(spec)
    assert "capacity_course_years.supervision is set but supervision_ratio is not" in str(info.value)


def test_capacity_course_years_are_the_same_in_both_constructions():
    spec = minimal_scenario()
    spec["programmes"]["dedpsy"].update(
        supervision_ratio=0.2, national_places=8, prior_intake={2025: 2, 2024: 1},
        capacity_course_years={"places": "all", "national_places": [1, 0.5, 0.5], "supervision": [0, 1, 1]})
    assert_same_lp(spec)


def test_a_minimum_intake_beyond_an_all_years_capacity_is_diagnosed_with_the_course_years():
    """Places 10 counting both course years, 4 prior starters still on the course in 2026, and a
    minimum intake of 8 in 2026: at most 10 − 4 = 6 can start, so 2 places (or 2 of the minimum)
    must give; the diagnosis lowers the minimum to 6 and names the places with their course years,
    which would have to rise to 12."""
    spec = two_year_course("places", "all", 10)
    spec["programmes"]["course"]["intake_min"] = {R: {2026: 8, 2027: 0, 2028: 0, 2029: 0, 2030: 0}}
    with pytest.raises(InfeasibleScenarioError) as info:
        intakes(spec)
    assert [(c.kind, c.amount) for c in info.value.conflicts] == [("minimum intake", pytest.approx(2))]
    text = str(info.value)
    assert "to fit the training places of Course in Area A in 2026 (trainees in course years 1-2)" in text
    assert "would have to rise from 10.00 trainees to 12.00 trainees" in text


def test_the_intake_table_shows_the_room_left_for_starters():
    """Places 10 over both course years, optimum [6, 4, 6, 0, 0] with 4 prior starters: the room for
    starters is 10 − 4 = 6 in 2026, 10 − 6 = 4 in 2027, 10 − 4 = 6 in 2028, 10 − 6 = 4 in 2029 and
    10 in 2030, so every starter year up to 2028 is at its limit. Supervision of course year 2 only
    leaves starters unlimited: blank."""
    import math

    plan = solve(scenario_from_dict(two_year_course("places", "all", 10)))
    room = [plan.intake.loc[("course", R, t), "places_max"] for t in range(2026, 2031)]
    assert room == pytest.approx([6, 4, 6, 4, 10], abs=1e-7)
    plan = solve(scenario_from_dict(two_year_course("supervision", [0, 1], 5)))
    assert all(math.isnan(plan.intake.loc[("course", R, t), "supervision_max"]) for t in range(2026, 2031))


def test_the_room_for_starters_does_not_need_programmes_in_sorted_order():
    """The same course listed before a programme whose name sorts first ('another'): the intake
    table's index is then not sorted, and finding a row by label past the sorted depth raised
    pandas' PerformanceWarning (an error under the test settings; a hypothesis scenario drew it).
    The room is the hand-solved [6, 4, 6, 4, 10] as above, the other programme's places its own."""
    spec = two_year_course("places", "all", 10)
    spec["programmes"]["another"] = {"name": "Another", "role": "ep", "duration": 1, "completion_rate": 1.0,
                                     "course_costs": [{"dfe": 1000.0}], "places": 3,
                                     "capacity_course_years": {"places": "all"}}
    plan = solve(scenario_from_dict(spec))
    assert list(dict.fromkeys(plan.intake.index.get_level_values("programme"))) == ["course", "another"]
    room = [plan.intake.loc[("course", R, t), "places_max"] for t in range(2026, 2031)]
    assert room == pytest.approx([6, 4, 6, 4, 10], abs=1e-7)
    assert plan.intake.xs("another", level="programme")["places_max"].tolist() == pytest.approx([3] * 5)
