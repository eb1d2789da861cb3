"""Verification stage: re-check a solved plan in pandas against the scenario.

``check_rows`` in :mod:`workforce.solve` re-checks the compiled rows at the solver's solution.
This module checks the *plan's tables* instead, recomputing every quantity from the scenario's
parameters: completions from the intake table and the completion rates, leavers from the attrition
rates, each stock from the year before, spend from the course costs, and each objective term. It
then checks stock balances, demand balances, budgets and envelopes, training places (regional and
national), supervision capacity, minimum and maximum intakes, hiring, exit, surplus and
flexible-supply caps, and the reported objective; :mod:`workforce.plan.verify_rules` adds cohorts,
calendars and financial years, tenure, statutory deadlines, targets, place shares and equity.
Whatever cannot be recomputed from the tables is named in the record's ``not_rechecked`` list
(``check_rows`` in :mod:`workforce.solve` re-checks every compiled row regardless). A violation beyond the scenario's
``solver.verify_tolerance`` (relative to the size of the quantity, at least 1) raises
:class:`~workforce.errors.VerificationError`, whatever the solver said.
"""

from __future__ import annotations

import itertools
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from workforce.errors import VerificationError
from workforce.model.capacity_years import counted_series
from workforce.model.gc_pause import paused_gc
from workforce.plan import verify_rules as vr
from workforce.plan.fte_check import fte_at, heads_flows, retraining_fte, supervisors_counted
from workforce.plan.horizon_cut import whole_plan
from workforce.plan.movement import check_movement
from workforce.plan.moves_check import check_moves, move_cost, move_spend_items
from workforce.plan.verify_tiebreak import (
    check_intake_change_limit,
    check_steady_state,
    check_tie_break,
    completer_credit_of,
)
from workforce.scenario.horizon_extend import envelope_years
from workforce.scenario.schema import TERMS

if TYPE_CHECKING:
    from workforce.model.data import ModelData
    from workforce.plan.results import Plan

PRI = ["programme", "region", "year"]
KRT = ["role", "region", "year"]
SHOWN = 8
"""Violations listed in the error message (the count says how many there are in all)."""


class _Checks:
    def __init__(self, tolerance: float):
        self.tolerance = tolerance
        self.counts: dict[str, int] = {}
        self.worst = 0.0
        self.violations: list[tuple[float, str]] = []

    def le(self, family: str, what: str, lhs: pd.Series, rhs: pd.Series | float) -> None:
        """lhs ≤ rhs, row by row (rows missing from ``rhs`` have no limit)."""
        lhs, rhs = _align(lhs, rhs)
        self.le_at(family, what, lhs.index, lhs.to_numpy(), rhs.to_numpy())

    def eq(self, family: str, what: str, lhs: pd.Series, rhs: pd.Series | float, *, missing_is_zero: bool = False) -> None:
        """lhs = rhs, row by row (with ``missing_is_zero`` a row on one side only counts as 0 on the other)."""
        lhs, rhs = _align(lhs, rhs, "outer" if missing_is_zero else "inner")
        self.eq_at(family, what, lhs.index, lhs.to_numpy(), rhs.to_numpy())

    def le_at(self, family: str, what: str, index: pd.Index, lhs: np.ndarray, rhs: np.ndarray | float,
              have: np.ndarray | None = None) -> None:
        """lhs ≤ rhs for the rows of ``index`` (arrays aligned with it), only where ``have`` if given."""
        lhs, rhs, rows = _pick(lhs, rhs, have)
        excess = (lhs - rhs) / np.maximum(1.0, np.abs(rhs))
        self._record(family, what, "exceeds", index, rows, lhs, rhs, excess)

    def eq_at(self, family: str, what: str, index: pd.Index, lhs: np.ndarray, rhs: np.ndarray | float,
              have: np.ndarray | None = None) -> None:
        """lhs = rhs for the rows of ``index`` (arrays aligned with it), only where ``have`` if given."""
        lhs, rhs, rows = _pick(lhs, rhs, have)
        excess = np.abs(lhs - rhs) / np.maximum(1.0, np.maximum(np.abs(lhs), np.abs(rhs)))
        self._record(family, what, "differs from", index, rows, lhs, rhs, excess)

    def _record(self, family: str, what: str, verb: str, index: pd.Index, rows: np.ndarray | None,
                lhs: np.ndarray, rhs: np.ndarray, excess: np.ndarray) -> None:
        self.counts[family] = self.counts.get(family, 0) + len(excess)
        if not len(excess):
            return
        values = np.nan_to_num(excess, nan=np.inf)  # NaN where a number belongs is a violation
        self.worst = max(self.worst, float(values.max()))
        for i in np.flatnonzero(values > self.tolerance):
            label = index[i if rows is None else rows[i]]
            where = " ".join(map(str, label)) if isinstance(label, tuple) else str(label)
            self.violations.append((
                float(values[i]),
                f"{family}: {what} {where}: {lhs[i]:.6g} {verb} {rhs[i]:.6g} ({values[i]:.1e} relative)",
            ))


