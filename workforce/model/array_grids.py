"""Columns and grids of linear expressions for the array construction (see :mod:`workforce.model.arrays`)."""

from __future__ import annotations

import itertools
import math
from typing import Any

import numpy as np

from workforce.model.data import ModelData
from workforce.model.horizon import post_keys
from workforce.model.tiebreak import change_keys

INF = float("inf")

# ---------------------------------------------------------------------------------------------
# Columns


def deadline_keys(d: ModelData, first_band: int) -> list[tuple[str, str, int, int]]:
    """Index of ``unqualified`` (first_band 0) or ``qualified_in`` (first_band 1), in build order
    (deadline.add_deadline_variables)."""
    return [(k, r, t, a) for k in d.DEADLINE_ROLES for r in d.REGIONS for t in d.YEARS
            for a in range(first_band, d.deadline_years[k] + 1)]



class Columns:
    """One block of columns per variable component, in the order of its index sets' product."""

    def __init__(self, d: ModelData):
        P, K, R, T = d.PROGRAMMES, d.ROLES, d.REGIONS, d.YEARS
        self.hiring_roles = sorted({k for k, _, _ in d.hires_max}, key=d.ROLES.index)
        self.exit_roles = [k for k in d.ROLES if d.exits_enabled[k]]
        specs = [
            ("intake", [P, R, T]), ("stock", [K, R, T]), ("hires", [self.hiring_roles, R, T]),
            ("exits", [self.exit_roles, R, T]), ("flex", [d.FLEX, R, T]), ("shortfall", [K, R, T]),
            ("surplus", [K, R, T]), ("intake_term", [list(d.intake_month), R, T]),
            ("cohorts", [d.COHORT_PROGRAMMES, R, T]),
            ("cohort_open", [[p for p in d.COHORT_PROGRAMMES if d.cohort_region_min[p] > 0], R, T]),
            ("post_shortfall", [post_keys(d)]),
            ("unqualified", [deadline_keys(d, 0)]), ("qualified_in", [deadline_keys(d, 1)]),
            ("worst_shortfall_rate", [[None] if d.equity_basis is not None else []]),
            ("intake_change", [change_keys(d)]),
            ("move", [d.MOVE_ROUTES, T]),
        ]
        self.sets: dict[str, list[list[Any]]] = {}
        self.block: dict[str, np.ndarray] = {}
        start = 0
        for name, sets in specs:
            shape = tuple(len(s) for s in sets)
            n = math.prod(shape)
            self.sets[name] = sets
            self.block[name] = np.arange(start, start + n, dtype=np.int64).reshape(shape)
            start += n
        self.n = start
        self.position = {name: [{key: i for i, key in enumerate(s)} for s in sets] for name, sets in self.sets.items()}

    def __getitem__(self, name: str) -> np.ndarray:
        return self.block[name]

    def column_keys(self) -> list[tuple[str, Any]]:
        """(component name, index) of every column, in column order."""
        return [item for name in self.sets for item in self.column_keys_of(name)]

    def column_keys_of(self, name: str) -> list[tuple[str, Any]]:
        """(component name, index) of the columns of one component, in column order."""
        out: list[tuple[str, Any]] = []
        for key in itertools.product(*self.sets[name]):
            if name == "worst_shortfall_rate":  # a scalar variable: Pyomo's index is None
                out.append((name, None))
            elif name == "intake_term":  # block ((p, j), r, t); the variable is indexed (p, r, t, j)
                (p, j), r, t = key
                out.append((name, (p, r, t, j)))
            else:
                out.append((name, _flat(key)))
        return out

    def lookup(self, name: str, keys: list[tuple[Any, ...]]) -> np.ndarray:
        """Column of each index of component ``name``."""
        pos = self.position[name]
        block = self.block[name]
        if not keys:
            return np.zeros(0, dtype=np.int64)
        # a flattened key (("ep", "agency") pairs arrive as "ep", "agency") is regrouped per set
        widths = [len(s[0]) if s and isinstance(s[0], tuple) else 1 for s in self.sets[name]]
        ends = list(itertools.accumulate(widths))
        idx = []
        for i, (w, e) in enumerate(zip(widths, ends, strict=True)):
            parts = [key[e - 1] for key in keys] if w == 1 else [tuple(key[e - w:e]) for key in keys]
            idx.append(np.fromiter(map(pos[i].__getitem__, parts), dtype=np.int64, count=len(keys)))
        return block[tuple(idx)]

def _flat(key: tuple[Any, ...]) -> Any:
    """An index as Pyomo flattens it: (("ep", "agency"), "A", 2026) → ("ep", "agency", "A", 2026)."""
    out: list[Any] = []
    for part in key:
        out.extend(part if isinstance(part, tuple) else (part,))
    return tuple(out)

