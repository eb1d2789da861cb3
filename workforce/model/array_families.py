"""Constraint families and objective terms of the array construction, named as in ``build_model``."""

from __future__ import annotations

import itertools
import math
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

import numpy as np

from workforce.model.array_expressions import Expressions
from workforce.model.array_grids import INF, Columns, Lin
from workforce.model.calendar import intakes_of
from workforce.model.capacity_years import places_families, trainee_arrays
from workforce.model.count_terms import add_count_arrays
from workforce.model.data import ModelData
from workforce.model.horizon import post_keys, post_weight
from workforce.model.movement import movement_arrays, movement_roles
from workforce.model.moves import move_cost_arrays, move_roles, origin_outflow, out_moves, stock_moves
from workforce.model.requirement import requirement_bounds
from workforce.model.supervision import supervisor_arrays
from workforce.scenario.horizon_extend import envelope_years
from workforce.scenario.schema import TERMS

# ---------------------------------------------------------------------------------------------
# Constraint families (the add_<constraint> functions of workforce.model.build)


@dataclass
class Family:
    name: str
    keys: list[Any]
    parts: list[Lin]
    """Grids whose points, in order (each in C order), are the family's rows, one per key."""
    lower: np.ndarray
    upper: np.ndarray

    @property
    def const(self) -> np.ndarray:
        return np.concatenate([p.const.ravel() for p in self.parts]) if self.parts else np.zeros(0)

    def coo(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(row, column, value) of the family's nonzero entries, rows numbered from 0."""
        rows, cols, vals = [], [], []
        offset = 0
        for part in self.parts:
            r, c, v = part.coo()
            rows.append(r + offset)
            cols.append(c)
            vals.append(v)
            offset += math.prod(part.shape)
        assert offset == len(self.keys), self.name
        if not rows:
            return np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0)
        return np.concatenate(rows), np.concatenate(cols), np.concatenate(vals)

def _stack(name: str, keys: list[Any], parts: list[Lin], lower: Any, upper: Any) -> Family:
    """One family from per-role (or per-programme) grids stacked in order."""
    n = len(keys)
    return Family(name, keys, parts, np.broadcast_to(np.asarray(lower, float), (n,)).copy(),
                  np.broadcast_to(np.asarray(upper, float), (n,)).copy())

def _single(name: str, cols: Columns, var: str, table: dict[Any, float], sense: str, keys: list[Any] | None = None) -> Family:
    """var[key] ≤ table[key] (or ≥) for every key of ``table``."""
    keys = list(table) if keys is None else keys
    col = cols.lookup(var, keys)
    value = np.array([table[key] for key in keys], dtype=float)
    body = Lin((len(keys),), [(np.ones(len(keys)), col)])
    return Family(name, keys, [body], value if sense == ">=" else np.full(len(keys), -INF),
                  value if sense == "<=" else np.full(len(keys), INF))

