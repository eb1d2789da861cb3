"""Explain a plan made to ``horizon.plan_to`` on its reported years (models/cohort_planning.md, 10.4).

The marginal values are those of the model that was solved, over every planned year; the rows of
the years after ``horizon.last_year`` are left out of every table, and a note says so.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any

import pandas as pd

from workforce.plan.horizon_cut import years_text

if TYPE_CHECKING:
    from workforce.plan.results import Plan


def _reported(value: Any, last: int) -> bool:
    """Whether a ``year`` entry is shown: a year up to ``last``, or a label such as 'all' (an envelope)."""
    try:
        return int(value) <= last
    except (TypeError, ValueError):
        return True


def cut_frame(df: pd.DataFrame, last: int) -> pd.DataFrame:
    """The rows of ``df`` whose ``year`` (index level or column) is reported; ``df`` if it has none."""
    if not isinstance(df, pd.DataFrame):
        return df
    if "year" in (df.index.names or []):
        keep = [_reported(v, last) for v in df.index.get_level_values("year")]
    elif "year" in df.columns:
        keep = [_reported(v, last) for v in df["year"]]
    else:
        return df
    out = df[keep]
    out.attrs = dict(df.attrs)
    return out


def explain_reported(plan: Plan, **options: Any) -> Any:
    """:func:`workforce.explain.marginal.explain_plan` of the plan over every planned year, shown for
    the reported years only (the plan itself when it has no years beyond them)."""
    from workforce.explain.marginal import explain_plan

    if plan.planned is None:
        return explain_plan(plan, **options)
    e = explain_plan(plan.planned, **options)
    last = plan.data.YEARS[-1]
    planned = list(plan.planned.data.YEARS)
    changes = {f.name: cut_frame(getattr(e, f.name), last) for f in dataclasses.fields(e)
               if isinstance(getattr(e, f.name), pd.DataFrame)}
    note = (f"The model was solved over the planned years {years_text(planned)} (horizon.plan_to); the values "
            f"below are its marginal values, shown for the reported years {years_text(list(plan.data.YEARS))} "
            "only; an envelope covers the reported years.")
    return dataclasses.replace(e, **changes, notes=[*e.notes, note])
