"""Workforce flows: a waterfall from the starting stock to the final stock of one role."""

from __future__ import annotations

import textwrap
from typing import Any

from matplotlib.figure import Figure

from workforce.plan.tables import plan_tables
from workforce.plots import style as st
from workforce.plots.tiles import is_england, region_label

# (column of the flows table, label, sign in the stock balance). What joins comes before what
# leaves, so the running level rises to its peak and then falls to the end stock, which is never
# negative: every bar stands above zero and is drawn at its full length.
STEPS = [
    ("completions", "Training\ncompletions", +1),
    ("hires", "Hires", +1),
    ("leavers", "Leavers", -1),
    ("retraining_out", "Left to\nretrain", -1),
    ("exits", "Exits", -1),
]
MOVED_IN = ("moved_in", "Moved in\nfrom other\nregions", +1)
MOVED_OUT = ("moved_out", "Moved out\nto other\nregions", -1)
MOVES_IN = ("moves_in", "Moved in\n(planned\nmoves)", +1)
MOVES_OUT = ("moves_out", "Moved out\n(planned\nmoves)", -1)


def steps_of(columns: Any) -> list[tuple[str, str, int]]:
    """STEPS, with staff moving between regions (section 21.4) as bars of their own when the flows
    table has them: moving in after hires, moving out after exits."""
    joins = [MOVED_IN] if "moved_in" in columns else []
    leaves = [MOVED_OUT] if "moved_in" in columns else []
    if "moves_in" in columns:  # section 24: planned moves between regions
        joins, leaves = [*joins, MOVES_IN], [*leaves, MOVES_OUT]
    return [*STEPS[:2], *joins, *STEPS[2:], *leaves]


def waterfall_steps(plan: Any, role: str, region: str | None = None,
                    years: tuple[int, int] | None = None) -> list[tuple[str, float]]:
    """The bars of :func:`flows_waterfall`: start stock, each flow signed, end stock.

    ``stock_end = stock_start - leavers + completions + hires - retraining_out - exits`` in each
    year (``+ moved_in - moved_out`` when staff move between regions), so over consecutive years the
    signed flows add up to the change in stock.
    """
    t = plan_tables(plan)
    st.resolve_role(t, role)
    fl = st.area_by_year(t, t.flows.xs(role, level="role"), region)
    first, last = years or (t.years[0], t.years[-1])
    for y in (first, last):
        st.check_choice("year", y, t.years)
    if first > last:
        raise st.PlotRequestError(f"years {first}-{last}: the first year is after the last")
    span = fl.loc[first:last]
    bars = [("start", float(span["stock_start"].iloc[0]))]
    bars += [(col, sign * float(span[col].sum()) + 0.0) for col, _, sign in steps_of(span.columns)]
    bars.append(("end", float(span["stock_end"].iloc[-1])))
    return bars


def flows_waterfall(plan: Any, role: str, region: str | None = None, *,
                    years: tuple[int, int] | None = None, ax: Any = None) -> Figure:
    """From the stock at the start of the first year, through leavers, completions, hires,
    retraining and exits, to the stock at the end of the last year, for one role in one region
    (``region=None``: all regions). Flows that are zero throughout are drawn as empty slots."""
    t = plan_tables(plan)
    bars = waterfall_steps(t, role, region, years)
    first, last = years or (t.years[0], t.years[-1])
    unit = st.role_unit(t, role)
    labels = {col: label for col, label, _ in [*STEPS, MOVED_IN, MOVED_OUT, MOVES_IN, MOVES_OUT]}
    names = [f"Stock at\nstart of {first}", *(labels[c] for c, _ in bars[1:-1]), f"Stock at\nend of {last}"]
    with st.style():
        fig, ax, own = st.single_axes(ax, 3.6)
        level = 0.0
        top = low = 0.0
        for i, (kind, value) in enumerate(bars):
            if kind in ("start", "end"):
                bottom, height, colour = 0.0, value, st.SUPPLY
                level = value
            else:
                bottom = level if value >= 0 else level + value
                height = abs(value)
                colour = st.SURPLUS if value >= 0 else st.GAP
                level += value
            ax.bar(i, height, bottom=bottom, width=0.62, color=colour, linewidth=0)
            top, low = max(top, bottom + height), min(low, bottom)
            text = st.fmt_number(value) if kind in ("start", "end") else f"{value:+,.0f}" if round(value) else "0"
            ax.annotate(text, (i, bottom + height), xytext=(0, 2), textcoords="offset points", ha="center",
                        va="bottom", fontsize=7)
            if i < len(bars) - 1:
                ax.plot([i + 0.31, i + 0.69], [level, level], color=st.GREY, lw=0.7, ls=":")
        ax.set_xticks(range(len(bars)), names)
        ax.set_ylabel(textwrap.fill(f"{st.role_name(t, role)} ({unit})", 34))
        ax.yaxis.set_major_formatter(st.THOUSANDS)
        ax.set_ylim(low * 1.1, top * 1.1 if top > 0 else 1)  # never clips a bar
        ax.grid(axis="x", visible=False)
        where = (region_label(t, st.resolve_region(t, region)) if region is not None
                 else "England" if is_england(t) else "all areas")
        title = f"{st.role_name(t, role)} in {where}: from the {first} stock to the {last} stock, by flow"
        change = bars[-1][1] - bars[0][1]
        note = (f"Net change {change:+,.0f} {unit}. Bars between the stocks add up over {first}-{last}; "
                f"green adds to the stock, vermillion takes away. Flexible supply (agency) is not stock.")
        return st.finish_axes(fig, ax, own, t, title, note=note)
