"""Scenario decomposition of a two-stage plan: Lagrangian (dual) bounds and fixed-first-stage
incumbents, each step one independent HiGHS solve per scenario (models/stochastic.md §6).

The non-anticipativity constraint z = x_{s,F} is relaxed with multipliers W_s satisfying
Σ_s p_s W_s = 0. For any such W,

    LB(W) = Σ_s p_s · min_{x_s feasible} ( c_s·x_s + c⁰_s + W_s·x_{s,F} )

is a lower bound on the extensive form's optimum (every feasible extensive-form point is feasible
in each scenario, and the W terms sum to zero on it). Each subproblem's value is taken as HiGHS's
proven bound on it (its optimum for an LP, ``mip_dual_bound`` for a MIP), so LB stays valid when a
MIP subproblem stops within its gap. W = 0 gives the wait-and-see bound. The multipliers move as in
progressive hedging, W_s += ρ (x_{s,F} − x̄) with x̄ = Σ_s p_s x_{s,F}, which keeps Σ_s p_s W_s = 0.

The incumbent (an upper bound) is the expected cost with the first stage fixed at x̄ (rounded where
the column is integer) and every scenario's recourse re-optimised: a feasible plan of the
extensive form. The gap is (UB − LB) / max(1, |UB|).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from workforce.errors import ScenarioError, SolveError
from workforce.studies.stochastic.model import Block, Risk, shared_keys
from workforce.studies.stochastic.solve import EFSolution


@dataclass
class Sub:
    """One scenario's LP as plain arrays (sent to worker processes)."""

    csc: Any
    row_lower: np.ndarray
    row_upper: np.ndarray
    col_lower: np.ndarray
    col_upper: np.ndarray
    cost: np.ndarray
    offset: float
    integrality: np.ndarray | None
    first: np.ndarray


def as_sub(b: Block, lower: np.ndarray, upper: np.ndarray) -> Sub:
    """The block with its first-stage bounds narrowed to the shared ones (as in the extensive form)."""
    c = b.compiled
    col_lower, col_upper = np.array(c.col_lower, dtype=float), np.array(c.col_upper, dtype=float)
    col_lower[b.first], col_upper[b.first] = lower, upper
    flags = None if c.integrality is None else np.asarray(c.integrality, dtype=bool)
    return Sub(csc=b.csc, row_lower=np.asarray(c.row_lower, dtype=float), row_upper=np.asarray(c.row_upper, dtype=float),
               col_lower=col_lower, col_upper=col_upper, cost=np.asarray(b.cost, dtype=float), offset=b.offset,
               integrality=flags, first=b.first)


