"""``stochastic_plan``: the two-stage stochastic plan of a set of scenarios, with its measures."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from workforce.errors import InfeasibleScenarioError, ScenarioError, SolveError
from workforce.model.data import ModelData, prepare
from workforce.scenario.horizon_extend import reported_to
from workforce.scenario.schema import Scenario
from workforce.studies.stochastic import measures as ms
from workforce.studies.stochastic.model import FIRST_STAGE, Block, Risk, shared_keys
from workforce.studies.stochastic.scenarios import compile_block, mean_data
from workforce.studies.stochastic.solve import EFSolution, solve_blocks
from workforce.studies.stochastic.tiebreak import tie_break_measures


@dataclass(repr=False)
class StochasticResult:
    """A stochastic plan: the shared first stage, each scenario's recourse, and what it is worth."""

    name: str
    commit_years: int
    first_stage: pd.DataFrame
    """First-stage decisions: variable, item, region, year, ``stochastic``, ``deterministic``, ``difference``."""
    scenarios: pd.DataFrame
    """One row per scenario: probability, the drawn values, each plan's cost and the wait-and-see cost."""
    measures: dict[str, Any]
    """VSS, EVPI, the objectives behind them, the gap and the number of scenarios."""
    shortfall: pd.DataFrame
    """plan, scenario, role, region, shortfall (summed over the horizon)."""
    spend: pd.DataFrame
    """plan, scenario, stream, year, spend, budget (£k)."""
    plans: pd.DataFrame
    """Every scenario's decisions under the stochastic plan: scenario, variable, item, region, year, value."""
    out_of_sample: pd.DataFrame | None = None
    """draw, stochastic, deterministic: each plan's cost on fresh draws, recourse re-optimised."""
    solution: EFSolution | None = field(default=None, repr=False)
    timings: dict[str, float] = field(default_factory=dict)
    risk: Risk | None = None
    base: Scenario | None = None
    """The scenario the draws change (the first scenario when none was given)."""
    scenario_data: ModelData | None = field(default=None, repr=False)

    @property
    def data(self) -> ModelData:
        """The base scenario's data (what the run manifest records)."""
        if self.base is not None:
            return prepare(self.base)
        assert self.scenario_data is not None
        return self.scenario_data

    @property
    def summary(self) -> dict[str, Any]:
        """What summary.json and the manifest record: the measures, the solver's figures and timings."""
        sol = self.solution
        m = {k: (None if isinstance(v, float) and not np.isfinite(v) else v) for k, v in self.measures.items()}
        return {
            "kind": "stochastic", "name": self.name, "commit_years": self.commit_years,
            "status": sol.status if sol is not None else "optimal", "objective": m["stochastic_objective"],
            "gap": m["gap"], "measures": m,
            "risk": None if self.risk is None else {"alpha": self.risk.alpha, "weight": self.risk.weight,
                                                    "of": self.risk.of},
            "size": None if sol is None else {"rows": sol.n_rows, "columns": sol.n_cols},
            "scenario_sha256": self.data.scenario.sha256(),
            "timings_seconds": dict(self.timings),
        }

    def tables(self) -> dict[str, pd.DataFrame]:
        """The tables an export writes (one file each)."""
        out = {"first_stage": self.first_stage, "scenarios": self.scenarios, "shortfall": self.shortfall,
               "spend": self.spend, "scenario_plans": self.plans}
        if self.out_of_sample is not None:
            out["out_of_sample"] = self.out_of_sample
        return {k: v.reset_index(drop=True).rename_axis("row") for k, v in out.items()}

    def summary_text(self) -> str:
        m = self.measures
        lines = [f"Stochastic plan: {self.name} ({m['scenarios']} scenarios, first {self.commit_years} year(s) committed)",
                 f"  expected cost, stochastic plan    {m['stochastic_objective']:>16,.1f}  (gap {m['gap']:.2%})",
                 f"  proven lower bound                {m['stochastic_bound']:>16,.1f}  (method: {m.get('method', 'extensive')})",
                 f"  expected cost, deterministic plan {_fmt(m['deterministic_objective']):>16}",
                 vss_line(m)]
        if m["EVPI"] is not None:
            lines.append(f"  EVPI {_fmt(m['EVPI'])}  (between {_fmt(m['EVPI_at_least'])} and {_fmt(m['EVPI_at_most'])}; "
                         f"wait-and-see {m['wait_and_see']:,.1f}; {m['scenarios']} scenarios)")
        if self.out_of_sample is not None and len(self.out_of_sample):
            oos = self.out_of_sample
            lines.append(f"  out of sample ({len(oos)} fresh draws): stochastic {_mean(oos['stochastic'])}, "
                         f"deterministic {_mean(oos['deterministic'])}")
        if self.scenario_data is not None or self.base is not None:
            years = self.data.YEARS
            if reported_to(years) != years[-1]:
                lines.append(f"  costs cover the planned years {years[0]}-{years[-1]}; tables show "
                             f"{years[0]}-{reported_to(years)} (horizon.plan_to)")
        if m.get("tie_break") is not None:
            lines.append(f"  tie-break among equal plans: {m['tie_break']}")
        changed = self.first_stage[self.first_stage["difference"].abs() > 1e-6]
        lines.append(f"  first-stage decisions that differ from the deterministic plan: {len(changed)} of {len(self.first_stage)}")
        return "\n".join(lines)

    def __repr__(self) -> str:
        return self.summary_text()

    def _repr_html_(self) -> str:
        import html

        m = self.measures
        rows = "".join(f"<tr><th style='text-align:left'>{html.escape(k)}</th><td>{html.escape(_fmt(v))}</td></tr>"
                       for k, v in m.items())
        differ = self.first_stage[self.first_stage["difference"].abs() > 1e-6]
        table = differ.to_html(index=False, float_format=lambda v: f"{v:,.2f}", max_rows=30)
        return (f"<h4>Stochastic plan: {html.escape(self.name)}</h4><p>{m['scenarios']} scenarios; first "
                f"{self.commit_years} year(s) committed</p><table>{rows}</table>"
                f"<p>First-stage decisions that differ from the deterministic plan ({len(differ)} of "
                f"{len(self.first_stage)}):</p>{table}")

    def chart(self) -> Any:
        from workforce.conveniences import provider

        return provider("stochastic.chart")(self)


