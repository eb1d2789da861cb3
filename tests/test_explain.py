"""Marginal values and binding limits (workforce.explain), checked by hand and by finite differences.

Every marginal value is checked against a re-solve with the limit moved a little: the reported
value must equal (objective before − objective after) / step. Scenario-level checks edit the
scenario (dict or YAML) and solve it from scratch; model-level checks move one compiled row bound
and re-solve, which reaches every limit row of the England baseline.
"""

from __future__ import annotations

import copy
import dataclasses
import shutil
from pathlib import Path

import numpy as np
import pytest

from workforce import load_scenario, scenario_from_dict, solve
from workforce.solver.core import run

ROOT = Path(__file__).resolve().parents[1]
BASELINE = ROOT / "configs" / "england_baseline.yaml"


def tiny(**programme) -> dict:
    """One region A, one role (stock 5, demand 10, no attrition, penalty 100), 2026 only, one
    short course (duration 0, completion 1, £1k per starter from 'dfe')."""
    prog = {"name": "Short course", "role": "ep", "duration": 0, "completion_rate": 1.0,
            "course_costs": [{"dfe": 1.0}]}
    prog.update(programme)
    return {
        "name": "tiny",
        "horizon": {"first_year": 2026, "last_year": 2026},
        "regions": [{"code": "A", "name": "Area A"}],
        "roles": {"ep": {"name": "EPs", "initial_stock": 5, "attrition": 0.0, "demand": 10, "shortfall_penalty": 100}},
        "programmes": {"short": prog},
        "funding_streams": {"dfe": {"name": "DfE grant", "budget": 3}},
    }


def objective(spec: dict) -> float:
    return solve(scenario_from_dict(copy.deepcopy(spec))).objective


def limit(e, family: str, stage: int = 1, **where):
    lim = e.limits[(e.limits["family"] == family) & (e.limits["stage"] == stage)]
    for col, value in where.items():
        lim = lim[lim[col] == value]
    assert len(lim) == 1, lim
    return lim.iloc[0]


def test_budget_marginal_value_by_hand():
    """Stock 5, demand 10; a £3k budget buys 3 starters (£1k each, duration 0): shortfall 2,
    objective 100 × 2 + 3 = 203. One more £k buys one more starter: shortfall −1 (−100) at +£1k,
    so the budget's marginal value is 99 per £k, and it holds for £2k (then shortfall is 0)."""
    plan = solve(scenario_from_dict(tiny()))
    assert plan.objective == pytest.approx(203)
    e = plan.explain()
    b = limit(e, "budget_limit", year=2026)
    assert b["status"] == "binds"
    assert b["limit"] == pytest.approx(3) and b["used"] == pytest.approx(3)
    assert b["marginal_value"] == pytest.approx(99)
    assert b["value_per_step"] == pytest.approx(99_000)  # per £1m, a linear extrapolation
    assert b["holds_at_least"] == pytest.approx(2)
    assert e.budgets.loc[(1, "dfe", 2026), "value_of_1m"] == pytest.approx(99_000)
    # Finite difference: budget 3.5 → shortfall 1.5, objective 153.5.
    spec = tiny()
    spec["funding_streams"]["dfe"]["budget"] = 3.5
    assert (objective(tiny()) - objective(spec)) / 0.5 == pytest.approx(b["marginal_value"])
    # The what-if re-solve at £1m: the shortfall of 2 goes, for £2k; the rest of the £1m buys
    # nothing, so the real change (−198) is far below the linear −99,000.
    (w,) = e.what_if.to_dict("records")
    assert w["shortfall:ep"] == pytest.approx(-2)
    assert w["training_cost"] == pytest.approx(2)
    assert w["change"] == pytest.approx(-198)
    assert w["predicted"] == pytest.approx(-99_000)


