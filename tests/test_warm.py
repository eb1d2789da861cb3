"""Changing a compiled model in place gives exactly the model a cold rebuild gives, and its optimum."""

from __future__ import annotations

import copy

import numpy as np
import pytest

from tests.scenarios import minimal_scenario
from workforce import prepare, scenario_from_dict
from workforce.errors import InfeasibleScenarioError, ScenarioError
from workforce.model import build_model
from workforce.solver.core import compile_model, run
from workforce.solver.levers import Lever, apply_levers, entry_value, parse_path, probe, scenario_with
from workforce.solver.warm import WarmModel

# Every constraint family and every parameter family, in a model small enough to solve in ms.
RICH = {
    "name": "rich",
    "horizon": {"first_year": 2026, "last_year": 2029},
    "regions": [{"code": "A", "name": "Area A"}, {"code": "B", "name": "Area B"}],
    "roles": {
        "ep": {"name": "EPs", "initial_stock": {"A": 10, "B": 6}, "attrition": 0.1, "attrition_new_entrants": 0.05,
               "demand": {"A": 12, "B": {2026: 7, 2027: 8, 2028: 9, 2029: 10}}, "shortfall_penalty": 50,
               "surplus_cost": 1, "surplus_max": 5, "hiring": {"max": 1, "cost": 4, "stream": "la"},
               "exits": {"enabled": True, "max": 1, "cost": 2, "stream": "la"},
               "flexible_supply": {"agency": {"name": "Agency", "fte_per_unit": 1, "cost": 20, "max": 2,
                                              "stream": "la"}}},
        "ta": {"name": "TAs", "initial_stock": 40, "attrition": 0.2, "demand": 30, "shortfall_penalty": 5},
    },
    "programmes": {
        "doc": {"name": "Doc", "role": "ep", "duration": 1, "completion_rate": 0.9,
                "course_costs": [{"dfe": 3}, {"dfe": 2, "la": 1}], "places": 4, "national_places": 6,
                "supervision_ratio": 0.5, "intake_min": {"A": 1, "B": 0}, "intake_max": 5,
                "prior_intake": {2025: {"A": 2, "B": 1}}},
        "conv": {"name": "Conversion", "role": "ep", "source": "ta", "duration": 0, "completion_rate": 0.8,
                 "course_costs": [{"dfe": 1}], "places": 2},
    },
    "funding_streams": {"dfe": {"name": "DfE", "budget": {2026: 20, 2027: 20, 2028: 22, 2029: 22}, "envelope": 80},
                        "la": {"name": "Local authorities"}},
    "surplus_groups": {"g": {"roles": ["ep", "ta"], "max": 20}},
}

IN_PLACE = [
    ("funding_streams.dfe.budget", "scale", 0.8),
    ("funding_streams.dfe.budget.2027", "set", 12),
    ("funding_streams.dfe.envelope", "add", -10),
    ("programmes.doc.places", "set", 3),
    ("programmes.doc.national_places", "scale", 0.5),
    ("programmes.doc.intake_min", "scale", 2),
    ("programmes.doc.intake_max", "set", 4),
    ("roles.ep.hiring.max", "set", 2),
    ("roles.ep.exits.max", "set", 0.5),
    ("roles.ep.flexible_supply.agency.max", "scale", 1.5),
    ("roles.ep.surplus_max", "set", 3),
    ("roles.ep.demand", "growth", 0.03),
    ("roles.ep.demand.A", "scale", 1.2),
    ("roles.ep.attrition", "set", 0.14),
    ("roles.ep.attrition_new_entrants", "set", 0.01),
    ("roles.ta.attrition", "scale", 0.5),
    ("programmes.doc.completion_rate", "set", 0.7),
    ("roles.ep.initial_stock", "scale", 1.3),
    ("programmes.doc.supervision_ratio", "set", 0.3),
    ("roles.ep.flexible_supply.agency.fte_per_unit", "set", 0.8),
    ("programmes.doc.course_costs.1.la", "set", 5),
    ("programmes.doc.course_costs.0.dfe", "scale", 1.5),
    ("roles.ep.hiring.cost", "set", 9),
    ("roles.ep.exits.cost", "set", 0),
    ("roles.ep.flexible_supply.agency.cost", "scale", 0.5),
    ("roles.ep.shortfall_penalty", "set", 80),
    ("roles.ep.surplus_cost", "set", 3),
    ("programmes.doc.prior_intake.2025.A", "set", 4),
    ("objective.weights", "set", 2.0),
]
"""(path, op, value) changes that are applied to the compiled model in place."""


