"""Explain an infeasible scenario in the planner's terms.

Elastic re-solve: every relaxable limit (budgets, envelopes, places, minimum intakes, caps) gets a
penalised slack column; the re-solve minimises the total relaxation, each slack weighed relative
to the size of its limit. The limits whose slack is
positive are the ones that must move, and by how much, each named with its scenario key and line.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import highspy
import numpy as np

from workforce.data import ModelData
from workforce.errors import Conflict, InfeasibleScenarioError, UnboundedScenarioError
from workforce.model.rows import KIND_NAMES, describe

if TYPE_CHECKING:
    from workforce.solve import Compiled

INF = highspy.kHighsInf


def explain_infeasible(compiled: Compiled, data: ModelData, maybe_unbounded: bool = False) -> Exception:
    """Return the error to raise: an InfeasibleScenarioError listing the conflicting limits."""
    from workforce.solve import _highs, _run_highs

    meanings = [describe(con.parent_component().name, con.index(), data) for con in compiled.rows]
    h = _highs(compiled, {"threads": data.scenario.solver.threads, "random_seed": data.scenario.solver.random_seed})
    slack_rows: list[tuple[int, float]] = []  # (row, sign of the slack column)
    for i, meaning in enumerate(meanings):
        if not meaning.relaxable:
            continue
        if np.isfinite(compiled.row_upper[i]):
            slack_rows.append((i, -1.0))
        if np.isfinite(compiled.row_lower[i]):
            slack_rows.append((i, 1.0))
    n = len(slack_rows)
    if n:
        # Rows are in £k or in people: weigh each slack by the size of its limit, so the re-solve
        # looks for the smallest *relative* moves (10% of a budget and 10% of a minimum weigh alike).
        bounds = np.array(
            [compiled.row_upper[i] if sign < 0 else compiled.row_lower[i] for i, sign in slack_rows]
        )
        h.addCols(
            n,
            1.0 / np.maximum(1.0, np.abs(bounds)),
            np.zeros(n),
            np.full(n, INF),
            n,
            np.arange(n, dtype=np.int32),
            np.array([i for i, _ in slack_rows], dtype=np.int32),
            np.array([s for _, s in slack_rows]),
        )
    status = _run_highs(h)
    if status != highspy.HighsModelStatus.kOptimal:
        if maybe_unbounded:
            return UnboundedScenarioError(
                "the scenario is unbounded or infeasible; check that every decision has a cost or a cap"
            )
        return InfeasibleScenarioError(
            "the scenario is infeasible, and relaxing budgets, capacities and minimums does not fix it: "
            "the stock and demand arithmetic itself conflicts (check initial stocks against surplus caps)"
        )
    values = np.asarray(h.getSolution().col_value)[len(compiled.columns):]
    conflicts: list[Conflict] = []
    for (i, _sign), amount in zip(slack_rows, values, strict=True):
        if amount <= 1e-6:
            continue
        meaning = meanings[i]
        file, line = data.scenario.source_of(meaning.path)
        conflicts.append(
            Conflict(
                kind=KIND_NAMES.get(meaning.kind, meaning.kind),
                description=meaning.label,
                amount=float(amount),
                unit=meaning.unit,
                file=file,
                line=line,
                key=".".join(map(str, meaning.path)),
            )
        )
    conflicts.sort(key=lambda c: -c.amount)
    return InfeasibleScenarioError(
        "the scenario is infeasible: no plan meets all of its hard limits. "
        "The smallest relative changes that would make it feasible (other combinations may also work):",
        conflicts,
    )