def vss_line(m: dict[str, Any]) -> str:
    """VSS with its range; where the deterministic commitment fits no recourse in some scenario, why it is infinite."""
    if m.get("deterministic_infeasible"):
        return f"  VSS  infinite  ({m['scenarios']} scenarios)\n{infeasible_line(m)}"
    return (f"  VSS  {_fmt(m['VSS'])}  (between {_fmt(m['VSS_at_least'])} and {_fmt(m['VSS_at_most'])} given the "
            f"solver's gaps; {m['scenarios']} scenarios)")


def infeasible_line(m: dict[str, Any]) -> str:
    """Why the deterministic plan's expected cost and VSS are infinite, in a planner's words."""
    n, names = m["deterministic_infeasible"], m["deterministic_infeasible_in"]
    more = f" and {n - len(names)} more" if n > len(names) else ""
    return (f"  the deterministic plan's commitment is infeasible in {n} of {m['scenarios']} scenarios "
            f"({', '.join(names)}{more}): with it fixed, no later decisions meet those scenarios' limits "
            "(budgets, caps, minimum intakes), so its expected cost and VSS are infinite")


def _fmt(v: Any) -> str:
    if v is None:
        return "n/a"
    if isinstance(v, float):
        return f"{(0.0 if abs(v) < 0.05 else v):,.1f}" if np.isfinite(v) else "infinite"
    return str(v)


def _mean(values: pd.Series) -> str:
    finite = values[np.isfinite(values)]
    text = f"{finite.mean():,.1f}" if len(finite) else "n/a"
    return text + (f" ({len(values) - len(finite)} infeasible)" if len(finite) < len(values) else "")


def probabilities_of(n: int, probabilities: Sequence[float] | None) -> np.ndarray:
    """Equal probabilities, or the given ones checked: non-negative, summing to 1."""
    if probabilities is None:
        return np.full(n, 1.0 / n)
    p = np.asarray(probabilities, dtype=float)
    if len(p) != n or not np.all(np.isfinite(p)) or np.any(p < 0) or abs(p.sum() - 1.0) > 1e-6:
        raise ScenarioError(f"scenario probabilities must be {n} non-negative numbers summing to 1 (got {list(p)})")
    return p


