"""workforce: plan the training of England's SEND workforce.

Pipeline: ``load_scenario`` → ``prepare`` → ``build_model`` → ``solve`` → ``Plan`` tables.

One package per stage, importing only the stages below it (the layers contract in pyproject.toml,
checked by tests/test_layers.py), from the bottom: ``scenario`` → ``model`` → ``plan`` (what a
solve produces) → ``solver`` → ``explain`` → ``studies`` → ``output`` and ``plots`` → ``cli``.
``errors``, ``conveniences``, ``output_safety`` (what may be replaced on disk), ``allow`` (the
folders a planner allowed) and ``entry`` (the console entry point) serve every stage.

The names below are imported on first use (PEP 562), so that ``import workforce`` (and the
``workforce`` command starting up) does not load pandas, Pyomo and HiGHS before it needs them, and
a Ctrl-C while they load is caught by the command's entry point (:mod:`workforce.entry`).
"""

from __future__ import annotations

import importlib
import sys
import types
from typing import TYPE_CHECKING, Any

from workforce import _moved

__version__ = "0.1.0"

_HOMES = {
    "ModelData": "workforce.model.data",
    "prepare": "workforce.model.data",
    "InfeasibleScenarioError": "workforce.errors",
    "NoSolutionError": "workforce.errors",
    "ScenarioError": "workforce.errors",
    "SolveError": "workforce.errors",
    "UnboundedScenarioError": "workforce.errors",
    "WorkforceError": "workforce.errors",
    "build_model": "workforce.model",
    "Plan": "workforce.plan.results",
    "Scenario": "workforce.scenario",
    "load_scenario": "workforce.scenario",
    "scenario_from_dict": "workforce.scenario",
    "solve": "workforce.solver.core",
    "compare": "workforce.studies.compare",
    "sweep": "workforce.studies.sweep",
}

__all__ = [
    "InfeasibleScenarioError",
    "ModelData",
    "NoSolutionError",
    "Plan",
    "Scenario",
    "ScenarioError",
    "SolveError",
    "UnboundedScenarioError",
    "WorkforceError",
    "build_model",
    "compare",
    "load_scenario",
    "prepare",
    "scenario_from_dict",
    "solve",
    "sweep",
]

if TYPE_CHECKING:
    from workforce.errors import (
        InfeasibleScenarioError,
        NoSolutionError,
        ScenarioError,
        SolveError,
        UnboundedScenarioError,
        WorkforceError,
    )
    from workforce.model import build_model
    from workforce.model.data import ModelData, prepare
    from workforce.plan.results import Plan
    from workforce.scenario import Scenario, load_scenario, scenario_from_dict
    from workforce.solver.core import solve
    from workforce.studies.compare import compare
    from workforce.studies.sweep import sweep


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'workforce' has no attribute {name!r}")
    value = getattr(importlib.import_module(home), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_HOMES])


class _Package(types.ModuleType):
    """Keeps ``workforce.solve`` the function: importing the submodule of the same name would
    otherwise set the package attribute to the module (as the eager imports used to override)."""

    def __setattr__(self, name: str, value: Any) -> None:
        if name in _HOMES and isinstance(value, types.ModuleType):
            return
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package

_moved.install()  # old module paths (before the stage packages) import for one release, with a warning
