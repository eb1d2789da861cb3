"""The warm model of sweeps and Monte Carlo on the array path: no Pyomo model is built.

:class:`ArrayWarmModel` is :class:`workforce.solver.warm.WarmModel` with its LP generated as arrays
(``workforce.model.arrays``, the construction ``solve()`` uses) instead of compiled from Pyomo. A
point changes the parameter tables in place as before; the rows a changed parameter enters, the
objective terms and the funding streams' spend are then read from the LP generated again from the
changed tables, and only the entries that differ are pushed to the live HiGHS model
(``changeCoeff``, ``changeRowBounds``, ``changeColsCost``), exactly as the Pyomo re-evaluation does.
A point that changes which rows the LP has (a row with no decision in it appears or no longer
holds) is rebuilt, as any structural change is.

The Pyomo model is built only if something asks for it (explaining a failed point), from the
point's own tables.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from typing import Any

import numpy as np
from scipy import sparse

from workforce.model import arrays
from workforce.model.array_families import objective_terms
from workforce.model.array_grids import _flat
from workforce.solver.core import compile_scenario
from workforce.solver.warm import WarmModel
from workforce.solver.warm_regen import Regenerated, regenerate
from workforce.solver.warm_rules import ROW_FAMILIES

_PYOMO_VIEWS = ("model", "rows", "columns", "col_position")
"""What :class:`~workforce.model.arrays.ArrayCompiled` builds from the tables on first use."""


class ArrayWarmModel(WarmModel):
    """A scenario's LP generated as arrays, loaded into HiGHS once, re-solved warm after each change."""

    def _build(self) -> None:
        self.model = None
        self._fresh: tuple[frozenset[str], Regenerated] | None = None
        self._constructing = True  # the tables are the base scenario's until _init_extraction ends
        _m, self.compiled = compile_scenario(self.data)
        if not isinstance(self.compiled, arrays.ArrayCompiled):  # a rule only build_model has (arrays.PYOMO_ONLY)
            self.model = _m

    def _row_keys(self) -> list[tuple[str, Any]]:
        return self.compiled.row_keys()

    def _family_indices(self) -> list[tuple[str, Any]]:
        return [(name, keys) for name, keys in self.compiled.row_families if name in ROW_FAMILIES]

    def _forget(self) -> None:
        self._fresh = None
        for view in _PYOMO_VIEWS:  # built from the tables of an earlier point
            self.compiled._pyomo.pop(view, None)

    def _store_matrix(self, A: Any) -> None:
        c = self.compiled
        c.csc = arrays.CSC(A.data, A.indices.astype(np.int32), A.indptr.astype(np.int32), A.shape)
        c._pyomo["A"] = A

    def _regenerated(self, names: frozenset[str] = frozenset()) -> Regenerated:
        """The rows of the families ``names`` generated from the tables as they are now, and the
        expressions (once per point; only those families: warm_regen)."""
        if self._fresh is None or not names <= self._fresh[0]:
            names = names | self._fresh[0] if self._fresh is not None else names
            self._fresh = (names, regenerate(self.data, self.compiled, names))
        return self._fresh[1]

    def _reevaluate(self, todo: Mapping[int, tuple[str, Any]], counts: dict[str, int]) -> None:
        if not todo:
            return
        fresh = self._regenerated(frozenset(family for family, _index in todo.values()))
        rows = fresh.rows
        idx = np.fromiter(todo, dtype=np.int64, count=len(todo))
        if not self._same_pattern_update(idx, rows, counts):
            for i in idx.tolist():  # an entry appears or vanishes: row by row, as the Pyomo path does
                start, end = rows.indptr[i], rows.indptr[i + 1]
                row = dict(zip(rows.indices[start:end].tolist(), rows.data[start:end].tolist(), strict=True))
                self._set_row(i, row, counts)
        c = self.compiled
        lo, up = fresh.row_lower[idx], fresh.row_upper[idx]
        moved = (lo != c.row_lower[idx]) | (up != c.row_upper[idx])
        if moved.any():
            at = idx[moved]
            c.row_lower[at], c.row_upper[at] = lo[moved], up[moved]
            self.h.changeRowsBounds(len(at), at.astype(np.int32), c.row_lower[at], c.row_upper[at])
            counts["bounds"] += len(at)

    def _same_pattern_update(self, idx: np.ndarray, rows: Any, counts: dict[str, int]) -> bool:
        """Copy rows ``idx`` of ``rows`` into the matrix and HiGHS when they hold entries in the same
        columns as now (the usual case: a rate or a stock moved); False (nothing done) otherwise."""
        A = self._A
        old, new = _positions(A.indptr, idx), _positions(rows.indptr, idx)
        if len(old) != len(new) or not np.array_equal(A.indices[old], rows.indices[new]):
            return False
        before, after = A.data[old], rows.data[new]
        diff = np.flatnonzero(before != after)
        if (before[diff] == 0.0).any():  # a stored zero filled: HiGHS gets the whole matrix (_set_row)
            return False
        A.data[old[diff]] = after[diff]
        row_of = np.repeat(idx, np.diff(rows.indptr)[idx])
        for i, j, v in zip(row_of[diff].tolist(), A.indices[old[diff]].tolist(), after[diff].tolist(), strict=True):
            self.h.changeCoeff(i, j, v)
        counts["coefficients"] += len(diff)
        return True

    def _recompute_objective(self) -> None:
        fresh = self._regenerated()
        costs, offsets = objective_terms(self.data, fresh.layout, fresh.expressions)
        self.compiled.term_costs[:] = costs
        self.compiled.term_offsets[:] = offsets

    # ---------------------------------------------------------------------------- results
    def _init_extraction(self) -> None:
        layout = self.compiled.layout
        self._cols: dict[str, np.ndarray] = {}
        self._keys: dict[str, list[tuple[Any, ...]]] = {}
        for name in ("stock", "shortfall", "intake", "flex"):
            self._keys[name] = [_flat(key) for key in itertools.product(*layout.sets[name])]
            self._cols[name] = layout[name].ravel()
        self._complete = {name: True for name in self._cols}
        self._spend_rows()
        self._make_template()
        self._constructing = False

    def _spend_rows(self) -> None:
        """What each funding stream spends each year (by financial year for streams budgeted so),
        as rows over the columns, read from the generated expressions."""
        d = self.data
        ex = self.compiled.expressions if self._constructing else self._regenerated().expressions
        keys = [(f, t) for f in d.STREAMS for t in d.YEARS]
        rows, cols, vals, const = [], [], [], np.zeros(len(keys))
        n = len(d.YEARS)
        for i, f in enumerate(d.STREAMS):
            lin = ex.fy_spend(f) if f in d.FY_STREAMS else ex.spend(f)
            r, col, v = lin.coo()
            rows.append(r + i * n)
            cols.append(col)
            vals.append(v)
            const[i * n:(i + 1) * n] = lin.const
        matrix = sparse.csr_array((np.concatenate(vals) if vals else np.zeros(0),
                                   (np.concatenate(rows) if rows else np.zeros(0, np.int64),
                                    np.concatenate(cols) if cols else np.zeros(0, np.int64))),
                                  shape=(len(keys), self.compiled.layout.n))
        self._spend = (keys, matrix, const)


def _positions(indptr: np.ndarray, idx: np.ndarray) -> np.ndarray:
    """Positions in a CSR matrix's data of the entries of rows ``idx``, row after row."""
    starts, lengths = indptr[idx], indptr[idx + 1] - indptr[idx]
    if not lengths.sum():
        return np.zeros(0, dtype=np.int64)
    offsets = np.repeat(starts - np.concatenate([[0], np.cumsum(lengths)[:-1]]), lengths)
    return offsets + np.arange(lengths.sum())