@pytest.mark.parametrize(
    ("programme", "family", "edit", "step"),
    [
        # places 2 bind before the £3k budget: one more place is worth 99.
        ({"places": 2}, "places_limit", lambda s, d: s["programmes"]["short"].update(places=2 + d), 0.25),
        ({"national_places": 2}, "national_places_limit",
         lambda s, d: s["programmes"]["short"].update(national_places=2 + d), 0.25),
        ({"intake_max": 2}, "intake_maximum", lambda s, d: s["programmes"]["short"].update(intake_max=2 + d), 0.25),
        # supervision 0.4 × 5 EPs = 2 places; ratio +d/5 gives d more places.
        ({"supervision_ratio": 0.4}, "supervision_limit",
         lambda s, d: s["programmes"]["short"].update(supervision_ratio=0.4 + d / 5), 0.25),
    ],
)
def test_capacity_values_match_finite_differences(programme, family, edit, step):
    """Capacity 2 below the budget's 3 starters: shortfall 3, objective 302. One more place is
    one more starter (−100 shortfall, +£1k): value 99, the same as the scenario re-solved."""
    spec = tiny(**programme)
    plan = solve(scenario_from_dict(copy.deepcopy(spec)))
    assert plan.objective == pytest.approx(302)
    e = plan.explain()
    row = limit(e, family)
    assert row["marginal_value"] == pytest.approx(99)
    assert limit(e, "budget_limit", year=2026)["marginal_value"] == pytest.approx(0)
    moved = copy.deepcopy(spec)
    edit(moved, step)
    assert (plan.objective - objective(moved)) / step == pytest.approx(row["marginal_value"], rel=1e-6)
    if family == "supervision_limit":
        # +0.01 on the ratio = 0.01 × 5 EPs = 0.05 places = 0.05 × 99 = 4.95; re-solved:
        ratio = e.ratios.loc[(1, "short")]
        assert ratio["value_of_0.01"] == pytest.approx(4.95)
        moved = copy.deepcopy(spec)
        moved["programmes"]["short"]["supervision_ratio"] = 0.41
        assert plan.objective - objective(moved) == pytest.approx(ratio["value_of_0.01"], rel=1e-6)
    places = e.places.loc[(1, "short", "A", 2026)]
    assert places["value_of_one_more_starter"] == pytest.approx(99)
    assert places["limited_by"]


def test_minimum_intake_value_is_the_saving_of_a_lower_minimum():
    """No shortfall to fix (stock 10 = demand), a minimum of 2 starters at £1k each: each trainee
    less in the minimum saves £1k; value 1 per trainee, holding for the whole 2 trainees."""
    spec = tiny(intake_min=2)
    spec["roles"]["ep"]["initial_stock"] = 10
    plan = solve(scenario_from_dict(copy.deepcopy(spec)))
    assert plan.objective == pytest.approx(2)
    e = plan.explain()
    row = limit(e, "intake_minimum")
    assert row["side"] == "lower"
    assert row["marginal_value"] == pytest.approx(1)
    assert row["holds_at_least"] == pytest.approx(2)
    moved = copy.deepcopy(spec)
    moved["programmes"]["short"]["intake_min"] = 1.5
    assert (plan.objective - objective(moved)) / 0.5 == pytest.approx(row["marginal_value"])


def test_slack_limits_are_worth_nothing():
    """Budget £10k is more than the 5 starters needed: it does not bind and its value is 0; moving
    it changes nothing."""
    spec = tiny()
    spec["funding_streams"]["dfe"]["budget"] = 10
    e = solve(scenario_from_dict(spec)).explain()
    row = limit(e, "budget_limit", year=2026)
    assert row["status"] == "slack" and row["slack"] == pytest.approx(5)
    assert row["marginal_value"] == 0
    assert e.binding[e.binding["family"] == "budget_limit"].empty


def test_nearly_binding_within_tolerance():
    """Budget £5.02k against £5k spent: 0.4% headroom is 'nearly binds' at the default 1%."""
    spec = tiny()
    spec["funding_streams"]["dfe"]["budget"] = 5.02
    e = solve(scenario_from_dict(spec)).explain()
    assert limit(e, "budget_limit", year=2026)["status"] == "nearly binds"
    assert not e.binding[e.binding["family"] == "budget_limit"].empty


