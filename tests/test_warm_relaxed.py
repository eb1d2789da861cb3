"""Whole-cohort points of a sweep or Monte Carlo study proved by their strengthened LP relaxation,
solved warm (workforce/solver/warm_relaxed.py, models/cohort_planning.md section 19.1): the bounds
implied by the rows keep every whole solution, a forced cohort count is proved without a MIP, a
fractional relaxation falls back to the MIP, and draws of the England baseline's Monte Carlo study
have the optimum a cold MIP of each draw has, the same bits in any order."""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import sparse
from test_cohorts import one_region

import workforce.solver.warm as warm_module
from workforce import scenario_from_dict
from workforce.model.data import prepare
from workforce.scenario import load_scenario
from workforce.scenario.schema import TERMS
from workforce.solver import warm_relaxed
from workforce.solver.core import _highs, compile_scenario
from workforce.solver.levers import Lever, scenario_with
from workforce.solver.warm_arrays import ArrayWarmModel
from workforce.solver.warm_relaxed import implied_bounds
from workforce.studies.spec import load_study, points

ROOT = Path(__file__).resolve().parents[1]
INF = float("inf")


def test_implied_bounds_of_a_cohort_count_by_hand():
    """Columns x (starters, continuous, >= 0) and n (cohorts, whole, 0..4); rows x >= 7 (a minimum
    intake), x - 20 n <= 0 (at most 20 a cohort), x - 6 n >= 0 (at least 6 a cohort).
    Round 1: x >= 7 from the first row; x <= 20 n <= 80 from the second. Round 2: 20 n >= x >= 7,
    so n >= 0.35, whole: n >= 1. With the first row 7 <= x <= 18 as well: 6 n <= x <= 18, n <= 3."""
    A = sparse.csr_array(np.array([[1.0, 0.0], [1.0, -20.0], [1.0, -6.0]]))
    integer = np.array([False, True])
    lo, hi = implied_bounds(A, np.array([7.0, -INF, 0.0]), np.array([INF, 0.0, INF]),
                           np.array([0.0, 0.0]), np.array([INF, 4.0]), integer)
    assert lo[1] == 1.0 and hi[1] == 4.0
    assert lo[0] == pytest.approx(7.0) and hi[0] == pytest.approx(80.0)
    assert lo[0] <= 7.0 and hi[0] >= 80.0  # loosened by rounding, never tightened past the truth
    lo, hi = implied_bounds(A, np.array([7.0, -INF, 0.0]), np.array([18.0, 0.0, INF]),
                           np.array([0.0, 0.0]), np.array([INF, 4.0]), integer)
    assert (lo[1], hi[1]) == (1.0, 3.0)


def test_a_stored_zero_and_free_columns_bound_nothing():
    """A stored zero coefficient (0 x inf is no number) and a row over free columns leave the
    bounds as they are: x free, y free, row 0 x + y <= 5 gives y <= 5 only."""
    A = sparse.csr_array((np.array([0.0, 1.0]), np.array([0, 1]), np.array([0, 2])), shape=(1, 2))
    lo, hi = implied_bounds(A, np.array([-INF]), np.array([5.0]), np.array([-INF, -INF]),
                            np.array([INF, INF]), np.array([False, False]))
    assert list(lo) == [-INF, -INF] and hi[0] == INF and hi[1] == pytest.approx(5.0)


@st.composite
def small_programs(draw):
    """Up to 4 rows over 3 columns with whole coefficients -3..3, each column whole in 0..3."""
    n_rows = draw(st.integers(1, 4))
    A = np.array(draw(st.lists(st.lists(st.integers(-3, 3), min_size=3, max_size=3), min_size=n_rows,
                               max_size=n_rows)), dtype=float)
    lower = np.array(draw(st.lists(st.one_of(st.just(-INF), st.integers(-6, 6)), min_size=n_rows, max_size=n_rows)),
                     dtype=float)
    upper = np.array(draw(st.lists(st.one_of(st.just(INF), st.integers(-6, 12)), min_size=n_rows, max_size=n_rows)),
                     dtype=float)
    integer = np.array(draw(st.lists(st.booleans(), min_size=3, max_size=3)))
    return A, lower, upper, integer


@settings(max_examples=25, deadline=None)
@given(small_programs())
def test_every_whole_solution_keeps_the_implied_bounds(program):
    """Enumerate every whole point of 0..3 cubed: each one that keeps the rows lies within the
    implied bounds (columns marked continuous are tightened without rounding, which must hold too)."""
    A, row_lower, row_upper, integer = program
    lo, hi = implied_bounds(sparse.csr_array(A), row_lower, row_upper, np.zeros(3), np.full(3, 3.0), integer)
    for point in itertools.product(range(4), repeat=3):
        x = np.array(point, dtype=float)
        activity = A @ x
        if (activity >= row_lower).all() and (activity <= row_upper).all():
            assert (x >= lo - 1e-9).all() and (x <= hi + 1e-9).all(), (point, lo, hi)