def _pick(lhs: np.ndarray, rhs: np.ndarray | float, have: np.ndarray | None
          ) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """Both sides as float arrays of the same length, restricted to the rows where ``have``."""
    lhs = np.asarray(lhs, dtype=float)
    rhs = np.broadcast_to(np.asarray(rhs, dtype=float), lhs.shape)
    if have is None:
        return lhs, rhs, None
    rows = np.flatnonzero(have)
    return lhs[rows], rhs[rows], rows


def _align(lhs: pd.Series, rhs: pd.Series | float, join: str = "inner") -> tuple[pd.Series, pd.Series]:
    if not isinstance(rhs, pd.Series):
        return lhs.astype(float), pd.Series(float(rhs), index=lhs.index)
    if not lhs.index.equals(rhs.index):
        lhs, rhs = lhs.align(rhs, join=join, fill_value=0.0 if join == "outer" else None)
    return lhs.astype(float), rhs.astype(float)


def _series(values: dict[Any, float], names: list[str]) -> pd.Series:
    """A parameter dict keyed by tuples (or by plain keys, for one level) as a Series with named levels."""
    keys = list(values)
    data = np.fromiter(values.values(), dtype=float, count=len(keys))
    if len(names) == 1:
        return pd.Series(data, index=pd.Index(keys, name=names[0]), dtype=float)
    return pd.Series(data, index=pd.MultiIndex.from_tuples(keys, names=names) if keys else
                     pd.MultiIndex.from_arrays([[]] * len(names), names=names), dtype=float)


