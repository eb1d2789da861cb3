"""A planning horizon longer than the reporting horizon (``horizon.plan_to``; models/cohort_planning.md,
section 10.4).

The scenario is the worked example of section 11 (one region, EPs, a one-year programme costing
£10k in its first course year and £5k in its second, 2026-2028), whose optimum is
i_2026 = 15.75, i_2027 = 14.075, i_2028 = 0: the last intake falls to zero because its completers
arrive after the horizon (the cliff of section 10).
"""

from __future__ import annotations

import copy
import json

import pandas as pd
import pytest
from scenarios import only_problem
from test_horizon import WORKED

from workforce import scenario_from_dict, solve
from workforce.plan.results import tables_fingerprint
from workforce.plan.tables import plan_tables
from workforce.scenario.horizon_extend import MAX_EXTRA_YEARS


def spec_with(plan_to: int | None = 2029, **horizon) -> dict:
    spec = copy.deepcopy(WORKED)
    if plan_to is not None:
        spec["horizon"]["plan_to"] = plan_to
    spec["horizon"].update(horizon)
    return spec


def intakes(plan, years=(2026, 2027, 2028)) -> list[float]:
    rows = plan.intake.xs(("dedpsy", "NE"), level=("programme", "region"))["intake"]
    return [float(rows[t]) for t in years]


@pytest.fixture(scope="module")
def planned():
    """The worked example planned to 2029 and reported to 2028."""
    return solve(scenario_from_dict(spec_with(2029)))


def test_the_reporting_horizon_alone_ends_in_a_cliff():
    plan = solve(scenario_from_dict(spec_with(None)))
    assert intakes(plan) == pytest.approx([15.75, 14.075, 0.0], abs=1e-6)


def test_planning_one_year_further_removes_the_cliff(planned):
    """plan_to 2029: demand (100) and the budget (250) hold their 2028 values in 2029.
    The plan of section 11.2 meets demand exactly in 2027 and 2028 (stock_2028 = 100, of which the
    0.8 × 14.075 = 11.26 completers of i_2027 are new entrants). In 2029:
    leavers = 0.1 × (100 − 11.26) + 0.2 × 11.26 = 8.874 + 2.252 = 11.126,
    stock_2029 = 100 − 11.126 + 0.8 i_2028 ≥ 100 needs i_2028 = 11.126 / 0.8 = 13.9075.
    A 2028 starter costs £10k + £5k = £15k for 0.8 of a unit that would otherwise be short at
    £100k, so it is bought; a larger 2027 intake instead would give a worthless 2028 surplus.
    Budgets: 2028: 10 × 13.9075 + 5 × 14.075 = 209.45 ≤ 250; 2029: 5 × 13.9075 = 69.5375 ≤ 250.
    i_2029 = 0 (its completers arrive in 2030, after the plan): the cliff moves to 2029, which is
    not reported.
    shortfall term = 100 × 2 (2026: stock 98) = 200;
    training_cost = 50 (2025 cohort's 2nd year) + 157.5 + 219.5 + 209.45 + 69.5375 = 705.9875;
    objective = 905.9875, over 2026-2029."""
    assert intakes(planned) == pytest.approx([15.75, 14.075, 13.9075], abs=1e-6)
    assert planned.summary["terms"]["shortfall"] == pytest.approx(200, abs=1e-6)
    assert planned.summary["terms"]["training_cost"] == pytest.approx(705.9875, abs=1e-6)
    assert planned.objective == pytest.approx(905.9875, abs=1e-6)
    assert planned.summary["verification"]["passed"]
    beyond = planned.extra["beyond_horizon"]
    assert beyond.loc[("dedpsy", "NE", 2029, "intake"), "value"] == pytest.approx(0, abs=1e-6)
    assert beyond.loc[("ep", "NE", 2029, "stock_end"), "value"] == pytest.approx(100, abs=1e-6)


