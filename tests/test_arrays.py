"""The LP generated as arrays (workforce.model.arrays) is the LP Pyomo compiles from build_model.

Rows are matched by (family, index) and columns by (variable, index), so the two may order them
differently; a row may also be written with the opposite sign (a ≤ b as −a ≥ −b), so each row is
compared after scaling its first coefficient to be positive.
"""

from __future__ import annotations

import copy
import importlib.util
from pathlib import Path
from typing import Any

import numpy as np
import pyomo.environ as pyo
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from workforce import InfeasibleScenarioError, scenario_from_dict, solve
from workforce.model import arrays, build_model
from workforce.model.data import prepare
from workforce.solver.core import compile_model, compile_scenario

from scenarios import minimal_scenario  # isort: skip

ROOT = Path(__file__).resolve().parents[1]
YEARS = [2026, 2027, 2028, 2029]
REGIONS = ["A", "B", "C"]


def national_scale() -> Any:
    spec = importlib.util.spec_from_file_location("national_scale", ROOT / "benchmarks" / "national_scale.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


ROUNDING_ZERO = 1e-15
"""Coefficients this small are the residue of a cancellation, not a term of the row."""


def canonical(A: Any, lower: np.ndarray, upper: np.ndarray, rows: list[Any], columns: list[Any]) -> dict[Any, Any]:
    """Row key → (sorted (column key, coefficient) pairs, lower, upper), first coefficient positive.

    A coefficient is left out when it is zero up to rounding (|v| ≤ ROUNDING_ZERO): Pyomo's
    expressions can leave the residue of a cancellation (for example −1.08e−19 on an intake whose
    tenure-band and role attrition are both 0.001), where the arrays compute exactly 0; HiGHS drops
    both (its small_matrix_value is 1e−9), so the LPs it solves are the same."""
    A = A.tocsr()
    out = {}
    for i, key in enumerate(rows):
        lo, hi = A.indptr[i], A.indptr[i + 1]
        entries = sorted((str(columns[j]), float(v)) for j, v in zip(A.indices[lo:hi], A.data[lo:hi], strict=True)
                         if abs(v) > ROUNDING_ZERO)
        low, high = float(lower[i]), float(upper[i])
        if entries and entries[0][1] < 0:
            entries = [(c, -v) for c, v in entries]
            low, high = -high, -low
        assert key not in out, f"row {key} appears twice"
        out[key] = (entries, low, high)
    return out


def costs(term_costs: np.ndarray, offsets: np.ndarray, columns: list[Any]) -> list[tuple[dict[str, float], float]]:
    return [({str(columns[j]): float(row[j]) for j in np.flatnonzero(row)}, float(offset))
            for row, offset in zip(term_costs, offsets, strict=True)]


def assert_same_lp(spec: dict[str, Any]) -> None:
    assert_same_model(prepare(scenario_from_dict(copy.deepcopy(spec))))


def assert_same_model(d: Any) -> None:
    """Every row (by family and index), bound, coefficient, column bound and objective term of the
    generated LP equals what Pyomo's compiler makes of build_model(d); a row with no decision in it
    that cannot hold is refused by both."""
    assert arrays.applies(d)
    try:
        reference = compile_model(build_model(d))
    except InfeasibleScenarioError:
        with pytest.raises(arrays.ConstantRowsInfeasible):
            arrays.compile_arrays(d)
        return
    generated = arrays.compile_arrays(d)
    ref_rows = [(con.parent_component().name, con.index()) for con in reference.rows]
    ref_cols = [(v.parent_component().name, v.index()) for v in reference.columns]
    gen_cols = generated.layout.column_keys()
    expected = canonical(reference.A, reference.row_lower, reference.row_upper, ref_rows, ref_cols)
    got = canonical(generated.A, generated.row_lower, generated.row_upper, generated.row_keys(), gen_cols)
    assert set(got) == set(expected), f"rows only generated: {set(got) - set(expected)}; only in Pyomo: {set(expected) - set(got)}"
    for key, (entries, low, high) in expected.items():
        g_entries, g_low, g_high = got[key]
        assert [c for c, _ in g_entries] == [c for c, _ in entries], key
        np.testing.assert_allclose([v for _, v in g_entries], [v for _, v in entries], rtol=1e-12, err_msg=str(key))
        np.testing.assert_allclose([g_low, g_high], [low, high], rtol=1e-12, atol=1e-12, err_msg=str(key))
    # Columns Pyomo leaves out (in no row and no cost) are empty columns here.
    extra = set(map(str, gen_cols)) - set(map(str, ref_cols))
    by_name = {str(c): j for j, c in enumerate(gen_cols)}
    assert all(generated.A[:, [by_name[c]]].nnz == 0 and not generated.term_costs[:, by_name[c]].any() for c in extra)
    for (ref_cost, ref_offset), (gen_cost, gen_offset) in zip(
        costs(reference.term_costs, reference.term_offsets, ref_cols),
        costs(generated.term_costs, generated.term_offsets, gen_cols), strict=True,
    ):
        assert set(gen_cost) == set(ref_cost)
        np.testing.assert_allclose([gen_cost[c] for c in ref_cost], list(ref_cost.values()), rtol=1e-12)
        assert gen_offset == pytest.approx(ref_offset, rel=1e-12, abs=1e-12)
    # Column bounds and integrality (whole cohorts), matched by variable and index.
    def columns_of(compiled: Any, keys: list[Any]) -> dict[str, tuple[float, float, bool]]:
        integer = compiled.integrality if compiled.integrality is not None else np.zeros(len(keys), dtype=bool)
        return {str(k): (float(lo), float(hi), bool(flag)) for k, lo, hi, flag
                in zip(keys, compiled.col_lower, compiled.col_upper, integer, strict=True)}

    ref_bounds, gen_bounds = columns_of(reference, ref_cols), columns_of(generated, gen_cols)
    assert {k: gen_bounds[k] for k in ref_bounds} == ref_bounds
    assert (generated.integrality is None) == (reference.integrality is None)


amount = st.floats(min_value=0, max_value=100, allow_nan=False).map(lambda v: round(v, 2))
rate = st.floats(min_value=0, max_value=0.3).map(lambda v: round(v, 3))


@st.composite
def rich_scenarios(draw) -> dict[str, Any]:
    """Every family of sections 3-8: exits, hiring, flexible supply with several options, retraining,
    prior intake, places (regional and national), supervision, minimum and maximum intakes,
    surplus caps and groups, budgets, envelopes and committed costs."""

    def table(strategy: Any) -> Any:
        return draw(st.one_of(strategy, st.fixed_dictionaries({r: strategy for r in REGIONS})))

    def by_year(strategy: Any) -> dict[str, dict[int, Any]]:
        return {r: {t: draw(strategy) for t in YEARS} for r in REGIONS}

    ep_duration = draw(st.integers(0, 3))
    spec: dict[str, Any] = {
        "name": "rich",
        "horizon": {"first_year": YEARS[0], "last_year": YEARS[-1]},
        "regions": [{"code": r, "name": f"Area {r}"} for r in REGIONS],
        "roles": {
            "ep": {
                "name": "EPs", "unit": "FTE", "initial_stock": table(amount), "attrition": table(rate),
                "attrition_new_entrants": draw(rate),
                "demand": by_year(amount), "shortfall_penalty": draw(st.sampled_from([1, 50, 200])),
                "surplus_cost": draw(st.sampled_from([0, 1.5])),
                "hiring": {"max": table(st.sampled_from([0, 5, 20])), "cost": draw(st.sampled_from([0, 8])),
                           "stream": draw(st.sampled_from(["la", None]))},
                "flexible_supply": {
                    "agency": {"name": "Agency", "fte_per_unit": 1.0, "cost": 90, "max": table(st.sampled_from([0, 3])),
                               "stream": "la"},
                    "locum": {"name": "Locum", "fte_per_unit": draw(st.sampled_from([0.5, 0.8])), "cost": 60,
                              "max": by_year(st.sampled_from([0, 2]))},
                },
            },
            "ta": {
                "name": "Assistants", "initial_stock": table(amount), "attrition": table(rate),
                "demand": by_year(amount), "shortfall_penalty": 5,
                "exits": {"enabled": True, "cost": draw(st.sampled_from([0, 2])), "stream": "la",
                          "max": table(st.sampled_from([1, 10]))},
            },
            "senco": {
                "name": "SENCOs", "initial_stock": table(amount), "attrition": table(rate), "demand": by_year(amount),
                "shortfall_penalty": 10, "surplus_max": table(st.sampled_from([0, 5])),
                "exits": {"enabled": draw(st.booleans())},
            },
        },
        "programmes": {
            "doc": {
                "name": "Doctorate", "role": "ep", "duration": ep_duration,
                "completion_rate": draw(st.floats(0.5, 1.0).map(lambda v: round(v, 2))),
                "course_costs": [{"dfe": 10.0}, {"dfe": 9.0, "la": 1.0}, {"dfe": 8.0}][: max(1, ep_duration)],
                "places": by_year(st.sampled_from([1.0, 5.0, 50.0])), "national_places": draw(st.sampled_from([4, 40])),
                "supervision_ratio": draw(st.sampled_from([0.1, 0.3])),
                "intake_min": table(st.sampled_from([0, 0.5])),
                "intake_max": by_year(st.sampled_from([3.0, 30.0])),
                "prior_intake": {2026 - back: table(st.sampled_from([0, 2, 4])) for back in range(1, ep_duration + 1)},
            },
            "conv": {
                "name": "Conversion", "role": "ep", "source": "ta", "duration": 1, "completion_rate": 0.9,
                "course_costs": [{"dfe": 4.0}, {"la": 2.0}], "prior_intake": {2025: table(st.sampled_from([0, 3]))},
                "intake_max": 4.0,
            },
            "npq": {
                "name": "NPQ", "role": "senco", "duration": 0, "completion_rate": 0.85,
                "course_costs": [{"npq": 1.0}], "supervision_ratio": 0.5,
            },
        },
        "funding_streams": {
            "dfe": {"name": "DfE", "budget": {t: draw(st.sampled_from([50.0, 500.0])) for t in YEARS},
                    "envelope": draw(st.sampled_from([1000.0, 5000.0]))},
            "la": {"name": "LAs", "budget": 300, "envelope": 2000},
            "npq": {"name": "NPQ grant", "envelope": draw(st.sampled_from([20.0, 200.0]))},
            "unused": {"name": "Stream paying for nothing", "budget": 10},
        },
        "surplus_groups": {"all": {"roles": ["ep", "ta", "senco"], "max": table(st.sampled_from([2, 50]))}},
    }
    if not spec["programmes"]["doc"]["prior_intake"]:
        del spec["programmes"]["doc"]["prior_intake"]
    if draw(st.booleans()):  # intake points within the year and durations in months (section 15)
        doc = spec["programmes"]["doc"]
        del doc["duration"]
        intakes = draw(st.sampled_from([{"autumn": 0, "spring": 4, "summer": 7}, {"january": 4}]))
        doc["calendar"] = {"intakes": intakes, "duration_months": 12 * ep_duration + draw(st.sampled_from([0, 4, 6])),
                           "prior_intake_at": draw(st.sampled_from(list(intakes)))}
        if doc["calendar"]["duration_months"] == 0:
            doc["calendar"]["duration_months"] = 3
    if draw(st.booleans()):  # whole cohorts (section 12): integer cohorts, cohort_open where a region minimum applies
        spec["programmes"][draw(st.sampled_from(["doc", "conv"]))]["cohorts"] = {
            "max_size": draw(st.sampled_from([2.0, 6.0])), "min_size": draw(st.sampled_from([0.0, 1.0])),
            "fixed_cost": draw(st.sampled_from([{}, {"dfe": 5.0}, {"dfe": 2.0, "la": 1.5}])),
            "region_minimum": draw(st.sampled_from([0.0, 1.0])),
        }
    for stream in ("dfe", "la", "npq"):  # budgets on financial years (April to March)
        if draw(st.booleans()):
            spec["funding_streams"][stream]["year"] = "financial"
    if draw(st.booleans()):
        npq = spec["programmes"]["npq"]
        del npq["duration"]
        npq["calendar"] = {"intakes": {"november": 2, "april": 7}, "duration_months": draw(st.sampled_from([6, 18]))}
    if draw(st.booleans()):  # the post-horizon years (section 10.1)
        spec["horizon"]["terminal_value"] = {
            "years": draw(st.integers(1, 4)), "discount_rate": draw(st.sampled_from([0.0, 0.035])),
            "weight": draw(st.sampled_from([1.0, 0.5, 0.0])),
        }
    if draw(st.booleans()):  # discounting to a price base year (section 8.7), before or within the horizon
        spec["objective"] = {"discount": {"rate": draw(st.sampled_from([0.0, 0.035, 0.25])),
                                          "base_year": draw(st.sampled_from([2010, YEARS[0], YEARS[-1]]))}}
    if draw(st.booleans()):  # capacity counted across course years (section 22), prior cohorts included
        lists = [[1.0, 0.5, 0.5, 1.0][: ep_duration + 1]] + ([[0.0, 1.0, 1.0, 1.0][: ep_duration + 1]] if ep_duration else [])
        years = st.sampled_from(["starters", "all", *lists])
        spec["programmes"]["doc"]["capacity_course_years"] = {c: draw(years) for c in ("places", "national_places", "supervision")}
    if draw(st.booleans()):  # staff moving between regions (section 21.4), also out of a role that retrains and exits
        share = st.sampled_from([0.0, 0.05, 0.2])
        for k in draw(st.sampled_from([["ta"], ["senco"], ["ep", "ta"]])):
            spec["roles"][k]["movement"] = {"Area A": {"B": draw(share), "C": {t: draw(share) for t in YEARS}},
                                            "C": {"Area A": draw(share)}}
    if draw(st.booleans()):  # heads and FTE (section 23): completers, hires, retraining and exits count fte_per_head
        spec["horizon"].pop("terminal_value", None)  # refused with an FTE per head other than 1 for now
        spec["roles"]["ep"]["fte_per_head"] = draw(st.sampled_from([0.8, {t: 0.7 + 0.1 * n for n, t in enumerate(YEARS)}]))
        spec["roles"]["ta"].update(unit="FTE", fte_per_head=draw(st.sampled_from([0.6, 1.0, 1.5])))
        if draw(st.booleans()):  # SENCOs (a statutory deadline and a tenure profile in policy_scenarios)
            spec["roles"]["senco"].update(unit="FTE", fte_per_head=draw(st.sampled_from([0.5, 0.9])))
        spec["programmes"]["doc"]["supervision_counts"] = draw(st.sampled_from(["heads", "FTE"]))
    if draw(st.booleans()):  # moves between regions as decisions (section 24), on a role that hires or retrains and exits
        cap = st.sampled_from([0.0, 1.0, 5.0])
        for k in draw(st.sampled_from([["ep"], ["ta"], ["senco"], ["ep", "ta"]])):
            spec["roles"][k]["moves"] = {"cost": draw(st.sampled_from([0.0, 2.0])), "stream": draw(st.sampled_from(["la", None])),
                                         "max": {"Area A": {"B": draw(cap), "C": {t: draw(cap) for t in YEARS}},
                                                 "C": {"Area A": draw(cap)}}}
    if draw(st.booleans()):  # planned past the reported years (section 10.4): by-year tables hold, envelopes report years only
        spec["horizon"]["plan_to"] = YEARS[-1] + draw(st.integers(1, 2))
    return spec


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rich_scenarios())
def test_generated_lp_equals_the_pyomo_compilation(spec):
    assert_same_lp(spec)


