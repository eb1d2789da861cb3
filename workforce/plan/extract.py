"""Array-based extraction: the solution vector → the plan's tables, without walking Pyomo expressions.

The plan's tables (see :mod:`workforce.plan.results`) are linear functions of the solution. Evaluating
them element by element through Pyomo (``pyo.value`` on ``leavers``, ``starters``, ``spend`` ...)
costs a tree walk per cell and dominated the end-to-end time at local-authority scale. Here each
variable component is read once from the solution vector ``x`` into a dense numpy array shaped by
its index sets, and every derived quantity is computed from those arrays with the same formulas as
:mod:`workforce.model.expressions` (names as in models/cohort_planning.md).

Rounding follows the element-wise evaluation exactly: a variable value within 1e-9 of zero reads as
zero (``_v`` in :mod:`workforce.plan.results`), and so does each derived quantity the tables report.
``tests/test_extract.py`` checks every table against the element-wise evaluation.
"""

from __future__ import annotations

import itertools
import math
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from workforce.model.arrays import as_loaded
from workforce.model.calendar import FY_START
from workforce.model.capacity_years import room_for_starters
from workforce.model.data import ModelData
from workforce.model.fte import fte_row

if TYPE_CHECKING:  # Pyomo loads only with a Pyomo model (tables from the arrays never need it)
    import pyomo.environ as pyo

    from workforce.model.compiled import Compiled

ROLE_UNIT = "people or FTE (the role's unit)"


def _zero_small(a: np.ndarray) -> np.ndarray:
    return np.where(np.abs(a) < 1e-9, 0.0, a)


def var_array(var: pyo.Var, sets: list[list[Any]], compiled: Compiled, x: np.ndarray) -> np.ndarray:
    """Values of an indexed variable as an array of shape ``[len(s) for s in sets]``.

    A variable that is in no row and no objective term has no column; it takes its lower bound
    (0 for a non-negative variable), as when values are loaded into the model.
    """
    shape = tuple(len(s) for s in sets)
    n = math.prod(shape)
    if n == 0:
        return np.zeros(shape)
    # Index tuples as Pyomo flattens them: (("ep", "agency"), "A", 2026) becomes ("ep", "agency", "A", 2026).
    flat = [s if isinstance(s[0], tuple) else [(e,) for e in s] for s in sets]
    keys = [sum(key, ()) for key in itertools.product(*flat)] if len(sets) > 1 else [k[0] for k in flat[0]]
    # Var.values() follows the index set's order; take it when it is the product order, else look up.
    datas = list(var.values()) if len(var) == n and list(var.keys()) == keys else [var[k] for k in keys]
    position = compiled.col_position
    cols = np.fromiter((position.get(id(v), -1) for v in datas), dtype=np.int64, count=n)
    values = x[np.maximum(cols, 0)] if len(x) else np.zeros(n)
    missing = np.flatnonzero(cols < 0)
    if missing.size:
        values = values.copy()
        values[missing] = [datas[i].lb or 0.0 for i in missing]
    values = as_loaded(values)  # the same clean-up as loading values into the model
    return values.reshape(shape)