def stochastic_plan(
    scenarios: Sequence[Scenario | ModelData],
    probabilities: Sequence[float] | None = None,
    *,
    commit_years: int,
    first_stage: Sequence[str] = FIRST_STAGE,
    risk: Risk | None = None,
    names: Sequence[str] | None = None,
    values: pd.DataFrame | None = None,
    out_of_sample: Sequence[Scenario | ModelData] = (),
    wait_and_see: bool = True,
    name: str = "stochastic plan",
    mip_gap: float = 1e-4,
    time_limit: float | None = None,
    threads: int = 0,
    seed: int = 0,
    compiler: Callable[[Any, ModelData], Any] | None = None,
    method: str = "extensive",
    workers: int = 1,
    target_gap: float = 0.01,
    max_iterations: int | None = None,
    tie_break: bool = True,
) -> StochasticResult:
    """Solve the two-stage stochastic plan of ``scenarios`` and measure it against the deterministic
    (expected-value) plan and against perfect information.

    ``values`` (one row per scenario) is shown beside each scenario's costs. ``compiler(scenario,
    data)`` compiles a scenario's LP (default: as a plan is compiled; see ``WarmCompiler``).
    ``method="decomposition"`` solves scenario by scenario on ``workers`` processes until the
    certified gap (Lagrangian bound against a feasible incumbent) is at most ``target_gap`` (or
    ``max_iterations``); ``method="mpisppy"`` does so in mpi-sppy (models/stochastic.md §7).
    ``tie_break=False`` leaves out the scenario's tie-break stage (models/stochastic.md §3.3).
    """
    if not scenarios:
        raise ScenarioError("a stochastic plan needs at least one scenario")
    if commit_years < 1:
        raise ScenarioError(f"commit_years must be at least 1 (got {commit_years})")
    timings: dict[str, float] = {}
    t = time.perf_counter()
    p = probabilities_of(len(scenarios), probabilities)
    datas = [s if isinstance(s, ModelData) else prepare(s) for s in scenarios]
    reported = reported_to(datas[0].YEARS)  # horizon.plan_to: the commitment is advice, so it is reported
    if datas[0].YEARS[0] + commit_years - 1 > reported:
        raise ScenarioError(f"commit_years {commit_years} reaches past last_year {reported}, the last year reported; "
                            f"commit at most {reported - datas[0].YEARS[0] + 1} year(s)")
    names = list(names) if names is not None else _names(datas)
    blocks = [compile_block(n, pi, s, commit_years, first_stage, data=d, compiler=compiler)
              for n, pi, s, d in zip(names, p, scenarios, datas, strict=True)]
    shared_keys(blocks)  # the same first-stage decisions in every scenario, before averaging them
    ev = compile_block("expected value", 1.0, mean_data(datas, p), commit_years, first_stage)
    timings["compile"] = time.perf_counter() - t
    options = {"mip_gap": mip_gap, "time_limit": time_limit, "threads": threads, "seed": seed}
    t = time.perf_counter()
    try:
        limit = {} if max_iterations is None else {"max_iterations": max_iterations}
        rp, decomposition = _solve(blocks, risk, method, {**options, **limit, **_no_tie(tie_break)}, workers,
                                   target_gap)
    except InfeasibleScenarioError:
        raise why_infeasible(blocks, commit_years, options) from None
    timings["extensive_form"] = time.perf_counter() - t
    if rp.stage_seconds:  # HiGHS's own share: the main solve, then the tie-break stage
        timings["extensive_form_highs"] = rp.stage_seconds[0]
        timings.update({"tie_break_highs": rp.stage_seconds[1]} if len(rp.stage_seconds) > 1 else {})
    t = time.perf_counter()
    first_ev = ms.deterministic_first_stage(ev, blocks[0].first_keys, **options, **_no_tie(tie_break))
    eev_costs, eev_xs, eev_bounds = ms.evaluate_fixed(blocks, first_ev, **options)
    eev_bound = float(p @ eev_bounds)
    if risk is not None and risk.weight > 0:
        try:
            fixed = solve_blocks(blocks, risk=risk, fixed=first_ev, tie_break=False, **options)
            eev, eev_costs, eev_xs, eev_bound = fixed.objective, fixed.costs, list(fixed.x), fixed.bound
        except SolveError:
            eev = np.inf
    else:
        eev = float(p @ eev_costs)
    timings["deterministic"] = time.perf_counter() - t
    t = time.perf_counter()
    ws, ws_bound = ms.wait_and_see(blocks, **options) if wait_and_see else (None, None)
    timings["wait_and_see"] = time.perf_counter() - t
    result = _result(name, commit_years, blocks, rp, first_ev, eev, eev_costs, eev_xs, ws, p, risk, values,
                     eev_bound, ws_bound)
    if out_of_sample:
        t = time.perf_counter()
        result.out_of_sample = _out_of_sample(out_of_sample, rp.first, first_ev, commit_years, first_stage, options,
                                              compiler)
        timings["out_of_sample"] = time.perf_counter() - t
    result.timings = timings
    result.scenario_data = datas[0]
    result.measures.update(_method_measures(method, decomposition))
    result.measures.update(tie_break_measures(rp, blocks, method, tie_break))
    return result


def _solve(blocks: list[Block], risk: Risk | None, method: str, options: dict[str, Any], workers: int,
           target_gap: float) -> tuple[EFSolution, Any]:
    """The recourse problem by the extensive form or by scenario decomposition."""
    if method == "extensive":
        return solve_blocks(blocks, risk=risk, **options), None
    if method == "mpisppy":
        from workforce.studies.stochastic.mpisppy_engine import decompose_mpisppy

        return decompose_mpisppy(blocks, risk=risk, workers=workers, target_gap=target_gap, **options)
    if method != "decomposition":
        raise ScenarioError(f"stochastic method {method!r} is not known (allowed: extensive, decomposition, mpisppy)")
    from workforce.studies.stochastic.decompose import decompose

    return decompose(blocks, risk=risk, workers=workers, target_gap=target_gap, **options)


