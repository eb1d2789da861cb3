"""The array-based extraction (workforce.plan.extract) gives the same tables as evaluating the model's
expressions element by element (results.reference_tables), on scenarios that exercise every
column: retraining, exits, flexible supply that adds and removes hours, supervision, prior
intake, duration 0, several course years and streams, roles without programmes, no programmes."""

from __future__ import annotations

import copy

import pandas as pd
import pyomo.environ as pyo
import pytest

from workforce import load_scenario, scenario_from_dict
from workforce.cli.commands import bundled_config
from workforce.model import arrays, build_model, horizon
from workforce.model.data import prepare
from workforce.plan.policy import extra_tables, policy_summary
from workforce.plan.results import array_extraction_applies, make_plan, reference_tables
from workforce.solver.core import compile_model, compile_scenario, run

from scenarios import minimal_scenario  # isort: skip

YEARS = [2026, 2027, 2028, 2029]
REGIONS = [{"code": "A", "name": "Area A"}, {"code": "B", "name": "Area B"}, {"code": "C", "name": "Area C"}]

RICH = {
    "name": "Every column",
    "horizon": {"first_year": YEARS[0], "last_year": YEARS[-1]},
    "regions": REGIONS,
    "roles": {
        "ep": {
            "name": "EPs",
            "unit": "FTE",
            "initial_stock": {"A": 40, "B": 25, "C": 0},
            "attrition": {"A": 0.1, "B": 0.08, "C": 0.12},
            "attrition_new_entrants": 0.03,
            "demand": {"A": {2026: 50, 2027: 52, 2028: 55, 2029: 60}, "B": 20, "C": 8},
            "shortfall_penalty": 200,
            "surplus_cost": 1,
            "hiring": {"max": 1.5, "cost": 10, "stream": "la"},
            "exits": {"enabled": True, "cost": 2, "max": 3, "stream": "la"},
            "flexible_supply": {
                "agency": {"name": "Agency EPs", "fte_per_unit": 1, "cost": 100, "max": 2, "stream": "la"},
                "hours": {"name": "Four-day weeks", "fte_per_unit": -0.2, "cost": 0.5, "max": 10},
            },
        },
        "ta": {
            "name": "Assistants",
            "initial_stock": {"A": 100, "B": 80, "C": 30},
            "attrition": 0.15,
            "demand": 70,
            "shortfall_penalty": 5,
            "surplus_max": 20,
            "exits": {"enabled": True, "cost": 1},
        },
        "senco": {"name": "SENCOs", "initial_stock": 10, "attrition": 0.05, "demand": 12, "shortfall_penalty": 20},
    },
    "programmes": {
        "doc": {
            "name": "Doctorate",
            "role": "ep",
            "duration": 2,
            "completion_rate": 0.9,
            "course_costs": [{"dfe": 28}, {"dfe": 12, "la": 16}, {"la": 4}],
            "places": {"A": 6, "B": 3, "C": 2},
            "national_places": 9,
            "supervision_ratio": 0.15,
            "intake_min": {"A": 1, "B": 0, "C": 0},
            "prior_intake": {2024: {"A": 4, "B": 2, "C": 1}, 2025: 3},
        },
        "conv": {
            "name": "Conversion",
            "role": "ep",
            "source": "ta",
            "duration": 1,
            "completion_rate": 0.8,
            "course_costs": [{"dfe": 4}, {"la": 2}],
            "intake_max": 2,
        },
        "npq": {
            "name": "NPQ",
            "role": "senco",
            "duration": 0,
            "completion_rate": 0.85,
            "course_costs": [{"dfe": 1.5}],
            "supervision_ratio": 0.5,
            "supervisor_role": "ep",
        },
    },
    "funding_streams": {
        "dfe": {"name": "DfE", "budget": {2026: 250, 2027: 260, 2028: 270, 2029: 280}},
        "la": {"name": "LAs", "budget": 400, "envelope": 1500},
    },
    "surplus_groups": {"all": {"roles": ["ep", "ta"], "max": 30}},
}


def _no_programmes():
    spec = copy.deepcopy(RICH)
    spec["programmes"] = {}
    # A budget row with nothing charged to it is a constant, which build_model refuses (see the report).
    spec["funding_streams"]["dfe"] = {"name": "DfE"}
    return spec


def _lexicographic():
    spec = copy.deepcopy(RICH)
    spec["objective"] = {"lexicographic": [["shortfall"], ["training_cost"]]}
    return spec


def _unused_columns():
    """A free programme with no limits: its intake in the last two years enters no row and no
    objective term, so the compiler leaves those variables out (they read as 0)."""
    spec = copy.deepcopy(RICH)
    spec["programmes"]["free"] = {"name": "Free course", "role": "senco", "duration": 2, "completion_rate": 0.5,
                                  "course_costs": [{"dfe": 0}]}
    return spec


