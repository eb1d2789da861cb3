"""Backcast: run the planner's own stock-flow model over past years with the intakes that happened.

:func:`backcast` builds a one-region, one-role scenario whose horizon is the past (by default the
EP workforce from 2015/16), fixes every year's intake to the historical funded places
(``intake_min = intake_max``), and solves it with :func:`workforce.solve`. With no hires and no
demand the stock has no freedom left, so the plan's ``flows`` table is the model's reconstruction
of history. :func:`implied_attrition` finds, by bisection on that model, the annual attrition rate
that reproduces a published stock.

Default figures (england_data.md B2, B3):

* 1,650 EPs in 2015 (Schools Week, https://schoolsweek.co.uk/dfe-pledges-21m-to-train-educational-psychologists/
  via england_data.md B3; taken as the stock at the start of 2015/16);
* funded training places: 160 a year before 2020 and 206 from 2020 (FE News,
  https://www.fenews.co.uk/skills/31-6-million-fund-to-train-more-educational-psychologists-in-schools/),
  200 from 2023 (PQ 78868);
* the baseline's completion rate (0.90), three-year course and first-year attrition (0.03);
* checks: 2,325 EPs directly employed by LAs in November 2022 (School Workforce Census, headcount;
  compared with the stock at the end of 2021/22) and 2,238 FTE in June-July 2024 (LGA Soulbury
  survey; compared with the end of 2023/24).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field

import pandas as pd

EP_START_YEAR = 2015
EP_START_STOCK = 1650.0


def ep_funded_intakes(first: int = 2012, last: int = 2025) -> dict[int, float]:
    """Funded EP training places by starting year: 160 before 2020, 206 in 2020-2022, 200 from 2023."""
    return {y: 160.0 if y < 2020 else 206.0 if y < 2023 else 200.0 for y in range(first, last + 1)}


@dataclass(frozen=True)
class Observation:
    """A published stock to compare with: the model's stock at the end of ``year``."""

    year: int
    value: float
    label: str


EP_OBSERVATIONS = (
    Observation(2021, 2325.0, "2,325 headcount, SWC Nov 2022 (end of 2021/22)"),
    Observation(2023, 2238.0, "2,238 FTE, LGA survey Jun-Jul 2024 (end of 2023/24)"),
)


@dataclass(frozen=True)
class History:
    """Inputs of a backcast. Years are academic years (2015 = 2015/16)."""

    start_year: int = EP_START_YEAR
    end_year: int = 2024
    start_stock: float = EP_START_STOCK
    intakes: Mapping[int, float] = field(default_factory=ep_funded_intakes)
    duration: int = 3
    completion_rate: float = 0.90
    attrition_new: float | None = 0.03


def backcast(attrition: float, history: History = History()) -> pd.DataFrame:
    """The model's stock by year (flows table: stock_start, leavers, completions, stock_end)."""
    from workforce.scenario import scenario_from_dict
    from workforce.solver.core import solve

    h = history
    years = range(h.start_year, h.end_year + 1)
    missing = [y for y in range(h.start_year - h.duration, h.end_year + 1) if y not in h.intakes]
    if missing:
        raise ValueError(f"no intake given for {', '.join(map(str, missing))}")
    intake = {y: h.intakes[y] for y in years}
    role = {
        "name": "Backcast stock",
        "initial_stock": h.start_stock,
        "attrition": attrition,
        "demand": 0,
        "shortfall_penalty": 0,
    }
    if h.attrition_new is not None:
        role["attrition_new_entrants"] = h.attrition_new
    scenario = scenario_from_dict({
        "name": f"Backcast {h.start_year}-{h.end_year} at attrition {attrition:g}",
        "horizon": {"first_year": h.start_year, "last_year": h.end_year},
        "regions": [{"code": "ENG", "name": "England"}],
        "roles": {"stock": role},
        "programmes": {
            "training": {
                "name": "Funded training",
                "role": "stock",
                "duration": h.duration,
                "completion_rate": h.completion_rate,
                "course_costs": [{}],
                "intake_min": intake,
                "intake_max": intake,
                "prior_intake": {
                    y: h.intakes[y] for y in range(h.start_year - h.duration, h.start_year)
                },
            }
        },
    })
    flows = solve(scenario).flows.xs(("stock", "ENG"), level=("role", "region"))
    return flows[["stock_start", "leavers", "completions", "stock_end"]]


def implied_attrition(target: Observation, history: History = History(), tol: float = 1e-5) -> float:
    """Attrition rate at which the backcast stock at the end of ``target.year`` equals ``target.value``.

    Bisection on [0, 0.5]: the stock falls as attrition rises. Raises ValueError when even zero
    attrition cannot reach the target (the history needs entrants the model does not have).
    """
    def stock(a: float) -> float:
        return float(backcast(a, dataclasses.replace(history, end_year=target.year)).loc[target.year, "stock_end"])

    lo, hi = 0.0, 0.5
    if stock(lo) < target.value:
        raise ValueError(f"even with no attrition the stock stays below {target.value:,.0f} in {target.year}")
    while hi - lo > tol:
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if stock(mid) > target.value else (lo, mid)
    return (lo + hi) / 2


def backcast_table(attritions: Mapping[str, float], history: History = History(),
                   observations: tuple[Observation, ...] = EP_OBSERVATIONS) -> pd.DataFrame:
    """Stock at the end of each year for several attrition rates, beside the published figures."""
    columns = {label: backcast(a, history)["stock_end"] for label, a in attritions.items()}
    table = pd.DataFrame(columns)
    table["published"] = pd.Series({o.year: o.value for o in observations}, dtype=float)
    table.index.name = "end of year"
    return table