def test_lexicographic_stages_have_their_own_values():
    """Stage 1 (shortfall) is 0 whatever the budget: 5 starters are needed and stream 'b' is
    unlimited. Stage 2 (training cost): course 'cheap' (£1k, stream 'a', budget £2k) and 'dear'
    (£3k, stream 'b'): 2 cheap + 3 dear = £11k. One more £k on 'a' swaps a dear starter for a
    cheap one: −£2k. So the 'a' budget is worth 0 in stage 1 and 2 in stage 2; budget 2.5 gives
    2.5 + 2.5 × 3 = 10, i.e. (11 − 10)/0.5 = 2."""
    spec = tiny()
    course = {"role": "ep", "duration": 0, "completion_rate": 1.0}
    spec["programmes"] = {
        "cheap": {"name": "Cheap", **course, "course_costs": [{"a": 1.0}]},
        "dear": {"name": "Dear", **course, "course_costs": [{"b": 3.0}]},
    }
    spec["funding_streams"] = {"a": {"name": "Stream A", "budget": 2}, "b": {"name": "Stream B"}}
    spec["objective"] = {"lexicographic": [["shortfall"], ["training_cost"]]}
    plan = solve(scenario_from_dict(copy.deepcopy(spec)))
    assert plan.summary["terms"]["training_cost"] == pytest.approx(11)
    e = plan.explain()
    assert [s["stage"] for s in e.stages] == [1, 2, 3]
    assert e.stages[0]["objective"].startswith("weighted shortfall")
    assert limit(e, "budget_limit", stage=1, stream="a")["marginal_value"] == pytest.approx(0)
    stage2 = limit(e, "budget_limit", stage=2, stream="a")
    assert stage2["marginal_value"] == pytest.approx(2)
    assert stage2["objective"] == "training_cost (£k)"
    moved = copy.deepcopy(spec)
    moved["funding_streams"]["a"]["budget"] = 2.5
    after = solve(scenario_from_dict(moved)).summary["terms"]["training_cost"]
    assert (11 - after) / 0.5 == pytest.approx(stage2["marginal_value"], rel=1e-6)
    assert any("lexicographic" in note for note in e.notes)
    assert "stage 2" in e.text()


def finite_difference(plan, row, step: float) -> float:
    """(objective − objective with limit ``row`` loosened by ``step``) / step, re-solved."""
    compiled, info = plan.solved
    upper, lower = compiled.row_upper.copy(), compiled.row_lower.copy()
    if row.side == "upper":
        upper[row.row] += step
    else:
        lower[row.row] -= step
    after = run(dataclasses.replace(compiled, row_upper=upper, row_lower=lower), plan.data, dict(info.options), {})
    return (info.objective - after.objective) / step


@pytest.fixture(scope="module")
def baseline():
    plan = solve(load_scenario(BASELINE))
    return plan, plan.explain()


def test_baseline_explanation_names_binding_budgets_and_their_lines(baseline):
    plan, e = baseline
    b = e.binding
    assert not b.empty
    ep = b[(b["family"] == "budget_limit") & (b["stream"] == "dfe_ep")]
    # The README says the DfE EP budget binds every year to 2032.
    assert set(ep["year"]) >= set(range(2026, 2033))
    assert (ep["marginal_value"] > 0).all()
    assert all(f.endswith("configs/england_baseline.yaml") for f in ep["file"])
    line = BASELINE.read_text().splitlines()[int(ep["line"].iloc[0]) - 1]
    assert "budget: 11200" in line
    # Ranked: the first money row is the largest value per £1m.
    money = b[b["unit"] == "£k"]
    assert money["value_per_step"].is_monotonic_decreasing
    ne = e.by_region.loc[(1, "E12000001", 2026)]  # North East, 2026
    assert ne["most_valuable"].startswith("the hiring cap for Local-authority educational psychologists")
    assert ne["value_per_step"] == pytest.approx(b[(b["family"] == "hires_limit") & (b["region"] == "E12000001")
                                                   & (b["year"] == 2026)]["value_per_step"].max())
    text = e.text()
    assert "What holds the plan back" in text and "£1m more" in text
    assert "england_baseline.yaml:" in text


def test_baseline_financial_year_budgets_are_budgets_with_whole_years(baseline):
    """The NPQ stream is budgeted on financial years (fy_budget_limit rows): it is listed with the
    other budgets, by year, and no year turns into a float ('2026.0') on the way."""
    plan, e = baseline
    npq = e.budgets.xs("dfe_npq", level="stream")
    years = list(npq.index.get_level_values("year"))
    assert sorted(years) == list(range(2026, 2036)) and all(isinstance(t, int) for t in years)
    assert (npq["budget"] == 4950).all()
    assert (npq["spent"] <= npq["budget"] + 1e-6).all()
    text = e.text()
    assert "By region in 2026:" in text and "2026.0" not in text


