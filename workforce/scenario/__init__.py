"""Scenario stage: read YAML/CSV, validate, freeze."""

from workforce.scenario.load import load_scenario, scenario_from_dict
from workforce.scenario.schema import ENGLAND_REGIONS, TERMS, Scenario

__all__ = ["ENGLAND_REGIONS", "TERMS", "Scenario", "load_scenario", "scenario_from_dict"]
