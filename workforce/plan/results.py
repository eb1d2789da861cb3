"""Results stage: solved arrays → Plan, a set of tidy DataFrames with named index levels.

Tables (index levels in brackets; units in ``DataFrame.attrs["units"]``):

* ``intake`` [programme, region, year]: starters, expected completions, the limits that applied;
* ``workforce`` [role, region, year]: supply, flexible supply, demand, shortfall, surplus;
* ``flows`` [role, region, year]: the stock balance term by term;
* ``spend`` [stream, year]: money spent against the budget;
* ``spend_detail`` [stream, year, item]: spend by programme, hiring, flexible supply and exits;
* ``summary``: status, objective and each term, timings, versions, hashes.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from workforce.conveniences import provider
from workforce.model import arrays
from workforce.model.capacity_years import room_for_starters
from workforce.model.data import ModelData
from workforce.model.horizon import post_keys
from workforce.plan.extract import plan_tables
from workforce.plan.tables import TABLES as TABLES
from workforce.plan.tables import PlanFields, labels_from_data
from workforce.scenario.schema import TERMS

if TYPE_CHECKING:  # Pyomo loads only with a Pyomo model (a plan from the arrays never needs it)
    import pyomo.environ as pyo

    from workforce.model.compiled import Compiled
    from workforce.plan.solution import SolveInfo



def tables_fingerprint(plan: Plan) -> str:
    """sha256 of every table of ``plan`` (index, columns and values): changes when a table is edited."""
    import hashlib

    digest = hashlib.sha256()
    for name, df in sorted(plan.tables().items()):
        digest.update(f"{name}\0{list(df.columns)}\0{list(df.index.names)}\0{df.shape}\0".encode())
        digest.update(pd.util.hash_pandas_object(df, index=True).to_numpy().tobytes())
    return digest.hexdigest()


class Solved:
    """The (Compiled, SolveInfo) pair a plan came from, unpacked as ``compiled, info = plan.solved``.

    Kept in memory only: pickling a plan (e.g. back from a worker process) drops it, because the
    Pyomo model cannot be pickled; such a plan is explained by solving its scenario again.
    """

    def __init__(self, compiled: Any, info: Any):
        self.compiled = compiled
        self.info = info

    def __iter__(self) -> Any:
        return iter((self.compiled, self.info))

    def __getstate__(self) -> dict[str, Any]:
        return {"compiled": None, "info": None}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.compiled = state["compiled"]
        self.info = state["info"]


@dataclass
class Plan(PlanFields):
    """A solved scenario: the plan's tables (the fields of :class:`PlanFields`) and how it was obtained."""

    data: ModelData = field(repr=False)
    extra: dict[str, pd.DataFrame] = field(default_factory=dict, repr=False)
    """Tables only some scenarios have, e.g. ``tenure`` (roles with a tenure profile)."""
    solved: Solved | None = field(default=None, repr=False, compare=False)
    """The compiled model and SolveInfo the plan came from: what ``explain`` re-solves."""
    verified_tables: str | None = field(default=None, repr=False, compare=False)
    """:func:`tables_fingerprint` of the tables the re-check passed on (None: not re-checked)."""
    planned: Plan | None = field(default=None, repr=False, compare=False)
    """With ``horizon.plan_to``, the plan over every planned year that this one shows the reported
    years of (workforce/plan/horizon_cut.py); None otherwise."""

    @property
    def status(self) -> str:
        return self.summary["status"]

    @property
    def objective(self) -> float:
        return self.summary["objective"]

    @property
    def objective_cash(self) -> float:
        """The objective with each year's money at face value: the same as ``objective`` unless
        ``objective.discount`` discounts it (models/cohort_planning.md, section 8.7)."""
        return self.summary.get("objective_cash", self.summary["objective"])

    @property
    def terms_cash(self) -> dict[str, float]:
        """The objective's terms in cash (``summary["terms"]`` are discounted under ``objective.discount``)."""
        return self.summary.get("terms_cash", self.summary["terms"])

    @property
    def plot(self) -> Any:  # a workforce.plots.PlotAccessor (the plots stage sits above this one)
        """Charts of this plan: ``plan.plot.capacity_map("ep")``, ``plan.plot.spend()``, ... (workforce.plots)."""
        return provider("plan.plot")(self)

    def tables(self) -> dict[str, pd.DataFrame]:
        return {**{name: getattr(self, name) for name in TABLES}, **self.extra}

    def export(self, out_dir: str | Path, formats: str | tuple[str, ...] | list[str] = ("csv",),
               charts: tuple[str, ...] = ()) -> Path:
        """Write the plan (``csv``, ``xlsx``, ``parquet``), summary.json and manifest.json (and,
        with ``charts=("png", "svg")``, every chart into charts/) into the run directory
        ``out_dir``, complete or not at all (see :mod:`workforce.output.export`)."""
        self.recheck_if_edited()
        return provider("plan.export")(self, out_dir, formats, charts=charts)

    def recheck_if_edited(self) -> None:
        """If the tables changed since the plan passed its re-check, re-check them now: raise
        :class:`~workforce.errors.VerificationError` if they no longer hold, and mark the summary
        ``edited_after_solve`` either way, so no edited plan is written as the solver's verified one."""
        if self.verified_tables is None or tables_fingerprint(self) == self.verified_tables:
            return
        from workforce.plan.verify import verify_plan

        self.summary["edited_after_solve"] = True
        self.summary.pop("verification", None)  # never left claiming a pass for tables it did not check
        from workforce.plan.horizon_cut import whole_plan  # horizon.plan_to: the planned years are checked

        self.summary["verification"] = verify_plan(whole_plan(self), self.data.scenario.solver.verify_tolerance)
        self.verified_tables = tables_fingerprint(self)

    def to_csv(self, out_dir: str | Path) -> Path:
        """Write every table as CSV plus summary.json and manifest.json into ``out_dir``.

        The same as ``export(out_dir, formats=("csv",))``: the run directory is written complete
        or not at all, and an earlier run there is replaced as a whole.
        """
        return self.export(out_dir, ("csv",))

    def explain(self, **options: Any) -> Any:
        """Marginal values, binding limits and what an extra £1m or place would buy
        (:func:`workforce.explain.marginal.explain_plan`; returns an :class:`~workforce.explain.marginal.Explanation`)."""
        return provider("plan.explain")(self, **options)

    def __repr__(self) -> str:
        return provider("plan.text")(self)

    def _repr_html_(self) -> str:
        return provider("plan.html")(self)

    def to_xarray(self) -> Any:
        """The plan's tables as one ``xarray.Dataset`` (needs the ``xarray`` extra); see
        :func:`workforce.output.xarray_view.plan_to_xarray`."""
        return provider("plan.xarray")(self)


