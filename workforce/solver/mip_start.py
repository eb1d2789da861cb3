"""A whole-cohort plan to start from: round the continuous relaxation, repair it, hand it to HiGHS.

Called by :func:`workforce.solver.core.run` when HiGHS stops at its limit on a model with integer
columns (cohorts) without having found any plan: a feasible plan given to it then
(``Highs.setSolution``) means a time limit always ends with a plan and its gap. (Later
lexicographic stages simply start from the earlier stage's plan.) Three LP solves on a separate
HiGHS:

1. the continuous relaxation (every cohort count fractional) at the stage's cost;
2. a lift: cohort counts rounded to the nearest whole number become lower bounds (still
   continuous), so the LP adds cohorts only where a limit (a minimum intake, a target, a place
   share) needs them, and those fractional counts are rounded up;
3. the repair: every cohort count fixed at that whole number, the rest of the plan (intakes,
   hires, shortfall, spend) re-optimised around it, so the start keeps every limit as an LP
   solution does (budgets, minimums, places).

If the rounded counts leave no plan (e.g. fixed cohort costs break a budget), plain rounding up
of the relaxation is tried; if that fails too, HiGHS starts without a plan.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

import highspy
import numpy as np

if TYPE_CHECKING:
    from workforce.model.compiled import Compiled

EPS = 1e-6
"""A relaxed cohort count this close to a whole number counts as that number."""


def start_solution(compiled: Compiled, cost: np.ndarray, options: dict[str, Any]) -> tuple[np.ndarray | None, dict[str, Any]]:
    """A feasible whole-cohort plan (all columns) and what was done; none if no rounding kept every limit."""
    from workforce.solver.core import _highs

    t = time.perf_counter()
    assert compiled.integrality is not None
    ints = np.flatnonzero(compiled.integrality).astype(np.int32)
    lo, hi = compiled.col_lower[ints], compiled.col_upper[ints]
    h = _highs(compiled, {k: v for k, v in options.items() if k != "time_limit"})  # continuous relaxation
    n = len(cost)
    h.changeColsCost(n, np.arange(n, dtype=np.int32), cost)
    report: dict[str, Any] = {"integer_columns": len(ints)}

    def solve(lower: np.ndarray, upper: np.ndarray) -> np.ndarray | None:
        h.changeColsBounds(len(ints), ints, lower, upper)
        h.clearSolver()  # a fresh presolved solve beats a warm one after thousands of bound changes
        h.run()
        if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            return None
        return np.asarray(h.getSolution().col_value, dtype=float)

    relaxed = solve(lo, hi)
    if relaxed is None:
        report.update(method="none", seconds=time.perf_counter() - t)
        return None, report
    report["relaxation"] = float(cost @ relaxed)
    nearest = np.clip(np.floor(relaxed[ints] + 0.5), lo, hi)
    lifted = solve(nearest, hi)
    candidates = []
    if lifted is not None:
        candidates.append(("nearest, lifted where a limit needs more", _whole(lifted[ints], lo, hi)))
    candidates.append(("rounded up", _whole(relaxed[ints], lo, hi)))
    for method, counts in candidates:
        x = solve(counts, counts)
        if x is not None:
            x[ints] = counts  # exactly whole
            report.update(method=method, objective=float(cost @ x), seconds=time.perf_counter() - t)
            return x, report
    report.update(method="none", seconds=time.perf_counter() - t)
    return None, report


def _whole(values: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """Round up, ignoring solver noise just above a whole number, within the column bounds."""
    return np.clip(np.ceil(values - EPS), lo, hi)


def give_start(h: highspy.Highs, x: np.ndarray) -> bool:
    """Pass ``x`` to HiGHS as its first incumbent; false if HiGHS refused it."""
    solution = highspy.HighsSolution()
    solution.col_value = list(x)
    solution.value_valid = True
    return h.setSolution(solution) != highspy.HighsStatus.kError


def rescue(h: highspy.Highs, compiled: Compiled, cost: np.ndarray,
           options: dict[str, Any]) -> tuple[highspy.HighsModelStatus, dict[str, Any]]:
    """HiGHS stopped at its limit without any whole-cohort plan: build one by rounding
    (:func:`start_solution`), give it to HiGHS and let it run briefly from it (a tenth of the time
    limit, at least a second), so that the planner gets a provisional plan with its gap instead
    of nothing. Only this case goes over ``time_limit``, by the seconds reported
    (``timings["mip_start"]``), and it is the same in ``workforce run`` and in every point of a
    study: the run prints a note, points.csv has ``rescue_seconds``. The plan is ``optimal`` only
    if HiGHS proves it during the rescue, else ``provisional`` with its gap.

    Measured at 153 x 3 x 20 (all programmes in cohorts and EP only), a start given before the
    first solve cost 5-14 s of LP solves and HiGHS's own search found the same or better plans
    without it, so the rounding is kept for this rescue."""
    from workforce.solver.core import _run_highs

    t = time.perf_counter()
    x, report = start_solution(compiled, cost, options)
    status = h.getModelStatus()
    if x is not None and give_start(h, x):
        limit = options.get("time_limit")
        h.setOptionValue("time_limit", max(1.0, 0.1 * float(limit)) if limit is not None else 1.0)
        status = _run_highs(h)
        if limit is not None:
            h.setOptionValue("time_limit", float(limit))
    report["seconds"] = time.perf_counter() - t
    return status, report


def honest_gap(value: float, bound: float) -> float:
    """Relative gap of a MILP plan of objective ``value`` to the solver's proven ``bound``
    (relative to max(1, |value|), as HiGHS's mip_rel_gap). HiGHS's own ``mip_gap`` is infinite
    when it flags its incumbent as off a limit by a hair, though the bound still holds; the plan is
    re-checked by :func:`workforce.solver.core.check_rows` either way."""
    if not np.isfinite(bound):
        return float("inf")
    return max(0.0, (value - bound) / max(1.0, abs(value)))
