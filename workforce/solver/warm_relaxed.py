"""A whole-cohort point solved as one warm LP when its cohort counts are forced (models/cohort_planning.md section 19.1).

A point of a sweep or Monte Carlo study on a model with integer columns (whole cohorts) used to
be solved as a MIP from scratch: HiGHS's MIP presolve and a cold root LP, about 53 ms a draw of the
England baseline, although its presolve leaves no integer column in any draw (every cohort count is
implied by the minimum intakes and the cohort sizes). :func:`solve_relaxed` does the same proof
cheaply and keeps the warm start of the LP points:

1. **Bounds implied by the rows** (:func:`implied_bounds`): a few rounds of activity-based bound
   tightening over the point's matrix, row bounds and column bounds; an integer column's implied
   bounds are rounded inwards (``ceil(lower - 1e-6)``, ``floor(upper + 1e-6)``, HiGHS's
   ``mip_feasibility_tolerance``). Every plan that keeps the rows keeps these bounds, so the LP
   with them is still a relaxation of the point's MIP.
2. **That relaxation, warm**: the integer columns made continuous within their implied bounds,
   solved by simplex from the base scenario's basis of the same relaxation (the same start for
   every point, whatever was solved before: :meth:`WarmModel._reference`).
3. **The certificate**: if that LP is optimal and every integer column is whole in its solution
   (within the same 1e-6), the solution is a whole-cohort plan whose cost equals a lower bound on
   every whole-cohort plan's cost, so it is optimal for the MIP: gap 0, as HiGHS would report it.
   Otherwise (a fractional count, an infeasible or time-limited LP) the point is solved as a MIP as
   before; the model's integer columns and bounds are put back either way.

For the England baseline's Monte Carlo draws the first case holds in every draw measured: 5 ms of
LP and about 1 ms of bound tightening instead of 53 ms (benchmarks/bench_montecarlo.py).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import highspy
import numpy as np

from workforce.scenario.schema import TERMS

if TYPE_CHECKING:
    from workforce.solver.warm import WarmModel

ROUNDS = 4
"""Rounds of bound tightening: the England baseline's cohort counts are implied after two (minimum
intake row -> intake -> cohort count). Stopping earlier only leaves a looser, still valid relaxation."""
TOLERANCE = 1e-6
"""How near a whole number an integer column's value or implied bound must be: HiGHS's
``mip_feasibility_tolerance``."""
INFINITE = 1e20
"""HiGHS treats bounds at or beyond this as infinite (``kHighsInf``)."""


def implied_bounds(A: Any, row_lower: np.ndarray, row_upper: np.ndarray, col_lower: np.ndarray,
                   col_upper: np.ndarray, integer: np.ndarray, rounds: int = ROUNDS) -> tuple[np.ndarray, np.ndarray]:
    """Column bounds every solution of ``row_lower <= A x <= row_upper``, ``col_lower <= x <= col_upper``
    (x integer where ``integer``) keeps: the given ones tightened by each row's least and greatest
    activity over the other columns, ``rounds`` times; integer columns' bounds rounded inwards.

    ``A`` is a CSR matrix with sorted indices. Continuous bounds are loosened by 1e-9 relative to
    absorb rounding in the sums, and moved only by more than 1e-6 relative (no endless creeping).
    From the third round on, a round that moves no integer column's bound is the last (any
    stopping point leaves valid bounds; the baseline's counts move in the second)."""
    rows = np.repeat(np.arange(A.shape[0]), np.diff(A.indptr))
    stored = A.data != 0.0  # a stored zero bounds nothing (and 0 x inf is no number)
    rows, cols, a = rows[stored], A.indices[stored], A.data[stored]
    lo = np.where(col_lower <= -INFINITE, -np.inf, col_lower).astype(float)
    hi = np.where(col_upper >= INFINITE, np.inf, col_upper).astype(float)
    L = np.where(row_lower <= -INFINITE, -np.inf, row_lower)[rows]
    U = np.where(row_upper >= INFINITE, np.inf, row_upper)[rows]
    positive = a > 0
    order = np.argsort(cols, kind="stable")  # entries column after column, for the reductions
    starts = np.flatnonzero(np.r_[True, np.diff(cols[order]) != 0]) if len(cols) else np.zeros(0, dtype=np.int64)
    present = cols[order][starts]
    for round_ in range(rounds):
        least = np.where(positive, a * lo[cols], a * hi[cols])  # each entry's smallest contribution
        most = np.where(positive, a * hi[cols], a * lo[cols])
        rest_least, rest_most = _rest(rows, least, A.shape[0], -np.inf), _rest(rows, most, A.shape[0], np.inf)
        with np.errstate(invalid="ignore", divide="ignore"):
            below_upper = (U - rest_least) / a  # a x <= U - (least of the others)
            above_lower = (L - rest_most) / a  # a x >= L - (most of the others)
        new_hi = np.where(positive, below_upper, above_lower)
        new_lo = np.where(positive, above_lower, below_upper)
        new_hi[np.isnan(new_hi)] = np.inf
        new_lo[np.isnan(new_lo)] = -np.inf
        col_hi, col_lo = np.full(len(hi), np.inf), np.full(len(lo), -np.inf)
        if len(present):
            col_hi[present] = np.minimum.reduceat(new_hi[order], starts)
            col_lo[present] = np.maximum.reduceat(new_lo[order], starts)
        col_hi += 1e-9 * (1.0 + np.abs(np.where(np.isfinite(col_hi), col_hi, 0.0)))
        col_lo -= 1e-9 * (1.0 + np.abs(np.where(np.isfinite(col_lo), col_lo, 0.0)))
        col_hi[integer] = np.floor(col_hi[integer] + TOLERANCE)
        col_lo[integer] = np.ceil(col_lo[integer] - TOLERANCE)
        tighter_hi = col_hi < hi - 1e-6 * (1.0 + np.abs(np.where(np.isfinite(hi), hi, 0.0)))
        tighter_lo = col_lo > lo + 1e-6 * (1.0 + np.abs(np.where(np.isfinite(lo), lo, 0.0)))
        hi = np.where(tighter_hi, col_hi, hi)
        lo = np.where(tighter_lo, col_lo, lo)
        if not (tighter_hi.any() or tighter_lo.any()) or (round_ >= 2 and not (tighter_hi | tighter_lo)[integer].any()):
            break  # nothing moved, or (from the third round) no integer bound did: stopping only loosens the relaxation
    return lo, hi