def make_plan(d: ModelData, m: pyo.ConcreteModel | None, compiled: Compiled, info: SolveInfo) -> Plan:
    """Read the solution back into the model's variables and build the plan's tables.

    ``m`` is None when the LP was generated as arrays (workforce.model.arrays): the tables are then
    read from the arrays alone, and ``compiled.model`` builds the Pyomo model if anything asks for it.
    """
    if m is None and not arrays.applies(d):
        m = compiled.model
    if m is not None:
        arrays.load_values(m, compiled, info.x)
    scenario = d.scenario
    summary = {
        "status": info.status,
        "objective": info.objective,
        "terms": info.terms,
        "weights": dict(d.weights),
        "lexicographic_stages": info.stages,
        "mip_gap": info.mip_gap if compiled.integrality is not None else None,  # whole cohorts only
        "gap": info.mip_gap,
        "scenario": scenario.name,
        "scenario_sha256": scenario.sha256(),
        "input_sha256": scenario.input_hashes,
        "highs_version": info.highs_version,
        "solver_options": info.options,
        "solve_seconds": info.timings.get("solve"),
        "timings_seconds": dict(info.timings),
        "size": {"variables": compiled.csc.shape[1], "constraints": compiled.csc.shape[0]},
        "money_unit": "GBP thousands",
        "labels": labels_from_data(d).to_dict(),
        "solver": {"options": dict(info.options), **info.solver},
        "solver_log": list(info.log),
    }
    from workforce.model import horizon
    from workforce.plan.policy import add_cohort_columns, extra_tables, policy_summary

    if m is None:  # generated as arrays (workforce.model.arrays): every table is read from them
        from workforce.plan.extract import add_cohort_counts, intake_terms_table
        from workforce.plan.extract_rules import rule_tables, target_summary

        summary.update(target_summary(d, compiled, info.x))
        tables = plan_tables(d, None, compiled, info.x)
        intake = add_cohort_counts(d, compiled, info.x, tables["intake"])
        extra = rule_tables(d, compiled, info.x)  # tenure and compliance, in extra_tables' order
        if d.intake_month:
            extra["intake_terms"] = intake_terms_table(d, compiled, info.x)
    else:
        summary.update(policy_summary(d, m))
        tables = plan_tables(d, m, compiled, info.x) if array_extraction_applies(d) else reference_tables(d, m)
        intake = add_cohort_columns(d, m, tables["intake"])
        extra = extra_tables(d, m)
    from workforce.plan.discounting import cash_summary  # section 8.7

    summary.update(cash_summary(d, m, compiled, info.x))
    if d.MOVE_ROUTES:  # section 24: people moved on each route
        from workforce.plan.moves import moves_table, pyomo_routes

        extra["moves"] = moves_table(d, compiled.var_values("move", info.x) if m is None else pyomo_routes(d, m))
    if horizon.enabled(d):
        extra["post_horizon"] = horizon.post_horizon_table(d, _post_shortfall(d, m, compiled, info.x), tables["flows"],
                                                           intake, extra.get("intake_terms"))
    return Plan(
        scenario_name=scenario.name,
        intake=intake,
        workforce=tables["workforce"],
        flows=tables["flows"],
        spend=tables["spend"],
        spend_detail=tables["spend_detail"],
        summary=summary,
        data=d,
        extra=extra,
        solved=Solved(compiled, info),
    )