@st.composite
def policy_scenarios(draw) -> dict[str, Any]:
    """A rich scenario (every family of sections 3-8, cohorts, calendars, financial years, the
    post-horizon years) with the rules of sections 12-14 together: targets (national and regional,
    completions and intake, annual or cumulative), place shares (minimum and maximum), equity (both
    modes and bases), retention by tenure (a role trained by a programme, with or without a first
    intake year, and roles that retrain or exit) and a statutory deadline (required or penalised)."""
    spec = draw(rich_scenarios())
    first = draw(st.sampled_from(YEARS))
    targets: dict[str, Any] = {}
    if draw(st.booleans()):
        targets["national"] = {"programme": draw(st.sampled_from(["doc", "conv", "npq"])),
                               "by_year": draw(st.sampled_from(YEARS[YEARS.index(first):])), "from_year": first,
                               "measure": draw(st.sampled_from(["completions", "intake"])),
                               "annual": draw(st.booleans()), "at_least": draw(st.sampled_from([0.5, 3.0]))}
    if draw(st.booleans()):
        targets["regional"] = {"programme": "doc", "by_year": draw(st.sampled_from(YEARS)), "scope": "region",
                               "regions": draw(st.sampled_from([["Area A"], ["Area A", "Area C"]])),
                               "at_least": draw(st.sampled_from([1.0, {"A": 1.0, "C": 2.5}])),
                               "measure": draw(st.sampled_from(["completions", "intake"]))}
        if isinstance(targets["regional"]["at_least"], dict) and targets["regional"]["regions"] == ["Area A"]:
            targets["regional"]["at_least"] = 1.0
    if targets:
        spec["targets"] = targets
    if draw(st.booleans()):
        share: dict[str, Any] = {"programme": draw(st.sampled_from(["doc", "npq"])), "regions": ["Area A", "Area B"][: draw(st.integers(1, 2))]}
        share[draw(st.sampled_from(["min_share", "max_share"]))] = draw(st.sampled_from([0.2, 0.75]))
        if draw(st.booleans()):
            share["from_year"] = YEARS[1]
        spec["place_shares"] = {"group": share}
    if draw(st.booleans()):
        spec.setdefault("objective", {})["equity"] = {"mode": draw(st.sampled_from(["before_cost", "alone"])),
                                                      "basis": draw(st.sampled_from(["horizon", "year"])),
                                                      **draw(st.sampled_from([{}, {"roles": ["ep", "senco"]}]))}
    roles = spec["roles"]
    if draw(st.booleans()):
        tenure: dict[str, Any] = {"attrition": draw(st.lists(rate, min_size=1, max_size=4))}
        tenure.update(draw(st.sampled_from([{}, {"programmes": ["doc"]}, {"from_intake_year": 2025},
                                            {"from_intake_year": 2027, "programmes": ["doc", "conv"]}])))
        roles["ep"].pop("movement", None)  # refused with a tenure profile (section 21.4)
        roles["ep"].pop("moves", None)  # and with moves (section 24)
        roles["ep"]["tenure"] = tenure
    if draw(st.booleans()):  # tenure on a role that retrains into EPs and exits (tenure_established)
        roles["ta"].pop("movement", None)  # refused with a tenure profile (section 21.4)
        roles["ta"].pop("moves", None)  # and with moves (section 24)
        roles["ta"]["tenure"] = {"attrition": draw(st.lists(rate, min_size=1, max_size=3))}
    if draw(st.booleans()):  # SENCOs trained by the NPQ (a calendar programme when drawn so)
        roles["senco"].pop("movement", None)  # refused with a tenure profile (section 21.4)
        roles["senco"].pop("moves", None)  # and so are moves (section 24)
        roles["senco"]["tenure"] = {"attrition": draw(st.lists(rate, min_size=1, max_size=3))}
    if draw(st.booleans()):
        within = draw(st.integers(1, 3))
        rule: dict[str, Any] = {"within_years": within, "mode": draw(st.sampled_from(["require", "penalise"])),
                                "initial_shares": draw(st.sampled_from([
                                    shares for shares in ([1.0], [0.5, 0.5], [0.0, 1.0], [0.25, 0.25, 0.5],
                                                          [0.0, 0.0, 0.5, 0.5]) if len(shares) <= within + 1]))}
        if rule["mode"] == "penalise":
            rule["penalty"] = draw(st.sampled_from([0.0, 20.0]))
        roles["senco"]["statutory_deadline"] = rule
    return spec


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(policy_scenarios())
def test_generated_lp_with_every_rule_equals_the_pyomo_compilation(spec):
    """Targets, shares, equity, tenure and deadlines, drawn together on top of every other family."""
    assert_same_lp(spec)


