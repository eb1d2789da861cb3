"""workforce: plan the training of England's SEND workforce.

Pipeline: ``load_scenario`` → ``prepare`` → ``build_model`` → ``solve`` → ``Plan`` tables.
"""

from workforce.data import ModelData, prepare
from workforce.errors import (
    InfeasibleScenarioError,
    NoSolutionError,
    ScenarioError,
    SolveError,
    UnboundedScenarioError,
    WorkforceError,
)
from workforce.model import build_model
from workforce.results import Plan
from workforce.scenario import Scenario, load_scenario, scenario_from_dict
from workforce.solve import solve

__version__ = "0.1.0"

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
    "load_scenario",
    "prepare",
    "scenario_from_dict",
    "solve",
]
