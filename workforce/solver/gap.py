"""A proven lower bound for an LP stopped early, so that a provisional plan comes with its gap.

HiGHS reports a gap only for MIPs. For an LP stopped by a time or iteration limit with a feasible
plan in hand, any row multipliers ``y`` give a valid lower bound (weak duality, the Lagrangian of
``min c·x  s.t.  l ≤ A x ≤ u,  lb ≤ x ≤ ub``):

    c·x = (c − Aᵀy)·x + y·(A x)  ≥  Σ_j min over [lb_j, ub_j] of d_j x_j  +  Σ_i min over [l_i, u_i] of y_i r_i

with ``d = c − Aᵀy``. It is finite when every negative ``y_i`` (``d_j``) meets a finite upper bound
and every positive one a finite lower bound. The bound is taken at HiGHS's current row duals (with
the multipliers of rows lacking the needed bound set to zero) and at ``y = 0``, and the larger
finite value is returned.
"""

from __future__ import annotations

import highspy
import numpy as np
from scipy.sparse import csc_array

INF = highspy.kHighsInf


def lagrangian_bound(c: np.ndarray, A: csc_array, row_lower: np.ndarray, row_upper: np.ndarray,
                     col_lower: np.ndarray, col_upper: np.ndarray, y: np.ndarray) -> float:
    """The weak-duality bound at multipliers ``y`` (−inf when it is unbounded below)."""
    d = c - A.T @ y
    total = 0.0
    for coef, low, high in ((y, row_lower, row_upper), (d, col_lower, col_upper)):
        pos, neg = coef > 0, coef < 0
        if np.any(pos & ~np.isfinite(low)) or np.any(neg & ~np.isfinite(high)):
            return -np.inf
        total += float(coef[pos] @ low[pos]) + float(coef[neg] @ high[neg])
    return total


def lp_bound(h: highspy.Highs, offset: float = 0.0) -> float | None:
    """Best proven lower bound on the objective of the LP loaded in ``h`` (plus ``offset``)."""
    lp = h.getLp()
    n, m = lp.num_col_, lp.num_row_
    a = lp.a_matrix_
    A = csc_array((np.asarray(a.value_), np.asarray(a.index_), np.asarray(a.start_)), shape=(m, n))
    c = np.asarray(lp.col_cost_, dtype=float)
    rl, ru = _finite(lp.row_lower_), _finite(lp.row_upper_)
    cl, cu = _finite(lp.col_lower_), _finite(lp.col_upper_)
    candidates = [np.zeros(m)]
    solution = h.getSolution()
    if solution.dual_valid and len(solution.row_dual) == m:
        y = np.asarray(solution.row_dual, dtype=float).copy()
        y[(y > 0) & ~np.isfinite(rl)] = 0.0
        y[(y < 0) & ~np.isfinite(ru)] = 0.0
        candidates.insert(0, y)
    best = max(lagrangian_bound(c, A, rl, ru, cl, cu, y) for y in candidates)
    return best + float(lp.offset_) + offset if np.isfinite(best) else None


def _finite(values: object) -> np.ndarray:
    """HiGHS marks a missing bound with ±kHighsInf; use ±inf so that numpy sees it."""
    arr = np.asarray(values, dtype=float).copy()
    arr[arr >= INF] = np.inf
    arr[arr <= -INF] = -np.inf
    return arr
