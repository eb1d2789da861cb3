"""The steady-state end condition (models/cohort_planning.md, section 10.2).

With ``horizon.steady_state`` the trainees still in the pipeline at the end of the horizon must be
enough to replace the last year's demand as it leaves: for each role k, region r and each
post-horizon year v its horizon starters can reach (T < v ≤ T + D_k, as in section 10.1),

    Σ_{p into k} Σ_j Σ_{s: s + delay[p,j] = v} completion_rate[p] × starters[p,r,s,j]
        ≥ share × attrition[k,r] × demand[k,r,T]                       (steady_state_pipeline)

so the plan does not end with an empty pipeline. Both constructions take their rows from
:func:`pipeline_rows`; the re-check is workforce.plan.verify_tiebreak.check_steady_state.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from workforce.model.data import ModelData
from workforce.model.horizon import delays

if TYPE_CHECKING:  # Pyomo loads only when a Pyomo model is built
    import pyomo.environ as pyo


@dataclass(frozen=True)
class PipelineRow:
    """Σ coef × column ≥ need for one (k, r, v)."""

    key: tuple[str, str, int]
    terms: dict[tuple[str, tuple], float]
    need: float


def share(d: ModelData) -> float | None:
    spec = d.scenario.horizon.steady_state
    return None if spec is None else spec.share


def pipeline_keys(d: ModelData) -> list[tuple[str, str, int]]:
    """(k, r, v) for the post-horizon years T+1 .. T+D_k each role's pipeline reaches (none without
    ``steady_state``)."""
    if share(d) is None:
        return []
    last = d.YEARS[-1]
    out = []
    for k in d.ROLES:
        reach = max((delay for p in d.programmes_into[k] for _, delay in delays(d, p)), default=0)
        out += [(k, r, last + h) for r in d.REGIONS for h in range(1, reach + 1)]
    return out


def pipeline_row(d: ModelData, k: str, r: str, v: int) -> PipelineRow:
    terms: dict[tuple[str, tuple], float] = {}
    for p in d.programmes_into[k]:
        for j, delay in delays(d, p):
            s = v - delay
            if s in d.YEARS:
                key = ("intake", (p, r, s)) if j is None else ("intake_term", (p, r, s, j))
                terms[key] = terms.get(key, 0.0) + d.completion_rate[p]
    return PipelineRow((k, r, v), terms, share(d) * d.attrition[k, r] * d.demand[k, r, d.YEARS[-1]])


def pipeline_rows(d: ModelData) -> list[PipelineRow]:
    return [pipeline_row(d, *key) for key in pipeline_keys(d)]


def add_steady_state(m: pyo.ConcreteModel, d: ModelData) -> None:
    """steady_state_pipeline[k,r,v] (only with horizon.steady_state)."""
    import pyomo.environ as pyo

    rows = {row.key: row for row in pipeline_rows(d)}

    def rule(m: pyo.ConcreteModel, k: str, r: str, v: int) -> Any:
        row = rows[k, r, v]
        arrivals = sum(c * getattr(m, var)[key] for (var, key), c in row.terms.items())
        if isinstance(arrivals, int | float):  # no horizon starter can arrive in v: keep the row, diagnosed by name
            arrivals = arrivals + 0 * m.intake[d.PROGRAMMES[0], r, d.YEARS[-1]]
        return arrivals >= row.need

    m.steady_state_pipeline = pyo.Constraint(list(rows), rule=rule)


def arrivals(row: PipelineRow, starters: dict[tuple[str, tuple], float]) -> float:
    """The row's left side at the plan's starters."""
    return sum(c * starters[key] for key, c in row.terms.items())
