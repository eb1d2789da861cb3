"""The pandas re-check knows the issue-4 rules: a plan whose tables break one of them fails loudly.

Each test takes a solved plan, changes one number in its tables (or tightens one rule in its
data) and asserts that ``verify_plan`` names the broken rule. The untouched plans pass.
"""

from __future__ import annotations

import copy
import dataclasses

import numpy as np
import pandas as pd
import pytest
from scenarios import baseline_reported_to_2035, minimal_scenario
from test_policy import _equity_spec, two_regions

from workforce import scenario_from_dict, solve
from workforce.errors import VerificationError
from workforce.plan.verify import verify_plan
from workforce.plan.verify_rules import academic_from_financial, financial_years

LONDON = "E12000007"


@pytest.fixture(scope="module")
def baseline(tmp_path_factory):
    return solve(baseline_reported_to_2035(tmp_path_factory))


def cell(frame, row: tuple, column: str) -> tuple[int, int]:
    """Position of a cell (the plan's indexes are in model order, not sorted)."""
    return int(frame.index.get_indexer([row])[0]), frame.columns.get_loc(column)


def changed(plan, table: str, row: tuple, column: str, value: float):
    """A copy of ``plan`` with one cell of one table (``intake``, ... or an extra table) set to ``value``."""
    frame = (plan.extra[table] if table in plan.extra else getattr(plan, table)).copy()
    frame.iloc[cell(frame, row, column)] = value
    if table in plan.extra:
        return dataclasses.replace(plan, extra={**plan.extra, table: frame})
    return dataclasses.replace(plan, **{table: frame})


def value(plan, table: str, row: tuple, column: str) -> float:
    frame = plan.extra[table] if table in plan.extra else getattr(plan, table)
    return float(frame.iloc[cell(frame, row, column)])


def fails(plan, family: str) -> str:
    with pytest.raises(VerificationError) as caught:
        verify_plan(plan)
    assert f"{family}:" in str(caught.value)
    return str(caught.value)


def test_the_baseline_passes_with_every_rule_rechecked(baseline):
    record = verify_plan(baseline)
    assert record["passed"] and record["not_rechecked"] == []
    for family in ("calendar", "intake split", "tenure", "unqualified holders", "whole cohorts", "cohort size",
                   "statutory deadline", "budget", "spend", "objective"):
        assert record["checks"][family] > 0, family
    assert baseline.summary["verification"] == record


def test_a_fractional_cohort_fails(baseline):
    row = ("ep_doctorate", LONDON, 2030)
    fails(changed(baseline, "intake", row, "cohorts", value(baseline, "intake", row, "cohorts") + 0.5), "whole cohorts")


def test_a_cohort_too_full_fails(baseline):
    row = ("ep_doctorate", LONDON, 2030)
    assert value(baseline, "intake", row, "cohorts") >= 2
    fails(changed(baseline, "intake", row, "cohorts", value(baseline, "intake", row, "cohorts") - 1), "cohort size")


def test_starters_moved_between_intake_points_change_completions(baseline):
    """Moving NPQ starters from the November to the April intake delays their qualifying a year."""
    autumn, spring = ("npq_senco", LONDON, 2027, "autumn"), ("npq_senco", LONDON, 2027, "spring")
    moved = min(50.0, value(baseline, "intake_terms", autumn, "starters"))
    assert moved > 1
    plan = changed(baseline, "intake_terms", autumn, "starters", value(baseline, "intake_terms", autumn, "starters") - moved)
    plan = changed(plan, "intake_terms", spring, "starters", value(baseline, "intake_terms", spring, "starters") + moved)
    message = fails(plan, "completions")
    assert f"completions of senco {LONDON} 2028" in message


def test_a_wrong_start_month_fails(baseline):
    fails(changed(baseline, "intake_terms", ("npq_senco", LONDON, 2027, "spring"), "start_month", 8), "calendar")


def test_intake_points_must_add_up_to_the_intake(baseline):
    row = ("npq_senco", LONDON, 2028, "autumn")
    fails(changed(baseline, "intake_terms", row, "starters", value(baseline, "intake_terms", row, "starters") + 5),
          "intake split")


def test_tied_staff_by_band_are_rechecked(baseline):
    row = ("ep", LONDON, 2030, 2)
    fails(changed(baseline, "tenure", row, "stock_start", value(baseline, "tenure", row, "stock_start") + 3), "tenure")


def test_financial_year_spend_is_recomputed_by_month(baseline):
    """Moving £10k of NPQ spend from one financial year to the next keeps the total but not the months."""
    early, late = ("dfe_npq", 2028, "npq_senco"), ("dfe_npq", 2029, "npq_senco")
    plan = changed(baseline, "spend_detail", early, "spent", value(baseline, "spend_detail", early, "spent") - 10)
    plan = changed(plan, "spend_detail", late, "spent", value(baseline, "spend_detail", late, "spent") + 10)
    fails(plan, "spend")


def test_financial_year_budgets_are_checked(baseline):
    spent = value(baseline, "spend", ("dfe_npq", 2030), "spent")
    budget = {**baseline.data.budget, ("dfe_npq", 2030): spent - 100}
    fails(dataclasses.replace(baseline, data=dataclasses.replace(baseline.data, budget=budget)), "budget")


