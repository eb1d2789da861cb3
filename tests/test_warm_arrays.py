"""The array-path warm model (the engine of sweeps and Monte Carlo) against the LP generated afresh
for each point and against the Pyomo warm model it replaces.

Every change of tests/test_warm.py's IN_PLACE list, applied in place, must leave exactly the rows,
bounds and objective that ``compile_arrays`` generates for the changed scenario, and its optimum;
a sweep run on both warm models must write the same points table and the same results, apart
from the seconds each point took.
"""

from __future__ import annotations

import copy

import numpy as np
import pandas as pd
import pytest

from tests.test_warm import IN_PLACE, RICH, _assert_in_place_as_cold, _assert_same_arrays, _lever
from tests.test_warm_policy import IN_PLACE as IN_PLACE_POLICY
from tests.test_warm_policy import IN_PLACE_TERMINAL, POLICY, TERMINAL
from workforce import prepare, scenario_from_dict
from workforce.model.arrays import compile_arrays
from workforce.solver.core import run
from workforce.solver.levers import Lever, scenario_with
from workforce.solver.warm import WarmModel
from workforce.solver.warm_arrays import ArrayWarmModel
from workforce.studies.store import StudyStore
from workforce.studies.sweep import sweep


def _spec() -> dict:
    spec = copy.deepcopy(RICH)
    spec["objective"] = {"weights": {"training_cost": 1.0}}
    return spec


@pytest.fixture(scope="module")
def rich():
    return ArrayWarmModel(scenario_from_dict(_spec()))


def _cold_arrays(base: dict, values: dict, levers: dict, options: dict):
    data = prepare(scenario_with(base, values, levers, "cold"))
    compiled = compile_arrays(data)
    return compiled, run(compiled, data, options, {})


def test_no_pyomo_model_is_built(rich):
    assert rich.model is None and "model" not in rich.compiled._pyomo


@pytest.mark.parametrize(("path", "op", "value"), IN_PLACE, ids=[f"{p}:{o}" for p, o, _ in IN_PLACE])
def test_each_change_in_place_is_the_generated_lp_of_the_changed_scenario(rich, path, op, value):
    lever = _lever("objective.weights.training_cost" if path == "objective.weights" else path, op)
    info, cold, compiled = _assert_in_place_as_cold(rich, lever, value, cold=_cold_arrays)
    assert rich.compiled.csc.nnz == compiled.csc.nnz
    _keys, spend, const = rich._spend  # what each stream spends, read from the regenerated expressions
    np.testing.assert_allclose(spend @ info.x + const, _spend(compiled, info.x), rtol=1e-12, atol=1e-9)


def _spend(compiled, x: np.ndarray) -> np.ndarray:
    """Each stream's spend by year at ``x``, from the generated LP's expressions."""
    d, ex, out = compiled.data, compiled.expressions, []
    for f in d.STREAMS:
        lin = ex.fy_spend(f) if f in d.FY_STREAMS else ex.spend(f)
        value = lin.const.copy()
        r, c, v = lin.coo()
        np.add.at(value, r, v * x[c])
        out.append(value)
    return np.concatenate(out)


_POLICY_CASES = [("policy", *case) for case in IN_PLACE_POLICY] + [("terminal", *case) for case in IN_PLACE_TERMINAL]
_POLICY_MODELS: dict[str, ArrayWarmModel] = {}


@pytest.mark.parametrize(("which", "path", "op", "value"), _POLICY_CASES, ids=[f"{w}:{p}:{o}" for w, p, o, _ in _POLICY_CASES])
def test_policy_and_post_horizon_rows_change_in_place_as_generated(which, path, op, value):
    """tests/test_warm_policy.py's changes (targets, shares, equity, tenure, deadlines, financial
    years, whole cohorts; the post-horizon rows) on the array warm model."""
    if which not in _POLICY_MODELS:
        _POLICY_MODELS[which] = ArrayWarmModel(scenario_from_dict(copy.deepcopy(POLICY if which == "policy" else TERMINAL)))
    _assert_in_place_as_cold(_POLICY_MODELS[which], _lever(path, op), value, cold=_cold_arrays, tol=1e-6)


