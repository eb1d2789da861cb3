"""Vectorised construction: the linear programme of ``build_model`` generated as arrays, family by family.

``build_model`` writes the formulation of models/cohort_planning.md as Pyomo components, and the
solve stage compiles them with Pyomo's standard-form compiler. At local-authority scale (153 areas)
building the expressions and walking them again costs more than HiGHS takes to solve the LP. For the
scenarios :func:`applies` accepts (the stock-and-flow model, whole cohorts, calendars and
financial-year budgets), this module writes the same rows straight into a sparse matrix: every
constraint family keeps its name and formula, written here over whole (region, year) grids with
numpy instead of one Pyomo expression per row.

The Pyomo model stays the reference. ``tests/test_arrays.py`` checks that every row, bound, column
and objective term here equals what the compiler makes of ``build_model`` (random scenarios that
draw every family, and the national-scale benchmark's generator), and :class:`ArrayCompiled` builds the Pyomo model on first use for anything that
needs its components (explaining a plan, diagnosing infeasibility, reading rows by name).

Notation: a :class:`Lin` is a grid of linear expressions, one per row of a family; each of its terms
holds an array of coefficients and an array of column numbers (column −1 means no variable there: a
constant, e.g. the initial stock in the first year, lives in ``const``).
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from workforce.model.calendar import FY_START, intakes_of, month_profile
from workforce.model.data import ModelData
from workforce.model.horizon import post_keys, post_weight
from workforce.scenario.schema import TERMS

INF = float("inf")


PYOMO_ONLY = {
    "constraints": {"target_minimum", "share_minimum", "share_maximum", "equity_limit", "unqualified_balance",
                    "unqualified_total", "qualified_in_limit", "statutory_deadline", "tenure_established"},
    "variables": {"unqualified", "qualified_in", "worst_shortfall_rate"},
}
"""Components only ``build_model`` makes: a scenario that gives any of them a row is not generated
here (:func:`applies`). Every other family and variable of ``build_model`` is generated here."""


def applies(d: ModelData) -> bool:
    """Whether the scenario uses only what this module generates: sections 3-8 of the formulation,
    whole cohorts (section 12) and calendars with financial-year budgets (section 15).

    Targets, place shares, equity, tenure and statutory deadlines are built through Pyomo
    (``build_model``) and compiled as before.
    """
    return not (d.target_min or d.share_min or d.share_max or d.equity_basis or d.tenure_bands or d.DEADLINE_ROLES)


# ---------------------------------------------------------------------------------------------
# Columns


class Columns:
    """One block of columns per variable component, in the order of its index sets' product."""

    def __init__(self, d: ModelData):
        P, K, R, T = d.PROGRAMMES, d.ROLES, d.REGIONS, d.YEARS
        self.hiring_roles = sorted({k for k, _, _ in d.hires_max}, key=d.ROLES.index)
        self.exit_roles = [k for k in d.ROLES if d.exits_enabled[k]]
        specs = [
            ("intake", [P, R, T]), ("stock", [K, R, T]), ("hires", [self.hiring_roles, R, T]),
            ("exits", [self.exit_roles, R, T]), ("flex", [d.FLEX, R, T]), ("shortfall", [K, R, T]),
            ("surplus", [K, R, T]), ("intake_term", [list(d.intake_month), R, T]),
            ("cohorts", [d.COHORT_PROGRAMMES, R, T]),
            ("cohort_open", [[p for p in d.COHORT_PROGRAMMES if d.cohort_region_min[p] > 0], R, T]),
            ("post_shortfall", [post_keys(d)]),
        ]
        self.sets: dict[str, list[list[Any]]] = {}
        self.block: dict[str, np.ndarray] = {}
        start = 0
        for name, sets in specs:
            shape = tuple(len(s) for s in sets)
            n = math.prod(shape)
            self.sets[name] = sets
            self.block[name] = np.arange(start, start + n, dtype=np.int64).reshape(shape)
            start += n
        self.n = start
        self.position = {name: [{key: i for i, key in enumerate(s)} for s in sets] for name, sets in self.sets.items()}

    def __getitem__(self, name: str) -> np.ndarray:
        return self.block[name]

    def column_keys(self) -> list[tuple[str, Any]]:
        """(component name, index) of every column, in column order."""
        out: list[tuple[str, Any]] = []
        for name, sets in self.sets.items():
            for key in itertools.product(*sets):
                if name == "intake_term":  # block ((p, j), r, t); the variable is indexed (p, r, t, j)
                    (p, j), r, t = key
                    out.append((name, (p, r, t, j)))
                else:
                    out.append((name, _flat(key)))
        return out

    def lookup(self, name: str, keys: list[tuple[Any, ...]]) -> np.ndarray:
        """Column of each index of component ``name``."""
        pos = self.position[name]
        block = self.block[name]
        if not keys:
            return np.zeros(0, dtype=np.int64)
        # a flattened key (("ep", "agency") pairs arrive as "ep", "agency") is regrouped per set
        widths = [len(s[0]) if s and isinstance(s[0], tuple) else 1 for s in self.sets[name]]
        ends = list(itertools.accumulate(widths))
        idx = []
        for i, (w, e) in enumerate(zip(widths, ends, strict=True)):
            parts = [key[e - 1] for key in keys] if w == 1 else [tuple(key[e - w:e]) for key in keys]
            idx.append(np.fromiter(map(pos[i].__getitem__, parts), dtype=np.int64, count=len(keys)))
        return block[tuple(idx)]


