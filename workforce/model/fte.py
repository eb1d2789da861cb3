"""Heads and FTE (issue 16, section 5; models/cohort_planning.md, section 23).

A role measured in FTE (``unit: FTE``) with ``fte_per_head`` gives ``fte_per_head[k,t]``: the FTE
one person adds to the stock when they join in year t (a completer or a hire) and takes from it when
they leave by a decision in year t (a retraining starter or an exit). The decisions stay in people
(intake, hires, exits), so their caps, costs and counts are per head; the stock, leavers, movement,
demand and shortfall stay in the role's unit (FTE):

    entrants[k,r,t]   = fte_per_head[k,t] · (Σ_{p into k} completions[p,r,t] + hires[k,r,t])
    retraining[k,r,t] = fte_per_head[k,t] · Σ_{p from k} intake[p,r,t]
    out[k,r,t]        = retraining[k,r,t] + fte_per_head[k,t] · exits[k,r,t]

A supervision ratio with ``supervision_counts: heads`` counts its supervising role's stock in people,
stock / fte_per_head[k,t] (t the year of the row). Only roles with a value other than 1 in some year
are kept, so a scenario without ``fte_per_head`` (or with 1 everywhere) builds today's LP exactly.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from workforce.model.data import Key, ModelData
    from workforce.scenario.schema import Scenario


def prepare_fte(scenario: Scenario) -> dict[str, Any]:
    """The ModelData fields ``fte_per_head`` ((role, year) → FTE per person, only roles with a value
    other than 1) and ``SUPERVISION_HEADS`` (programmes whose supervision counts heads of such a role)."""
    from workforce.scenario.fte import fte_values

    per_head: dict[Key, float] = {}
    for k, role in scenario.roles.items():
        if role.fte_per_head is None:
            continue
        values, problems = fte_values(scenario, k)
        assert not problems, problems  # checked when the scenario was built
        if any(v != 1 for v in values.values()):
            per_head.update({(k, t): v for t, v in values.items()})
    declared = {k for k, _ in per_head}
    heads = [p for p, g in scenario.programmes.items()
             if g.supervision_ratio and g.supervision_counts == "heads" and (g.supervisor_role or g.role) in declared]
    return {"fte_per_head": per_head, "SUPERVISION_HEADS": heads}


def head_fte(d: ModelData, k: str, t: int) -> float:
    """FTE per person of role k in year t (1 for a role counted in people or without the setting)."""
    return d.fte_per_head.get((k, t), 1.0)


def fte_roles(d: ModelData) -> list[str]:
    """Roles with an FTE per head other than 1 in some year, in ROLES order."""
    declared = {k for k, _ in d.fte_per_head}
    return [k for k in d.ROLES if k in declared]


def in_fte(d: ModelData, k: str, t: int, heads: Any) -> Any:
    """``fte_per_head[k,t] × heads`` for a Pyomo expression or number (``heads`` itself at 1)."""
    h = head_fte(d, k, t)
    if h == 1:
        return heads
    from workforce.model.expressions import _linear, _scaled

    return _linear(_scaled(heads, h))


def fte_row(d: ModelData, k: str) -> np.ndarray:
    """(1, T) array: fte_per_head[k, t] over the years (broadcasts over a (region, year) grid)."""
    return np.array([[head_fte(d, k, t) for t in d.YEARS]])


def supervisor_factor(d: ModelData, p: str, t: int) -> float:
    """What one unit of the supervising role's stock counts for in p's supervision row of year t:
    1 / fte_per_head when the ratio counts heads, else 1."""
    return 1.0 / head_fte(d, d.supervisor_role[p], t) if p in d.SUPERVISION_HEADS else 1.0


def heads_view(d: ModelData, values: np.ndarray, roles: Any, years: Any) -> np.ndarray:
    """People from values in the role's unit, row by row (values / fte_per_head[role, year])."""
    if not d.fte_per_head:
        return values
    factor = np.array([head_fte(d, k, t) for k, t in zip(roles, years, strict=True)], dtype=float)
    return values / factor


def per_head_text(d: ModelData, k: str) -> str:
    """', 0.8 FTE per person' (or ', 0.7-0.9 FTE per person' when it varies by year) for a role with
    an FTE per head other than 1; '' otherwise."""
    values = [v for (kk, _t), v in d.fte_per_head.items() if kk == k]
    if not values:
        return ""
    low, high = min(values), max(values)
    return f", {low:g} FTE per person" if low == high else f", {low:g}-{high:g} FTE per person"
