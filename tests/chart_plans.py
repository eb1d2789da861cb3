"""The three plans every chart is drawn for in the chart checks: the England baseline, the baseline
with an extra role (with a long name) trained from its own programme and paid from an extra funding
stream, and a 153-area scenario from benchmarks/national_scale.py (five years, to stay fast)."""

from __future__ import annotations

import copy
import importlib.util
from pathlib import Path
from typing import Any

from workforce import load_scenario, scenario_from_dict, solve
from workforce.cli.commands import bundled_config

ROOT = Path(__file__).resolve().parents[1]


def baseline_plan() -> Any:
    return solve(load_scenario(bundled_config()))


def extra_role_scenario() -> Any:
    """The baseline plus speech and language therapists: stock 1,200 FTE in every region (demand
    1,300), a two-year MSc paid from a new NHS stream of £20m a year."""
    d = copy.deepcopy(load_scenario(bundled_config()).model_dump())
    regions = [r["code"] for r in d["regions"]]
    d["name"] = "England baseline with speech and language therapists"
    d["roles"]["slt"] = {
        "name": "Speech and language therapists working with schools and early years settings",
        "unit": "FTE", "initial_stock": {r: 120 for r in regions}, "attrition": 0.08,
        "demand": {r: 130 for r in regions}, "shortfall_penalty": 150,
    }
    d["funding_streams"]["nhs_slt"] = {"name": "NHS England speech and language therapy training", "budget": 20000}
    d["programmes"]["slt_msc"] = {
        "name": "Pre-registration MSc in speech and language therapy", "role": "slt", "duration": 2,
        "completion_rate": 0.9, "course_costs": [{"nhs_slt": 12}, {"nhs_slt": 12}],
    }
    return scenario_from_dict(d)


def national_scale_scenario() -> Any:
    spec = importlib.util.spec_from_file_location("national_scale", ROOT / "benchmarks" / "national_scale.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return scenario_from_dict(module.synthetic_scenario(areas=153, roles=3, years=5))
