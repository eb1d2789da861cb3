"""Solve stage: the model as arrays, handed to HiGHS, returned as a Plan.

This is the only module that talks to the solver. The LP is either generated as arrays
(``workforce.model.arrays``, for the scenarios it covers) or compiled once from the Pyomo model
with Pyomo's ``LinearStandardFormCompiler``; either way it is passed to ``highspy`` as a whole,
which avoids Pyomo's row-by-row solver interfaces. Every objective term has its own cost row, so
a lexicographic objective is a sequence of re-solves of the same HiGHS model with a different
cost vector and one extra row.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import highspy
import numpy as np

from workforce.errors import NoSolutionError, SolveError, UnboundedScenarioError, VerificationError
from workforce.model import arrays
from workforce.model.compiled import Compiled as Compiled
from workforce.model.data import ModelData, prepare
from workforce.model.gc_pause import paused_gc
from workforce.model.tiebreak import TIE_BREAK
from workforce.plan.solution import SolveInfo as SolveInfo
from workforce.scenario.derive import validated
from workforce.scenario.schema import TERMS, Scenario
from workforce.solver.mip_start import give_start, honest_gap, rescue
from workforce.solver.policy import (
    check_integral,
    integrality,
    integrality_conflict,
    price_of_fairness,
    stage_cost,
    with_equity,
)
from workforce.solver.stage_check import StageBound, disagreement, hold_whole_counts, stage_value, whole_plan
from workforce.solver.tiebreak import (
    bound_tolerance,
    by_face,
    change_columns,
    hold_optimal_face,
    tie_break_cost,
    with_tie_break,
)

if TYPE_CHECKING:  # Pyomo itself is imported only where a Pyomo model is built or compiled
    import pyomo.environ as pyo

    from workforce.plan.results import Plan


INF = highspy.kHighsInf

RECORDED_OPTIONS = (
    "presolve", "solver", "parallel", "threads", "random_seed", "time_limit", "simplex_strategy",
    "primal_feasibility_tolerance", "dual_feasibility_tolerance", "mip_rel_gap", "mip_abs_gap",
)

"""HiGHS options whose values every run records in its manifest."""

def compile_model(m: pyo.ConcreteModel) -> Compiled:
    """Compile the model's constraints and objective terms into arrays (minimisation)."""
    import pyomo.environ as pyo
    from pyomo.common.errors import InfeasibleConstraintException
    from pyomo.repn.plugins.standard_form import LinearStandardFormCompiler

    m.objective.deactivate()
    m.objective_term.activate()
    try:
        # Garbage collection is paused as in the build: the compiler allocates objects per term and a
        # collection walks the whole model (a few per cent here; reading the plan gains far more).
        with paused_gc():
            info = LinearStandardFormCompiler().write(m, mixed_form=True, set_sense=pyo.minimize)
    except InfeasibleConstraintException:
        from workforce.solver.trivial_rows import infeasible_constant_rows

        raise infeasible_constant_rows(m) from None
    finally:
        m.objective_term.deactivate()
        m.objective.activate()
    n_rows = len(info.rows)
    row_lower = np.full(n_rows, -INF)
    row_upper = np.full(n_rows, INF)
    rhs = np.asarray(info.rhs, dtype=float)
    sense = np.array([s for _, s in info.rows], dtype=int)
    row_lower[sense <= 0] = rhs[sense <= 0]
    row_upper[sense >= 0] = rhs[sense >= 0]
    columns = list(info.columns)
    col_lower = np.array([-INF if v.lb is None else v.lb for v in columns], dtype=float)
    col_upper = np.array([INF if v.ub is None else v.ub for v in columns], dtype=float)
    order = {obj.index(): i for i, obj in enumerate(info.objectives)}
    c = info.c.toarray() if hasattr(info.c, "toarray") else np.asarray(info.c)
    term_costs = np.zeros((len(TERMS), len(columns)))
    term_offsets = np.zeros(len(TERMS))
    for j, term in enumerate(TERMS):
        if term in order:
            term_costs[j] = c[order[term]]
            term_offsets[j] = float(info.c_offset[order[term]])
    return Compiled(
        A=info.A.tocsc(),
        row_lower=row_lower,
        row_upper=row_upper,
        col_lower=col_lower,
        col_upper=col_upper,
        term_costs=term_costs,
        term_offsets=term_offsets,
        rows=[con for con, _ in info.rows],
        columns=columns,
        col_position={id(v): i for i, v in enumerate(columns)},
        integrality=integrality(columns),
        model=m,
    )

