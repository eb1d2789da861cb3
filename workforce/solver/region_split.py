"""Region decomposition (``solver.region_decomposition``): a certified bound and a plan, region by region.

models/cohort_planning.md section 12.7. Regions are linked only through rows that hold columns of
more than one region (budgets, national places, national targets, place shares, moves, equity):
call those rows D. Relaxing them with multipliers ``y`` (weak duality, as in
:mod:`workforce.solver.gap`, but keeping integrality) gives for every ``y`` of the right signs

    L(y) = Σ_k min { (c − A_Dᵀy)_k · x_k : x_k ∈ X_k }  +  Σ_{i ∈ D} min over [l_i, u_i] of y_i r_i

where ``X_k`` is one connected block of the other rows (a region, or a region's role) with its
bounds and whole cohort counts. Each block is a small MIP solved by HiGHS; its proven dual bound
(never its incumbent) enters ``L``, so ``L(y)`` is a lower bound on the whole-cohort optimum even
when a block stops short of optimal. The blocks' plans, with the counts fixed and the rest
re-optimised over the whole model as an LP, give a feasible plan (an upper bound).

This module works on plain arrays (:class:`Problem`), read from the HiGHS model the solve holds
(so rows HiGHS was given besides the model's, such as an earlier stage's bound, are coupling rows
and are respected too).
"""

from __future__ import annotations

import time
from typing import Any, NamedTuple

import highspy
import numpy as np
from scipy.sparse import bmat, csc_array
from scipy.sparse.csgraph import connected_components

INF = highspy.kHighsInf
SAMPLE = 20
"""Blocks solved before the pace of a round is judged."""


class Problem(NamedTuple):
    """min c·x  s.t.  rl ≤ A x ≤ ru,  cl ≤ x ≤ cu,  x_j whole where ``integer[j]`` (±inf for no bound)."""

    c: np.ndarray
    A: csc_array
    rl: np.ndarray
    ru: np.ndarray
    cl: np.ndarray
    cu: np.ndarray
    integer: np.ndarray


def problem_of(h: highspy.Highs, cost: np.ndarray) -> Problem:
    """The model HiGHS holds (its rows, bounds and integrality) at the cost vector ``cost``."""
    lp = h.getLp()
    a = lp.a_matrix_
    A = csc_array((np.asarray(a.value_), np.asarray(a.index_), np.asarray(a.start_)), shape=(lp.num_row_, lp.num_col_))
    integer = np.zeros(lp.num_col_, dtype=bool)
    if len(lp.integrality_):
        integer = np.array([v == highspy.HighsVarType.kInteger for v in lp.integrality_], dtype=bool)
    return Problem(np.asarray(cost, dtype=float), A, _inf(lp.row_lower_), _inf(lp.row_upper_),
                   _inf(lp.col_lower_), _inf(lp.col_upper_), integer)


def _inf(values: Any) -> np.ndarray:
    arr = np.asarray(values, dtype=float).copy()
    arr[arr >= INF] = np.inf
    arr[arr <= -INF] = -np.inf
    return arr


def column_regions(compiled: Any, data: Any) -> np.ndarray:
    """Each column's region (its position in ``data.REGIONS``), −1 for a column of no single region
    (a move between two regions, the worst shortfall rate)."""
    layout = getattr(compiled, "layout", None)
    keys = layout.column_keys() if layout is not None else [(None, v.index()) for v in compiled.columns]
    where = {r: i for i, r in enumerate(data.REGIONS)}
    out = np.full(len(keys), -1, dtype=np.int64)
    for j, (_, key) in enumerate(keys):
        found = {where[e] for e in (key if isinstance(key, tuple) else (key,)) if isinstance(e, str) and e in where}
        if len(found) == 1:
            out[j] = found.pop()
    return out


class Blocks(NamedTuple):
    """The split: which rows are relaxed, and each block's columns and rows."""

    coupling: np.ndarray
    """Row mask of D (rows over more than one region or a column of none)."""
    columns: list[np.ndarray]
    rows: list[np.ndarray]
    free: np.ndarray
    """Columns in no kept row: minimised over their bounds directly."""