class Solution:
    """Dense arrays of the solved variables and the derived expressions the tables need."""

    def __init__(self, d: ModelData, m: pyo.ConcreteModel | None, compiled: Any, x: np.ndarray):
        self.d = d
        P, K, R, T = d.PROGRAMMES, d.ROLES, d.REGIONS, d.YEARS
        self.stock_initial = np.array([[d.stock_initial[k, r] for r in R] for k in K]).reshape(len(K), len(R))
        self.ex = None
        if m is None:  # generated as arrays: each variable is a block of columns in its sets' order
            self.hiring_roles, self.exit_roles = compiled.layout.hiring_roles, compiled.layout.exit_roles
            for name in ("intake", "stock", "shortfall", "surplus", "hires", "exits", "flex", "intake_term"):
                setattr(self, name, compiled.var_values(name, x))
            self.cohorts = compiled.var_values("cohorts", x) if d.COHORT_PROGRAMMES else None
            self.move = compiled.var_values("move", x) if d.MOVE_ROUTES else None  # section 24
            # Derived quantities are the generated grids (workforce.model.arrays) evaluated at the
            # solution, cleaned as values loaded into the model are.
            self.ex, self.x = compiled.expressions, as_loaded(x)
            return
        self.hiring_roles = list(m.HIRING_ROLES)
        self.exit_roles = list(m.EXIT_ROLES)
        self.intake = var_array(m.intake, [P, R, T], compiled, x)
        self.stock = var_array(m.stock, [K, R, T], compiled, x)
        self.shortfall = var_array(m.shortfall, [K, R, T], compiled, x)
        self.surplus = var_array(m.surplus, [K, R, T], compiled, x)
        self.hires = var_array(m.hires, [self.hiring_roles, R, T], compiled, x)
        self.exits = var_array(m.exits, [self.exit_roles, R, T], compiled, x)
        self.flex = var_array(m.flex, [d.FLEX, R, T], compiled, x)
        self.cohorts = var_array(m.cohorts, [d.COHORT_PROGRAMMES, R, T], compiled, x) if d.COHORT_PROGRAMMES else None
        self.move = var_array(m.move, [d.MOVE_ROUTES, T], compiled, x) if d.MOVE_ROUTES else None  # section 24

    def starters(self, p: int, lag: int) -> np.ndarray:
        """(R, T) array: starters of programme ``p`` (position) in year t − lag, for every t."""
        d = self.d
        name = d.PROGRAMMES[p]
        T = len(d.YEARS)
        out = np.zeros((len(d.REGIONS), T))
        for j, t in enumerate(d.YEARS):
            s = t - lag
            if s > d.YEARS[-1]:
                continue
            if s >= d.first_year:
                out[:, j] = self.intake[p, :, j - lag]
            else:
                out[:, j] = [d.intake_prior.get((name, r, s), 0.0) for r in d.REGIONS]
        return out

    def completions(self, p: int) -> np.ndarray:
        """(R, T): completion_rate × starters duration years earlier (each intake point's own delay
        earlier for a calendar programme)."""
        name = self.d.PROGRAMMES[p]
        if self.ex is not None:
            return self.ex.completions(name).value(self.x)
        return self.d.completion_rate[name] * self.starters(p, self.d.duration[name])

    def calendar_course(self, p: str, f: str) -> np.ndarray:
        """(T,): course costs of calendar programme p that stream f pays in each academic year."""
        assert self.ex is not None
        return _zero_small(self.ex.course_in(p, f, financial=False).value(self.x).sum(axis=0))

    def stock_prev(self, k: int) -> np.ndarray:
        """(R, T): the initial stock in the first year, the previous year's stock after it."""
        out = np.empty_like(self.stock[k])
        out[:, 0] = self.stock_initial[k]
        out[:, 1:] = self.stock[k][:, :-1]
        return out

    def flexible(self, k: int) -> np.ndarray:
        """(R, T): supply added (or removed) by the role's flexible-supply options."""
        d = self.d
        role = d.ROLES[k]
        total = np.zeros(self.stock.shape[1:])
        for i, (kk, o) in enumerate(d.FLEX):
            if kk == role:
                total = total + d.fte_per_unit[kk, o] * _zero_small(self.flex[i])
        return total


def _frame(columns: dict[str, Any], levels: list[tuple[str, list[Any]]], units: dict[str, str]) -> pd.DataFrame:
    names = [name for name, _ in levels]
    if math.prod(len(values) for _, values in levels) == 0:
        df = pd.DataFrame(columns=[*names, *units]).set_index(names)
    else:
        index = pd.MultiIndex.from_product([values for _, values in levels], names=names)
        df = pd.DataFrame({c: np.asarray(v).ravel() for c, v in columns.items()}, index=index)
    df.attrs["units"] = units
    return df


def _dense(table: dict[Any, float], keys: list[tuple[Any, ...]], default: float) -> np.ndarray:
    return np.array([table.get(key, default) for key in keys], dtype=float)