def test_the_bundled_scenarios_are_generated_as_the_pyomo_compilation():
    """The England baseline (tenure and a statutory deadline) and each variant shipped in configs/."""
    from workforce.scenario.load import load_scenario

    paths = sorted((ROOT / "configs").glob("*.yaml"))
    assert ROOT / "configs" / "england_baseline.yaml" in paths and len(paths) >= 5
    for path in paths:
        d = prepare(load_scenario(path))
        assert_same_model(d)
    baseline = prepare(load_scenario(ROOT / "configs" / "england_baseline.yaml"))
    assert baseline.tenure_bands and baseline.DEADLINE_ROLES


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rich_scenarios())
def test_both_paths_reach_the_same_optimum(spec):
    plans = _both_paths(spec)
    if plans is None:
        return
    fast, reference = plans
    assert fast.objective == pytest.approx(reference.objective, rel=1e-7, abs=1e-6)
    assert fast.summary["size"]["constraints"] == reference.summary["size"]["constraints"]


def _both_paths(spec: dict[str, Any]) -> tuple[Any, Any] | None:
    """The plan solved from the arrays and from the Pyomo model; None when both are infeasible
    (which limits the diagnosis relaxes may differ: it has alternative optima and the two paths
    order rows and columns differently)."""
    try:
        fast = solve(scenario_from_dict(copy.deepcopy(spec)))
    except InfeasibleScenarioError:
        with pytest.raises(InfeasibleScenarioError):
            _pyomo_solve(spec)
        return None
    return fast, _pyomo_solve(spec)


