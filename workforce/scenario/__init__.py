"""Scenario stage (the bottom layer): read YAML and CSV, validate, compose variants, forecast inputs.

Owns the pydantic schema (``schema*.py``), the loader (``load``, ``yamlio``, ``csvio``, ``compose``),
the cross-checks (``checks``; the cohort, target and equity rules in ``policy_checks``), demand
forecasts (``forecasts`` over ``projection``) and the generated JSON Schema and YAML reference.
May import only ``workforce.errors`` and ``workforce.conveniences``: no other stage.
"""

from workforce.scenario.load import load_scenario, scenario_from_dict
from workforce.scenario.schema import ENGLAND_REGIONS, TERMS, Scenario

__all__ = ["ENGLAND_REGIONS", "TERMS", "Scenario", "load_scenario", "scenario_from_dict"]
