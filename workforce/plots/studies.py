"""Charts for studies and comparisons, in the house style of :mod:`workforce.plots` (each function
returns the Figure): the names and units the scenario gives, thousands separators, legends clear
of the data, failed points drawn, and a footer naming the scenario and its sha256.
"""

from __future__ import annotations

import math
import textwrap
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from matplotlib.lines import Line2D

from workforce.plots import style as st

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from workforce.studies.compare import Comparison
    from workforce.studies.sweep import StudyResult

OPS = {"scale": "× the scenario's value", "add": "+ the scenario's value", "growth": "growth a year", "set": ""}
"""How a study parameter's value reads on an axis, by its ``op``."""


def item_name(labels: dict[str, Any], item: str, names: dict[str, str] | None = None) -> str:
    """A role, stream or programme id in the scenario's words (``names`` overrides)."""
    if names and item in names:
        return names[item]
    for kind in ("roles", "streams", "programmes"):
        found = labels.get(kind, {}).get(item)
        if found is not None:
            return found["name"] if isinstance(found, dict) else str(found)
    return item


def item_unit(labels: dict[str, Any], item: str, default: str = "people or FTE") -> str:
    role = labels.get("roles", {}).get(item)
    return role["unit"] if isinstance(role, dict) and role.get("unit") else default


def footer_text(labels: dict[str, Any], extra: str = "") -> str:
    scenario = labels.get("scenario", "scenario not recorded")
    sha = str(labels.get("scenario_sha256") or "")[:10] or "no hash"
    return f"Scenario: {scenario}  ·  sha256 {sha}" + (f"  ·  {extra}" if extra else "")


def parameter_label(result: StudyResult, name: str) -> str:
    """A study parameter for an axis: its name, what it sets and how (``× the scenario's value``)."""
    p = result.spec.design.parameters[name]
    how = OPS.get(p.op, p.op)
    return f"{name}: {p.path}" + (f" ({how})" if how else "")