def _counting(monkeypatch) -> list[bool]:
    """Record, for each warm solve, whether the relaxation proved the point."""
    proved: list[bool] = []

    def counted(model):
        x = warm_relaxed.solve_relaxed(model)
        proved.append(x is not None)
        return x

    monkeypatch.setattr(warm_module, "solve_relaxed", counted)
    return proved


DEMAND = Lever("demand", ("roles", "ep", "demand"), "set")


def test_a_forced_cohort_count_is_proved_by_the_warm_relaxation(monkeypatch):
    """Demand 25 then 28; cohorts of 8-10 at £30k each; at least 21 starters. 21 starters need
    ceil(21 / 10) = 3 cohorts, so the count is at least 3 whatever the plan; the relaxation runs
    exactly 3 (each costs): 25 starters cost 25 + 90 = 115; at demand 28, 28 + 90 = 118 (28 <= 30).
    No MIP is solved; the gap is 0."""
    proved = _counting(monkeypatch)
    model = ArrayWarmModel(scenario_from_dict(one_region(25, {"min_size": 8, "max_size": 10, "fixed_cost": {"dfe": 30}},
                                                         intake_min=21)))
    base = model.solve()
    info, _used, note = model.solve_point({"demand": 28}, {"demand": DEMAND})
    assert note["how"] == "in place"
    assert (base.objective, info.objective) == (pytest.approx(115), pytest.approx(118))
    assert model.intake_plan(info)["doc", "A", 2026] == pytest.approx(28)
    assert info.mip_gap == 0.0 and proved == [True, True]


def test_a_fractional_relaxation_falls_back_to_the_mip(monkeypatch):
    """The same without a minimum intake: the relaxation runs 2.5 cohorts for 25 starters (25 + 75
    = 100), fractional, so the point is solved as a MIP: 3 cohorts, 115 (tests/test_cohorts.py);
    at demand 28, 118. At demand 20 two whole cohorts suffice (20 + 60 = 80) and the relaxation,
    whole, proves it."""
    proved = _counting(monkeypatch)
    model = ArrayWarmModel(scenario_from_dict(one_region(25, {"min_size": 8, "max_size": 10, "fixed_cost": {"dfe": 30}})))
    assert model.solve().objective == pytest.approx(115)
    info, _used, _note = model.solve_point({"demand": 28}, {"demand": DEMAND})
    assert info.objective == pytest.approx(118)
    info, _used, _note = model.solve_point({"demand": 20}, {"demand": DEMAND})
    assert info.objective == pytest.approx(80)
    assert proved == [False, False, True]


@pytest.fixture(scope="module")
def baseline_draws():
    spec, base = load_study(ROOT / "configs" / "studies" / "ep_montecarlo.yaml")
    spec = spec.model_copy(update={"montecarlo": spec.montecarlo.model_copy(update={"draws": 2})})
    table = points(spec)
    levers = spec.levers()
    draws = [{n: float(table.at[i, n]) for n in levers} for i in table.index]
    return load_scenario(base / spec.scenario), levers, draws


def _cold_mip(scenario, values, levers, options) -> float:
    """The draw's scenario built from scratch and solved as a MIP by HiGHS (the weighted objective)."""
    drawn = scenario_with(scenario.model_dump(), values, levers, name=scenario.name)
    data = prepare(drawn)
    _m, compiled = compile_scenario(data)
    h = _highs(compiled, options, integer=True)
    weights = np.array([data.weights[t] for t in TERMS])
    cost = weights @ compiled.term_costs
    h.changeColsCost(len(cost), np.arange(len(cost), dtype=np.int32), cost)
    h.run()
    x = np.asarray(h.getSolution().col_value)
    return float(weights @ (compiled.term_costs @ x + compiled.term_offsets))


def test_baseline_draws_have_the_optimum_of_a_cold_mip_and_the_same_bits_in_any_order(baseline_draws, monkeypatch):
    """Two draws of configs/studies/ep_montecarlo.yaml: each proved by the relaxation (gap 0),
    each objective that of the drawn scenario built cold and solved as a MIP (within the scenario's
    mip_gap; measured 6e-16 over 100 draws), and a second model solving them in reverse order
    returns the same plans bit for bit (each starts from the base's basis)."""
    scenario, levers, draws = baseline_draws
    proved = _counting(monkeypatch)
    model = ArrayWarmModel(scenario, threads=1)
    forward = []
    for values in draws:
        info, _used, note = model.solve_point(values, levers, validate=False)
        assert note["how"] == "in place" and info.mip_gap == 0.0
        cold = _cold_mip(scenario, values, levers, model.options)
        assert info.objective == pytest.approx(cold, rel=scenario.solver.mip_gap)
        forward.append(info.x.copy())
    assert proved == [True] * len(draws)
    other = ArrayWarmModel(scenario, threads=1)
    for values, x in reversed(list(zip(draws, forward, strict=True))):
        info, _used, _note = other.solve_point(values, levers, validate=False)
        assert np.array_equal(info.x, x)
    assert proved == [True] * 2 * len(draws)
