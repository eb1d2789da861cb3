"""Moves between regions as decisions in ``explain`` (models/cohort_planning.md, section 24)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pandas as pd

if TYPE_CHECKING:
    from workforce.explain.marginal import Explanation


def moves_summary(plan: Any) -> pd.DataFrame:
    """[role, origin, destination]: people moved over the horizon, the most the caps allowed, and
    the cost (£k, cash); empty without routes."""
    table = plan.extra.get("moves")
    if table is None or table.empty:
        return pd.DataFrame(columns=["people", "max", "cost"])
    d = plan.data
    total = table[["people", "max"]].groupby(level=["role", "origin", "destination"], sort=False).sum()
    total["cost"] = [d.cost_move[k] * n for (k, _r, _q), n in total["people"].items()]
    return total


def moves_lines(e: Explanation) -> list[str]:
    """The text block: each route's people moved over the horizon, against its caps, and the cost."""
    if e.moves.empty:
        return []
    names = e.names
    lines = ["", "Moves between regions chosen by the plan (roles.<k>.moves; people over the horizon):"]
    for (k, r, q), row in e.moves.iterrows():
        role = names.get("roles", {}).get(k, k)
        origin, dest = names.get("regions", {}).get(r, r), names.get("regions", {}).get(q, q)
        lines.append(f"  {role}, {origin} -> {dest}: {row['people']:,.1f} of at most {row['max']:,.1f}, "
                     f"costing {row['cost']:,.1f} £k")
    return lines
