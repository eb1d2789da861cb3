"""Rows with no decision in them that cannot hold (models/cohort_planning.md, section 9.1).

Some rows are kept although no decision enters them, so that an unreachable one is named (section
12.3): a completions target only prior cohorts count towards, a budget that pays only committed costs
of prior cohorts (a course cost written as an explicit zero leaves a zero coefficient). Pyomo's
compiler rejects such a row when it is violated; this module finds those rows and reports them as an
infeasible scenario, with the kind of limit, the amount it is out by, and the scenario's file and line.
"""

from __future__ import annotations

from typing import Any

import pyomo.environ as pyo
from pyomo.repn import generate_standard_repn

from workforce.errors import Conflict, InfeasibleScenarioError

TOLERANCE = 1e-9


def _violation(con: Any) -> tuple[float, str] | None:
    """(amount, direction) of a constant row that does not hold, None otherwise (or if it has a decision)."""
    repn = generate_standard_repn(con.body, compute_values=True, quadratic=False)
    if any(c != 0 for c in repn.linear_coefs) or repn.nonlinear_expr is not None:
        return None
    value = float(repn.constant)
    lower, upper = pyo.value(con.lower), pyo.value(con.upper)
    if lower is not None and value < lower - TOLERANCE * max(1.0, abs(lower)):
        return lower - value, "lower"
    if upper is not None and value > upper + TOLERANCE * max(1.0, abs(upper)):
        return value - upper, "raise"
    return None


def infeasible_constant_rows(m: pyo.ConcreteModel) -> InfeasibleScenarioError:
    """The error for every active row of ``m`` that has no decision in it and does not hold."""
    from workforce.model.rows import KIND_NAMES, describe

    d = m.data
    conflicts = []
    for con in m.component_data_objects(pyo.Constraint, active=True):
        found = _violation(con)
        if found is None:
            continue
        amount, direction = found
        name, index = con.parent_component().name, con.index()
        meaning = describe(name, index, d)
        file, line = d.scenario.source_of(meaning.path)
        conflicts.append(Conflict(kind=KIND_NAMES.get(name, name), description=meaning.label, amount=amount,
                                  unit=meaning.unit, file=file, line=line, key=".".join(map(str, meaning.path)),
                                  direction=direction))
    return InfeasibleScenarioError(
        "the scenario is infeasible whatever the plan does: a limit that no decision can change (it counts only "
        "cohorts started before the horizon, or costs already committed) cannot hold",
        conflicts,
    )