def solve_sub(sub: Sub, extra: np.ndarray | None, fixed: np.ndarray | None, options: dict[str, Any],
              prox: tuple[np.ndarray, np.ndarray] | None = None) -> tuple[float, float, np.ndarray | None]:
    """min (cost + extra on the first-stage columns)·x + offset, first stage ``fixed`` if given:
    (objective, proven lower bound, x); (inf, inf, None) when infeasible. ``prox`` = (ρ, x̄) adds
    progressive hedging's proximal term Σ_j ρ_j/2 (x_j − x̄_j)² on the first-stage columns (a QP;
    its objective value is then not a bound and is not used as one)."""
    import highspy

    from workforce.solver.core import new_highs

    cost = sub.cost.copy()
    if extra is not None:
        cost[sub.first] += extra
    if prox is not None:
        cost[sub.first] -= prox[0] * prox[1]
    lower, upper = sub.col_lower, sub.col_upper
    if fixed is not None:
        lower, upper = lower.copy(), upper.copy()
        value = np.asarray(fixed, dtype=float)
        if sub.integrality is not None:
            value = np.where(sub.integrality[sub.first], np.round(value), value)
        lower[sub.first] = upper[sub.first] = value
    h = new_highs()
    h.setOptionValue("threads", 1)
    h.setOptionValue("random_seed", int(options.get("seed", 0)))
    h.setOptionValue("mip_rel_gap", float(options.get("mip_gap", 1e-4)))
    A = sub.csc
    flags = np.zeros(A.shape[1], dtype=np.int32)
    if sub.integrality is not None:
        flags[sub.integrality] = int(highspy.HighsVarType.kInteger)
    h.passModel(A.shape[1], A.shape[0], A.nnz, int(highspy.MatrixFormat.kColwise), int(highspy.ObjSense.kMinimize),
                sub.offset, cost, lower, upper, sub.row_lower, sub.row_upper,
                np.asarray(A.indptr, dtype=np.int32), np.asarray(A.indices, dtype=np.int32),
                np.asarray(A.data, dtype=float), flags)
    if prox is not None:
        order = np.argsort(sub.first)
        start = np.zeros(A.shape[1] + 1, dtype=np.int32)
        start[sub.first + 1] = 1
        start = np.cumsum(start).astype(np.int32)
        h.passHessian(A.shape[1], len(sub.first), int(highspy.HessianFormat.kTriangular), start,
                      np.asarray(sub.first[order], dtype=np.int32), np.asarray(prox[0][order], dtype=float))
    h.solve()
    status = h.getModelStatus()
    if status != highspy.HighsModelStatus.kOptimal:
        if fixed is not None and status in (highspy.HighsModelStatus.kInfeasible,
                                            highspy.HighsModelStatus.kUnboundedOrInfeasible):
            return np.inf, np.inf, None
        if extra is not None and status in (highspy.HighsModelStatus.kUnbounded,
                                            highspy.HighsModelStatus.kUnboundedOrInfeasible):
            return -np.inf, -np.inf, None  # this W gives no finite bound (a first-stage column without a cap)
        raise SolveError(f"HiGHS stopped ({h.modelStatusToString(status)}) on a scenario subproblem")
    info = h.getInfo()
    value = float(info.objective_function_value)
    bound = float(info.mip_dual_bound) if sub.integrality is not None and sub.integrality.any() else value
    return value, min(value, bound), np.asarray(h.getSolution().col_value)


def _chunk(task: tuple[list[Sub], list[np.ndarray | None], np.ndarray | None, dict[str, Any], Any]) -> list[tuple]:
    subs, extras, fixed, options, prox = task
    return [solve_sub(s, e, fixed, options, prox) for s, e in zip(subs, extras, strict=True)]


@dataclass
class Decomposition:
    """The decomposition's figures: the best bound and incumbent, and each iteration's."""

    bound: float
    objective: float
    gap: float
    iterations: int
    history: list[dict[str, float]]
    seconds: float
    workers: int


