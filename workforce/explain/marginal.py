"""Explain a plan: marginal values of every limit, what binds, and what one more step would buy.

``explain_plan(plan)`` (also ``plan.explain()``) re-solves the plan's compiled model and reads, at
each objective stage, HiGHS's row duals and their ranging. For every limit row (budget, envelope,
places, national places, supervision, minimum and maximum intake, hiring, exit, flexible-supply
and surplus caps, staff available to retrain) it reports:

* the **marginal value**: how much the stage's objective falls when the limit is loosened by one
  unit (a budget, capacity or cap raised by one £k or one place; a minimum lowered by one
  trainee). It is never negative: loosening a limit cannot make the optimum worse. Multiplied by a
  planner-sized step it reads "£1m more in the 2027 DfE EP budget reduces the objective by X";
* how far the value holds at least (HiGHS ranging: the optimal basis stays optimal that far; the
  value may hold further, and beyond the point where it changes another limit takes over);
* whether the limit binds (no slack), nearly binds (slack within ``near`` of the limit) or not.

The objective is the scenario's weighted sum (£k of cost plus penalty-weighted shortfall, written
"£k-equivalent"); for a lexicographic objective every stage gets its own values, in the units of
that stage's terms, holding the earlier stages at their optimum. ``what_if`` then re-solves the
whole plan with each of the most valuable binding limits loosened by one step and reports what it
really buys: shortfall by role in its own unit-years and the change of every cost term.

A plan with integer decisions (cohort counts) is explained with those decisions fixed at the
plan's values: the LP that is left has duals, and they hold for that fixed cohort pattern only.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import highspy
import numpy as np
import pandas as pd

from workforce.explain.fte import fte_table
from workforce.explain.moves import moves_summary
from workforce.model.capacity_years import counted_value
from workforce.model.data import ModelData
from workforce.model.rows import KIND_NAMES, index_parts, planner_limit
from workforce.plan.movement import net_movement
from workforce.solver.diagnose import CAPACITY, integer_columns, relax_integrality, row_meanings, supervisors

if TYPE_CHECKING:
    from workforce.model.compiled import Compiled
    from workforce.plan.results import Plan
    from workforce.plan.solution import SolveInfo


STEP = {
    # family: (step in the row's unit, how the step reads)
    "budget_limit": (1000.0, "£1m more"),
    "fy_budget_limit": (1000.0, "£1m more"),
    "envelope_limit": (1000.0, "£1m more"),
    "places_limit": (1.0, "1 more place"),
    "national_places_limit": (1.0, "1 more national place"),
    "supervision_limit": (1.0, "1 more supervised place"),
    "intake_minimum": (1.0, "1 trainee lower minimum"),
    "intake_maximum": (1.0, "1 more allowed starter"),
    "hires_limit": (1.0, "1 more hire allowed"),
    "exits_limit": (1.0, "1 more exit allowed"),
    "flex_limit": (1.0, "1 more unit"),
    "surplus_limit": (1.0, "1 more unit of surplus allowed"),
    "requirement_limit": (1.0, "1 more unit of shortfall allowed"),
    "surplus_group_limit": (1.0, "1 more unit of surplus allowed"),
    "outflow_limit": (1.0, "1 more person available"),
}


@dataclass
class Stage:
    """The duals of one objective stage."""

    stage: int
    terms: list[str]
    objective: str
    """The objective's unit in words, e.g. 'weighted shortfall (penalty x unit-years)'."""
    value: float
    dual: np.ndarray
    activity: np.ndarray
    range_up: np.ndarray
    range_down: np.ndarray
    x: np.ndarray


