"""Summaries of a Monte Carlo study: fan-chart percentiles, shortfall distributions, and how likely
a plan is to miss demand in each region.

A Monte Carlo study is run by :func:`workforce.studies.sweep.monte_carlo` (or ``workforce montecarlo``):
in ``optimise`` mode each draw gets its own optimal plan; in ``evaluate`` mode one intake plan is
held fixed and hiring, flexible supply and shortfall respond to each draw. These functions read
the study's results and return tables; :mod:`workforce.plots.studies` draws them.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from workforce.studies.sweep import StudyResult

PERCENTILES = (5, 25, 50, 75, 95)


def national(result: StudyResult, measure: str = "shortfall") -> pd.DataFrame:
    """``measure`` summed over regions: columns point, item, year, value."""
    df = result.results([measure])
    return df.groupby(["point", "item", "year"], as_index=False)["value"].sum()


def fan_data(result: StudyResult, measure: str = "shortfall",
             percentiles: Sequence[float] = PERCENTILES) -> pd.DataFrame:
    """Percentiles across draws of ``measure`` (summed over regions) per item and year.

    Index [item, year]; columns ``p5``, ``p25``, ... and ``mean``; ``draws`` counts the draws
    that solved (failed draws are left out and listed in the study's points table).
    """
    totals = national(result, measure)
    grouped = totals.groupby(["item", "year"])["value"]
    out = pd.DataFrame({f"p{q:g}": grouped.quantile(q / 100) for q in percentiles})
    out["mean"] = grouped.mean()
    out["draws"] = grouped.size()
    out.attrs["measure"] = measure
    out.attrs["labels"] = result.labels
    out.attrs["failed"] = int((result.points["status"] != "ok").sum())
    return out


def shortfall_distribution(result: StudyResult) -> pd.DataFrame:
    """Each draw's total shortfall by role over the whole horizon (rows: draws; columns: roles),
    with the draw's parameter values alongside."""
    totals = national(result, "shortfall").groupby(["point", "item"])["value"].sum().unstack("item")
    params = result.points[list(result.spec.design.parameters)]
    return params.join(totals, how="inner")


def miss_probability(result: StudyResult, threshold: float = 0.5) -> pd.DataFrame:
    """Share of draws in which demand is missed by more than ``threshold`` (people or FTE).

    Index [role, region]; one column per year and ``any_year`` (a shortfall above the threshold
    in at least one year of the horizon).
    """
    df = result.results(["shortfall"])
    draws = df["point"].nunique()
    if draws == 0:
        return pd.DataFrame()
    missed = df.assign(missed=df["value"] > threshold)
    by_year = missed.groupby(["item", "region", "year"])["missed"].mean().unstack("year")
    any_year = missed.groupby(["item", "region", "point"])["missed"].any().groupby(["item", "region"]).mean()
    by_year["any_year"] = any_year
    by_year.index.names = ["role", "region"]
    by_year.attrs["draws"] = int(draws)
    return by_year


def describe(result: StudyResult) -> str:
    """A plain-text summary for the terminal: shortfall percentiles by role."""
    dist = shortfall_distribution(result)
    roles = [c for c in dist.columns if c not in result.spec.design.parameters]
    lines = [f"Shortfall over the horizon across {len(dist)} draws (unit-years): p5 / median / p95"]
    for role in roles:
        q = np.percentile(dist[role], [5, 50, 95])
        lines.append(f"  {role:<12} {q[0]:>12,.0f} {q[1]:>12,.0f} {q[2]:>12,.0f}")
    return "\n".join(lines)
