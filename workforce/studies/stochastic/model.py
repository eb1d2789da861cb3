"""The extensive form of a two-stage stochastic plan, generated as arrays (models/stochastic.md).

Each scenario is compiled to its standard-form LP exactly as a deterministic plan is
(:func:`workforce.solver.core.compile_scenario`: the array generator where it applies, Pyomo's
standard-form compiler otherwise). :func:`extensive_form` stacks the scenarios' LPs
block-diagonally: the first-stage columns (the decisions of the first ``commit_years`` years that
``first_stage`` names) are merged by key into one shared set, which is non-anticipativity; every
other column is a recourse column of its own scenario. The objective is the probability-weighted
cost, optionally plus ``weight`` × CVaR at level ``alpha`` (Rockafellar-Uryasev).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from workforce.errors import Problem, ScenarioError
from workforce.model.arrays import CSC, ArrayCompiled
from workforce.model.data import ModelData
from workforce.scenario.schema import TERMS

INF = float("inf")

FIRST_STAGE = ("intake", "intake_term", "cohorts", "cohort_open", "hires")
"""Variables whose values in the first ``commit_years`` years are first-stage decisions by default:
intakes (places contracted), whole cohorts and hires."""

DECISIONS = FIRST_STAGE + ("exits", "flex")
"""Variables that may be named in ``first_stage``."""


@dataclass(frozen=True)
class Risk:
    """``weight`` × CVaR at level ``alpha`` of each scenario's total cost, or of its shortfall term."""

    alpha: float
    weight: float
    of: str = "cost"


@dataclass
class Block:
    """One scenario's LP: min cost·x + offset subject to its rows and column bounds."""

    name: str
    probability: float
    data: ModelData
    compiled: Any
    """:class:`workforce.solver.core.Compiled` or :class:`workforce.model.arrays.ArrayCompiled`."""
    cost: np.ndarray
    offset: float
    keys: list[tuple[str, Any]]
    """(variable, index) of each column."""
    first: np.ndarray
    """Block column of each first-stage decision, in the order of :attr:`first_keys`."""
    first_keys: list[tuple[str, Any]] = field(default_factory=list)

    @property
    def csc(self) -> Any:
        return self.compiled.csc

    def term(self, name: str) -> tuple[np.ndarray, float]:
        """Cost row and constant of one objective term (weighted)."""
        j = TERMS.index(name)
        w = self.data.weights[name]
        return w * self.compiled.term_costs[j], float(w * self.compiled.term_offsets[j])


@dataclass
class LP:
    """A scenario's LP as plain arrays with its column and row keys (compiled in another process)."""

    csc: CSC
    row_lower: np.ndarray
    row_upper: np.ndarray
    col_lower: np.ndarray
    col_upper: np.ndarray
    term_costs: np.ndarray
    term_offsets: np.ndarray
    integrality: np.ndarray | None
    keys: list[tuple[str, Any]]
    rows: list[tuple[str, Any]]


def column_keys(compiled: Any) -> list[tuple[str, Any]]:
    """(variable name, index) of every column of a compiled scenario, in column order."""
    if isinstance(compiled, LP):
        return compiled.keys
    if isinstance(compiled, ArrayCompiled):
        return compiled.layout.column_keys()
    return [(v.parent_component().name, v.index()) for v in compiled.columns]


def row_keys(compiled: Any) -> list[tuple[str, Any]]:
    """(constraint name, index) of every row of a compiled scenario, in row order."""
    if isinstance(compiled, LP):
        return compiled.rows
    if isinstance(compiled, ArrayCompiled):
        return compiled.row_keys()
    return [(c.parent_component().name, c.index()) for c in compiled.rows]


def key_year(index: Any, years: Sequence[int]) -> int | None:
    """The year in a column's index (the first of its parts that is a year of the horizon)."""
    parts = index if isinstance(index, tuple) else (index,)
    for part in parts:
        if isinstance(part, int) and not isinstance(part, bool) and part in years:
            return part
    return None


def first_stage_columns(keys: list[tuple[str, Any]], data: ModelData, commit_years: int,
                        first_stage: Sequence[str] = FIRST_STAGE) -> np.ndarray:
    """Columns of the decisions named in ``first_stage`` in the first ``commit_years`` years, in the
    order of :func:`key_order` (not column order: the array generator and Pyomo's compiler order
    columns differently, and a first stage is passed between scenarios by position)."""
    last = data.first_year + commit_years - 1
    names = set(first_stage)
    out = []
    for j, (name, index) in enumerate(keys):
        if name in names:
            year = key_year(index, data.YEARS)
            if year is not None and year <= last:
                out.append(j)
    return np.asarray(sorted(out, key=lambda j: key_order(keys[j])), dtype=np.int64)


def key_order(key: tuple[str, Any]) -> tuple[Any, ...]:
    """Sort key of a decision: variable name, then its index part by part (numbers before text)."""
    name, index = key
    parts = index if isinstance(index, tuple) else (index,)
    return (name, *((0, p, "") if isinstance(p, int | float) else (1, 0, str(p)) for p in parts))