def _post_shortfall(d: ModelData, m: pyo.ConcreteModel | None, compiled: Compiled, x: np.ndarray) -> dict[Any, float]:
    """post_shortfall[k,r,v] of the solution (section 10.1), from the model or the generated arrays."""
    if m is not None:
        return {key: _v(var) for key, var in m.post_shortfall.items()}
    values = compiled.var_values("post_shortfall", x)
    return {key: float(values[n]) for n, key in enumerate(post_keys(d))}


def array_extraction_applies(d: ModelData) -> bool:
    """Whether :mod:`workforce.plan.extract` computes this model's tables from arrays.

    It covers the stock-and-flow model of sections 3-8 of models/cohort_planning.md (with targets,
    place shares and equity, which add rows but change no table, and cohorts' fixed costs). Tenure bands,
    statutory deadlines, calendars and financial-year budgets change leavers, completions or spend
    in ways it does not compute yet: those plans are read through the model's own expressions.
    """
    return not (d.tenure_bands or d.DEADLINE_ROLES or d.intake_month or d.FY_STREAMS)


def reference_tables(d: ModelData, m: pyo.ConcreteModel) -> dict[str, pd.DataFrame]:
    """The plan's tables evaluated element by element through the model's expressions (slow).

    ``make_plan`` computes the same tables from arrays (:mod:`workforce.plan.extract`); this
    straightforward evaluation, on a model whose values are loaded, is what it is checked against.
    """
    return {"intake": room_for_starters(d, _intake(d, m)), "workforce": _workforce(d, m), "flows": _flows(d, m),
            "spend": _spend(d, m), "spend_detail": _spend_detail(d, m)}


def _v(expr: Any) -> float:
    import pyomo.environ as pyo

    value = pyo.value(expr)
    return 0.0 if abs(value) < 1e-9 else float(value)


