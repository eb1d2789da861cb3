"""A warm array draw regenerates only the families its changed rows belong to (warm_regen), and those
rows are bit for bit the rows of the changed scenario generated cold.

tests/test_warm_arrays.py checks every lever kind in place against the cold build (within 1e-12);
here the regenerated rows must be exactly equal, and a draw must not generate the whole LP again.
"""

from __future__ import annotations

import copy

import numpy as np
import pytest

from tests.test_warm import RICH, _lever
from workforce import prepare, scenario_from_dict
from workforce.model import arrays
from workforce.solver import warm_arrays
from workforce.solver.levers import scenario_with
from workforce.solver.warm_arrays import ArrayWarmModel
from workforce.solver.warm_regen import family_offsets, regenerate
from workforce.solver.warm_rules import ROWS

CHANGES = [  # (path, op, value, the parameter whose rows are regenerated)
    ("roles.ep.attrition", "set", 0.14, "attrition"),
    ("roles.ep.attrition_new_entrants", "set", 0.01, "attrition_new"),
    ("programmes.doc.completion_rate", "set", 0.7, "completion_rate"),
    ("roles.ep.initial_stock", "scale", 1.3, "stock_initial"),
    ("programmes.doc.supervision_ratio", "set", 0.3, "supervision_ratio"),
    ("programmes.doc.course_costs.0.dfe", "scale", 1.5, "cost_course"),
    ("programmes.doc.prior_intake.2025.A", "set", 4, "intake_prior"),
]


@pytest.fixture(scope="module")
def base():
    spec = copy.deepcopy(RICH)
    spec["objective"] = {"weights": {"training_cost": 1.0}}
    return spec


@pytest.mark.parametrize(("path", "op", "value", "param"), CHANGES, ids=[c[0] for c in CHANGES])
def test_regenerated_families_are_bit_for_bit_the_cold_rows(base, path, op, value, param):
    compiled = arrays.compile_arrays(prepare(scenario_from_dict(base)))
    changed = prepare(scenario_with(base, {"x": value}, {"x": _lever(path, op)}, "changed"))
    cold = arrays.compile_arrays(changed)
    names = [n for n in ROWS[param] if n in dict(compiled.row_families)]
    assert names, param
    fresh = regenerate(changed, compiled, names)
    rows_cold = cold.csc.to_scipy().tocsr()
    rows_cold.sort_indices()
    where = family_offsets(compiled.row_families)
    differs = False
    for name in names:
        start, keys = where[name]
        part = slice(start, start + len(keys))
        new, old = fresh.rows[part], rows_cold[part]
        assert np.array_equal(new.indptr, old.indptr) and np.array_equal(new.indices, old.indices), name
        assert np.array_equal(new.data, old.data), name
        assert np.array_equal(fresh.row_lower[part], cold.row_lower[part]), name
        assert np.array_equal(fresh.row_upper[part], cold.row_upper[part]), name
        base_rows = compiled.csc.to_scipy().tocsr()[part]
        differs |= (base_rows != old).nnz > 0 or not np.array_equal(compiled.row_lower[part], cold.row_lower[part])
    assert differs, "the change must move some regenerated row, or the comparison proves nothing"
    others = np.setdiff1d(np.arange(compiled.n_rows),
                          np.concatenate([np.arange(where[n][0], where[n][0] + len(where[n][1])) for n in names]))
    assert fresh.rows[others].nnz == 0  # nothing else generated
    assert np.array_equal(fresh.row_lower[others], compiled.row_lower[others])


def test_a_draw_regenerates_only_the_families_of_its_changed_rows(base, monkeypatch):
    """The ep Monte Carlo levers (attrition, completion, demand) on the array warm model: no whole LP
    is generated, and only families the changed parameters enter are."""
    model = ArrayWarmModel(scenario_from_dict(base))
    model.solve()
    calls: list[frozenset[str]] = []

    def no_whole_lp(*args, **kwargs):
        raise AssertionError("a draw generated the whole LP again")

    def spy(d, compiled, names):
        calls.append(frozenset(names))
        return regenerate(d, compiled, names)

    monkeypatch.setattr(arrays, "compile_arrays", no_whole_lp)
    monkeypatch.setattr(warm_arrays, "regenerate", spy, raising=False)  # raising: the check must fail on code without it
    levers = {"a": _lever("roles.ep.attrition", "set"), "c": _lever("programmes.doc.completion_rate", "set"),
              "d": _lever("roles.ep.demand", "growth")}
    _info, used, note = model.solve_point({"a": 0.14, "c": 0.7, "d": 0.02}, levers)
    assert used is model and note["how"] == "in place", note
    assert calls and set().union(*calls) <= set(ROWS["attrition"]) | set(ROWS["completion_rate"]) | set(ROWS["demand"])
    assert "stock_balance" in set().union(*calls)