def test_baseline_values_match_model_level_finite_differences(baseline):
    """A sample of every kind of limit, binding or not: move its bound by a small step inside the
    range where the value holds, re-solve, compare."""
    plan, e = baseline
    compiled, info = plan.solved
    first = e.limits[e.limits["stage"] == 1]
    sample = []
    for _, group in first.groupby("family"):
        valued = group[group["marginal_value"] > 0]
        sample += list(valued.head(2).itertuples()) + list(group[group["status"] == "slack"].head(1).itertuples())
    assert len(sample) >= 8
    checked = 0
    for row in sample:
        holds = row.holds_at_least if np.isfinite(row.holds_at_least) else 1.0
        step = min(1e-3 * max(1.0, abs(row.limit) if np.isfinite(row.limit) else 1.0), 0.5 * holds) \
            if row.marginal_value > 0 else 1e-3
        if row.side == "lower":
            step = min(step, 0.5 * row.limit)
        fd = finite_difference(plan, row, step)
        assert fd == pytest.approx(row.marginal_value, rel=1e-4, abs=1e-3 * max(1.0, row.marginal_value)), row.label
        checked += 1
    assert checked == len(sample)


def test_baseline_budget_value_matches_a_scenario_level_re_solve(baseline, tmp_path: Path):
    """Edit the YAML: the DfE EP budget becomes a per-year table with a little more in 2027 only
    (£10k, or half the range the value holds for if that is less: 3.33 with the baseline's
    post-horizon years); the re-solved objective falls by the step × the reported value per £k."""
    plan, e = baseline
    row = limit(e, "budget_limit", stream="dfe_ep", year=2027)
    assert row["marginal_value"] > 0 and row["holds_at_least"] > 1
    step = min(10.0, round(float(row["holds_at_least"]) / 2, 2))
    shutil.copytree(BASELINE.parent, tmp_path / "configs")
    path = tmp_path / "configs" / "england_baseline.yaml"
    years = {y: 11200.0 for y in range(2026, 2036)}
    years[2027] += step
    text = path.read_text().replace("budget: 11200", "budget: " + str(years).replace("'", ""), 1)
    path.write_text(text)
    after = solve(load_scenario(path)).objective
    assert (plan.objective - after) / step == pytest.approx(row["marginal_value"], rel=1e-6)


def test_baseline_what_if_agrees_with_the_marginal_value_inside_its_range(baseline):
    plan, e = baseline
    w = e.what_if
    assert len(w) == 5
    # Each re-solve loosens a binding limit: the objective never gets worse.
    assert (w["change"] <= 1e-6).all()
    # £1m more in an early-years SENCO budget is turned into people-years of shortfall.
    ey = w[w["label"].str.contains("early years SENCO")]
    assert not ey.empty and (ey["shortfall:ey_senco"] < 0).all()
    assert (w.loc[:, "change"] >= w.loc[:, "predicted"] - 1e-6 * w["predicted"].abs()).all()


def test_explanation_tables_write_to_csv(baseline, tmp_path: Path):
    _, e = baseline
    e.to_csv(tmp_path)
    names = {f"explain_{name}.csv" for name in e.tables()} | {"manifest.json"}
    assert {p.name for p in tmp_path.iterdir()} == names
    e.to_csv(tmp_path)  # its own explanation folder: replaced whole, no temp folder left
    assert {p.name for p in tmp_path.iterdir()} == names
    import pandas as pd

    back = pd.read_csv(tmp_path / "explain_budgets.csv", index_col=[0, 1, 2])
    assert back["value_of_1m"].max() == pytest.approx(e.budgets["value_of_1m"].max())


