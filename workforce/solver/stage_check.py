"""Every stage's answer re-checked from the columns HiGHS returns (issue 20).

HiGHS 1.16.0, given the earlier stage's plan as a MIP start (``Highs.setSolution``), can value
that start in its presolved space at less than the plan is worth, take it as proven optimal and
hand it back unchanged (models/cohort_planning.md, section 12.5). The plan is feasible, so the
row re-check passes; only its value gives it away. So after every stage the solve recomputes the
stage's value from the returned columns and compares it with:

* the value HiGHS reports for them;
* the earlier stages' bound rows (the plan must keep every earlier optimum);
* for a MILP reported optimal, the proven bound: the plan's own gap must be within ``mip_gap``.

A disagreement is answered by re-solving the stage without the start (:func:`workforce.solver.core.run`);
if the re-solve disagrees too, the run stops with :class:`~workforce.errors.VerificationError`.
"""

from __future__ import annotations

from dataclasses import dataclass

import highspy
import numpy as np

from workforce.solver.mip_start import honest_gap

CHECK_TOLERANCE = 1e-6
"""Relative tolerance (to max(1, |value|)) of the comparisons; HiGHS's own value of a returned plan
agrees with the recomputed one to rounding (1e-12 or so) when nothing is wrong."""


FAULTY_MIP_START = ("1.16.0",)
"""highspy versions that return a MIP start as optimal below its value (tests/test_stage_check.py
reproduces it; pyproject.toml excludes them). The re-check above protects every version."""


@dataclass(frozen=True)
class StageBound:
    """An earlier stage's bound row: ``cost @ x + offset <= limit``."""

    stage: int
    cost: np.ndarray
    offset: float
    limit: float


def stage_value(cost: np.ndarray, offset: float, x: np.ndarray) -> float:
    """The stage's value at the plan ``x``: its cost row times the columns, plus the constant."""
    return float(cost @ x) + offset


def disagreement(h: highspy.Highs, cost: np.ndarray, offset: float, x: np.ndarray,
                 earlier: list[StageBound], optimal: bool, mip_gap: float) -> str | None:
    """What is wrong with HiGHS's answer at ``x``, in words; none when the answer holds."""
    value = stage_value(cost, offset, x)
    info = h.getInfo()
    reported = float(info.objective_function_value) + offset
    if abs(value - reported) > CHECK_TOLERANCE * max(1.0, abs(value)):
        return f"HiGHS reported {reported:,.6g} for a plan whose value is {value:,.6g}"
    for b in earlier:
        held = stage_value(b.cost, b.offset, x)
        if held - b.limit > CHECK_TOLERANCE * max(1.0, abs(b.limit)):
            return f"the plan gives stage {b.stage} the value {held:,.6g}, above its bound {b.limit:,.6g}"
    if optimal and info.mip_node_count >= 0:  # a MILP reported optimal: its plan is within the gap
        bound = float(info.mip_dual_bound) + offset
        gap = honest_gap(value, bound)
        if gap > mip_gap + CHECK_TOLERANCE:
            return (f"HiGHS reported the plan optimal, but its value {value:,.6g} is {100 * gap:.3g}% above "
                    f"the proven bound {bound:,.6g} (mip_gap {100 * mip_gap:.3g}%)")
    return None


WHOLE = 1e-9
"""An integer column this close to a whole number is taken as exactly whole (no re-solve)."""


def whole_plan(h: highspy.Highs, integer: np.ndarray, x: np.ndarray) -> highspy.HighsSolution | None:
    """The plan with every integer column (cohort count) exactly whole: HiGHS accepts a count within
    its integrality tolerance (1e-6), so 2.000001 cohorts can carry a few millionths of a starter
    more than 2 whole ones may, which the table re-check (counts rounded) rejects. The counts are
    fixed at their rounded values and the stage loaded in ``h`` (its cost and earlier bound rows)
    is re-solved for the rest of the plan; the bounds are then restored. None when the counts are
    already whole, or when no plan keeps every limit with the rounded counts (the plan is then
    kept as HiGHS gave it and the re-checks judge it)."""
    ints = np.flatnonzero(integer)
    if not len(ints) or np.max(np.abs(x[ints] - np.round(x[ints]))) <= WHOLE:
        return None
    held = hold_whole_counts(h, integer, x)
    try:
        h.clearSolver()
        h.run()
        ok = h.getModelStatus() == highspy.HighsModelStatus.kOptimal
        solution = h.getSolution() if ok else None
    finally:
        h.changeColsBounds(*held)
    return solution


def hold_whole_counts(h: highspy.Highs, integer: np.ndarray, x: np.ndarray) -> tuple[int, np.ndarray, np.ndarray, np.ndarray]:
    """Fix every integer column (cohort count) at its whole value in ``x`` and return what gives
    the columns their own bounds back: ``h.changeColsBounds(*held)``."""
    ints = np.flatnonzero(integer).astype(np.int32)
    lp = h.getLp()
    held = (len(ints), ints, np.asarray(lp.col_lower_)[ints].copy(), np.asarray(lp.col_upper_)[ints].copy())
    whole = np.round(x[ints])
    h.changeColsBounds(len(ints), ints, whole, whole)
    return held