def split(problem: Problem, col_region: np.ndarray) -> Blocks:
    """Relax every row that holds columns of two regions (or a column of none); the rest falls into
    connected blocks (each within one region)."""
    A = problem.A
    m, n = A.shape
    row_of = np.asarray(A.indices)
    col_of = np.repeat(np.arange(n), np.diff(A.indptr))
    reg = col_region[col_of]
    lo = np.full(m, np.iinfo(np.int64).max)
    hi = np.full(m, -1)
    np.minimum.at(lo, row_of, np.where(reg < 0, -1, reg))
    np.maximum.at(hi, row_of, reg)
    coupling = (lo != hi) | (hi < 0)
    coupling &= np.bincount(row_of, minlength=m) > 0
    keep = ~coupling[row_of]
    local = csc_array((np.ones(int(keep.sum())), (row_of[keep], col_of[keep])), shape=(m, n))
    graph = bmat([[None, local], [local.T, None]], format="csr")
    _, label = connected_components(graph, directed=False)
    col_label, row_label = label[m:], label[:m]
    in_row = np.bincount(col_of[keep], minlength=n) > 0
    order = np.argsort(col_label[in_row], kind="stable")
    cols = np.flatnonzero(in_row)[order]
    bounds = np.flatnonzero(np.diff(col_label[cols])) + 1
    columns = np.split(cols, bounds)
    kept_rows = np.flatnonzero(~coupling & (np.bincount(row_of, minlength=m) > 0))
    by_label = {int(col_label[c[0]]): i for i, c in enumerate(columns)}
    rows: list[list[int]] = [[] for _ in columns]
    for i in kept_rows:
        rows[by_label[int(row_label[i])]].append(int(i))
    return Blocks(coupling, columns, [np.array(r, dtype=np.int64) for r in rows], np.flatnonzero(~in_row))


class Decomposition:
    """The blocks of one problem, each in its own HiGHS, re-costed for every multiplier vector."""

    def __init__(self, problem: Problem, col_region: np.ndarray, block_gap: float = 1e-6, block_seconds: float = 5.0):
        from workforce.solver.core import new_highs

        self.p = problem
        self.blocks = split(problem, col_region)
        self.D = csc_array(problem.A.tocsr()[np.flatnonzero(self.blocks.coupling)])
        self.Dl = problem.rl[self.blocks.coupling]
        self.Du = problem.ru[self.blocks.coupling]
        self.highs: list[highspy.Highs] = []
        for cols, rows in zip(self.blocks.columns, self.blocks.rows, strict=True):
            sub = problem.A[:, cols].tocsr()[rows].tocsc()
            h = new_highs()
            h.setOptionValue("threads", 1)
            h.setOptionValue("mip_rel_gap", block_gap)
            h.setOptionValue("time_limit", block_seconds)
            flags = np.where(problem.integer[cols], int(highspy.HighsVarType.kInteger), 0).astype(np.int32)
            h.passModel(len(cols), len(rows), sub.nnz, int(highspy.MatrixFormat.kColwise), int(highspy.ObjSense.kMinimize),
                        0.0, np.zeros(len(cols)), _hinf(problem.cl[cols]), _hinf(problem.cu[cols]),
                        _hinf(problem.rl[rows]), _hinf(problem.ru[rows]), sub.indptr.astype(np.int32),
                        sub.indices.astype(np.int32), sub.data, flags)
            self.highs.append(h)

    def project(self, y: np.ndarray) -> np.ndarray:
        """``y`` with the signs weak duality needs: a multiplier may be positive only on a row with a
        lower limit, negative only on one with an upper limit."""
        y = np.asarray(y, dtype=float).copy()
        y[(y > 0) & ~np.isfinite(self.Dl)] = 0.0
        y[(y < 0) & ~np.isfinite(self.Du)] = 0.0
        return y

    def evaluate(self, y: np.ndarray, deadline: float = np.inf,
                 give_up: bool = False) -> tuple[float, np.ndarray | None, np.ndarray]:
        """(L(y), the blocks' plans joined, a supergradient) at multipliers ``y`` (projected first).
        L is −inf when a column or row unbounded in the needed direction meets a nonzero price, and
        the plan is none when a block has no plan (then the whole problem has none: L is +inf).
        Past ``deadline`` (perf_counter seconds), or with ``give_up`` once the first ``SAMPLE`` blocks'
        pace says the round cannot end by it, the round stops: no bound (−inf) and no plan."""
        y = self.project(y)
        d = self.p.c - self.D.T @ y
        x = np.zeros(len(d))
        total = 0.0
        start, n = time.perf_counter(), len(self.highs)
        # blocks come grouped by role (the order of their rows); a fixed shuffle makes the first SAMPLE a fair sample
        for b, k in enumerate(np.random.default_rng(0).permutation(n)):
            h, cols = self.highs[k], self.blocks.columns[k]
            now = time.perf_counter()
            if now > deadline or (give_up and b >= SAMPLE and start + (now - start) * n / b > deadline):
                return -np.inf, None, np.zeros_like(y)  # past the deadline, or surely past it by the pace so far
            h.changeColsCost(len(cols), np.arange(len(cols), dtype=np.int32), d[cols])
            h.clearSolver()
            h.run()
            status = h.getModelStatus()
            if status in (highspy.HighsModelStatus.kInfeasible,):
                return np.inf, None, np.zeros_like(y)
            info = h.getInfo()
            if h.getInfo().mip_node_count >= 0 and np.any(self.p.integer[cols]):
                part = float(info.mip_dual_bound)
            elif status == highspy.HighsModelStatus.kOptimal:
                part = float(info.objective_function_value)
            else:
                part = -np.inf
            total += part if part > -INF else -np.inf
            if info.primal_solution_status == 2:
                x[cols] = h.getSolution().col_value
        free = self.blocks.free
        total += _box_min(d[free], self.p.cl[free], self.p.cu[free], self.p.integer[free], x, free)
        r = np.where(y > 0, self.Dl, np.where(y < 0, self.Du, 0.0))
        total += float(y[y != 0] @ r[y != 0]) if np.all(np.isfinite(r[y != 0])) else -np.inf
        activity = self.D @ x
        g = np.where(y > 0, self.Dl, np.where(y < 0, self.Du, np.clip(activity, self.Dl, self.Du))) - activity
        return total, x, g


