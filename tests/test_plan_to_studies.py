"""Studies on a scenario planned beyond its reported years (``horizon.plan_to``; models/cohort_planning.md,
section 10.4): a sweep or Monte Carlo point shows the reported years only, as ``workforce run`` does,
and an ``evaluate`` Monte Carlo holds the reported years' intakes and leaves the later ones free.

The scenario is the worked example of section 11 (tests/test_horizon.py), reported to 2028."""

from __future__ import annotations

import copy

import numpy as np
import pytest
import yaml
from test_horizon import WORKED

from workforce import scenario_from_dict, solve
from workforce.studies.sweep import sweep


def planned_to(plan_to: int) -> dict:
    spec = copy.deepcopy(WORKED)
    spec["horizon"]["plan_to"] = plan_to
    return spec


GRID = {"name": "budget", "scenario": "s.yaml",
        "grid": {"parameters": {"budget": {"path": "funding_streams.dfe.budget", "op": "scale", "values": [1.0]}}}}


def test_a_sweep_point_shows_the_reported_years_of_the_run(tmp_path):
    """One point at the scenario itself: its rows are those of `solve` cut to 2026-2028 (the run's
    tables), no 2029 or 2030 row, and its objective is the run's (over the planned years)."""
    (tmp_path / "s.yaml").write_text(yaml.safe_dump(planned_to(2030)))
    (tmp_path / "grid.yaml").write_text(yaml.safe_dump(GRID))
    result = sweep(tmp_path / "grid.yaml", out=tmp_path / "out", workers=1)
    plan = solve(scenario_from_dict(planned_to(2030)))
    rows = result.results()
    assert set(rows["year"]) - {0} == {2026, 2027, 2028}
    intake = rows[rows["measure"] == "intake"].set_index("year")["value"]
    expected = plan.intake.xs(("dedpsy", "NE"), level=("programme", "region"))["intake"]
    assert intake.sort_index().to_numpy() == pytest.approx(expected.sort_index().to_numpy(), abs=1e-6)
    assert result.points["objective"].iloc[0] == pytest.approx(plan.objective, rel=1e-9)
    assert "results show 2026-2028; each point's objective covers the planned years 2026-2030" in result.summary()


def test_evaluate_holds_the_reported_intakes_and_plans_the_later_years_freely(tmp_path):
    """The run's intake.csv has 2026-2028 only. Evaluated on the scenario itself (a budget scale
    drawn in [1, 1.2]: the budget of 250 never binds in this plan), the later years are planned
    freely, so every draw's objective is the run's. Were 2029 held at 0 instead, the 2029 starters the
    plan needs for 2030 would be missing and every draw would cost more."""
    plan = solve(scenario_from_dict(planned_to(2030)))
    later = plan.planned.intake.xs(2029, level="year")["intake"].iloc[0]
    assert later > 1  # the test means something only if the free year is used
    plan.to_csv(tmp_path / "run")
    (tmp_path / "s.yaml").write_text(yaml.safe_dump(planned_to(2030)))
    study = {"name": "eval", "scenario": "s.yaml", "montecarlo": {
        "draws": 3, "seed": 1, "mode": "evaluate", "plan": "run/intake.csv", "parameters": {
            "budget": {"path": "funding_streams.dfe.budget", "op": "scale", "distribution": "uniform",
                       "low": 1.0, "high": 1.2}}}}
    (tmp_path / "mc.yaml").write_text(yaml.safe_dump(study))
    result = sweep(tmp_path / "mc.yaml", out=tmp_path / "out", workers=1)
    assert (result.points["status"] == "ok").all()
    np.testing.assert_allclose(result.points["objective"], plan.objective, rtol=1e-9)
    rows = result.results(["intake"])
    assert set(rows["year"]) == {2026, 2027, 2028}


def test_a_stochastic_plan_reports_the_reported_years_and_commits_only_within_them():
    """The worked example planned to 2030, as one scenario with probability 1: the stochastic plan is
    the run's (objective over 2026-2030, the 2026 intake of 15.75), its shortfall totals are the run's
    over 2026-2028, its tables have no later year, and a commitment reaching past 2028 is refused."""
    from workforce.errors import ScenarioError
    from workforce.studies.stochastic import stochastic_plan

    scenario = scenario_from_dict(planned_to(2030))
    plan = solve(scenario)
    r = stochastic_plan([scenario], [1.0], commit_years=1, mip_gap=0)
    assert r.measures["stochastic_objective"] == pytest.approx(plan.objective, rel=1e-9)
    first = r.first_stage[(r.first_stage["variable"] == "intake") & (r.first_stage["year"] == 2026)]
    assert first["stochastic"].sum() == pytest.approx(15.75, abs=1e-6)
    assert set(r.spend["year"]) == {2026, 2027, 2028}
    assert set(r.plans["year"]) <= {2026, 2027, 2028}
    short = r.shortfall[r.shortfall["plan"] == "stochastic"]["shortfall"].sum()
    assert short == pytest.approx(plan.workforce["shortfall"].sum(), abs=1e-6)
    assert "costs cover the planned years 2026-2030; tables show 2026-2028" in r.summary_text()
    with pytest.raises(ScenarioError, match="commit_years 4 reaches past last_year 2028"):
        stochastic_plan([scenario], [1.0], commit_years=4)