@dataclass
class Explanation:
    """Marginal values, binding limits and what-if re-solves of a plan (tables in planner units)."""

    scenario_name: str
    limits: pd.DataFrame
    """Every limit row at every stage: limit, used, slack, status, marginal value, range, source."""
    budgets: pd.DataFrame
    """Budgets and envelopes [stage, stream, year]: value of £1m more ('all' = the envelope)."""
    capacity: pd.DataFrame
    """Places, national places, supervision and maximum-intake limits [stage, family, programme, region, year]."""
    places: pd.DataFrame
    """Value of one more training place [stage, programme, region, year]."""
    binding: pd.DataFrame
    """Limits that bind or nearly bind, largest value of one step first."""
    what_if: pd.DataFrame
    """Re-solves with one binding limit loosened by one step: what it buys, term by term."""
    stages: list[dict[str, Any]]
    notes: list[str] = field(default_factory=list)
    ratios: pd.DataFrame = field(default_factory=pd.DataFrame)
    """Supervision ratios [stage, programme]: value of +0.01 on the ratio (first order)."""
    by_region: pd.DataFrame = field(default_factory=pd.DataFrame)
    """[stage, region, year]: how many regional limits bind with a value, and the most valuable."""
    post_horizon: pd.DataFrame = field(default_factory=pd.DataFrame)
    """[stage, role, region, year]: value of one more unit of supply in a post-horizon year
    (the dual of post_demand_balance, section 10.1); empty without horizon.terminal_value."""
    names: dict[str, dict[str, str]] = field(default_factory=dict)
    """The scenario's names by id, for the text: ``roles``, ``regions``, ``streams``, ``programmes``."""
    movement: pd.DataFrame = field(default_factory=pd.DataFrame)
    """[role, region]: staff moved in and out over the horizon and the net (section 21.4); empty
    without movement."""
    fte: pd.DataFrame = field(default_factory=pd.DataFrame)
    """[role, year]: each flow in FTE and in people (section 23); empty without ``fte_per_head``."""
    moves: pd.DataFrame = field(default_factory=pd.DataFrame)
    """[role, origin, destination]: people moved, caps and cost over the horizon (section 24)."""
    inputs_read: list[str] = field(default_factory=list)
    """Every file the scenario read: :meth:`to_csv` never writes over one."""

    def tables(self) -> dict[str, pd.DataFrame]:
        names = ("limits", "budgets", "capacity", "places", "ratios", "binding", "by_region", "what_if")
        return {name: getattr(self, name) for name in names + (("post_horizon",) if len(self.post_horizon) else ())
                + (("movement",) if len(self.movement) else ()) + (("fte",) if len(self.fte) else ()) + (("moves",) if len(self.moves) else ())}

    def to_csv(self, out_dir: str | Path) -> Path:
        """Write every table as explain_<name>.csv into an explanation folder ``out_dir``, whole or
        not at all, with a manifest; an earlier folder there is replaced only when workforce wrote
        all of it, and never one that holds a file the scenario reads (ExportError otherwise)."""
        from workforce.output_safety import write_folder

        write_folder(out_dir, "explain", self.write_tables, protected=self.inputs_read, what="the folder")
        return Path(out_dir)

    def write_tables(self, folder: Path) -> None:
        """Every table as explain_<name>.csv into ``folder`` (a fresh staging folder of write_folder)."""
        for name, table in self.tables().items():
            table.to_csv(folder / f"explain_{name}.csv", float_format="%.6g")

    def text(self, top: int = 12) -> str:
        from workforce.explain.text import explanation_text

        return explanation_text(self, top=top)

    def __str__(self) -> str:
        return self.text()


def _supervised(compiled: Any, data: ModelData, con: Any, index: Any, x: Any) -> float:
    """Trainees supervision row ``index`` counts in plan ``x``: starters, or course years
    (workforce/model/capacity_years.py)."""
    p, r, t = index
    intake = con.model().intake
    return counted_value(data, "supervision", p, r, t, lambda s: x[compiled.col_position[id(intake[p, r, s])]])