def families(d: ModelData, cols: Columns, ex: Expressions, only: Collection[str] | None = None) -> list[Family]:
    """Every constraint family of build_model, in its order; with ``only``, the funding families not
    in it are left empty (a warm model regenerating some rows, workforce.solver.warm_regen)."""
    K, R, T = d.ROLES, d.REGIONS, d.YEARS
    out: list[Family] = []

    def grid_keys(first: list[Any]) -> list[tuple[Any, ...]]:
        return list(itertools.product(first, R, T))  # first: roles or programmes (plain names)

    # stock_balance: stock = stock_prev − leavers + entrants − retraining − exits
    parts = [ex.var("stock", i) - (ex.stock_prev(k) - ex.leavers(k) + ex.entrants(k) - ex.outflow(k))
             for i, k in enumerate(K)]
    moves = {k: movement_arrays(d, ex, k) for k in movement_roles(d)}  # section 21.4: + moved_in − moved_out
    parts = [part - moves[k][0] + moves[k][1] if k in moves else part for part, k in zip(parts, K, strict=True)]
    routes = set(move_roles(d))  # section 24: moves between regions as decisions
    parts = [part - stock_moves(d, ex, k) if k in routes else part for part, k in zip(parts, K, strict=True)]
    out.append(_stack("stock_balance", grid_keys(K), parts, 0.0, 0.0))
    # outflow_limit: retraining + exits ≤ stock_prev − leavers − moved_out
    roles = [k for k in K if k in cols.exit_roles or k in d.source_of.values()]
    parts = [ex.outflow(k) - (ex.stock_prev(k) - ex.leavers(k)) + (moves[k][1] if k in moves else 0.0)
             for k in roles]
    parts = [part + out_moves(d, ex, k) if k in routes else part for part, k in zip(parts, roles, strict=True)]
    out.append(_stack("outflow_limit", grid_keys(roles), parts, -INF, 0.0))
    keys, parts = origin_outflow(d, ex, roles, moves)  # section 24: roles that only move, origin regions
    out.append(_stack("outflow_limit", keys, parts, -INF, 0.0))
    from workforce.model import array_policy, array_tenure  # sections 12-14, kept out of this module

    out.append(array_tenure.tenure_established(d, ex, _stack))
    # demand_balance: stock + flexible supply + shortfall − surplus = demand
    parts, demand = [], []
    for i, k in enumerate(K):
        body = ex.var("stock", i) + ex.var("shortfall", i) - ex.var("surplus", i)
        for j, (kk, o) in enumerate(d.FLEX):
            if kk == k:
                body = body + ex.var("flex", j) * d.fte_per_unit[kk, o]
        parts.append(body)
        demand.extend(d.demand[k, r, t] for r in R for t in T)
    out.append(_stack("demand_balance", grid_keys(K), parts, np.array(demand), np.array(demand)))
    out.append(_single("surplus_limit", cols, "surplus", d.surplus_max, "<="))
    out.append(_single("requirement_limit", cols, "shortfall", requirement_bounds(d), "<="))
    # surplus_group_limit: Σ_{k in group} surplus ≤ cap
    keys, parts, caps = [], [], []
    for g, (group, cap) in d.surplus_groups.items():
        body = Lin((len(R), len(T)))
        for k in group:
            body = body + ex.var("surplus", K.index(k))
        parts.append(body)
        keys += [(g, r, t) for r in R for t in T]
        caps += [cap[r, t] for r in R for t in T]
    out.append(_stack("surplus_group_limit", keys, parts, -INF, np.array(caps)))
    out.append(_single("hires_limit", cols, "hires", d.hires_max, "<="))
    out.append(_single("exits_limit", cols, "exits", d.exits_max, "<="))
    out.append(_single("move_limit", cols, "move", d.move_max, "<="))
    out.append(_single("flex_limit", cols, "flex", d.flex_max, "<="))
    if d.capacity_weights:  # places counted across course years (capacity_years.py)
        out.extend(places_families(d, ex, _stack))
    else:
        out.append(_single("places_limit", cols, "intake", d.places_max, "<="))
        # national_places_limit: Σ_r intake ≤ national_places_max
        keys = list(d.national_places_max)
        col = cols.lookup("intake", [(p, r, t) for p, t in keys for r in R]).reshape(len(keys), len(R))
        out.append(Family("national_places_limit", keys, [Lin((len(keys),), [(np.ones(col.shape), col)])],
                          np.full(len(keys), -INF), np.array([d.national_places_max[k] for k in keys])))
    # supervision_limit: intake ≤ supervision_ratio × stock_prev of the supervising role
    sup = list(d.supervision_ratio)
    parts = [trainee_arrays(d, ex, "supervision", p) - supervisor_arrays(d, ex, p) * d.supervision_ratio[p]
             for p in sup]
    out.append(_stack("supervision_limit", grid_keys(sup), parts, -INF, 0.0))
    out.append(_single("intake_minimum", cols, "intake", d.intake_min, ">=",
                       [key for key, v in d.intake_min.items() if v > 0]))
    out.append(_single("intake_maximum", cols, "intake", d.intake_max, "<="))
    # budget_limit and envelope_limit: spend ≤ budget; Σ_t spend ≤ envelope
    spend = {f: ex.spend(f) for f in d.STREAMS if _wanted(only, "budget_limit", "envelope_limit")}
    keys = [key for key in d.budget if key[0] not in d.FY_STREAMS and key[0] in spend]
    parts = [_pick(spend[f], [T.index(t)]) for f, t in keys]
    out.append(_money("budget_limit", d, keys, parts, [d.budget[key] for key in keys]))
    keys = [f for f in d.envelope if f in spend]
    covered = [T.index(t) for t in envelope_years(T)]  # the reported years (section 10.4)
    parts = [_pick(spend[f], covered).total(axis=0) for f in keys]
    out.append(_money("envelope_limit", d, [(f,) for f in keys], parts, [d.envelope[f] for f in keys], flat_keys=keys))
    # whole cohorts (section 12): cohort_size_minimum, cohort_size_maximum, cohort_open_minimum, cohort_open_limit
    out.extend(cohort_families(d, cols, ex, grid_keys))
    out.extend(array_policy.policy_families(d, cols, ex, _stack))
    out.extend(array_tenure.deadline_families(d, cols, ex, _stack))
    # intake_split: Σ_j intake_term = intake, for calendar programmes
    calendar = list(d.duration_months)
    parts = []
    for p in calendar:
        body = -ex.var("intake", d.PROGRAMMES.index(p))
        for j in intakes_of(d, p):
            body = body + ex.var("intake_term", cols.sets["intake_term"][0].index((p, j)))
        parts.append(body)
    out.append(_stack("intake_split", grid_keys(calendar), parts, 0.0, 0.0))
    # fy_budget_limit: fy_spend ≤ budget, for streams budgeted on financial years
    fy = {f: ex.fy_spend(f) for f in d.FY_STREAMS if _wanted(only, "fy_budget_limit")}
    keys = [key for key in d.budget if key[0] in fy]
    parts = [_pick(fy[f], [T.index(t)]) for f, t in keys]
    out.append(_money("fy_budget_limit", d, keys, parts, [d.budget[key] for key in keys]))
    from workforce.model.horizon_arrays import post_demand_balance  # section 10.1, kept out of this module

    out.append(post_demand_balance(d, cols))
    from workforce.model.tiebreak_arrays import intake_change_rows  # section 8.5

    out.extend(intake_change_rows(d, cols))
    return out