def _pyomo_solve(spec: dict[str, Any]) -> Any:
    original = arrays.applies
    arrays.applies = lambda d: False
    try:
        return solve(scenario_from_dict(copy.deepcopy(spec)))
    finally:
        arrays.applies = original


def test_minimal_and_national_scale_scenarios():
    assert_same_lp(minimal_scenario())
    ns = national_scale()
    assert_same_lp(ns.synthetic_scenario(areas=4, roles=10, years=5))
    assert_same_lp(ns.synthetic_scenario(areas=4, roles=10, years=5, terms=3))
    assert_same_lp(ns.synthetic_scenario(areas=4, roles=3, years=5, terms=3, integer="all"))
    assert_same_lp(ns.synthetic_scenario(areas=4, roles=10, years=5, terms=3, policy=True))  # every policy family


def test_which_scenarios_are_generated_as_arrays():
    """Every scenario: the stock-and-flow model, cohorts, calendars and financial years, and the
    England baseline with its tenure profile and statutory deadline (no Pyomo model is built)."""
    ns = national_scale()
    for kw in ({}, {"terms": 3}, {"integer": True}, {"integer": "all", "terms": 3}):
        spec = ns.synthetic_scenario(areas=3, roles=3, years=4, **kw)
        assert arrays.applies(prepare(scenario_from_dict(spec)))
        spec["funding_streams"]["la"]["year"] = "financial"
        assert arrays.applies(prepare(scenario_from_dict(spec)))
    from workforce.cli.commands import bundled_config
    from workforce.scenario.load import load_scenario

    data = prepare(load_scenario(bundled_config()))
    assert data.tenure_bands and data.DEADLINE_ROLES
    m, compiled = compile_scenario(data)
    assert m is None and isinstance(compiled, arrays.ArrayCompiled)
    assert "model" not in compiled._pyomo


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(policy_scenarios())
def test_both_paths_reach_the_same_optimum_with_every_rule(spec):
    """Targets, shares, equity (its own solve stage), tenure and deadlines: the plan solved from the
    arrays has the Pyomo path's optimum, size and tables.

    With equity mode `alone` the solve stops after minimising `worst_shortfall_rate` (formulation
    12.4), so the weighted objective at the plan is not an optimum: plans with the same worst rate
    may differ in it (a random scenario gave 6,478.48 and 6,434.99, both at rate 0.885775). There the
    paths must agree on what the stages determine: the worst rate, and the efficient re-solve's
    objective."""
    plans = _both_paths(spec)
    if plans is None:
        return
    fast, reference = plans
    assert fast.summary["size"] == reference.summary["size"]
    assert set(fast.tables()) == set(reference.tables())
    if spec.get("objective", {}).get("equity", {}).get("mode") == "alone":
        for plan in (fast, reference):  # the reported objective is the weighted sum at the plan
            assert plan.objective == pytest.approx(sum(plan.summary["terms"][t] * w for t, w in
                                                       plan.summary["weights"].items()), rel=1e-7, abs=1e-6)
        fast, reference = fast.summary["equity"], reference.summary["equity"]
        assert fast["equitable"]["worst_shortfall_rate"] == pytest.approx(
            reference["equitable"]["worst_shortfall_rate"], rel=1e-7, abs=1e-7)
        assert fast["efficient"]["objective"] == pytest.approx(reference["efficient"]["objective"], rel=1e-7, abs=1e-6)
        return
    assert fast.objective == pytest.approx(reference.objective, rel=1e-7, abs=1e-6)


