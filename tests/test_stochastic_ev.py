"""The expected-value (deterministic) plan's first stage is fixed in the scenarios by key, whichever
way each LP was compiled (issue 18: on the baseline it was infeasible in every draw)."""

from __future__ import annotations

import pytest

from workforce import scenario_from_dict
from workforce.model import build_model
from workforce.solver.core import compile_model
from workforce.studies.stochastic import stochastic_plan
from workforce.studies.stochastic.scenarios import compile_block


def two_areas(demand_b: float):
    """Areas A and B; EPs start at 0 with no attrition; 2027 demand 5 in A and ``demand_b`` in B.
    The doctorate takes one year at £1k a starter in whole cohorts of at most 10 at £4k each
    (completion 100%); shortfall costs 3 a unit."""
    return scenario_from_dict(two_areas_data(demand_b))


def two_areas_data(demand_b: float) -> dict:
    role = {"name": "EPs", "initial_stock": 0, "attrition": 0, "shortfall_penalty": 3,
            "demand": {"A": {2026: 0, 2027: 5}, "B": {2026: 0, 2027: demand_b}}}
    return {
        "name": f"B {demand_b}", "horizon": {"first_year": 2026, "last_year": 2027},
        "regions": [{"code": "A", "name": "Area A"}, {"code": "B", "name": "Area B"}], "roles": {"ep": role},
        "programmes": {"doc": {"name": "Doc", "role": "ep", "duration": 1, "completion_rate": 1, "places": 100,
                               "course_costs": [{"dfe": 1}],
                               "cohorts": {"max_size": 10, "fixed_cost": {"dfe": 4}}}},
        "funding_streams": {"dfe": {"name": "DfE"}},
    }


def pyomo_compiler(scenario, data):
    """Compile through Pyomo's standard-form compiler, as the warm model the CLI uses for draws does:
    its columns come in another order than the array generator's (cohorts before intakes)."""
    return compile_model(build_model(data))


def test_first_stage_keys_are_in_one_order_whichever_compiler():
    scenario = two_areas(10)
    pyomo = compile_block("pyomo", 1.0, scenario, 1, compiler=pyomo_compiler)
    arrays = compile_block("arrays", 1.0, scenario, 1)
    assert type(pyomo.compiled) is not type(arrays.compiled)
    assert [k for k, _ in pyomo.keys] != [k for k, _ in arrays.keys]  # the columns do come in other orders
    assert pyomo.first_keys == arrays.first_keys
    assert pyomo.keys[pyomo.first[0]] == arrays.keys[arrays.first[0]]


def test_deterministic_plan_fixed_in_scenarios_compiled_through_pyomo():
    """B's 2027 demand is 10 or 20 (½ each); A's is 5 for sure. The scenarios are compiled through
    Pyomo, the expected-value scenario by the array generator (as `workforce stochastic` does).

    A: one cohort of 5 costs 4 + 5 = 9 < shortfall 15, in every plan.
    B (the cohort newsvendor): two cohorts, 10 ≤ q ≤ 20: 8 + q + ½·3·(20 − q) = 38 − q/2, least 28 at q = 20;
    EV (demand 15): two cohorts, q = 15 (23 < one cohort's 4 + 10 + 15 = 29); fixed in the scenarios it
    costs 23 and 23 + 3·5 = 38, EEV_B = 30.5. Wait-and-see: 14 and 28, WS_B = 21.
    RP = 9 + 28 = 37, EEV = 39.5, VSS = 2.5, WS = 30, EVPI = 7. Before the fix the EV values were
    fixed by position into columns of another order (cohorts given the intakes' values), and its
    cost was wrong or infeasible."""
    r = stochastic_plan([two_areas(10), two_areas(20)], [0.5, 0.5], commit_years=1, mip_gap=0,
                        compiler=pyomo_compiler)
    m = r.measures
    assert m["stochastic_objective"] == pytest.approx(37)
    assert m["deterministic_objective"] == pytest.approx(39.5)
    assert list(r.scenarios["deterministic"]) == pytest.approx([32, 47])
    assert m["VSS"] == pytest.approx(2.5)
    assert m["EVPI"] == pytest.approx(7)
    fs = r.first_stage.set_index(["variable", "region"])
    assert fs.loc[("intake", "B"), "deterministic"] == pytest.approx(15)
    assert fs.loc[("intake", "B"), "stochastic"] == pytest.approx(20)
    assert fs.loc[("cohorts", "A"), "deterministic"] == pytest.approx(1)
    assert fs.loc[("cohorts", "B"), "deterministic"] == pytest.approx(2)