def intake_table(s: Solution) -> pd.DataFrame:
    d = s.d
    P, R, T = d.PROGRAMMES, d.REGIONS, d.YEARS
    keys = list(itertools.product(P, R, T))
    starters = _zero_small(s.intake)
    completion = np.array([d.completion_rate[p] for p in P]).reshape(-1, 1, 1)
    qualifies = np.array([[[t + d.duration[p] for t in T] for _ in R] for p in P], dtype=np.int64)
    supervision = np.full(starters.shape, math.nan)
    for i, p in enumerate(P):
        if p in d.supervision_ratio:
            k = d.ROLES.index(d.supervisor_role[p])
            supervision[i] = d.supervision_ratio[p] * _zero_small(s.stock_prev(k))
            if p in d.SUPERVISION_HEADS:  # section 23: the ratio counts people
                supervision[i] = supervision[i] / fte_row(d, d.supervisor_role[p])
    return _frame(
        {
            "intake": starters,
            "expected_completions": completion * starters,
            "qualifies_in": qualifies,
            "places_max": _dense(d.places_max, keys, math.nan),
            "supervision_max": supervision,
            "intake_min": _dense(d.intake_min, keys, 0.0),
            "intake_max": _dense(d.intake_max, keys, math.nan),
        },
        [("programme", P), ("region", R), ("year", T)],
        {"intake": "trainees", "expected_completions": "people", "qualifies_in": "year", "places_max": "trainees",
         "supervision_max": "trainees", "intake_min": "trainees", "intake_max": "trainees"},
    )


def workforce_table(s: Solution) -> pd.DataFrame:
    d = s.d
    K, R, T = d.ROLES, d.REGIONS, d.YEARS
    demand = np.array([d.demand[key] for key in itertools.product(K, R, T)]).reshape(s.stock.shape)
    shortfall = _zero_small(s.shortfall)
    flexible = np.array([s.flexible(k) for k in range(len(K))]).reshape(s.stock.shape)
    with np.errstate(divide="ignore", invalid="ignore"):
        rate = np.where(demand > 0, shortfall / np.where(demand > 0, demand, 1.0), 0.0)
    return _frame(
        {
            "supply": _zero_small(s.stock),
            "flexible": flexible,
            "demand": demand,
            "shortfall": shortfall,
            "surplus": _zero_small(s.surplus),
            "shortfall_rate": rate,
        },
        [("role", K), ("region", R), ("year", T)],
        {"supply": ROLE_UNIT, "flexible": ROLE_UNIT, "demand": ROLE_UNIT, "shortfall": ROLE_UNIT,
         "surplus": ROLE_UNIT, "shortfall_rate": "fraction of demand"},
    )


def flows_table(s: Solution) -> pd.DataFrame:
    d = s.d
    K, R, T = d.ROLES, d.REGIONS, d.YEARS
    shape = (len(R), len(T))
    cols: dict[str, list[np.ndarray]] = {c: [] for c in (
        "stock_start", "leavers", "completions", "hires", "retraining_out", "exits", "stock_end", "flexible")}
    completions = [s.completions(i) for i in range(len(d.PROGRAMMES))]
    for ki, k in enumerate(K):
        into = [i for i, p in enumerate(d.PROGRAMMES) if d.role_of[p] == k]
        raw_completions = sum((completions[i] for i in into), np.zeros(shape))
        hires = s.hires[s.hiring_roles.index(k)] if k in s.hiring_roles else np.zeros(shape)
        per_head = fte_row(d, k)  # section 23: people into and out of an FTE role, in FTE (1 by default)
        raw_completions, hires = raw_completions * per_head, hires * per_head
        entrants = raw_completions + hires
        stock = s.stock[ki]
        a = np.array([d.attrition[k, r] for r in R]).reshape(-1, 1)
        a_new = np.array([d.attrition_new[k, r] for r in R]).reshape(-1, 1)
        leavers = np.empty(shape)
        leavers[:, :1] = a * s.stock_initial[ki].reshape(-1, 1)
        leavers[:, 1:] = a * (stock[:, :-1] - entrants[:, :-1]) + a_new * entrants[:, :-1]
        if k in d.tenure_bands and s.ex is not None:  # section 13, from the generated grids
            from workforce.plan.extract_rules import leavers_of

            leavers = leavers_of(s.ex, k, s.x)
        retraining = sum((s.intake[i] for i, p in enumerate(d.PROGRAMMES) if d.source_of[p] == k), np.zeros(shape))
        cols["stock_start"].append(_zero_small(s.stock_prev(ki)))
        cols["leavers"].append(_zero_small(leavers))
        cols["completions"].append(sum((_zero_small(completions[i]) for i in into), np.zeros(shape)) * per_head)
        cols["hires"].append(_zero_small(hires))
        cols["retraining_out"].append(_zero_small(retraining * per_head))
        exits = s.exits[s.exit_roles.index(k)] * per_head if k in s.exit_roles else np.zeros(shape)
        cols["exits"].append(_zero_small(exits))
        cols["stock_end"].append(_zero_small(stock))
        cols["flexible"].append(s.flexible(ki))
    from workforce.plan.movement import with_movement  # section 21.4: moved_in, moved_out

    cols = with_movement(d, cols, [s.stock_prev(ki) for ki in range(len(K))])
    from workforce.plan.moves import with_moves  # section 24: moves_in, moves_out

    cols = with_moves(d, cols, s.move)
    return _frame({c: np.array(v) for c, v in cols.items()}, [("role", K), ("region", R), ("year", T)],
                  {c: ROLE_UNIT for c in cols})


