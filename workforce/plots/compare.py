"""Scenario comparison: one measure for two or more plans side by side."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import PercentFormatter

from workforce.plan.tables import PlanTables, plan_tables
from workforce.plots import style as st
from workforce.plots.tiles import region_label

# measure → (table, column, needs, description); needs is the key the measure is counted per.
MEASURES: dict[str, tuple[str, str, str, str]] = {
    "shortfall": ("workforce", "shortfall", "role", "Shortfall"),
    "shortfall_rate": ("workforce", "shortfall_rate", "role", "Shortfall as a share of demand"),
    "supply": ("workforce", "supply", "role", "Staff in post"),
    "demand": ("workforce", "demand", "role", "Demand"),
    "intake": ("intake", "intake", "programme", "Training starters"),
    "spend": ("spend", "spent", "stream", "Spend"),
}


def measure_by_year(plan: Any, measure: str, key: str | None = None, region: str | None = None) -> pd.Series:
    """One plan's ``measure`` by year, for ``key`` (a role, programme or funding stream as the
    measure needs; for spend ``None`` means all streams) in ``region`` (``None``: all regions)."""
    t = plan_tables(plan)
    st.check_choice("measure", measure, list(MEASURES))
    table, column, needs, _ = MEASURES[measure]
    df = getattr(t, table)
    choices = {"role": t.roles, "programme": t.programmes, "stream": t.streams}[needs]
    if key is None and needs != "stream" and len(choices) == 1:
        key = choices[0]
    if key is None and needs != "stream":
        raise st.PlotRequestError(f"measure {measure!r} needs a {needs}: one of {', '.join(choices)}")
    if key is not None:
        try:
            st.check_choice(needs, key, choices)
        except st.PlotRequestError as exc:
            raise st.PlotRequestError(f"{t.scenario_name}: {exc}") from None
        df = df.xs(key, level=needs)
    if region is not None and needs == "stream":
        raise st.PlotRequestError("spend is recorded by funding stream, not by region")
    by_year = df.groupby(level="year").sum() if needs == "stream" else st.area_by_year(t, df, region)
    if measure == "shortfall_rate":
        return (by_year["shortfall"] / by_year["demand"].where(by_year["demand"] > 0)).fillna(0.0)
    return by_year[column]


def compare(plans: Sequence[Any] | Mapping[str, Any], measure: str = "shortfall", key: str | None = None, *,
            region: str | None = None, kind: str = "line", names: Sequence[str] | None = None,
            ax: Any = None) -> Figure:
    """``measure`` by year for each plan: one line per plan (``kind="line"``) or a group of bars
    per year (``kind="bar"``). Measures: shortfall, shortfall_rate, supply, demand (per role),
    intake (per programme), spend (per funding stream, or all streams). ``plans`` may be a
    mapping of names to plans (the names label the lines)."""
    if isinstance(plans, Mapping):
        names = list(plans) if names is None else names
        plans = list(plans.values())
    tables = [plan_tables(p) for p in plans]
    if len(tables) < 2:
        raise st.PlotRequestError(f"compare needs two or more plans, got {len(tables)}")
    if kind not in ("line", "bar"):
        raise st.PlotRequestError(f"unknown kind {kind!r}: use 'line' or 'bar'")
    labels = list(names) if names is not None else _names(tables)
    if len(labels) != len(tables):
        raise st.PlotRequestError(f"{len(labels)} names for {len(tables)} plans")
    series = [measure_by_year(t, measure, key, region) for t in tables]
    years = sorted(set().union(*(s.index for s in series)))
    base = tables[0]
    _, _, needs, description = MEASURES[measure]
    unit = _unit(base, measure, key)
    with st.style():
        fig, ax, own = st.single_axes(ax, 3.4)
        width = 0.8 / len(series)
        for i, (s, name) in enumerate(zip(series, labels, strict=True)):
            values = s.reindex(years).to_numpy(dtype=float)
            colour = st.SERIES[i % len(st.SERIES)]
            if kind == "line":
                ax.plot(years, values, color=colour, lw=1.8, marker="o", ms=3,
                        ls=["-", "--", "-.", ":"][i % 4], label=name)
            else:
                ax.bar(np.array(years) + (i - (len(series) - 1) / 2) * width, values, width=width * 0.95,
                       color=colour, label=name, linewidth=0)
        ax.set_xlabel("Academic year")
        ax.set_ylabel(f"{description} ({unit})")
        if measure == "shortfall_rate":
            ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
        else:
            ax.yaxis.set_major_formatter(st.THOUSANDS)
        ax.set_ylim(bottom=0)
        st.year_axis(ax, years, step=1 if len(years) <= 12 else 2)
        if kind == "bar":
            ax.grid(axis="x", visible=False)
        # above the plot area, so it never covers a line or a bar
        side_by_side = len(series) <= 3 and sum(len(n) for n in labels) <= 70
        ax.legend(loc="lower left", bbox_to_anchor=(0, 1.0), ncols=len(series) if side_by_side else 1,
                  frameon=False, borderaxespad=0.2)
        what = _what(base, needs, key)
        where = f" in {region_label(base, st.resolve_region(base, region))}" if region is not None else ""
        title = f"{description}{where}: {what}, {len(series)} scenarios compared"
        return st.finish_axes(fig, ax, own, tables, title, note=st.YEAR_NOTE)


def _names(tables: list[PlanTables]) -> list[str]:
    names = [t.scenario_name for t in tables]
    if len(set(names)) == len(names):
        return names
    return [f"{n} ({st.short_hash(t)})" for n, t in zip(names, tables, strict=True)]


def _unit(t: PlanTables, measure: str, key: str | None) -> str:
    if measure == "shortfall_rate":
        return "% of demand"
    if measure == "spend":
        return "£k a year"
    if measure == "intake":
        return "trainees a year"
    return st.role_unit(t, key) if key else "people or FTE"


def _what(t: PlanTables, needs: str, key: str | None) -> str:
    if key is None:
        return "all funding streams" if needs == "stream" else "all"
    if needs == "role":
        return st.role_name(t, key)
    if needs == "programme":
        return t.labels.programmes.get(key, {}).get("name", key)
    return t.labels.streams.get(key, key)
