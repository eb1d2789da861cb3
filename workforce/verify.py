"""Verification stage: re-check a solved plan in pandas against the scenario.

``check_rows`` in :mod:`workforce.solve` re-checks the compiled rows at the solver's solution.
This module checks the *plan's tables* instead, recomputing every quantity from the scenario's
parameters: completions from the intake table and the completion rates, leavers from the attrition
rates, each stock from the year before, spend from the course costs, and each objective term. It
then checks stock balances, demand balances, budgets and envelopes, training places (regional and
national), supervision capacity, minimum and maximum intakes, hiring, exit, surplus and
flexible-supply caps, and the reported objective; :mod:`workforce.verify_rules` adds cohorts,
calendars and financial years, tenure, statutory deadlines, targets, place shares and equity.
Whatever cannot be recomputed from the tables is named in the record's ``not_rechecked`` list
(``check_rows`` in :mod:`workforce.solve` re-checks every compiled row regardless). A violation beyond the scenario's
``solver.verify_tolerance`` (relative to the size of the quantity, at least 1) raises
:class:`~workforce.errors.VerificationError`, whatever the solver said.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from workforce import verify_rules as vr
from workforce.errors import VerificationError
from workforce.scenario.schema import TERMS

if TYPE_CHECKING:
    from workforce.data import ModelData
    from workforce.results import Plan

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
        excess = (lhs - rhs) / np.maximum(1.0, rhs.abs())
        self._record(family, what, "exceeds", lhs, rhs, excess)

    def eq(self, family: str, what: str, lhs: pd.Series, rhs: pd.Series | float, *, missing_is_zero: bool = False) -> None:
        """lhs = rhs, row by row (with ``missing_is_zero`` a row on one side only counts as 0 on the other)."""
        lhs, rhs = _align(lhs, rhs, "outer" if missing_is_zero else "inner")
        excess = (lhs - rhs).abs() / np.maximum(1.0, np.maximum(lhs.abs(), rhs.abs()))
        self._record(family, what, "differs from", lhs, rhs, excess)

    def _record(self, family: str, what: str, verb: str, lhs: pd.Series, rhs: pd.Series, excess: pd.Series) -> None:
        self.counts[family] = self.counts.get(family, 0) + len(excess)
        if not len(excess):
            return
        values = np.nan_to_num(excess.to_numpy(dtype=float), nan=np.inf)  # NaN where a number belongs is a violation
        self.worst = max(self.worst, float(values.max()))
        for i in np.flatnonzero(values > self.tolerance):
            label = excess.index[i]
            where = " ".join(map(str, label)) if isinstance(label, tuple) else str(label)
            self.violations.append((
                float(values[i]),
                f"{family}: {what} {where}: {lhs.iloc[i]:.6g} {verb} {rhs.iloc[i]:.6g} ({values[i]:.1e} relative)",
            ))


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


def _by(index: pd.Index, values: dict[Any, float], levels: list[str]) -> pd.Series:
    """Broadcast a parameter keyed by ``levels`` onto ``index``."""
    keys = zip(*(index.get_level_values(level) for level in levels), strict=True)
    return pd.Series([values[k if len(levels) > 1 else k[0]] for k in keys], index=index, dtype=float)


def verify_plan(plan: Plan, tolerance: float | None = None) -> dict[str, Any]:
    """Re-check ``plan`` against its scenario; raise VerificationError or return what was checked."""
    d = plan.data
    tol = d.scenario.solver.verify_tolerance if tolerance is None else tolerance
    c = _Checks(tol)
    starts = vr.term_starters(c, plan, d)
    done = vr.completions_by_programme(d, starts)
    entrants = _check_stocks(c, plan, d, done)
    _check_limits(c, plan, d)
    breach = vr.check_deadlines(c, plan, d, entrants)
    vr.check_targets(c, plan, d, done)
    vr.check_shares(c, plan, d)
    not_rechecked = _check_money(c, plan, d, starts, breach)
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


def _check_stocks(c: _Checks, plan: Plan, d: ModelData, done: pd.DataFrame) -> pd.Series:
    """Stock and demand balances; returns the entrants (completions + hires) by role, region and year."""
    f, w = plan.flows, plan.workforce
    idx = f.index
    # Completions: completion_rate × starters of duration years (or the calendar's delay) earlier, by role.
    completions = done.assign(role=done["programme"].map(d.role_of)).groupby(KRT)["completions"].sum()
    completions = completions.reindex(idx, fill_value=0.0)
    c.eq("completions", "completions of", f["completions"], completions)
    intake = plan.intake["intake"].reset_index()
    intake["role"] = intake["programme"].map(d.source_of)
    retraining = intake[intake["role"] != "external"].groupby(KRT)["intake"].sum().reindex(idx, fill_value=0.0)
    c.eq("retraining", "retraining starters leaving", f["retraining_out"], retraining)
    first = idx.get_level_values("year") == d.first_year
    stock_initial = _by(idx, d.stock_initial, ["role", "region"])
    by_stock = [idx.get_level_values("role"), idx.get_level_values("region")]
    previous_end = f["stock_end"].groupby(by_stock).shift(1)
    c.eq("stock carried over", "opening stock of", f["stock_start"], previous_end.where(~first, stock_initial))
    entrants = completions + f["hires"]
    previous_entrants = entrants.groupby(by_stock).shift(1)
    attrition, attrition_new = _by(idx, d.attrition, ["role", "region"]), _by(idx, d.attrition_new, ["role", "region"])
    leavers = (attrition * (previous_end - previous_entrants) + attrition_new * previous_entrants)
    leavers = leavers.where(~first, attrition * stock_initial)
    by_tenure = vr.tenure_leavers(c, plan, d, done, entrants)
    if len(by_tenure):
        leavers = by_tenure.reindex(leavers.index).combine_first(leavers)
    c.eq("leavers", "attrition leavers of", f["leavers"], leavers)
    balance = f["stock_start"] - f["leavers"] + f["completions"] + f["hires"] - f["retraining_out"] - f["exits"]
    c.eq("stock balance", "closing stock of", f["stock_end"], balance)
    c.le("staff available to retrain or exit", "retraining starters and exits of",
         f["retraining_out"] + f["exits"], f["stock_start"] - f["leavers"])
    c.eq("supply", "supply of", w["supply"], f["stock_end"])
    c.eq("supply", "flexible supply of", w["flexible"], f["flexible"])
    c.eq("demand", "demand of", w["demand"], _series(d.demand, KRT))
    c.eq("demand balance", "supply + flexible + shortfall - surplus of",
         w["supply"] + w["flexible"] + w["shortfall"] - w["surplus"], w["demand"])
    for table, columns in ((w, ["supply", "shortfall", "surplus"]),
                           (f, ["stock_start", "stock_end", "leavers", "completions", "hires", "retraining_out",
                                "exits"])):
        for col in columns:
            c.le("non-negative", f"minus {col} of", -table[col], 0.0)
    return entrants


def _check_limits(c: _Checks, plan: Plan, d: ModelData) -> None:
    intake = plan.intake["intake"]
    f, w = plan.flows, plan.workforce
    c.le("non-negative", "minus the intake of", -intake, 0.0)
    c.le("training places", "intake of", intake, _series(d.places_max, PRI))
    c.le("national training places", "national intake of",
         intake.groupby(level=["programme", "year"]).sum(), _series(d.national_places_max, ["programme", "year"]))
    c.le("minimum intake", "minus the intake of", -intake, -_series(d.intake_min, PRI))
    c.le("maximum intake", "intake of", intake, _series(d.intake_max, PRI))
    for p, ratio in d.supervision_ratio.items():
        supervisors = f["stock_start"].xs(d.supervisor_role[p], level="role")
        c.le("supervision capacity", f"intake of {p} in", intake.xs(p, level="programme"), ratio * supervisors)
    hiring = {k for k, _, _ in d.hires_max}
    c.le("hiring cap", "hires of", f["hires"], _series(d.hires_max, KRT))
    c.le("exit cap", "exits of", f["exits"], _series(d.exits_max, KRT))
    roles = f.index.get_level_values("role")
    c.le("no hiring", "hires of", f["hires"][~roles.isin(list(hiring))], 0.0)
    c.le("no exits", "exits of", f["exits"][~roles.isin([k for k in d.ROLES if d.exits_enabled[k]])], 0.0)
    c.le("surplus cap", "surplus of", w["surplus"], _series(d.surplus_max, KRT))
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
    c.le("flexible-supply cap", "flexible supply of", w["flexible"], _series(high, KRT))
    c.le("flexible-supply cap", "minus the flexible supply of", -w["flexible"], -_series(low, KRT))


def _check_money(c: _Checks, plan: Plan, d: ModelData, starts: pd.DataFrame, breach: float) -> list[str]:
    """Spend items, budgets (academic or financial years), envelopes, objective terms and objective;
    returns what the tables do not determine (the record's ``not_rechecked``)."""
    f, w = plan.flows, plan.workforce
    not_rechecked: list[str] = []
    columns = ["stream", "year", "item", "spent"]
    course = vr.course_costs(d, starts)
    academic_course = course.groupby(["stream", "ay", "item"], as_index=False)["spent"].sum().rename(columns={"ay": "year"})
    by_role_year = {
        "hires": f["hires"].groupby(level=["role", "year"]).sum(),
        "exits": f["exits"].groupby(level=["role", "year"]).sum(),
        "flexible": w["flexible"].groupby(level=["role", "year"]).sum(),
    }
    extra = []
    for kind, cost, stream in (("hires", d.cost_hire, d.stream_hire), ("exits", d.cost_exit, d.stream_exit)):
        label = "hiring" if kind == "hires" else "exits"
        for (k, t), n in by_role_year[kind].items():
            if stream[k] is not None and cost[k]:
                extra.append({"stream": stream[k], "year": t, "item": f"{label}:{k}", "spent": cost[k] * n})
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
    by_stream = pd.concat([academic.groupby("stream")["spent"].sum(), flex_academic.groupby(level="stream").sum()])
    c.le("whole-horizon envelope", "spend over the horizon of", by_stream.groupby(level=0).sum().rename_axis("stream"),
         _series(d.envelope, ["stream"]))
    # Objective terms and the objective itself.
    roles = w.index.get_level_values("role")
    terms = {
        "shortfall": float((w["shortfall"] * roles.map(d.penalty_shortfall)).sum()) + breach,
        "training_cost": float(academic_course["spent"].sum())
        + float(other.loc[other["item"].str.startswith("cohorts:"), "spent"].sum()),
        "hiring_cost": float((f["hires"] * roles.map(d.cost_hire)).sum()),
        "surplus_cost": float((w["surplus"] * roles.map(d.cost_surplus)).sum()),
        "exit_cost": float((f["exits"] * roles.map(d.cost_exit)).sum()),
    }
    flex = _flexible_cost(plan, d, flex_academic)
    if flex is not None:
        terms["flexible_cost"] = flex
    else:
        not_rechecked.append("objective term flexible_cost and the objective: flexible-supply options without a "
                             "costed funding stream are not priced in the tables")
    reported = plan.summary["terms"]
    names = list(terms)
    c.eq("objective terms", "term", pd.Series([reported[t] for t in names], index=names),
         pd.Series([terms[t] for t in names], index=names))
    if len(terms) == len(TERMS):
        objective = sum(d.weights[t] * terms[t] for t in TERMS)
        c.eq("objective", "objective", pd.Series([plan.summary["objective"]], index=["value"]),
             pd.Series([objective], index=["value"]))
    return not_rechecked


def _flexible_cost(plan: Plan, d: ModelData, academic_items: pd.Series) -> float | None:
    """Cost of flexible supply, when the tables determine it: a role with one option (units =
    flexible / fte_per_unit) or options whose spend items carry it (``academic_items``: those items by
    academic year); otherwise None."""
    total = 0.0
    detail = academic_items.groupby(level="item").sum()
    flexible = plan.workforce["flexible"].groupby(level="role").sum()
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
