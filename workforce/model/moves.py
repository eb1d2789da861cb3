"""Bounded, costed moves between regions (issue 16, section 5; models/cohort_planning.md, section 24).

``roles.<k>.moves`` lists routes (k, r, q) with a cap ``move_max[k,r,q,t]`` on the people moved a
year, a cost ``cost_move[k]`` per person and a paying stream ``stream_move[k]``. The decision
``move[k,r,q,t] ≥ 0`` takes qualified staff out of r and into q in year t:

    moves_in[k,r,t]  = Σ_{q: (k,q,r) a route} move[k,q,r,t]
    moves_out[k,r,t] = Σ_{q: (k,r,q) a route} move[k,r,q,t]
    stock_balance   += fte_per_head[k,t] · (moves_in − moves_out)
    outflow_limit:    out + fte_per_head[k,t] · moves_out ≤ stock_prev − leavers − moved_out
    move_limit:       move[k,r,q,t] ≤ move_max[k,r,q,t]
    hiring_cost      += cost_move[k] · Σ move        (spend of stream_move[k])

Movers join the destination's established stock (they are not entrants).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:  # Pyomo loads only when a Pyomo model is built
    import pyomo.environ as pyo

    from workforce.model.array_expressions import Expressions
    from workforce.model.array_grids import Columns, Lin
    from workforce.model.data import Key, ModelData
    from workforce.scenario.schema import Scenario


def prepare_moves(scenario: Scenario) -> dict[str, Any]:
    """The ModelData fields ``MOVE_ROUTES``, ``move_max``, ``cost_move`` and ``stream_move``."""
    from workforce.scenario.moves import move_caps

    routes: list[tuple[str, str, str]] = []
    caps: dict[Key, float] = {}
    cost: dict[str, float] = {}
    stream: dict[str, str | None] = {}
    for k, role in scenario.roles.items():
        if role.moves is None:
            continue
        values, problems = move_caps(scenario, k)
        assert not problems, problems  # checked when the scenario was built
        for r, q, _t in values:
            if (k, r, q) not in routes:
                routes.append((k, r, q))
        caps.update({(k, *key): v for key, v in values.items()})
        cost[k], stream[k] = role.moves.cost, role.moves.stream
    return {"MOVE_ROUTES": routes, "move_max": caps, "cost_move": cost, "stream_move": stream}


def move_roles(d: ModelData) -> list[str]:
    """Roles with at least one route, in ROLES order."""
    moving = {k for k, _, _ in d.MOVE_ROUTES}
    return [k for k in d.ROLES if k in moving]


def add_move_variables(m: pyo.ConcreteModel, d: ModelData) -> None:
    """MOVE_ROUTES and move[(k, r, q), t] ≥ 0 (people moved on a route in a year)."""
    import pyomo.environ as pyo

    m.MOVE_ROUTES = pyo.Set(initialize=d.MOVE_ROUTES, dimen=3, ordered=True)
    m.move = pyo.Var(m.MOVE_ROUTES, m.YEARS, domain=pyo.NonNegativeReals)


def add_move_limit(m: pyo.ConcreteModel, d: ModelData) -> None:
    """move ≤ move_max, every route and year."""
    import pyomo.environ as pyo

    m.move_limit = pyo.Constraint(list(d.move_max), rule=lambda m, k, r, q, t: m.move[k, r, q, t] <= d.move_max[k, r, q, t])


def moves_in(m: pyo.ConcreteModel, d: ModelData, k: str, r: str, t: int) -> Any:
    """People moved into r in year t (Σ over routes into r)."""
    return sum(m.move[k, q, r, t] for kk, q, rr in d.MOVE_ROUTES if kk == k and rr == r)


def moves_out(m: pyo.ConcreteModel, d: ModelData, k: str, r: str, t: int) -> Any:
    """People moved out of r in year t (Σ over routes out of r)."""
    return sum(m.move[k, r, q, t] for kk, rr, q in d.MOVE_ROUTES if kk == k and rr == r)


def net_moves(m: pyo.ConcreteModel, d: ModelData, k: str, r: str, t: int) -> Any:
    """fte_per_head[k,t] · (moves_in − moves_out): what moves add to the stock of (k, r, t)."""
    from workforce.model.fte import head_fte

    return head_fte(d, k, t) * (moves_in(m, d, k, r, t) - moves_out(m, d, k, r, t))


def move_spend(m: pyo.ConcreteModel, d: ModelData, f: str, t: int) -> Any:
    """What stream f pays for moves in year t."""
    return sum(d.cost_move[k] * m.move[k, r, q, t] for k, r, q in d.MOVE_ROUTES
               if d.stream_move[k] == f and d.cost_move[k])


def move_cost(m: pyo.ConcreteModel, d: ModelData) -> Any:
    """Σ cost_move × move, each year at its discount factor (added to hiring_cost)."""
    from workforce.model.discount import weigh

    return sum(weigh(d, t, d.cost_move[k] * m.move[k, r, q, t]) for k, r, q in d.MOVE_ROUTES for t in d.YEARS
               if d.cost_move[k])


# ---------------------------------------------------------------------------------------------
# The array construction


def move_arrays(d: ModelData, cols: Columns, k: str) -> tuple[Lin, Lin]:
    """(moves_in, moves_out) of role k as (R, T) grids (people)."""
    from workforce.model.array_grids import Lin

    R, T = len(d.REGIONS), len(d.YEARS)
    block = cols["move"]
    into, out = Lin((R, T)), Lin((R, T))
    for i, (kk, r, q) in enumerate(d.MOVE_ROUTES):
        if kk != k:
            continue
        for region, side in ((q, "in"), (r, "out")):
            coef, col = np.zeros((R, T)), np.full((R, T), -1, dtype=np.int64)
            row = d.REGIONS.index(region)
            coef[row], col[row] = 1.0, block[i]
            if side == "in":
                into = into + Lin((R, T), [(coef, col)])
            else:
                out = out + Lin((R, T), [(coef, col)])
    return into, out


def move_spend_arrays(d: ModelData, cols: Columns, f: str) -> Lin:
    """(T,): what stream f pays for moves each year."""
    from workforce.model.array_grids import Lin

    total = Lin((len(d.YEARS),))
    for i, (k, _r, _q) in enumerate(d.MOVE_ROUTES):
        if d.stream_move[k] == f and d.cost_move[k]:
            total = total + Lin.var(cols["move"][i]) * d.cost_move[k]
    return total


def move_cost_arrays(d: ModelData, cols: Columns) -> list[Lin]:
    """(1, T) grids whose sum is the moves' part of hiring_cost (before discounting)."""
    from workforce.model.array_grids import Lin

    return [Lin.var(cols["move"][i].reshape(1, -1)) * d.cost_move[k]
            for i, (k, _r, _q) in enumerate(d.MOVE_ROUTES) if d.cost_move[k]]



