"""Spend against budget: stacked bars by programme (and hiring, agency, exits) for each funding
stream and year, the annual budget as a line, unspent money and overruns marked."""

from __future__ import annotations

import math
import textwrap
from collections.abc import Sequence
from typing import Any

import numpy as np
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from workforce.plan.tables import PlanTables, plan_tables
from workforce.plots import style as st

MAX_PANELS = 8
"""Most panels drawn when no streams are chosen: the 7 largest streams and the rest combined."""
MAX_ITEMS = 12
"""Most colours in the stacks (when no streams are chosen): the 11 largest items and the rest."""

LEGEND_WIDTH = 60
"""Characters per line of a legend entry (two columns at A4 width); longer entries wrap, never cut."""
TOLERANCE = 1e-6
"""Relative gap between spend and budget below which a year counts as exactly on budget."""


def item_label(t: PlanTables, item: str) -> str:
    """A spend_detail item (programme id, ``hiring:<role>``, ``flexible:<role>.<option>``, ``exits:<role>``,
    ``cohorts:<programme>``) in words."""
    kind, _, rest = item.partition(":")
    if not rest:
        return t.labels.programmes.get(item, {}).get("name", item)
    if kind == "cohorts":  # issue 4: fixed cost per cohort run, ``cohorts:<programme>``
        return f"Cohort costs: {t.labels.programmes.get(rest, {}).get('name', rest)}"
    role, _, option = rest.partition(".")
    name = st.role_name(t, role)
    if kind == "hiring":
        return f"Hiring: {name}"
    if kind == "exits":
        return f"Exits: {name}"
    if kind == "flexible":
        return t.labels.roles.get(role, {}).get("flexible", {}).get(option) or f"Flexible supply ({option}): {name}"
    return item


