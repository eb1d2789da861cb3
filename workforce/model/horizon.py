"""End of the horizon: the shortfall of the first years after it (models/cohort_planning.md, 10.1).

Without it, a starter who qualifies after the last year T adds nothing, and intake falls to its
floor in the last years. With ``horizon.terminal_value`` the model projects each role's supply
into the years v = T+1 .. T+H (H = ``years``) and penalises the shortfall against the last year's
demand there, discounted from T:

    post_supply[k,r,v] = (1 − attrition[k,r])^(v−T) × stock[k,r,T]
                         + Σ_{starters with T < u ≤ v} completion_rate[p] × survival(v − u) × starters
    post_supply[k,r,v] + post_shortfall[k,r,v] ≥ demand[k,r,T]            (post_demand_balance)
    shortfall term += Σ weight × penalty_shortfall[k] / (1 + δ)^(v−T) × post_shortfall[k,r,v]

``u`` is the starter's year of qualifying. The rows are built from :func:`post_rows` by both
constructions (Pyomo here, the arrays in workforce.model.arrays) and re-checked by
workforce.plan.verify_rules.check_post_horizon.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from workforce.model.data import ModelData

if TYPE_CHECKING:  # Pyomo loads only when a Pyomo model is built
    import pyomo.environ as pyo


def enabled(d: ModelData) -> bool:
    return d.scenario.horizon.terminal_value is not None


def post_years(d: ModelData) -> list[int]:
    """T+1 .. T+H (empty without a terminal value); a role's rows stop at its longest pipeline."""
    spec = d.scenario.horizon.terminal_value
    last = d.YEARS[-1]
    return [] if spec is None else list(range(last + 1, last + spec.years + 1))


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


def post_weight(d: ModelData, k: str, v: int) -> float:
    """Objective weight of one unit of post-horizon shortfall of role k in year v."""
    from workforce.model.discount import at_end  # section 8.7: counted at the last year's factor

    spec = d.scenario.horizon.terminal_value
    return at_end(d) * spec.weight * d.penalty_shortfall[k] / (1.0 + spec.discount_rate) ** (v - d.YEARS[-1])


def is_tied(d: ModelData, k: str, p: str, s: int) -> bool:
    """Whether completers of programme p who started in year s follow role k's tenure profile."""
    if k not in d.tenure_bands or p not in d.tenure_programmes[k]:
        return False
    first = d.tenure_first_intake.get(k)
    return first is None or s >= first


def delays(d: ModelData, p: str) -> list[tuple[str | None, int]]:
    """(intake point, years from starting to joining the role); None: the whole year."""
    if p not in d.duration_months:
        return [(None, d.duration[p])]
    return [(j, d.intake_delay[q, j]) for (q, j) in d.intake_month if q == p]


@dataclass(frozen=True)
class PostRow:
    """One post_demand_balance row: Σ coef × column + stock_coef × stock[k,r,T] + post_shortfall ≥ demand."""

    key: tuple[str, str, int]
    stock_coef: float
    terms: dict[tuple[str, tuple], float]
    demand: float


def post_keys(d: ModelData) -> list[tuple[str, str, int]]:
    """POST_KEYS in (role, region, post year) order: for role k only the post-horizon years its
    horizon starters can still reach, T+1 .. T + the longest years to qualifying of a programme into
    k (none for a role trained in the year of starting or not at all)."""
    years = post_years(d)
    last = d.YEARS[-1]
    out = []
    for k in d.ROLES:
        reach = last + max((delay for p in d.programmes_into[k] for _, delay in delays(d, p)), default=0)
        out += [(k, r, v) for r in d.REGIONS for v in years if v <= reach]
    return out


