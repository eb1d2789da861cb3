"""What a planner asks of a stochastic plan: VSS, EVPI, the first stage beside the deterministic
plan's, outcome distributions of both plans, and out-of-sample evaluation (models/stochastic.md §4)."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from workforce.errors import SolveError
from workforce.scenario.horizon_extend import reported_to
from workforce.studies.stochastic.model import Block, Risk, row_keys
from workforce.studies.stochastic.solve import EFSolution, solve_blocks


def alone(block: Block) -> Block:
    """The block as a scenario of its own (probability 1)."""
    return dataclasses.replace(block, probability=1.0)


def wait_and_see(blocks: Sequence[Block], **options: Any) -> tuple[np.ndarray, np.ndarray]:
    """Each scenario's own optimum (perfect information: the first stage chosen for that scenario),
    and HiGHS's lower bound on it (the same for an LP)."""
    sols = [solve_blocks([alone(b)], tie_break=False, **options) for b in blocks]
    return np.array([s.objective for s in sols]), np.array([s.bound for s in sols])


def evaluate_fixed(blocks: Sequence[Block], first: np.ndarray,
                   **options: Any) -> tuple[np.ndarray, list[np.ndarray | None], np.ndarray]:
    """Each scenario's cost with the first stage fixed at ``first`` and its recourse re-optimised
    (inf, and no solution, where no recourse is feasible), and the lower bound on each cost. The
    recourse is HiGHS's optimum without the tie-break stage (costs are what these solves are for)."""
    costs, xs, bounds = [], [], []
    for b in blocks:
        try:
            sol = solve_blocks([alone(b)], fixed=first, tie_break=False, **options)
        except SolveError:
            costs.append(np.inf)
            xs.append(None)
            bounds.append(np.inf)
            continue
        costs.append(sol.objective)
        xs.append(sol.x[0])
        bounds.append(sol.bound)
    return np.array(costs), xs, np.array(bounds)


def deterministic_first_stage(ev: Block, keys: Sequence[tuple[str, Any]] | None = None, **options: Any) -> np.ndarray:
    """The expected-value plan's first-stage decisions (the deterministic plan), in the order of the
    scenarios' first-stage ``keys`` (default: the expected-value block's own). The scenario's tie-break
    stage, if it has one, picks it among equal optima by the same rule as the stochastic plan's."""
    first = solve_blocks([alone(ev)], **options).first
    if keys is None:
        return first
    where = {k: i for i, k in enumerate(ev.first_keys)}
    missing = [k for k in keys if k not in where]
    if missing or len(keys) != len(where):
        raise SolveError(f"the expected-value plan has other first-stage decisions than the scenarios ({missing[:3]})")
    return first[[where[k] for k in keys]]


def infeasible_under(blocks: Sequence[Block], costs: np.ndarray) -> dict[str, Any]:
    """How many scenarios (and which, the first five) have no feasible recourse once a plan's first
    stage is fixed in them (cost inf): what makes that plan's expected cost, and VSS, infinite."""
    bad = [b.name for b, c in zip(blocks, costs, strict=True) if not np.isfinite(c)]
    return {"deterministic_infeasible": len(bad), "deterministic_infeasible_in": bad[:5]}


def measures(rp: EFSolution, eev: float, ws: np.ndarray | None, probs: np.ndarray, risk: Risk | None,
             eev_bound: float | None = None, ws_bound: np.ndarray | None = None) -> dict[str, Any]:
    """VSS = EEV − RP and EVPI = RP − WS, each with the number of scenarios they rest on, and the
    range each is certain to lie in given every solve's gap (HiGHS's bounds).

    ``eev`` is the objective with the deterministic plan's first stage fixed (inf when some scenario
    has no feasible recourse), ``eev_bound`` a lower bound on it. With a risk measure the objective is
    expected cost + weight × CVaR, and EVPI (defined for expected cost) is not given."""
    risky = risk is not None and risk.weight > 0
    eev_low = eev if eev_bound is None else eev_bound
    out: dict[str, Any] = {
        "scenarios": int(len(probs)),
        "stochastic_objective": rp.objective, "stochastic_bound": rp.bound, "gap": rp.gap,
        "stochastic_expected_cost": rp.expected, "deterministic_objective": float(eev),
        "deterministic_bound": float(eev_low),
        "VSS": float(eev - rp.objective),
        "VSS_at_least": float(eev_low - rp.objective),
        "VSS_at_most": float(eev - rp.bound),
        "cvar": rp.cvar,
        "wait_and_see": float(probs @ ws) if ws is not None else None,
        "EVPI": None, "EVPI_at_least": None, "EVPI_at_most": None,
    }
    if ws is not None and not risky:
        out["EVPI"] = rp.objective - out["wait_and_see"]
        out["EVPI_at_least"] = rp.bound - out["wait_and_see"]
        out["EVPI_at_most"] = rp.objective - float(probs @ (ws if ws_bound is None else ws_bound))
    return out


def decision_table(keys: list[tuple[str, Any]], data: Any, columns: dict[str, np.ndarray]) -> pd.DataFrame:
    """First-stage decisions as rows (variable, item, region, year) with one column per plan."""
    records = []
    for name, index in keys:
        parts = index if isinstance(index, tuple) else (index,)
        region = next((p for p in parts if p in data.REGIONS), None)
        year = next((p for p in parts if isinstance(p, int) and p in data.YEARS), None)
        item = " ".join(str(p) for p in parts if p != region and p != year)
        records.append({"variable": name, "item": item, "region": region, "year": year})
    df = pd.DataFrame(records)
    for label, values in columns.items():
        df[label] = np.round(np.asarray(values, dtype=float), 9) + 0.0
    return df


def outcomes(blocks: Sequence[Block], plans: dict[str, list[np.ndarray | None]]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Shortfall by role and region (summed over the reported years) and spend against budget by stream and
    year, for each plan in each scenario."""
    short, spend = [], []
    end = reported_to(blocks[0].data.YEARS)  # horizon.plan_to: the reported years only
    budget_rows = [(i, (f, t)) for i, (f, t) in _budget_rows(blocks[0]) if t <= end]
    for label, xs in plans.items():
        for b, x in zip(blocks, xs, strict=True):
            if x is None:
                continue
            cols = [j for j, (name, _) in enumerate(b.keys) if name == "shortfall"]
            totals: dict[tuple[str, str], float] = {}
            for j in cols:
                k, r, t = b.keys[j][1]
                if t > end:
                    continue
                totals[(k, r)] = totals.get((k, r), 0.0) + max(0.0, float(x[j]))
            short += [{"plan": label, "scenario": b.name, "role": k, "region": r, "shortfall": v}
                      for (k, r), v in totals.items()]
            if budget_rows:
                rows = np.array([i for i, _ in budget_rows])
                activity = (b.csc @ x)[rows]
                for (i, (f, t)), a in zip(budget_rows, activity, strict=True):
                    budget = float(b.data.budget[(f, t)])
                    spend.append({"plan": label, "scenario": b.name, "stream": f, "year": t,
                                  "spend": float(a + budget - b.compiled.row_upper[i]), "budget": budget})
    return pd.DataFrame(short), pd.DataFrame(spend)


def _budget_rows(block: Block) -> list[tuple[int, tuple[str, int]]]:
    return [(i, key) for i, (name, key) in enumerate(row_keys(block.compiled)) if name == "budget_limit"]
