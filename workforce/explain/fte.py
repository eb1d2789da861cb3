"""Heads and FTE in ``explain`` (models/cohort_planning.md, section 23).

For every role with an FTE per head other than 1, the plan's flows (in FTE) are shown beside the
people they are: completers, hires, retraining starters and exits are people × ``fte_per_head[k,t]``
FTE, and the stock at the end of the year is ``stock / fte_per_head[k,t]`` people.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pandas as pd

if TYPE_CHECKING:
    from workforce.explain.marginal import Explanation

COLUMNS = ("fte_per_head", "completions_fte", "completers", "hires_fte", "hires", "retraining_fte", "retraining",
           "exits_fte", "exits", "stock_end_fte", "stock_end_people")


def fte_table(plan: Any) -> pd.DataFrame:
    """[role, year]: FTE per head and each flow in FTE and in people, summed over regions (roles with
    an FTE per head other than 1 only; empty otherwise)."""
    d = plan.data
    roles = sorted({k for k, _ in d.fte_per_head}, key=d.ROLES.index)
    if not roles:
        return pd.DataFrame(columns=list(COLUMNS))
    flows = plan.flows
    flows = flows[flows.index.get_level_values("role").isin(roles)]
    total = flows[["completions", "hires", "retraining_out", "exits", "stock_end"]].groupby(
        level=["role", "year"], sort=False).sum()
    per_head = pd.Series([d.fte_per_head[key] for key in total.index], index=total.index)
    out = pd.DataFrame({"fte_per_head": per_head}, index=total.index)
    for column, name in (("completions", "completers"), ("hires", "hires"), ("retraining_out", "retraining"),
                         ("exits", "exits"), ("stock_end", "stock_end_people")):
        fte_name = "stock_end_fte" if column == "stock_end" else f"{name if name != 'completers' else 'completions'}_fte"
        out[fte_name] = total[column]
        out[name] = total[column] / per_head
    return out[list(COLUMNS)]


def fte_lines(e: Explanation) -> list[str]:
    """The text block: per role, the FTE per head and the horizon's flows in people and FTE."""
    table = e.fte
    if table.empty:
        return []
    lines = ["", "Heads and FTE (roles counted in FTE; each person adds or takes fte_per_head FTE):"]
    for role, rows in table.groupby(level="role", sort=False):
        name = e.names.get("roles", {}).get(role, role)
        per_head = rows["fte_per_head"]
        rate = f"{per_head.iloc[0]:g}" if per_head.nunique() == 1 else f"{per_head.min():g}-{per_head.max():g}"
        last = rows.iloc[-1]
        lines.append(f"  {name}: {rate} FTE per person; over the horizon {rows['completers'].sum():,.1f} completers "
                     f"({rows['completions_fte'].sum():,.1f} FTE), {rows['hires'].sum():,.1f} hires "
                     f"({rows['hires_fte'].sum():,.1f} FTE), {rows['retraining'].sum():,.1f} retraining starters "
                     f"({rows['retraining_fte'].sum():,.1f} FTE), {rows['exits'].sum():,.1f} exits "
                     f"({rows['exits_fte'].sum():,.1f} FTE); stock at the end {last['stock_end_fte']:,.1f} FTE "
                     f"= {last['stock_end_people']:,.1f} people. One FTE of shortfall needs "
                     f"{1 / per_head.iloc[-1]:,.2f} completers in the last year.")
    return lines
