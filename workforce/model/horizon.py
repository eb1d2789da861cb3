"""End of the horizon: the terminal value of the pipeline (models/cohort_planning.md, section 10.1).

A horizon starter who qualifies after the last year T adds nothing to the stock of the horizon. With
``horizon.terminal_value`` each such starter is credited, in the ``shortfall`` term, with the
post-horizon shortfall its completers relieve:

    terminal_credit[p,r,s,j] = completion_rate[p] × terminal_worth[k,r,u,tied]
    terminal_worth[k,r,u]    = penalty_shortfall[k] × Σ_{v=u}^{T+H} survival(v − u) / (1+δ)^(v−T)

for arrival year u = s + delay (T < u ≤ T + H), k = role_of[p]; or the declared
``per_completer[k]`` in place of ``terminal_worth``. The credit is a coefficient of ``intake``
(``intake_term`` for a calendar programme): both constructions and the re-check use this module.
"""

from __future__ import annotations

from typing import Any

from workforce.data import ModelData


def enabled(d: ModelData) -> bool:
    return d.scenario.horizon.terminal_value is not None


def leaving_rate(d: ModelData, k: str, r: str, h: int, tied: bool) -> float:
    """Share of a cohort of entrants to role k that leaves in its h-th year after entry (h ≥ 1):
    the tenure profile for tied completers (section 13), else attrition_new then attrition."""
    if tied and h <= d.tenure_bands.get(k, 0):
        return d.attrition_tenure[k, h]
    return d.attrition_new[k, r] if h == 1 and not tied else d.attrition[k, r]


def survival(d: ModelData, k: str, r: str, h: int, tied: bool) -> float:
    """Share of a cohort of entrants still in post h years after the year of entry (1 at h = 0)."""
    share = 1.0
    for n in range(1, h + 1):
        share *= 1.0 - leaving_rate(d, k, r, n, tied)
    return share


def terminal_worth(d: ModelData, k: str, r: str, u: int, tied: bool) -> float:
    """Value of one completer of role k joining in region r in year u after the horizon."""
    spec = d.scenario.horizon.terminal_value
    last = d.YEARS[-1]
    if spec is None or u <= last or u > last + spec.years:
        return 0.0
    if k in spec.per_completer:
        return spec.per_completer[k]
    relieved = sum(survival(d, k, r, v - u, tied) / (1.0 + spec.discount_rate) ** (v - last)
                   for v in range(u, last + spec.years + 1))
    return d.penalty_shortfall[k] * relieved


def is_tied(d: ModelData, k: str, p: str, s: int) -> bool:
    if k not in d.tenure_bands or p not in d.tenure_programmes[k]:
        return False
    first = d.tenure_first_intake.get(k)
    return first is None or s >= first


def _delays(d: ModelData, p: str) -> list[tuple[str | None, int]]:
    """(intake point, years from starting to joining the role); None: the whole year."""
    if p not in d.duration_months:
        return [(None, d.duration[p])]
    return [(j, d.intake_delay[q, j]) for (q, j) in d.intake_month if q == p]


def terminal_credit(d: ModelData) -> dict[tuple[str, tuple], float]:
    """Credit per starter, keyed by column: ("intake", (p, r, s)) or ("intake_term", (p, r, s, j)).

    Only starters who qualify after the last year and within the valuation window get one."""
    if not enabled(d):
        return {}
    out: dict[tuple[str, tuple], float] = {}
    for p in d.PROGRAMMES:
        k = d.role_of[p]
        for j, delay in _delays(d, p):
            for s in d.YEARS:
                for r in d.REGIONS:
                    worth = terminal_worth(d, k, r, s + delay, is_tied(d, k, p, s))
                    if worth:
                        key = ("intake", (p, r, s)) if j is None else ("intake_term", (p, r, s, j))
                        out[key] = d.completion_rate[p] * worth
    return out


def pipeline_starters(d: ModelData, intake: Any, intake_terms: Any) -> dict[tuple[str, tuple], float]:
    """Starters of every credited column, read from the plan's ``intake`` and ``intake_terms`` tables."""
    out: dict[tuple[str, tuple], float] = {}
    for var, key in terminal_credit(d):
        if var == "intake":
            out[var, key] = float(intake.at[key, "intake"])
        else:
            out[var, key] = float(intake_terms.at[key, "starters"])
    return out


def terminal_summary(d: ModelData, intake: Any, intake_terms: Any) -> dict[str, Any] | None:
    """``summary.terminal_value``: the credit in the ``shortfall`` term and the completers it values,
    by role (they qualify after the last year)."""
    spec = d.scenario.horizon.terminal_value
    if spec is None:
        return None
    credit = terminal_credit(d)
    starters = pipeline_starters(d, intake, intake_terms)
    completers: dict[str, float] = {k: 0.0 for k in d.ROLES}
    for (_var, key), n in starters.items():
        p = key[0]
        completers[d.role_of[p]] += d.completion_rate[p] * n
    return {
        "years": spec.years,
        "discount_rate": spec.discount_rate,
        "per_completer": dict(spec.per_completer),
        "credit": sum(credit[c] * n for c, n in starters.items()),
        "completers_after_horizon": completers,
    }