def test_unqualified_holders_must_cover_the_shortfall(baseline):
    """Unqualified post-holders removed from a row where they stand in for a shortfall. The row is
    read from the plan (which band holds them depends on which of the equally good plans is returned)."""
    compliance = baseline.tables()["compliance"]
    bands = [c for c in compliance.columns if c.startswith("unqualified_")]
    row, band = next((r, b) for r in compliance.index for b in bands
                     if r[0] == "senco" and compliance.at[r, b] > 1
                     and value(baseline, "workforce", r, "shortfall") > 10)
    fails(changed(baseline, "compliance", row, band, 0.0), "unqualified holders")


def test_holders_cannot_appear_from_nowhere_past_the_deadline(baseline):
    """More post-holders past the deadline than aged into it: the breach and its penalty are rechecked."""
    row = ("senco", LONDON, 2030)
    message = fails(changed(baseline, "compliance", row, "out_of_compliance",
                            value(baseline, "compliance", row, "out_of_compliance") + 20), "unqualified holders")
    assert "objective terms: term shortfall" in message
    # The take-over check runs over every region at once: the violation is named by its own row.
    assert "minus the posts taken over from band 3 of senco E12000007 2030: 20 exceeds 0" in message


def test_required_deadline_is_checked(baseline):
    rule = baseline.data.scenario.roles["senco"].statutory_deadline
    scenario = baseline.data.scenario
    role = scenario.roles["senco"].model_copy(update={"statutory_deadline": rule.model_copy(update={"mode": "require"})})
    scenario = scenario.model_copy(update={"roles": {**scenario.roles, "senco": role}})
    plan = changed(baseline, "compliance", ("senco", LONDON, 2030), "out_of_compliance", 1.0)
    data = dataclasses.replace(baseline.data, scenario=scenario)
    fails(dataclasses.replace(plan, data=data), "statutory deadline")


def test_targets_are_recounted():
    spec = two_regions(2)
    spec["targets"] = {"five": {"programme": "doc", "by_year": 2027, "at_least": 5}}
    plan = solve(scenario_from_dict(spec))
    assert plan.summary["verification"]["checks"]["target"] == 2
    summary = copy.deepcopy(plan.summary)
    summary["targets"][0]["achieved"] = 6.0
    fails(dataclasses.replace(plan, summary=summary), "target")
    data = dataclasses.replace(plan.data, target_min={key: 6.0 for key in plan.data.target_min})
    fails(dataclasses.replace(plan, data=data), "target")


def test_place_shares_are_rechecked():
    spec = two_regions(1, places=100)
    spec["roles"]["ep"]["demand"] = {"A": 20, "B": 10}
    spec["place_shares"] = {"cap_a": {"programme": "doc", "regions": ["A"], "max_share": 0.8}}
    plan = solve(scenario_from_dict(spec))
    assert plan.summary["verification"]["checks"]["place share"] == 1
    data = dataclasses.replace(plan.data, share_max={key: 0.5 for key in plan.data.share_max})
    fails(dataclasses.replace(plan, data=data), "place share")


def test_the_equity_summary_is_rechecked():
    plan = solve(scenario_from_dict(_equity_spec()))
    record = plan.summary["verification"]
    assert record["checks"]["equity"] >= 5 and any("worst_shortfall_rate" in s for s in record["not_rechecked"])
    summary = copy.deepcopy(plan.summary)
    summary["equity"]["equitable"]["worst_shortfall_rate"] = 0.5
    fails(dataclasses.replace(plan, summary=summary), "equity")


def test_flexible_options_the_tables_cannot_price_are_listed_not_skipped():
    """Two flexible-supply options without a funding stream: the tables give only their total FTE, so
    the flexible_cost term (and the objective) cannot be recomputed, and the record says so."""
    spec = minimal_scenario()
    spec["roles"]["ep"]["flexible_supply"] = {
        "agency": {"name": "Agency", "fte_per_unit": 1.0, "cost": 90, "max": 2},
        "locum": {"name": "Locum", "fte_per_unit": 0.5, "cost": 40, "max": 2},
    }
    record = solve(scenario_from_dict(spec)).summary["verification"]
    assert any(s.startswith("objective term flexible_cost") for s in record["not_rechecked"])
    assert any("flexible:ep.agency" in s for s in record["not_rechecked"])
    assert "objective" not in record["checks"]


def test_financial_year_items_turn_back_into_academic_years(baseline):
    """Items of a financial-year stream that the tables give only by financial year (several
    flexible options) are turned back into academic years for the envelope: 7/12 of academic year t
    and 5/12 of t − 1 make financial year t, so the academic years follow one by one."""
    d = baseline.data
    rng = np.random.default_rng(4)
    academic = pd.DataFrame({"stream": "s", "item": "flexible:ep.agency", "year": d.YEARS,
                             "spent": rng.uniform(0, 100, len(d.YEARS))})
    fy = financial_years(d, academic).set_index(["stream", "year", "item"])["spent"]
    assert fy.loc[("s", 2027, "flexible:ep.agency")] == pytest.approx(
        7 / 12 * academic["spent"][1] + 5 / 12 * academic["spent"][0])
    back = academic_from_financial(d, fy)
    assert back.droplevel(["stream", "item"]).to_numpy() == pytest.approx(academic["spent"].to_numpy())