def test_a_commitment_genuinely_infeasible_in_a_scenario_is_said_plainly():
    """One area, one-year doctorate at £1k a starter, penalty 3; demand 10 with a £12k 2026 budget
    (q ≤ 12) or demand 20 with £100k (probability ½ each). Stochastic: q ≤ 12 and on [10, 12] the
    expected cost is q + ½·3·(20 − q) = 30 − q/2, least 24 at q = 12. The expected-value scenario
    (demand 15, budget 56) commits q = 15, over the first scenario's budget: infeasible there, so
    EEV and VSS are infinite, and the summary says in how many scenarios and which."""
    def one(demand, budget, name):
        return scenario_from_dict({
            "name": name, "horizon": {"first_year": 2026, "last_year": 2027},
            "regions": [{"code": "A", "name": "Area A"}],
            "roles": {"ep": {"name": "EPs", "initial_stock": 0, "attrition": 0, "shortfall_penalty": 3,
                             "demand": {2026: 0, 2027: demand}}},
            "programmes": {"doc": {"name": "Doc", "role": "ep", "duration": 1, "completion_rate": 1,
                                   "course_costs": [{"dfe": 1}]}},
            "funding_streams": {"dfe": {"name": "DfE", "budget": {2026: budget, 2027: 100}}},
        })

    r = stochastic_plan([one(10, 12, "tight"), one(20, 100, "loose")], [0.5, 0.5], commit_years=1, mip_gap=0)
    m = r.measures
    assert m["stochastic_objective"] == pytest.approx(24)
    assert r.first_stage.set_index("variable").loc["intake", "deterministic"] == pytest.approx(15)
    assert m["deterministic_objective"] == float("inf") and m["VSS"] == float("inf")
    assert m["deterministic_infeasible"] == 1 and m["deterministic_infeasible_in"] == ["tight"]
    assert r.summary["measures"]["VSS"] is None  # JSON has no infinity
    text = r.summary_text()
    assert "infeasible in 1 of 2 scenarios (tight)" in text
    assert "expected cost, deterministic plan         infinite" in text and "VSS  infinite  (2 scenarios)" in text
    fig = r.chart()  # the chart says what the summary says, and that the deterministic mean leaves a scenario out
    assert "VSS infinite: the deterministic plan is infeasible in 1 of 2 scenarios" in fig.texts[0].get_text().replace("\n", " ")
    notes = [t.get_text() for ax in fig.axes for t in ax.texts]
    infeasible = [n for n in notes if n.endswith("(1 infeasible)")]  # deterministic cost and shortfall
    assert len(infeasible) == 2 and float(infeasible[0].split()[1]) == pytest.approx(30)  # loose: 15 + 3·5


def test_draws_on_the_array_warm_model_equal_the_pyomo_warm_model(tmp_path):
    """The draws of a study (demand and attrition drawn; two areas, whole cohorts) are compiled by
    changing the array warm model in place, without a rebuild; every figure equals what the Pyomo
    warm model and compiling each draw from scratch give."""
    import numpy as np
    import yaml

    import workforce.studies.stochastic.spec as spec_module
    from workforce.solver.warm import WarmModel
    from workforce.studies.stochastic.spec import run_stochastic_study, study_from_dict

    base = two_areas_data(15)
    base["roles"]["ep"]["attrition"] = 0.1
    base["roles"]["ep"]["initial_stock"] = {"A": 2, "B": 4}
    (tmp_path / "two.yaml").write_text(yaml.safe_dump(base, sort_keys=False))
    spec = study_from_dict({
        "name": "two areas", "scenario": "two.yaml",
        "montecarlo": {"draws": 4, "seed": 5, "parameters": {
            "growth": {"path": "roles.ep.demand", "op": "growth", "distribution": "uniform", "low": -0.2, "high": 0.4},
            "attrition": {"path": "roles.ep.attrition", "distribution": "uniform", "low": 0.0, "high": 0.3}}},
        "stochastic": {"commit_years": 1, "mip_gap": 0, "out_of_sample": {"draws": 2, "seed": 1}}},
        schema=spec_module.StochasticStudy)
    cold = run_stochastic_study(spec, base_dir=tmp_path, warm=False)
    made = []

    def warm(engine):
        class Recorded(spec_module.WarmCompiler):
            def __init__(self, base, levers, workers=1):
                super().__init__(base, levers, workers, engine=engine)
                made.append(self)

        original = spec_module.WarmCompiler
        spec_module.WarmCompiler = Recorded
        try:
            return run_stochastic_study(spec, base_dir=tmp_path)
        finally:
            spec_module.WarmCompiler = original

    arrays, pyomo = warm(None), warm(WarmModel)
    assert [type(c._warm).__name__ for c in made] == ["ArrayWarmModel", "WarmModel"]
    assert [c.rebuilt for c in made] == [0, 0]  # every draw changed in place
    for other in (arrays, pyomo):
        for key in ("stochastic_objective", "deterministic_objective", "wait_and_see", "VSS", "EVPI"):
            assert other.measures[key] == pytest.approx(cold.measures[key], rel=1e-9, abs=1e-9)
        assert np.allclose(other.first_stage[["stochastic", "deterministic"]], cold.first_stage[["stochastic", "deterministic"]])
        assert np.allclose(other.scenarios[["stochastic", "deterministic"]], cold.scenarios[["stochastic", "deterministic"]])
        assert np.allclose(other.out_of_sample[["stochastic", "deterministic"]],
                           cold.out_of_sample[["stochastic", "deterministic"]])
    assert np.isfinite(cold.measures["deterministic_objective"])
    assert len(set(np.round(cold.scenarios["stochastic"], 6))) > 1  # the draws do differ


def test_a_draws_lp_keeps_its_matrix_when_the_warm_model_changes_its_own_in_place():
    """A draw's LP is a copy: a later draw that changes the array warm model's matrix in place (as it
    may, for speed) does not reach the LPs of earlier draws."""
    from workforce.studies.stochastic.scenarios import WarmCompiler

    compiler = WarmCompiler(two_areas(15), {})
    lp, rebuilt = compiler.compile_values({}, two_areas(15))
    assert not rebuilt
    before = lp.csc.data.copy()
    compiler._warm.compiled.csc.data[:] += 1.0  # what an in-place coefficient update would do
    assert (lp.csc.data == before).all()
