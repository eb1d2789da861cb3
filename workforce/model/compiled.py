"""The LP as arrays, as the solver receives it (built by :mod:`workforce.solver.core`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np


@dataclass
class Compiled:
    """The LP as arrays: min c·x subject to row_lower ≤ A x ≤ row_upper, col_lower ≤ x ≤ col_upper."""

    A: Any  # scipy.sparse.csc_array
    row_lower: np.ndarray
    row_upper: np.ndarray
    col_lower: np.ndarray
    col_upper: np.ndarray
    term_costs: np.ndarray
    """One row of objective coefficients per objective term (order of TERMS)."""
    term_offsets: np.ndarray
    rows: list[Any]
    """ConstraintData of each row."""
    columns: list[Any]
    """VarData of each column."""
    col_position: dict[int, int] = field(default_factory=dict)
    """id(VarData) → column."""
    integrality: np.ndarray | None = None
    """True for each integer column (cohorts); none for a plain LP."""
    model: Any = None
    """The Pyomo model (rows and columns refer to its components weakly: keep it alive)."""

    @property
    def csc(self) -> Any:
        """The constraint matrix in compressed columns (shape, nnz, indptr, indices, data, ``@``)."""
        return self.A