def compile_scenario(
    data: ModelData, timings: dict[str, float] | None = None,
) -> tuple[pyo.ConcreteModel | None, Compiled | arrays.ArrayCompiled]:
    """The scenario's LP as arrays, and its Pyomo model when one was built.

    Scenarios of the stock-and-flow model alone (``workforce.model.arrays.applies``) are generated
    as arrays directly, with no Pyomo model until one is asked for (``compiled.model``); the others
    are built by ``build_model`` and compiled by Pyomo's standard-form compiler. Both give the same
    LP (tests/test_arrays.py). ``timings`` receives ``build`` (and ``compile``) seconds.
    """
    timings = {} if timings is None else timings
    t = time.perf_counter()
    if arrays.applies(data):
        try:
            with paused_gc():
                compiled = arrays.compile_arrays(data)
        except arrays.ConstantRowsInfeasible:
            from workforce.model.build import build_model
            from workforce.solver.trivial_rows import infeasible_constant_rows

            raise infeasible_constant_rows(build_model(data)) from None
        timings["build"] = time.perf_counter() - t
        return None, compiled
    from workforce.model.build import build_model

    m = build_model(data)
    timings["build"] = time.perf_counter() - t
    t = time.perf_counter()
    compiled_model = compile_model(m)
    timings["compile"] = time.perf_counter() - t
    return m, compiled_model

def solve(
    scenario: Scenario | ModelData,
    *,
    time_limit: float | None = None,
    threads: int | None = None,
    verify: bool = True,
) -> Plan:
    """Solve the scenario and return its :class:`~workforce.plan.results.Plan`.

    Raises :class:`InfeasibleScenarioError` (with the conflicting limits in scenario terms),
    :class:`UnboundedScenarioError` or :class:`NoSolutionError` instead of returning a failed plan.
    """
    from workforce.plan.horizon_cut import report_cut
    from workforce.plan.results import make_plan, tables_fingerprint

    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    data = scenario if isinstance(scenario, ModelData) else prepare(validated(scenario, "solve"))
    time_limit, threads = _python_number(time_limit), _python_number(threads)
    timings["prepare"] = time.perf_counter() - t0
    m, compiled = compile_scenario(data, timings)
    settings = data.scenario.solver
    options = {
        "time_limit": time_limit if time_limit is not None else settings.time_limit,
        "threads": threads if threads is not None else settings.threads,
        "random_seed": settings.random_seed,
    }
    if compiled.integrality is not None:
        options["mip_gap"] = settings.mip_gap
    info = run(compiled, data, options, timings)
    if isinstance(compiled, arrays.ArrayCompiled):
        compiled.x = info.x
    if verify:
        check_rows(compiled, info.x, settings.verify_tolerance)
        check_integral(compiled, info.x, settings.verify_tolerance)
    t3 = time.perf_counter()
    with paused_gc():  # collections during extraction walked the whole model: 0.35 s of 0.4 s at 153x3x20
        plan = make_plan(data, m, compiled, info)
    if data.equity_basis is not None:
        plan.summary["equity"] = price_of_fairness(compiled, data, options, info)
    timings["extract"] = time.perf_counter() - t3
    if verify:
        from workforce.plan.verify import verify_plan

        t4 = time.perf_counter()
        plan.summary["verification"] = verify_plan(plan, settings.verify_tolerance)
        plan.verified_tables = tables_fingerprint(plan)
        timings["verify"] = time.perf_counter() - t4
    plan = report_cut(plan, verify)  # horizon.plan_to: tables cut to the reported years (section 10.4)
    timings["total"] = time.perf_counter() - t0
    plan.summary["timings_seconds"] = dict(timings)
    return plan