def _flat(key: tuple[Any, ...]) -> Any:
    """An index as Pyomo flattens it: (("ep", "agency"), "A", 2026) → ("ep", "agency", "A", 2026)."""
    out: list[Any] = []
    for part in key:
        out.extend(part if isinstance(part, tuple) else (part,))
    return tuple(out)


# ---------------------------------------------------------------------------------------------
# Grids of linear expressions


class Lin:
    """Linear expressions over a grid of shape ``shape``: Σ coef × x[col] + const per grid point.

    A term's arrays have the grid's shape, optionally followed by extra axes (several variables per
    grid point, e.g. a sum over regions)."""

    def __init__(self, shape: tuple[int, ...], terms: list[tuple[np.ndarray, np.ndarray]] | None = None,
                 const: Any = 0.0):
        self.shape = shape
        self.terms = terms or []
        self.const = np.broadcast_to(np.asarray(const, dtype=float), shape)

    @staticmethod
    def var(cols: np.ndarray) -> Lin:
        return Lin(cols.shape, [(np.ones(cols.shape), cols)])

    def __add__(self, other: Any) -> Lin:
        if isinstance(other, Lin):
            return Lin(self.shape, self.terms + other.terms, self.const + other.const)
        return Lin(self.shape, list(self.terms), self.const + other)

    def __neg__(self) -> Lin:
        return self * -1.0

    def __sub__(self, other: Any) -> Lin:
        return self + (-other)

    def __mul__(self, factor: Any) -> Lin:
        """Scale by a number or an array broadcastable to the grid."""
        f = np.asarray(factor, dtype=float)
        terms = [(coef * f.reshape(f.shape + (1,) * (coef.ndim - len(self.shape))), col) for coef, col in self.terms]
        return Lin(self.shape, terms, self.const * f)

    __rmul__ = __mul__

    def shift(self) -> Lin:
        """The value of the previous year at each year (the grid's last axis): nothing in the first year."""
        ax = len(self.shape) - 1
        terms = []
        for coef, col in self.terms:
            src = [slice(None)] * coef.ndim
            dst = list(src)
            src[ax], dst[ax] = slice(None, -1), slice(1, None)
            c, k = np.zeros_like(coef), np.full_like(col, -1)
            c[tuple(dst)] = coef[tuple(src)]
            k[tuple(dst)] = col[tuple(src)]
            terms.append((c, k))
        const = np.zeros(self.shape)
        const[..., 1:] = self.const[..., :-1]
        return Lin(self.shape, terms, const)

    def total(self, axis: int) -> Lin:
        """Sum over grid axis ``axis``: its points become per-row entries of the terms."""
        shape = self.shape[:axis] + self.shape[axis + 1:]
        terms = [(np.moveaxis(coef, axis, -1).reshape(shape + (-1,)), np.moveaxis(col, axis, -1).reshape(shape + (-1,)))
                 for coef, col in self.terms]
        return Lin(shape, terms, self.const.sum(axis=axis))

    def value(self, x: np.ndarray) -> np.ndarray:
        """The grid's values at the solution ``x``."""
        out = np.array(self.const, dtype=float)
        for coef, col in self.terms:
            term = np.where(col >= 0, coef * x[np.maximum(col, 0)], 0.0) if len(x) else np.zeros(col.shape)
            out = out + (term.reshape(self.shape + (-1,)).sum(axis=-1) if coef.ndim > len(self.shape) else term)
        return out

    def where(self, keep: np.ndarray) -> Lin:
        """The expressions at the grid points where ``keep`` (broadcast to the grid) holds; none elsewhere."""
        keep = np.broadcast_to(keep, self.shape)
        terms = []
        for coef, col in self.terms:
            mask = keep.reshape(self.shape + (1,) * (coef.ndim - len(self.shape)))
            terms.append((np.where(mask, coef, 0.0), np.where(mask, col, -1)))
        return Lin(self.shape, terms, np.where(keep, self.const, 0.0))

    def structural(self) -> np.ndarray:
        """Grid points whose expression has a variable (even with a zero coefficient)."""
        out = np.zeros(self.shape, dtype=bool)
        for _coef, col in self.terms:
            has = col >= 0
            out |= has.reshape(self.shape + (-1,)).any(axis=-1) if has.ndim > len(self.shape) else has
        return out

    def coo(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(row, column, value) of the nonzero entries, rows numbered in the grid's C order."""
        n = math.prod(self.shape)
        grid = np.arange(n, dtype=np.int64).reshape(self.shape)
        rows, cols, vals = [], [], []
        for coef, col in self.terms:
            extra = coef.ndim - len(self.shape)
            r = np.broadcast_to(grid.reshape(self.shape + (1,) * extra), col.shape)
            keep = (col >= 0) & (coef != 0)
            rows.append(r[keep])
            cols.append(col[keep])
            vals.append(coef[keep])
        if not rows:
            return np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0)
        return np.concatenate(rows), np.concatenate(cols), np.concatenate(vals)