def test_the_pyomo_model_of_an_array_plan_is_built_on_demand_with_the_solution():
    plan = solve(scenario_from_dict(minimal_scenario()))
    compiled, info = plan.solved
    assert isinstance(compiled, arrays.ArrayCompiled)
    assert "model" not in compiled._pyomo  # nothing built by solving
    names = [con.parent_component().name for con in compiled.rows]
    assert names == [name for name, _ in compiled.row_keys()]
    m = compiled.model
    for (p, r, t), row in plan.intake.iterrows():
        assert pyo.value(m.intake[p, r, t]) == pytest.approx(row["intake"], abs=1e-9)
    for (k, r, t), row in plan.workforce.iterrows():
        assert pyo.value(m.stock[k, r, t]) == pytest.approx(row["supply"], abs=1e-9)
    # Each row's activity at the solution, from the Pyomo expression and from the arrays.
    activity = compiled.A @ info.x
    for i in range(0, len(compiled.rows), 7):
        assert pyo.value(compiled.rows[i].body) == pytest.approx(activity[i] + _constant(compiled.rows[i]), abs=1e-7)


def _constant(con: Any) -> float:
    """The constant a Pyomo row's body carries (the compiler moves it into the bounds)."""
    from pyomo.repn import generate_standard_repn

    return float(generate_standard_repn(con.body).constant)