def test_a_plan_to_plan_is_the_longer_plan_cut(planned):
    """Planning to 2029 and reporting to 2028 gives, in 2026-2028, the rows of the plan made and
    reported to 2029 (the model just sees a longer scenario)."""
    longer = solve(scenario_from_dict(spec_with(None, last_year=2029)))
    for name in ("intake", "workforce", "flows", "spend", "spend_detail"):
        got, whole = getattr(planned, name), getattr(longer, name)
        cut = whole[whole.index.get_level_values("year") <= 2028]
        pd.testing.assert_frame_equal(got, cut, check_exact=False, atol=1e-9)
    assert planned.objective == pytest.approx(longer.objective, abs=1e-9)


def test_without_plan_to_the_plan_is_todays_exactly():
    """No plan_to, or plan_to: null, is the plan as it was: same tables, same summary terms, no
    extra table and no horizon note."""
    today = solve(scenario_from_dict(spec_with(None)))
    explicit = copy.deepcopy(WORKED)
    explicit["horizon"]["plan_to"] = None
    null = solve(scenario_from_dict(explicit))
    assert tables_fingerprint(null) == tables_fingerprint(today)
    assert null.summary["terms"] == today.summary["terms"]
    assert null.objective == today.objective
    assert "beyond_horizon" not in null.extra and "horizon" not in null.summary and null.planned is None


def test_every_output_is_cut_to_the_reported_years(planned, tmp_path):
    for name, df in planned.tables().items():
        if "year" in (df.index.names or []) and name != "beyond_horizon":
            assert set(df.index.get_level_values("year")) <= {2026, 2027, 2028}, name
    assert plan_tables(planned).years == [2026, 2027, 2028]  # what every chart reads
    assert planned.data.YEARS == [2026, 2027, 2028]
    assert list(planned.planned.data.YEARS) == [2026, 2027, 2028, 2029]
    h = planned.summary["horizon"]
    assert (h["planned_years"], h["reported_years"], h["objective_covers"]) == ("2026-2029", "2026-2028", "2026-2029")
    assert set(planned.extra["beyond_horizon"]["note"]) == {
        "planned beyond the reporting horizon to avoid an end-of-horizon cliff; not advice"}
    out = planned.export(tmp_path / "run")
    saved = json.loads((out / "summary.json").read_text())
    assert saved["horizon"]["objective_covers"] == "2026-2029"
    beyond = (out / "beyond_horizon.csv").read_text().splitlines()
    assert beyond[0] == "item,region,year,kind,value,unit,note"
    assert all(",2029," in line for line in beyond[1:]) and len(beyond) == 4
    years = [line.split(",")[2] for line in (out / "intake.csv").read_text().splitlines()[1:]]
    assert years == ["2026", "2027", "2028"]
    text = repr(planned)
    assert "objective and terms cover the planned years 2026-2029; tables and charts show 2026-2028" in text
    assert "planned to 2029, reported to 2028: in 2029 demand of ep holds its last given year" in text
    from workforce.output.report import summary_text

    run = summary_text(planned)
    assert "objective and terms cover the planned years 2026-2029; tables and charts show 2026-2028" in run
    assert "Spend against budget (£k, years 2026-2028)" in run
    assert "DfE EP training grant " + f"{636.45:>10,.0f} of 750" in run


def test_explain_shows_the_reported_years(planned):
    e = planned.explain(what_if=0)
    years = set(e.budgets.index.get_level_values("year"))
    assert 2028 in years and 2029 not in years
    for name, df in e.tables().items():
        if "year" in (df.index.names or []):
            assert all(not isinstance(t, int) or t <= 2028 for t in df.index.get_level_values("year")), name
    assert any("planned years 2026-2029" in n for n in e.notes)


