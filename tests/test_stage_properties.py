"""Property (issue 20): on small random whole-cohort scenarios with lexicographic stages, each
stage's recorded value is the value of the plan HiGHS returned for it, and is never below the
optimum of that stage solved alone, from scratch, under the same earlier bounds."""

from __future__ import annotations

import highspy
import numpy as np
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from test_stage_check import reproducer

from workforce import prepare, scenario_from_dict
from workforce.scenario.schema import TERMS
from workforce.solver.core import _highs, compile_scenario, run
from workforce.solver.policy import stage_cost

REPRODUCER = {**reproducer({"lexicographic": [["shortfall"]]}), "solver": {"mip_gap": 0.0, "threads": 1}}
"""The hand-solved case of tests/test_stage_check.py, always among the examples."""

ORDERS = ([["shortfall"]], [["shortfall"], ["training_cost"]], [["training_cost"], ["shortfall"]],
          [["hiring_cost"], ["shortfall"]])


@st.composite
def scenarios(draw) -> dict:
    years = draw(st.integers(1, 4))
    regions = [f"R{i}" for i in range(draw(st.integers(1, 2)))]
    low = draw(st.integers(0, 6))
    cohorts = {"min_size": low, "max_size": low + draw(st.integers(1, 8))}
    if draw(st.booleans()):
        cohorts["fixed_cost"] = {"dfe": draw(st.sampled_from([5, 30, 50.5]))}
    return {
        "name": "property",
        "horizon": {"first_year": 2026, "last_year": 2025 + years},
        "regions": [{"code": r, "name": f"Area {r}"} for r in regions],
        "roles": {"ep": {"name": "EPs", "initial_stock": {r: draw(st.integers(0, 30)) for r in regions},
                         "attrition": draw(st.sampled_from([0.0, 0.1])),
                         "demand": {r: draw(st.integers(5, 60)) for r in regions},
                         "shortfall_penalty": draw(st.sampled_from([3, 10, 37.5])),
                         "hiring": {"max": draw(st.integers(1, 5)), "cost": draw(st.sampled_from([2, 20])),
                                    "stream": "dfe"}}},
        "programmes": {"doc": {"name": "Course", "role": "ep", "duration": draw(st.integers(0, 1)),
                               "completion_rate": draw(st.sampled_from([0.8, 1.0])), "course_costs": [{"dfe": 1.0}],
                               "places": draw(st.integers(10, 30)), "cohorts": cohorts}},
        "funding_streams": {"dfe": {"name": "DfE"}},
        "objective": {"lexicographic": draw(st.sampled_from(ORDERS))},
        "solver": {"mip_gap": 0.0, "threads": 1},
    }


def alone(compiled, cost: np.ndarray, earlier: list[tuple[np.ndarray, float]]) -> float:
    """The stage solved from scratch: the model, the earlier stages' bound rows, no start."""
    h = _highs(compiled, {"threads": 1, "mip_gap": 0.0}, integer=True)
    for row, limit in earlier:
        nz = np.flatnonzero(row)
        h.addRow(-highspy.kHighsInf, limit, len(nz), nz.astype(np.int32), row[nz])
    h.changeColsCost(len(cost), np.arange(len(cost), dtype=np.int32), cost)
    h.run()
    assert h.getModelStatus() == highspy.HighsModelStatus.kOptimal
    return float(h.getInfo().objective_function_value)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenarios())
@example(REPRODUCER)
def test_each_stage_value_is_its_plans_and_never_below_the_stage_alone(spec):
    data = prepare(scenario_from_dict(spec))
    _, compiled = compile_scenario(data)
    plans: list[np.ndarray] = []
    info = run(compiled, data, {"threads": 1, "random_seed": 0, "mip_gap": 0.0}, {},
               on_stage=lambda s, group, h: plans.append(np.asarray(h.getSolution().col_value).copy()))
    tol = data.scenario.objective.lexicographic_tolerance
    earlier: list[tuple[np.ndarray, float]] = []
    plans[-1] = info.x  # the plan returned (its counts made exactly whole)
    for record, x in zip(info.stages, plans, strict=True):
        cost, offset, _ = stage_cost(compiled, data, record["terms"])
        value = float(cost @ x) + offset
        assert abs(record["value"] - value) <= 1e-7 * max(1.0, abs(value))
        best = alone(compiled, cost, earlier) + offset
        assert value >= best - 1e-6 * max(1.0, abs(best))
        earlier.append((cost, value + tol * max(1.0, abs(value)) - offset))
    assert sorted(info.terms) == sorted(TERMS)
