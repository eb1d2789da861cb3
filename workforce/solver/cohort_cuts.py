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

from typing import Any, NamedTuple

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


class CutRows(NamedTuple):
    """Rows in HiGHS's row-wise form: row i has columns ``index[starts[i]:starts[i + 1]]``."""

    starts: np.ndarray
    index: np.ndarray
    value: np.ndarray
    upper: np.ndarray

    def rows(self) -> list[tuple[np.ndarray, np.ndarray, float]]:
        """(columns, coefficients, upper) of each row."""
        ends = np.append(self.starts[1:], len(self.index))[:len(self.starts)]
        return [(self.index[a:b], self.value[a:b], float(u)) for a, b, u in zip(self.starts, ends, self.upper, strict=True)]


def capacity_cuts(compiled: Any, data: Any) -> CutRows:
    """The cohort_capacity_cut rows, one per count where they cut, in column order of the counts.

    The intake side is read from the ``cohort_size_maximum`` row of the count (the count's only
    row of the form Σ intake − M·n ≤ 0, in either sign, intake coefficients 1), so it is the model's
    own intake expression (the sum over terms when a year has several intakes)."""
    keys = cohort_columns(compiled)
    n_cols = np.array(sorted(keys), dtype=np.int64)
    M = np.array([float(data.cohort_max_size[keys[n][0]]) for n in n_cols])
    U = np.array([float(data.intake_upper[keys[n]]) for n in n_cols])
    k = np.floor(U / M + TOL)
    rho = U - k * M
    row_of, sign = _maximum_rows(compiled, n_cols, M)
    keep = (rho > TOL * np.maximum(1.0, M)) & (row_of >= 0) & np.isfinite(U)
    m = compiled.csc
    sub = csc_array((m.data, m.indices, m.indptr), shape=m.shape).tocsr()[row_of[keep]]
    sub.sort_indices()
    per_row = np.diff(sub.indptr)
    value = sub.data * np.repeat(sign[row_of[keep]], per_row)  # intake 1, count −M
    is_count = sub.indices == np.repeat(n_cols[keep], per_row)
    value[is_count] = -rho[keep]
    return CutRows(sub.indptr[:-1].astype(np.int32), sub.indices.astype(np.int32), value, k[keep] * (M[keep] - rho[keep]))


def _maximum_rows(compiled: Any, n_cols: np.ndarray, M: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For each count column, its one cohort_size_maximum row (Σ intake − M·n ≤ 0 in either sign, one
    integer column, every other coefficient 1), or −1 if there is not exactly one such row; and every
    row's sign (1 for ≤ 0, −1 for ≥ 0, 0 for other rows)."""
    m = compiled.csc
    lower, upper = np.asarray(compiled.row_lower), np.asarray(compiled.row_upper)
    sign = np.where((upper == 0) & (lower <= -highspy.kHighsInf), 1.0,
                    np.where((lower == 0) & (upper >= highspy.kHighsInf), -1.0, 0.0))
    integer = np.zeros(m.shape[1], dtype=bool)
    integer[np.asarray(compiled.integrality)] = True
    col = np.repeat(np.arange(m.shape[1]), np.diff(m.indptr))
    row, a = np.asarray(m.indices), sign[np.asarray(m.indices)] * np.asarray(m.data)
    n_rows = m.shape[0]
    integers_in_row = np.bincount(row, weights=integer[col], minlength=n_rows)
    bad_other = np.bincount(row, weights=~integer[col] & ~np.isclose(a, 1.0, rtol=0, atol=1e-12), minlength=n_rows)
    good_row = (sign != 0) & (integers_in_row == 1) & (bad_other == 0)
    max_of = np.full(m.shape[1], np.nan)
    max_of[n_cols] = M
    hit = good_row[row] & integer[col] & np.isclose(a, -max_of[col], rtol=1e-12, atol=0)
    count = np.bincount(col[hit], minlength=m.shape[1])
    found = np.full(m.shape[1], -1, dtype=np.int64)
    found[col[hit]] = row[hit]
    return np.where(count[n_cols] == 1, found[n_cols], -1), sign


def add_capacity_cuts(h: highspy.Highs, compiled: Any, data: Any) -> int:
    """Add every cohort_capacity_cut row to HiGHS (after the model's rows); how many were added."""
    cuts = capacity_cuts(compiled, data)
    n = len(cuts.upper)
    if n:  # one call: a row at a time costs HiGHS a copy of its row-wise matrix per row
        h.addRows(n, np.full(n, -highspy.kHighsInf), cuts.upper, len(cuts.index), cuts.starts, cuts.index, cuts.value)
    return n
