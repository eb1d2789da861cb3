"""Shortfall as a share of demand: a tile map for one year, and a region × year heatmap."""

from __future__ import annotations

from typing import Any

import matplotlib as mpl
import numpy as np
import pandas as pd
from matplotlib.colors import Normalize
from matplotlib.figure import Figure

from workforce.plan.tables import PlanTables, plan_tables
from workforce.plots import style as st
from workforce.plots.capacity import role_table, worst_regions
from workforce.plots.tiles import INFO, KEY, TOTAL, grid_rows, is_england, region_label, region_tiles


def _rates(wf: pd.DataFrame) -> pd.Series:
    return (wf["shortfall"] / wf["demand"].where(wf["demand"] > 0)).fillna(0.0)


def worst_year(t: PlanTables, role: str) -> int:
    """The year in which the role's national shortfall is the largest share of demand (the
    first such year on a tie; the first year when there is no shortfall at all)."""
    by_year = role_table(t, role).groupby(level="year")[["shortfall", "demand"]].sum()
    rates = _rates(by_year).reindex(t.years).fillna(0.0)
    return int(rates.idxmax()) if float(rates.max()) > 0 else int(t.years[0])


def _year(t: PlanTables, role: str, year: int | None) -> int:
    if year is None:
        return worst_year(t, role)
    st.check_choice("year", year, t.years)
    return int(year)


def plan_top_rate(t: PlanTables) -> float:
    """The largest regional shortfall rate of any role in any year: the top of every shortfall
    colour scale of the plan by default, so that equal colours mean equal rates across roles."""
    wf = t.workforce
    rates = _rates(wf)
    return float(rates.max()) if len(rates) else 0.0


def _norm(t: PlanTables, vmax: float | None) -> Normalize:
    """Colour scale from 0 to ``vmax`` (default: the plan's largest rate, see :func:`plan_top_rate`, at least 5%)."""
    if vmax is not None:
        if not 0 < vmax <= 1:
            raise st.PlotRequestError(f"vmax {vmax!r}: give the top of the colour scale as a share of demand, 0-1")
        return Normalize(vmin=0.0, vmax=vmax)
    return Normalize(vmin=0.0, vmax=max(plan_top_rate(t), 0.05))


SCALE_NOTE = "One colour scale for every role's shortfall charts of this plan (0 to {top})."


def _text_colour(cmap: Any, norm: Normalize, value: float) -> str:
    r, g, b, _ = cmap(norm(value))
    return "black" if 0.299 * r + 0.587 * g + 0.114 * b > 0.5 else "white"


def shortfall_map(plan: Any, role: str, year: int | None = None, *, n_worst: int = 12,
                  vmax: float | None = None) -> Figure:
    """One tile per region coloured by shortfall as a share of demand in ``year`` (default: the
    year with the largest national shortfall rate, :func:`worst_year`), with the rate and the
    number short printed on it. The colour scale runs to the plan's largest rate of any role, so
    the maps of every role compare; ``vmax`` fixes its top instead (e.g. 0.5)."""
    t = plan_tables(plan)
    wf = role_table(t, role)
    chosen = year is not None
    year = _year(t, role, year)
    unit = st.role_unit(t, role)
    yr = wf.xs(year, level="year")
    rates = _rates(yr)
    order = worst_regions(t, role) if is_england(t) else list(rates.sort_values(ascending=False).index[:n_worst])
    cmap = mpl.colormaps[st.SEQUENTIAL]
    norm = _norm(t, vmax)
    national = yr["shortfall"].sum() / yr["demand"].sum() if yr["demand"].sum() > 0 else 0.0
    with st.style():
        fig = st.new_figure(0.9 + 1.2 * grid_rows(t, len(order)))
        axes = region_tiles(fig, t, order)
        for key, ax in axes.items():
            if key in (KEY, INFO):
                ax.axis("off")
                if key == INFO:
                    ax.text(0.05, 0.5, f"Darker tiles: more of the\ndemand unmet in {year}.\nEngland: {st.fmt_rate(national)}",
                            transform=ax.transAxes, va="center", fontsize=7.5)
                continue
            if key == TOTAL:
                name, rate, gap = ("England" if is_england(t) else "All areas"), national, yr["shortfall"].sum()
            else:
                name, rate, gap = region_label(t, key, short=True), rates[key], yr.loc[key, "shortfall"]
            ax.set_facecolor(cmap(norm(rate)))
            ax.set_xticks([])
            ax.set_yticks([])
            ax.grid(False)
            for side in ax.spines.values():
                side.set_visible(key == TOTAL)
                side.set_linewidth(1.5)
            colour = _text_colour(cmap, norm, rate)
            ax.text(0.5, 0.78, name, ha="center", va="center", transform=ax.transAxes, color=colour, fontsize=8,
                    fontweight="bold" if key == TOTAL else "normal")
            ax.text(0.5, 0.45, st.fmt_rate(rate), ha="center", va="center", transform=ax.transAxes, color=colour,
                    fontsize=15, fontweight="bold")
            ax.text(0.5, 0.15, f"{st.fmt_number(gap)} {unit} short", ha="center", va="center",
                    transform=ax.transAxes, color=colour, fontsize=7)
        bar_ax = axes.get(KEY)
        if bar_ax is not None:
            inset = bar_ax.inset_axes((0.1, 0.35, 0.8, 0.12) if is_england(t) else (0.3, 0.55, 0.4, 0.3))
            cb = fig.colorbar(mpl.cm.ScalarMappable(norm=norm, cmap=cmap), cax=inset, orientation="horizontal")
            cb.set_label("Shortfall (% of demand)", fontsize=7)
            cb.ax.xaxis.set_major_formatter(mpl.ticker.PercentFormatter(1.0, decimals=0))
            cb.ax.tick_params(labelsize=6.5)
        worst = "" if chosen else (" (the year of the largest national shortfall)" if national > 0
                                   else " (no shortfall in any year)")
        title = f"{st.role_name(t, role)}: shortfall as a share of demand by region in {year}{worst}"
        note = f"Shortfall = demand not met by staff in post and flexible supply ({unit}). {st.YEAR_NOTE}"
        note += " " + SCALE_NOTE.format(top=st.fmt_rate(norm.vmax)) if vmax is None else ""
        if len(order) < len(t.regions):
            note += f" The {len(order)} of {len(t.regions)} areas with the largest shortfall in {year}, worst first."
        return st.finish(fig, t, title, note=note)


