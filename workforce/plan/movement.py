"""Staff moving between regions in the plan's tables (models/cohort_planning.md, section 21.4).

When any role has a movement matrix, the flows table gains ``moved_in`` and ``moved_out`` (before
``stock_end``), so that

    stock_end = stock_start − leavers + completions + hires − retraining_out − exits + moved_in − moved_out

row by row. Without movement the flows table is unchanged. The re-check (``check_movement``)
recomputes both columns from ``stock_start`` and the scenario's shares, and the explain text sums
the net movement per region.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from workforce.model.movement import movement_roles, movement_values

if TYPE_CHECKING:
    import pyomo.environ as pyo

    from workforce.model.data import ModelData

MOVEMENT_COLUMNS = ("moved_in", "moved_out")


def _zero_small(a: np.ndarray) -> np.ndarray:
    return np.where(np.abs(a) < 1e-9, 0.0, a)


def with_movement(d: ModelData, cols: dict[str, list[np.ndarray]], stock_start: list[np.ndarray]
                  ) -> dict[str, list[np.ndarray]]:
    """``cols`` (the flows table's per-role (R, T) arrays) with moved_in and moved_out before
    stock_end, when any role moves; ``cols`` itself otherwise."""
    moving = movement_roles(d)
    if not moving:
        return cols
    moved: dict[str, list[np.ndarray]] = {c: [] for c in MOVEMENT_COLUMNS}
    for k, start in zip(d.ROLES, stock_start, strict=True):
        if k in moving:
            into, out = movement_values(d, k, start)
        else:
            into = out = np.zeros_like(start)
        moved["moved_in"].append(_zero_small(into))
        moved["moved_out"].append(_zero_small(out))
    return before_stock_end(cols, moved)


def before_stock_end(cols: dict[str, list[np.ndarray]], extra: dict[str, list[np.ndarray]]) -> dict[str, list[np.ndarray]]:
    """``cols`` (the flows table's columns in order) with the ``extra`` columns put just before stock_end."""
    result: dict[str, list[np.ndarray]] = {}
    for name, values in cols.items():
        if name == "stock_end":
            result.update(extra)
        result[name] = values
    return result


def reference_moves(d: ModelData, m: pyo.ConcreteModel, k: str, r: str, t: int) -> dict[str, float]:
    """moved_in and moved_out of (k, r, t) evaluated through the Pyomo expressions ({} without movement)."""
    if not d.movement_share:
        return {}
    import pyomo.environ as pyo

    from workforce.model.movement import moved_in, moved_out

    def v(expr: Any) -> float:
        value = pyo.value(expr)
        return 0.0 if abs(value) < 1e-9 else float(value)

    return {"moved_in": v(moved_in(m, d, k, r, t)), "moved_out": v(moved_out(m, d, k, r, t))}


def movement_units(d: ModelData, unit: str) -> dict[str, str]:
    """Units of the movement columns (none without movement)."""
    return {c: unit for c in MOVEMENT_COLUMNS} if movement_roles(d) else {}


def net_movement(flows: pd.DataFrame) -> pd.DataFrame:
    """moved_in, moved_out and net (in − out) summed over the years, per role and region (rows where
    anyone moved)."""
    if "moved_in" not in flows:
        return pd.DataFrame(columns=["moved_in", "moved_out", "net"])
    total = flows[list(MOVEMENT_COLUMNS)].groupby(level=["role", "region"], sort=False).sum()
    total["net"] = total["moved_in"] - total["moved_out"]
    return total[(total["moved_in"] > 0) | (total["moved_out"] > 0)]


def check_movement(c: Any, plan: Any, d: ModelData, idx: pd.Index, col: dict[str, np.ndarray]
                   ) -> tuple[np.ndarray, np.ndarray]:
    """Re-check moved_in and moved_out against the shares times the flows table's stock_start;
    return them (zeros when no role moves) for the stock balance."""
    zeros = np.zeros(len(idx))
    if not d.movement_share:
        for name in MOVEMENT_COLUMNS:
            if name in col:
                c.eq_at("movement", f"{name} (the scenario has no movement) of", idx, col[name], 0.0)
        return (col.get("moved_in", zeros), col.get("moved_out", zeros))
    start = pd.Series(col["stock_start"], index=idx)
    share = pd.Series(d.movement_share)
    share.index.names = ["role", "origin", "destination", "year"]
    rows = share.reset_index(name="share")
    origin = pd.MultiIndex.from_arrays([rows["role"], rows["origin"], rows["year"]])
    rows["moved"] = rows["share"].to_numpy() * start.reindex(origin).to_numpy(dtype=float)
    expected_out = rows.groupby(["role", "origin", "year"])["moved"].sum()
    expected_in = rows.groupby(["role", "destination", "year"])["moved"].sum()
    names = ["role", "region", "year"]
    expected_out.index.names = expected_in.index.names = names
    outs = expected_out.reindex(idx).fillna(0.0).to_numpy(dtype=float)
    ins = expected_in.reindex(idx).fillna(0.0).to_numpy(dtype=float)
    for name, expected in (("moved_in", ins), ("moved_out", outs)):
        if name not in col:
            c.eq_at("movement", f"{name} (column missing from the flows table) of", idx, zeros, expected)
        else:
            c.eq_at("movement", f"{name} of", idx, col[name], expected)
    return (col.get("moved_in", zeros), col.get("moved_out", zeros))