def test_an_edited_plan_is_rechecked_over_the_planned_years():
    """The re-check of an edited cut plan checks the whole planned plan: an untouched value passes
    (the objective over 2026-2029 is not compared with the reported years' costs alone), a changed
    stock fails."""
    from workforce.errors import VerificationError

    plan = solve(scenario_from_dict(spec_with(2029)))
    plan.intake.iloc[0, 0] += 0.0
    plan.spend.iloc[0, 0] += 0.0
    plan.recheck_if_edited()
    assert plan.summary["verification"]["passed"]
    plan.flows.iloc[0, 0] += 1
    with pytest.raises(VerificationError, match="opening stock of ep NE 2026"):
        plan.recheck_if_edited()


@pytest.mark.parametrize(("plan_to", "message"), [
    (2028, "plan_to must be after last_year (2028), the last year reported"),
    (2020, "plan_to must be after last_year (2028)"),
    (2028 + MAX_EXTRA_YEARS + 1, f"plan_to may be at most {MAX_EXTRA_YEARS} years after last_year (2028), i.e. "
                                 f"{2028 + MAX_EXTRA_YEARS} or earlier"),
    ("2040", "Input should be a valid integer"),
])
def test_plan_to_is_refused_with_its_key(plan_to, message):
    problem = only_problem(lambda: scenario_from_dict(spec_with(plan_to)))
    assert problem.key == "horizon.plan_to"
    assert message in problem.message


def test_a_table_must_still_give_every_reported_year():
    spec = spec_with(2030)
    spec["funding_streams"]["dfe"]["budget"] = {2026: 250, 2028: 250}
    problem = only_problem(lambda: scenario_from_dict(spec))
    assert problem.key == "funding_streams.dfe.budget"
    assert problem.message == "no value for year(s) 2027"


def test_a_table_may_not_go_past_plan_to():
    spec = spec_with(2029)
    spec["funding_streams"]["dfe"]["budget"] = {t: 250 for t in range(2026, 2031)}
    problem = only_problem(lambda: scenario_from_dict(spec))
    assert problem.message == "year(s) 2030 are outside the horizon 2026-2029"


def test_by_year_tables_hold_their_last_year_unless_given():
    """Budget {2026: 250, 2027: 250, 2028: 240} holds 240 in 2029 and 2030; demand given to 2029
    (2029: 130) keeps its own 2029 value and holds it in 2030."""
    spec = spec_with(2030)
    spec["funding_streams"]["dfe"]["budget"] = {2026: 250, 2027: 250, 2028: 240}
    spec["roles"]["ep"]["demand"] = {"NE": {2026: 100, 2027: 100, 2028: 100, 2029: 130}}
    d = solve(scenario_from_dict(spec)).planned.data
    assert [d.budget["dfe", t] for t in range(2026, 2031)] == [250, 250, 240, 240, 240]
    assert [d.demand["ep", "NE", t] for t in range(2026, 2031)] == [100, 100, 100, 130, 130]


def test_a_value_given_for_an_extra_year_is_used():
    """A 2029 budget of 0 (given, not held at 250): a 2028 starter costs £5k in 2029, so i_2028 = 0
    (held, it was 13.9075). 2029 is then met only by earlier starters, who stay in post: a 2026
    starter is 0.8 × 0.8 × 0.9 = 0.576 of a unit in 2029 for £15k, far below the £100k penalty, so
    i_2026 = 20 (the places) and i_2027 = 15 (the 2027 budget: 10 i_2027 + 5 × 20 = 250).
    Stock: 2026 98; 2027 98 − (0.1 × 90 + 0.2 × 8) + 16 = 103.4; 2028 103.4 − (0.1 × 87.4 + 0.2 × 16)
    + 12 = 103.46; 2029 103.46 − (0.1 × 91.46 + 0.2 × 12) = 91.914: still short by 8.086, so every
    one of those starters is worth its cost. shortfall term = 100 × (2 + 8.086) = 1008.6."""
    spec = spec_with(2029)
    spec["funding_streams"]["dfe"]["budget"] = {2026: 250, 2027: 250, 2028: 250, 2029: 0}
    plan = solve(scenario_from_dict(spec))
    assert intakes(plan) == pytest.approx([20.0, 15.0, 0.0], abs=1e-6)
    assert plan.extra["beyond_horizon"].loc[("ep", "NE", 2029, "stock_end"), "value"] == pytest.approx(91.914)
    assert plan.summary["terms"]["shortfall"] == pytest.approx(1008.6, abs=1e-6)