def post_row(d: ModelData, k: str, r: str, v: int) -> PostRow:
    """The post_demand_balance row of (k, r, v), from the current parameters (sweeps change them
    in place and re-evaluate the row)."""
    last = d.YEARS[-1]
    terms: dict[tuple[str, tuple], float] = {}
    for p in d.programmes_into[k]:
        for j, delay in delays(d, p):
            for s in d.YEARS:
                u = s + delay
                if last < u <= v:
                    key = ("intake", (p, r, s)) if j is None else ("intake_term", (p, r, s, j))
                    terms[key] = d.completion_rate[p] * survival(d, k, r, v - u, is_tied(d, k, p, s))
    return PostRow((k, r, v), (1.0 - d.attrition[k, r]) ** (v - last), terms, d.demand[k, r, last])


def post_rows(d: ModelData) -> list[PostRow]:
    """The rows of post_demand_balance, in the order of :func:`post_keys`."""
    return [post_row(d, *key) for key in post_keys(d)]


def add_post_horizon(m: pyo.ConcreteModel, d: ModelData) -> None:
    """post_shortfall[k,r,v] ≥ 0 and post_demand_balance (only with horizon.terminal_value)."""
    import pyomo.environ as pyo

    m.POST_KEYS = pyo.Set(initialize=post_keys(d), dimen=3, ordered=True)
    m.post_shortfall = pyo.Var(m.POST_KEYS, domain=pyo.NonNegativeReals)
    last = d.YEARS[-1]

    def rule(m: pyo.ConcreteModel, k: str, r: str, v: int) -> Any:
        row = post_row(d, k, r, v)
        supply = row.stock_coef * m.stock[k, r, last] + sum(c * getattr(m, var)[key] for (var, key), c in row.terms.items())
        return supply + m.post_shortfall[k, r, v] >= row.demand

    m.post_demand_balance = pyo.Constraint(m.POST_KEYS, rule=rule)


def post_penalty(m: pyo.ConcreteModel, d: ModelData) -> Any:
    """Σ post_weight × post_shortfall: added to the shortfall term."""
    return sum(post_weight(d, k, v) * m.post_shortfall[k, r, v] for k, r, v in m.POST_KEYS)


def projected_supply(row: PostRow, stock_end: float, starters: dict[tuple[str, tuple], float]) -> float:
    """post_supply of a row from the plan's end-of-horizon stock and the starters of its columns."""
    return row.stock_coef * stock_end + sum(c * starters[key] for key, c in row.terms.items())


def plan_starters(intake: Any, intake_terms: Any) -> dict[tuple[str, tuple], float]:
    """Starters by column key, read from the plan's ``intake`` and ``intake_terms`` tables."""
    out = {("intake", key): float(v) for key, v in intake["intake"].items()}
    if intake_terms is not None:
        out.update({("intake_term", key): float(v) for key, v in intake_terms["starters"].items()})
    return out


def post_horizon_table(d: ModelData, shortfall: dict[tuple[str, str, int], float], flows: Any,
                       intake: Any, intake_terms: Any) -> Any:
    """``post_horizon`` [role, region, year]: projected supply, the last year's demand, the
    post-horizon shortfall chosen by the solver and its weight in the objective."""
    import pandas as pd

    last = d.YEARS[-1]
    starters = plan_starters(intake, intake_terms)
    # One dict of the end stocks, not flows.at per row: .at on the three-level index took 0.5 s of
    # the 153-authority run's 0.6 s extraction (issue 19).
    end_stock = dict(zip(flows.index, flows["stock_end"].to_numpy(dtype=float).tolist(), strict=True))
    records = []
    for row in post_rows(d):
        k, r, v = row.key
        stock_end = end_stock[k, r, last]
        records.append({"role": k, "region": r, "year": v, "supply": projected_supply(row, stock_end, starters),
                        "demand": row.demand, "shortfall": shortfall[k, r, v], "weight": post_weight(d, k, v)})
    df = pd.DataFrame(records, columns=["role", "region", "year", "supply", "demand", "shortfall", "weight"])
    df = df.set_index(["role", "region", "year"])
    df.attrs["units"] = {"supply": "people or FTE (the role's unit)", "demand": "people or FTE (the role's unit)",
                         "shortfall": "people or FTE (the role's unit)", "weight": "per unit-year (£k-equivalent)"}
    return df
