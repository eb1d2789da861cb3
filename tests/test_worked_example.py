"""The worked example of issue 16, section 7 (examples/planner_rules.yaml), checked by hand and
against an independent LP written here with scipy.optimize.linprog (not the library's model)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from scipy.optimize import linprog

from workforce import solve
from workforce.scenario import load_scenario

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "planner_rules.yaml"
A = "A"
# Columns per year t (2026, 2027): intake x, hires h, exits e, SENCO stock S, teacher stock T,
# SENCO shortfall/surplus sf/sp, teacher shortfall/surplus tf/tp.
NAMES = ["x", "h", "e", "S", "T", "sf", "sp", "tf", "tp"]
N = len(NAMES) * 2


def col(name: str, year: int) -> int:
    return NAMES.index(name) + len(NAMES) * (year - 2026)


def independent_lp(stage: int, exits_at_most: float | None = None) -> tuple[float, np.ndarray]:
    """The example's LP written out from its YAML by hand (formulation sections 7 and 21):
    S_t = 0.9 S_{t-1} + x_t + h_t;  T_t = T_{t-1} − x_t − e_t;  x_t + e_t ≤ T_{t-1};
    x_t ≤ 0.25 S_t;  S_t + sf_t − sp_t = 30;  T_t + tf_t − tp_t = 80;  sf_t ≤ 0.1·30;  h_t ≤ 3.
    Stage 1 minimises Σ e; stage 2 minimises 2 Σ sf + 3 Σ x + 10 Σ h + 0.5 Σ sp + 4 Σ tp + 10 Σ tf + 5 Σ e
    with Σ e at most the stage-1 optimum."""
    eq, beq, ub, bub = [], [], [], []

    def row(entries: dict[tuple[str, int], float]) -> np.ndarray:
        r = np.zeros(N)
        for (name, year), v in entries.items():
            r[col(name, year)] += v
        return r

    for t in (2026, 2027):
        s_prev = {("S", t - 1): -0.9} if t > 2026 else {}
        t_prev = {("T", t - 1): -1.0} if t > 2026 else {}
        eq.append(row({("S", t): 1, ("x", t): -1, ("h", t): -1, **s_prev}))
        beq.append(18.0 if t == 2026 else 0.0)
        eq.append(row({("T", t): 1, ("x", t): 1, ("e", t): 1, **t_prev}))
        beq.append(100.0 if t == 2026 else 0.0)
        ub.append(row({("x", t): 1, ("e", t): 1, **t_prev}))
        bub.append(100.0 if t == 2026 else 0.0)
        ub.append(row({("x", t): 1, ("S", t): -0.25}))
        bub.append(0.0)
        eq.append(row({("S", t): 1, ("sf", t): 1, ("sp", t): -1}))
        beq.append(30.0)
        eq.append(row({("T", t): 1, ("tf", t): 1, ("tp", t): -1}))
        beq.append(80.0)
    bounds = [(0, None)] * N
    for t in (2026, 2027):
        bounds[col("sf", t)] = (0, 3.0)
        bounds[col("h", t)] = (0, 3.0)
    prices = {"e": 1.0} if stage == 1 else {"sf": 2, "x": 3, "h": 10, "sp": 0.5, "tp": 4, "tf": 10, "e": 5}
    c = np.zeros(N)
    for t in (2026, 2027):
        for name, price in prices.items():
            c[col(name, t)] = price
    if exits_at_most is not None:
        ub.append(row({("e", 2026): 1, ("e", 2027): 1}))
        bub.append(exits_at_most)
    res = linprog(c, A_ub=np.array(ub), b_ub=bub, A_eq=np.array(eq), b_eq=beq, bounds=bounds, method="highs")
    assert res.status == 0
    return float(res.fun), res.x


def test_the_worked_example_against_an_independent_lp():
    """By hand. 2026: SENCOs 20 → 18 after attrition; on-the-job intake x ≤ 0.25·(18 + x + h), i.e.
    x ≤ 6 + h/3. 90% of 30 must be met (S ≥ 27), so x + h ≥ 9: h = 2.25 hires (£22.5k), x = 6.75,
    3 posts unfilled (penalty 2·3 = 6; without the requirement hiring at 10 to avoid a penalty of 2
    would not pay). 2027: 27 → 24.3; x ≤ 8.1 + h/3; each trainee saves a surplus teacher (4) for
    a course cost of 3 and a SENCO surplus of 0.5, so x = 8.1, S = 32.4 (surplus 2.4), no hires.
    Teachers: 100 − 6.75 = 93.25 (surplus 13.25), then 85.15 (surplus 5.15).
    Stage 1: no redundancy (a redundancy at 5 would beat two years of surplus at 4 by cost alone).
    Stage 2 = 6 + 3·14.85 + 22.5 + 0.5·2.4 + 4·(13.25 + 5.15) = 6 + 44.55 + 22.5 + 1.2 + 73.6 = 147.85."""
    plan = solve(load_scenario(EXAMPLE))
    stages = plan.summary["lexicographic_stages"]
    first, _ = independent_lp(1)
    tol = 1e-6 * max(1.0, abs(first))  # objective.lexicographic_tolerance, as the library applies it
    second, x = independent_lp(2, exits_at_most=first + tol)
    assert first == pytest.approx(0, abs=1e-9)
    assert stages[0]["value"] == pytest.approx(first, abs=1e-7)
    assert second == pytest.approx(147.85, abs=1e-4)
    assert stages[1]["value"] == pytest.approx(second, abs=1e-6)
    for t, (x_t, h_t) in {2026: (6.75, 2.25), 2027: (8.1, 0.0)}.items():
        assert x[col("x", t)] == pytest.approx(x_t, abs=1e-6)
        assert x[col("h", t)] == pytest.approx(h_t, abs=1e-6)
        assert plan.intake.loc[("on_the_job", A, t), "intake"] == pytest.approx(x_t, abs=1e-5)
        assert plan.flows.loc[("senco", A, t), "hires"] == pytest.approx(h_t, abs=1e-5)
    assert plan.workforce.loc[("senco", A, 2026), "shortfall"] == pytest.approx(3, abs=1e-6)
    assert plan.flows["exits"].sum() == pytest.approx(0, abs=1.1e-6)


def test_by_cost_alone_the_example_would_make_redundancies():
    """Without the first stage: a 2026 redundancy (5) saves a surplus teacher in both years (8), so
    5.15 go (the 2027 surplus); each further one still saves 2026's surplus (4) and lets 2027 train
    one fewer (course 3 + SENCO surplus 0.5), 7.5 > 5, until 2027's intake is down to what the SENCO
    demand needs (30 − 24.3 = 5.7, 2.4 fewer than 8.1): 5.15 + 2.4 = 7.55 redundancies in 2026, none
    in 2027 (one year of surplus, 4, is less than 5). The lexicographic order is what keeps them."""
    from workforce import scenario_from_dict

    spec = load_scenario(EXAMPLE).model_dump(exclude_none=True)
    spec["objective"] = {}
    plan = solve(scenario_from_dict(spec))
    assert plan.flows.loc[("teacher", A, 2026), "exits"] == pytest.approx(7.55, abs=1e-6)
    assert plan.flows.loc[("teacher", A, 2027), "exits"] == pytest.approx(0, abs=1e-6)
    assert plan.intake.loc[("on_the_job", A, 2027), "intake"] == pytest.approx(5.7, abs=1e-6)