def _wanted(only: Collection[str] | None, *names: str) -> bool:
    return only is None or any(name in only for name in names)

def cohort_families(d: ModelData, cols: Columns, ex: Expressions, grid_keys: Any) -> list[Family]:
    """intake ≥ cohort_min_size × cohorts; intake ≤ cohort_max_size × cohorts; intake ≥
    cohort_region_min × cohort_open; intake ≤ intake_upper × cohort_open."""
    P = d.COHORT_PROGRAMMES
    opened = cols.sets["cohort_open"][0]

    def intake(p: str) -> Lin:
        return ex.var("intake", d.PROGRAMMES.index(p))

    def cohorts(p: str) -> Lin:
        return ex.var("cohorts", P.index(p))

    def cohort_open(p: str) -> Lin:
        return ex.var("cohort_open", opened.index(p))

    with_min = [p for p in P if d.cohort_min_size[p] > 0]
    upper = {p: region_year(d, d.intake_upper, p) for p in opened}
    return [
        _stack("cohort_size_minimum", grid_keys(with_min),
               [intake(p) - cohorts(p) * d.cohort_min_size[p] for p in with_min], 0.0, INF),
        _stack("cohort_size_maximum", grid_keys(P), [intake(p) - cohorts(p) * d.cohort_max_size[p] for p in P], -INF, 0.0),
        _stack("cohort_open_minimum", grid_keys(opened),
               [intake(p) - cohort_open(p) * d.cohort_region_min[p] for p in opened], 0.0, INF),
        _stack("cohort_open_limit", grid_keys(opened), [intake(p) - cohort_open(p) * upper[p] for p in opened], -INF, 0.0),
    ]

def region_year(d: ModelData, table: dict[Any, float], first: Any) -> np.ndarray:
    """(R, T): ``table[first, r, t]`` over regions and years."""
    return np.array([[table[first, r, t] for t in d.YEARS] for r in d.REGIONS])

def _pick(lin: Lin, idx: list[int]) -> Lin:
    """Grid points ``idx`` of a one-axis grid."""
    return Lin((len(idx),), [(c[idx], k[idx]) for c, k in lin.terms], lin.const[idx])