def _frame(rows: list[dict[str, Any]], index: list[str], units: dict[str, str]) -> pd.DataFrame:
    df = pd.DataFrame(rows)
    if df.empty:
        df = pd.DataFrame(columns=[*index, *units])
    df = df.set_index(index)
    df.attrs["units"] = units
    return df


def _intake(d: ModelData, m: pyo.ConcreteModel) -> pd.DataFrame:
    from workforce.model import expressions as ex

    rows = []
    for p in d.PROGRAMMES:
        for r in d.REGIONS:
            for t in d.YEARS:
                starters = _v(m.intake[p, r, t])
                sup = None
                if p in d.supervision_ratio:
                    sup = d.supervision_ratio[p] * _v(ex.stock_prev(m, d, d.supervisor_role[p], r, t))
                    if p in d.SUPERVISION_HEADS:  # section 23: the ratio counts people
                        from workforce.model.fte import supervisor_factor

                        sup *= supervisor_factor(d, p, t)
                rows.append({
                    "programme": p,
                    "region": r,
                    "year": t,
                    "intake": starters,
                    "expected_completions": d.completion_rate[p] * starters,
                    "qualifies_in": t + d.duration[p],
                    "places_max": d.places_max.get((p, r, t), math.nan),
                    "supervision_max": math.nan if sup is None else sup,
                    "intake_min": d.intake_min.get((p, r, t), 0.0),
                    "intake_max": d.intake_max.get((p, r, t), math.nan),
                })
    return _frame(rows, ["programme", "region", "year"], {
        "intake": "trainees", "expected_completions": "people", "qualifies_in": "year",
        "places_max": "trainees", "supervision_max": "trainees", "intake_min": "trainees", "intake_max": "trainees",
    })


def _workforce(d: ModelData, m: pyo.ConcreteModel) -> pd.DataFrame:
    rows = []
    for k in d.ROLES:
        for r in d.REGIONS:
            for t in d.YEARS:
                flex = 0.0 + sum(d.fte_per_unit[kk, o] * _v(m.flex[kk, o, r, t]) for kk, o in d.FLEX if kk == k)
                demand = d.demand[k, r, t]
                shortfall = _v(m.shortfall[k, r, t])
                rows.append({
                    "role": k,
                    "region": r,
                    "year": t,
                    "supply": _v(m.stock[k, r, t]),
                    "flexible": flex,
                    "demand": demand,
                    "shortfall": shortfall,
                    "surplus": _v(m.surplus[k, r, t]),
                    "shortfall_rate": shortfall / demand if demand > 0 else 0.0,
                })
    unit = "people or FTE (the role's unit)"
    return _frame(rows, ["role", "region", "year"], {
        "supply": unit, "flexible": unit, "demand": unit, "shortfall": unit, "surplus": unit,
        "shortfall_rate": "fraction of demand",
    })


def _flows(d: ModelData, m: pyo.ConcreteModel) -> pd.DataFrame:
    from workforce.model import expressions as ex
    from workforce.model.fte import head_fte
    from workforce.plan.movement import reference_moves
    from workforce.plan.moves import moves_units, reference_route_moves

    rows = []
    for k in d.ROLES:
        for r in d.REGIONS:
            for t in d.YEARS:
                completions = sum(_v(ex.completions(m, d, p, r, t)) for p in d.PROGRAMMES if d.role_of[p] == k)
                hires = _v(m.hires[k, r, t]) if k in m.HIRING_ROLES else 0.0
                exits = _v(m.exits[k, r, t]) if k in m.EXIT_ROLES else 0.0
                if d.fte_per_head:  # section 23: people into and out of an FTE role, in FTE
                    h = head_fte(d, k, t)
                    completions, hires, exits = h * completions, h * hires, h * exits
                rows.append({
                    "role": k,
                    "region": r,
                    "year": t,
                    "stock_start": _v(ex.stock_prev(m, d, k, r, t)),
                    "leavers": _v(ex.leavers(m, d, k, r, t)),
                    "completions": completions,
                    "hires": hires,
                    "retraining_out": _v(ex.retraining(m, d, k, r, t)),
                    "exits": exits,
                    **reference_moves(d, m, k, r, t),
                    **reference_route_moves(d, m, k, r, t),
                    "stock_end": _v(m.stock[k, r, t]),
                    "flexible": 0.0 + sum(d.fte_per_unit[kk, o] * _v(m.flex[kk, o, r, t]) for kk, o in d.FLEX if kk == k),
                })
    unit = "people or FTE (the role's unit)"
    from workforce.plan.movement import movement_units

    return _frame(rows, ["role", "region", "year"], {c: unit for c in (
        "stock_start", "leavers", "completions", "hires", "retraining_out", "exits", "stock_end", "flexible")}
        | movement_units(d, unit) | moves_units(d, unit))


