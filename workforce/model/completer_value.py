"""A declared value per completer after the horizon (models/cohort_planning.md, section 10.3).

With ``horizon.completer_value`` (role → value V_k, £k-equivalent) each completer of a horizon
starter who qualifies into role k after the last year T is credited in the ``shortfall`` term:

    shortfall term −= Σ_{p into k} Σ_j Σ_{s ∈ YEARS: s + delay[p,j] > T} V_k × completion_rate[p] × starters[p,r,s,j]

Both constructions take the coefficients from :func:`credits`; the re-check recomputes the credit
from the plan's starters (:func:`plan_credit`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from workforce.model.data import ModelData
from workforce.model.horizon import delays

if TYPE_CHECKING:  # Pyomo loads only when a Pyomo model is built
    import pyomo.environ as pyo


def credits(d: ModelData) -> dict[tuple[str, tuple], float]:
    """Column key → credit per starter (V_k × completion_rate) for starters who qualify after T."""
    from workforce.model.discount import at_end  # section 8.7: counted at the last year's factor

    values = d.scenario.horizon.completer_value
    last, disc = d.YEARS[-1], at_end(d)
    out: dict[tuple[str, tuple], float] = {}
    for k, value in values.items():
        for p in d.programmes_into[k]:
            for j, delay in delays(d, p):
                for s in d.YEARS:
                    if s + delay > last:
                        for r in d.REGIONS:
                            key = ("intake", (p, r, s)) if j is None else ("intake_term", (p, r, s, j))
                            out[key] = out.get(key, 0.0) + disc * value * d.completion_rate[p]
    return out


def completer_credit(m: pyo.ConcreteModel, d: ModelData) -> Any:
    """Σ credit × starters: subtracted from the shortfall term."""
    return sum(c * getattr(m, var)[key] for (var, key), c in credits(d).items())


def plan_credit(d: ModelData, starters: dict[tuple[str, tuple], float]) -> float:
    """The credit at the plan's starters (read with workforce.model.horizon.plan_starters)."""
    return float(sum(c * starters[key] for key, c in credits(d).items()))