# ---------------------------------------------------------------------------------------------
# Expressions (workforce.model.expressions, over (region, year) grids)


class Expressions:
    def __init__(self, d: ModelData, cols: Columns):
        self.d = d
        self.cols = cols
        self.R, self.T = len(d.REGIONS), len(d.YEARS)
        self._entrants: dict[str, Lin] = {}

    def var(self, name: str, i: int) -> Lin:
        return Lin.var(self.cols[name][i])

    def starters(self, p: str, lag: int) -> Lin:
        """(R, T): starters of p in year t − lag (intake in the horizon, prior intake before it)."""
        return self._lagged(self.cols["intake"][self.d.PROGRAMMES.index(p)], lag, p)

    def term_starters(self, p: str, j: str, lag: int) -> Lin:
        """(R, T): starters of p at intake j in year t − lag (prior cohorts count at ``prior_term``)."""
        block = self.cols["intake_term"][self.cols.sets["intake_term"][0].index((p, j))]
        return self._lagged(block, lag, p if j == self.d.prior_term[p] else None)

    def _lagged(self, block: np.ndarray, lag: int, prior: str | None) -> Lin:
        """(R, T): the (R, T) block of columns ``lag`` years earlier; before the horizon, the prior
        intake of programme ``prior`` (none: nothing), after it nothing."""
        d = self.d
        coef = np.zeros((self.R, self.T))
        col = np.full((self.R, self.T), -1, dtype=np.int64)
        const = np.zeros((self.R, self.T))
        for n, t in enumerate(d.YEARS):
            s = t - lag
            if d.first_year <= s <= d.YEARS[-1]:
                coef[:, n] = 1.0
                col[:, n] = block[:, n - lag]
            elif s < d.first_year and prior is not None:
                const[:, n] = [d.intake_prior.get((prior, r, s), 0.0) for r in d.REGIONS]
        return Lin((self.R, self.T), [(coef, col)], const)

    def completions(self, p: str) -> Lin:
        """completion_rate × starters duration years earlier (for a calendar, of each intake point
        its own delay earlier)."""
        d = self.d
        if p not in d.duration_months:
            return self.starters(p, d.duration[p]) * d.completion_rate[p]
        out = Lin((self.R, self.T))
        for j in intakes_of(d, p):
            out = out + self.term_starters(p, j, d.intake_delay[p, j]) * d.completion_rate[p]
        return out

    def entrants(self, k: str) -> Lin:
        if k not in self._entrants:
            out = Lin((self.R, self.T))
            for p in self.d.programmes_into[k]:
                out = out + self.completions(p)
            if k in self.cols.hiring_roles:
                out = out + self.var("hires", self.cols.hiring_roles.index(k))
            self._entrants[k] = out
        return self._entrants[k]

    def stock_prev(self, k: str) -> Lin:
        d = self.d
        const = np.zeros((self.R, self.T))
        const[:, 0] = [d.stock_initial[k, r] for r in d.REGIONS]
        return self.var("stock", d.ROLES.index(k)).shift() + const

    def leavers(self, k: str) -> Lin:
        d = self.d
        a = np.array([d.attrition[k, r] for r in d.REGIONS]).reshape(-1, 1)
        a_new = np.array([d.attrition_new[k, r] for r in d.REGIONS]).reshape(-1, 1)
        return self.stock_prev(k) * a + self.entrants(k).shift() * (a_new - a)

    def retraining(self, k: str) -> Lin:
        out = Lin((self.R, self.T))
        for p in self.d.programmes_from[k]:
            out = out + self.var("intake", self.d.PROGRAMMES.index(p))
        return out

    def outflow(self, k: str) -> Lin:
        out = self.retraining(k)
        if k in self.cols.exit_roles:
            out = out + self.var("exits", self.cols.exit_roles.index(k))
        return out

    def spend(self, f: str) -> Lin:
        """(T,): what stream f pays each academic year."""
        d = self.d
        total = Lin((self.R, self.T))
        for (p, y, stream), cost in d.cost_course.items():
            if stream == f and p not in d.duration_months:
                total = total + self.starters(p, y - 1) * cost
        for p in d.duration_months:
            total = total + self.course_in(p, f, financial=False)
        return total.total(axis=0) + self.other_spend(f)

    def fy_spend(self, f: str) -> Lin:
        """(T,): what stream f pays each financial year (calendar.fy_spend): course costs by month,
        and 7/12 of the other costs of academic year t plus 5/12 of those of t − 1."""
        total = Lin((self.R, self.T))
        for p in self.d.PROGRAMMES:
            total = total + self.course_in(p, f, financial=True)
        other = self.other_spend(f)
        return total.total(axis=0) + other * (FY_START / 12) + other.shift() * (1 - FY_START / 12)

    def course_in(self, p: str, f: str, financial: bool) -> Lin:
        """(R, T): course costs of p that stream f pays in each academic (or financial) year, by
        month (calendar.course_cost_in); only months in the horizon's academic years count."""
        d = self.d
        out = Lin((self.R, self.T))
        years = np.asarray(d.YEARS)
        for j in intakes_of(d, p) if p in d.duration_months else [None]:
            for (q, fy), cost in month_profile(d, p, j, f).items():
                lag = fy if financial else q
                inside = (years - lag + q >= d.first_year) & (years - lag + q <= d.YEARS[-1])
                starters = self.starters(p, lag) if j is None else self.term_starters(p, j, lag)
                out = out + starters.where(inside) * cost
        return out

    def other_spend(self, f: str) -> Lin:
        """(T,): hiring, exits, flexible supply and fixed cohort costs stream f pays each academic year."""
        d = self.d
        total = Lin((self.R, self.T))
        for i, k in enumerate(self.cols.hiring_roles):
            if d.stream_hire[k] == f and d.cost_hire[k]:
                total = total + self.var("hires", i) * d.cost_hire[k]
        for i, k in enumerate(self.cols.exit_roles):
            if d.stream_exit[k] == f and d.cost_exit[k]:
                total = total + self.var("exits", i) * d.cost_exit[k]
        for i, (k, o) in enumerate(d.FLEX):
            if d.stream_flex[k, o] == f and d.cost_flex[k, o]:
                total = total + self.var("flex", i) * d.cost_flex[k, o]
        for p in d.COHORT_PROGRAMMES:
            total = total + self.cohort_cost(p, f)
        return total.total(axis=0)

    def cohort_cost(self, p: str, f: str) -> Lin:
        """(R, T): cost_cohort[p,f] × cohorts, stream f's fixed cost of the cohorts starting each year."""
        cost = self.d.cost_cohort.get((p, f), 0.0)
        if not cost:
            return Lin((self.R, self.T))
        return self.var("cohorts", self.d.COHORT_PROGRAMMES.index(p)) * cost


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