def test_demand_forecast_continues_by_its_own_method():
    """A linear forecast from the driver {2024: 94, 2025: 96} (slope 2 a year) gives demand
    96 + 2 (t − 2025): 98, 100, 102 in 2026-2028 and, planned to 2030, 104 and 106 after them."""
    spec = spec_with(2030)
    del spec["roles"]["ep"]["demand"]
    spec["roles"]["ep"]["demand_forecast"] = {"driver": {"NE": {2024: 94, 2025: 96}}, "method": "linear"}
    plan = solve(scenario_from_dict(spec))
    d = plan.planned.data
    assert [d.demand["ep", "NE", t] for t in range(2026, 2031)] == pytest.approx([98, 100, 102, 104, 106])
    assert plan.workforce["demand"].tolist() == pytest.approx([98, 100, 102])
    assert "in 2029-2030 demand of ep continues by its forecast" in plan.summary["horizon"]["note"]


def test_an_envelope_covers_the_reported_years_only(planned):
    """Spend of the plan_to plan: 2026 207.5, 2027 219.5, 2028 209.45 (636.45 in the reported
    years), 2029 69.5375. An envelope of 637 holds the reported years' 636.45, so the plan is the
    plan without it; had it covered 2029 too (705.99 > 637) it would bind. An envelope of 600 binds
    the reported years: their spend is exactly 600, and 2029 still spends on its own budget."""
    def with_envelope(value: float):
        spec = spec_with(2029)
        spec["funding_streams"]["dfe"]["envelope"] = value
        return solve(scenario_from_dict(spec))

    assert planned.spend["spent"].tolist() == pytest.approx([207.5, 219.5, 209.45], abs=1e-6)
    loose = with_envelope(637)
    assert intakes(loose) == pytest.approx(intakes(planned), abs=1e-9)
    assert loose.objective == pytest.approx(planned.objective, abs=1e-9)
    assert "envelopes cover 2026-2028 only" in loose.summary["horizon"]["note"]
    tight = with_envelope(600)
    assert tight.spend["spent"].sum() == pytest.approx(600, abs=1e-6)
    later = tight.planned.spend.xs(2029, level="year")["spent"].sum()
    assert later > 0


def test_the_scenario_shows_its_reported_and_planned_years():
    text = repr(scenario_from_dict(spec_with(2030)))
    assert "2026-2028 (planned to 2030), 1 region" in text
    assert "demand 2026 100, demand 2028 100" in text


def test_a_forecast_scenario_with_plan_to_derives_and_reloads_as_itself():
    """explain's what-if re-solves derive the scenario again: the dump holds demand to 2030 (the
    forecast's), which must agree with the forecast rather than be refused as a different table."""
    spec = spec_with(2030)
    del spec["roles"]["ep"]["demand"]
    spec["roles"]["ep"]["demand_forecast"] = {"driver": {"NE": {2024: 94, 2025: 96}}, "method": "linear"}
    s = scenario_from_dict(spec)
    assert s.derive({}).sha256() == s.sha256()
    assert scenario_from_dict(s.model_dump()).sha256() == s.sha256()


def test_compare_leaves_out_objectives_planned_to_different_years(planned):
    """The objective of a plan_to plan covers 2026-2029, today's 2026-2028: compare shows the
    reported years' results side by side but not the two objectives."""
    from workforce.studies.compare import compare

    today = solve(scenario_from_dict(spec_with(None)))
    c = compare({"to 2028": today, "to 2029": planned})
    assert "objective" not in set(c.results.index.get_level_values("measure"))
    assert c.period == "reported years 2026-2028"
    assert any("planned to different years (to 2028: 2028; to 2029: 2029" in n for n in c.notes)
    intake = c.results.xs("intake", level="measure")
    assert intake["to 2029"].sum() == pytest.approx(15.75 + 14.075 + 13.9075)
    assert intake["to 2028"].sum() == pytest.approx(15.75 + 14.075)