class _Sets:
    """Rows of the plan's tables as positions in products of the scenario's sets, so that
    parameters (dicts keyed by set members) and sums meet the tables as numpy arrays.

    A position is the row-major offset of a row's key in the product of the sets named by its
    levels (in ModelData's order); a row whose key has a value outside its set gets -1 and meets
    no parameter (as a key missing from an aligned Series would)."""

    def __init__(self, d: ModelData):
        self.members: dict[str, list[Any]] = {"programme": d.PROGRAMMES, "role": d.ROLES, "region": d.REGIONS,
                                              "year": d.YEARS, "stream": d.STREAMS}
        self._full: dict[tuple[str, ...], list[Any]] = {}

    def size(self, levels: list[str]) -> int:
        return int(np.prod([len(self.members[name]) for name in levels]))

    def codes(self, index: pd.Index, level: str) -> np.ndarray:
        """Position of each row's ``level`` value among the set's members (-1 outside it)."""
        where = {m: j for j, m in enumerate(self.members[level])}
        if isinstance(index, pd.MultiIndex):
            i = index.names.index(level)
            values, codes = index.levels[i], np.asarray(index.codes[i])
        else:
            codes, values = pd.factorize(index)
        lut = np.array([where.get(v, -1) for v in values] + [-1], dtype=np.int64)  # code -1 (NaN) → -1
        return lut[codes]

    def positions(self, index: pd.Index, levels: list[str]) -> np.ndarray:
        """Row-major position of each row in the product of ``levels``' sets (-1 outside it)."""
        pos = np.zeros(len(index), dtype=np.int64)
        outside = np.zeros(len(index), dtype=bool)
        for level in levels:
            code = self.codes(index, level)
            outside |= code < 0
            pos = pos * len(self.members[level]) + code
        pos[outside] = -1
        return pos

    def grid(self, values: dict[Any, float], levels: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """A parameter keyed by members of ``levels``' sets over their product: (values, present)."""
        n = self.size(levels)
        keys = list(values)
        if len(keys) == n:
            full = self._full.get(tuple(levels))
            if full is None:
                sets = [self.members[name] for name in levels]
                full = self._full[tuple(levels)] = list(itertools.product(*sets)) if len(sets) > 1 else sets[0]
            if keys == full:  # the usual case: every key, in the sets' order
                return np.fromiter(values.values(), dtype=float, count=n), np.ones(n, dtype=bool)
        grid, have = np.full(n, np.nan), np.zeros(n, dtype=bool)
        if not keys:
            return grid, have
        pos = np.zeros(len(keys), dtype=np.int64)
        outside = np.zeros(len(keys), dtype=bool)
        for name, part in zip(levels, zip(*keys, strict=True) if len(levels) > 1 else [keys], strict=True):
            where = {m: j for j, m in enumerate(self.members[name])}
            code = np.fromiter(map(where.get, part, itertools.repeat(-1)), dtype=np.int64, count=len(keys))
            outside |= code < 0
            pos = pos * len(where) + code
        inside = pos[~outside]
        grid[inside] = np.fromiter(values.values(), dtype=float, count=len(keys))[~outside]
        have[inside] = True
        return grid, have

    def param(self, index: pd.Index, values: dict[Any, float], levels: list[str],
              pos: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """``values`` at each row of ``index`` (keyed by its ``levels``): (values, present)."""
        grid, have = self.grid(values, levels)
        pos = self.positions(index, levels) if pos is None else pos
        inside = pos >= 0
        at = np.where(inside, pos, 0)
        return np.where(inside, grid[at], np.nan), inside & have[at]

    def total(self, pos: np.ndarray, values: np.ndarray, levels: list[str]) -> np.ndarray:
        """Sum of ``values`` by position over the product of ``levels`` (rows at -1 are left out)."""
        inside = pos >= 0
        return np.bincount(pos[inside], weights=values[inside], minlength=self.size(levels))


def verify_plan(plan: Plan, tolerance: float | None = None) -> dict[str, Any]:
    """Re-check ``plan`` (a plan cut to its reported years: over every planned year, section 10.4)
    against its scenario; raise VerificationError or return what was checked."""
    with paused_gc():  # the re-check makes no cycles; collections walked the whole plan (0.08 s at 153x10x20)
        return _verify(whole_plan(plan), tolerance)


def _verify(plan: Plan, tolerance: float | None) -> dict[str, Any]:
    d = plan.data
    tol = d.scenario.solver.verify_tolerance if tolerance is None else tolerance
    c = _Checks(tol)
    sets = _Sets(d)
    starts = vr.term_starters(c, plan, d, sets)
    done = vr.completions_by_programme(d, starts)
    entrants = _check_stocks(c, plan, d, done, sets)
    _check_limits(c, plan, d, sets)
    breach = vr.check_deadlines(c, plan, d, entrants)
    vr.check_targets(c, plan, d, done)
    vr.check_shares(c, plan, d)
    not_rechecked = _check_money(c, plan, d, starts, breach, sets)
    not_rechecked += vr.check_equity(c, plan, d)
    if c.violations:
        c.violations.sort(key=lambda v: -v[0])
        shown = [text for _, text in c.violations[:SHOWN]]
        more = len(c.violations) - len(shown)
        raise VerificationError(
            f"the plan fails its re-check against the scenario ({len(c.violations)} violation(s) beyond the "
            f"tolerance {tol:g}), whatever the solver reported; no plan is returned or written:\n"
            + "\n".join(f"  - {text}" for text in shown)
            + (f"\n  - ... and {more} more" if more else "")
        )
    return {
        "passed": True,
        "tolerance": tol,
        "values_checked": sum(c.counts.values()),
        "checks": dict(c.counts),
        "worst_relative_violation": float(f"{c.worst:.3g}"),
        "not_rechecked": not_rechecked,
    }


def _check_stocks(c: _Checks, plan: Plan, d: ModelData, done: pd.DataFrame, sets: _Sets) -> pd.Series:
    """Stock and demand balances; returns the entrants (completions + hires) by role, region and year."""
    f, w = plan.flows, plan.workforce
    idx = f.index
    pos = sets.positions(idx, KRT)
    col = {name: f[name].to_numpy(dtype=float) for name in f.columns}
    # Completions: completion_rate × starters of duration years (or the calendar's delay) earlier, by role.
    role_code = np.array([d.ROLES.index(d.role_of[p]) for p in d.PROGRAMMES] + [-1])
    completions = _at(pos, sets.total(_done_positions(sets, done, role_code), done["completions"].to_numpy(float), KRT))
    completions = completions * fte_at(d, idx)  # section 23: people joining an FTE role, in FTE
    c.eq_at("completions", "completions of", idx, col["completions"], completions)
    intake = plan.intake["intake"]
    source_code = np.array([-1 if d.source_of[p] == "external" else d.ROLES.index(d.source_of[p])
                            for p in d.PROGRAMMES] + [-1])
    intake_pos = _krt(sets, intake.index, source_code)
    retraining = _at(pos, sets.total(intake_pos, retraining_fte(d, intake), KRT))
    c.eq_at("retraining", "retraining starters leaving", idx, col["retraining_out"], retraining)
    first = idx.get_level_values("year").to_numpy() == d.first_year
    pair = sets.positions(idx, ["role", "region"])
    stock_initial = sets.param(idx, d.stock_initial, ["role", "region"], pair)[0]
    previous = _previous(pair)  # the row before in the same role and region (as groupby(...).shift(1))
    previous_end = _shift(col["stock_end"], previous)
    c.eq_at("stock carried over", "opening stock of", idx, col["stock_start"],
            np.where(first, stock_initial, previous_end))
    entrants = completions + col["hires"]  # in the role's unit (FTE for an FTE role)
    previous_entrants = _shift(entrants, previous)
    attrition = sets.param(idx, d.attrition, ["role", "region"], pair)[0]
    attrition_new = sets.param(idx, d.attrition_new, ["role", "region"], pair)[0]
    leavers = attrition * (previous_end - previous_entrants) + attrition_new * previous_entrants
    leavers = np.where(first, attrition * stock_initial, leavers)
    entrants = pd.Series(entrants, index=idx)
    by_tenure = vr.tenure_leavers(c, plan, d, done, entrants)
    if len(by_tenure):
        leavers = by_tenure.reindex(idx).combine_first(pd.Series(leavers, index=idx)).to_numpy(dtype=float)
    c.eq_at("leavers", "attrition leavers of", idx, col["leavers"], leavers)
    moved_in, moved_out = check_movement(c, plan, d, idx, col)  # section 21.4
    moves_in, moves_out = check_moves(c, plan, d, idx, col)  # section 24
    moved_in, moved_out = moved_in + moves_in, moved_out + moves_out
    balance = (col["stock_start"] - col["leavers"] + col["completions"] + col["hires"] - col["retraining_out"]
               - col["exits"] + moved_in - moved_out)
    c.eq_at("stock balance", "closing stock of", idx, col["stock_end"], balance)
    c.le_at("staff available to retrain or exit", "retraining starters and exits of", idx,
            col["retraining_out"] + col["exits"], col["stock_start"] - col["leavers"] - moved_out)
    # Workforce against flows: by position when both tables have the same rows (the usual case).
    same = w.index.equals(idx)
    wcol = {name: w[name].to_numpy(dtype=float) for name in ["supply", "flexible", "demand", "shortfall", "surplus"]}
    for name, what, other in (("supply", "supply of", "stock_end"), ("flexible", "flexible supply of", "flexible")):
        if same:
            c.eq_at("supply", what, idx, wcol[name], col[other])
        else:
            c.eq("supply", what, w[name], f[other])
    demand, have = sets.param(w.index, d.demand, KRT)
    c.eq_at("demand", "demand of", w.index, wcol["demand"], demand, have)
    c.eq_at("demand balance", "supply + flexible + shortfall - surplus of", w.index,
            wcol["supply"] + wcol["flexible"] + wcol["shortfall"] - wcol["surplus"], wcol["demand"])
    for table, cols, columns in ((w, wcol, ["supply", "shortfall", "surplus"]),
                                 (f, col, ["stock_start", "stock_end", "leavers", "completions", "hires",
                                           "retraining_out", "exits"])):
        for name in columns:
            c.le_at("non-negative", f"minus {name} of", table.index, -cols[name], 0.0)
    return entrants


def _at(pos: np.ndarray, grid: np.ndarray) -> np.ndarray:
    """``grid`` (over a product of sets) at each row's position; 0 for rows outside the sets."""
    return np.where(pos >= 0, grid[np.maximum(pos, 0)], 0.0)


def _krt(sets: _Sets, index: pd.Index, role_code: np.ndarray) -> np.ndarray:
    """Positions in role × region × year of the rows of a table by programme, region and year, the
    programme turned into a role by ``role_code`` (-1: no role)."""
    role = role_code[sets.codes(index, "programme")]
    region = sets.codes(index, "region")
    year = sets.codes(index, "year")
    inside = (role >= 0) & (region >= 0) & (year >= 0)
    return np.where(inside, (role * len(sets.members["region"]) + region) * len(sets.members["year"]) + year, -1)


def _done_positions(sets: _Sets, done: pd.DataFrame, role_code: np.ndarray) -> np.ndarray:
    """Positions in role × region × year of the completions rows (by programme, region, year)."""
    index = pd.MultiIndex.from_frame(done[PRI]) if len(done) else pd.MultiIndex.from_arrays([[]] * 3, names=PRI)
    return _krt(sets, index, role_code)


def _previous(group: np.ndarray) -> np.ndarray:
    """For each row, the row before it among the rows of the same group (-1 for a group's first)."""
    order = np.argsort(group, kind="stable")
    before = np.full(len(group), -1, dtype=np.int64)
    same = group[order[1:]] == group[order[:-1]]
    before[order[1:][same]] = order[:-1][same]
    return before


def _shift(values: np.ndarray, previous: np.ndarray) -> np.ndarray:
    return np.where(previous >= 0, values[np.maximum(previous, 0)], np.nan)


def _check_limits(c: _Checks, plan: Plan, d: ModelData, sets: _Sets) -> None:
    intake = plan.intake["intake"]
    f, w = plan.flows, plan.workforce
    pidx = intake.index
    x = intake.to_numpy(dtype=float)
    prt = sets.positions(pidx, PRI)
    c.le_at("non-negative", "minus the intake of", pidx, -x, 0.0)
    counted = {cap: counted_series(d, cap, intake) for cap in ("places", "national_places", "supervision")}
    c.le_at("training places", "intake of", pidx, counted["places"].to_numpy(dtype=float),
            *sets.param(pidx, d.places_max, PRI, prt))
    c.le("national training places", "national intake of",
         counted["national_places"].groupby(level=["programme", "year"]).sum(),
         _series(d.national_places_max, ["programme", "year"]))
    low, have = sets.param(pidx, d.intake_min, PRI, prt)
    c.le_at("minimum intake", "minus the intake of", pidx, -x, -low, have)
    c.le_at("maximum intake", "intake of", pidx, x, *sets.param(pidx, d.intake_max, PRI, prt))
    for p, ratio in d.supervision_ratio.items():
        basis = "stock_end" if p in d.SUPERVISION_END else "stock_start"
        supervisors = supervisors_counted(d, p, f[basis].xs(d.supervisor_role[p], level="role"))
        c.le("supervision capacity", f"intake of {p} in", counted["supervision"].xs(p, level="programme"),
             ratio * supervisors)
    hiring = {k for k, _, _ in d.hires_max}
    fidx, widx = f.index, w.index
    krt = sets.positions(fidx, KRT)
    people = heads_flows(plan, d)  # section 23: hires and exits are capped per person
    hires, exits = people["hires"].to_numpy(dtype=float), people["exits"].to_numpy(dtype=float)
    c.le_at("hiring cap", "hires of", fidx, hires, *sets.param(fidx, d.hires_max, KRT, krt))
    c.le_at("exit cap", "exits of", fidx, exits, *sets.param(fidx, d.exits_max, KRT, krt))
    roles = fidx.get_level_values("role")
    c.le_at("no hiring", "hires of", fidx, hires, 0.0, ~roles.isin(list(hiring)))
    c.le_at("no exits", "exits of", fidx, exits, 0.0, ~roles.isin([k for k in d.ROLES if d.exits_enabled[k]]))
    surplus = w["surplus"].to_numpy(dtype=float)
    wkrt = sets.positions(widx, KRT)
    c.le_at("surplus cap", "surplus of", widx, surplus, *sets.param(widx, d.surplus_max, KRT, wkrt))
    shortfall = w["shortfall"].to_numpy(dtype=float)
    allowed = {key: (1.0 - share) * d.demand[key] for key, share in d.required_share.items()}
    c.le_at("hard requirement", "shortfall of", widx, shortfall, *sets.param(widx, allowed, KRT, wkrt))
    for g, (members, cap) in d.surplus_groups.items():
        combined = w["surplus"][w.index.get_level_values("role").isin(members)].groupby(level=["region", "year"]).sum()
        c.le("group surplus cap", f"combined surplus of group {g} in", combined, _series(cap, ["region", "year"]))
    # Flexible supply: between the options' caps times their FTE per unit (negative options reduce it).
    high = {key: 0.0 for key in d.demand}
    low = dict(high)
    for (k, o, r, t), cap in d.flex_max.items():
        fte = d.fte_per_unit[k, o]
        high[k, r, t] += max(fte, 0.0) * cap
        low[k, r, t] += min(fte, 0.0) * cap
    flexible = w["flexible"].to_numpy(dtype=float)
    c.le_at("flexible-supply cap", "flexible supply of", widx, flexible, *sets.param(widx, high, KRT, wkrt))
    floor, have = sets.param(widx, low, KRT, wkrt)
    c.le_at("flexible-supply cap", "minus the flexible supply of", widx, -flexible, -floor, have)


def _check_money(c: _Checks, plan: Plan, d: ModelData, starts: pd.DataFrame, breach: float, sets: _Sets
                 ) -> list[str]:
    """Spend items, budgets (academic or financial years), envelopes, objective terms and objective;
    returns what the tables do not determine (the record's ``not_rechecked``)."""
    f, w = heads_flows(plan, d), plan.workforce  # hires and exits cost per person (section 23)
    not_rechecked: list[str] = []
    columns = ["stream", "year", "item", "spent"]
    course = vr.course_costs(d, starts)
    academic_course = course.groupby(["stream", "ay", "item"], as_index=False)["spent"].sum().rename(columns={"ay": "year"})
    by_role_year = {name: _by_role_year(sets, d, table[name]) for name, table in (("hires", f), ("exits", f),
                                                                                  ("flexible", w))}
    extra = []
    for kind, cost, stream in (("hires", d.cost_hire, d.stream_hire), ("exits", d.cost_exit, d.stream_exit)):
        label = "hiring" if kind == "hires" else "exits"
        for (k, t), n in by_role_year[kind].items():
            if stream[k] is not None and cost[k]:
                extra.append({"stream": stream[k], "year": t, "item": f"{label}:{k}", "spent": cost[k] * n})
    extra += move_spend_items(plan, d)  # section 24
    # Flexible supply: a role with one option buys flexible / fte_per_unit units of it.
    single = {k: [(kk, o) for kk, o in d.FLEX if kk == k] for k in d.ROLES}
    for (k, t), fte in by_role_year["flexible"].items():
        if len(single[k]) == 1 and d.stream_flex[single[k][0]] is not None:
            key = single[k][0]
            extra.append({"stream": d.stream_flex[key], "year": t, "item": f"flexible:{k}.{key[1]}",
                          "spent": d.cost_flex[key] * fte / d.fte_per_unit[key]})
    unknown = [f"flexible:{k}.{o}" for k, options in single.items() if len(options) > 1 for _, o in options]
    if unknown:
        not_rechecked.append("spend items " + ", ".join(unknown) + ": a role with several flexible-supply options "
                             "has only its total flexible FTE in the tables, not the units of each option")
    other = pd.concat([pd.DataFrame(extra, columns=columns), vr.check_cohorts(c, plan, d)], ignore_index=True)
    fy = list(d.FY_STREAMS)
    academic = pd.concat([academic_course, other], ignore_index=True)
    fy_course = course[course["stream"].isin(fy) & course["fy"].isin(d.YEARS)]
    fy_course = fy_course.groupby(["stream", "fy", "item"], as_index=False)["spent"].sum().rename(columns={"fy": "year"})
    reported_by_year = pd.concat([academic[~academic["stream"].isin(fy)], fy_course,
                                  vr.financial_years(d, other[other["stream"].isin(fy)])], ignore_index=True)
    detail = plan.spend_detail["spent"]
    recomputed = reported_by_year.groupby(["stream", "year", "item"])["spent"].sum()
    shown = ~detail.index.get_level_values("item").isin(unknown)
    c.eq("spend", "spend of", detail[shown], recomputed, missing_is_zero=True)
    c.le("non-negative", "minus the spend of", -detail, 0.0)
    spent = plan.spend["spent"]
    c.eq("spend", "total spend of", spent, detail.groupby(level=["stream", "year"]).sum().reindex(spent.index, fill_value=0.0))
    c.le("budget", "spend of", spent, _series(d.budget, ["stream", "year"]))
    # Envelopes are on academic years: financial-year streams' options are turned back into academic years.
    options = detail[~shown]
    streams = options.index.get_level_values("stream")
    flex_academic = pd.concat([options[~streams.isin(fy)], vr.academic_from_financial(d, options[streams.isin(fy)])])
    covered, years_of = envelope_years(d.YEARS), flex_academic.index.get_level_values("year")  # section 10.4
    by_stream = pd.concat([academic[academic["year"].isin(covered)].groupby("stream")["spent"].sum(),
                           flex_academic[years_of.isin(covered)].groupby(level="stream").sum()])
    c.le("whole-horizon envelope", "spend over the horizon of", by_stream.groupby(level=0).sum().rename_axis("stream"),
         _series(d.envelope, ["stream"]))
    # Objective terms and the objective itself.
    from workforce.model.discount import at_end, year_factors  # section 8.7: money of year t at disc[t]

    def priced(table: pd.DataFrame, column: str, price: dict[str, float]) -> float:
        """Σ column × the row's role's price × disc[year] (rows of an unknown role, or NaN, add
        nothing, as in Series.sum)."""
        disc = year_factors(d, table.index.get_level_values("year"))
        return float(np.nansum(table[column].to_numpy(dtype=float) * sets.param(table.index, price, ["role"])[0] * disc))

    def discounted(items: pd.DataFrame) -> float:
        return float((items["spent"].to_numpy(dtype=float) * year_factors(d, items["year"])).sum())

    terms = {
        "shortfall": priced(w, "shortfall", d.penalty_shortfall) + breach
        + at_end(d) * vr.check_post_horizon(c, plan, d, starts) - completer_credit_of(plan, d),  # section 10.3
        "training_cost": discounted(academic_course) + discounted(other[other["item"].str.startswith("cohorts:")]),
        "hiring_cost": priced(f, "hires", d.cost_hire) + move_cost(plan, d),  # paid moves count with hiring
        "surplus_cost": priced(w, "surplus", d.cost_surplus),
        "exit_cost": priced(f, "exits", d.cost_exit),
    }
    flex = _flexible_cost(plan, d, flex_academic)
    if flex is not None:
        terms["flexible_cost"] = flex
    else:
        not_rechecked.append("objective term flexible_cost and the objective: flexible-supply options without a "
                             "costed funding stream are not priced in the tables")
    terms.update(vr.people_counts(plan, d))
    check_tie_break(c, plan, d, terms)  # section 8.5
    check_intake_change_limit(c, plan, d)  # section 8.6
    check_steady_state(c, plan, d)  # section 10.2
    reported = plan.summary["terms"]
    names = list(terms)
    c.eq("objective terms", "term", pd.Series([reported[t] for t in names], index=names),
         pd.Series([terms[t] for t in names], index=names))
    if len(terms) == len(TERMS):
        objective = sum(d.weights[t] * terms[t] for t in TERMS)
        c.eq("objective", "objective", pd.Series([plan.summary["objective"]], index=["value"]),
             pd.Series([objective], index=["value"]))
    return not_rechecked


def _by_role_year(sets: _Sets, d: ModelData, column: pd.Series) -> dict[tuple[str, int], float]:
    """Sums of ``column`` by role and year (as groupby; rows of an unknown role or year are left out)."""
    pos = sets.positions(column.index, ["role", "year"])
    total = sets.total(pos, column.to_numpy(dtype=float), ["role", "year"])
    present = np.flatnonzero(np.bincount(pos[pos >= 0], minlength=len(total)))
    n = len(d.YEARS)
    return {(d.ROLES[i // n], d.YEARS[i % n]): float(total[i]) for i in present}


def _flexible_cost(plan: Plan, d: ModelData, academic_items: pd.Series) -> float | None:
    """Cost of flexible supply, when the tables determine it: a role with one option (units =
    flexible / fte_per_unit) or options whose spend items carry it (``academic_items``: those items by
    academic year); otherwise None."""
    from workforce.model.discount import year_factors  # section 8.7: each year's money at disc[t]

    total = 0.0
    detail = (academic_items * year_factors(d, academic_items.index.get_level_values("year"))).groupby(level="item").sum()
    flexible = plan.workforce["flexible"]
    flexible = (flexible * year_factors(d, flexible.index.get_level_values("year"))).groupby(level="role").sum()
    for k in d.ROLES:
        options = [(kk, o) for kk, o in d.FLEX if kk == k]
        if len(options) == 1:
            key = options[0]
            total += d.cost_flex[key] * flexible.get(k, 0.0) / d.fte_per_unit[key]
        elif options:
            if not all(d.stream_flex[key] is not None and d.cost_flex[key] > 0 for key in options):
                return None
            total += sum(float(detail.get(f"flexible:{kk}.{o}", 0.0)) for kk, o in options)
    return total
