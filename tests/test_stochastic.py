"""Two-stage stochastic plans (models/stochastic.md): hand-solved optima, VSS and EVPI, invariants."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from workforce import scenario_from_dict, solve
from workforce.errors import ScenarioError
from workforce.studies.stochastic import Risk, stochastic_plan


def newsvendor(d27: float, penalty: float = 3.0, course: float = 1.0, cohorts: dict | None = None,
               hires: dict | None = None, name: str | None = None):
    """One area; EPs start at 0 with no attrition and no demand in 2026; demand ``d27`` in 2027.
    The doctorate takes one year at £``course``k a starter (completion 100%), so the 2026 intake
    q is the 2027 stock: the first stage when commit_years = 1. Shortfall costs ``penalty`` a unit."""
    role = {"name": "EPs", "initial_stock": 0, "attrition": 0, "demand": {2026: 0, 2027: d27},
            "shortfall_penalty": penalty}
    if hires:
        role["hiring"] = hires
    programme = {"name": "Doc", "role": "ep", "duration": 1, "completion_rate": 1, "course_costs": [{"dfe": course}]}
    if cohorts:
        programme["cohorts"] = cohorts
        programme["places"] = 100
    return scenario_from_dict({
        "name": name or f"demand {d27}", "horizon": {"first_year": 2026, "last_year": 2027},
        "regions": [{"code": "A", "name": "Area A"}], "roles": {"ep": role},
        "programmes": {"doc": {**programme}}, "funding_streams": {"dfe": {"name": "DfE"}},
    })


def intake_2026(result, plan: str = "stochastic") -> float:
    fs = result.first_stage
    return float(fs.loc[(fs["variable"] == "intake") & (fs["year"] == 2026), plan].sum())


def test_newsvendor_two_scenarios():
    """Demand 10 or 20 (probability ½ each), £1k a starter, penalty 3.

    Stochastic: for 10 ≤ q ≤ 20 the expected cost is q + ½·3·(20 − q) = 30 − q/2, least at q = 20:
    RP = 20 (below 10 it is 45 − 2q ≥ 25). The critical ratio (3 − 1)/3 = ⅔ > ½ orders the upper demand.
    Deterministic (expected value, demand 15): q = 15; in the two scenarios it costs 15 and
    15 + 3·5 = 30, so EEV = 22.5 and VSS = 2.5. Wait-and-see: q = D, costs 10 and 20, WS = 15, EVPI = 5."""
    r = stochastic_plan([newsvendor(10), newsvendor(20)], [0.5, 0.5], commit_years=1, mip_gap=0)
    assert intake_2026(r) == pytest.approx(20)
    assert intake_2026(r, "deterministic") == pytest.approx(15)
    m = r.measures
    assert m["stochastic_objective"] == pytest.approx(20)
    assert m["deterministic_objective"] == pytest.approx(22.5)
    assert m["VSS"] == pytest.approx(2.5)
    assert m["wait_and_see"] == pytest.approx(15)
    assert m["EVPI"] == pytest.approx(5)
    assert m["scenarios"] == 2
    assert list(r.scenarios["deterministic"]) == pytest.approx([15, 30])
    assert list(r.scenarios["wait_and_see"]) == pytest.approx([10, 20])
    short = r.shortfall.set_index(["plan", "scenario"])["shortfall"]
    assert short[("deterministic", "demand 20")] == pytest.approx(5)
    assert short[("stochastic", "demand 20")] == pytest.approx(0)


def test_newsvendor_with_whole_cohorts_in_the_first_stage():
    """As above with cohorts of at most 10 at a fixed £4k each (integer first stage).
    Two cohorts: 8 + q + 1.5·(20 − q) = 38 − q/2, least 28 at q = 20; one cohort (q ≤ 10): 4 + 10 + 15 = 29;
    none: 45. So RP = 28 with two cohorts. EV (demand 15): two cohorts of 15 cost 23 < one cohort's 29,
    so q = 15 and EEV = 23 + 1.5·5 = 30.5, VSS = 2.5. WS: 10 + 4 = 14 and 20 + 8 = 28, WS = 21, EVPI = 7."""
    cohorts = {"max_size": 10, "fixed_cost": {"dfe": 4}}
    r = stochastic_plan([newsvendor(10, cohorts=cohorts), newsvendor(20, cohorts=cohorts)], commit_years=1, mip_gap=0)
    fs = r.first_stage.set_index(["variable", "year"])
    assert fs.loc[("cohorts", 2026), "stochastic"] == pytest.approx(2)
    assert intake_2026(r) == pytest.approx(20)
    assert intake_2026(r, "deterministic") == pytest.approx(15)
    assert r.measures["stochastic_objective"] == pytest.approx(28)
    assert r.measures["VSS"] == pytest.approx(2.5)
    assert r.measures["EVPI"] == pytest.approx(7)
    # solved to optimality (gap 0): the ranges from HiGHS's bounds close on the values
    for name in ("VSS", "EVPI"):
        assert r.measures[f"{name}_at_least"] == pytest.approx(r.measures[name], abs=1e-6)
        assert r.measures[f"{name}_at_most"] == pytest.approx(r.measures[name], abs=1e-6)


def test_uncertainty_that_does_not_matter_has_no_value():
    """Demand 15 for sure; the penalty is 2 or 4, above the £1k a starter either way. Every plan
    trains 15 for £15k: VSS = 0 and EVPI = 0."""
    r = stochastic_plan([newsvendor(15, penalty=2), newsvendor(15, penalty=4)], commit_years=1, mip_gap=0)
    assert intake_2026(r) == pytest.approx(15)
    assert r.measures["stochastic_objective"] == pytest.approx(15)
    assert r.measures["VSS"] == pytest.approx(0, abs=1e-9)
    assert r.measures["EVPI"] == pytest.approx(0, abs=1e-9)


def test_one_scenario_with_probability_one_is_the_deterministic_plan():
    """With one scenario the extensive form is the scenario's own LP: same optimum, same intakes."""
    scenario = newsvendor(17, cohorts={"max_size": 6, "fixed_cost": {"dfe": 2}}, hires={"max": 3, "cost": 2.5})
    plan = solve(scenario)
    r = stochastic_plan([scenario], [1.0], commit_years=1, mip_gap=0)
    assert r.measures["stochastic_objective"] == pytest.approx(plan.objective)
    assert intake_2026(r) == pytest.approx(plan.intake.loc[("doc", "A", 2026), "intake"])
    assert r.measures["VSS"] == pytest.approx(0, abs=1e-9)
    assert r.measures["EVPI"] == pytest.approx(0, abs=1e-9)


