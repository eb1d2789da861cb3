"""Moves between regions in the plan's re-check (models/cohort_planning.md, sections 9.3 and 24).

From the plan's ``moves`` table (people per route and year) the re-check checks each route against
its cap ``move_max`` (and that the table's ``max`` is the scenario's), recomputes the flows table's
``moves_in`` and ``moves_out`` (people × fte_per_head) for the stock balance and the outflow limit,
and recomputes the spend items ``moves:<role>`` and the moves' part of ``hiring_cost``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from workforce.model.data import ModelData
from workforce.model.fte import head_fte

LEVELS = ["role", "origin", "destination", "year"]


def _routes(plan: Any, d: ModelData) -> pd.Series:
    """People moved by (role, origin, destination, year) from the plan's moves table (0 where absent)."""
    index = pd.MultiIndex.from_tuples(list(d.move_max), names=LEVELS)
    table = plan.extra.get("moves")
    if table is None:
        return pd.Series(np.zeros(len(index)), index=index)
    return table["people"].reindex(index).fillna(0.0)


def check_moves(c: Any, plan: Any, d: ModelData, idx: pd.Index, col: dict[str, np.ndarray]
                ) -> tuple[np.ndarray, np.ndarray]:
    """Check the routes and the flows table's moves columns; return (moves_in, moves_out) aligned
    with ``idx`` (zeros without routes) for the stock balance."""
    zeros = np.zeros(len(idx))
    if not d.MOVE_ROUTES:
        for name in ("moves_in", "moves_out"):
            if name in col:
                c.eq_at("moves", f"{name} (the scenario has no moves) of", idx, col[name], 0.0)
        return zeros, zeros
    people = _routes(plan, d)
    route_index = people.index
    if "moves" not in plan.extra:
        c.eq_at("moves", "people moved (the moves table is missing) on", route_index, np.full(len(people), np.nan), 0.0)
    else:
        c.eq_at("moves", "cap (the moves table's max) of", route_index,
                plan.extra["moves"]["max"].reindex(route_index).to_numpy(dtype=float),
                np.array([d.move_max[key] for key in route_index], dtype=float))
    values = people.to_numpy(dtype=float)
    c.le_at("move cap", "people moved on", route_index, values, np.array([d.move_max[key] for key in route_index]))
    c.le_at("non-negative", "minus the people moved on", route_index, -values, 0.0)
    fte = values * np.array([head_fte(d, k, t) for k, _r, _q, t in route_index], dtype=float)
    rows = pd.DataFrame({"role": route_index.get_level_values("role"), "origin": route_index.get_level_values("origin"),
                         "destination": route_index.get_level_values("destination"),
                         "year": route_index.get_level_values("year"), "fte": fte})
    names = ["role", "region", "year"]
    out = rows.groupby(["role", "origin", "year"])["fte"].sum().rename_axis(names).reindex(idx).fillna(0.0)
    into = rows.groupby(["role", "destination", "year"])["fte"].sum().rename_axis(names).reindex(idx).fillna(0.0)
    for name, expected in (("moves_in", into.to_numpy(dtype=float)), ("moves_out", out.to_numpy(dtype=float))):
        if name not in col:
            c.eq_at("moves", f"{name} (column missing from the flows table) of", idx, zeros, expected)
        else:
            c.eq_at("moves", f"{name} of", idx, col[name], expected)
    return col.get("moves_in", zeros), col.get("moves_out", zeros)


def move_spend_items(plan: Any, d: ModelData) -> list[dict[str, Any]]:
    """Spend items moves:<role> (stream, academic year, item, spent) recomputed from the moves table."""
    if not d.MOVE_ROUTES:
        return []
    people = _routes(plan, d)
    spent: dict[tuple[str, int, str], float] = {}
    for (k, _r, _q, t), n in people.items():
        f = d.stream_move[k]
        if f is not None and d.cost_move[k]:
            key = (f, t, f"moves:{k}")
            spent[key] = spent.get(key, 0.0) + d.cost_move[k] * float(n)
    return [{"stream": f, "year": t, "item": item, "spent": v} for (f, t, item), v in spent.items()]


def move_cost(plan: Any, d: ModelData) -> float:
    """The moves' part of hiring_cost: Σ cost_move × people × disc[year]."""
    if not d.MOVE_ROUTES:
        return 0.0
    from workforce.model.discount import year_factors

    people = _routes(plan, d)
    price = np.array([d.cost_move[k] for k in people.index.get_level_values("role")], dtype=float)
    disc = year_factors(d, people.index.get_level_values("year"))
    return float((people.to_numpy(dtype=float) * price * disc).sum())