def families(d: ModelData, cols: Columns, ex: Expressions) -> list[Family]:
    """Every constraint family of build_model, in its order."""
    K, R, T = d.ROLES, d.REGIONS, d.YEARS
    out: list[Family] = []

    def grid_keys(first: list[Any]) -> list[tuple[Any, ...]]:
        return list(itertools.product(first, R, T))  # first: roles or programmes (plain names)

    # stock_balance: stock = stock_prev − leavers + entrants − retraining − exits
    parts = [ex.var("stock", i) - (ex.stock_prev(k) - ex.leavers(k) + ex.entrants(k) - ex.outflow(k))
             for i, k in enumerate(K)]
    out.append(_stack("stock_balance", grid_keys(K), parts, 0.0, 0.0))
    # outflow_limit: retraining + exits ≤ stock_prev − leavers
    roles = [k for k in K if k in cols.exit_roles or k in d.source_of.values()]
    parts = [ex.outflow(k) - (ex.stock_prev(k) - ex.leavers(k)) for k in roles]
    out.append(_stack("outflow_limit", grid_keys(roles), parts, -INF, 0.0))
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
    out.append(_single("flex_limit", cols, "flex", d.flex_max, "<="))
    out.append(_single("places_limit", cols, "intake", d.places_max, "<="))
    # national_places_limit: Σ_r intake ≤ national_places_max
    keys = list(d.national_places_max)
    col = cols.lookup("intake", [(p, r, t) for p, t in keys for r in R]).reshape(len(keys), len(R))
    out.append(Family("national_places_limit", keys, [Lin((len(keys),), [(np.ones(col.shape), col)])],
                      np.full(len(keys), -INF), np.array([d.national_places_max[k] for k in keys])))
    # supervision_limit: intake ≤ supervision_ratio × stock_prev of the supervising role
    sup = list(d.supervision_ratio)
    parts = [ex.var("intake", d.PROGRAMMES.index(p)) - ex.stock_prev(d.supervisor_role[p]) * d.supervision_ratio[p]
             for p in sup]
    out.append(_stack("supervision_limit", grid_keys(sup), parts, -INF, 0.0))
    out.append(_single("intake_minimum", cols, "intake", d.intake_min, ">=",
                       [key for key, v in d.intake_min.items() if v > 0]))
    out.append(_single("intake_maximum", cols, "intake", d.intake_max, "<="))
    # budget_limit and envelope_limit: spend ≤ budget; Σ_t spend ≤ envelope
    spend = {f: ex.spend(f) for f in d.STREAMS}
    keys = [key for key in d.budget if key[0] not in d.FY_STREAMS]
    parts = [_pick(spend[f], [T.index(t)]) for f, t in keys]
    out.append(_money("budget_limit", d, keys, parts, [d.budget[key] for key in keys]))
    keys = list(d.envelope)
    parts = [spend[f].total(axis=0) for f in keys]
    out.append(_money("envelope_limit", d, [(f,) for f in keys], parts, [d.envelope[f] for f in keys], flat_keys=keys))
    # whole cohorts (section 12): cohort_size_minimum, cohort_size_maximum, cohort_open_minimum, cohort_open_limit
    out.extend(cohort_families(d, cols, ex, grid_keys))
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
    keys = [key for key in d.budget if key[0] in d.FY_STREAMS]
    fy = {f: ex.fy_spend(f) for f in d.FY_STREAMS}
    parts = [_pick(fy[f], [T.index(t)]) for f, t in keys]
    out.append(_money("fy_budget_limit", d, keys, parts, [d.budget[key] for key in keys]))
    from workforce.model.horizon_arrays import post_demand_balance  # section 10.1, kept out of this module

    out.append(post_demand_balance(d, cols))
    return out


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
    from workforce.model.build import _money_limit

    kept_keys, kept_parts, kept_bounds = [], [], []
    for key, part, bound, shown in zip(keys, parts, bounds, flat_keys or keys, strict=True):
        if not part.structural().any():
            _money_limit(float(part.const.sum()), bound, name, key, d)  # raises when the commitment does not fit
            continue
        kept_keys.append(shown)
        kept_parts.append(part)
        kept_bounds.append(bound)
    return _stack(name, kept_keys, kept_parts, -INF, np.array(kept_bounds, dtype=float))


