"""The scenario's JSON Schema, for YAML editors: generated from the pydantic models, with units.

``workforce schema`` writes it to ``configs/schema.json``; a scenario file that starts with
``# yaml-language-server: $schema=schema.json`` then gets key completion, hover help (the field
docstrings, with the unit) and inline errors in editors that use the YAML language server
(VS Code's YAML extension, Neovim, Helix, ...).

Units are not part of the Python types, so they are listed here, per ``Model.field``; a field may
instead carry its own with ``Field(json_schema_extra={"unit": "..."})``. Every field that takes a
number must have a unit (``missing_units`` lists those that do not; a test keeps the list empty).
"""

from __future__ import annotations

import json
from typing import Any

from workforce.scenario.schema import Scenario

SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"

ROLE_UNIT = "role unit (people or FTE)"

UNITS: dict[str, str] = {
    "Horizon.first_year": "academic year (2026 = 2026/27)",
    "Horizon.last_year": "academic year (2026 = 2026/27)",
    "Horizon.plan_to": "academic year (2026 = 2026/27)",
    "TerminalValue.years": "years after the last one",
    "TerminalValue.discount_rate": "fraction a year",
    "TerminalValue.weight": "multiple of each role's shortfall_penalty",
    "Hiring.max": f"{ROLE_UNIT} a year (people where the role has fte_per_head)",
    "Hiring.cost": "£k per hire",
    "Exits.cost": "£k per exit",
    "Exits.max": f"{ROLE_UNIT} a year (people where the role has fte_per_head)",
    "FlexibleOption.fte_per_unit": f"{ROLE_UNIT} per unit of the option",
    "FlexibleOption.cost": "£k per unit a year",
    "FlexibleOption.max": "units of the option",
    "Role.initial_stock": ROLE_UNIT,
    "Role.fte_per_head": "FTE per person (above 0, at most 1.5)",
    "Role.attrition": "fraction a year (0-1)",
    "Role.attrition_new_entrants": "fraction a year (0-1)",
    "Role.demand": ROLE_UNIT,
    "Role.shortfall_penalty": "objective weight per role-unit-year unmet (£k-equivalent)",
    "Role.surplus_cost": "£k per role-unit-year",
    "Role.surplus_max": ROLE_UNIT,
    "Role.required_share": "fraction of demand (0-1)",
    "Role.movement": "fraction of the origin region's stock a year (0-1)",
    "Moves.max": "people a year on the route",
    "Moves.cost": "£k per person moved",
    "Programme.duration": "years",
    "Programme.completion_rate": "fraction (0-1)",
    "Programme.course_costs": "£k per starter, per course year",
    "Programme.places": "trainees (starters) a year",
    "Programme.national_places": "trainees (starters) a year, all regions",
    "Programme.supervision_ratio": "starters per supervising role unit",
    "Programme.intake_min": "trainees (starters) a year",
    "Programme.intake_max": "trainees (starters) a year",
    "Programme.prior_intake": "trainees (starters)",
    "CapacityCourseYears.places": "weight per course year (trainees counted per trainee)",
    "CapacityCourseYears.national_places": "weight per course year (trainees counted per trainee)",
    "CapacityCourseYears.supervision": "weight per course year (trainees counted per trainee)",
    "FundingStream.budget": "£k a year",
    "FundingStream.envelope": "£k over the whole horizon",
    "SurplusGroup.max": ROLE_UNIT,
    "Objective.weights": "multiplier (dimensionless)",
    "Objective.lexicographic_tolerance": "fraction of the earlier optimum",
    "Discount.rate": "fraction a year",
    "Discount.base_year": "academic year",
    "SolverSettings.time_limit": "seconds",
    "SolverSettings.threads": "threads",
    "SolverSettings.random_seed": "seed (no unit)",
    "SolverSettings.verify_tolerance": "fraction (relative violation)",
    "SolverSettings.mip_gap": "fraction of the best bound",
    "Calendar.intakes": "month of the academic year (0 = September, 11 = August)",
    "Calendar.duration_months": "months",
    "Cohorts.min_size": "trainees per cohort",
    "Cohorts.max_size": "trainees per cohort",
    "Cohorts.fixed_cost": "£k per cohort run",
    "Cohorts.region_minimum": "trainees a year in a region that runs a cohort",
    "DemandForecast.driver": "the driver's own unit (e.g. EHC plans)",
    "DemandForecast.fit_from": "year",
    "DemandForecast.fit_to": "year",
    "DemandForecast.damping": "fraction of excess growth kept each year (0-1)",
    "DemandForecast.long_run_growth": "fraction a year",
    "DemandForecast.driver_year_offset": "years",
    "DemandForecast.multiply": "ratio (demand units per driver unit, or a dimensionless factor)",
    "DemandForecast.divide": "ratio (driver units per demand unit, or a dimensionless factor)",
    "Equity.tolerance": "fraction of the equitable optimum",
    "TieBreak.tolerance": "fraction of the optimum before the tie-break",
    "Programme.max_intake_change": "starters a year",
    "Horizon.completer_value": "£k-equivalent per completer qualifying after the last year",
    "SteadyState.share": "fraction of attrition x last year's demand (0-1)",
    "PlaceShare.min_share": "fraction of national starters (0-1)",
    "PlaceShare.max_share": "fraction of national starters (0-1)",
    "PlaceShare.from_year": "academic year",
    "PlaceShare.to_year": "academic year",
    "StatutoryDeadline.within_years": "years",
    "StatutoryDeadline.penalty": "objective weight per post-year out of compliance",
    "StatutoryDeadline.initial_shares": "fraction of the unqualified posts at the start (sum 1)",
    "Target.from_year": "academic year",
    "Target.by_year": "academic year",
    "Target.at_least": "people (completions) or trainees (intake)",
    "Tenure.attrition": "fraction a year, by year since qualifying",
    "Tenure.from_intake_year": "academic year",
}
"""Unit of each field that takes a number, keyed by ``Model.field``."""