def stock_moves(d: ModelData, ex: Expressions, k: str) -> Lin:
    """fte_per_head · (moves_in − moves_out) of role k as an (R, T) grid."""
    from workforce.model.fte import fte_row

    into, out = move_arrays(d, ex.cols, k)
    return (into - out) * fte_row(d, k)


def out_moves(d: ModelData, ex: Expressions, k: str) -> Lin:
    """fte_per_head · moves_out of role k as an (R, T) grid (the movers in outflow_limit)."""
    from workforce.model.fte import fte_row

    return move_arrays(d, ex.cols, k)[1] * fte_row(d, k)


def origins(d: ModelData, k: str) -> list[str]:
    """Regions role k moves staff out of, in REGIONS order."""
    out = {r for kk, r, _q in d.MOVE_ROUTES if kk == k}
    return [r for r in d.REGIONS if r in out]


def move_origin_rows(d: ModelData, outflow_roles: list[str]) -> list[tuple[str, str, int]]:
    """outflow_limit rows of roles that move staff but neither retrain nor exit them: origin regions only
    (elsewhere nothing leaves by a decision, and the row would have no variable)."""
    return [(k, r, t) for k in move_roles(d) if k not in outflow_roles for r in origins(d, k) for t in d.YEARS]


def origin_outflow(d: ModelData, ex: Expressions, outflow_roles: list[str], moved: dict[str, Any]
                   ) -> tuple[list[tuple[str, str, int]], list[Lin]]:
    """The rows of :func:`move_origin_rows` in the array construction: keys and (origins, T) grids of
    fte_per_head · moves_out − (stock_prev − leavers − moved_out)."""
    from workforce.model.array_grids import Lin

    keys: list[tuple[str, str, int]] = []
    parts: list[Lin] = []
    for k in move_roles(d):
        if k in outflow_roles:
            continue
        rows = [d.REGIONS.index(r) for r in origins(d, k)]
        grid = out_moves(d, ex, k) - (ex.stock_prev(k) - ex.leavers(k)) + (moved[k][1] if k in moved else 0.0)
        parts.append(Lin((len(rows), len(d.YEARS)), [(c[rows], col[rows]) for c, col in grid.terms], grid.const[rows]))
        keys += [(k, d.REGIONS[i], t) for i in rows for t in d.YEARS]
    return keys, parts
