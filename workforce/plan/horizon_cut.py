"""Cut a plan made to ``horizon.plan_to`` back to the reported years (models/cohort_planning.md, 10.4).

The model is solved and re-checked over every planned year; the planner sees the reported years
only. Every table with a ``year`` level keeps the years up to ``horizon.last_year`` (the
``post_horizon`` projection of section 10.1, which lies after the planned years, stays on
``plan.planned`` only); the extra years' intakes and stocks go to one table, ``beyond_horizon``,
marked as not advice.
The summary says which years the objective covers and which the tables show.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any

import pandas as pd

from workforce.scenario.horizon_extend import extension_note, extra_years, reported_to

if TYPE_CHECKING:
    from workforce.plan.results import Plan

NOT_ADVICE = "planned beyond the reporting horizon to avoid an end-of-horizon cliff; not advice"
"""The ``note`` of every row of ``beyond_horizon``."""

PLANNED_ONLY = ("post_horizon",)
"""Tables left on ``plan.planned`` only: the projection of section 10.1 lies after the planned years,
further still from the reported ones."""


def years_text(years: list[int]) -> str:
    return f"{years[0]}-{years[-1]}" if len(years) > 1 else str(years[0])


def cut_table(df: pd.DataFrame, last: int) -> pd.DataFrame:
    """The rows of ``df`` in years up to ``last`` (all of them if it has no ``year`` level), attrs kept."""
    if "year" not in (df.index.names or []):
        return df
    years = df.index.get_level_values("year")
    out = df[years <= last]
    out.attrs = dict(df.attrs)
    return out


def beyond_table(intake: pd.DataFrame, workforce: pd.DataFrame, flows: pd.DataFrame, last: int,
                 units: dict[str, str]) -> pd.DataFrame:
    """Intakes by programme and end stocks and shortfall by role (in the role's ``units``) in the years
    after ``last`` [item, region, year, kind]."""
    rows: list[dict[str, Any]] = []
    later = intake[intake.index.get_level_values("year") > last]
    for (p, r, t), rec in zip(later.index, later.itertuples(index=False), strict=True):
        rows.append({"item": p, "region": r, "year": int(t), "kind": "intake", "value": float(rec.intake),
                     "unit": "starters", "note": NOT_ADVICE})
    stocks = flows[flows.index.get_level_values("year") > last]
    demand = workforce[workforce.index.get_level_values("year") > last]
    for n, (k, r, t) in enumerate(stocks.index):
        rows.append({"item": k, "region": r, "year": int(t), "kind": "stock_end",
                     "value": float(stocks["stock_end"].iloc[n]), "unit": units[k], "note": NOT_ADVICE})
    for n, (k, r, t) in enumerate(demand.index):
        rows.append({"item": k, "region": r, "year": int(t), "kind": "shortfall",
                     "value": float(demand["shortfall"].iloc[n]), "unit": units[k], "note": NOT_ADVICE})
    out = pd.DataFrame(rows, columns=["item", "region", "year", "kind", "value", "unit", "note"])
    out = out.set_index(["item", "region", "year", "kind"])
    out.attrs["units"] = {"value": "see unit"}
    return out


def horizon_summary(plan: Plan) -> dict[str, Any]:
    """What the summary says about the years: planned (covered by the objective) and reported."""
    years = plan.data.YEARS
    end = reported_to(years)
    shown = [t for t in years if t <= end]
    return {
        "planned_years": years_text(list(years)),
        "reported_years": years_text(shown),
        "objective_covers": years_text(list(years)),
        "note": extension_note(plan.data.scenario),
    }


def horizon_lines(summary: dict[str, Any]) -> list[str]:
    """The run summary's lines about the years (none without ``plan_to``)."""
    h = summary.get("horizon")
    if not h:
        return []
    return [f"  objective and terms cover the planned years {h['objective_covers']}; tables and charts show "
            f"{h['reported_years']}", f"  Note: {h['note']}"]


def report_cut(plan: Plan, verified: bool = True) -> Plan:
    """``plan`` with every table cut to the reported years and the extra years in ``beyond_horizon``;
    ``plan`` itself unchanged when nothing is planned beyond the reported years. The tables of a
    ``verified`` plan are marked as re-checked: they are rows of tables that passed the re-check."""
    years = plan.data.YEARS
    if not extra_years(years):
        return plan
    last = reported_to(years)
    extra = {name: cut_table(df, last) for name, df in plan.extra.items() if name not in PLANNED_ONLY}
    units = {k: role.unit for k, role in plan.data.scenario.roles.items()}
    extra["beyond_horizon"] = beyond_table(plan.intake, plan.workforce, plan.flows, last, units)
    summary = {**plan.summary, "horizon": horizon_summary(plan)}
    shown = dataclasses.replace(plan.data, YEARS=[t for t in years if t <= last])
    cut = dataclasses.replace(
        plan, intake=cut_table(plan.intake, last), workforce=cut_table(plan.workforce, last),
        flows=cut_table(plan.flows, last), spend=cut_table(plan.spend, last),
        spend_detail=cut_table(plan.spend_detail, last), extra=extra, summary=summary, data=shown,
    )
    cut.planned = plan
    if verified and plan.verified_tables is not None:
        from workforce.plan.results import tables_fingerprint

        cut.verified_tables = tables_fingerprint(cut)
    return cut


def _rejoin(shown: pd.DataFrame, whole: pd.DataFrame) -> pd.DataFrame:
    """``whole`` with the rows of the reported years taken from ``shown`` (which may have been edited)."""
    if "year" not in (whole.index.names or []) or shown is whole:
        return shown
    last = max(shown.index.get_level_values("year"), default=None)
    later = whole[whole.index.get_level_values("year") > last] if last is not None else whole
    out = pd.concat([shown, later])
    out.attrs = dict(whole.attrs)
    return out


def whole_plan(plan: Plan) -> Plan:
    """The plan over every planned year with the reported years' rows as ``plan`` now holds them:
    what its re-check checks after an edit (the model was solved over every planned year)."""
    if plan.planned is None:
        return plan
    full = plan.planned
    extra = {name: _rejoin(plan.extra[name], df) if name in plan.extra else df for name, df in full.extra.items()}
    return dataclasses.replace(
        full, intake=_rejoin(plan.intake, full.intake), workforce=_rejoin(plan.workforce, full.workforce),
        flows=_rejoin(plan.flows, full.flows), spend=_rejoin(plan.spend, full.spend),
        spend_detail=_rejoin(plan.spend_detail, full.spend_detail), extra=extra, summary=plan.summary,
    )
