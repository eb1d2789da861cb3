"""The written formulation (models/cohort_planning.md) and the code use the same names."""

from __future__ import annotations

import re
from pathlib import Path

import pyomo.environ as pyo

from workforce import build_model, prepare, scenario_from_dict

DOC = Path(__file__).resolve().parents[1] / "models" / "cohort_planning.md"

SPEC = {
    "name": "names",
    "horizon": {"first_year": 2026, "last_year": 2027},
    "regions": [{"code": "A", "name": "Area A"}, {"code": "B", "name": "Area B"}],
    "roles": {"ep": {"name": "EPs", "initial_stock": 1, "attrition": 0.1, "demand": 2, "shortfall_penalty": 1,
                     "surplus_max": 5, "required_share": 0.5, "hiring": {"max": 1}, "exits": {"enabled": True, "max": 1},
                     "flexible_supply": {"agency": {"name": "Agency", "fte_per_unit": 1, "cost": 1, "max": 1}},
                     "tenure": {"attrition": [0.05, 0.2], "programmes": ["doc"], "from_intake_year": 2026}},
              "ta": {"name": "TAs", "initial_stock": 1, "attrition": 0.1, "demand": 1, "shortfall_penalty": 1,
                     "statutory_deadline": {"within_years": 2, "mode": "require"},
                     "unit": "FTE", "fte_per_head": 0.8, "moves": {"cost": 1, "max": {"A": {"B": 1}}}}},
    "programmes": {"doc": {"name": "Doc", "role": "ep", "source": "ta", "duration": 1, "completion_rate": 1,
                           "course_costs": [{"dfe": 1}], "places": 3, "national_places": 3, "supervision_ratio": 1,
                           "intake_min": 0.5, "intake_max": 2,
                           "cohorts": {"min_size": 0.5, "max_size": 2, "fixed_cost": {"dfe": 1},
                                       "region_minimum": 1}},
                   "npq": {"name": "NPQ", "role": "ta", "completion_rate": 1, "course_costs": [{"fy": 1}],
                           "calendar": {"intakes": {"autumn": 2, "spring": 7}, "duration_months": 12}}},
    "funding_streams": {"dfe": {"name": "DfE", "budget": 10, "envelope": 20},
                        "fy": {"name": "By financial year", "budget": 5, "year": "financial"}},
    "surplus_groups": {"g": {"roles": ["ep", "ta"], "max": 9}},
    "targets": {"t": {"programme": "doc", "by_year": 2027, "at_least": 1}},
    "place_shares": {"s": {"programme": "doc", "regions": ["A"], "min_share": 0.5, "max_share": 1}},
    "objective": {"equity": {}},
}


def test_every_model_component_is_in_the_formulation_document():
    text = DOC.read_text()
    m = build_model(prepare(scenario_from_dict(SPEC)))
    names = [c.name for c in m.component_objects((pyo.Var, pyo.Constraint, pyo.Set), descend_into=True)]
    names = [n for n in names if not n.endswith(("_index", "_domain"))]
    missing = [n for n in names if not re.search(rf"\b{re.escape(n)}\b", text)]
    assert not missing, f"components missing from {DOC.name}: {missing}"
    # Every constraint family is built by this scenario, so the check above covers all of them.
    built = {c.name for c in m.component_objects(pyo.Constraint) if len(c) > 0}
    assert {"stock_balance", "outflow_limit", "demand_balance", "surplus_limit", "surplus_group_limit",
            "hires_limit", "exits_limit", "flex_limit", "places_limit", "national_places_limit",
            "supervision_limit", "intake_minimum", "intake_maximum", "budget_limit", "envelope_limit",
            "cohort_size_minimum", "cohort_size_maximum", "cohort_open_minimum", "cohort_open_limit",
            "target_minimum", "share_minimum", "share_maximum", "equity_limit",
            "unqualified_balance", "unqualified_total", "qualified_in_limit", "statutory_deadline",
            "intake_split", "fy_budget_limit", "requirement_limit", "move_limit"} <= built


def test_every_parameter_of_model_data_is_in_the_formulation_document():
    import dataclasses

    from workforce.model.data import ModelData

    text = DOC.read_text()
    skip = {"scenario", "region_names", "rows", "weights"}
    fields = [f.name for f in dataclasses.fields(ModelData) if f.name not in skip]
    missing = [f for f in fields if not re.search(rf"\b{re.escape(f)}\b", text)]
    assert not missing, f"parameters missing from {DOC.name}: {missing}"
