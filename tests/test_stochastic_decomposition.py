"""Scenario decomposition of stochastic plans (models/stochastic.md §6): its proven bound never
exceeds the extensive form's optimum, and its plan agrees with the extensive form within its gap."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from test_stochastic import intake_2026, newsvendor

from workforce.errors import ScenarioError
from workforce.studies.stochastic import Risk, stochastic_plan
from workforce.studies.stochastic.spec import Stochastic

TOL = 1e-6


def both(scenarios, probabilities=None, **options):
    ef = stochastic_plan(scenarios, probabilities, commit_years=1, mip_gap=0, wait_and_see=False, **options)
    dd = stochastic_plan(scenarios, probabilities, commit_years=1, mip_gap=0, wait_and_see=False,
                         method="decomposition", target_gap=1e-3, **options)
    return ef.measures, dd.measures, dd


def test_decomposition_agrees_with_the_extensive_form_within_its_gap():
    """Demands 5, 12, 30, 18 (¼ each), £1k a starter, penalty 3. For q in [18, 30] only demand 30 is
    short: q + ¼·3·(30 − q) = 22.5 + q/4, least at q = 18: 27. For q in [12, 18] demands 18 and 30 are
    short: q + ¼·3·(48 − 2q) = 36 − q/2, falling to 27 at q = 18. Below 12 the slope is 1 − ¾·3 < 0.
    So RP = 27 at q = 18."""
    ef, dd, result = both([newsvendor(d) for d in (5, 12, 30, 18)])
    assert ef["stochastic_objective"] == pytest.approx(27)
    assert dd["method"] == "decomposition"
    assert dd["stochastic_bound"] <= ef["stochastic_objective"] + TOL
    assert dd["stochastic_objective"] >= ef["stochastic_objective"] - TOL
    assert dd["gap"] <= 1e-3
    assert dd["stochastic_objective"] - dd["stochastic_bound"] <= dd["gap"] * max(1, dd["stochastic_objective"]) + TOL
    assert intake_2026(result) == pytest.approx(18, abs=0.2)
    assert "proven lower bound" in result.summary_text()
    assert "stochastic_bound" in result._repr_html_()


def test_whole_cohorts_in_the_first_stage():
    """The cohort case of test_stochastic (RP = 28 with two cohorts): integer first stage, where the
    bound is the Lagrangian of MIP subproblems (HiGHS's proven bound on each)."""
    cohorts = {"max_size": 10, "fixed_cost": {"dfe": 4}}
    ef, dd, _ = both([newsvendor(10, cohorts=cohorts), newsvendor(20, cohorts=cohorts)])
    assert ef["stochastic_objective"] == pytest.approx(28)
    assert dd["stochastic_bound"] <= 28 + TOL
    assert dd["stochastic_objective"] >= 28 - TOL
    assert dd["stochastic_objective"] - dd["stochastic_bound"] <= dd["gap"] * max(1, dd["stochastic_objective"]) + TOL


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@example(demands=[0, 10, 12], penalty=2.0, course=0.5, hire_cost=2.0)  # a proximal step HiGHS reports unbounded
@given(demands=st.lists(st.integers(0, 40), min_size=2, max_size=4),
       penalty=st.floats(1.5, 6), course=st.floats(0.5, 1.5), hire_cost=st.floats(0.5, 8))
def test_the_bound_never_exceeds_the_optimum(demands, penalty, course, hire_cost):
    """On random small cases (hires as recourse at a random cost, capped at 5 a year) the bound is at
    most the extensive form's optimum, and the plan costs at least that optimum."""
    hires = {"max": 5, "cost": hire_cost}
    scenarios = [newsvendor(d, penalty, course, hires=hires, name=f"d{i}") for i, d in enumerate(demands)]
    ef, dd, _ = both(scenarios)
    assert dd["stochastic_bound"] <= ef["stochastic_objective"] + TOL * max(1, ef["stochastic_objective"])
    assert dd["stochastic_objective"] >= ef["stochastic_objective"] - TOL * max(1, ef["stochastic_objective"])


def test_risk_needs_the_extensive_form():
    with pytest.raises(ScenarioError, match="method: extensive"):
        stochastic_plan([newsvendor(10), newsvendor(20)], commit_years=1, risk=Risk(0.9, 1.0),
                        method="decomposition")
    with pytest.raises(ValueError, match="method: extensive"):
        Stochastic(commit_years=1, method="decomposition", risk={"alpha": 0.9, "weight": 1.0})


def test_an_unknown_method_is_named():
    with pytest.raises(ScenarioError, match="allowed: extensive, decomposition"):
        stochastic_plan([newsvendor(10)], commit_years=1, method="benders")