def shortfall_heatmap(plan: Any, role: str, *, top: int = 30, vmax: float | None = None, ax: Any = None) -> Figure:
    """Shortfall as a share of demand for every region (rows) and year (columns), values printed.

    Regions are in the plan's order with an England (all areas) row at the foot; with more than
    ``top`` regions only the ``top`` with the largest shortfall over the horizon are shown.
    """
    t = plan_tables(plan)
    wf = role_table(t, role)
    years = t.years
    rates = _rates(wf).unstack("year").reindex(columns=years)
    regions = t.regions if len(t.regions) <= top else worst_regions(t, role, top)
    rates = rates.reindex(regions)
    total = wf.groupby(level="year")[["shortfall", "demand"]].sum()
    rows = [*(region_label(t, r) for r in regions), "England" if is_england(t) else "All areas"]
    values = np.vstack([rates.to_numpy(dtype=float), _rates(total).reindex(years).to_numpy(dtype=float)])
    cmap = mpl.colormaps[st.SEQUENTIAL]
    norm = _norm(t, vmax)
    annotate = values.size <= 400
    with st.style():
        fig, ax, own = st.single_axes(ax, 1.8 + 0.26 * len(rows))
        image = ax.imshow(values, cmap=cmap, norm=norm, aspect="auto", interpolation="nearest")
        ax.grid(False)
        ax.set_xticks(range(len(years)), [str(y) for y in years])
        ax.set_yticks(range(len(rows)), rows)
        ax.axhline(len(rows) - 1.5, color="white", lw=3)
        ax.tick_params(length=0)
        for side in ax.spines.values():
            side.set_visible(False)
        if annotate:
            for i in range(values.shape[0]):
                for j in range(values.shape[1]):
                    v = values[i, j]
                    ax.text(j, i, st.fmt_rate(v), ha="center", va="center", fontsize=6.5,
                            color=_text_colour(cmap, norm, v), fontweight="bold" if i == len(rows) - 1 else "normal")
        ax.set_xlabel("Academic year")
        ax.set_ylabel("Region" if is_england(t) or len(t.regions) <= 12 else "Area")
        # below the years, so that its end labels never meet the title
        cb = fig.colorbar(image, ax=ax, location="bottom", shrink=0.5, aspect=40, pad=0.02)
        cb.set_label("Shortfall (% of demand)")
        cb.ax.xaxis.set_major_formatter(mpl.ticker.PercentFormatter(1.0, decimals=0))
        title = f"{st.role_name(t, role)}: shortfall as a share of demand by region and year"
        note = st.YEAR_NOTE + (" " + SCALE_NOTE.format(top=st.fmt_rate(norm.vmax)) if vmax is None else "")
        if len(regions) < len(t.regions):
            note += f" The {len(regions)} of {len(t.regions)} areas with the largest shortfall over the horizon."
        return st.finish_axes(fig, ax, own, t, title, note=note)


__all__ = ["plan_top_rate", "shortfall_heatmap", "shortfall_map", "worst_year"]