def objective_terms(d: ModelData, cols: Columns, ex: Expressions) -> tuple[np.ndarray, np.ndarray]:
    """(term_costs, term_offsets) of the objective's named terms (expressions.terms)."""
    costs = np.zeros((len(TERMS), cols.n))
    offsets = np.zeros(len(TERMS))
    row = {term: j for j, term in enumerate(TERMS)}
    K = d.ROLES

    def add(term: str, lin: Lin) -> None:
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
    for n, (k, _r, v) in enumerate(post_keys(d)):
        add("shortfall", Lin.var(cols["post_shortfall"][n:n + 1]) * post_weight(d, k, v))
    for i, k in enumerate(K):
        add("shortfall", ex.var("shortfall", i) * d.penalty_shortfall[k])
        add("surplus_cost", ex.var("surplus", i) * d.cost_surplus[k])
    for i, k in enumerate(cols.hiring_roles):
        add("hiring_cost", ex.var("hires", i) * d.cost_hire[k])
    for i, k in enumerate(cols.exit_roles):
        add("exit_cost", ex.var("exits", i) * d.cost_exit[k])
    for i, (k, o) in enumerate(d.FLEX):
        add("flexible_cost", ex.var("flex", i) * d.cost_flex[k, o])
    return costs, offsets


# ---------------------------------------------------------------------------------------------
# The compiled LP