def _money(name: str, d: ModelData, keys: list[Any], parts: list[Lin], bounds: list[float],
           flat_keys: list[Any] | None = None) -> Family:
    """spend ≤ bound; a row with no decision in it is checked now (build.py's _money_limit)."""
    kept_keys, kept_parts, kept_bounds = [], [], []
    for key, part, bound, shown in zip(keys, parts, bounds, flat_keys or keys, strict=True):
        if not part.structural().any():
            from workforce.model.build import _money_limit  # (Pyomo: only for such a row)

            _money_limit(float(part.const.sum()), bound, name, key, d)  # raises when the commitment does not fit
            continue
        kept_keys.append(shown)
        kept_parts.append(part)
        kept_bounds.append(bound)
    return _stack(name, kept_keys, kept_parts, -INF, np.array(kept_bounds, dtype=float))

def objective_terms(d: ModelData, cols: Columns, ex: Expressions, cash: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """(term_costs, term_offsets) of the objective's named terms (expressions.terms): the money of
    year t at the discount factor disc[t] (section 8.7), or in cash with ``cash``."""
    from workforce.model.discount import at_end, enabled, factors

    costs = np.zeros((len(TERMS), cols.n))
    offsets = np.zeros(len(TERMS))
    row = {term: j for j, term in enumerate(TERMS)}
    K = d.ROLES
    disc = factors(d).reshape(1, -1) if enabled(d) and not cash else None

    def add(term: str, lin: Lin, by_year: bool = True) -> None:
        """Add ``lin`` to a term; a (region, year) grid at each year's discount factor."""
        if disc is not None and by_year:
            lin = lin * disc
        for coef, col in lin.terms:
            keep = col >= 0
            np.add.at(costs[row[term]], col[keep], coef[keep])
        offsets[row[term]] += float(lin.const.sum())

    for (p, y, _f), cost in d.cost_course.items():
        if p not in d.duration_months:
            add("training_cost", ex.starters(p, y - 1) * cost)
    for f in d.STREAMS:
        for p in d.duration_months:
            add("training_cost", ex.course_in(p, f, financial=False))
        for p in d.COHORT_PROGRAMMES:
            add("training_cost", ex.cohort_cost(p, f))
    cash_end = at_end(d) if cash else 1.0  # post-horizon terms already carry disc[T] (section 8.7)
    # One column each (so one addition per column, as term by term): all at once, per variable.
    weights = [post_weight(d, k, v) / cash_end for k, _r, v in post_keys(d)]
    if weights:
        add("shortfall", Lin((len(weights),), [(np.array(weights, dtype=float), cols["post_shortfall"][:len(weights)])]),
            by_year=False)
    from workforce.model.completer_value import credits  # section 10.3

    by_var: dict[str, tuple[list[tuple], list[float]]] = {}
    for (var, key), c in credits(d).items():
        block_key = (key[0], key[3], key[1], key[2]) if var == "intake_term" else key  # block (p, j, r, t)
        by_var.setdefault(var, ([], []))[0].append(block_key)
        by_var[var][1].append(-c / cash_end)
    for var, (keys, values) in by_var.items():
        add("shortfall", Lin((len(keys),), [(np.array(values, dtype=float), cols.lookup(var, keys))]), by_year=False)
    for i, k in enumerate(K):
        add("shortfall", ex.var("shortfall", i) * d.penalty_shortfall[k])
        add("surplus_cost", ex.var("surplus", i) * d.cost_surplus[k])
    from workforce.model.array_tenure import breach_penalty  # section 14, kept out of this module

    for lin in breach_penalty(d, cols):
        add("shortfall", lin)
    for i, k in enumerate(cols.hiring_roles):
        add("hiring_cost", ex.var("hires", i) * d.cost_hire[k])
    for lin in move_cost_arrays(d, cols):  # section 24: paid moves count with hiring
        add("hiring_cost", lin)
    for i, k in enumerate(cols.exit_roles):
        add("exit_cost", ex.var("exits", i) * d.cost_exit[k])
    for i, (k, o) in enumerate(d.FLEX):
        add("flexible_cost", ex.var("flex", i) * d.cost_flex[k, o])
    add_count_arrays(d, cols, ex, lambda term, lin: add(term, lin, by_year=False))  # people: never discounted
    return costs, offsets