@pytest.mark.parametrize(("path", "op", "value", "why"), [
    ("programmes.doc.duration", "set", 2, "structure"),
    ("programmes.doc.intake_min.B", "set", 1, "minimum intakes where the model has none"),
])
def test_structural_changes_are_rebuilt_on_the_array_path(rich, path, op, value, why):
    levers = {"x": _lever(path, op)}
    info, used, note = rich.solve_point({"x": value}, levers)
    assert note["how"] == "rebuild" and why in note["reason"]
    assert isinstance(used, ArrayWarmModel) and used is not rich and used.model is None
    compiled, cold = _cold_arrays(rich.base, {"x": value}, levers, rich.options)
    _assert_same_arrays(used.compiled, compiled)
    assert info.objective == pytest.approx(cold.objective, rel=1e-9)


_POINTS = [
    {"a": 0.14, "b": 0.8, "c": 0.03},
    {"a": 0.05, "b": 1.3, "c": -0.02},
    {"a": 0.1, "b": 1.0, "c": 0.0},  # back to the base scenario
    {"a": 0.3, "b": 0.9, "c": 0.05},
]
_LEVERS = {"a": Lever("a", ("roles", "ep", "attrition"), "set"),
           "b": Lever("b", ("funding_streams", "dfe", "budget"), "scale"),
           "c": Lever("c", ("roles", "ep", "demand"), "growth")}


def test_array_and_pyomo_warm_models_give_the_same_points():
    """The same sequence of points on both warm models: same changes pushed, same optimum and
    objective terms. (The plans need not be equal: RICH has optima that tie, e.g. how the TAs'
    shortfall falls between years, and the two LPs number their columns differently, so HiGHS may
    stop at another vertex of the same optimum; tests/test_warm.py checks the Pyomo path the same way.)"""
    arrays_model, pyomo_model = ArrayWarmModel(scenario_from_dict(_spec())), WarmModel(scenario_from_dict(_spec()))
    assert arrays_model.template.equals(pyomo_model.template)
    for values in _POINTS:
        a_info, _a, a_note = arrays_model.solve_point(values, _LEVERS)
        p_info, _p, p_note = pyomo_model.solve_point(values, _LEVERS)
        assert a_note == p_note
        assert a_info.objective == pytest.approx(p_info.objective, rel=1e-9)
        for term, value in p_info.terms.items():
            assert a_info.terms[term] == pytest.approx(value, rel=1e-9, abs=1e-9), term


def _study_files(out) -> tuple[pd.DataFrame, pd.DataFrame, list[dict]]:
    """points.csv, every partition's table and every point's record, without the seconds taken."""
    store = StudyStore(out)
    records = store.records().drop(columns="seconds").reset_index()
    return pd.read_csv(out / "points.csv").drop(columns="seconds"), store.read(), records.to_dict("records")


def test_a_sweep_writes_the_same_results_on_both_warm_models(tmp_path, monkeypatch):
    study = {"name": "both", "scenario": "rich.yaml", "grid": {"parameters": {
        "attrition": {"path": "roles.ep.attrition", "op": "set", "values": [0.05, 0.2]},
        "budget": {"path": "funding_streams.dfe.budget", "op": "scale", "values": [0.7, 1.2]}}}}
    sweep(study, scenario=scenario_from_dict(_spec()), out=tmp_path / "arrays", workers=1, progress=False)
    monkeypatch.setattr("workforce.solver.warm_arrays.ArrayWarmModel", WarmModel)  # the Pyomo path, as before
    sweep(study, scenario=scenario_from_dict(_spec()), out=tmp_path / "pyomo", workers=1, progress=False)
    a_points, a_tables, a_records = _study_files(tmp_path / "arrays")
    p_points, p_tables, p_records = _study_files(tmp_path / "pyomo")
    assert (a_points["status"] == "ok").all() and len(a_points) == 4
    pd.testing.assert_frame_equal(a_points, p_points)
    assert a_records == p_records
    assert len(a_tables) == 4 * len(ArrayWarmModel(scenario_from_dict(_spec())).template)
    pd.testing.assert_frame_equal(a_tables, p_tables, check_exact=True)