# ---------------------------------------------------------------------------------------------
# Grids of linear expressions


class Lin:
    """Linear expressions over a grid of shape ``shape``: Σ coef × x[col] + const per grid point.

    A term's arrays have the grid's shape, optionally followed by extra axes (several variables per
    grid point, e.g. a sum over regions)."""

    def __init__(self, shape: tuple[int, ...], terms: list[tuple[np.ndarray, np.ndarray]] | None = None,
                 const: Any = 0.0):
        self.shape = shape
        self.terms = terms or []
        self.const = np.broadcast_to(np.asarray(const, dtype=float), shape)

    @staticmethod
    def var(cols: np.ndarray) -> Lin:
        return Lin(cols.shape, [(np.ones(cols.shape), cols)])

    def __add__(self, other: Any) -> Lin:
        if isinstance(other, Lin):
            return Lin(self.shape, self.terms + other.terms, self.const + other.const)
        return Lin(self.shape, list(self.terms), self.const + other)

    def __neg__(self) -> Lin:
        return self * -1.0

    def __sub__(self, other: Any) -> Lin:
        return self + (-other)

    def __mul__(self, factor: Any) -> Lin:
        """Scale by a number or an array broadcastable to the grid."""
        f = np.asarray(factor, dtype=float)
        terms = [(coef * f.reshape(f.shape + (1,) * (coef.ndim - len(self.shape))), col) for coef, col in self.terms]
        return Lin(self.shape, terms, self.const * f)

    __rmul__ = __mul__

    def shift(self) -> Lin:
        """The value of the previous year at each year (the grid's last axis): nothing in the first year."""
        ax = len(self.shape) - 1
        terms = []
        for coef, col in self.terms:
            src = [slice(None)] * coef.ndim
            dst = list(src)
            src[ax], dst[ax] = slice(None, -1), slice(1, None)
            c, k = np.zeros_like(coef), np.full_like(col, -1)
            c[tuple(dst)] = coef[tuple(src)]
            k[tuple(dst)] = col[tuple(src)]
            terms.append((c, k))
        const = np.zeros(self.shape)
        const[..., 1:] = self.const[..., :-1]
        return Lin(self.shape, terms, const)

    def total(self, axis: int) -> Lin:
        """Sum over grid axis ``axis``: its points become per-row entries of the terms."""
        shape = self.shape[:axis] + self.shape[axis + 1:]
        terms = [(np.moveaxis(coef, axis, -1).reshape(shape + (-1,)), np.moveaxis(col, axis, -1).reshape(shape + (-1,)))
                 for coef, col in self.terms]
        return Lin(shape, terms, self.const.sum(axis=axis))

    def value(self, x: np.ndarray) -> np.ndarray:
        """The grid's values at the solution ``x``."""
        out = np.array(self.const, dtype=float)
        for coef, col in self.terms:
            term = np.where(col >= 0, coef * x[np.maximum(col, 0)], 0.0) if len(x) else np.zeros(col.shape)
            out = out + (term.reshape(self.shape + (-1,)).sum(axis=-1) if coef.ndim > len(self.shape) else term)
        return out

    def where(self, keep: np.ndarray) -> Lin:
        """The expressions at the grid points where ``keep`` (broadcast to the grid) holds; none elsewhere."""
        keep = np.broadcast_to(keep, self.shape)
        terms = []
        for coef, col in self.terms:
            mask = keep.reshape(self.shape + (1,) * (coef.ndim - len(self.shape)))
            terms.append((np.where(mask, coef, 0.0), np.where(mask, col, -1)))
        return Lin(self.shape, terms, np.where(keep, self.const, 0.0))

    def structural(self) -> np.ndarray:
        """Grid points whose expression has a variable (even with a zero coefficient)."""
        out = np.zeros(self.shape, dtype=bool)
        for _coef, col in self.terms:
            has = col >= 0
            out |= has.any(axis=tuple(range(len(self.shape), has.ndim))) if has.ndim > len(self.shape) else has
        return out

    def coo(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(row, column, value) of the nonzero entries, rows numbered in the grid's C order."""
        n = math.prod(self.shape)
        grid = np.arange(n, dtype=np.int64).reshape(self.shape)
        rows, cols, vals = [], [], []
        for coef, col in self.terms:
            extra = coef.ndim - len(self.shape)
            r = np.broadcast_to(grid.reshape(self.shape + (1,) * extra), col.shape)
            keep = (col >= 0) & (coef != 0)
            rows.append(r[keep])
            cols.append(col[keep])
            vals.append(coef[keep])
        if not rows:
            return np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0)
        return np.concatenate(rows), np.concatenate(cols), np.concatenate(vals)
