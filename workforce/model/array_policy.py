"""Targets, place shares and regional equity (section 12) in the array construction.

The same rows as ``add_target_minimum``, ``add_share_minimum``, ``add_share_maximum`` and
``add_equity_limit`` of :mod:`workforce.model.policy`, written as :class:`Lin` (see
:mod:`workforce.model.arrays`).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from workforce.model.array_grids import INF, Columns, Lin
from workforce.model.data import ModelData


def gather(lin: Lin, points: list[list[tuple[int, ...]]]) -> Lin:
    """One expression per row: the sum of ``lin`` over that row's grid points (in the given order)."""
    n = len(points)
    width = max((len(p) for p in points), default=0)
    terms = []
    for coef, col in lin.terms:
        extra = coef.shape[len(lin.shape):]
        size = int(np.prod(extra)) if extra else 1
        c = np.zeros((n, width * size))
        k = np.full((n, width * size), -1, dtype=np.int64)
        for i, row in enumerate(points):
            for slot, point in enumerate(row):
                c[i, slot * size:(slot + 1) * size] = np.ravel(coef[point])
                k[i, slot * size:(slot + 1) * size] = np.ravel(col[point])
        terms.append((c, k))
    const = np.array([sum(float(lin.const[point]) for point in row) for row in points], dtype=float)
    return Lin((n,), terms, const)


def target_count(d: ModelData, ex: Any, keys: list[tuple[Any, ...]]) -> Lin:
    """(rows,): completions (or starters) of each target row's programme over its regions and years
    (policy.target_count)."""
    R, T = d.REGIONS, d.YEARS
    out = Lin((len(keys),))
    by_programme: dict[tuple[str, str], list[int]] = {}
    for i, (g, _q, _t) in enumerate(keys):
        by_programme.setdefault((d.target_programme[g], d.target_measure[g]), []).append(i)
    for (p, measure), rows in by_programme.items():
        grid = ex.var("intake", d.PROGRAMMES.index(p)) if measure == "intake" else ex.completions(p)
        points = [[] for _ in keys]
        for i in rows:
            g, q, t = keys[i]
            points[i] = [(R.index(r), T.index(s)) for r in d.target_regions[g, q] for s in d.target_years[g, t]]
        out = out + gather(grid, points)
    return out


def target_minimum(d: ModelData, cols: Columns, ex: Any, stack: Any) -> Any:
    """Σ_{r in target_regions} Σ_{s in target_years} completions (or intake) ≥ target_min."""
    keys = list(d.target_min)
    count = target_count(d, ex, keys)
    return stack("target_minimum", keys, [count], np.array([d.target_min[key] for key in keys], dtype=float), INF)


def share_limit(d: ModelData, cols: Columns, name: str, bound: dict[Any, float]) -> Any:
    """Σ_{r in share_regions} intake − share × Σ_r intake ≥ 0 (share_minimum) or ≤ 0 (share_maximum)."""
    from workforce.model.array_families import Family

    keys = list(bound)
    n_r = len(d.REGIONS)
    group = max((len(d.share_regions[g]) for g, _ in keys), default=0)
    coef = np.zeros((len(keys), group + n_r))
    col = np.full((len(keys), group + n_r), -1, dtype=np.int64)
    for i, (g, t) in enumerate(keys):
        p = d.share_programme[g]
        members = d.share_regions[g]
        coef[i, :len(members)] = 1.0
        col[i, :len(members)] = cols.lookup("intake", [(p, r, t) for r in members])
        coef[i, group:] = -bound[g, t]
        col[i, group:] = cols.lookup("intake", [(p, r, t) for r in d.REGIONS])
    body = Lin((len(keys),), [(coef, col)])
    n = len(keys)
    lower, upper = (np.zeros(n), np.full(n, INF)) if name == "share_minimum" else (np.full(n, -INF), np.zeros(n))
    return Family(name, keys, [body], lower, upper)


def equity_limit(d: ModelData, cols: Columns, ex: Any, stack: Any) -> Any:
    """Σ shortfall − worst_shortfall_rate × Σ demand ≤ 0, per role and region (basis ``horizon``) or
    per role, region and year (basis ``year``), where the demand is positive."""
    R, T = d.REGIONS, d.YEARS
    w = cols["worst_shortfall_rate"]
    keys: list[Any] = []
    coef_rows: list[list[float]] = []
    col_rows: list[list[int]] = []
    for k in d.equity_roles if d.equity_basis is not None else []:
        shortfall = cols["shortfall"][d.ROLES.index(k)]
        for i, r in enumerate(R):
            if d.equity_basis == "year":
                for j, t in enumerate(T):
                    if d.demand[k, r, t] > 0:
                        keys.append((k, r, t))
                        coef_rows.append([1.0, -d.demand[k, r, t]])
                        col_rows.append([int(shortfall[i, j]), int(w[0])])
                continue
            total = sum(d.demand[k, r, t] for t in T)
            if total > 0:
                keys.append((k, r))
                coef_rows.append([1.0] * len(T) + [-total])
                col_rows.append([int(c) for c in shortfall[i]] + [int(w[0])])
    width = max((len(c) for c in coef_rows), default=0)
    coef = np.zeros((len(keys), width))
    col = np.full((len(keys), width), -1, dtype=np.int64)
    for i, (c, k) in enumerate(zip(coef_rows, col_rows, strict=True)):
        coef[i, :len(c)], col[i, :len(k)] = c, k
    return stack("equity_limit", keys, [Lin((len(keys),), [(coef, col)])], -INF, 0.0)


def policy_families(d: ModelData, cols: Columns, ex: Any, stack: Any) -> list[Any]:
    """target_minimum, share_minimum, share_maximum, equity_limit (after the cohort families of add_policy)."""
    return [
        target_minimum(d, cols, ex, stack),
        share_limit(d, cols, "share_minimum", d.share_min),
        share_limit(d, cols, "share_maximum", d.share_max),
        equity_limit(d, cols, ex, stack),
    ]