def _lever(path: str, op: str) -> Lever:
    return Lever("x", parse_path(path), op)  # type: ignore[arg-type]


def _cold(base: dict, values: dict, levers: dict, options: dict):
    scenario = scenario_with(base, values, levers, "cold")
    data = prepare(scenario)
    compiled = compile_model(build_model(data))
    return compiled, run(compiled, data, options, {})


def _assert_same_arrays(warm, cold) -> None:
    a = warm.A.tocsr()
    a.eliminate_zeros()
    b = cold.A.tocsr()
    assert a.shape == b.shape
    assert abs(a - b).max() < 1e-12 if (a - b).nnz else True
    np.testing.assert_allclose(warm.row_lower, cold.row_lower, rtol=1e-12, atol=1e-9)
    np.testing.assert_allclose(warm.row_upper, cold.row_upper, rtol=1e-12, atol=1e-9)
    np.testing.assert_allclose(warm.term_costs, cold.term_costs, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(warm.term_offsets, cold.term_offsets, rtol=1e-12, atol=1e-9)


def _assert_in_place_as_cold(warm, lever: Lever, value, *, cold=_cold, tol: float = 1e-9):
    """One point changed in place on ``warm``: it must be applied in place, give the arrays of the
    changed scenario built cold (by ``cold``) and its optimum. Returns the point's and the cold
    solve's info, and the cold arrays, for the caller's own further checks."""
    levers = {"x": lever}
    info, used, note = warm.solve_point({"x": value}, levers)
    assert used is warm and note["how"] == "in place", note
    compiled, reference = cold(warm.base, {"x": value}, levers, warm.options)
    _assert_same_arrays(warm.compiled, compiled)
    assert info.objective == pytest.approx(reference.objective, rel=tol, abs=tol)
    return info, reference, compiled


def _weights_lever() -> Lever:
    return Lever("x", ("objective", "weights"), "set")


@pytest.fixture(scope="module")
def rich():
    spec = copy.deepcopy(RICH)
    spec["objective"] = {"weights": {"training_cost": 1.0}}
    return WarmModel(scenario_from_dict(spec))


@pytest.mark.parametrize(("path", "op", "value"), IN_PLACE, ids=[f"{p}:{o}" for p, o, _ in IN_PLACE])
def test_each_change_in_place_matches_a_cold_rebuild(rich, path, op, value):
    lever = _lever("objective.weights.training_cost" if path == "objective.weights" else path, op)
    info, cold, _ = _assert_in_place_as_cold(rich, lever, value)
    for term in info.terms:
        assert info.terms[term] == pytest.approx(cold.terms[term], rel=1e-6, abs=1e-6)


def test_a_sequence_of_changes_returns_exactly_to_the_base_model():
    model = WarmModel(scenario_from_dict(copy.deepcopy(RICH)))
    base = {k: v.copy() for k, v in vars(model.compiled).items() if isinstance(v, np.ndarray)}
    first = model.solve().objective
    levers = {"a": _lever("roles.ep.attrition", "set"), "b": _lever("funding_streams.dfe.budget", "scale"),
              "c": _lever("programmes.doc.course_costs.0.dfe", "set")}
    for values in ({"a": 0.2, "b": 1.1}, {"b": 0.9, "c": 6}, {"a": 0.05}):
        model.solve_point(values, levers)
    info, _, _ = model.solve_point({}, levers)
    for name, array in base.items():
        np.testing.assert_allclose(getattr(model.compiled, name), array, rtol=1e-12, atol=1e-9, err_msg=name)
    assert info.objective == pytest.approx(first, rel=1e-12)


def test_two_levers_on_one_value_compose_in_order(rich):
    levers = {"s": _lever("roles.ep.demand", "scale"), "g": _lever("roles.ep.demand", "growth")}
    info, _, note = rich.solve_point({"s": 1.1, "g": 0.02}, levers)
    assert note["how"] == "in place"
    compiled, cold = _cold(rich.base, {"s": 1.1, "g": 0.02}, levers, rich.options)
    _assert_same_arrays(rich.compiled, compiled)
    assert info.objective == pytest.approx(cold.objective, rel=1e-9)


@pytest.mark.parametrize(("path", "op", "value", "why"), [
    ("programmes.doc.duration", "set", 2, "structure"),
    ("surplus_groups.g.max", "set", 10, "structure"),
    ("programmes.conv.intake_min", "set", 1, "structure (intake_min)"),
    ("programmes.doc.intake_min.B", "set", 1, "minimum intakes where the model has none"),
    ("objective.lexicographic_tolerance", "set", 0.01, "moves no model parameter"),
])
def test_structural_changes_are_rebuilt_and_say_why(rich, path, op, value, why):
    levers = {"x": _lever(path, op)}
    info, used, note = rich.solve_point({"x": value}, levers)
    assert note["how"] == "rebuild" and why in note["reason"]
    assert used is not rich
    compiled, cold = _cold(rich.base, {"x": value}, levers, rich.options)
    _assert_same_arrays(used.compiled, compiled)
    assert info.objective == pytest.approx(cold.objective, rel=1e-9)


def test_entry_values_reproduce_prepare():
    """The probe's per-entry arithmetic equals validating and preparing the changed scenario."""
    scenario = scenario_from_dict(copy.deepcopy(RICH))
    base = scenario.model_dump()
    data = prepare(scenario)
    for path, op, value in IN_PLACE[:20]:
        lever = _lever(path, op)
        effect = probe(base, data, lever)
        assert effect.structural is None and effect.entries, path
        changed = prepare(scenario_from_dict(apply_levers(base, {"x": value}, {"x": lever})))
        for name, entries in effect.entries.items():
            table = getattr(changed, name)
            for key, base_value in entries.items():
                raw = key if isinstance(next(iter(table)), tuple) else key[0]
                assert entry_value(lever, base_value, key, value, 2026) == pytest.approx(table[raw], rel=1e-15), (path, key)


def test_an_invalid_value_is_a_scenario_error_naming_the_key(rich):
    levers = {"x": _lever("roles.ep.attrition", "set")}
    with pytest.raises(ScenarioError) as info:
        rich.solve_point({"x": 1.5}, levers)
    assert "roles.ep.attrition" in str(info.value)


def test_a_path_that_does_not_exist_suggests_the_right_key(rich):
    with pytest.raises(ScenarioError) as info:
        scenario_with(rich.base, {"x": 1.0}, {"x": _lever("roles.ep.atrition", "set")}, "x")
    assert "did you mean 'attrition'" in str(info.value)


def test_lexicographic_objective_re_solves_in_place_and_keeps_no_stage_rows():
    """The tiny scenario optimises shortfall first, then cost; each re-solve must match a cold solve
    and leave the HiGHS model with its original rows."""
    model = WarmModel(scenario_from_dict(minimal_scenario()))
    rows = model.h.getNumRow()
    levers = {"p": _lever("programmes.dedpsy.places", "set"), "c": _lever("roles.ep.hiring.cost", "set")}
    for values in ({"p": 3}, {"p": 1, "c": 50}, {"c": 1}):
        info, _, note = model.solve_point(values, levers)
        assert note["how"] == "in place" and model.h.getNumRow() == rows
        _, cold = _cold(model.base, values, levers, model.options)
        assert info.terms == pytest.approx(cold.terms, rel=1e-6, abs=1e-6)


def test_fixed_intake_holds_the_plan_and_re_optimises_the_rest():
    """Hold the intake of the optimal plan, then raise EP attrition: intake must stay, and
    the shortfall can only grow (the rest re-optimises around the fixed intake)."""
    model = WarmModel(scenario_from_dict(copy.deepcopy(RICH)))
    base = model.solve()
    plan = model.intake_plan(base)
    model.fix_intake(plan)
    info, _, _ = model.solve_point({"a": 0.3}, {"a": _lever("roles.ep.attrition", "set")})
    assert model.intake_plan(info) == pytest.approx(plan, abs=1e-7)
    assert info.terms["shortfall"] >= base.terms["shortfall"] - 1e-9
    free = WarmModel(scenario_with(model.base, {"a": 0.3}, {"a": _lever("roles.ep.attrition", "set")}, "free"))
    assert free.solve().objective <= info.objective + 1e-6  # optimising intake can only do better


def test_a_change_that_fails_half_way_leaves_the_model_as_the_base(monkeypatch):
    """If an in-place change breaks off after touching the model, the model is reset to the base
    scenario, so the next point is still exact."""
    import workforce.solver.warm as warm

    model = WarmModel(scenario_from_dict(copy.deepcopy(RICH)))
    base_objective = model.solve().objective
    levers = {"a": _lever("roles.ep.attrition", "set"), "b": _lever("funding_streams.dfe.budget", "scale")}

    def broken(*args, **kwargs):
        raise warm.NeedsRebuild("simulated failure after the parameters changed")

    monkeypatch.setattr(WarmModel, "_recompute_objective", broken)
    info, used, note = model.solve_point({"a": 0.2, "b": 0.9, "x": 9.0},
                                         {**levers, "x": _lever("roles.ep.hiring.cost", "set")})
    assert note["how"] == "rebuild" and used is not model
    monkeypatch.undo()
    assert model.solve().objective == pytest.approx(base_objective, rel=1e-12)
    info, _, note = model.solve_point({"b": 0.9}, levers)
    _, cold = _cold(model.base, {"b": 0.9}, levers, model.options)
    assert note["how"] == "in place" and info.objective == pytest.approx(cold.objective, rel=1e-9)


from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

_POINT = st.fixed_dictionaries({}, optional={
    "budget": st.floats(0.6, 2.0), "attrition": st.floats(0.0, 0.6), "completion": st.floats(0.3, 1.0),
    "demand": st.floats(-0.05, 0.1), "cost": st.floats(0.0, 10.0)})
_LEVERS = {
    "budget": _lever("funding_streams.dfe.budget", "scale"),
    "attrition": _lever("roles.ep.attrition", "set"),
    "completion": _lever("programmes.doc.completion_rate", "set"),
    "demand": _lever("roles.ep.demand", "growth"),
    "cost": _lever("programmes.doc.course_costs.1.la", "set"),
}
_SHARED: dict[str, WarmModel] = {}


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_POINT, min_size=1, max_size=3))
def test_any_sequence_of_points_re_solves_to_the_cold_optimum(sequence):
    """Whatever sequence of points a sweep visits (one shared model across examples, as in a
    worker), each warm optimum equals the cold rebuild's."""
    if "m" not in _SHARED:
        _SHARED["m"] = WarmModel(scenario_from_dict(copy.deepcopy(RICH)))
    model = _SHARED["m"]
    levers = {name: Lever(name, lv.path, lv.op) for name, lv in _LEVERS.items()}
    for values in sequence:
        try:
            info, _used, note = model.solve_point(values, levers)
        except InfeasibleScenarioError:  # then a cold solve must find it infeasible too
            with pytest.raises(InfeasibleScenarioError):
                _cold(model.base, values, levers, model.options)
            continue
        assert note["how"] == "in place"
        _, cold = _cold(model.base, values, levers, model.options)
        assert info.objective == pytest.approx(cold.objective, rel=1e-7, abs=1e-6)