TABLE_DIMS: dict[str, str] = {
    "Hiring.max": "region × year",
    "Exits.max": "region × year",
    "FlexibleOption.max": "region × year",
    "Role.initial_stock": "region",
    "Role.fte_per_head": "year",
    "Role.attrition": "region",
    "Role.attrition_new_entrants": "region",
    "Role.demand": "region × year",
    "Role.surplus_max": "region × year",
    "Role.required_share": "region × year",
    "Programme.places": "region × year",
    "Programme.national_places": "year",
    "Programme.intake_min": "region × year",
    "Programme.intake_max": "region × year",
    "Programme.prior_intake": "region (for each year before the horizon)",
    "FundingStream.budget": "year",
    "SurplusGroup.max": "region × year",
}
"""What a table field may vary over (the same as :func:`workforce.scenario.checks.table_fields`)."""


def scenario_json_schema() -> dict[str, Any]:
    """JSON Schema (draft 2020-12) of a scenario file, with units in ``unit`` and in descriptions."""
    schema = Scenario.model_json_schema()
    out: dict[str, Any] = {
        "$schema": SCHEMA_DIALECT,
        "title": "workforce scenario",
        "description": (
            "A workforce planning scenario (YAML). Money in £ thousands (£k); rates are fractions "
            "a year (0.09 = 9%); years are academic years (2026 = 2026/27). Generated by "
            "`workforce schema` from the pydantic models in workforce/scenario/schema.py."
        ),
    }
    out.update({k: v for k, v in schema.items() if k not in ("title", "description")})
    models = {"Scenario": out, **out.get("$defs", {})}
    for model, node in models.items():
        for field, prop in node.get("properties", {}).items():
            _annotate(model, field, prop)
    _close_id_maps(out)
    _either_required(out, "Role", "demand", "demand_forecast")
    _either_required(out, "Programme", "duration", "calendar")
    _extends(out)
    return out