def test_compare_of_plans_planned_alike_says_which_years_the_objective_covers(planned):
    """Two plans both planned to 2029 and reported to 2028: the objectives are compared (same
    planned years), and the header and a note say they cover 2026-2029 while the rest covers
    2026-2028 (it said "whole horizon")."""
    from workforce.studies.compare import compare

    c = compare({"a": planned, "b": planned})
    assert c.period == "years 2026-2028"
    assert "objective" in set(c.results.index.get_level_values("measure"))
    assert c.notes == ["the objectives cover the planned years 2026-2029 (horizon.plan_to); every other result "
                       "covers the reported years 2026-2028"]
    from workforce.studies.compare import comparison_text

    assert "Key results (years 2026-2028;" in comparison_text(c)


def test_a_terminal_value_applies_after_the_planned_years():
    """terminal_value {years: 1} with plan_to 2029 values 2030, after the planned years (section 10.1
    with T = 2029): the 2029 stock is 100 (as above), so 0.9 × 100 + 0.8 i_2029 ≥ 100 gives
    i_2029 = 12.5, the replacement intake (£10k for 0.8 of a £100k unit); the 2029 budget
    10 × 12.5 + 5 × 13.9075 = 194.54 ≤ 250. The reported intakes are those without it,
    15.75, 14.075, 13.9075; training_cost = 705.9875 + 125 = 830.9875, shortfall 200. The
    post-horizon table (2030) stays on plan.planned, out of the reported outputs."""
    plan = solve(scenario_from_dict(spec_with(2029, terminal_value={"years": 1})))
    assert intakes(plan) == pytest.approx([15.75, 14.075, 13.9075], abs=1e-6)
    assert plan.extra["beyond_horizon"].loc[("dedpsy", "NE", 2029, "intake"), "value"] == pytest.approx(12.5)
    assert plan.summary["terms"]["training_cost"] == pytest.approx(830.9875, abs=1e-6)
    assert plan.objective == pytest.approx(1030.9875, abs=1e-6)
    assert "post_horizon" not in plan.extra
    assert list(plan.planned.extra["post_horizon"].index) == [("ep", "NE", 2030)]
    e = plan.explain(what_if=0)
    assert "post_horizon" not in e.tables()


def test_verify_plan_on_a_cut_plan_checks_the_planned_years():
    """verify_plan called on the plan solve() returns (cut to 2026-2028) re-checks the whole planned
    plan: it passes as is, and a changed cut-table value still fails. Before, it re-checked the cut
    plan against the planned model and failed on a missing table (KeyError 'post_horizon' on the
    baseline) or on the objective."""
    from workforce.errors import VerificationError
    from workforce.plan.verify import verify_plan

    spec = spec_with(2029, terminal_value={"years": 1})
    plan = solve(scenario_from_dict(spec))
    assert verify_plan(plan)["passed"]
    plan.flows.iloc[0, 0] += 1
    with pytest.raises(VerificationError, match="opening stock of ep NE 2026"):
        verify_plan(plan)


def test_beyond_horizon_rows_are_in_the_roles_own_unit():
    """A role counted in FTE has its extra years' stock and shortfall in FTE (it said 'staff')."""
    spec = spec_with(2029)
    spec["roles"]["ep"]["unit"] = "FTE"
    beyond = solve(scenario_from_dict(spec)).extra["beyond_horizon"]
    assert beyond.loc[("ep", "NE", 2029, "stock_end"), "unit"] == "FTE"
    assert beyond.loc[("ep", "NE", 2029, "shortfall"), "unit"] == "FTE"
    assert beyond.loc[("dedpsy", "NE", 2029, "intake"), "unit"] == "starters"