def decompose(blocks: Sequence[Block], *, risk: Risk | None = None, target_gap: float = 0.01, max_iterations: int = 30,
              rho: float | None = None, workers: int = 1, mip_gap: float = 1e-4, seed: int = 0,
              time_limit: float | None = None, **_: Any) -> tuple[EFSolution, Decomposition]:
    """Solve the stochastic plan of ``blocks`` scenario by scenario until the certified gap is at
    most ``target_gap`` (or ``max_iterations``/``time_limit`` is reached). Returns the incumbent as
    an :class:`EFSolution` whose ``bound`` is the best Lagrangian bound, and the figures."""
    if risk is not None and risk.weight > 0:
        raise ScenarioError("stochastic.method: decomposition minimises expected cost; a risk term (stochastic.risk) "
                            "couples the scenarios and needs method: extensive")
    start = time.perf_counter()
    keys = shared_keys(blocks)
    lower = np.max([b.compiled.col_lower[b.first] for b in blocks], axis=0)
    upper = np.min([b.compiled.col_upper[b.first] for b in blocks], axis=0)
    subs = [as_sub(b, lower, upper) for b in blocks]
    p = np.array([b.probability for b in blocks])
    options = {"mip_gap": mip_gap, "seed": seed}
    run = _runner(subs, workers, options)
    try:
        W = np.zeros((len(subs), len(keys)))
        integer = any(s.integrality is not None and s.integrality[s.first].any() for s in subs)
        best_lb, best_ub, best_first, best_fixed, history = -np.inf, np.inf, None, None, []
        step = rho
        xf = None
        for it in range(max_iterations):
            # the Lagrangian bound at W (W = 0: wait-and-see); each value is HiGHS's proven bound
            out = run([w if it else None for w in W], None)
            lb = -np.inf if any(o[2] is None for o in out) else float(p @ np.array([o[1] for o in out]))
            best_lb = max(best_lb, lb)
            if it == 0 or integer:
                xf = np.array([o[2][s.first] for o, s in zip(out, subs, strict=True)])
            xbar = p @ xf
            # the incumbent: every scenario's recourse with the first stage fixed at x̄
            fixed = run([None] * len(subs), xbar)
            ub = float(p @ np.array([o[0] for o in fixed]))
            if ub < best_ub:
                best_ub, best_first, best_fixed = ub, xbar, fixed
            gap = (best_ub - best_lb) / max(1.0, abs(best_ub))
            history.append({"iteration": it, "bound": lb, "incumbent": ub, "gap": gap})
            if gap <= target_gap or (time_limit is not None and time.perf_counter() - start > time_limit):
                break
            if step is None:
                step = _initial_rho(subs, xf, xbar)
            if integer or it == 0:
                W = W + step * (xf - xbar)
            if not integer:
                # progressive hedging: each scenario's first stage pulled towards x̄ (a QP), then W moves
                ph = run(list(W), None, (step, xbar))
                # a scenario whose proximal step HiGHS cannot solve (reported unbounded) keeps its last
                # first stage: the step only steers the next x̄; bounds and incumbents come from other solves
                xf = np.array([o[2][s.first] if o[2] is not None else last
                               for o, s, last in zip(ph, subs, xf, strict=True)])
                W = W + step * (xf - p @ xf)
    finally:
        run.close()  # type: ignore[attr-defined]
    if best_first is None or not np.isfinite(best_ub):
        raise SolveError("the decomposition found no first-stage commitment that every scenario can follow; "
                         "use stochastic.method: extensive")
    xs = [o[2] for o in best_fixed]
    costs = np.array([o[0] for o in best_fixed])
    seconds = time.perf_counter() - start
    gap = max(0.0, (best_ub - best_lb) / max(1.0, abs(best_ub)))
    first = xs[0][subs[0].first].copy()
    sol = EFSolution(status="optimal" if gap <= target_gap else "provisional", objective=best_ub, bound=best_lb,
                     gap=gap, first=first, x=xs, costs=costs, seconds=seconds,
                     n_rows=sum(s.csc.shape[0] for s in subs), n_cols=sum(s.csc.shape[1] for s in subs))
    sol._probs = p
    return sol, Decomposition(bound=best_lb, objective=best_ub, gap=gap, iterations=len(history), history=history,
                              seconds=seconds, workers=workers)


def _initial_rho(subs: Sequence[Sub], xf: np.ndarray, xbar: np.ndarray) -> np.ndarray:
    """A step per first-stage column scaled to its cost (as PH's cost-proportional ρ): |c_j| / max(1, spread)."""
    c = np.abs(np.mean([s.cost[s.first] for s in subs], axis=0))
    spread = np.abs(xf - xbar).max(axis=0)
    return np.maximum(c, 1e-3) / np.maximum(1.0, spread)


def _runner(subs: list[Sub], workers: int, options: dict[str, Any]) -> Callable[..., list[tuple]]:
    """solve(extras, fixed) -> one result per scenario, in order, on ``workers`` processes."""
    pool = None
    if workers > 1:
        from workforce.studies.pool import default_executor

        pool = default_executor(workers)
    size = -(-len(subs) // max(1, workers))

    def run(extras: list[np.ndarray | None], fixed: np.ndarray | None, prox: Any = None) -> list[tuple]:
        tasks = [(subs[i:i + size], extras[i:i + size], fixed, options, prox) for i in range(0, len(subs), size)]
        results = map(_chunk, tasks) if pool is None else pool.map(_chunk, tasks)
        return [r for chunk in results for r in chunk]

    run.close = (lambda: pool.shutdown(wait=True, cancel_futures=True)) if pool else (lambda: None)  # type: ignore[attr-defined]
    return run
