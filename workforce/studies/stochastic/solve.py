"""Solve an extensive form with HiGHS (passModel, like any plan) and re-check what it returns."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import highspy
import numpy as np

from workforce.errors import InfeasibleScenarioError, NoSolutionError, SolveError, VerificationError
from workforce.studies.stochastic.model import Block, ExtensiveForm, Risk, extensive_form, risk_row
from workforce.studies.stochastic.tiebreak import TieBreakStage, run_stage, tolerance_of

OK = (highspy.HighsModelStatus.kOptimal,)
LIMITS = (highspy.HighsModelStatus.kTimeLimit, highspy.HighsModelStatus.kIterationLimit,
          highspy.HighsModelStatus.kSolutionLimit)


@dataclass
class EFSolution:
    """An extensive form's solution: the shared first stage and each scenario's columns."""

    status: str
    """``optimal`` (within the gap) or ``provisional`` (a limit stopped HiGHS with a plan in hand)."""
    objective: float
    bound: float
    gap: float
    first: np.ndarray
    """Values of the first-stage decisions (order of ``first_keys``)."""
    x: list[np.ndarray]
    """Each scenario's full column vector (its own column order)."""
    costs: np.ndarray
    """Each scenario's total weighted cost, cost·x_s + offset."""
    seconds: float
    n_rows: int
    n_cols: int
    cvar: float | None = None
    stage_seconds: list[float] = field(default_factory=list)
    """HiGHS's seconds per stage: the main solve, then the tie-break (``seconds`` is their sum)."""
    tie_break: TieBreakStage | None = None
    """The tie-break stage (models/stochastic.md §3.3), when the scenarios have one and it ran."""

    @property
    def expected(self) -> float:
        """Probability-weighted cost (without the risk term)."""
        return float(self._probs @ self.costs)

    _probs: np.ndarray = None  # type: ignore[assignment]


