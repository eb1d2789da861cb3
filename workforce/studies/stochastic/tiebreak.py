"""The tie-break stage of a stochastic plan (models/stochastic.md §3.3): one plan among equally good ones.

When the scenarios' objective has ``tie_break`` (models/cohort_planning.md §8.5), the extensive form
is solved again after its main solve: the objective is held at the optimum found (within
``tie_break.tolerance``, as the deterministic stages hold theirs) and the stage minimises the
probability-weighted sum of every scenario's own tie-break measure: its year-to-year intake
changes (``intake_change``, cost 1) and the small name-derived costs (``EPSILON`` ×
``name_weight``) on every other column. A shared first-stage column thus costs
Σ_s p_s ε η = ε η, exactly what it costs in one scenario's own tie-break, so the expected-value
plan and a one-scenario stochastic plan follow the deterministic rule. With whole cohorts the
counts are held at the main solve's whole values and the stage is a linear programme, as in §8.5.

With tolerance 0 (the default) the optimum is held without the dense bound row: the optimal plans are
exactly the feasible plans that satisfy complementary slackness with one optimal dual solution, so
columns with a nonzero reduced cost are fixed where they are and rows with a nonzero dual are made
equalities (:func:`face_stage`); HiGHS's presolve then removes most of the problem. On 100 EP draws
this takes 16 s where the bound row took 483-1,032 s.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import highspy
import numpy as np

from workforce.errors import VerificationError
from workforce.model.tiebreak import TIE_BREAK
from workforce.solver.core import _run_highs
from workforce.solver.stage_check import CHECK_TOLERANCE
from workforce.solver.tiebreak import EPSILON, hold_optimal_face, name_weight
from workforce.studies.stochastic.model import Block, ExtensiveForm

INF = float("inf")


@dataclass
class TieBreakStage:
    """What the tie-break stage did: its value, the expected intake changes and HiGHS's seconds."""

    status: str
    """``optimal``, or why the main solve's plan was kept (HiGHS's status in words)."""
    value: float
    intake_change: float
    """Σ_s p_s Σ intake_change at the plan: the expected total year-to-year change in intake."""
    seconds: float
    tolerance: float


def tolerance_of(blocks: Sequence[Block]) -> float | None:
    """The scenarios' ``objective.tie_break.tolerance``; None when they have no tie-break."""
    spec = blocks[0].data.scenario.objective.tie_break
    return None if spec is None else float(spec.tolerance)


def block_cost(keys: Sequence[tuple[str, Any]]) -> np.ndarray:
    """One scenario's tie-break costs in its column order: 1 on ``intake_change``, ε η elsewhere
    (workforce.solver.tiebreak.tie_break_cost, from the column keys alone)."""
    cost = np.array([EPSILON * name_weight(name, key) for name, key in keys])
    cost[[j for j, (name, _) in enumerate(keys) if name == TIE_BREAK]] = 1.0
    return cost


def expected_cost(ef: ExtensiveForm, blocks: Sequence[Block]) -> tuple[np.ndarray, np.ndarray]:
    """The stage's cost over the extensive form's columns, Σ_s p_s (scenario s's tie-break costs),
    and the weights p_s on the ``intake_change`` columns alone (what the stage log reports). The
    CVaR columns cost nothing. Scenarios with the same column keys share one cost vector."""
    cost, change = np.zeros(ef.csc.shape[1]), np.zeros(ef.csc.shape[1])
    known: list[tuple[list[tuple[str, Any]], np.ndarray]] = []
    for b, cols in zip(blocks, ef.columns, strict=True):
        own = next((c for keys, c in known if keys is b.keys or keys == b.keys), None)
        if own is None:
            own = block_cost(b.keys)
            known.append((b.keys, own))
        cost[cols] += b.probability * own  # a scenario's columns are distinct: no index repeats
        change[cols] += b.probability * (own == 1.0)
    return cost, change


def run_stage(h: highspy.Highs, ef: ExtensiveForm, blocks: Sequence[Block], x: np.ndarray,
              tolerance: float) -> tuple[np.ndarray, TieBreakStage]:
    """Hold the objective at its value at ``x`` (HiGHS's main solve), within ``tolerance`` × max(1, |value|),
    fix whole counts at ``x``'s, and minimise the expected tie-break measure. Returns the new plan, or
    ``x`` itself with the status in words when HiGHS does not solve the stage to optimality.

    Tolerance 0 holds the optimum by its optimal face (:func:`face_stage`); a positive tolerance needs
    the bound row of :func:`bound_row_stage`."""
    whole = np.flatnonzero(ef.integrality) if ef.integrality is not None else np.array([], dtype=np.int64)
    held = x.copy()
    held[whole] = np.round(x[whole])
    value = float(ef.cost @ x) + ef.offset
    # rounding the counts moves the value by HiGHS's integrality tolerance at most: hold the larger
    limit = max(value, float(ef.cost @ held) + ef.offset) + tolerance * max(1.0, abs(value)) - ef.offset
    stage = face_stage if tolerance == 0 else bound_row_stage
    return stage(h, ef, blocks, x, whole, held, limit, tolerance)


