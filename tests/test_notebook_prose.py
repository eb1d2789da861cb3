"""The figures the what-if notebook's prose states are the bundled baseline's (issue 17 §4: prose
that quotes numbers must be computed or tested). Each figure is recomputed here from the scenario
or a solve, and the prose must contain it exactly as written."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path

import pytest

from workforce import InfeasibleScenarioError, load_scenario, scenario_from_dict, solve

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def prose() -> str:
    cells = json.loads((ROOT / "examples" / "what_if.ipynb").read_text(encoding="utf-8"))["cells"]
    return re.sub(r"\s+", " ", " ".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown"))


@pytest.fixture(scope="module")
def baseline():
    return load_scenario(ROOT / "configs" / "england_baseline.yaml")


def k(value: float) -> str:
    return f"£{value:g}k"


def test_the_costs_the_prose_quotes_are_the_baselines(prose, baseline):
    doctorate = baseline.programmes["ep_doctorate"]
    dfe = [year.get("dfe_ep", 0) for year in doctorate.course_costs]     # 28.2, 12.15, 12.15
    per_trainee = sum(dfe)                                               # 52.5
    fixed = doctorate.cohorts.fixed_cost["dfe_ep"]                       # 25 a cohort a year
    grant = baseline.funding_streams["dfe_ep"].budget                    # 11,200 a year
    floor = sum(doctorate.intake_min.values())                           # 200 a year
    assert f"(£{grant / 1000:.1f}m a year)" in prose
    assert f"at least {floor:.0f} EP trainees a year" in prose
    assert f"{floor:.0f} x {k(per_trainee)} = £{floor * per_trainee / 1000:.1f}m" in prose
    assert f"£{0.9 * grant / 1000:.2f}m left after a 10% cut" in prose
    assert f"cohorts of {doctorate.cohorts.min_size:.0f} to {doctorate.cohorts.max_size:.0f} trainees" in prose
    assert f"{k(fixed)} fixed cost a year" in prose
    committed = 2 * floor * dfe[1]   # the 2024 and 2025 cohorts' second and third years, in 2026
    assert dfe[1] == dfe[2]
    assert f"2 x {floor:.0f} x {k(dfe[1])} = £{committed / 1000:.2f}m already committed" in prose
    assert f"180 x {k(dfe[0])} in their first year" in prose
    assert f"20 x {k(per_trainee)} + {k(fixed)} = £{20 * per_trainee + fixed:,.0f}k a year" in prose


def test_the_cut_from_2026_is_as_short_as_the_prose_says(prose, baseline):
    """A 10% cut from 2026 with the floor at 90% (180 a year) cannot be funded in 2026."""
    data = copy.deepcopy(baseline.model_dump())
    data["funding_streams"]["dfe_ep"]["budget"] = 0.9 * 11200
    doctorate = data["programmes"]["ep_doctorate"]
    doctorate["intake_min"] = {region: round(0.9 * n, 2) for region, n in doctorate["intake_min"].items()}
    with pytest.raises(InfeasibleScenarioError) as err:
        solve(scenario_from_dict(data, name="cut from 2026"))
    short = re.search(r"2026 budget of .*? is £([\d,.]+)k short", str(err.value))
    assert short, str(err.value)
    said = re.search(r"the planner finds it £([\d,.]+)k short", prose)
    assert said and round(float(short.group(1).replace(",", ""))) == float(said.group(1))


def test_the_north_west_has_the_largest_ep_shortfall_outside_london(prose, baseline):
    shortfall = solve(baseline).workforce.xs("ep", level="role")["shortfall"].groupby(level="region").sum()
    assert shortfall.drop("E12000007").idxmax() == "E12000002"
    assert "North West (E12000002, where the EP shortfall over the horizon is the largest outside London)" in prose