def _box_min(d: np.ndarray, lo: np.ndarray, hi: np.ndarray, integer: np.ndarray, x: np.ndarray, cols: np.ndarray) -> float:
    """min of d·x over the bounds (whole numbers for integer columns); the minimiser is written to x."""
    lo = np.where(integer, np.ceil(lo - 1e-9), lo)
    hi = np.where(integer, np.floor(hi + 1e-9), hi)
    pick = np.where(d > 0, lo, np.where(d < 0, hi, np.clip(0.0, lo, hi)))
    if np.any(~np.isfinite(pick[d != 0])):
        return -np.inf
    x[cols] = pick
    return float(d[d != 0] @ pick[d != 0])


def _hinf(values: np.ndarray) -> np.ndarray:
    return np.clip(values, -INF, INF)


def subgradient(dec: Decomposition, y0: np.ndarray, upper: float, deadline: float, rounds: int = 20,
                offset: float = 0.0, close: float = 0.0,
                on_plan: Any = None) -> tuple[float, np.ndarray | None, list[dict[str, float]]]:
    """Raise L by Polyak steps y ← y + θ (upper − L) g / |g|² (θ from 1/4, halved after two rounds
    without a better bound) until ``rounds``, ``deadline`` (perf_counter seconds), θ below 1/64 or the bound
    within ``close`` (relative) of ``upper``. ``on_plan(x)`` is called with each round's blocks' plan
    and returns the value (plus ``offset``) of the best plan found so far, which lowers ``upper``. Returns the best bound
    (plus ``offset``), the blocks' plan at it, and one record per round."""
    y, theta, best, best_x, stale = dec.project(y0), 0.25, -np.inf, None, 0
    history: list[dict[str, float]] = []
    for k in range(rounds):
        t = time.perf_counter()
        value, x, g = dec.evaluate(y, deadline)
        history.append({"round": k, "bound": value + offset, "seconds": time.perf_counter() - t})
        if x is None:  # a block without a plan (then none at all), or the deadline
            return (np.inf, None, history) if value == np.inf else (best + offset, best_x, history)
        if on_plan is not None and np.isfinite(value):
            upper = min(upper, on_plan(x) - offset)
        if value > best:
            best, best_x, stale = value, x, 0
        else:
            stale += 1
            if stale >= 2:
                theta, stale = theta / 2, 0
        norm = float(g @ g)
        if (norm <= 1e-12 or time.perf_counter() + history[-1]["seconds"] > deadline or not np.isfinite(value)
                or theta < 1 / 64 or upper - best <= close * max(1.0, abs(upper))):
            break
        y = dec.project(y + theta * max(upper - value, 1e-9 * abs(upper)) / norm * g)
    return best + offset, best_x, history