def _cohorts():
    """The doctorate in whole cohorts of up to 3 with fixed costs on two streams, and a region
    minimum (cohort_open columns): cohort spend items are read from the arrays too."""
    spec = copy.deepcopy(RICH)
    spec["programmes"]["doc"]["cohorts"] = {"max_size": 3, "fixed_cost": {"dfe": 5, "la": 1.5}, "region_minimum": 1}
    return spec


def _calendar():
    """The doctorate with three intake points and a 28-month course, prior cohorts at the spring
    intake; the NPQ with two intakes and a 6-month course."""
    spec = copy.deepcopy(RICH)
    doc = spec["programmes"]["doc"]
    del doc["duration"]
    doc["calendar"] = {"intakes": {"autumn": 0, "spring": 4, "summer": 7}, "duration_months": 28,
                       "prior_intake_at": "spring"}
    npq = spec["programmes"]["npq"]
    del npq["duration"]
    npq["calendar"] = {"intakes": {"november": 2, "april": 7}, "duration_months": 6}
    return spec


def _financial_years():
    """The calendar case with both streams budgeted on financial years (April to March)."""
    spec = _calendar()
    spec["funding_streams"]["dfe"]["year"] = "financial"
    spec["funding_streams"]["la"]["year"] = "financial"
    return spec


def _rules():
    """The calendar case with every rule of sections 12-14: EP tenure (doctorate completers from
    2026, three bands), tenure on assistants who retrain and exit, a penalised NPQ deadline for
    SENCOs, a national completions target, a regional intake target, a place share and equity."""
    spec = _calendar()
    spec["roles"]["ep"]["tenure"] = {"programmes": ["doc"], "from_intake_year": 2026, "attrition": [0.02, 0.03, 0.2]}
    spec["roles"]["ta"]["tenure"] = {"attrition": [0.05, 0.1]}
    spec["roles"]["senco"]["statutory_deadline"] = {"within_years": 2, "mode": "penalise", "penalty": 15,
                                                    "initial_shares": [0.5, 0.3, 0.2]}
    spec["targets"] = {"eps": {"programme": "doc", "by_year": 2029, "at_least": 3},
                       "local": {"programme": "npq", "measure": "intake", "scope": "region", "regions": ["A", "B"],
                                 "annual": True, "from_year": 2027, "by_year": 2028, "at_least": {"A": 1, "B": 0.5}}}
    spec["place_shares"] = {"north": {"programme": "doc", "regions": ["A"], "max_share": 0.7}}
    spec["objective"] = {"equity": {"mode": "before_cost", "roles": ["ep", "senco"]}}
    return spec


CASES = {
    "rules": lambda: scenario_from_dict(_rules()),
    "england_baseline": lambda: load_scenario(bundled_config()),
    "calendar": lambda: scenario_from_dict(_calendar()),
    "financial_years": lambda: scenario_from_dict(_financial_years()),
    "cohorts": lambda: scenario_from_dict(_cohorts()),
    "rich": lambda: scenario_from_dict(RICH),
    "no_programmes": lambda: scenario_from_dict(_no_programmes()),
    "lexicographic": lambda: scenario_from_dict(_lexicographic()),
    "unused_columns": lambda: scenario_from_dict(_unused_columns()),
    "minimal": lambda: scenario_from_dict(minimal_scenario()),
    "england_baseline_without_rules": lambda: _baseline_without_rules(),
    "movement": lambda: scenario_from_dict(_movement()),
}


def _movement():
    """Staff moving between regions (section 21.4), by year in one direction, out of a role that exits."""
    spec = minimal_scenario()
    spec["roles"]["ep"]["movement"] = {"North": {"South": 0.1}, "E2": {"E1": {2026: 0.05, 2027: 0.0, 2028: 0.2}}}
    spec["roles"]["ep"]["exits"] = {"enabled": True, "cost": 1}
    return spec


def _baseline_without_rules():
    """The England baseline less the rules array extraction does not cover (cohorts, calendars,
    tenure, deadlines, financial-year budgets): its stock-and-flow core at full size."""
    spec = load_scenario(bundled_config()).model_dump(mode="python")
    for programme in spec["programmes"].values():
        programme.pop("calendar", None)
        programme.pop("cohorts", None)
    for role in spec["roles"].values():
        role.pop("tenure", None)
        role.pop("statutory_deadline", None)
    for stream in spec["funding_streams"].values():
        stream["year"] = "academic"
    return scenario_from_dict(spec)


def test_the_baseline_with_its_rules_is_read_through_the_model():
    """The full baseline uses cohorts, calendars, tenure and a deadline: its tables come from the
    model's own expressions, not from the array path, which does not compute those rules yet."""
    data = prepare(load_scenario(bundled_config()))
    assert not array_extraction_applies(data)
    assert array_extraction_applies(prepare(_baseline_without_rules()))