def _python_number(value: Any) -> Any:
    """A numpy scalar (np.float64(60), np.int64(2)) as the Python number HiGHS's options take."""
    return value.item() if hasattr(value, "item") and getattr(value, "ndim", None) == 0 else value

_BANNER_SHOWN = False

def new_highs() -> highspy.Highs:
    """A silent HiGHS instance (the first one made in a process prints a banner on stdout)."""
    global _BANNER_SHOWN
    if _BANNER_SHOWN:
        h = highspy.Highs()
    else:
        import os
        import sys

        sys.stdout.flush()
        saved = os.dup(1)
        try:
            with open(os.devnull, "w") as devnull:
                os.dup2(devnull.fileno(), 1)
                h = highspy.Highs()
        finally:
            os.dup2(saved, 1)
            os.close(saved)
        _BANNER_SHOWN = True
    h.setOptionValue("output_flag", False)
    return h

def _highs(compiled: Compiled, options: dict[str, Any], integer: bool = False) -> highspy.Highs:
    """HiGHS holding the compiled model; ``integer`` keeps integer columns integer (otherwise the
    continuous relaxation, as the elastic diagnosis uses)."""
    h = new_highs()  # already silent
    if options.get("time_limit") is not None:
        h.setOptionValue("time_limit", float(options["time_limit"]))
    h.setOptionValue("threads", int(options.get("threads") or 0))
    h.setOptionValue("random_seed", int(options.get("random_seed", 0)))
    # The arrays are passed as they are (one copy into HiGHS); building a HighsLp first copies
    # each of them once more (0.11 s of 0.13 s at 153 x 10 x 20 with terms). Integrality 0 is
    # continuous: an LP stays an LP.
    A = compiled.csc
    flags = np.zeros(A.shape[1], dtype=np.int32)
    if integer and compiled.integrality is not None:
        flags[compiled.integrality] = int(highspy.HighsVarType.kInteger)
        h.setOptionValue("mip_rel_gap", float(options.get("mip_gap", 1e-3)))
    status = h.passModel(
        A.shape[1], A.shape[0], A.nnz, int(highspy.MatrixFormat.kColwise), int(highspy.ObjSense.kMinimize), 0.0,
        np.zeros(A.shape[1]), compiled.col_lower, compiled.col_upper, compiled.row_lower, compiled.row_upper,
        A.indptr.astype(np.int32, copy=False), A.indices.astype(np.int32, copy=False), A.data, flags,
    )
    if status == highspy.HighsStatus.kError:
        raise SolveError("HiGHS refused the model (passModel returned an error)")
    return h

def _run_highs(h: highspy.Highs) -> highspy.HighsModelStatus:
    h.HandleKeyboardInterrupt = True
    h.solve()
    status = h.getModelStatus()
    if status == highspy.HighsModelStatus.kInterrupt:
        raise KeyboardInterrupt
    return status