def test_committed_costs_over_a_budget_are_reported_as_in_the_pyomo_build():
    """A stream that pays only the second course year: in 2026 it pays for the 2025 cohort alone
    (a constant, 40 starters x £1k against a £10k budget), which no plan can change."""
    spec = minimal_scenario()
    spec["programmes"]["dedpsy"]["course_costs"] = [{"dfe": 30}, {"legacy": 1.0}]
    spec["programmes"]["dedpsy"]["prior_intake"] = {2025: 20, 2024: 20}
    spec["funding_streams"]["legacy"] = {"name": "Legacy grant", "budget": {2026: 10, 2027: 1000, 2028: 1000}}
    assert arrays.applies(prepare(scenario_from_dict(copy.deepcopy(spec))))
    with pytest.raises(InfeasibleScenarioError) as fast:
        solve(scenario_from_dict(copy.deepcopy(spec)))
    with pytest.raises(InfeasibleScenarioError) as reference:
        _pyomo_solve(spec)
    assert str(fast.value) == str(reference.value)
    assert fast.value.conflicts == reference.value.conflicts
    assert fast.value.conflicts[0].amount == pytest.approx(30.0)
    # Within budget, the constant row is left out by both.
    spec["funding_streams"]["legacy"]["budget"] = {2026: 40, 2027: 1000, 2028: 1000}
    assert_same_lp(spec)