def make_block(name: str, probability: float, data: ModelData, compiled: Any, commit_years: int,
               first_stage: Sequence[str] = FIRST_STAGE) -> Block:
    """A scenario's compiled LP with its weighted cost and first-stage columns."""
    objective = data.scenario.objective
    if objective.lexicographic or data.equity_basis is not None:
        raise ScenarioError(Problem(
            "a stochastic plan minimises the expected weighted sum of the objective terms; "
            "remove objective.lexicographic and objective.equity (allowed: objective.weights)", file=f"scenario {name}",
            key="objective"))
    weights = np.array([data.weights[t] for t in TERMS])
    keys, first = _columns(compiled, data, commit_years, first_stage)
    return Block(name=name, probability=float(probability), data=data, compiled=compiled,
                 cost=weights @ compiled.term_costs, offset=float(weights @ compiled.term_offsets), keys=keys,
                 first=first, first_keys=[keys[j] for j in first])


_LAST_LAYOUT: list[Any] = []
"""(layout, horizon, commit_years, first_stage, keys, first) of the last array-compiled scenario."""


def _columns(compiled: Any, data: ModelData, commit_years: int,
             first_stage: Sequence[str]) -> tuple[list[tuple[str, Any]], np.ndarray]:
    """Column keys and first-stage columns of a compiled scenario. Draws compiled in place from one
    base (WarmCompiler) share the base's column layout object: their keys and first-stage columns are
    the same, so they are worked out once (on 100 EP draws this was a fifth of the compile time)."""
    layout = getattr(compiled, "layout", None) if isinstance(compiled, ArrayCompiled) else None
    horizon = (data.first_year, tuple(data.YEARS))
    if layout is not None and _LAST_LAYOUT and _LAST_LAYOUT[0] is layout and _LAST_LAYOUT[1:4] == [
            horizon, commit_years, tuple(first_stage)]:
        return _LAST_LAYOUT[4], _LAST_LAYOUT[5]
    keys = column_keys(compiled)
    first = first_stage_columns(keys, data, commit_years, first_stage)
    if layout is not None:
        _LAST_LAYOUT[:] = [layout, horizon, commit_years, tuple(first_stage), keys, first]
    return keys, first


@dataclass
class ExtensiveForm:
    """min cost·x + offset s.t. row_lower ≤ A x ≤ row_upper, col_lower ≤ x ≤ col_upper.

    Columns: the shared first-stage decisions, then each scenario's recourse columns, then (with a
    risk measure) ``cvar_eta`` and one ``cvar_excess`` per scenario."""

    csc: CSC
    row_lower: np.ndarray
    row_upper: np.ndarray
    col_lower: np.ndarray
    col_upper: np.ndarray
    cost: np.ndarray
    offset: float
    integrality: np.ndarray | None
    first_keys: list[tuple[str, Any]]
    columns: list[np.ndarray]
    """EF column of each block column, per scenario."""
    rows: list[np.ndarray]
    """EF row of each block row, per scenario."""
    eta: int | None = None
    excess: np.ndarray | None = None


def shared_keys(blocks: Sequence[Block]) -> list[tuple[str, Any]]:
    """The first-stage keys, which every scenario must have alike."""
    keys = blocks[0].first_keys
    for b in blocks[1:]:
        if b.first_keys != keys:
            extra = sorted(map(str, set(b.first_keys) ^ set(keys)))[:3]
            raise ScenarioError(Problem(
                f"its first-stage decisions differ from scenario {blocks[0].name}'s ({', '.join(extra)}): the "
                "scenarios of a stochastic plan may change numbers, not the model's structure (programmes, regions, "
                "years, hiring or cohorts)", file=f"scenario {b.name}"))
    return keys


