"""The rows of some constraint families generated again from changed tables, in the warm model's row numbers.

:class:`workforce.solver.warm_arrays.ArrayWarmModel` re-reads only the rows a changed parameter
enters (:data:`workforce.solver.warm_rules.ROWS`). Generating the whole LP again for that (every
family, its entries and its constant rows) took about half of a Monte Carlo draw; :func:`regenerate`
builds only the families those rows belong to, with the same code and in the same order as
:func:`workforce.model.arrays.compile_arrays`, so each regenerated row is bit for bit the row a cold
build of the changed scenario has (tests/test_warm_regen.py).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import sparse

from workforce.model.array_expressions import Expressions
from workforce.model.array_families import families
from workforce.model.array_grids import Columns
from workforce.model.arrays import CSC
from workforce.model.data import ModelData
from workforce.solver.warm import NeedsRebuild


@dataclass
class Regenerated:
    """Rows of the named families as the changed tables give them (other rows empty)."""

    rows: Any
    """CSR over all rows and columns of the warm model; rows of other families have no entries."""
    row_lower: np.ndarray
    row_upper: np.ndarray
    """Bounds of every row: the regenerated families' new ones, the others' as the model has them."""
    layout: Columns
    expressions: Expressions


def family_offsets(row_families: list[tuple[str, list[Any]]]) -> dict[str, tuple[int, list[Any]]]:
    """Each family's first row number and its row keys, in the warm model's numbering. A family
    generated in two parts under one name (outflow_limit: every role's rows, then section 24's
    origin rows) is one span: the parts are consecutive."""
    out, start = {}, 0
    for name, keys in row_families:
        if name in out:
            first, before = out[name]
            if first + len(before) != start:
                raise ValueError(f"family {name!r} comes in parts that are not consecutive")
            out[name] = (first, [*before, *keys])
        else:
            out[name] = (start, list(keys))
        start += len(keys)
    return out


def regenerate(d: ModelData, compiled: Any, names: Collection[str]) -> Regenerated:
    """Generate the families ``names`` of ``compiled`` (an ArrayCompiled) again from the tables ``d``.

    Rows with no decision in them are left out as compile_arrays leaves them out; if one no longer
    holds, or a family's rows differ from the compiled ones, raise :class:`NeedsRebuild`."""
    cols = Columns(d)
    ex = Expressions(d, cols)
    where = family_offsets(compiled.row_families)
    lower, upper = compiled.row_lower.copy(), compiled.row_upper.copy()
    rows, colidx, vals = [np.zeros(0, np.int64)], [np.zeros(0, np.int64)], [np.zeros(0)]
    wanted, done = set(names), dict.fromkeys(names, 0)  # rows of each family already regenerated
    for fam in families(d, cols, ex, only=wanted) if wanted else ():
        if fam.name not in wanted:
            continue
        first, every = where[fam.name]
        start = first + done[fam.name]
        const = fam.const
        lo, up = fam.lower - const, fam.upper - const
        constant = ~np.concatenate([np.zeros(0, bool)] + [part.structural().ravel() for part in fam.parts])
        if (constant & ((lo > 0) | (up < 0))).any():
            raise NeedsRebuild("a row with no decision in it no longer holds")
        keep = ~constant
        keys = [key for key, k in zip(fam.keys, keep, strict=True) if k]
        if keys != every[done[fam.name]:done[fam.name] + len(keys)]:
            raise NeedsRebuild("the change adds or removes rows with no decision in them")
        done[fam.name] += len(keys)
        renumber = np.cumsum(keep) - 1 + start
        r, c, v = fam.coo()
        rows.append(renumber[r])
        colidx.append(c)
        vals.append(v)
        lower[start:start + len(keys)], upper[start:start + len(keys)] = lo[keep], up[keep]
    if any(done[name] != len(where[name][1]) for name in wanted):
        raise NeedsRebuild("the change adds or removes rows with no decision in them")
    csc = CSC.from_entries(np.concatenate(rows), np.concatenate(colidx), np.concatenate(vals),
                           (compiled.n_rows, cols.n))
    csr = sparse.csc_array((csc.data, csc.indices, csc.indptr), shape=csc.shape).tocsr()
    csr.sort_indices()
    return Regenerated(csr, lower, upper, cols, ex)