def explain_plan(plan: Plan, *, near: float = 0.01, what_if: int = 5, tolerance: float = 1e-6) -> Explanation:
    """Explain ``plan``: see the module docstring. ``near`` is the relative slack under which a
    limit counts as nearly binding; ``what_if`` how many binding limits to re-solve loosened."""
    if plan.solved is None or plan.solved.compiled is None:
        from workforce.errors import WorkforceError

        raise WorkforceError(
            "this plan does not carry its solved model (plans lose it when pickled); "
            "solve its scenario again with workforce.solve to explain it"
        )
    compiled, info = plan.solved
    data = plan.data
    notes: list[str] = []
    ints = integer_columns(compiled)
    if len(ints):
        compiled = fix_integers(compiled, info.x, ints)
        notes.append(
            f"This plan has {len(ints)} integer decisions (cohorts). They are fixed at the plan's values and the "
            "remaining LP is re-solved: every marginal value below holds for this fixed cohort pattern only; "
            "a larger change may call for different cohorts."
        )
    from workforce.explain.tiebreak import main_stages, without_tie_break
    from workforce.explain.whatif import loosening_values, what_if_table

    main, main_data = without_tie_break(compiled, data)  # the main stages' own LP (section 8.5)
    stages, final = stage_duals(main, main_data, info)
    stages, tie_break = main_stages(compiled, data, stages, info)
    if not stages:
        from workforce.errors import NoSolutionError

        raise NoSolutionError("the re-solve for marginal values stopped at a solver limit before any stage was "
                              "optimal; raise solver.time_limit to explain this plan")
    if final.status != "optimal":
        notes.append(
            "The re-solve for the duals stopped at a solver limit (provisional): the values below come from a plan "
            "that may not be optimal and may not be marginal values at all. Raise solver.time_limit."
        )
    if tie_break is not None:
        notes.append(tie_break)
    if len(stages) > 1:
        notes.append(
            "The objective is lexicographic: stage 1's values are in its own terms; a later stage's values "
            "are in that stage's terms with every earlier stage held at its optimum."
        )
    from workforce.plan.discounting import explain_note  # section 8.7

    if explain_note(data):
        notes.append(explain_note(data))
    meanings = row_meanings(compiled, data)
    limits = _limits(compiled, data, stages, meanings, near, tolerance)
    loosening_values(main, main_data, final, stages[0], limits)
    binding = _binding(limits)
    whatif = what_if_table(compiled, data, final if tie_break is None else info, stages[0], binding, what_if, meanings)
    if not binding.empty and (binding["marginal_value"] > 0).any() and len(stages) == 1:
        weights = ", ".join(
            f"{data.scenario.roles[k].name} {data.penalty_shortfall[k] * data.weights['shortfall']:g} per "
            f"{data.scenario.roles[k].unit}-year"
            for k in data.ROLES
        )
        notes.append(
            "Values are in objective units (£k-equivalent): £k of cost plus shortfall weighted by each role's "
            f"shortfall_penalty ({weights}), net of the cost of what the step buys. The what-if table re-solves "
            "to turn them into unit-years of shortfall and £k of cost."
        )
    return Explanation(
        scenario_name=data.scenario.name,
        names=scenario_names(data.scenario),
        limits=limits,
        budgets=_budgets(limits),
        capacity=_capacity(limits),
        places=_places(limits, data),
        ratios=_ratios(compiled, data, stages, limits),
        by_region=_by_region(binding),
        binding=binding,
        what_if=whatif,
        post_horizon=_post_horizon(compiled, stages),
        movement=net_movement(plan.flows),
        fte=fte_table(plan),
        moves=moves_summary(plan),
        stages=[{"stage": s.stage, "terms": s.terms, "objective": s.objective, "value": s.value} for s in stages],
        notes=notes,
        inputs_read=list(data.scenario.input_hashes),
    )


def _post_horizon(compiled: Compiled, stages: list[Stage]) -> pd.DataFrame:
    """Per stage and post_demand_balance row (k, r, v): what one more unit of projected supply in
    year v is worth (the row's dual, ≥ 0: the discounted, weighted penalty while v is short, else 0)."""
    rows = [(i, con.index()) for i, con in enumerate(compiled.rows) if con.parent_component().name == "post_demand_balance"]
    records = [{"stage": st.stage, "role": k, "region": r, "year": v, "value": max(float(st.dual[i]), 0.0)}
               for st in stages for i, (k, r, v) in rows]
    df = pd.DataFrame(records, columns=["stage", "role", "region", "year", "value"])
    df.attrs["units"] = {"value": "objective units per unit (person or FTE) of post-horizon supply"}
    return df