def test_cvar_of_cost_commits_more():
    """£2k a starter, penalty 3, demand 10 or 20. Risk-neutral: 30 + q/2 on [10, 20], so q = 10 (RP 35).
    CVaR at ½ of two equally likely costs is the larger, max(2q, 60 − q) = 60 − q for q ≤ 20; with
    weight 1 the objective 30 + q/2 + 60 − q falls to q = 20: 40 + 40 = 80. The EV plan (demand 15:
    q = 15) scores 37.5 + 45 = 82.5 on the same objective: VSS = 2.5."""
    scenarios = [newsvendor(10, course=2), newsvendor(20, course=2)]
    neutral = stochastic_plan(scenarios, commit_years=1, mip_gap=0)
    assert intake_2026(neutral) == pytest.approx(10)
    assert neutral.measures["stochastic_objective"] == pytest.approx(35)
    averse = stochastic_plan(scenarios, commit_years=1, mip_gap=0, risk=Risk(alpha=0.5, weight=1.0))
    assert intake_2026(averse) == pytest.approx(20)
    assert averse.measures["stochastic_objective"] == pytest.approx(80)
    assert averse.measures["cvar"] == pytest.approx(40)
    assert averse.measures["VSS"] == pytest.approx(2.5)
    assert averse.measures["EVPI"] is None


def test_cvar_of_shortfall():
    """CVaR at ½ of the shortfall term 3·(20 − q) with weight 1: 30 + q/2 + 60 − 3q falls to q = 20, objective 40."""
    scenarios = [newsvendor(10, course=2), newsvendor(20, course=2)]
    r = stochastic_plan(scenarios, commit_years=1, mip_gap=0, risk=Risk(alpha=0.5, weight=1.0, of="shortfall"))
    assert intake_2026(r) == pytest.approx(20)
    assert r.measures["stochastic_objective"] == pytest.approx(40)
    assert r.measures["cvar"] == pytest.approx(0, abs=1e-9)