def solve_extensive(ef: ExtensiveForm, blocks: Sequence[Block], *, mip_gap: float = 1e-4,
                    time_limit: float | None = None, threads: int = 0, seed: int = 0,
                    tolerance: float = 1e-6, risk: Risk | None = None, tie_break: bool = True) -> EFSolution:
    """Hand the extensive form to HiGHS; raise instead of returning a failed plan. With ``tie_break``
    and a scenario objective that has one, a last stage picks one plan among the optimal ones
    (models/stochastic.md §3.3); measures that need only costs turn it off."""
    from workforce.solver.core import _run_highs, new_highs

    h = new_highs()
    h.setOptionValue("threads", int(threads))
    h.setOptionValue("random_seed", int(seed))
    h.setOptionValue("mip_rel_gap", float(mip_gap))
    if time_limit is not None:
        h.setOptionValue("time_limit", float(time_limit))
    A = ef.csc
    flags = np.zeros(A.shape[1], dtype=np.int32)
    if ef.integrality is not None:
        flags[ef.integrality] = int(highspy.HighsVarType.kInteger)
    status = h.passModel(
        A.shape[1], A.shape[0], A.nnz, int(highspy.MatrixFormat.kColwise), int(highspy.ObjSense.kMinimize),
        ef.offset, ef.cost, ef.col_lower, ef.col_upper, ef.row_lower, ef.row_upper,
        A.indptr.astype(np.int32, copy=False), A.indices.astype(np.int32, copy=False), A.data, flags)
    if status == highspy.HighsStatus.kError:
        raise SolveError("HiGHS refused the extensive form (passModel returned an error)")
    t = time.perf_counter()
    model_status = _run_highs(h)  # Ctrl-C raises KeyboardInterrupt
    seconds = time.perf_counter() - t
    info = h.getInfo()
    has_solution = info.primal_solution_status == 2
    if model_status in (highspy.HighsModelStatus.kInfeasible, highspy.HighsModelStatus.kUnboundedOrInfeasible):
        raise InfeasibleScenarioError(
            "no first-stage commitment keeps every scenario feasible (HiGHS: "
            f"{h.modelStatusToString(model_status)})")
    if model_status == highspy.HighsModelStatus.kUnbounded:
        raise SolveError("the expected cost can fall without limit; check that every decision has a cost or a cap")
    if not (model_status in OK or (has_solution and model_status in LIMITS)):
        raise NoSolutionError(
            f"HiGHS stopped ({h.modelStatusToString(model_status)}) after {seconds:.2f} s without a plan for the "
            "extensive form; raise stochastic.time_limit or use fewer scenarios", elapsed=seconds)
    x = np.asarray(h.getSolution().col_value)
    check_extensive(ef, x, tolerance)
    value = float(info.objective_function_value)
    bound = float(info.mip_dual_bound) if ef.integrality is not None else value
    stage_seconds, stage = [seconds], None
    tie_tolerance = tolerance_of(blocks) if tie_break else None
    if tie_tolerance is not None and model_status in OK:
        x, stage = run_stage(h, ef, blocks, x, tie_tolerance)
        check_extensive(ef, x, tolerance)
        value = float(ef.cost @ x) + ef.offset  # the returned plan's own value (the optimum within the tolerance)
        stage_seconds.append(stage.seconds)
        seconds += stage.seconds
    # an LP's bound is its optimum; the tie-break's plan may lie up to its tolerance above it
    gap = max(0.0, (value - bound) / max(1.0, abs(value))) if ef.integrality is not None or stage else 0.0
    xs = [x[cols] for cols in ef.columns]
    costs = np.array([b.cost @ xb + b.offset for b, xb in zip(blocks, xs, strict=True)])
    sol = EFSolution(status="optimal" if model_status in OK else "provisional", objective=value, bound=bound,
                     gap=gap, first=x[: len(ef.first_keys)].copy(), x=xs, costs=costs, seconds=seconds,
                     n_rows=A.shape[0], n_cols=A.shape[1], stage_seconds=stage_seconds, tie_break=stage)
    sol._probs = np.array([b.probability for b in blocks])
    if risk is not None and risk.weight > 0:
        sol.cvar = cvar_value(np.array([risk_row(b, risk.of)[0] @ xb + risk_row(b, risk.of)[1]
                                        for b, xb in zip(blocks, xs, strict=True)]), sol._probs, risk.alpha)
    return sol


def check_extensive(ef: ExtensiveForm, x: np.ndarray, tolerance: float) -> None:
    """Re-check every row and column bound of the extensive form at HiGHS's solution (each
    scenario's own limits and balances, and the CVaR rows)."""
    activity = ef.csc @ x
    scale = np.maximum(1.0, np.abs(np.where(np.isfinite(ef.row_upper), ef.row_upper, ef.row_lower)))
    worst = np.maximum((activity - ef.row_upper) / scale, (ef.row_lower - activity) / scale)
    if worst.size and worst.max() > tolerance:
        raise VerificationError(f"the solver's stochastic plan violates row {int(worst.argmax())} of the extensive "
                                f"form by {worst.max():.2e} (relative)")
    col_bad = np.maximum(ef.col_lower - x, x - ef.col_upper) / np.maximum(1.0, np.abs(x))
    if col_bad.size and col_bad.max() > tolerance:
        raise VerificationError(f"the solver's stochastic plan puts column {int(col_bad.argmax())} outside its bounds")


def cvar_value(z: np.ndarray, p: np.ndarray, alpha: float) -> float:
    """CVaR_alpha of outcomes z with probabilities p: min over eta of eta + E[(z − eta)+] / (1 − alpha)
    (the minimum is at one of the outcomes)."""
    return float(min(eta + p @ np.maximum(z - eta, 0.0) / (1.0 - alpha) for eta in z))


def solve_blocks(blocks: Sequence[Block], *, risk: Risk | None = None, fixed: np.ndarray | None = None,
                 **options: Any) -> EFSolution:
    """Build and solve the extensive form of ``blocks`` (first stage ``fixed`` if given; ``tie_break=False``
    leaves out the tie-break stage where only the optimum's cost is used)."""
    return solve_extensive(extensive_form(blocks, risk, fixed), blocks, risk=risk, **options)