def fix_integers(compiled: Compiled, x: np.ndarray, ints: np.ndarray) -> Compiled:
    """A copy of ``compiled`` with the integer columns fixed at their (rounded) values in ``x``."""
    lower = compiled.col_lower.copy()
    upper = compiled.col_upper.copy()
    values = np.round(x[ints])
    lower[ints] = values
    upper[ints] = values
    return dataclasses.replace(compiled, col_lower=lower, col_upper=upper)


def objective_words(terms: list[str], lexicographic: bool) -> str:
    if terms == ["intake_change"]:  # the tie-break stage (section 8.5)
        return "tie-break: year-to-year change in intake (starters)"
    if not lexicographic:
        return "objective (£k-equivalent)"
    if terms == ["shortfall"]:
        return "weighted shortfall (penalty x unit-years)"
    if "shortfall" not in terms:
        return f"{' + '.join(terms)} (£k)"
    return f"{' + '.join(terms)} (£k-equivalent)"


def stage_duals(compiled: Compiled, data: ModelData, info: SolveInfo) -> tuple[list[Stage], SolveInfo]:
    """Re-solve (as an LP) and keep each stage's duals and ranging of the original rows."""
    from workforce.solver.core import run

    n = len(compiled.rows)
    stages: list[Stage] = []
    lexicographic = bool(data.scenario.objective.lexicographic)

    def collect(s: int, group: list[str], h: highspy.Highs) -> None:
        solution = h.getSolution()
        status, ranging = h.getRanging()
        ok = status != highspy.HighsStatus.kError and ranging.valid
        nan = np.full(n, np.nan)
        stages.append(Stage(
            stage=s + 1,
            terms=list(group),
            objective=objective_words(list(group), lexicographic),
            value=float("nan"),
            dual=np.asarray(solution.row_dual)[:n].copy(),
            activity=np.asarray(solution.row_value)[:n].copy(),
            range_up=np.asarray(ranging.row_bound_up.value_)[:n].copy() if ok else nan,
            range_down=np.asarray(ranging.row_bound_dn.value_)[:n].copy() if ok else nan,
            x=np.asarray(solution.col_value).copy(),
        ))

    final = run(compiled, data, dict(info.options), {}, before=lambda h: relax_integrality(h, compiled), on_stage=collect)
    for stage, log in zip(stages, final.stages, strict=False):
        stage.value = log["value"]
    return stages, final


def _limits(
    compiled: Compiled, data: ModelData, stages: list[Stage], meanings: list[Any], near: float, tolerance: float
) -> pd.DataFrame:
    rows: list[dict[str, Any]] = []
    for i, meaning in enumerate(meanings):
        if not meaning.relaxable:
            continue
        con = compiled.rows[i]
        name, index = con.parent_component().name, con.index()
        upper = bool(np.isfinite(compiled.row_upper[i]))
        bound = compiled.row_upper[i] if upper else compiled.row_lower[i]
        step, step_text = STEP.get(name, (1.0, "1 unit"))
        limit = planner_limit(name, index, data)
        file, line = data.scenario.source_of(meaning.path)
        for st in stages:
            slack = float(bound - st.activity[i]) if upper else float(st.activity[i] - bound)
            slack = max(slack, 0.0)
            value = -float(st.dual[i]) if upper else float(st.dual[i])
            if abs(value) < 1e-9:
                value = 0.0
            holds = float(st.range_up[i] - bound) if upper else float(bound - st.range_down[i])
            if value == 0.0 or math.isnan(holds):
                holds = math.nan  # nothing to hold, or HiGHS gave no ranging
            elif holds >= 1e20:
                holds = math.inf
            if limit is None and name == "supervision_limit":
                used = _supervised(compiled, data, con, index, st.x)
                lim = used + slack
            elif limit is None:
                used, lim = math.nan, math.nan
            else:
                lim = float(limit)
                used = lim - slack if upper else lim + slack
            scale = max(1.0, abs(lim) if math.isfinite(lim) else abs(bound))
            status = "binds" if slack <= tolerance * scale else ("nearly binds" if slack <= near * scale else "slack")
            if name == "intake_minimum":
                step = min(step, max(lim, 0.0)) if math.isfinite(lim) else step
            rows.append({
                "stage": st.stage,
                "family": name,
                "kind": KIND_NAMES.get(name, name),
                **index_parts(name, index),
                "label": meaning.label,
                "side": "upper" if upper else "lower",
                "limit": lim,
                "used": used,
                "slack": slack,
                "status": status,
                "unit": meaning.unit,
                "marginal_value": value,
                "step": step,
                "step_text": step_text,
                "value_per_step": value * step,
                "holds_at_least": holds,
                "objective": st.objective,
                "file": file,
                "line": line,
                "key": ".".join(map(str, meaning.path)),
                "row": i,
            })
    df = pd.DataFrame(rows)
    df.attrs["units"] = {
        "limit": "the row's unit (£k, trainees, people or FTE)",
        "marginal_value": "objective units per unit of the limit loosened",
        "value_per_step": "objective units per step (£1m, one place, one person)",
        "holds_at_least": "units of loosening over which marginal_value holds at least (HiGHS ranging: the basis stays optimal)",
    }
    df.attrs["sign"] = "objective reduction when the limit is loosened (raised, or lowered for a minimum); never negative"
    return df