def _spend_items(d: ModelData, m: pyo.ConcreteModel, f: str, t: int, financial: bool = True) -> dict[str, float]:
    from workforce.model import expressions as ex

    if financial and f in d.FY_STREAMS:
        from workforce.plan.policy import fy_items

        return fy_items(d, m, f, t, _spend_items)
    items: dict[str, float] = {}
    for (p, y, stream), cost in d.cost_course.items():
        if stream == f and p not in d.duration_months:
            items[p] = items.get(p, 0.0) + cost * sum(_v(ex.starters(m, d, p, r, t - y + 1)) for r in d.REGIONS)
    if d.duration_months:
        from workforce.plan.policy import calendar_items

        items.update(calendar_items(d, m, f, t))
    for k in m.HIRING_ROLES:
        if d.stream_hire[k] == f:
            items[f"hiring:{k}"] = d.cost_hire[k] * sum(_v(m.hires[k, r, t]) for r in d.REGIONS)
    for k in m.EXIT_ROLES:
        if d.stream_exit[k] == f:
            items[f"exits:{k}"] = d.cost_exit[k] * sum(_v(m.exits[k, r, t]) for r in d.REGIONS)
    for k, o in d.FLEX:
        if d.stream_flex[k, o] == f:
            items[f"flexible:{k}.{o}"] = d.cost_flex[k, o] * sum(_v(m.flex[k, o, r, t]) for r in d.REGIONS)
    if d.MOVE_ROUTES:  # section 24: moves:<role>
        from workforce.plan.moves import move_items, pyomo_routes

        items.update({name: float(v[d.YEARS.index(t)]) for name, v in move_items(d, f, pyomo_routes(d, m)).items()})
    for p in d.COHORT_PROGRAMMES:
        if (p, f) in d.cost_cohort:
            from workforce.model.policy import cohort_cost

            items[f"cohorts:{p}"] = _v(cohort_cost(m, d, p, f, t))
    return items


def _spend_detail(d: ModelData, m: pyo.ConcreteModel) -> pd.DataFrame:
    rows = [
        {"stream": f, "year": t, "item": item, "spent": value}
        for f in d.STREAMS
        for t in d.YEARS
        for item, value in _spend_items(d, m, f, t).items()
    ]
    return _frame(rows, ["stream", "year", "item"], {"spent": "£k"})


def _clean(value: float, scale: float) -> float:
    """Round solver noise (below 1e-9 of the quantity's scale) to zero."""
    return 0.0 if abs(value) <= 1e-9 * max(1.0, abs(scale)) else value


def _spend(d: ModelData, m: pyo.ConcreteModel) -> pd.DataFrame:
    rows = []
    for f in d.STREAMS:
        for t in d.YEARS:
            spent = sum(_spend_items(d, m, f, t).values())
            budget = d.budget.get((f, t), math.nan)
            rows.append({
                "stream": f,
                "year": t,
                "spent": spent,
                "budget": budget,
                "headroom": _clean(budget - spent, budget) if not math.isnan(budget) else math.nan,
            })
    return _frame(rows, ["stream", "year"], {"spent": "£k", "budget": "£k", "headroom": "£k"})


__all__ = ["TERMS", "Plan", "make_plan"]
