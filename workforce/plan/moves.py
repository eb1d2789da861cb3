"""Moves between regions as decisions in the plan's tables (models/cohort_planning.md, section 24).

When any role has routes (``roles.<k>.moves``), the flows table gains ``moves_in`` and ``moves_out``
(in the role's unit, before ``stock_end``) so that the stock balance holds row by row, the plan gains
a table ``moves`` [role, origin, destination, year] with the people moved and the route's cap, and
stream spend has an item ``moves:<role>``. Without routes nothing changes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from workforce.model.fte import fte_row, head_fte
from workforce.plan.movement import before_stock_end

if TYPE_CHECKING:
    import pyomo.environ as pyo

    from workforce.model.data import ModelData

MOVES_COLUMNS = ("moves_in", "moves_out")


def _zero_small(a: np.ndarray) -> np.ndarray:
    return np.where(np.abs(a) < 1e-9, 0.0, a)


def pyomo_routes(d: ModelData, m: pyo.ConcreteModel) -> np.ndarray:
    """(routes, T): people moved on each route each year, from a solved Pyomo model."""
    import pyomo.environ as pyo

    return np.array([[pyo.value(m.move[k, r, q, t]) or 0.0 for t in d.YEARS] for k, r, q in d.MOVE_ROUTES],
                    dtype=float).reshape(len(d.MOVE_ROUTES), len(d.YEARS))


def role_moves(d: ModelData, k: str, routes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(moves_in, moves_out) of role k as (R, T) arrays in the role's unit (people × fte_per_head)."""
    R = d.REGIONS
    into, out = np.zeros((len(R), len(d.YEARS))), np.zeros((len(R), len(d.YEARS)))
    for i, (kk, r, q) in enumerate(d.MOVE_ROUTES):
        if kk == k:
            into[R.index(q)] += routes[i]
            out[R.index(r)] += routes[i]
    per_head = fte_row(d, k)
    return _zero_small(into * per_head), _zero_small(out * per_head)


def with_moves(d: ModelData, cols: dict[str, list[np.ndarray]], routes: np.ndarray | None) -> dict[str, list[np.ndarray]]:
    """``cols`` (the flows table's per-role (R, T) arrays) with moves_in and moves_out before
    stock_end, when any role has routes; ``cols`` itself otherwise."""
    if not d.MOVE_ROUTES or routes is None:
        return cols
    moved: dict[str, list[np.ndarray]] = {c: [] for c in MOVES_COLUMNS}
    for k in d.ROLES:
        into, out = role_moves(d, k, routes)
        moved["moves_in"].append(into)
        moved["moves_out"].append(out)
    return before_stock_end(cols, moved)


def reference_route_moves(d: ModelData, m: pyo.ConcreteModel, k: str, r: str, t: int) -> dict[str, float]:
    """moves_in and moves_out of (k, r, t) in the role's unit from the Pyomo model ({} without routes)."""
    if not d.MOVE_ROUTES:
        return {}
    import pyomo.environ as pyo

    from workforce.model.moves import moves_in, moves_out

    def v(expr: Any) -> float:
        value = head_fte(d, k, t) * float(pyo.value(expr))
        return 0.0 if abs(value) < 1e-9 else value

    return {"moves_in": v(moves_in(m, d, k, r, t)), "moves_out": v(moves_out(m, d, k, r, t))}


def moves_units(d: ModelData, unit: str) -> dict[str, str]:
    """Units of the moves columns (none without routes)."""
    return {c: unit for c in MOVES_COLUMNS} if d.MOVE_ROUTES else {}


def moves_table(d: ModelData, routes: np.ndarray) -> pd.DataFrame:
    """[role, origin, destination, year]: ``people`` moved and the route's ``max``."""
    rows = [{"role": k, "origin": r, "destination": q, "year": t, "people": float(_zero_small(routes[i, n])),
             "max": d.move_max[k, r, q, t]}
            for i, (k, r, q) in enumerate(d.MOVE_ROUTES) for n, t in enumerate(d.YEARS)]
    frame = pd.DataFrame(rows, columns=["role", "origin", "destination", "year", "people", "max"])
    frame = frame.set_index(["role", "origin", "destination", "year"])
    frame.attrs["units"] = {"people": "people a year", "max": "people a year"}
    return frame


def move_items(d: ModelData, f: str, routes: np.ndarray) -> dict[str, np.ndarray]:
    """Spend items ``moves:<role>`` of stream f per year (cost_move × people moved)."""
    items: dict[str, np.ndarray] = {}
    for i, (k, _r, _q) in enumerate(d.MOVE_ROUTES):
        if d.stream_move[k] == f:
            items[f"moves:{k}"] = items.get(f"moves:{k}", np.zeros(len(d.YEARS))) + d.cost_move[k] * _zero_small(routes[i])
    return items