def bound_row_stage(h: highspy.Highs, ef: ExtensiveForm, blocks: Sequence[Block], x: np.ndarray, whole: np.ndarray,
                    held: np.ndarray, limit: float, tolerance: float) -> tuple[np.ndarray, TieBreakStage]:
    """The stage with a positive tolerance: the objective held by one dense row, ≤ ``limit``, solved
    by primal simplex from an optimal basis of the main objective with the counts fixed
    (:func:`_basis`), which stays feasible when the row is added."""
    n = ef.csc.shape[1]
    t = time.perf_counter()
    if len(whole) and not _basis(h, whole, held[whole]):
        return x, TieBreakStage(h.modelStatusToString(h.getModelStatus()), 0.0, 0.0, time.perf_counter() - t, tolerance)
    nz = np.flatnonzero(ef.cost)
    h.addRow(-INF, limit, len(nz), nz.astype(np.int32), ef.cost[nz])
    cost, change = expected_cost(ef, blocks)
    h.changeColsCost(n, np.arange(n, dtype=np.int32), cost)
    h.setOptionValue("simplex_strategy", PRIMAL_SIMPLEX)
    _run_highs(h)
    return _finish(h, ef, x, cost, change, limit, time.perf_counter() - t, tolerance)


def face_stage(h: highspy.Highs, ef: ExtensiveForm, blocks: Sequence[Block], x: np.ndarray, whole: np.ndarray,
               held: np.ndarray, limit: float, tolerance: float = 0.0) -> tuple[np.ndarray, TieBreakStage]:
    """The stage with tolerance 0: solve the main objective's linear programme with the counts held
    (:func:`_basis`), then restrict the extensive form to that programme's optimal face and minimise
    the expected tie-break measure over it, with no bound row (models/stochastic.md §3.3).

    By complementary slackness, a feasible x is optimal exactly when, for one optimal dual solution,
    every column with a nonzero reduced cost stays at the bound where it is and every row with a
    nonzero dual stays active; whichever optimal dual HiGHS returns, these conditions describe the
    same face (:func:`workforce.solver.tiebreak.hold_optimal_face`, shared with the deterministic solve)."""
    n = ef.csc.shape[1]
    t = time.perf_counter()
    if len(whole) and not _basis(h, whole, held[whole]):  # an LP's main solve left its duals already
        return x, TieBreakStage(h.modelStatusToString(h.getModelStatus()), 0.0, 0.0, time.perf_counter() - t, 0.0)
    hold_optimal_face(h)  # the extensive form's HiGHS is not used after the stage
    cost, change = expected_cost(ef, blocks)
    h.changeColsCost(n, np.arange(n, dtype=np.int32), cost)
    _run_highs(h)  # from scratch (hold_optimal_face cleared the solver): from the old basis simplex took 5x as long
    return _finish(h, ef, x, cost, change, limit, time.perf_counter() - t, 0.0)


def _finish(h: highspy.Highs, ef: ExtensiveForm, x: np.ndarray, cost: np.ndarray, change: np.ndarray, limit: float,
            seconds: float, tolerance: float) -> tuple[np.ndarray, TieBreakStage]:
    """The stage's plan, re-checked against the optimum it must keep, or ``x`` with HiGHS's status."""
    status = h.getModelStatus()
    if status != highspy.HighsModelStatus.kOptimal or h.getInfo().primal_solution_status != 2:
        return x, TieBreakStage(h.modelStatusToString(status), float(cost @ x), float(change @ x), seconds, tolerance)
    y = np.asarray(h.getSolution().col_value)
    kept = float(ef.cost @ y)
    if kept - limit > CHECK_TOLERANCE * max(1.0, abs(limit)):
        raise VerificationError(f"the tie-break stage's plan has expected cost {kept + ef.offset:,.6g}, above the "
                                f"optimum it must keep ({limit + ef.offset:,.6g}); no plan is returned")
    return y, TieBreakStage("optimal", float(cost @ y), float(change @ y), seconds, tolerance)


PRIMAL_SIMPLEX = 4
"""HiGHS's ``simplex_strategy`` for primal simplex."""


def _basis(h: highspy.Highs, whole: np.ndarray, values: np.ndarray) -> bool:
    """Make the counts continuous columns fixed at their whole ``values`` and solve the linear
    programme of the main objective, which leaves HiGHS an optimal basis and duals (a MIP leaves
    none). From scratch, so that presolve runs (HiGHS skips it from the MIP's start: 4x as long on 20
    EP draws). Through ``_run_highs`` (HiGHS's ``solve``, not ``run``): HiGHS runs in a thread of its
    own, as the main solve did, so a thread count other than this thread's first HiGHS's is not
    refused (HiGHS's scheduler is set once per thread), and Ctrl-C raises KeyboardInterrupt."""
    idx = whole.astype(np.int32)
    h.changeColsIntegrality(len(idx), idx, np.zeros(len(idx), dtype=np.uint8))
    h.changeColsBounds(len(idx), idx, values, values)
    h.clearSolver()
    return _run_highs(h) == highspy.HighsModelStatus.kOptimal


def tie_break_measures(rp: Any, blocks: Sequence[Block], method: str, wanted: bool = True) -> dict[str, Any]:
    """What the result says of the tie-break: applied (with the expected intake changes), or why not
    (nothing when the scenarios have no tie-break)."""
    if tolerance_of(blocks) is None:
        return {}
    if not wanted:
        return {"tie_break": "not applied: stochastic.tie_break is false, so each plan is whichever optimum HiGHS "
                             "meets first"}
    stage = getattr(rp, "tie_break", None)
    if stage is not None and stage.status == "optimal":
        return {"tie_break": "applied", "tie_break_intake_change": stage.intake_change}
    if stage is not None:
        return {"tie_break": f"not applied: HiGHS ended the stage with '{stage.status}', so the main solve's plan "
                             "is kept (one of possibly several optima)"}
    if method != "extensive":
        return {"tie_break": f"not applied: method {method} returns its incumbent's first stage, one of possibly "
                             "several optima; use method extensive for one plan among equal ones"}
    return {"tie_break": "not applied: the solve stopped at a limit with a provisional plan"}
