"""Cohort strengthening (``solver.cohort_strengthening``): valid inequalities on whole cohort counts.

models/cohort_planning.md section 12.6. For a cohort programme p, region r and year t with
``M = cohort_max_size[p]`` and ``U = intake_upper[p,r,t]``, write ``U = k·M + ρ`` with
``k = ⌊U / M⌋`` and ``0 < ρ < M``. Every whole-cohort plan keeps

    intake[p,r,t] ≤ ρ · cohorts[p,r,t] + k · (M − ρ)          (cohort_capacity_cut)

(``cohort_size_maximum`` gives intake ≤ M·n, the intake limits give intake ≤ U; for whole
n ≤ k the cut is at least M·n since ρ < M, for n ≥ k + 1 at least U). The continuous relaxation
does not: with U < M (k = 0) it allows intake = U at n = U / M cohorts, where the cut asks for
n ≥ 1. The rows are given to HiGHS only (as the lexicographic stages' bound rows are): they cut
off no whole-cohort plan, so the model's rows, its re-check and its explanation are unchanged, and
both LP constructions get the same rows because they are read from the compiled model.
"""

from __future__ import annotations

import math
from typing import Any

import highspy
import numpy as np
from scipy.sparse import csc_array

TOL = 1e-9
"""ρ at most this (U a whole number of maximum cohorts, up to rounding): no cut, it would add nothing."""


def cohort_columns(compiled: Any) -> dict[int, tuple[Any, Any, Any]]:
    """Column position of each ``cohorts[p, r, t]`` -> (p, r, t), on either LP construction."""
    layout = getattr(compiled, "layout", None)
    if layout is not None:  # workforce.model.arrays: one (R, T) block per cohort programme
        d = compiled.data
        block = np.asarray(layout["cohorts"])
        return {int(block[i, a, b]): (p, r, t) for i, p in enumerate(d.COHORT_PROGRAMMES)
                for a, r in enumerate(d.REGIONS) for b, t in enumerate(d.YEARS)}
    return {j: tuple(v.index()) for j, v in enumerate(compiled.columns) if v.parent_component().local_name == "cohorts"}


def capacity_cuts(compiled: Any, data: Any) -> list[tuple[np.ndarray, np.ndarray, float]]:
    """(columns, coefficients, upper) of each cohort_capacity_cut row, in column order.

    The intake side is read from the ``cohort_size_maximum`` row of the count (the count's only
    row of the form Σ intake − M·n ≤ 0, intake coefficients 1), so it is the model's own intake
    expression (the sum over terms when a year has several intakes)."""
    m = compiled.csc
    A = csc_array((m.data, m.indices, m.indptr), shape=m.shape)
    rows_of = A.tocsr()
    integer = np.zeros(A.shape[1], dtype=bool)
    integer[np.asarray(compiled.integrality)] = True
    lower, upper = compiled.row_lower, compiled.row_upper
    cuts = []
    for n, (p, r, t) in sorted(cohort_columns(compiled).items()):
        M = float(data.cohort_max_size[p])
        U = float(data.intake_upper[p, r, t])
        if not (M > 0 and math.isfinite(U)):
            continue
        k = math.floor(U / M + TOL)
        rho = U - k * M
        if rho <= TOL * max(1.0, M):
            continue
        found = _maximum_row(rows_of, A, n, M, integer, lower, upper)
        if found is None:
            continue
        cols = np.append(found, n).astype(np.int32)
        vals = np.append(np.ones(len(found)), -rho)
        cuts.append((cols, vals, k * (M - rho)))
    return cuts


def _maximum_row(rows_of: Any, A: Any, n: int, M: float, integer: np.ndarray, lower: np.ndarray,
                 upper: np.ndarray) -> np.ndarray | None:
    """The intake columns of count ``n``'s cohort_size_maximum row (Σ intake − M·n ≤ 0, in either
    sign), or none if there is not exactly one such row."""
    found = []
    for i, a in zip(A.indices[A.indptr[n]:A.indptr[n + 1]], A.data[A.indptr[n]:A.indptr[n + 1]], strict=True):
        if upper[i] == 0 and lower[i] <= -highspy.kHighsInf:
            sign = 1.0
        elif lower[i] == 0 and upper[i] >= highspy.kHighsInf:
            sign = -1.0
        else:
            continue
        if not math.isclose(sign * a, -M, rel_tol=1e-12):
            continue
        s, e = rows_of.indptr[i], rows_of.indptr[i + 1]
        cols, vals = rows_of.indices[s:e], sign * rows_of.data[s:e]
        others = cols != n
        if integer[cols[others]].any() or not np.allclose(vals[others], 1.0, rtol=0, atol=1e-12):
            continue
        found.append(cols[others])
    return found[0] if len(found) == 1 else None


def add_capacity_cuts(h: highspy.Highs, compiled: Any, data: Any) -> int:
    """Add every cohort_capacity_cut row to HiGHS (after the model's rows); how many were added."""
    cuts = capacity_cuts(compiled, data)
    for cols, vals, rhs in cuts:
        h.addRow(-highspy.kHighsInf, rhs, len(cols), cols, vals)
    return len(cuts)