def _shared_bounds(blocks: Sequence[Block], fixed: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
    lower = np.max([b.compiled.col_lower[b.first] for b in blocks], axis=0)
    upper = np.min([b.compiled.col_upper[b.first] for b in blocks], axis=0)
    keys = blocks[0].first_keys
    bad = np.flatnonzero(lower > upper + 1e-9)
    if bad.size:
        j = int(bad[0])
        raise ScenarioError(
            f"first-stage decision {keys[j][0]}{list(keys[j][1]) if isinstance(keys[j][1], tuple) else keys[j][1]} "
            f"must be at least {lower[j]:g} in one scenario and at most {upper[j]:g} in another: no commitment "
            "suits every scenario; give the scenarios compatible minimum and maximum intakes")
    if fixed is not None:
        # integer decisions (cohorts) are held at their whole values: HiGHS returns them within its
        # integrality tolerance (13.9999999), and fixing an integer column there would be infeasible
        whole = np.any([b.compiled.integrality[b.first] for b in blocks if b.compiled.integrality is not None], axis=0)
        fixed = np.asarray(fixed, dtype=float)
        lower = upper = np.where(whole, np.round(fixed), fixed) if np.ndim(whole) else fixed
    return lower, upper


def extensive_form(blocks: Sequence[Block], risk: Risk | None = None, fixed: np.ndarray | None = None) -> ExtensiveForm:
    """Stack the scenarios' LPs; ``fixed`` holds the first-stage values (then only recourse is free)."""
    keys = shared_keys(blocks)
    n1 = len(keys)
    lower1, upper1 = _shared_bounds(blocks, fixed)
    col_lower, col_upper, cost = [lower1], [upper1], [np.zeros(n1)]
    integer = [np.zeros(n1, dtype=bool)]
    rows, cols, vals, row_lower, row_upper = [], [], [], [], []
    columns, row_maps = [], []
    n_cols, n_rows = n1, 0
    for b in blocks:
        c = b.compiled
        n = len(b.keys)
        recourse = np.ones(n, dtype=bool)
        recourse[b.first] = False
        colmap = np.empty(n, dtype=np.int64)
        colmap[b.first] = np.arange(n1)
        colmap[recourse] = n_cols + np.arange(int(recourse.sum()))
        n_cols += int(recourse.sum())
        cost[0] += b.probability * b.cost[b.first]
        cost.append(b.probability * b.cost[recourse])
        col_lower.append(c.col_lower[recourse])
        col_upper.append(c.col_upper[recourse])
        flags = c.integrality if c.integrality is not None else np.zeros(n, dtype=bool)
        integer[0] |= flags[b.first]
        integer.append(flags[recourse])
        A = b.csc
        block_cols = np.repeat(np.arange(n), np.diff(A.indptr))
        rows.append(np.asarray(A.indices, dtype=np.int64) + n_rows)
        cols.append(colmap[block_cols])
        vals.append(np.asarray(A.data, dtype=float))
        row_lower.append(c.row_lower)
        row_upper.append(c.row_upper)
        columns.append(colmap)
        row_maps.append(n_rows + np.arange(A.shape[0]))
        n_rows += A.shape[0]
    offset = float(sum(b.probability * b.offset for b in blocks))
    ef = ExtensiveForm(csc=None, row_lower=np.array([]), row_upper=np.array([]),  # type: ignore[arg-type]
                       col_lower=np.array([]), col_upper=np.array([]), cost=np.array([]), offset=offset,
                       integrality=None, first_keys=keys, columns=columns, rows=row_maps)
    if risk is not None and risk.weight > 0:
        n_cols, n_rows, offset = _add_cvar(blocks, risk, columns, n_cols, n_rows, offset,
                                           (rows, cols, vals, row_lower, row_upper), (col_lower, col_upper, cost, integer), ef)
    ef.csc = CSC.from_entries(np.concatenate(rows), np.concatenate(cols), np.concatenate(vals), (n_rows, n_cols))
    ef.row_lower, ef.row_upper = np.concatenate(row_lower), np.concatenate(row_upper)
    ef.col_lower, ef.col_upper = np.concatenate(col_lower), np.concatenate(col_upper)
    ef.cost, ef.offset = np.concatenate(cost), offset
    flags = np.concatenate(integer)
    ef.integrality = flags if flags.any() else None
    return ef


def risk_row(b: Block, of: str) -> tuple[np.ndarray, float]:
    """The scenario's outcome a CVaR measures: total weighted cost, or the shortfall term."""
    return (b.cost, b.offset) if of == "cost" else b.term("shortfall")


def _add_cvar(blocks: Sequence[Block], risk: Risk, columns: list[np.ndarray], n_cols: int, n_rows: int,
              offset: float, entries: tuple[list[Any], ...], bounds: tuple[list[Any], ...],
              ef: ExtensiveForm) -> tuple[int, int, float]:
    """cvar_eta (free) and cvar_excess[s] ≥ 0 with z_s(x_s) − cvar_eta − cvar_excess[s] ≤ 0;
    objective + weight·(cvar_eta + Σ_s p_s cvar_excess[s] / (1 − alpha))."""
    rows, cols, vals, row_lower, row_upper = entries
    col_lower, col_upper, cost, integer = bounds
    S = len(blocks)
    eta, excess = n_cols, n_cols + 1 + np.arange(S)
    col_lower.append(np.concatenate([[-INF], np.zeros(S)]))
    col_upper.append(np.full(S + 1, INF))
    probs = np.array([b.probability for b in blocks])
    cost.append(risk.weight * np.concatenate([[1.0], probs / (1.0 - risk.alpha)]))
    integer.append(np.zeros(S + 1, dtype=bool))
    for s, b in enumerate(blocks):
        z, z0 = risk_row(b, risk.of)
        nz = np.flatnonzero(z)
        rows.append(np.full(len(nz) + 2, n_rows + s, dtype=np.int64))
        cols.append(np.concatenate([columns[s][nz], [eta, excess[s]]]))
        vals.append(np.concatenate([z[nz], [-1.0, -1.0]]))
    row_lower.append(np.full(S, -INF))
    row_upper.append(-np.array([risk_row(b, risk.of)[1] for b in blocks]))
    ef.eta, ef.excess = eta, excess
    return n_cols + 1 + S, n_rows + S, offset