def run(
    compiled: Compiled,
    data: ModelData,
    options: dict[str, Any],
    timings: dict[str, float],
    equity: bool = True,
    *,
    before: Callable[[highspy.Highs], None] | None = None,
    on_stage: Callable[[int, list[str], highspy.Highs], None] | None = None,
    highs: highspy.Highs | None = None,
) -> SolveInfo:
    """Run HiGHS on the compiled model: one stage for a weighted sum, several for lexicographic
    (and a first equity stage when the objective asks for regional equity and ``equity`` is on).

    ``before(h)`` is called once the model is in HiGHS, before the first solve; ``on_stage(s, group,
    h)`` after each stage's optimal solve, before the next stage's bound row is added (so that the
    duals HiGHS holds then are the stage's own; workforce.explain reads them this way).
    ``highs`` re-solves a HiGHS model already loaded with ``compiled`` (warm, from its last basis);
    the caller then removes any rows a lexicographic objective added (see workforce.solver.warm).
    """
    objective = data.scenario.objective
    t = time.perf_counter()
    h = _highs(compiled, options, integer=True) if highs is None else highs
    if before is not None:
        before(h)
    log: list[str] = []
    if highs is None:  # a warm re-solve (sweeps) keeps the caller's HiGHS as it is: no log capture
        h.setOptionValue("output_flag", True)
        h.setOptionValue("log_to_console", False)
        h.cbLogging.subscribe(lambda event: log.append(event.message))
    if highs is None and compiled.integrality is not None and data.scenario.solver.cohort_strengthening:
        from workforce.solver.cohort_cuts import add_capacity_cuts

        log.append(f"workforce: {add_capacity_cuts(h, compiled, data)} cohort_capacity_cut rows given to HiGHS\n")
    timings["handoff"] = time.perf_counter() - t
    if objective.lexicographic:
        listed = [term for group in objective.lexicographic for term in group]
        stages = [list(group) for group in objective.lexicographic]
        # A people count not listed and not weighted counts for nothing: no stage of its own (section 21.2).
        rest = [term for term in TERMS if term not in listed and not (term.endswith("_count") and not data.weights[term])]
        if rest:
            stages.append(rest)
    else:
        stages = [list(TERMS)]
    if equity:
        stages = with_equity(data, stages, compiled)
    stages = with_tie_break(data, stages)
    index = {term: j for j, term in enumerate(TERMS)}
    stage_log: list[dict[str, Any]] = []
    provisional = False
    gap: float | None = None
    bound: float | None = None
    solve_time = 0.0
    start: np.ndarray | None = None
    earlier: list[StageBound] = []
    held: tuple[int, np.ndarray, np.ndarray, np.ndarray] | None = None
    face: Callable[[], None] | None = None
    mip_gap = float(options.get("mip_gap", 1e-3))
    for s, group in enumerate(stages):
        cost, offset, tol = tie_break_cost(compiled, data) if group == [TIE_BREAK] else stage_cost(compiled, data, group)
        h.changeColsCost(len(cost), np.arange(len(cost), dtype=np.int32), cost)
        if group == [TIE_BREAK] and compiled.integrality is not None and start is not None:
            # section 8.5: the tie-break keeps the optimum's cohort counts and settles the rest as an LP
            # (over the counts as well it is a MIP HiGHS may not close)
            held = hold_whole_counts(h, compiled.integrality, start)
        started = start is not None and highs is None and give_start(h, start)
        region_bound = _region_bound(h, compiled, data, cost, offset, options, log, timings) if (
            s == 0 and highs is None and compiled.integrality is not None and group != [TIE_BREAK]) else -INF
        t = time.perf_counter()
        status = _run_highs(h)
        if "region_decomposition" in timings and options.get("time_limit") is not None:
            h.setOptionValue("time_limit", float(options["time_limit"]))
        restarted = None
        if started:
            restarted = _suspect_start(h, status, cost, offset, earlier, mip_gap)
            if restarted is not None:  # HiGHS's answer from the start does not hold: solve afresh
                log.append(f"workforce: stage {s + 1} ({', '.join(group)}): {restarted} when started from "
                           f"stage {s}'s plan; re-solved without the start\n")
                h.clearSolver()
                status = _run_highs(h)
        elapsed = time.perf_counter() - t
        solve_time += elapsed
        has_solution = h.getInfo().primal_solution_status == 2
        rescued_bound = None
        # the same in a study (highs given: the warm model's own HiGHS) as in a single run
        if compiled.integrality is not None and not has_solution and status in (
            highspy.HighsModelStatus.kTimeLimit, highspy.HighsModelStatus.kIterationLimit,
        ):
            rescued_bound = float(h.getInfo().mip_dual_bound)
            status, report = rescue(h, compiled, cost, options)
            solve_time += report["seconds"]
            timings["mip_start"] = report["seconds"]
            has_solution = h.getInfo().primal_solution_status == 2
        if status == highspy.HighsModelStatus.kOptimal:
            pass
        elif status in (highspy.HighsModelStatus.kInfeasible, highspy.HighsModelStatus.kUnboundedOrInfeasible):
            if s == 0:
                from workforce.solver.diagnose import explain_infeasible

                if compiled.integrality is not None:
                    cause = integrality_conflict(compiled, data, options)
                    if cause is not None:
                        raise cause
                raise explain_infeasible(compiled, data, status == highspy.HighsModelStatus.kUnboundedOrInfeasible)
            from workforce.solver.tiebreak import stage_infeasible_message

            raise SolveError(stage_infeasible_message(s, group))
        elif status == highspy.HighsModelStatus.kUnbounded:
            raise UnboundedScenarioError(
                "the objective can fall without limit (objective terms "
                f"{', '.join(group)}); check that every decision has a cost or a cap"
            )
        elif has_solution and status in (
            highspy.HighsModelStatus.kTimeLimit,
            highspy.HighsModelStatus.kIterationLimit,
            highspy.HighsModelStatus.kSolutionLimit,
        ):
            provisional = True
        else:
            limit = options.get("time_limit")
            raise NoSolutionError(
                f"HiGHS stopped ({h.modelStatusToString(status)}) after {solve_time:.2f} s without a feasible plan"
                + (f" (time limit {limit:g} s)" if limit is not None else "")
                + "; nothing was written. Raise the limit (--time-limit, or solver.time_limit in the scenario), "
                "or make the scenario smaller (fewer regions, years or programmes)",
                elapsed=solve_time,
            )
        x_stage = np.asarray(h.getSolution().col_value)
        problem = disagreement(h, cost, offset, x_stage, earlier, not provisional, mip_gap)
        if problem is not None:
            raise VerificationError(
                f"stage {s + 1} of the solve ({', '.join(group)}): {problem}"
                + (" (also when re-solved without the earlier stage's plan as a start)" if restarted else "")
                + f"; HiGHS {h.version()} gave an answer that does not hold, so no plan is returned. "
                "Install a highspy version that pyproject.toml allows, or report the scenario"
            )
        value = stage_value(cost, offset, x_stage)  # the plan's own value, not the one HiGHS reports
        if compiled.integrality is not None:
            bound = max(float(h.getInfo().mip_dual_bound), rescued_bound or -INF, region_bound) + offset
            gap = max(gap or 0.0, honest_gap(value, bound))
            start = x_stage  # feasible for the next stage (its bound row has slack)
        elif provisional:
            from workforce.solver.gap import lp_bound

            bound = lp_bound(h, offset)
            gap = (value - bound) / max(1.0, abs(value)) if bound is not None else None
        stage_log.append({"stage": s + 1, "terms": group, "value": value, "status": h.modelStatusToString(status)})
        if group == [TIE_BREAK]:
            stage_log[-1]["intake_change"] = float(x_stage[change_columns(compiled)].sum())
        if restarted is not None:
            stage_log[-1]["restarted"] = f"{restarted} when started from the earlier stage's plan; re-solved without it"
        if provisional:
            break
        if on_stage is not None:
            on_stage(s, group, h)
        if s < len(stages) - 1:
            tol = bound_tolerance(data, stages, s, tol)
            bound = value + tol * max(1.0, abs(value)) - offset
            earlier.append(StageBound(s + 1, cost, offset, bound + offset))
            if by_face(data, stages, s, compiled, highs is not None):  # section 8.5: no row over the objective
                face = hold_optimal_face(h)
                continue
            nz = np.flatnonzero(cost)
            h.addRow(-INF, bound, len(nz), nz.astype(np.int32), cost[nz])
    solution = h.getSolution()
    if held is not None:  # the tie-break's solution is read: give the counts their own bounds back
        h.changeColsBounds(*held)
    if face is not None:  # and the columns and rows the optimal face fixed
        face()
    if compiled.integrality is not None and not provisional and h.getInfo().mip_node_count >= 0:
        t = time.perf_counter()
        rounded = whole_plan(h, compiled.integrality, np.asarray(solution.col_value))
        solve_time += time.perf_counter() - t
        if rounded is not None:  # the last stage's value and gap at the plan with whole counts
            solution = rounded
            value = stage_value(cost, offset, np.asarray(solution.col_value))
            stage_log[-1]["value"] = value
            gap = max(gap or 0.0, honest_gap(value, bound)) if bound is not None else gap
    timings["solve"] = solve_time
    x = np.asarray(solution.col_value)
    n_rows = compiled.csc.shape[0]
    term_values = compiled.term_costs @ x + compiled.term_offsets
    terms = {term: float(term_values[index[term]]) for term in TERMS}
    return SolveInfo(
        status="provisional" if provisional else "optimal",
        objective=float(sum(data.weights[t] * terms[t] for t in TERMS)),
        terms=terms,
        x=x,
        row_activity=np.asarray(solution.row_value)[:n_rows],
        row_dual=np.asarray(solution.row_dual)[:n_rows],
        mip_gap=gap if provisional or compiled.integrality is not None else 0.0,  # a solved LP: no gap
        stages=stage_log,
        timings=timings,
        highs_version=h.version(),
        options=options,
        log=log,
        solver={
            "githash": h.githash(),
            "model_status": stage_log[-1]["status"] if stage_log else None,
            "bound": bound if provisional or compiled.integrality is not None else None,
            "highs_options": {name: _option_value(h, name) for name in RECORDED_OPTIONS},
        },
    )

