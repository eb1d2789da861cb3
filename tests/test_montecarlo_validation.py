"""Monte Carlo draws are validated at the corners of the box they span (as grid and hypercube
points are) instead of one by one: a draw's full scenario validation was 8 ms of about 45 ms of CPU
a draw of the England baseline. A box with an invalid corner validates every draw by itself
(tests/test_sweep.py::test_invalid_draws_fail_alone_with_the_key_named runs that end to end)."""

from __future__ import annotations

import copy

from test_sweep import HAND

from workforce import scenario_from_dict
from workforce.studies.spec import points, study_from_dict
from workforce.studies.sweep import _validation_plan


def _plan(parameters: dict):
    spec = study_from_dict({"name": "mc", "scenario": "hand.yaml",
                            "montecarlo": {"draws": 40, "seed": 3, "parameters": parameters}})
    table = points(spec)
    base = scenario_from_dict(copy.deepcopy(HAND)).model_dump()
    return table, _validation_plan(spec, table, base, spec.levers(), "hand")


def test_draws_inside_a_box_whose_corners_validate_are_not_validated_one_by_one():
    """Attrition drawn from 0.05-0.3 and demand scaled by 0.8-1.2: every corner is a valid
    scenario, so no draw is validated by itself."""
    table, plan = _plan({"a": {"path": "roles.ep.attrition", "distribution": "uniform", "low": 0.05, "high": 0.3},
                         "d": {"path": "roles.ep.demand", "op": "scale", "distribution": "triangular",
                               "low": 0.8, "mode": 1.0, "high": 1.2}})
    assert len(plan) == len(table) == 40 and not plan.any()


def test_a_box_with_an_invalid_corner_validates_every_draw():
    """Untruncated normal attrition (mean 0.5, sd 0.6) draws values below 0 or above 1: the corners
    of the draws' box are invalid, so each draw is validated (the invalid ones then fail alone)."""
    table, plan = _plan({"a": {"path": "roles.ep.attrition", "distribution": "normal", "mean": 0.5, "sd": 0.6}})
    assert ((table["a"] < 0) | (table["a"] > 1)).any()
    assert plan.all()