def spend(plan: Any, streams: Sequence[str] | None = None, *, ncols: int = 2) -> Figure:
    """Spend by funding stream and year, stacked by what it paid for, against each annual budget.

    One panel per funding stream (they differ in scale by orders of magnitude); beyond
    ``MAX_PANELS`` streams, the smallest are combined into one panel. Unspent budget
    is drawn as a hatched box up to the budget line; spend above the budget is outlined in
    vermillion and labelled. Streams with no annual budget say so in their panel title.
    """
    t = plan_tables(plan)
    if streams is None:  # thousands of streams: the largest, the rest combined (workforce.plots.top_streams)
        from workforce.plots.top_streams import largest_items, largest_streams

        t = largest_items(largest_streams(t, MAX_PANELS), MAX_ITEMS)
    chosen = list(streams) if streams is not None else t.streams
    for f in chosen:
        st.check_choice("funding stream", f, t.streams, t.labels.streams)
    if not chosen:
        raise st.PlotRequestError("no funding streams to draw: this plan has none")
    years = t.years
    detail = t.spend_detail["spent"]
    items = list(dict.fromkeys(detail.index.get_level_values("item")))
    palette = st.colours(t)
    colours = {item: st.item_colour(t, item, palette) for item in items}
    ncols = max(1, min(ncols, len(chosen)))
    nrows = math.ceil(len(chosen) / ncols)
    flags = {"unspent": False, "overrun": False, "budget": False}
    with st.style():
        legend_rows = 1 + len(items) // 2 + sum(len(item_label(t, i)) > LEGEND_WIDTH for i in items)
        legend_h = 0.2 * legend_rows + 0.1
        fig = st.new_figure(1.2 + 2.25 * nrows + legend_h)
        grid = fig.add_gridspec(nrows + 1, ncols, height_ratios=[2.25] * nrows + [legend_h])
        axes = np.array([fig.add_subplot(grid[i // ncols, i % ncols]) for i in range(nrows * ncols)])
        key = fig.add_subplot(grid[nrows, :])
        key.axis("off")
        for ax, f in zip(axes, chosen, strict=False):
            _panel(ax, t, f, years, detail, colours, flags)
        for ax in axes[len(chosen):]:
            ax.axis("off")
        financial = set(t.labels.financial_year_streams)
        for i, (ax, f) in enumerate(zip(axes, chosen, strict=False)):
            if f in financial:  # budgets on financial years: every such panel says so
                ax.set_xlabel("Financial year (2026 = April 2026 to March 2027)")
            elif i >= len(chosen) - ncols:
                ax.set_xlabel("Academic year")
        used = [i for i in items if any(i in detail.xs(f, level="stream").index.get_level_values("item") for f in chosen)]
        handles: list[Any] = [Patch(color=colours[i], label=textwrap.fill(item_label(t, i), LEGEND_WIDTH)) for i in used]
        if flags["budget"]:
            handles.append(Line2D([], [], color="black", lw=1.4, label="Annual budget"))
        if flags["unspent"]:
            handles.append(Patch(facecolor="white", edgecolor=st.GREY, hatch="////", label="Unspent budget"))
        if flags["overrun"]:
            handles.append(Patch(facecolor="none", edgecolor=st.GAP, lw=1.5, label="Over budget"))
        key.legend(handles=handles, loc="center", ncols=2, frameon=False, borderaxespad=0)
        title = f"Spend against budget by funding stream, {years[0]}-{years[-1]} (£ thousands a year)"
        note = f"Money in £ thousands (£k), cash. {st.YEAR_NOTE}"
        if financial & set(chosen):
            note += " Streams budgeted on financial years are drawn by financial year."
        return st.finish(fig, t, title, note=note)


def year_step(ax: Any, n_years: int, label_in: float = 0.42) -> int:
    """Every how many years a panel can label without the labels touching: a four-digit year
    at 6.5 pt is about 0.3 in wide, and needs a gap beside it."""
    width = ax.get_position().width * ax.figure.get_figwidth()
    per_year = width / (n_years + 0.2)
    return next((s for s in (1, 2, 5, 10) if s * per_year >= label_in), 10)


def _panel(ax: Any, t: PlanTables, f: str, years: list[int], detail: Any, colours: dict[str, str],
           flags: dict[str, bool]) -> None:
    x = np.array(years, dtype=float)
    by_item = detail.xs(f, level="stream").unstack("item").reindex(index=years).fillna(0.0)
    bottom = np.zeros(len(years))
    for item in by_item.columns:
        values = by_item[item].to_numpy(dtype=float)
        if np.allclose(values, 0):
            continue
        ax.bar(x, values, bottom=bottom, width=0.72, color=colours[item], linewidth=0)
        bottom += values
    spent = t.spend.xs(f, level="stream")["spent"].reindex(years).to_numpy(dtype=float)
    budget = t.spend.xs(f, level="stream")["budget"].reindex(years).to_numpy(dtype=float)
    has_budget = bool(np.isfinite(budget).any())
    unspent_total = overrun_total = 0.0
    if has_budget:
        flags["budget"] = True
        for xi, s, b in zip(x, spent, budget, strict=True):
            if not math.isfinite(b):
                continue
            ax.hlines(b, xi - 0.45, xi + 0.45, color="black", lw=1.4, zorder=4)
            tol = TOLERANCE * max(1.0, b)
            if b - s > tol:
                ax.bar(xi, b - s, bottom=s, width=0.72, facecolor="white", edgecolor=st.GREY, hatch="////",
                       linewidth=0.5, zorder=2)
                unspent_total += b - s
                flags["unspent"] = True
            elif s - b > tol:
                ax.bar(xi, s - b, bottom=b, width=0.72, facecolor="none", edgecolor=st.GAP, linewidth=1.5, zorder=5)
                ax.annotate(f"+{st.fmt_number(s - b)}", (xi, s), xytext=(0, 2), textcoords="offset points",
                            ha="center", va="bottom", fontsize=6.5, color=st.GAP, fontweight="bold")
                overrun_total += s - b
                flags["overrun"] = True
    name = t.labels.streams.get(f, f)
    if not has_budget:
        status = f"no annual budget; {st.fmt_money(float(np.nansum(spent)))} spent"
    else:
        parts = [f"{st.fmt_money(float(np.nansum(spent)))} of {st.fmt_money(float(np.nansum(budget)))} spent"]
        if unspent_total > 0:
            parts.append(f"{st.fmt_money(unspent_total)} unspent")
        if overrun_total > 0:
            parts.append(f"{st.fmt_money(overrun_total)} over budget")
        status = "; ".join(parts)
    ax.set_title(f"{name}\n{status}", loc="left", fontsize=7.5)
    ax.set_ylabel("£k a year")
    ax.yaxis.set_major_formatter(st.THOUSANDS)
    ax.set_xlim(x[0] - 0.6, x[-1] + 0.6)
    st.year_axis(ax, years, step=year_step(ax, len(years)))
    ax.tick_params(axis="x", labelsize=6.5)
    top = float(np.nanmax(np.concatenate([spent, budget[np.isfinite(budget)]]))) if len(spent) else 0.0
    ax.set_ylim(0, top * 1.12 if top > 0 else 1)
    ax.grid(axis="x", visible=False)