def spend_items(s: Solution, f: str) -> dict[str, np.ndarray]:
    """Item → spend of stream ``f`` per year (the items of ``spend_detail``, in its order)."""
    d = s.d
    items: dict[str, np.ndarray] = {}
    for (p, y, stream), cost in d.cost_course.items():
        if stream == f and p not in d.duration_months:
            i = d.PROGRAMMES.index(p)
            course = cost * _zero_small(s.starters(i, y - 1)).sum(axis=0)
            items[p] = items[p] + course if p in items else course
    for p in d.duration_months:  # calendar programmes (only plans generated as arrays get here)
        course = s.calendar_course(p, f)
        if course.any() or any(g == f for (q, _y, g) in d.cost_course if q == p):
            items[p] = course
    for i, k in enumerate(s.hiring_roles):
        if d.stream_hire[k] == f:
            items[f"hiring:{k}"] = d.cost_hire[k] * _zero_small(s.hires[i]).sum(axis=0)
    for i, k in enumerate(s.exit_roles):
        if d.stream_exit[k] == f:
            items[f"exits:{k}"] = d.cost_exit[k] * _zero_small(s.exits[i]).sum(axis=0)
    for i, (k, o) in enumerate(d.FLEX):
        if d.stream_flex[k, o] == f:
            items[f"flexible:{k}.{o}"] = d.cost_flex[k, o] * _zero_small(s.flex[i]).sum(axis=0)
    if s.move is not None:  # section 24: moves:<role>
        from workforce.plan.moves import move_items

        items.update(move_items(d, f, s.move))
    for i, p in enumerate(d.COHORT_PROGRAMMES):
        if (p, f) in d.cost_cohort:  # cost_cohort[p,f] × Σ_r cohorts[p,r,t] (workforce.model.policy.cohort_cost)
            assert s.cohorts is not None
            items[f"cohorts:{p}"] = _zero_small(d.cost_cohort[p, f] * s.cohorts[i].sum(axis=0))
    return financial_year_items(s, f, items) if f in d.FY_STREAMS else items


