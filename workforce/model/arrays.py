"""Vectorised construction: the linear programme of ``build_model`` generated as arrays, family by family.

``build_model`` writes the formulation of models/cohort_planning.md as Pyomo components, and the
solve stage compiles them with Pyomo's standard-form compiler. At local-authority scale (153 areas)
building the expressions and walking them again costs more than HiGHS takes to solve the LP. For the
scenarios :func:`applies` accepts (the stock-and-flow model, whole cohorts, calendars and
financial-year budgets), this module writes the same rows straight into a sparse matrix: every
constraint family keeps its name and formula, written here over whole (region, year) grids with
numpy instead of one Pyomo expression per row.

The Pyomo model stays the reference. ``tests/test_arrays.py`` checks that every row, bound, column
and objective term here equals what the compiler makes of ``build_model`` (random scenarios that
draw every family, and the national-scale benchmark's generator), and :class:`ArrayCompiled` builds the Pyomo model on first use for anything that
needs its components (explaining a plan, diagnosing infeasibility, reading rows by name).

Notation: a :class:`Lin` is a grid of linear expressions, one per row of a family; each of its terms
holds an array of coefficients and an array of column numbers (column −1 means no variable there: a
constant, e.g. the initial stock in the first year, lives in ``const``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from workforce.model.array_expressions import Expressions as Expressions
from workforce.model.array_families import Family as Family
from workforce.model.array_families import cohort_families as cohort_families
from workforce.model.array_families import families as families
from workforce.model.array_families import objective_terms as objective_terms
from workforce.model.array_families import region_year as region_year
from workforce.model.array_grids import INF as INF
from workforce.model.array_grids import Columns as Columns
from workforce.model.array_grids import Lin as Lin
from workforce.model.data import ModelData

PYOMO_ONLY: dict[str, set[str]] = {"constraints": set(), "variables": set()}

"""Components only ``build_model`` makes: a scenario that gives any of them a row is not generated
here (:func:`applies`). Every family and variable of ``build_model`` is generated here: targets,
place shares and equity (workforce.model.array_policy), tenure and statutory deadlines
(workforce.model.array_tenure) included."""

def applies(d: ModelData) -> bool:
    """Whether the scenario uses only what this module generates: every scenario, now that no
    family is Pyomo-only (kept so that a rule added to build_model alone can be routed to Pyomo)."""
    return not PYOMO_ONLY["constraints"] and not PYOMO_ONLY["variables"]

# ---------------------------------------------------------------------------------------------
# The compiled LP


def as_loaded(x: np.ndarray) -> np.ndarray:
    """Solution values as they are loaded into the model: solver noise within 1e-9 of zero reads as
    0 (a tiny negative value becomes 0)."""
    return np.where(np.abs(x) < 1e-9, np.maximum(x, 0.0), x)

@dataclass(frozen=True)
class CSC:
    """A sparse matrix in compressed columns: what HiGHS takes, without importing scipy (importing
    scipy after Pyomo makes Pyomo load scipy.stats too: 0.5 s of every command-line run)."""

    data: np.ndarray
    indices: np.ndarray
    """Row of each entry (int32), sorted within each column."""
    indptr: np.ndarray
    """Start of each column's entries (int32), and the end of the last."""
    shape: tuple[int, int]

    @property
    def nnz(self) -> int:
        return len(self.data)

    def __matmul__(self, x: np.ndarray) -> np.ndarray:
        """A x (the rows' activities)."""
        columns = np.repeat(np.arange(self.shape[1]), np.diff(self.indptr))
        return np.bincount(self.indices, weights=self.data * x[columns], minlength=self.shape[0])

    def to_scipy(self) -> Any:
        from scipy import sparse

        return sparse.csc_array((self.data, self.indices, self.indptr), shape=self.shape)

    @classmethod
    def from_entries(cls, rows: np.ndarray, cols: np.ndarray, vals: np.ndarray, shape: tuple[int, int]) -> CSC:
        """Sum the entries of each (row, column), drop zeros, and sort by column then row."""
        n_rows, n_cols = shape
        key = cols.astype(np.int64) * n_rows + rows
        order = np.argsort(key, kind="stable")
        key = key[order]
        first = np.ones(len(key), dtype=bool)
        np.not_equal(key[1:], key[:-1], out=first[1:])
        starts = np.flatnonzero(first)
        data = np.add.reduceat(vals[order], starts) if len(starts) else np.zeros(0)
        key = key[starts]
        keep = data != 0
        data, key = data[keep], key[keep]
        col = key // n_rows
        indptr = np.zeros(n_cols + 1, dtype=np.int32)
        np.cumsum(np.bincount(col, minlength=n_cols), out=indptr[1:])
        return cls(data, (key - col * n_rows).astype(np.int32), indptr, (n_rows, n_cols))

