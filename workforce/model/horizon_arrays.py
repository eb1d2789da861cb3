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
    wanted: dict[str, list[tuple[int, int, tuple]]] = {}  # columns looked up per variable at once (a Monte Carlo draw regenerates these rows)
    for n, row in enumerate(rows):
        k, r, v = row.key
        entries = [("stock", (k, r, last), row.stock_coef), ("post_shortfall", (k, r, v), 1.0)]
        entries += [(var, (key[0], key[3], key[1], key[2]) if var == "intake_term" else key, c)  # block (p, j, r, t)
                    for (var, key), c in row.terms.items()]
        for slot, (var, key, c) in enumerate(entries):
            coef[n, slot] = c
            wanted.setdefault(var, []).append((n, slot, key))
    for var, at in wanted.items():
        col[[n for n, _s, _k in at], [s for _n, s, _k in at]] = cols.lookup(var, [key for _n, _s, key in at])
    body = Lin((len(rows),), [(coef, col)])
    return _stack("post_demand_balance", [row.key for row in rows], [body], np.array([row.demand for row in rows]), INF)