def financial_year_items(s: Solution, f: str, academic: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Items of a stream budgeted on financial years (workforce.plan.policy.fy_items): course
    costs by month into financial years, other items 7/12 from academic year t and 5/12 from t − 1."""
    d = s.d
    assert s.ex is not None, "financial-year plans are read from arrays only when generated as arrays"
    items: dict[str, np.ndarray] = {}
    for p in d.PROGRAMMES:
        if any(g == f for (q, _y, g) in d.cost_course if q == p):
            items[p] = _zero_small(s.ex.course_in(p, f, financial=True).value(s.x).sum(axis=0))
    share = FY_START / 12
    for name, value in academic.items():
        if name not in d.PROGRAMMES:
            items[name] = share * value + (1 - share) * np.concatenate([[0.0], value[:-1]])
    return items


def spend_tables(s: Solution) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(spend, spend_detail)."""
    d = s.d
    detail_rows: dict[str, list[Any]] = {"stream": [], "year": [], "item": [], "spent": []}
    spent_all: list[np.ndarray] = []
    for f in d.STREAMS:
        items = spend_items(s, f)
        names = list(items)
        values = np.array([items[n] for n in names]).reshape(len(names), len(d.YEARS))
        for j, t in enumerate(d.YEARS):
            detail_rows["stream"] += [f] * len(names)
            detail_rows["year"] += [t] * len(names)
            detail_rows["item"] += names
            detail_rows["spent"] += values[:, j].tolist()
        spent_all.append(values.sum(axis=0) if names else np.zeros(len(d.YEARS)))
    keys = list(itertools.product(d.STREAMS, d.YEARS))
    spent = np.array(spent_all).reshape(-1)
    budget = _dense(d.budget, keys, math.nan)
    scale = np.maximum(1.0, np.abs(budget))
    headroom = budget - spent
    headroom = np.where(np.abs(headroom) <= 1e-9 * scale, 0.0, headroom)
    spend = _frame({"spent": spent, "budget": budget, "headroom": headroom},
                   [("stream", d.STREAMS), ("year", d.YEARS)], {"spent": "£k", "budget": "£k", "headroom": "£k"})
    if detail_rows["item"]:
        detail = pd.DataFrame(detail_rows).set_index(["stream", "year", "item"])
        detail.attrs["units"] = {"spent": "£k"}
    else:
        detail = _frame({}, [("stream", []), ("year", []), ("item", [])], {"spent": "£k"})
    return spend, detail


def plan_tables(d: ModelData, m: pyo.ConcreteModel | None, compiled: Any, x: np.ndarray) -> dict[str, pd.DataFrame]:
    """Every table of the plan, computed from the solution vector."""
    s = Solution(d, m, compiled, x)
    spend, detail = spend_tables(s)
    return {"intake": room_for_starters(s.d, intake_table(s)), "workforce": workforce_table(s), "flows": flows_table(s),
            "spend": spend, "spend_detail": detail}


def intake_terms_table(d: ModelData, compiled: Any, x: np.ndarray) -> pd.DataFrame:
    """``intake_terms`` (see workforce.plan.policy) of a plan generated as arrays."""
    pairs = list(d.intake_month)
    starters = compiled.var_values("intake_term", x)  # (pairs, R, T)
    # rows (p, r, t, j) for each (p, j) pair, then region, then year: the block's own order
    n_r, n_t = len(d.REGIONS), len(d.YEARS)
    n = n_r * n_t
    year = np.tile(np.asarray(d.YEARS, dtype=np.int64), len(pairs) * n_r)
    df = pd.DataFrame({
        "programme": np.repeat(np.array([p for p, _ in pairs], dtype=object), n),
        "region": np.tile(np.repeat(np.array(d.REGIONS, dtype=object), n_t), len(pairs)),
        "year": year,
        "intake": np.repeat(np.array([j for _, j in pairs], dtype=object), n),
        "starters": starters.ravel(),
        "start_month": np.repeat(np.array([d.intake_month[pair] for pair in pairs], dtype=np.int64), n),
        "qualifies_in": year + np.repeat(np.array([d.intake_delay[pair] for pair in pairs], dtype=np.int64), n),
    }).set_index(["programme", "region", "year", "intake"])
    df.attrs["units"] = {"starters": "trainees", "start_month": "months after 1 September", "qualifies_in": "year"}
    return df


def add_cohort_counts(d: ModelData, compiled: Any, x: np.ndarray, intake: pd.DataFrame) -> pd.DataFrame:
    """``cohorts`` beside the intake (workforce.plan.policy.add_cohort_columns) for a plan
    generated as arrays: whole cohorts run for cohort programmes, NaN for others."""
    if not d.COHORT_PROGRAMMES:
        return intake
    counts = np.full((len(d.PROGRAMMES), len(d.REGIONS), len(d.YEARS)), math.nan)
    runs = np.round(_zero_small(compiled.var_values("cohorts", x)))
    for i, p in enumerate(d.COHORT_PROGRAMMES):
        counts[d.PROGRAMMES.index(p)] = runs[i]
    units = dict(intake.attrs.get("units", {}))
    intake = intake.assign(cohorts=counts.ravel())
    intake.attrs["units"] = {**units, "cohorts": "cohorts"}
    return intake