@dataclass
class ArrayCompiled:
    """The LP as arrays, as :class:`workforce.solver.core.Compiled`, built without Pyomo expressions.

    ``rows``, ``columns``, ``col_position`` and ``model`` are the Pyomo views of the same LP: the
    model is built (and the solution, once attached, loaded into it) the first time one is asked for.
    """

    data: ModelData
    csc: CSC
    """The constraint matrix (``A`` is the same as a scipy array, made when first asked for)."""
    row_lower: np.ndarray
    row_upper: np.ndarray
    col_lower: np.ndarray
    col_upper: np.ndarray
    term_costs: np.ndarray
    term_offsets: np.ndarray
    row_families: list[tuple[str, list[Any]]]
    """(family name, its row keys) in row order."""
    layout: Columns
    expressions: Expressions
    """The derived quantities (completions, spend ...) as grids, for reading the plan's tables."""
    integrality: np.ndarray | None = None
    x: np.ndarray | None = None
    """The solution, once solved (loaded into the model when the model is built)."""
    _pyomo: dict[str, Any] = field(default_factory=dict, repr=False)

    @property
    def n_rows(self) -> int:
        return len(self.row_lower)

    @property
    def A(self) -> Any:
        """The constraint matrix as a scipy.sparse.csc_array (as :class:`workforce.solver.core.Compiled` has it)."""
        if "A" not in self._pyomo:
            self._pyomo["A"] = self.csc.to_scipy()
        return self._pyomo["A"]

    def row_keys(self) -> list[tuple[str, Any]]:
        return [(name, key) for name, keys in self.row_families for key in keys]

    def var_values(self, name: str, x: np.ndarray) -> np.ndarray:
        """Values of variable component ``name`` shaped by its index sets, as loaded into the model."""
        values = x[self.layout[name]] if self.layout[name].size else np.zeros(self.layout[name].shape)
        return as_loaded(values)

    @property
    def model(self) -> Any:
        if "model" not in self._pyomo:
            from workforce.model.build import build_model

            m = build_model(self.data)
            self._pyomo["model"] = m
            self._pyomo["columns"] = [getattr(m, name)[key] for name, key in self.layout.column_keys()]
            if self.x is not None:
                load_values(m, self, self.x)
        return self._pyomo["model"]

    @property
    def rows(self) -> list[Any]:
        if "rows" not in self._pyomo:
            m = self.model
            self._pyomo["rows"] = [getattr(m, name)[key] for name, keys in self.row_families for key in keys]
        return self._pyomo["rows"]

    @property
    def columns(self) -> list[Any]:
        _ = self.model  # building the model records its columns
        return self._pyomo["columns"]

    @property
    def col_position(self) -> dict[int, int]:
        if "col_position" not in self._pyomo:
            self._pyomo["col_position"] = {id(v): j for j, v in enumerate(self.columns)}
        return self._pyomo["col_position"]

