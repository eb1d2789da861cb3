"""Region decomposition around HiGHS's MIP (``solver.region_decomposition``, formulation section 12.7).

:func:`region_start` runs, before HiGHS's branch-and-bound on a stage with whole cohorts:

1. the continuous relaxation of the model HiGHS holds, for its row duals (a first ``y``);
2. the Lagrangian bound ``L(y)`` of :mod:`workforce.solver.region_split`, one small MIP per block;
3. a plan: the blocks' cohort counts fixed, every other column re-optimised over the whole model
   (an LP, so budgets and national places hold again), as HiGHS's first incumbent;
4. a few subgradient rounds on ``y`` while the time allows, each with its own repaired plan.

It returns the best bound and plan found; the caller gives the plan to HiGHS
(:func:`workforce.solver.mip_start.give_start`) and reports max(HiGHS's bound, ``L``) as the
stage's bound, so the gap it prints is one the two bounds certify.
"""

from __future__ import annotations

import time
from typing import Any

import highspy
import numpy as np

from workforce.solver.mip_start import give_start
from workforce.solver.region_split import INF, Decomposition, Problem, column_regions, problem_of, subgradient

STEP = 0.25
"""First subgradient step as a fraction of Polyak's (a full step overshot at 153 x 3 x 20)."""

BLOCK_GAP = 1e-3
"""Relative gap each block's MIP is solved to (its proven bound is used, so any gap keeps L valid)."""


def highs_of(problem: Problem, integer: bool, options: dict[str, Any]) -> highspy.Highs:
    """A HiGHS holding ``problem`` (its continuous relaxation unless ``integer``)."""
    from workforce.solver.core import new_highs

    h = new_highs()
    h.setOptionValue("threads", int(options.get("threads") or 0))
    h.setOptionValue("random_seed", int(options.get("random_seed", 0)))
    A = problem.A
    flags = np.where(problem.integer & integer, int(highspy.HighsVarType.kInteger), 0).astype(np.int32)
    clip = lambda v: np.clip(v, -INF, INF)  # noqa: E731
    h.passModel(A.shape[1], A.shape[0], A.nnz, int(highspy.MatrixFormat.kColwise), int(highspy.ObjSense.kMinimize), 0.0,
                problem.c, clip(problem.cl), clip(problem.cu), clip(problem.rl), clip(problem.ru),
                A.indptr.astype(np.int32), A.indices.astype(np.int32), A.data, flags)
    return h


def repair(lp: highspy.Highs, problem: Problem, counts: np.ndarray) -> np.ndarray | None:
    """The best plan with every integer column fixed at ``counts`` (an LP over the rest); none if
    those counts leave no plan. ``lp`` holds the continuous relaxation; its bounds are restored."""
    ints = np.flatnonzero(problem.integer).astype(np.int32)
    fixed = np.clip(np.round(counts[ints]), np.ceil(problem.cl[ints] - 1e-9), np.floor(problem.cu[ints] + 1e-9))
    lp.changeColsBounds(len(ints), ints, fixed, fixed)
    lp.clearSolver()  # a fresh presolved solve beats a warm one after thousands of bound changes (mip_start)
    lp.run()
    ok = lp.getModelStatus() == highspy.HighsModelStatus.kOptimal
    x = np.asarray(lp.getSolution().col_value, dtype=float) if ok else None
    if x is not None:
        x[ints] = fixed
    lp.changeColsBounds(len(ints), ints, np.clip(problem.cl[ints], -INF, INF), np.clip(problem.cu[ints], -INF, INF))
    return x


def region_start(h: highspy.Highs, compiled: Any, data: Any, cost: np.ndarray, offset: float,
                 options: dict[str, Any], seconds: float, rounds: int = 10) -> dict[str, Any]:
    """Bound and plan of the region decomposition of the stage HiGHS holds, within about ``seconds``
    and at most ``rounds`` subgradient rounds after the first.

    Returns ``bound`` (a valid lower bound on the stage's whole-cohort optimum, plus ``offset``, or
    −inf), ``x`` (a feasible plan or none), ``value`` (its stage value plus ``offset``), ``relaxation``,
    ``blocks``, ``rounds`` and ``seconds``."""
    t0 = time.perf_counter()
    deadline = t0 + seconds
    problem = problem_of(h, cost)
    lp = highs_of(problem, False, options)
    lp.setOptionValue("time_limit", max(0.1, seconds))
    lp.run()
    report: dict[str, Any] = {"bound": -np.inf, "x": None, "value": np.inf, "relaxation": None, "rounds": []}
    if lp.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        report["seconds"] = time.perf_counter() - t0
        return report
    report["relaxation"] = lp.getInfo().objective_function_value + offset
    y_all = np.asarray(lp.getSolution().row_dual, dtype=float)
    dec = Decomposition(problem, column_regions(compiled, data), block_gap=BLOCK_GAP)
    report["blocks"] = len(dec.blocks.columns)
    y0 = y_all[dec.blocks.coupling]
    value, x_hat, g = dec.evaluate(y0, deadline, give_up=True)
    report["rounds"].append({"round": 0, "bound": value + offset, "seconds": time.perf_counter() - t0})
    best = {"bound": value + offset}
    lp.setOptionValue("time_limit", max(1.0, deadline - time.perf_counter() + 0.25 * seconds))
    plan = repair(lp, problem, x_hat) if x_hat is not None else None
    if plan is not None:
        report.update(x=plan, value=float(problem.c @ plan) + offset)
    if x_hat is not None and np.isfinite(value) and np.isfinite(report["value"]) and time.perf_counter() < deadline:
        norm = float(g @ g)

        def keep_better(x: np.ndarray) -> float:
            plan = repair(lp, problem, x)
            if plan is not None and float(problem.c @ plan) + offset < report["value"]:
                report.update(x=plan, value=float(problem.c @ plan) + offset)
            return float(report["value"])

        if norm > 1e-12:
            y1 = y0 + STEP * (report["value"] - offset - value) / norm * g
            more, _, rounds = subgradient(dec, y1, report["value"] - offset, deadline, rounds, offset,
                                          close=float(options.get("mip_gap", 1e-3)), on_plan=keep_better)
            report["rounds"] += rounds
            best["bound"] = max(best["bound"], more)
    report["bound"] = max(best["bound"], report["relaxation"] - 1e-9 * abs(report["relaxation"]))
    report["seconds"] = time.perf_counter() - t0
    return report


def before_stage(h: highspy.Highs, compiled: Any, data: Any, cost: np.ndarray, offset: float,
                 options: dict[str, Any], log: list[str]) -> float:
    """``solver.region_decomposition`` on the first MILP stage: run :func:`region_start` on the model
    HiGHS holds (at most half the time limit), give HiGHS its plan as the first incumbent, leave
    HiGHS the rest of the limit, and return the decomposition's bound without ``offset`` (−inf if
    none), which the caller joins to HiGHS's own (the larger of two valid bounds is valid)."""
    limit = options.get("time_limit")
    seconds = 0.5 * float(limit) if limit is not None else 3600.0
    report = region_start(h, compiled, data, cost, offset, options, seconds)
    started = report["x"] is not None and give_start(h, report["x"])
    if limit is not None:
        h.setOptionValue("time_limit", max(1.0, float(limit) - report["seconds"]))
    log.append(f"workforce: region decomposition: {report.get('blocks', 0)} blocks, {len(report['rounds'])} rounds, "
               f"bound {report['bound']:.6g}, plan {report['value']:.6g}{'' if started else ' (no plan)'}, "
               f"{report['seconds']:.2f} s\n")
    return float(report["bound"]) - offset
