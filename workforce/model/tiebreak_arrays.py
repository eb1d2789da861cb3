"""The tie-break rows of section 8.5 (models/cohort_planning.md) in the array construction of
workforce.model.arrays: the same rows as ``add_tie_break``, over the same keys (``change_keys``)."""

from __future__ import annotations

import numpy as np

from workforce.model.array_families import Family, _stack
from workforce.model.array_grids import INF, Columns, Lin
from workforce.model.data import ModelData
from workforce.model.tiebreak import change_keys, change_limit, limit_keys


def intake_change_rows(d: ModelData, cols: Columns) -> list[Family]:
    """intake_change ∓ (intake[p,r,t] − intake[p,r,t−1]) ≥ 0 (intake_change_up, intake_change_down)."""
    keys = change_keys(d)
    change = cols.lookup("intake_change", keys)
    now = cols.lookup("intake", keys)
    before = cols.lookup("intake", [(p, r, t - 1) for p, r, t in keys])
    out = []
    for name, sign in (("intake_change_up", -1.0), ("intake_change_down", 1.0)):
        coef = np.tile(np.array([1.0, sign, -sign]), (len(keys), 1))
        body = Lin((len(keys),), [(coef[:, 0], change), (coef[:, 1], now), (coef[:, 2], before)])
        out.append(_stack(name, keys, [body], 0.0, INF))
    return out + intake_change_limit(d, cols) + [steady_state_pipeline(d, cols)]


def intake_change_limit(d: ModelData, cols: Columns) -> list[Family]:
    """Σ_r intake[p,r,t] − Σ_r intake[p,r,t−1] ≤ max (intake_change_rise), ≥ −max
    (intake_change_fall), section 8.6."""
    keys = limit_keys(d)
    R = d.REGIONS
    now = cols.lookup("intake", [(p, r, t) for p, t in keys for r in R]).reshape(len(keys), len(R))
    before = cols.lookup("intake", [(p, r, t - 1) for p, t in keys for r in R]).reshape(len(keys), len(R))
    ones = np.ones((len(keys), len(R)))
    body = Lin((len(keys),), [(ones, now), (-ones, before)])
    limit = np.array([change_limit(d, p) for p, _ in keys], dtype=float)
    return [_stack("intake_change_rise", keys, [body], -INF, limit),
            _stack("intake_change_fall", keys, [body], -limit, INF)]


def steady_state_pipeline(d: ModelData, cols: Columns) -> Family:
    """Σ completion_rate × starters arriving in v ≥ share × attrition × demand[k,r,T] (section 10.2)."""
    from workforce.model.steady_state import pipeline_rows

    rows = pipeline_rows(d)
    width = max((len(row.terms) for row in rows), default=0)
    coef, col = np.zeros((len(rows), width)), np.full((len(rows), width), -1, dtype=np.int64)
    for n, row in enumerate(rows):
        for slot, ((var, key), c) in enumerate(row.terms.items()):
            block_key = (key[0], key[3], key[1], key[2]) if var == "intake_term" else key  # block (p, j, r, t)
            coef[n, slot], col[n, slot] = c, cols.lookup(var, [block_key])[0]
    body = Lin((len(rows),), [(coef, col)])
    return _stack("steady_state_pipeline", [row.key for row in rows], [body], np.array([row.need for row in rows]), INF)
