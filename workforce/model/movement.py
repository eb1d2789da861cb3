"""Staff moving between regions (issue 16, section 5; models/cohort_planning.md, section 21.4).

``roles.<k>.movement`` gives ``movement_share[k,r,q,t]``: the share of role k's stock in region r
at the start of year t (``stock_prev``) that moves to region q during year t. The movers leave r
and join q in the same year:

    moved_out[k,r,t] = Σ_q movement_share[k,r,q,t] · stock_prev[k,r,t]
    moved_in[k,r,t]  = Σ_q movement_share[k,q,r,t] · stock_prev[k,q,t]

``stock_balance`` gains ``+ moved_in − moved_out`` and ``outflow_limit`` takes ``moved_out`` off the
staff who stayed (movers cannot also retrain or be released in their old region). Movers join the
destination's established stock (they are not new entrants). Only non-zero shares are kept, so an
all-zero matrix builds the same LP as no matrix.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    import pyomo.environ as pyo

    from workforce.model.array_expressions import Expressions
    from workforce.model.array_grids import Lin
    from workforce.model.data import Key, ModelData
    from workforce.scenario.schema import Scenario


def prepare_movement(scenario: Scenario) -> dict[str, Any]:
    """The ModelData field ``movement_share``: (role, origin, destination, year) → share, non-zero only."""
    from workforce.scenario.movement import movement_shares

    share: dict[Key, float] = {}
    for k, role in scenario.roles.items():
        if role.movement is not None:
            values, problems = movement_shares(scenario, k)
            assert not problems, problems  # checked when the scenario was built
            share.update({(k, *key): v for key, v in values.items()})
    return {"movement_share": share}


def movement_roles(d: ModelData) -> list[str]:
    """Roles with at least one non-zero movement share, in ROLES order."""
    moving = {key[0] for key in d.movement_share}
    return [k for k in d.ROLES if k in moving]


def _lookups(d: ModelData) -> tuple[dict[Key, float], dict[Key, list[tuple[str, float]]]]:
    """(k, r, t) → total share out of r; (k, r, t) → [(origin q, share q → r)], built once per data."""
    cached = d.__dict__.get("_movement_lookups")
    if cached is None:
        out: dict[Key, float] = {}
        into: dict[Key, list[tuple[str, float]]] = {}
        for (k, r, q, t), v in d.movement_share.items():
            out[k, r, t] = out.get((k, r, t), 0.0) + v
            into.setdefault((k, q, t), []).append((r, v))
        cached = d.__dict__["_movement_lookups"] = (out, into)
    return cached


def moved_out(m: pyo.ConcreteModel, d: ModelData, k: str, r: str, t: int) -> Any:
    """Σ_q movement_share[k,r,q,t] · stock_prev[k,r,t]."""
    from workforce.model.expressions import stock_prev

    share = _lookups(d)[0].get((k, r, t), 0.0)
    return share * stock_prev(m, d, k, r, t) if share else 0.0


def moved_in(m: pyo.ConcreteModel, d: ModelData, k: str, r: str, t: int) -> Any:
    """Σ_q movement_share[k,q,r,t] · stock_prev[k,q,t]."""
    from workforce.model.expressions import stock_prev

    return sum(v * stock_prev(m, d, k, q, t) for q, v in _lookups(d)[1].get((k, r, t), []))


def share_grid(d: ModelData, k: str) -> np.ndarray:
    """(R, R, T) array: movement_share[k, origin, destination, year] (zeros where not given)."""
    R, T = d.REGIONS, d.YEARS
    grid = np.zeros((len(R), len(R), len(T)))
    for (kk, r, q, t), v in d.movement_share.items():
        if kk == k:
            grid[R.index(r), R.index(q), T.index(t)] = v
    return grid


def movement_values(d: ModelData, k: str, stock_start: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(moved_in, moved_out), each (R, T), for the (R, T) start-of-year stock of role k."""
    grid = share_grid(d, k)
    return np.einsum("qrt,qt->rt", grid, stock_start), grid.sum(axis=1) * stock_start


def movement_arrays(d: ModelData, ex: Expressions, k: str) -> tuple[Lin, Lin]:
    """(moved_in, moved_out) as (R, T) grids of the array construction."""
    from workforce.model.array_grids import Lin

    grid = share_grid(d, k)
    prev = ex.stock_prev(k)
    shape = prev.shape
    moved_in = Lin(shape)
    for i in np.flatnonzero(grid.any(axis=(1, 2))):  # origins that send anyone
        terms = [(np.broadcast_to(coef[i], shape).copy(), np.broadcast_to(col[i], shape).copy())
                 for coef, col in prev.terms]
        row = Lin(shape, terms, np.broadcast_to(prev.const[i], shape).copy())
        moved_in = moved_in + row * grid[i]
    return moved_in, prev * grid.sum(axis=1)