def as_loaded(x: np.ndarray) -> np.ndarray:
    """Solution values as they are loaded into the model: solver noise within 1e-9 of zero reads as
    0 (a tiny negative value becomes 0)."""
    return np.where(np.abs(x) < 1e-9, np.maximum(x, 0.0), x)


@dataclass(frozen=True)
class CSC:
    """A sparse matrix in compressed columns: what HiGHS takes, without importing scipy (importing
    scipy after Pyomo makes Pyomo load scipy.stats too: 0.5 s of every command-line run)."""

    data: np.ndarray
    indices: np.ndarray
    """Row of each entry (int32), sorted within each column."""
    indptr: np.ndarray
    """Start of each column's entries (int32), and the end of the last."""
    shape: tuple[int, int]

    @property
    def nnz(self) -> int:
        return len(self.data)

    def __matmul__(self, x: np.ndarray) -> np.ndarray:
        """A x (the rows' activities)."""
        columns = np.repeat(np.arange(self.shape[1]), np.diff(self.indptr))
        return np.bincount(self.indices, weights=self.data * x[columns], minlength=self.shape[0])

    def to_scipy(self) -> Any:
        from scipy import sparse

        return sparse.csc_array((self.data, self.indices, self.indptr), shape=self.shape)

    @classmethod
    def from_entries(cls, rows: np.ndarray, cols: np.ndarray, vals: np.ndarray, shape: tuple[int, int]) -> CSC:
        """Sum the entries of each (row, column), drop zeros, and sort by column then row."""
        n_rows, n_cols = shape
        key = cols.astype(np.int64) * n_rows + rows
        order = np.argsort(key, kind="stable")
        key = key[order]
        first = np.ones(len(key), dtype=bool)
        np.not_equal(key[1:], key[:-1], out=first[1:])
        starts = np.flatnonzero(first)
        data = np.add.reduceat(vals[order], starts) if len(starts) else np.zeros(0)
        key = key[starts]
        keep = data != 0
        data, key = data[keep], key[keep]
        col = key // n_rows
        indptr = np.zeros(n_cols + 1, dtype=np.int32)
        np.cumsum(np.bincount(col, minlength=n_cols), out=indptr[1:])
        return cls(data, (key - col * n_rows).astype(np.int32), indptr, (n_rows, n_cols))


