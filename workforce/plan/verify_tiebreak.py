"""Re-check of the tie-break stage (models/cohort_planning.md, section 8.5) from the plan's tables:
the stage's reported intake change is the plan's Σ |intake[p,r,t] − intake[p,r,t−1]|, and the stages before
it (their weighted terms recomputed from the tables) stay within the tie-break's tolerance of their
optimum."""

from __future__ import annotations

from typing import Any

import pandas as pd

from workforce.model.data import ModelData
from workforce.model.tiebreak import TIE_BREAK, total_change


def check_tie_break(c: Any, plan: Any, d: ModelData, terms: dict[str, float]) -> None:
    """``tie-break`` checks: the last stage's value against the intake table, and the stage before it
    (its group of terms, weighted, from ``terms`` recomputed by the re-check) within tolerance."""
    spec = d.scenario.objective.tie_break
    stages = plan.summary.get("lexicographic_stages") or []
    if spec is None or not stages or stages[-1]["terms"] != [TIE_BREAK]:
        return
    change = total_change(plan.intake, d.PROGRAMMES, d.REGIONS, d.YEARS)
    c.eq("tie-break", "year-to-year intake change of", pd.Series([stages[-1]["intake_change"]], index=["plan"]),
         pd.Series([change], index=["plan"]))
    if len(stages) < 2 or any(t not in terms for t in stages[-2]["terms"]):
        return
    optimum = float(stages[-2]["value"])
    held = sum(d.weights[t] * terms[t] for t in stages[-2]["terms"])
    c.le("tie-break", "objective before the tie-break, optimum plus tolerance, of",
         pd.Series([held], index=["stage " + str(stages[-2]["stage"])]),
         pd.Series([optimum + spec.tolerance * max(1.0, abs(optimum))], index=["stage " + str(stages[-2]["stage"])]))


def check_intake_change_limit(c: Any, plan: Any, d: ModelData) -> None:
    """``intake change limit`` (section 8.6): each limited programme's national intake rises or
    falls by at most ``max_intake_change`` from one horizon year to the next, from the intake table."""
    limited = [p for p in d.PROGRAMMES if d.scenario.programmes[p].max_intake_change is not None]
    if not limited:
        return
    national = plan.intake["intake"].groupby(level=["programme", "year"]).sum()
    keys = [(p, t) for p in limited for t in d.YEARS[1:]]
    index = pd.MultiIndex.from_tuples(keys, names=["programme", "year"])
    change = pd.Series([national.get((p, t), 0.0) - national.get((p, t - 1), 0.0) for p, t in keys], index=index)
    limit = pd.Series([d.scenario.programmes[p].max_intake_change for p, _ in keys], index=index)
    c.le("intake change limit", "rise in national intake of", change, limit)
    c.le("intake change limit", "fall in national intake of", -change, limit)


def check_steady_state(c: Any, plan: Any, d: ModelData) -> None:
    """``steady-state pipeline`` (section 10.2): the completers arriving after the horizon, from
    the plan's starters, are at least share × attrition × the last year's demand."""
    from workforce.model.horizon import plan_starters
    from workforce.model.steady_state import arrivals, pipeline_rows

    rows = pipeline_rows(d)
    if not rows:
        return
    starters = plan_starters(plan.intake, plan.extra.get("intake_terms"))
    index = pd.MultiIndex.from_tuples([row.key for row in rows], names=["role", "region", "year"])
    got = pd.Series([arrivals(row, starters) for row in rows], index=index)
    need = pd.Series([row.need for row in rows], index=index)
    c.le("steady-state pipeline", "replacement need against pipeline arrivals of", need, got)


def completer_credit_of(plan: Any, d: ModelData) -> float:
    """The declared value of post-horizon completers (section 10.3) at the plan's starters."""
    if not d.scenario.horizon.completer_value:
        return 0.0
    from workforce.model.completer_value import plan_credit
    from workforce.model.horizon import plan_starters

    return plan_credit(d, plan_starters(plan.intake, plan.extra.get("intake_terms")))
