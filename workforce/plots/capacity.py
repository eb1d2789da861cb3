"""Regional capacity: supply against demand in every region, with the gap shaded."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import MaxNLocator

from workforce.plan.tables import PlanTables, plan_tables
from workforce.plots import style as st
from workforce.plots.tiles import (
    INFO,
    KEY,
    SPECIAL,
    TOTAL,
    bottom_row,
    grid_rows,
    is_england,
    region_label,
    region_tiles,
)


def role_table(t: PlanTables, role: str) -> pd.DataFrame:
    """The workforce table of one role, indexed by (region, year)."""
    st.resolve_role(t, role)
    return t.workforce.xs(role, level="role")


def worst_regions(t: PlanTables, role: str, n: int | None = None) -> list[str]:
    """Regions ordered by shortfall over the horizon as a share of demand, worst first."""
    wf = role_table(t, role)
    by_region = wf.groupby(level="region", sort=False)[["shortfall", "demand"]].sum()
    rate = (by_region["shortfall"] / by_region["demand"].where(by_region["demand"] > 0)).fillna(0.0)
    order = [r for r in rate.sort_values(ascending=False, kind="stable").index if r in t.labels.regions]
    return order[:n] if n else order


def capacity_map(plan: Any, role: str, *, sharey: bool = False, n_worst: int = 12) -> Figure:
    """Supply against demand for one role in every region over the horizon, the gap shaded.

    England's nine regions are drawn as tiles placed like a map, with the England total in the
    top-right cell. Other geographies get small multiples of the ``n_worst`` areas with the
    largest shortfall (as a share of demand over the horizon), worst first. ``sharey=True`` puts
    every region on the same scale (tick labels stay on every tile).
    """
    t = plan_tables(plan)
    wf = role_table(t, role)
    unit = st.role_unit(t, role)
    years = t.years
    has_flex = bool((wf["flexible"].abs() > 1e-9).any())
    order = worst_regions(t, role) if is_england(t) else worst_regions(t, role, n_worst)
    with st.style():
        fig = st.new_figure(1.0 + 1.55 * grid_rows(t, len(order)))
        axes = region_tiles(fig, t, order)
        regions = [r for r in axes if r not in SPECIAL]
        shared = None
        for r in regions:
            ax = axes[r]
            _tile(ax, wf.xs(r, level="region"), years, has_flex, region_label(t, r), unit)
            if sharey:
                if shared is None:
                    shared = ax
                else:
                    ax.sharey(shared)
                # sharing hides tick labels on tiles with no left neighbour; keep them on every tile
                ax.tick_params(labelleft=True)
        if TOTAL in axes:
            total = wf.groupby(level="year").sum()
            _tile(axes[TOTAL], total, years, has_flex, "England (all regions)" if is_england(t) else "All areas",
                  unit, bold=True)
        has_surplus = bool((wf["surplus"] > 1e-9).any())
        if KEY in axes:
            _legend(axes[KEY], has_flex, has_surplus, wide=not is_england(t))
        if INFO in axes:
            _info(axes[INFO], t, wf, order, unit)
        for ax in bottom_row(axes):
            ax.set_xlabel("Academic year")
        fig.supylabel(f"{st.role_name(t, role)} ({unit})", fontsize=8)
        note = st.YEAR_NOTE
        if not is_england(t) and len(order) < len(t.regions):
            note += f" The {len(order)} of {len(t.regions)} areas with the largest shortfall over the horizon, worst first."
        title = f"{st.role_name(t, role)}: supply against demand by region, {years[0]}-{years[-1]}"
        return st.finish(fig, t, title, note=note)


def _tile(ax: Any, df: pd.DataFrame, years: list[int], has_flex: bool, title: str, unit: str,
          bold: bool = False) -> None:
    x = np.array(years, dtype=float)
    supply = df["supply"].reindex(years).to_numpy(dtype=float)
    total = supply + df["flexible"].reindex(years).to_numpy(dtype=float)
    demand = df["demand"].reindex(years).to_numpy(dtype=float)
    ax.fill_between(x, total, demand, where=demand > total + 1e-9, interpolate=True, color=st.GAP, alpha=0.35,
                    linewidth=0, label="Shortfall")
    ax.fill_between(x, total, demand, where=total > demand + 1e-9, interpolate=True, color=st.SURPLUS, alpha=0.3,
                    linewidth=0, label="Surplus")
    ax.plot(x, supply, color=st.SUPPLY, lw=1.6, label="In post")
    if has_flex:
        ax.plot(x, total, color=st.FLEXIBLE, lw=1.2, ls="--", label="In post + flexible")
    ax.plot(x, demand, color=st.DEMAND, lw=1.2, ls=":", label="Demand")
    top = float(np.nanmax([demand.max(), total.max()]))
    ax.set_ylim(0, top * 1.08 if top > 0 else 1)
    ax.set_xlim(x[0] - 0.5, x[-1] + 0.5)  # the first year's label clear of the y axis's
    st.year_axis(ax, years, step=3 if len(years) > 6 else 1)
    ax.yaxis.set_major_formatter(st.THOUSANDS)
    ax.yaxis.set_major_locator(MaxNLocator(4))
    status = _status(demand, total)
    ax.set_title(f"{title}\n{status}", fontsize=7.5, fontweight="bold" if bold else "normal", loc="left", pad=3)


def _status(demand: np.ndarray, supply: np.ndarray) -> str:
    """Shortfall as a share of demand in the first and the last year, e.g. ``short 19% → 38%``."""
    def rate(i: int) -> str:
        gap = demand[i] - supply[i]
        if gap <= 1e-9 * max(1.0, demand[i]):
            return "met"
        return st.fmt_rate(gap / demand[i]) if demand[i] > 0 else "short"

    first, last = rate(0), rate(len(demand) - 1)
    if first == last == "met":
        return "demand met"
    return f"short {first} → {last}" if len(demand) > 1 else f"short {first}"


def _info(ax: Any, t: PlanTables, wf: pd.DataFrame, order: list[str], unit: str) -> None:
    """Key figures for the last year: the national gap and the worst region."""
    ax.axis("off")
    last = t.years[-1]
    yr = wf.xs(last, level="year")
    gap, demand = yr["shortfall"].sum(), yr["demand"].sum()
    lines = ["Tile subtitles: shortfall as a", f"share of demand, {t.years[0]} → {last}.", "",
             f"In {last}: shortfall {st.fmt_number(gap)}", f"of demand {st.fmt_number(demand)} {unit}"]
    rates = (yr["shortfall"] / yr["demand"].where(yr["demand"] > 0)).fillna(0.0)
    if gap > 1e-9:
        worst = rates.idxmax()
        lines += ["", f"Largest gap: {region_label(t, worst, short=True)}", f"({st.fmt_rate(rates[worst])} of its demand)"]
    ax.text(0.05, 0.5, "\n".join(lines), transform=ax.transAxes, va="center", ha="left", fontsize=7.5)


def _legend(ax: Any, has_flex: bool, has_surplus: bool = True, wide: bool = False) -> None:
    ax.axis("off")
    handles = [Line2D([], [], color=st.SUPPLY, lw=1.6, label="In post (end of year)")]
    if has_flex:
        handles.append(Line2D([], [], color=st.FLEXIBLE, lw=1.2, ls="--", label="In post + flexible supply"))
    handles += [
        Line2D([], [], color=st.DEMAND, lw=1.2, ls=":", label="Demand"),
        Patch(color=st.GAP, alpha=0.35, label="Shortfall (demand not met)"),
    ]
    if has_surplus:
        handles.append(Patch(color=st.SURPLUS, alpha=0.3, label="Surplus"))
    if wide:
        ax.legend(handles=handles, loc="center", ncols=min(3, len(handles)), frameon=False, borderaxespad=0)
    else:
        ax.legend(handles=handles, loc="center left", frameon=False, borderaxespad=0, handlelength=2.2)