EVERY_FAMILY = {
    # Builds every limit family (as tests/test_formulation_doc.py's SPEC) with numbers that make
    # several of them bind: EP demand grows, the doctorate is short of places, supervision, budget.
    "name": "every family",
    "horizon": {"first_year": 2026, "last_year": 2028},
    "regions": [{"code": "A", "name": "Area A"}, {"code": "B", "name": "Area B"}],
    "roles": {
        "ep": {"name": "EPs", "initial_stock": {"A": 10, "B": 20}, "attrition": 0.1, "demand": {"A": 14, "B": 21},
               "shortfall_penalty": 50, "surplus_max": 5, "surplus_cost": 1, "hiring": {"max": 0.5, "cost": 8},
               "exits": {"enabled": True, "max": 1, "cost": 2},
               "flexible_supply": {"agency": {"name": "Agency", "fte_per_unit": 1, "cost": 30, "max": 1,
                                              "stream": "la"}}},
        "ta": {"name": "TAs", "initial_stock": {"A": 6, "B": 3}, "attrition": 0.2, "demand": 4, "shortfall_penalty": 5},
    },
    "programmes": {"doc": {"name": "Doc", "role": "ep", "source": "ta", "duration": 1, "completion_rate": 0.9,
                           "course_costs": [{"dfe": 3}, {"dfe": 1, "la": 1}], "places": {"A": 2, "B": 4},
                           "national_places": 5, "supervision_ratio": 0.25, "intake_min": 0.5, "intake_max": 3}},
    "funding_streams": {"dfe": {"name": "DfE", "budget": 14, "envelope": 38}, "la": {"name": "LA", "budget": 40}},
    "surplus_groups": {"g": {"roles": ["ep", "ta"], "max": 9}},
}


def test_every_limit_row_matches_a_finite_difference():
    """Every limit row of a scenario that builds every family: loosen it a little, re-solve,
    compare. Where the value holds for a positive range the two agree; at a degenerate vertex
    (range 0) the reported value is an upper bound on the real improvement."""
    plan = solve(scenario_from_dict(copy.deepcopy(EVERY_FAMILY)))
    e = plan.explain(what_if=0)
    compiled, info = plan.solved
    lim = e.limits
    assert set(lim["family"]) >= {"budget_limit", "envelope_limit", "places_limit", "national_places_limit",
                                  "supervision_limit", "intake_minimum", "intake_maximum", "hires_limit",
                                  "exits_limit", "flex_limit", "surplus_limit", "surplus_group_limit",
                                  "outflow_limit"}
    valued = lim[lim["marginal_value"] > 0]
    assert valued["family"].nunique() >= 4, valued["family"].unique()
    for row in lim.itertuples():
        step = 1e-4
        if np.isfinite(row.holds_at_least) and row.holds_at_least > 0:
            step = min(step, 0.5 * row.holds_at_least)
        fd = finite_difference(plan, row, step)
        if row.marginal_value > 0 and row.holds_at_least == 0:
            assert fd <= row.marginal_value + 1e-6, row.label
        else:
            assert fd == pytest.approx(row.marginal_value, rel=1e-5, abs=1e-5), row.label