def _region_bound(h: highspy.Highs, compiled: Compiled, data: ModelData, cost: np.ndarray, offset: float,
                  options: dict[str, Any], log: list[str], timings: dict[str, float]) -> float:
    """The region decomposition's bound (section 12.7) when ``solver.region_decomposition`` is on, else
    −inf; its seconds go to ``timings["region_decomposition"]`` (part of the time limit, not of ``solve``)."""
    if not data.scenario.solver.region_decomposition:
        return -INF
    from workforce.solver.region_solve import before_stage

    t = time.perf_counter()
    bound = before_stage(h, compiled, data, cost, offset, options, log)
    timings["region_decomposition"] = time.perf_counter() - t
    return bound

def _suspect_start(h: highspy.Highs, status: highspy.HighsModelStatus, cost: np.ndarray, offset: float,
                   earlier: list[StageBound], mip_gap: float) -> str | None:
    """Why HiGHS's answer to a stage started from the earlier plan is not to be trusted (the start is
    feasible, so "no plan" cannot be right either); none when it holds (workforce.solver.stage_check)."""
    if status in (highspy.HighsModelStatus.kInfeasible, highspy.HighsModelStatus.kUnboundedOrInfeasible):
        return f"HiGHS reported {h.modelStatusToString(status).lower()}"
    if h.getInfo().primal_solution_status != 2:
        return None
    x = np.asarray(h.getSolution().col_value)
    return disagreement(h, cost, offset, x, earlier, status == highspy.HighsModelStatus.kOptimal, mip_gap)

