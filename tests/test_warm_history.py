"""A point's plan from the warm model depends on the point alone, bit for bit (issue 21): not on
which points the worker solved before it, so a study resumed after ``kill -9`` (a fresh worker,
another order) writes the same bytes as an uninterrupted one.

Before, a right-hand side moved by the change from the previous point (rounding carried over),
rows whose parameters returned to the base were re-evaluated instead of restored (a last-bit
difference from the compiled base), and a coefficient that became zero and came back was appended
at another position of HiGHS's matrix: 27 to 50 of 200 points differed in the last bits between
two orders of the benchmark's grid (benchmarks/study_kill_resume.py)."""

from __future__ import annotations

import importlib.util
import random
from pathlib import Path

import numpy as np
import pytest

from workforce import scenario_from_dict, solve
from workforce.solver.levers import scenario_with
from workforce.solver.warm import WarmModel
from workforce.studies.spec import points, study_from_dict


def _benchmark_scenario() -> dict:
    """The scenario of benchmarks/study_kill_resume.py (four identical regions share one budget, so
    many regional splits are optimal): the test checks the one the benchmark runs."""
    spec = importlib.util.spec_from_file_location("study_kill_resume", ROOT / "benchmarks" / "study_kill_resume.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.SCENARIO


ROOT = Path(__file__).resolve().parents[1]
TIES = _benchmark_scenario()
GRID = {
    "name": "history", "scenario": "ties.yaml",
    "grid": {"parameters": {
        "budget": {"path": "funding_streams.f.budget", "op": "scale", "low": 0.25, "high": 4, "steps": 8},
        "attrition": {"path": "roles.ep.attrition", "values": [0.0, 0.02, 0.05, 0.1]},  # 0 removes entries
        "cost": {"path": "programmes.course.course_costs.0.f", "values": [1.0, 1.3]},  # an objective term
    }},
}


@pytest.fixture(scope="module")
def grid():
    spec = study_from_dict(GRID)
    table = points(spec)
    return spec.levers(), [{n: float(table.at[i, n]) for n in spec.levers()} for i in table.index]


def _solve_in(order, levers, pts):
    model = WarmModel(scenario_from_dict(TIES), threads=1)
    out = {}
    for i in order:
        info, used, note = model.solve_point(pts[i], levers, validate=False)
        assert note["how"] == "in place"
        out[i] = (info.objective, info.x.copy())
    return out


def test_every_point_is_the_same_bits_whatever_came_before(grid):
    levers, pts = grid
    reference = _solve_in(range(len(pts)), levers, pts)
    rng = random.Random(3)
    for _ in range(2):
        order = list(range(len(pts)))
        rng.shuffle(order)
        got = _solve_in(order, levers, pts)
        differing = [i for i in reference if not np.array_equal(reference[i][1], got[i][1])
                     or reference[i][0] != got[i][0]]
        assert differing == []


def test_the_warm_points_are_the_optima_a_fresh_solve_finds(grid):
    levers, pts = grid
    rng = random.Random(5)
    order = list(range(len(pts)))
    rng.shuffle(order)
    got = _solve_in(order, levers, pts)
    for i in order[:12]:
        fresh = solve(scenario_with(TIES, pts[i], levers, name="ties"))
        assert got[i][0] == pytest.approx(fresh.objective, rel=1e-9, abs=1e-9)