def test_out_of_sample_fixes_the_first_stage():
    """Fresh demands 12 and 25: the stochastic q = 20 costs 20 and 20 + 3·5 = 35; the deterministic
    q = 15 costs 15 and 15 + 3·10 = 45."""
    r = stochastic_plan([newsvendor(10), newsvendor(20)], commit_years=1, mip_gap=0,
                        out_of_sample=[newsvendor(12), newsvendor(25)])
    assert list(r.out_of_sample["stochastic"]) == pytest.approx([20, 35])
    assert list(r.out_of_sample["deterministic"]) == pytest.approx([15, 45])


def test_every_scenario_plan_shares_the_first_stage():
    """Non-anticipativity: the 2026 intake is the same in every scenario's plan; 2027 is recourse."""
    hires = {"max": 5, "cost": 1.5}
    r = stochastic_plan([newsvendor(d, hires=hires) for d in (8, 14, 22)], commit_years=1, mip_gap=0)
    plans = r.plans
    first = plans[(plans["variable"] == "intake") & (plans["year"] == 2026)]["value"]
    assert first.nunique() == 1 and first.iloc[0] == pytest.approx(intake_2026(r))
    assert "hires" in set(r.first_stage["variable"])


def test_bad_probabilities_are_refused():
    with pytest.raises(ScenarioError, match="summing to 1"):
        stochastic_plan([newsvendor(10), newsvendor(20)], [0.5, 0.6], commit_years=1)


def test_scenarios_must_share_the_structure():
    other = newsvendor(20, hires={"max": 2, "cost": 1})
    with pytest.raises(ScenarioError, match="structure"):
        stochastic_plan([newsvendor(10), other], commit_years=1)


def test_lexicographic_objective_is_refused():
    data = newsvendor(10).model_dump()
    data["objective"] = {"lexicographic": [["shortfall"], ["training_cost"]]}
    with pytest.raises(ScenarioError, match="lexicographic"):
        stochastic_plan([scenario_from_dict(data)], commit_years=1)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(demands=st.lists(st.integers(0, 40), min_size=2, max_size=3),
       penalty=st.floats(0.5, 6), course=st.floats(0.2, 3), hire_cost=st.floats(0.5, 8))
def test_vss_and_evpi_are_never_negative(demands, penalty, course, hire_cost):
    """WS ≤ RP ≤ EEV for any scenarios (an LP solved to optimality): EVPI ≥ 0 and VSS ≥ 0."""
    scenarios = [newsvendor(d, penalty=penalty, course=course, hires={"max": 4, "cost": hire_cost}, name=f"s{i}")
                 for i, d in enumerate(demands)]
    r = stochastic_plan(scenarios, commit_years=1, mip_gap=0)
    tol = 1e-6 * max(1.0, abs(r.measures["stochastic_objective"]))
    assert r.measures["VSS"] >= -tol
    assert r.measures["EVPI"] >= -tol
    assert np.isclose(r.measures["stochastic_objective"], r.scenarios["stochastic"].mean())