def test_every_family_of_build_model_is_generated_or_declared_pyomo_only():
    """A constraint family or variable added to build_model must be added here too (or declared
    Pyomo-only, and then excluded by arrays.applies): otherwise this fails. The scenario uses every
    rule, so that every family and variable of build_model exists."""
    spec = national_scale().synthetic_scenario(areas=3, roles=3, years=4, policy=True)
    spec["roles"]["senco"]["statutory_deadline"].update(mode="require", penalty=0.0)  # statutory_deadline rows
    d = prepare(scenario_from_dict(spec))
    m = build_model(d)
    cols = arrays.Columns(d)
    generated = {fam.name for fam in arrays.families(d, cols, arrays.Expressions(d, cols))}
    built = {c.name for c in m.component_objects(pyo.Constraint)}
    assert {c.name for c in m.component_objects(pyo.Constraint) if len(c)} >= {
        "target_minimum", "share_minimum", "share_maximum", "equity_limit", "tenure_established",
        "unqualified_balance", "unqualified_total", "qualified_in_limit", "statutory_deadline"}
    assert built - arrays.PYOMO_ONLY["constraints"] == generated
    variables = {v.name for v in m.component_objects(pyo.Var)}
    assert variables - arrays.PYOMO_ONLY["variables"] == set(cols.sets)
    assert not arrays.PYOMO_ONLY["constraints"] and not arrays.PYOMO_ONLY["variables"] and arrays.applies(d)