def _binding(limits: pd.DataFrame) -> pd.DataFrame:
    if limits.empty:
        return limits
    b = limits[limits["status"] != "slack"].copy()
    b["_rank"] = b["value_if_loosened"] * b["step"]
    b = b.sort_values(["stage", "_rank", "value_per_step"], ascending=[True, False, False], kind="stable")
    b = b.drop(columns="_rank")
    return b.reset_index(drop=True)


def _by_region(binding: pd.DataFrame) -> pd.DataFrame:
    """Per stage, region and year: the regional limits that bind with a value, most valuable first."""
    if binding.empty:
        return pd.DataFrame()
    valued = binding[(binding["value_if_loosened"] > 0) & binding["region"].notna()]
    rows = []
    for (stage, region, year), group in valued.groupby(["stage", "region", "year"], sort=False):
        top = group.iloc[0]
        rows.append({"stage": stage, "region": region, "year": year, "binding_with_value": len(group),
                     "kinds": ", ".join(dict.fromkeys(group["kind"])), "most_valuable": top["label"],
                     "value_per_step": top["value_per_step"], "step": top["step_text"],
                     "file": top["file"], "line": top["line"]})
    if not rows:
        return pd.DataFrame()
    df = pd.DataFrame(rows).set_index(["stage", "region", "year"]).sort_index()
    df.attrs["units"] = {"value_per_step": "objective units per step"}
    return df


def _budgets(limits: pd.DataFrame) -> pd.DataFrame:
    cols = ["stage", "stream", "year", "limit", "used", "slack", "status", "marginal_value", "value_per_step",
            "holds_at_least", "file", "line"]
    if limits.empty:
        return pd.DataFrame(columns=cols).set_index(["stage", "stream", "year"])
    b = limits[limits["family"].isin(["budget_limit", "fy_budget_limit", "envelope_limit"])].copy()
    b["year"] = b["year"].astype(object).where(b["family"] != "envelope_limit", "all")
    # £1m more gains what loosening gains; at a degenerate vertex the dual (value_per_step) is the
    # value of £1m less, which can be larger, so it is kept apart under its own name
    loosened = b["value_if_loosened"] if "value_if_loosened" in b else b["marginal_value"]
    b["value_of_1m_less"] = b["value_per_step"]
    b["value_per_step"] = loosened * b["step"]
    b = b[[*cols, "value_of_1m_less"]].rename(columns={"limit": "budget", "used": "spent", "slack": "headroom",
                                                       "value_per_step": "value_of_1m"})
    b = b.set_index(["stage", "stream", "year"])
    b.attrs["units"] = {"budget": "£k", "spent": "£k", "headroom": "£k", "marginal_value": "objective per £k",
                        "value_of_1m": "objective fall per £1m more", "value_of_1m_less": "objective rise per £1m less",
                        "holds_at_least": "£k"}
    return b