def test_the_formulation_names_exist_in_the_code():
    """Every function or field that models/stochastic.md names in code font exists in the package."""
    import re
    from pathlib import Path

    import workforce.studies.stochastic.decompose as decompose
    import workforce.studies.stochastic.measures as measures
    import workforce.studies.stochastic.model as model
    import workforce.studies.stochastic.plan as plan
    import workforce.studies.stochastic.scenarios as scenarios
    import workforce.studies.stochastic.solve as solve_mod

    text = (Path(__file__).resolve().parents[1] / "models" / "stochastic.md").read_text(encoding="utf-8")
    names = set(re.findall(r"`([a-z_]+)`", text))
    known = set()
    import importlib

    plan_solve = importlib.import_module("workforce.solver.core")

    engine = importlib.import_module("workforce.studies.stochastic.mpisppy_engine")
    tiebreak = importlib.import_module("workforce.studies.stochastic.tiebreak")
    build = importlib.import_module("workforce.model.build")  # build_model (solver.core imports it on first use)
    for mod in (measures, model, plan, scenarios, solve_mod, plan_solve, decompose, engine, tiebreak, build):
        known |= set(dir(mod))
    known |= {f for cls in (model.Block, model.ExtensiveForm, model.Risk, solve_mod.EFSolution)
              for f in cls.__dataclass_fields__}
    fields = {"stochastic_objective", "stochastic_bound", "gap", "deterministic_objective", "wait_and_see",
              "scenarios", "probability", "offset", "cost", "deterministic_bound", "VSS_at_least", "VSS_at_most",
              "EVPI_at_least", "EVPI_at_most", "deterministic_infeasible", "deterministic_infeasible_in"}
    variables = {"intake", "intake_term", "cohorts", "cohort_open", "hires", "exits", "flex", "stock", "shortfall",
                 "surplus", "cvar_eta", "cvar_excess", "budget_limit", "term_costs", "term_offsets", "first_keys",
                 "fixed", "risk", "first_stage", "commit_years", "of", "weights", "mip_gap",
                 "method", "decomposition", "target_gap", "max_iterations", "time_limit", "workers", "prox", "mip_dual_bound",
                 "extensive", "applied", "tie_break_intake_change"}
    missing = names - known - fields - variables
    assert not missing, f"models/stochastic.md names what the code does not have: {sorted(missing)}"
    m = stochastic_plan([newsvendor(10), newsvendor(20)], commit_years=1, mip_gap=0).measures
    assert fields - {"probability", "offset", "cost"} <= set(m) | {"scenarios"}


def test_the_chart_draws_the_numbers_it_prints():
    """Bar lengths and their labels are the first-stage table's values; the boxes span each plan's
    scenario costs; the title carries VSS and EVPI."""
    from workforce.plots.style import fmt_number

    r = stochastic_plan([newsvendor(10), newsvendor(20)], commit_years=1, mip_gap=0)
    fig = r.chart()
    decisions = fig.axes[0]
    widths = sorted(round(p.get_width(), 9) for p in decisions.patches)
    assert widths == [15.0, 20.0]
    labels = {t.get_text() for t in decisions.texts}
    assert {fmt_number(15.0), fmt_number(20.0)} <= labels
    cost_axis = fig.axes[1]
    drawn = {round(float(v), 9) for line in cost_axis.lines for v in line.get_xdata()}
    assert {15.0, 30.0, 20.0} <= drawn  # the deterministic plan's scenario costs and the stochastic plan's
    assert {"mean 22.5", "mean 20"} <= {t.get_text() for t in cost_axis.texts}
    assert "VSS 2.5" in fig._suptitle.get_text() and "EVPI 5" in fig._suptitle.get_text()


def test_html_view_shows_the_measures():
    r = stochastic_plan([newsvendor(10), newsvendor(20)], commit_years=1, mip_gap=0)
    html = r._repr_html_()
    assert "VSS" in html and "2.5" in html and "EVPI" in html and "intake" in html


def test_plain_repr_is_the_summary():
    r = stochastic_plan([newsvendor(10), newsvendor(20)], commit_years=1, mip_gap=0)
    assert repr(r) == r.summary_text() and "VSS  2.5" in repr(r)


def test_unequal_probabilities():
    """Demand 10 with probability 0.8, 20 with 0.2; £1k a starter, penalty 3. On [10, 20] the expected
    cost is q + 0.6·(20 − q) = 12 + 0.4q, so q = 10 and RP = 16 (P(D ≤ 10) = 0.8 ≥ the critical ratio ⅔).
    EV demand 12: q = 12, EEV = 12 + 0.2·3·8 = 16.8, VSS = 0.8. WS = 0.8·10 + 0.2·20 = 12, EVPI = 4."""
    r = stochastic_plan([newsvendor(10), newsvendor(20)], [0.8, 0.2], commit_years=1, mip_gap=0)
    assert intake_2026(r) == pytest.approx(10)
    assert intake_2026(r, "deterministic") == pytest.approx(12)
    assert r.measures["stochastic_objective"] == pytest.approx(16)
    assert r.measures["VSS"] == pytest.approx(0.8)
    assert r.measures["EVPI"] == pytest.approx(4)