def _either_required(schema: dict[str, Any], model: str, key: str, alternative: str) -> None:
    """``model`` needs ``key`` or ``alternative`` (the loader derives the one from the other), e.g. a
    role's ``demand`` or ``demand_forecast``, a programme's ``duration`` or ``calendar``."""
    node = schema.get("$defs", {}).get(model)
    if node is None or alternative not in node.get("properties", {}):
        return
    node["required"] = [k for k in node.get("required", []) if k != key]
    node["anyOf"] = [{"required": [key]}, {"required": [alternative]}]


EXTENDS_DESCRIPTION = (
    "Path of the scenario this one starts from (relative to this file). Mappings merge into the "
    "base, lists and tables replace, null removes a key. A file with `extends:` is a variant: point "
    "it at schema.variant.json, where no key is required."
)


def _extends(schema: dict[str, Any]) -> None:
    schema.setdefault("properties", {})["extends"] = {"type": "string", "description": EXTENDS_DESCRIPTION}


def variant_json_schema() -> dict[str, Any]:
    """The schema of a variant file (one with ``extends:``): every key optional, since a variant
    writes only what differs from its base; ``extends`` itself is required."""
    schema = scenario_json_schema()

    def relax(node: Any) -> None:
        if isinstance(node, dict):
            node.pop("required", None)
            if "anyOf" in node and all(set(o) == {"required"} for o in node["anyOf"]):
                node.pop("anyOf")
            for value in node.values():
                relax(value)
        elif isinstance(node, list):
            for value in node:
                relax(value)

    relax(schema)
    schema["title"] = "workforce scenario variant"
    schema["required"] = ["extends"]
    return schema


def variant_schema_text() -> str:
    """The variant schema as committed in ``configs/schema.variant.json``."""
    return json.dumps(variant_json_schema(), indent=2, ensure_ascii=False) + "\n"


def schema_text() -> str:
    """The schema as committed in ``configs/schema.json``: stable key order, UTF-8, final newline."""
    return json.dumps(scenario_json_schema(), indent=2, ensure_ascii=False) + "\n"


def takes_number(prop: Any) -> bool:
    """Whether a property schema accepts a number anywhere inside it (directly or in a table)."""
    if isinstance(prop, dict):
        if prop.get("type") in ("number", "integer"):
            return True
        return any(takes_number(v) for k, v in prop.items() if k != "default")
    if isinstance(prop, list):
        return any(takes_number(v) for v in prop)
    return False


def missing_units(schema: dict[str, Any] | None = None) -> list[str]:
    """``Model.field`` of every numeric field that has no unit."""
    schema = schema or scenario_json_schema()
    models = {"Scenario": schema, **schema.get("$defs", {})}
    return [
        f"{model}.{field}"
        for model, node in models.items()
        for field, prop in node.get("properties", {}).items()
        if takes_number({k: v for k, v in prop.items() if k != "$ref"}) and "unit" not in prop
    ]


def _annotate(model: str, field: str, prop: dict[str, Any]) -> None:
    key = f"{model}.{field}"
    unit = prop.get("unit") or UNITS.get(key)
    dims = TABLE_DIMS.get(key)
    prop.pop("title", None)  # "Fte Per Unit" adds nothing to the key itself
    parts = [prop.get("description", "").replace("``", "`").replace("\n", " ").strip()]
    if unit:
        prop["unit"] = unit
        parts.append(f"Unit: {unit}.")
    if dims:
        prop["table_dims"] = dims
        parts.append(
            f"A table by {dims}: one number, a mapping by region (code or name) and/or year, or "
            "{file: data.csv}."
        )
    prop["description"] = " ".join(p for p in parts if p)


def _close_id_maps(node: Any) -> None:
    """Maps keyed by an id accept only valid ids, so a bad key is flagged in the editor too."""
    if isinstance(node, dict):
        if "patternProperties" in node and "additionalProperties" not in node:
            node["additionalProperties"] = False
        for value in node.values():
            _close_id_maps(value)
    elif isinstance(node, list):
        for value in node:
            _close_id_maps(value)