def _option_value(h: highspy.Highs, name: str) -> Any:
    """A HiGHS option's value for JSON (an infinite limit is recorded as null)."""
    value = h.getOptionValue(name)[1]
    return None if isinstance(value, float) and not np.isfinite(value) else value

def check_rows(compiled: Compiled, x: np.ndarray, tolerance: float) -> None:
    """Re-check every limit and balance at the solution; HiGHS can report optimal while a row is
    slightly violated, so a plan is only returned once the arithmetic holds."""
    activity = compiled.csc @ x
    scale = np.maximum(1.0, np.abs(np.where(np.isfinite(compiled.row_upper), compiled.row_upper, compiled.row_lower)))
    over = (activity - compiled.row_upper) / scale
    under = (compiled.row_lower - activity) / scale
    worst = np.maximum(over, under)
    col_scale = np.maximum(1.0, np.abs(x))
    col_bad = np.maximum(compiled.col_lower - x, x - compiled.col_upper) / col_scale
    if worst.size and worst.max() > tolerance:
        i = int(worst.argmax())
        raise VerificationError(
            f"the solver's plan violates {compiled.rows[i].name} by {worst[i]:.2e} (relative); "
            "the scenario may be badly scaled (keep money in £k and people in heads)"
        )
    if col_bad.size and col_bad.max() > tolerance:
        j = int(col_bad.argmax())
        raise VerificationError(f"the solver's plan puts {compiled.columns[j].name} outside its bounds")