def test_spend_against_budget():
    """The DfE budget is 18 a year: the stochastic plan would train 20 but is held to 18 (spend 18 in
    2026, the whole budget); the deterministic plan trains 15 (spend 15). 2027 intake is worthless: 0."""
    scenarios = []
    for d in (10, 20):
        data = newsvendor(d).model_dump()
        data["funding_streams"]["dfe"]["budget"] = 18
        scenarios.append(scenario_from_dict(data))
    r = stochastic_plan(scenarios, commit_years=1, mip_gap=0)
    spend = r.spend.set_index(["plan", "scenario", "stream", "year"])
    for scenario in ("demand 10", "demand 20"):
        assert spend.loc[("stochastic", scenario, "dfe", 2026), "spend"] == pytest.approx(18)
        assert spend.loc[("deterministic", scenario, "dfe", 2026), "spend"] == pytest.approx(15)
        assert spend.loc[("stochastic", scenario, "dfe", 2026), "budget"] == pytest.approx(18)
        assert spend.loc[("stochastic", scenario, "dfe", 2027), "spend"] == pytest.approx(0, abs=1e-9)


def _with(scenario, **stream):
    data = scenario.model_dump()
    data["funding_streams"]["dfe"].update(stream)
    return scenario_from_dict(data)


def test_a_scenario_infeasible_on_its_own_is_named_and_explained():
    """In the second scenario the 2026 intake must be at least 30 but the £1k-a-starter course has a
    £20k budget: that scenario alone is infeasible, and the error names it and the clashing limits."""
    from workforce.errors import InfeasibleScenarioError

    bad = newsvendor(20, name="squeezed").model_dump()
    bad["programmes"]["doc"]["intake_min"] = {2026: 30, 2027: 0}
    bad["funding_streams"]["dfe"]["budget"] = 20
    good = newsvendor(10).model_dump()
    good["programmes"]["doc"]["intake_min"] = {2026: 0, 2027: 0}
    with pytest.raises(InfeasibleScenarioError, match="scenario squeezed is infeasible on its own") as err:
        stochastic_plan([_with(scenario_from_dict(good), budget=1000), scenario_from_dict(bad)], commit_years=1)
    assert err.value.exit_code == 2 and err.value.conflicts
    assert str(err.value).count("must come down") == 1  # the explanation once, not twice
    assert "minimum intake of Doc in Area A in 2026" in str(err.value)


def test_scenarios_feasible_alone_but_not_together():
    """Scenario A caps the 2026 course spend at £8k (q ≤ 8); scenario B requires q ≥ 12: each is
    feasible alone, no shared 2026 intake suits both."""
    from workforce.errors import InfeasibleScenarioError

    capped = newsvendor(10, name="capped").model_dump()
    capped["programmes"]["doc"]["intake_min"] = {2026: 0, 2027: 0}
    capped = _with(scenario_from_dict(capped), budget={2026: 8, 2027: 100})
    floor = _with(newsvendor(20, name="floor"), budget={2026: 100, 2027: 100}).model_dump()
    floor["programmes"]["doc"]["intake_min"] = {2026: 12, 2027: 0}
    with pytest.raises(InfeasibleScenarioError, match="no commitment for the first 1 year"):
        stochastic_plan([capped, scenario_from_dict(floor)], commit_years=1)


def test_the_chart_draws_a_deterministic_plan_infeasible_in_every_scenario():
    """`workforce stochastic` on the bundled EP study crashed with exit 70 (KeyError 'deterministic')
    when the expected-value plan's commitment was infeasible in every scenario: its shortfall table
    then has no deterministic rows. The chart draws that plan's boxes empty and says why."""
    import math

    r = stochastic_plan([newsvendor(10), newsvendor(20)], [0.5, 0.5], commit_years=1, mip_gap=0)
    r.shortfall = r.shortfall[r.shortfall["plan"] != "deterministic"]
    r.scenarios = r.scenarios.assign(deterministic=math.inf)
    fig = r.chart()
    texts = [t.get_text() for ax in fig.axes for t in ax.texts]
    assert texts.count("infeasible in every scenario") == 2  # cost and shortfall panels
    assert any(t.startswith("mean ") for t in texts)  # the stochastic plan's boxes are drawn as before
