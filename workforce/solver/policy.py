"""Solver-side support for cohorts (integer columns) and regional equity (issue 4).

Called from :mod:`workforce.solve`: the equity stage's cost vector, the efficiency-optimal
reference plan that gives the price of fairness, and the check that tells a conflict caused only
by whole cohorts from one the continuous plan already has.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import highspy
import numpy as np

from workforce.errors import Conflict, InfeasibleScenarioError
from workforce.model.data import ModelData
from workforce.scenario.schema import TERMS

if TYPE_CHECKING:
    from workforce.model.compiled import Compiled
    from workforce.plan.solution import SolveInfo

EQUITY = "worst_shortfall_rate"
"""Pseudo-term of the equity stage: the variable ``worst_shortfall_rate``."""

COST_TERMS = tuple(t for t in TERMS if t != "shortfall" and not t.endswith("_count"))


def integrality(columns: list[Any]) -> np.ndarray | None:
    """True for each integer column; none when the model is a plain LP."""
    flags = np.array([v.is_integer() or v.is_binary() for v in columns], dtype=bool)
    return flags if flags.any() else None


def check_integral(compiled: Compiled, x: np.ndarray, tolerance: float) -> None:
    """Integer columns (cohorts) must be whole numbers in the returned plan."""
    from workforce.errors import SolveError

    if compiled.integrality is None:
        return
    off = np.abs(x - np.round(x)) * compiled.integrality
    if off.size and off.max() > max(tolerance, 1e-6):
        j = int(off.argmax())
        raise SolveError(f"the solver's plan runs {x[j]:g} of {compiled.columns[j].name}, not a whole number")


def with_equity(data: ModelData, stages: list[list[str]], compiled: Compiled) -> list[list[str]]:
    """The solve stages with the equity stage first (``before_cost``) or alone (``alone``).
    Without any demand to fall short of (no ``equity_limit`` row) every rate is 0: no stage."""
    equity = data.scenario.objective.equity
    if data.equity_basis is None or equity is None or equity_column(compiled) is None:
        return stages
    return [[EQUITY]] if equity.mode == "alone" else [[EQUITY], *stages]


def equity_column(compiled: Compiled) -> int | None:
    """Column of ``worst_shortfall_rate``; none when no row uses it."""
    for j, _ in columns_of(compiled, EQUITY):
        return j if getattr(compiled, "layout", None) is None or compiled.csc.indptr[j + 1] > compiled.csc.indptr[j] else None
    return None


def columns_of(compiled: Compiled, name: str) -> list[tuple[int, Any]]:
    """(column, index) of each column of variable ``name``: from the layout of an LP generated as
    arrays (no Pyomo model is built for it), else from the compiled Pyomo variables."""
    layout = getattr(compiled, "layout", None)
    if layout is None:
        return [(j, v.index()) for j, v in enumerate(compiled.columns) if v.parent_component().name == name]
    return [(int(j), key) for j, (_, key) in zip(layout[name].ravel(), layout.column_keys_of(name), strict=True)]


def stage_cost(compiled: Compiled, data: ModelData, group: list[str]) -> tuple[np.ndarray, float, float]:
    """Cost vector, constant offset and tolerance (relative to max(1, |optimum|)) of a stage."""
    if group == [EQUITY]:
        cost = np.zeros(len(compiled.col_lower))  # (the columns' Pyomo variables are not needed)
        column = equity_column(compiled)
        assert column is not None  # with_equity adds the stage only when the column exists
        cost[column] = 1.0
        equity = data.scenario.objective.equity
        return cost, 0.0, equity.tolerance if equity is not None else 0.0
    weights = np.array([data.weights[term] if term in group else 0.0 for term in TERMS])
    return weights @ compiled.term_costs, float(weights @ compiled.term_offsets), data.scenario.objective.lexicographic_tolerance


def shortfall_rates(compiled: Compiled, data: ModelData, x: np.ndarray) -> dict[tuple[str, ...], float]:
    """Regional shortfall rate of every (role, region) or (role, region, year) that the equity rule covers."""
    shortfall = {index: float(x[j]) for j, index in columns_of(compiled, "shortfall")}
    rates: dict[tuple[str, ...], float] = {}
    for k in data.equity_roles:
        for r in data.REGIONS:
            if data.equity_basis == "year":
                for t in data.YEARS:
                    if data.demand[k, r, t] > 0:
                        rates[k, r, str(t)] = shortfall.get((k, r, t), 0.0) / data.demand[k, r, t]
            else:
                demand = sum(data.demand[k, r, t] for t in data.YEARS)
                if demand > 0:
                    rates[k, r] = sum(shortfall.get((k, r, t), 0.0) for t in data.YEARS) / demand
    return rates


def _summary_of(compiled: Compiled, data: ModelData, info: SolveInfo) -> dict[str, float]:
    rates = shortfall_rates(compiled, data, info.x)
    total = sum(float(info.x[j]) for j, _ in columns_of(compiled, "shortfall"))
    return {
        "worst_shortfall_rate": max(rates.values(), default=0.0),
        "total_shortfall": total,
        "cost": sum(info.terms[t] for t in COST_TERMS),
        "objective": info.objective,
    }


def price_of_fairness(
    compiled: Compiled, data: ModelData, options: dict[str, Any], info: SolveInfo
) -> dict[str, Any]:
    """Solve the efficiency-optimal plan (no equity stage) and compare it with the equitable one.

    ``total_shortfall`` is in unit-years of unmet demand over the listed roles' regions and
    years (every role); ``cost`` is the sum of the five cost terms (£k).
    """
    from workforce.solver.core import run

    efficient = run(compiled, data, options, {}, equity=False)
    fair = _summary_of(compiled, data, info)
    eff = _summary_of(compiled, data, efficient)
    worst = max(shortfall_rates(compiled, data, info.x).items(), key=lambda kv: kv[1], default=None)
    return {
        "roles": list(data.equity_roles),
        "basis": data.equity_basis,
        "mode": data.scenario.objective.equity.mode if data.scenario.objective.equity else None,
        "worst": list(worst[0]) if worst else None,
        "equitable": fair,
        "efficient": eff,
        "price_shortfall": fair["total_shortfall"] - eff["total_shortfall"],
        "price_cost": fair["cost"] - eff["cost"],
        "efficient_status": efficient.status,
    }


def integrality_conflict(compiled: Compiled, data: ModelData, options: dict[str, Any]) -> Exception | None:
    """If the continuous relaxation has a plan, the conflict comes from whole cohorts only:
    return the error naming the cohort rules. Otherwise none (diagnose the relaxation)."""
    from workforce.solver.core import _highs, _run_highs

    h = _highs(compiled, options)
    if _run_highs(h) != highspy.HighsModelStatus.kOptimal:
        return None
    conflicts = []
    scenario = data.scenario
    for p in data.COHORT_PROGRAMMES:
        c = scenario.programmes[p].cohorts
        assert c is not None
        file, line = scenario.source_of(("programmes", p, "cohorts"))
        rule = f"cohorts of {c.min_size:g}-{c.max_size:g} trainees"
        if c.region_minimum:
            rule += f", at least {c.region_minimum:g} trainees in a region that runs one"
        conflicts.append(Conflict(kind="whole cohorts", description=f"{scenario.programmes[p].name}: {rule}",
                                  amount=0.0, unit="trainees", file=file, line=line,
                                  key=f"programmes.{p}.cohorts"))
    return InfeasibleScenarioError(
        "the scenario is infeasible only because training runs in whole cohorts: a plan exists with "
        "fractional cohorts. Widen the cohort sizes, lower the region minimum, or move the minimum "
        "intakes, places or targets so that they fit whole cohorts",
        conflicts,
    )