def _capacity(limits: pd.DataFrame) -> pd.DataFrame:
    cols = ["stage", "family", "programme", "region", "year", "limit", "used", "slack", "status",
            "marginal_value", "holds_at_least", "file", "line"]
    if limits.empty:
        return pd.DataFrame(columns=cols).set_index(cols[:5])
    c = limits[limits["family"].isin(CAPACITY)][cols].copy()
    c["region"] = c["region"].fillna("all")
    c = c.set_index(cols[:5])
    c.attrs["units"] = {"limit": "trainees", "used": "trainees", "marginal_value": "objective per place"}
    return c


def _places(limits: pd.DataFrame, d: ModelData) -> pd.DataFrame:
    """Value of one more training place per programme, region and year: the place limit's own value,
    and the value of one more starter allowed by every capacity limit at once (places, national
    places, supervision and maximum intake all loosened by one)."""
    rows = []
    stages = sorted(limits["stage"].unique()) if not limits.empty else []
    for stage in stages:
        lim = limits[(limits["stage"] == stage) & limits["family"].isin(CAPACITY)]
        by = {(f, p, r, t): v for f, p, r, t, v in zip(lim["family"], lim["programme"], lim["region"],
                                                        lim["year"], lim["marginal_value"], strict=True)}
        for p in d.PROGRAMMES:
            for r in d.REGIONS:
                for t in d.YEARS:
                    parts = {
                        "places": by.get(("places_limit", p, r, t)),
                        "national_places": by.get(("national_places_limit", p, None, t)),
                        "supervision": by.get(("supervision_limit", p, r, t)),
                        "intake_max": by.get(("intake_maximum", p, r, t)),
                    }
                    given = {k: v for k, v in parts.items() if v is not None}
                    binding = [k for k, v in given.items() if v > 0]
                    rows.append({
                        "stage": stage, "programme": p, "region": r, "year": t,
                        "value_of_a_place": parts["places"] if parts["places"] is not None else math.nan,
                        "value_of_a_national_place": parts["national_places"] if parts["national_places"] is not None else math.nan,
                        "value_of_a_supervised_place": parts["supervision"] if parts["supervision"] is not None else math.nan,
                        "value_of_one_more_starter": sum(given.values()) if given else math.nan,
                        "limited_by": ", ".join(binding),
                    })
    df = pd.DataFrame(rows)
    if df.empty:
        return df
    df = df.set_index(["stage", "programme", "region", "year"])
    df.attrs["units"] = {c: "objective units per place" for c in df.columns if c.startswith("value")}
    return df


def _ratios(compiled: Compiled, data: ModelData, stages: list[Stage], limits: pd.DataFrame) -> pd.DataFrame:
    """Value of +0.01 on each programme's supervision ratio: the ratio multiplies the supervisors in
    post at the start of the year, so to first order it is Σ_{r,t} value[r,t] × supervisors[r,t]."""
    rows = []
    if limits.empty:
        return pd.DataFrame()
    sup = limits[limits["family"] == "supervision_limit"]
    for st in stages:
        part = sup[sup["stage"] == st.stage]
        for p, group in part.groupby("programme", sort=False):
            total = 0.0
            for i, value in zip(group["row"], group["marginal_value"], strict=True):
                if value > 0:
                    con = compiled.rows[i]
                    total += value * (supervisors(compiled, data, con, con.index(), st.x) or 0.0)
            first = group.iloc[0]
            rows.append({"stage": st.stage, "programme": p, "ratio": data.supervision_ratio[p],
                         "value_of_0.01": 0.01 * total, "binding_rows": int((group["marginal_value"] > 0).sum()),
                         "file": first["file"], "line": first["line"]})
    if not rows:
        return pd.DataFrame()
    df = pd.DataFrame(rows).set_index(["stage", "programme"])
    df.attrs["units"] = {"ratio": "starters per supervisor", "value_of_0.01": "objective units per +0.01 on the ratio"}
    return df



__all__ = ["Explanation", "explain_plan", "fix_integers"]


def scenario_names(scenario: Any) -> dict[str, dict[str, str]]:
    """Roles, regions, funding streams and programmes by id, as the scenario names them."""
    return {"roles": {k: r.name for k, r in scenario.roles.items()},
            "regions": {r.code: r.name for r in scenario.regions},
            "streams": {k: f.name for k, f in scenario.funding_streams.items()},
            "programmes": {k: p.name for k, p in scenario.programmes.items()}}