def _panels(n: int, height: float, key_rows: int = 1) -> tuple[Figure, list[Any], Any]:
    """Up to two panels a row at A4 width, and a full-width strip below them for the legend."""
    ncols = 1 if n == 1 else 2
    nrows = math.ceil(n / ncols)
    key_h = 0.22 * key_rows + 0.1
    fig = st.new_figure(1.1 + height * nrows + key_h)
    grid = fig.add_gridspec(nrows + 1, ncols, height_ratios=[height] * nrows + [key_h])
    axes = [fig.add_subplot(grid[i // ncols, i % ncols]) for i in range(n)]
    key = fig.add_subplot(grid[nrows, :])
    key.axis("off")
    return fig, axes, key


def fan_chart(fan: pd.DataFrame, *, title: str = "", unit: str | None = None,
              names: dict[str, str] | None = None) -> Figure:
    """One panel per item (role): median line, 25–75 and 5–95 percentile bands by year."""
    labels = fan.attrs.get("labels", {}) or {}
    measure = fan.attrs.get("measure", "value")
    items = list(dict.fromkeys(fan.index.get_level_values("item")))
    palette = [st.ROLE_SERIES[list(labels.get("roles", {})).index(i) % len(st.ROLE_SERIES)]
               if i in labels.get("roles", {}) else st.SERIES[n % len(st.SERIES)] for n, i in enumerate(items)]
    with st.style():
        fig, axes, key = _panels(len(items), 2.3)
        for ax, item, colour in zip(axes, items, palette, strict=True):
            f = fan.xs(item, level="item")
            years = f.index.to_numpy()
            if {"p5", "p95"} <= set(f.columns):
                ax.fill_between(years, f["p5"], f["p95"], color=colour, alpha=0.18, lw=0)
            if {"p25", "p75"} <= set(f.columns):
                ax.fill_between(years, f["p25"], f["p75"], color=colour, alpha=0.4, lw=0)
            if "p50" in f.columns:
                ax.plot(years, f["p50"], color=colour, lw=1.8)
            ax.set_title(textwrap.fill(item_name(labels, item, names), 48), loc="left", fontsize=7.5)
            ax.set_ylabel(f"{measure.capitalize()} ({unit or item_unit(labels, item)})")
            ax.yaxis.set_major_formatter(st.THOUSANDS)
            ax.set_ylim(bottom=0)
            st.year_axis(ax, [int(y) for y in years], step=1 if len(years) <= 5 else 2 if len(years) <= 10 else 5)
            ax.set_xlabel("Academic year")
        grey = st.GREY
        handles = [Line2D([], [], color=grey, lw=1.8, label="Median"),
                   _band(grey, 0.4, "25th–75th percentile"), _band(grey, 0.18, "5th–95th percentile")]
        key.legend(handles=handles, loc="center", ncols=3, frameon=False, borderaxespad=0)
        draws = int(fan["draws"].max()) if "draws" in fan and len(fan) else 0
        failed = int(fan.attrs.get("failed", 0))
        extra = f"{draws:,} draws solved" + (f", {failed:,} failed (listed in points.csv)" if failed else "")
        note = f"National totals (sum over regions) in each year. {st.YEAR_NOTE}"
        return st.finish_with_footer(fig, title or f"{measure.capitalize()}: spread across draws",
                                     footer_text(labels, extra), note=note)


def _band(colour: str, alpha: float, label: str) -> Any:
    from matplotlib.patches import Patch

    return Patch(facecolor=colour, alpha=alpha, lw=0, label=label)


def sweep_chart(result: StudyResult, x: str | None = None, measure: str = "shortfall",
                names: dict[str, str] | None = None) -> Figure:
    """Total ``measure`` over the horizon (summed over regions and years) against parameter ``x``,
    one panel per item; other parameters of a grid give one line per value. Failed points are
    marked on the horizontal axis."""
    labels = result.labels or {}
    params = list(result.spec.design.parameters)
    x = x or params[0]
    df = result.results([measure])
    totals = df.groupby(["point", "item"])["value"].sum().unstack("item")
    table = result.points[params].join(totals, how="inner")
    failed = result.points.loc[result.points["status"] != "ok", params]
    items = list(totals.columns)
    others = [p for p in params if p != x]
    grouped = bool(others) and result.spec.kind == "grid"
    with st.style():
        rows = (len(table.groupby(others)) if grouped else 0) + bool(len(failed))
        fig, axes, key = _panels(max(1, len(items)), 2.4, key_rows=max(1, math.ceil(rows / 2)))
        for ax, item in zip(axes, items, strict=False):
            groups = table.groupby(others) if grouped else [((), table)]
            for i, (_key, g) in enumerate(groups):
                g = g.sort_values(x)
                colour = st.SERIES[i % len(st.SERIES)]
                if result.spec.kind == "grid":
                    ax.plot(g[x], g[item], color=colour, lw=1.6, marker="o" if len(g) < 40 else None, ms=3)
                else:
                    ax.scatter(g[x], g[item], s=8, color=colour, lw=0)
            if len(failed):
                ax.plot(failed[x], np.zeros(len(failed)), ls="none", marker="x", color=st.GAP, ms=5, mew=1.2,
                        clip_on=False, zorder=5)
            ax.set_title(textwrap.fill(item_name(labels, item, names), 48), loc="left", fontsize=7.5)
            ax.set_ylabel(f"Total {measure} ({_total_unit(labels, item, measure)})")
            ax.yaxis.set_major_formatter(st.THOUSANDS)
            ax.set_ylim(bottom=0)
            ax.set_xlabel(textwrap.fill(parameter_label(result, x), 34))
        handles = []
        if grouped:
            for i, (group, _) in enumerate(table.groupby(others)):
                values = group if isinstance(group, tuple) else (group,)
                text = ", ".join(f"{o} = {v:g}" for o, v in zip(others, values, strict=False))
                handles.append(Line2D([], [], color=st.SERIES[i % len(st.SERIES)], lw=1.6, label=text))
        if len(failed):
            handles.append(Line2D([], [], ls="none", marker="x", color=st.GAP, mew=1.2,
                                  label=f"Failed point ({len(failed):,}; reasons in points.csv)"))
        if handles:
            key.legend(handles=handles, loc="center", ncols=min(2, len(handles)), frameon=False, borderaxespad=0)
        extra = f"{len(table):,} of {len(result.points):,} points solved"
        note = f"Each point: {measure} summed over regions and the years of the horizon."
        return st.finish_with_footer(fig, f"{result.spec.name}: total {measure} against {x}",
                                     footer_text(labels, extra), note=note)


def _total_unit(labels: dict[str, Any], item: str, measure: str) -> str:
    if measure == "spend":
        return "£k"
    if measure == "intake":
        return "trainees"
    return f"{item_unit(labels, item)}-years"


PANELS = [("shortfall", "Shortfall by role", "{unit}-years"), ("spend", "Spend by funding stream", "£k"),
          ("intake", "Training starters by programme", "trainees")]


def compare_chart(comparison: Comparison) -> Figure:
    """Bars over the whole horizon, one panel under another: shortfall by role, spend by stream,
    intake by programme; one colour per scenario; an item a scenario lacks is marked "absent"."""
    results = comparison.results
    labels = getattr(comparison, "labels", {}) or {}
    names = list(results.columns)
    shown = [p for p in PANELS if p[0] in results.index.get_level_values("measure")]
    tables = []
    for measure, _, _ in shown:
        table = results.xs(measure, level="measure")
        if "region" in table.index.names:
            table = table.groupby(level="item", sort=False).sum(min_count=1)
        tables.append(table)
    heights = [0.35 + 0.16 * len(names) * len(t) for t in tables]
    with st.style():
        key_h = 0.3
        fig = st.new_figure(1.2 + sum(heights) + key_h)
        grid = fig.add_gridspec(len(shown) + 1, 1, height_ratios=[*heights, key_h])
        axes = [fig.add_subplot(grid[i, 0]) for i in range(len(shown))]
        key = fig.add_subplot(grid[len(shown), 0])
        key.axis("off")
        for ax, (_measure, title, unit), table in zip(axes, shown, tables, strict=True):
            height = 0.8 / max(1, len(names))
            positions = np.arange(len(table))
            for i, name in enumerate(names):
                ys = positions + (i - (len(names) - 1) / 2) * height
                values = table[name].to_numpy(dtype=float)
                ax.barh(ys, np.nan_to_num(values), height=height * 0.92, color=st.SERIES[i % len(st.SERIES)],
                        label=name, linewidth=0)
                for yi in ys[np.isnan(values)]:
                    ax.text(0, yi, " absent", ha="left", va="center", fontsize=6, color=st.GREY)
            ax.set_yticks(positions, [textwrap.shorten(item_name(labels, i), 60) for i in table.index], fontsize=6.5)
            ax.invert_yaxis()
            units = sorted({item_unit(labels, i) for i in table.index})
            what = " or ".join(unit.format(unit=u) for u in units) if "{unit}" in unit else unit
            ax.set_xlabel(f"{title} over the horizon ({what})")
            ax.xaxis.set_major_formatter(st.THOUSANDS)
            ax.grid(axis="y", visible=False)
        key.legend(handles=axes[0].get_legend_handles_labels()[0], loc="center", ncols=min(3, len(names)),
                   frameon=False, borderaxespad=0)
        plans = labels.get("plans", [])
        footer = "\n".join(footer_text(p) for p in plans) or "Scenarios: " + ", ".join(names)
        return st.finish_with_footer(fig, "Scenario comparison over the whole horizon", footer,
                                     note="Shortfall summed over regions and years; money in £ thousands, cash.")


def save_figure(fig: Figure, path: str | Path, dpi: int = 110, *, vouched: bool = False) -> Path:
    """Save ``fig`` whole or not at all (temporary file, then rename) and close it; never over a
    file workforce did not write (exit 4), unless the caller ``vouched`` for it (the study store,
    which admits only the study's own files into its folder, charts from older versions included)."""
    import os
    import tempfile

    import matplotlib.pyplot as plt

    from workforce.output_safety import guard_image

    path = Path(path)
    try:
        if not vouched:
            guard_image(path)
    except BaseException:
        plt.close(fig)
        raise
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=path.suffix, dir=path.parent)
    os.close(fd)
    try:
        fig.savefig(tmp, dpi=dpi, metadata=st._metadata(fig, path.suffix.lstrip(".").lower() or "png"))
        from workforce.studies.store import publish_mode

        publish_mode(Path(tmp))
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    finally:
        plt.close(fig)
    return path