def test_cli_explain_prints_and_writes_the_tables(tmp_path: Path):
    from click.testing import CliRunner

    from workforce.cli.commands import main

    result = CliRunner().invoke(main, ["explain", "--top", "3", "--what-if", "1", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    out = result.output
    # The most valuable limit, re-solved first: the 2026 EP budget (it tops the list since the
    # baseline counts its post-horizon years; the early-years budget did before).
    assert "What holds the plan back: " in out and "stage 1" not in out  # one stage: no stage talk
    assert "£1m more in the 2026 budget of DfE EP training grant (EPFT)" in out
    assert "FTE-years" in out
    assert "Budgets: what £1m more gains" in out
    assert "Words used below:" in out and out.count("degenerate:") == 1  # the glossary, once
    # each list is in the order of the value it shows
    lines = out.splitlines()
    for start in (i for i, line in enumerate(lines) if line.strip().startswith("The ") and "most valuable" in line):
        values = []
        for line in lines[start + 2:]:
            if not line.startswith("    ") or not line.strip()[:1].isdigit():
                break
            values.append(float(line.split()[0].replace(",", "")))
        assert values and values == sorted(values, reverse=True), values
    assert (tmp_path / "explain_binding.csv").exists()


def test_envelope_value_matches_finite_difference():
    """Whole-horizon envelope £2k below the £3k budget: 2 starters, shortfall 3, objective 302;
    £1k more in the envelope is worth 99 (and the annual budget then 0)."""
    spec = tiny()
    spec["funding_streams"]["dfe"]["envelope"] = 2
    plan = solve(scenario_from_dict(copy.deepcopy(spec)))
    assert plan.objective == pytest.approx(302)
    e = plan.explain()
    row = limit(e, "envelope_limit")
    assert row["marginal_value"] == pytest.approx(99)
    assert e.budgets.loc[(1, "dfe", "all"), "value_of_1m"] == pytest.approx(99_000)
    assert limit(e, "budget_limit", year=2026)["marginal_value"] == 0
    spec["funding_streams"]["dfe"]["envelope"] = 2.5
    assert (plan.objective - objective(spec)) / 0.5 == pytest.approx(99)


def test_supervision_ratio_value_over_several_years_matches_a_re_solve():
    """Three years, 10% attrition, demand 12: supervision (ratio 0.2 × EPs at the start of each
    year) binds every year, and later years' supervisors depend on earlier intakes. The first-order
    value of the ratio must match a re-solve with the ratio moved by 1e-4."""
    spec = tiny(supervision_ratio=0.2)
    spec["horizon"]["last_year"] = 2028
    spec["roles"]["ep"].update(attrition=0.1, demand=12)
    spec["funding_streams"]["dfe"]["budget"] = 100
    plan = solve(scenario_from_dict(copy.deepcopy(spec)))
    e = plan.explain(what_if=0)
    ratio = e.ratios.loc[(1, "short")]
    assert ratio["binding_rows"] == 3
    moved = copy.deepcopy(spec)
    moved["programmes"]["short"]["supervision_ratio"] = 0.2001
    fd = (plan.objective - objective(moved)) / 1e-4 * 0.01
    assert fd == pytest.approx(ratio["value_of_0.01"], rel=1e-3)


def test_degenerate_value_is_flagged_and_re_solved():
    """tests/scenarios.py's minimal scenario: in the South, 20 EPs lose 10% (18) and the hiring cap
    of 2 brings them back to demand (20) exactly. Shortfall is 0 with the cap binding: a degenerate
    vertex. At such a vertex the dual is not unique: any value between the loosening derivative (0:
    one more hire allowed gains nothing) and the tightening one (one hire fewer leaves the South
    short that year and, through the stock, the years after) is a valid dual, and HiGHS releases
    differ in which they return (1.16.0: 100, 1.15.1: 271). The values are those of stage 1 (the
    objective is shortfall first, then cost), so the tightening derivative is the shortfall penalty
    of one hire fewer in 2026 carried through the stock: 100 × (1 + 0.9 + 0.81) = 271 unit-£k. The
    explanation must report 0 for loosening, flag the row as degenerate and print the dual HiGHS
    gave as the tightening cost."""
    from scenarios import minimal_scenario

    plan = solve(scenario_from_dict(minimal_scenario()))
    e = plan.explain(what_if=0)
    row = limit(e, "hires_limit", region="E2", year=2026)
    assert 0 < row["marginal_value"] <= 271 + 1e-6
    assert row["holds_at_least"] == 0
    assert row["value_if_loosened"] == pytest.approx(0)
    assert finite_difference(plan, row, 0.01) == pytest.approx(0, abs=1e-6)
    text = e.text()
    row_text = next(line for line in text.splitlines() if "hiring cap" in line and "South" in line and "2026" in line)
    cost = f"{row['marginal_value']:,.0f}"
    assert row_text.split()[0] == "0" and f"degenerate: one step of tightening would cost {cost}" in row_text


def test_a_pickled_plan_keeps_its_tables_and_says_how_to_explain_it():
    """Plans travel back from worker processes by pickle; the Pyomo model cannot, so it is dropped
    and explain() asks for a re-solve instead of failing obscurely."""
    import pickle

    from workforce.errors import WorkforceError

    plan = solve(scenario_from_dict(tiny()))
    assert len(pickle.dumps(plan)) > 0  # the Pyomo model's local rule functions would not pickle
    # (A whole plan does not unpickle yet: the scenario's read-only tables refuse to be rebuilt,
    # see workforce/scenario/tables.py. Round-trip the part this change adds.)
    back = dataclasses.replace(plan, solved=pickle.loads(pickle.dumps(plan.solved)))
    assert back.solved.compiled is None
    with pytest.raises(WorkforceError, match="solve its scenario again"):
        back.explain()
    assert plan.explain().limits["marginal_value"].max() == pytest.approx(99)  # the original still explains