@pytest.mark.parametrize("case", list(CASES))
def test_array_extraction_matches_expression_evaluation(case):
    scenario = CASES[case]()
    data = prepare(scenario)
    m = build_model(data)
    compiled = compile_model(m)
    info = run(compiled, data, {"time_limit": None, "threads": 1, "random_seed": 0}, {})
    plan = make_plan(data, m, compiled, info)  # also loads the solution into the model's variables
    assert_tables_match(plan, reference_tables(data, m))


def assert_tables_match(plan, reference) -> None:
    """Each table of ``plan`` equals the reference evaluation (columns, units, index, values)."""
    for name, expected in reference.items():
        got = getattr(plan, name) if name in plan.__dataclass_fields__ else plan.extra[name]
        if "cohorts" in got.columns:  # added to the intake table after either path (add_cohort_columns)
            units = {c: u for c, u in got.attrs["units"].items() if c != "cohorts"}
            got = got.drop(columns=["cohorts"])
            got.attrs["units"] = units
        assert list(got.columns) == list(expected.columns), name
        assert got.index.names == expected.index.names, name
        assert got.attrs["units"] == expected.attrs["units"], name
        if expected.empty:
            assert got.empty, name
            continue
        assert list(got.index) == list(expected.index), name
        # dtypes may differ where the element-wise sum of nothing gave an int 0 (completions without
        # programmes); the arrays are float throughout.
        pd.testing.assert_frame_equal(got, expected, check_exact=False, rtol=1e-9, atol=1e-9, check_dtype=False, obj=name)


def test_variables_without_a_column_are_read_as_zero():
    scenario = CASES["unused_columns"]()
    data = prepare(scenario)
    m = build_model(data)
    compiled = compile_model(m)
    assert len(compiled.columns) < sum(len(v) for v in m.component_objects(pyo.Var))
    info = run(compiled, data, {"time_limit": None, "threads": 1, "random_seed": 0}, {})
    plan = make_plan(data, m, compiled, info)
    assert plan.intake.loc[("free", "A", 2029), "intake"] == 0.0
    assert m.intake["free", "A", 2029].value == 0.0


def test_rich_case_exercises_every_column():
    """Guard against the comparison above passing on all-zero columns."""
    scenario = CASES["rich"]()
    data = prepare(scenario)
    m = build_model(data)
    compiled = compile_model(m)
    info = run(compiled, data, {"time_limit": None, "threads": 1, "random_seed": 0}, {})
    plan = make_plan(data, m, compiled, info)
    flows = plan.flows
    for column in ("leavers", "completions", "hires", "retraining_out", "exits", "flexible"):
        assert (flows[column].abs() > 1e-6).any(), column
    assert plan.intake["supervision_max"].notna().any()
    items = set(plan.spend_detail.index.get_level_values("item"))
    assert {"doc", "conv", "npq", "hiring:ep", "exits:ep", "flexible:ep.agency"} <= items


ARRAY_CASES = [case for case in CASES if arrays.applies(prepare(CASES[case]()))]


def test_array_generated_cases():
    """The cases the arrays generate: all of them, the England baseline with its tenure profile
    and statutory deadline and a case with every rule of sections 12-14 included."""
    assert set(ARRAY_CASES) == set(CASES)


@pytest.mark.parametrize("case", ARRAY_CASES)
def test_plans_generated_as_arrays_match_expression_evaluation(case):
    """A plan whose LP was generated as arrays (no Pyomo model while solving) has the tables the
    model's own expressions give once its Pyomo model is built with the same solution."""
    data = prepare(CASES[case]())
    m, compiled = compile_scenario(data)
    assert m is None
    info = run(compiled, data, {"time_limit": None, "threads": 1, "random_seed": 0}, {})
    compiled.x = info.x
    plan = make_plan(data, None, compiled, info)
    model = compiled.model  # built now, with the solution loaded
    reference = reference_tables(data, model)
    reference.update(extra_tables(data, model))
    if horizon.enabled(data):  # the post-horizon years (section 10.1), with the model's own post_shortfall
        shortfall = {key: var.value for key, var in model.post_shortfall.items()}
        reference["post_horizon"] = horizon.post_horizon_table(data, shortfall, reference["flows"], reference["intake"],
                                                               reference.get("intake_terms"))
    assert_tables_match(plan, reference)
    assert set(plan.extra) == set(extra_tables(data, model)) | ({"post_horizon"} if horizon.enabled(data) else set())
    expected = policy_summary(data, model).get("targets", [])
    assert [{**row, "achieved": pytest.approx(row["achieved"], rel=1e-9, abs=1e-9)} for row in expected] == \
        plan.summary.get("targets", [])