@dataclass
class ArrayCompiled:
    """The LP as arrays, as :class:`workforce.solver.core.Compiled`, built without Pyomo expressions.

    ``rows``, ``columns``, ``col_position`` and ``model`` are the Pyomo views of the same LP: the
    model is built (and the solution, once attached, loaded into it) the first time one is asked for.
    """

    data: ModelData
    csc: CSC
    """The constraint matrix (``A`` is the same as a scipy array, made when first asked for)."""
    row_lower: np.ndarray
    row_upper: np.ndarray
    col_lower: np.ndarray
    col_upper: np.ndarray
    term_costs: np.ndarray
    term_offsets: np.ndarray
    row_families: list[tuple[str, list[Any]]]
    """(family name, its row keys) in row order."""
    layout: Columns
    expressions: Expressions
    """The derived quantities (completions, spend ...) as grids, for reading the plan's tables."""
    integrality: np.ndarray | None = None
    x: np.ndarray | None = None
    """The solution, once solved (loaded into the model when the model is built)."""
    _pyomo: dict[str, Any] = field(default_factory=dict, repr=False)

    @property
    def n_rows(self) -> int:
        return len(self.row_lower)

    @property
    def A(self) -> Any:
        """The constraint matrix as a scipy.sparse.csc_array (as :class:`workforce.solver.core.Compiled` has it)."""
        if "A" not in self._pyomo:
            self._pyomo["A"] = self.csc.to_scipy()
        return self._pyomo["A"]

    def row_keys(self) -> list[tuple[str, Any]]:
        return [(name, key) for name, keys in self.row_families for key in keys]

    def var_values(self, name: str, x: np.ndarray) -> np.ndarray:
        """Values of variable component ``name`` shaped by its index sets, as loaded into the model."""
        values = x[self.layout[name]] if self.layout[name].size else np.zeros(self.layout[name].shape)
        return as_loaded(values)

    @property
    def model(self) -> Any:
        if "model" not in self._pyomo:
            from workforce.model.build import build_model

            m = build_model(self.data)
            self._pyomo["model"] = m
            self._pyomo["columns"] = [getattr(m, name)[key] for name, key in self.layout.column_keys()]
            if self.x is not None:
                load_values(m, self, self.x)
        return self._pyomo["model"]

    @property
    def rows(self) -> list[Any]:
        if "rows" not in self._pyomo:
            m = self.model
            self._pyomo["rows"] = [getattr(m, name)[key] for name, keys in self.row_families for key in keys]
        return self._pyomo["rows"]

    @property
    def columns(self) -> list[Any]:
        _ = self.model  # building the model records its columns
        return self._pyomo["columns"]

    @property
    def col_position(self) -> dict[int, int]:
        if "col_position" not in self._pyomo:
            self._pyomo["col_position"] = {id(v): j for j, v in enumerate(self.columns)}
        return self._pyomo["col_position"]


def compile_arrays(d: ModelData) -> ArrayCompiled:
    """The LP of ``build_model(d)`` as arrays (for scenarios where :func:`applies`)."""
    cols = Columns(d)
    ex = Expressions(d, cols)
    fams = families(d, cols, ex)
    rows, colidx, vals, lower, upper = [], [], [], [], []
    offset = 0
    for fam in fams:
        r, c, v = fam.coo()
        rows.append(r + offset)
        colidx.append(c)
        vals.append(v)
        const = fam.const
        lower.append(fam.lower - const)
        upper.append(fam.upper - const)
        offset += len(fam.keys)
    csc = CSC.from_entries(np.concatenate(rows), np.concatenate(colidx), np.concatenate(vals), (offset, cols.n))
    costs, offsets = objective_terms(d, cols, ex)
    col_upper = np.full(cols.n, INF)
    integrality = None
    if d.COHORT_PROGRAMMES:  # cohorts ∈ {0, ..., ⌈intake_upper / cohort_max_size⌉}; cohort_open ∈ {0, 1}
        cohort_cols, open_cols = cols["cohorts"], cols["cohort_open"]
        for i, p in enumerate(d.COHORT_PROGRAMMES):
            col_upper[cohort_cols[i]] = np.ceil(region_year(d, d.intake_upper, p) / d.cohort_max_size[p] - 1e-9)
        col_upper[open_cols] = 1.0
        integrality = np.zeros(cols.n, dtype=bool)
        integrality[cohort_cols.ravel()] = True
        integrality[open_cols.ravel()] = True
    return ArrayCompiled(
        data=d, csc=csc, row_lower=np.concatenate(lower), row_upper=np.concatenate(upper),
        col_lower=np.zeros(cols.n), col_upper=col_upper, term_costs=costs, term_offsets=offsets, integrality=integrality,
        row_families=[(fam.name, fam.keys) for fam in fams], layout=cols, expressions=ex,
    )


def load_values(m: Any, compiled: Any, x: np.ndarray) -> None:
    """Load the solution ``x`` into the Pyomo model ``m`` (the columns of ``compiled``, then any variable in no row)."""
    import pyomo.environ as pyo

    clean = as_loaded(x).tolist()
    for var, value in zip(compiled.columns, clean, strict=True):
        var.set_value(value, skip_validation=True)
    if len(compiled.columns) == sum(len(v) for v in m.component_objects(pyo.Var)):
        return
    position = compiled.col_position
    for var in m.component_data_objects(pyo.Var):
        j = position.get(id(var))
        # A variable in no row and no objective term is free within its bounds: take its lower bound.
        value = float(x[j]) if j is not None else (var.lb or 0.0)
        var.set_value(max(value, 0.0) if abs(value) < 1e-9 else value, skip_validation=True)