def compile_arrays(d: ModelData, objective: bool = True) -> ArrayCompiled:
    """The LP of ``build_model(d)`` as arrays (for scenarios where :func:`applies`); without
    ``objective`` the objective terms are left empty (a warm model reading rows only)."""
    cols = Columns(d)
    ex = Expressions(d, cols)
    fams = families(d, cols, ex)
    rows, colidx, vals, lower, upper = [], [], [], [], []
    offset = 0
    for fam in fams:
        r, c, v = fam.coo()
        rows.append(r + offset)
        colidx.append(c)
        vals.append(v)
        const = fam.const
        lower.append(fam.lower - const)
        upper.append(fam.upper - const)
        offset += len(fam.keys)
    row_lower, row_upper = np.concatenate(lower), np.concatenate(upper)
    row_keys = [(fam.name, fam.keys) for fam in fams]
    constant = ~np.concatenate([np.zeros(0, bool)] + [part.structural().ravel() for fam in fams for part in fam.parts])
    if constant.any():  # rows with no decision in them, as Pyomo's compiler treats them
        row = np.concatenate(rows)
        row_lower, row_upper, row_keys, renumber = drop_constant_rows(d, constant, row_lower, row_upper, row_keys)
        rows, offset = [renumber[row]], len(row_lower)
    csc = CSC.from_entries(np.concatenate(rows), np.concatenate(colidx), np.concatenate(vals), (offset, cols.n))
    costs, offsets = objective_terms(d, cols, ex) if objective else (np.zeros((0, cols.n)), np.zeros(0))
    col_upper = np.full(cols.n, INF)
    integrality = None
    if d.COHORT_PROGRAMMES:  # cohorts ∈ {0, ..., ⌈intake_upper / cohort_max_size⌉}; cohort_open ∈ {0, 1}
        cohort_cols, open_cols = cols["cohorts"], cols["cohort_open"]
        for i, p in enumerate(d.COHORT_PROGRAMMES):
            col_upper[cohort_cols[i]] = np.ceil(region_year(d, d.intake_upper, p) / d.cohort_max_size[p] - 1e-9)
        col_upper[open_cols] = 1.0
        integrality = np.zeros(cols.n, dtype=bool)
        integrality[cohort_cols.ravel()] = True
        integrality[open_cols.ravel()] = True
    return ArrayCompiled(
        data=d, csc=csc, row_lower=row_lower, row_upper=row_upper,
        col_lower=np.zeros(cols.n), col_upper=col_upper, term_costs=costs, term_offsets=offsets, integrality=integrality,
        row_families=row_keys, layout=cols, expressions=ex,
    )

class ConstantRowsInfeasible(Exception):
    """A row with no decision in it does not hold: the solve stage reports it in the scenario's terms
    (workforce.solver.trivial_rows), as when Pyomo's compiler rejects the row."""


def drop_constant_rows(d: ModelData, constant: np.ndarray, lower: np.ndarray, upper: np.ndarray,
                       families: list[tuple[str, list[Any]]]) -> tuple[np.ndarray, np.ndarray, list[Any], np.ndarray]:
    """Leave out the rows with no decision in them that hold (a completions target only prior cohorts
    count towards, already met), as Pyomo's compiler does; if one does not hold, raise
    :class:`ConstantRowsInfeasible`.

    Returns the kept rows' bounds and keys, and each old row's new number."""
    if (constant & ((lower > 0) | (upper < 0))).any():
        raise ConstantRowsInfeasible()
    keep = ~constant
    renumber = np.cumsum(keep) - 1
    kept, start = [], 0
    for name, keys in families:
        mask = keep[start:start + len(keys)]
        kept.append((name, [key for key, k in zip(keys, mask, strict=True) if k]))
        start += len(keys)
    return lower[keep], upper[keep], kept, renumber

def load_values(m: Any, compiled: Any, x: np.ndarray) -> None:
    """Load the solution ``x`` into the Pyomo model ``m`` (the columns of ``compiled``, then any variable in no row)."""
    import pyomo.environ as pyo

    clean = as_loaded(x).tolist()
    for var, value in zip(compiled.columns, clean, strict=True):
        var.set_value(value, skip_validation=True)
    if len(compiled.columns) == sum(len(v) for v in m.component_objects(pyo.Var)):
        return
    position = compiled.col_position
    for var in m.component_data_objects(pyo.Var):
        j = position.get(id(var))
        # A variable in no row and no objective term is free within its bounds: take its lower bound.
        value = float(x[j]) if j is not None else (var.lb or 0.0)
        var.set_value(max(value, 0.0) if abs(value) < 1e-9 else value, skip_validation=True)
