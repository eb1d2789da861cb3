"""Heads and FTE in the plan's re-check (models/cohort_planning.md, sections 9.3 and 23).

The flows table gives every flow of an FTE role in FTE (the stock's unit): completions, hires,
retraining starters and exits are the people times ``fte_per_head[k,t]``. The caps, costs and counts
of hires and exits are per person, so the re-check turns those columns back into people; the
completions and retraining it recomputes from the intake table (people) are turned into FTE.
Without ``fte_per_head`` every factor is 1 and the tables are used as they are.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from workforce.model.data import ModelData
from workforce.model.fte import head_fte


def fte_at(d: ModelData, index: pd.Index, role_level: str = "role") -> np.ndarray:
    """fte_per_head of each row's role and year (1 where not declared)."""
    if not d.fte_per_head:
        return np.ones(len(index))
    roles = index.get_level_values(role_level)
    years = index.get_level_values("year")
    return np.array([head_fte(d, k, t) for k, t in zip(roles, years, strict=True)], dtype=float)


def heads_flows(plan: Any, d: ModelData) -> pd.DataFrame:
    """The flows table with ``hires`` and ``exits`` in people (FTE / fte_per_head)."""
    f = plan.flows
    if not d.fte_per_head:
        return f
    factor = fte_at(d, f.index)
    out = f.copy()
    for column in ("hires", "exits"):
        out[column] = f[column].to_numpy(dtype=float) / factor
    return out


def retraining_fte(d: ModelData, intake: pd.Series) -> np.ndarray:
    """The intake table's starters in the FTE they take from their source role (people elsewhere)."""
    values = intake.to_numpy(dtype=float)
    if not d.fte_per_head:
        return values
    programmes = intake.index.get_level_values("programme")
    years = intake.index.get_level_values("year")
    factor = [head_fte(d, d.source_of[p], t) if d.source_of[p] != "external" else 1.0
              for p, t in zip(programmes, years, strict=True)]
    return values * np.array(factor, dtype=float)


def supervisors_counted(d: ModelData, p: str, staff: pd.Series) -> pd.Series:
    """The supervising role's stock (region, year) as ``p``'s supervision ratio counts it: people
    (stock / fte_per_head) with ``supervision_counts: heads``, else the stock itself."""
    if p not in d.SUPERVISION_HEADS:
        return staff
    k = d.supervisor_role[p]
    years = staff.index.get_level_values("year")
    return staff / np.array([head_fte(d, k, t) for t in years], dtype=float)