def _rest(rows: np.ndarray, contribution: np.ndarray, n_rows: int, infinite_value: float) -> np.ndarray:
    """For each entry, the sum of the other entries' ``contribution`` in its row; ``infinite_value``
    (-inf for least contributions, +inf for greatest) when another entry's contribution is infinite."""
    infinite = ~np.isfinite(contribution)
    finite = np.where(infinite, 0.0, contribution)
    total = np.bincount(rows, finite, n_rows)[rows]
    others_infinite = np.bincount(rows, infinite, n_rows)[rows] - infinite
    return np.where(others_infinite > 0, infinite_value, total - finite)


def relaxation_bounds(model: WarmModel) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    """The integer columns of ``model`` as it is now and their implied bounds (:func:`implied_bounds`),
    or None when the bounds cross (the point may be infeasible: the MIP solve says so, and why)."""
    c = model.compiled
    integer = np.asarray(c.integrality, dtype=bool)
    lo, hi = implied_bounds(model._A, c.row_lower, c.row_upper, c.col_lower, c.col_upper, integer)
    if (lo > hi + TOLERANCE * (1.0 + np.abs(np.where(np.isfinite(lo), lo, 0.0)))).any():
        return None
    ints = np.flatnonzero(integer).astype(np.int32)
    return ints, np.minimum(lo[ints], hi[ints]), hi[ints]


def _relax(h: highspy.Highs, ints: np.ndarray, lower: np.ndarray, upper: np.ndarray) -> None:
    h.changeColsIntegrality(len(ints), ints, np.full(len(ints), int(highspy.HighsVarType.kContinuous), dtype=np.uint8))
    h.changeColsBounds(len(ints), ints, lower, upper)


def _restore(model: WarmModel, ints: np.ndarray) -> None:
    c = model.compiled
    model.h.changeColsIntegrality(len(ints), ints, np.full(len(ints), int(highspy.HighsVarType.kInteger), dtype=np.uint8))
    model.h.changeColsBounds(len(ints), ints, c.col_lower[ints], c.col_upper[ints])


def applies(model: WarmModel) -> bool:
    """Points of ``model`` go through :func:`solve_relaxed`: whole cohorts and a weighted-sum
    objective (a lexicographic or equity objective is solved in stages by ``run``)."""
    d = model.data
    return model.compiled.integrality is not None and not d.scenario.objective.lexicographic and d.equity_basis is None


def reference_basis(model: WarmModel) -> highspy.HighsBasis | bool:
    """The optimal basis of the base scenario's strengthened relaxation (``model`` holds the base),
    the start of every point's relaxation; False if it has none (points are then solved as MIPs)."""
    if not applies(model):
        return False
    found = relaxation_bounds(model)
    if found is None:
        return False
    ints, lower, upper = found
    h, d = model.h, model.data
    model._weights = np.array([d.weights[t] for t in TERMS])
    model._cost = model._weights @ model.compiled.term_costs  # as solve() pushes them
    h.changeColsCost(len(model._cost), np.arange(len(model._cost), dtype=np.int32), model._cost)
    try:
        _relax(h, ints, lower, upper)
        h.clearSolver()
        h.run()
        ok = h.getModelStatus() == highspy.HighsModelStatus.kOptimal and h.getBasis().valid
        return h.getBasis() if ok else False
    finally:
        _restore(model, ints)
        h.clearSolver()


def solve_relaxed(model: WarmModel) -> np.ndarray | None:
    """The point's whole-cohort optimum from its strengthened relaxation, solved warm (see the
    module's docstring), or None when that relaxation does not prove one: solve the MIP then.
    ``model``'s costs are pushed; HiGHS is left holding the MIP as it was."""
    if model._start is False or not applies(model):
        return None
    found = relaxation_bounds(model)
    if found is None:
        return None
    ints, lower, upper = found
    h = model.h
    try:
        _relax(h, ints, lower, upper)
        h.clearSolver()
        h.setBasis(model._start)
        h.run()
        if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            return None
        x = np.asarray(h.getSolution().col_value)
        whole = np.abs(x[ints] - np.round(x[ints])) <= TOLERANCE
        return x if whole.all() else None
    finally:
        _restore(model, ints)
        h.clearSolver()