@settings(max_examples=60, deadline=None)
@given(st.data())
def test_compressed_columns_equal_scipy(data):
    """CSC.from_entries sums repeated (row, column) entries, drops zeros (including entries that
    cancel) and sorts like scipy; A x is scipy's product."""
    from scipy import sparse

    n_rows, n_cols = data.draw(st.integers(1, 6)), data.draw(st.integers(1, 6))
    n = data.draw(st.integers(0, 30))
    rows = np.array(data.draw(st.lists(st.integers(0, n_rows - 1), min_size=n, max_size=n)), dtype=np.int64)
    cols = np.array(data.draw(st.lists(st.integers(0, n_cols - 1), min_size=n, max_size=n)), dtype=np.int64)
    vals = np.array(data.draw(st.lists(st.sampled_from([-2.0, -1.0, 0.0, 0.5, 1.0]), min_size=n, max_size=n)))
    got = arrays.CSC.from_entries(rows, cols, vals, (n_rows, n_cols))
    expected = sparse.csc_array((vals, (rows, cols)), shape=(n_rows, n_cols))
    expected.sum_duplicates()
    expected.eliminate_zeros()
    expected.sort_indices()
    assert got.indptr.tolist() == expected.indptr.tolist()
    assert got.indices.tolist() == expected.indices.tolist()
    np.testing.assert_allclose(got.data, expected.data)
    x = np.arange(1.0, n_cols + 1)
    np.testing.assert_allclose(got @ x, expected @ x)
    assert (got.to_scipy() != expected).nnz == 0


def test_solving_a_generated_scenario_does_not_import_scipy():
    """Importing scipy after Pyomo makes Pyomo import scipy.stats (0.5 s): a command-line run of a
    scenario generated as arrays avoids it."""
    import subprocess
    import sys

    code = (
        "import sys; sys.path.insert(0, 'tests'); from scenarios import minimal_scenario;"
        "from workforce import scenario_from_dict, solve; solve(scenario_from_dict(minimal_scenario()));"
        "print('scipy' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
