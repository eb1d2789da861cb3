"""The post-horizon rows of section 10.1 (models/cohort_planning.md) in the array construction of
workforce.model.arrays: the same rows as ``add_post_horizon``, from the same builder (``post_rows``)."""

from __future__ import annotations

import numpy as np

from workforce.model.array_families import Family, _stack
from workforce.model.array_grids import INF, Columns, Lin
from workforce.model.data import ModelData
from workforce.model.horizon import post_rows


def post_demand_balance(d: ModelData, cols: Columns) -> Family:
    """Σ coef × starters + stock_coef × stock[k,r,T] + post_shortfall ≥ demand[k,r,T] (section 10.1)."""
    rows = post_rows(d)
    width = 2 + max((len(row.terms) for row in rows), default=0)
    coef, col = np.zeros((len(rows), width)), np.full((len(rows), width), -1, dtype=np.int64)
    last = d.YEARS[-1]
    places: dict[str, tuple[list[int], list[int], list[tuple]]] = {}  # variable -> rows, slots, keys
    for n, row in enumerate(rows):
        k, r, v = row.key
        entries = [("stock", (k, r, last), row.stock_coef), ("post_shortfall", (k, r, v), 1.0)]
        entries += [(var, (key[0], key[3], key[1], key[2]) if var == "intake_term" else key, c)  # block (p, j, r, t)
                    for (var, key), c in row.terms.items()]
        for slot, (var, key, c) in enumerate(entries):
            coef[n, slot] = c
            at = places.setdefault(var, ([], [], []))
            at[0].append(n)
            at[1].append(slot)
            at[2].append(key)
    for var, (ns, slots, keys) in places.items():  # one lookup per variable: per entry it took 40% of generation
        col[ns, slots] = cols.lookup(var, keys)
    body = Lin((len(rows),), [(coef, col)])
    return _stack("post_demand_balance", [row.key for row in rows], [body], np.array([row.demand for row in rows]), INF)