def _no_tie(tie_break: bool) -> dict[str, Any]:
    """The option that turns the tie-break stage off (nothing when it stays on: every method accepts that)."""
    return {} if tie_break else {"tie_break": False}


def _method_measures(method: str, decomposition: Any) -> dict[str, Any]:
    if decomposition is None:
        return {"method": method}
    return {"method": method, "decomposition_iterations": decomposition.iterations,
            "decomposition_workers": decomposition.workers}


def why_infeasible(blocks: Sequence[Block], commit_years: int, options: dict[str, Any]) -> InfeasibleScenarioError:
    """Say why the extensive form is infeasible: a scenario that is infeasible on its own (explained
    in the planner's terms, as ``workforce run`` explains it), or else the shared commitment."""
    from workforce.solver.core import solve

    for b in blocks:
        try:
            solve_blocks([ms.alone(b)], tie_break=False, **options)
        except InfeasibleScenarioError:
            try:
                solve(b.data, verify=False)
            except InfeasibleScenarioError as exc:
                err = InfeasibleScenarioError(f"scenario {b.name} is infeasible on its own: {exc}")
                err.conflicts, err.alternatives = exc.conflicts, exc.alternatives  # already in the text
                return err
            return InfeasibleScenarioError(f"scenario {b.name} is infeasible on its own")
    return InfeasibleScenarioError(
        f"every scenario is feasible on its own, but no commitment for the first {commit_years} year(s) suits them all "
        "(a limit in one scenario, such as a budget, forbids what another scenario's minimum requires); commit fewer "
        "years (stochastic.commit_years) or make the scenarios' limits compatible")


def _names(datas: Sequence[ModelData]) -> list[str]:
    names = [d.scenario.name for d in datas]
    return names if len(set(names)) == len(names) else [f"scenario {i + 1}" for i in range(len(datas))]


def _result(name: str, commit_years: int, blocks: list[Block], rp: EFSolution, first_ev: np.ndarray, eev: float,
            eev_costs: np.ndarray, eev_xs: list[np.ndarray | None], ws: np.ndarray | None, p: np.ndarray,
            risk: Risk | None, values: pd.DataFrame | None, eev_bound: float | None = None,
            ws_bound: np.ndarray | None = None) -> StochasticResult:
    data = blocks[0].data
    first = ms.decision_table(blocks[0].first_keys, data, {"stochastic": rp.first, "deterministic": first_ev})
    first["difference"] = first["stochastic"] - first["deterministic"]
    table = pd.DataFrame({"scenario": [b.name for b in blocks], "probability": p, "stochastic": rp.costs,
                          "deterministic": eev_costs})
    if ws is not None:
        table["wait_and_see"] = ws
    if values is not None:
        table = pd.concat([table, values.reset_index(drop=True)], axis=1)
    shortfall, spend = ms.outcomes(blocks, {"stochastic": list(rp.x), "deterministic": eev_xs})
    measures = {**ms.measures(rp, eev, ws, p, risk, eev_bound, ws_bound), **ms.infeasible_under(blocks, eev_costs)}
    return StochasticResult(name=name, commit_years=commit_years, first_stage=first, scenarios=table,
                            measures=measures, shortfall=shortfall, spend=spend,
                            plans=_plans(blocks, rp), solution=rp, risk=risk)


def _plans(blocks: list[Block], rp: EFSolution) -> pd.DataFrame:
    frames = []
    for b, x in zip(blocks, rp.x, strict=True):
        cols = [j for j, (n, _) in enumerate(b.keys) if n in FIRST_STAGE]
        df = ms.decision_table([b.keys[j] for j in cols], b.data, {"value": x[cols]})
        df.insert(0, "scenario", b.name)
        frames.append(df[df["year"] <= reported_to(b.data.YEARS)])  # horizon.plan_to: reported years only
    return pd.concat(frames, ignore_index=True)


def _out_of_sample(draws: Sequence[Scenario | ModelData], first: np.ndarray, first_ev: np.ndarray, commit_years: int,
                   first_stage: Sequence[str], options: dict[str, Any], compiler: Any = None) -> pd.DataFrame:
    blocks = [compile_block(f"draw {i + 1}", 1.0, d, commit_years, first_stage, compiler=compiler)
              for i, d in enumerate(draws)]
    sto = ms.evaluate_fixed(blocks, first, **options)[0]
    det = ms.evaluate_fixed(blocks, first_ev, **options)[0]
    return pd.DataFrame({"draw": [b.name for b in blocks], "stochastic": sto, "deterministic": det})
