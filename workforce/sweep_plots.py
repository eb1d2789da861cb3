"""Charts for studies and comparisons (matplotlib; each function returns the Figure).

Kept small and self-contained; when the chart package ``workforce/plots/`` lands these belong
there (fan chart, sweep response, comparison bars).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import matplotlib.pyplot as plt
import pandas as pd

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from workforce.compare import Comparison
    from workforce.sweep import StudyResult

_COLOURS = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442"]
"""Okabe–Ito colour-blind-safe palette."""


def _footer(fig: Figure, text: str) -> None:
    fig.text(0.01, 0.005, text, fontsize=7, color="#555555", ha="left", va="bottom")


def fan_chart(fan: pd.DataFrame, *, title: str = "", unit: str = "people or FTE", names: dict[str, str] | None = None) -> Figure:
    """One panel per item (role): median line, 25–75 and 5–95 percentile bands by year."""
    items = list(dict.fromkeys(fan.index.get_level_values("item")))
    fig, axes = plt.subplots(1, len(items), figsize=(4.2 * len(items), 3.4), squeeze=False)
    for ax, item, colour in zip(axes[0], items, _COLOURS, strict=False):
        f = fan.xs(item, level="item")
        years = f.index.to_numpy()
        if {"p5", "p95"} <= set(f.columns):
            ax.fill_between(years, f["p5"], f["p95"], color=colour, alpha=0.18, lw=0, label="5–95th percentile")
        if {"p25", "p75"} <= set(f.columns):
            ax.fill_between(years, f["p25"], f["p75"], color=colour, alpha=0.38, lw=0, label="25–75th percentile")
        if "p50" in f.columns:
            ax.plot(years, f["p50"], color=colour, lw=2, label="median")
        ax.set_title((names or {}).get(item, item), fontsize=10)
        ax.set_xlabel("academic year")
        ax.grid(alpha=0.3)
        ax.set_ylim(bottom=0)
    axes[0][0].set_ylabel(f"{fan.attrs.get('measure', 'value')} ({unit})")
    axes[0][0].legend(fontsize=7, loc="best")
    fig.suptitle(title or f"{fan.attrs.get('measure', 'value')}: spread across draws", fontsize=11)
    n = int(fan["draws"].max()) if "draws" in fan else 0
    _footer(fig, f"{n} draws; national totals (sum over regions)")
    fig.tight_layout(rect=(0, 0.03, 1, 0.95))
    return fig


def sweep_chart(result: StudyResult, x: str | None = None, measure: str = "shortfall",
                names: dict[str, str] | None = None) -> Figure:
    """Total ``measure`` over the horizon (summed over regions and years) against parameter ``x``,
    one panel per item; other parameters of a grid give one line per value."""
    params = list(result.spec.design.parameters)
    x = x or params[0]
    df = result.results([measure])
    totals = df.groupby(["point", "item"])["value"].sum().unstack("item")
    table = result.points[params].join(totals, how="inner")
    items = [c for c in totals.columns]
    others = [p for p in params if p != x]
    fig, axes = plt.subplots(1, len(items), figsize=(4.2 * len(items), 3.4), squeeze=False)
    for ax, item in zip(axes[0], items, strict=True):
        groups = table.groupby(others) if others and result.spec.kind == "grid" else [((), table)]
        for i, (key, g) in enumerate(groups):
            g = g.sort_values(x)
            label = ", ".join(f"{o}={v:g}" for o, v in zip(others, key if isinstance(key, tuple) else (key,), strict=False)) or None
            style: dict[str, Any] = {"marker": "." if len(g) < 40 else None}
            if result.spec.kind == "grid":
                ax.plot(g[x], g[item], color=_COLOURS[i % len(_COLOURS)], label=label, **style)
            else:
                ax.scatter(g[x], g[item], s=8, color=_COLOURS[0])
        ax.set_title((names or {}).get(item, item), fontsize=10)
        ax.set_xlabel(x)
        ax.grid(alpha=0.3)
    axes[0][0].set_ylabel(f"total {measure} over the horizon")
    if others and result.spec.kind == "grid":
        axes[0][0].legend(fontsize=7)
    fig.suptitle(f"{result.spec.name}: {measure} against {x}", fontsize=11)
    _footer(fig, f"{len(table)} points; totals over regions and years")
    fig.tight_layout(rect=(0, 0.03, 1, 0.95))
    return fig


def compare_chart(comparison: Comparison) -> Figure:
    """Side-by-side bars: shortfall by role, spend by stream, intake by programme."""
    results = comparison.results
    panels = [("shortfall", "shortfall by role (unit-years)"), ("spend", "spend by stream (£k)"),
              ("intake", "intake by programme (trainees)")]
    fig, axes = plt.subplots(1, 3, figsize=(13, 3.8))
    names = list(results.columns)
    for ax, (measure, title) in zip(axes, panels, strict=True):
        if measure not in results.index.get_level_values("measure"):
            ax.set_visible(False)
            continue
        table = results.xs(measure, level="measure")
        if "region" in table.index.names:
            table = table.groupby(level="item").sum(min_count=1)  # absent stays absent (no bar), not 0
        width = 0.8 / max(1, len(names))
        positions = range(len(table))
        for i, name in enumerate(names):
            ax.bar([p + i * width for p in positions], table[name], width=width, color=_COLOURS[i % len(_COLOURS)],
                   label=name)
        ax.set_xticks([p + width * (len(names) - 1) / 2 for p in positions])
        ax.set_xticklabels(table.index, rotation=20, ha="right", fontsize=8)
        ax.set_title(title, fontsize=10)
        ax.grid(axis="y", alpha=0.3)
    axes[0].legend(fontsize=7)
    fig.suptitle(f"Scenario comparison ({getattr(comparison, 'period', 'whole horizon')})", fontsize=11)
    fig.tight_layout(rect=(0, 0, 1, 0.94))
    return fig


def save_figure(fig: Figure, path: str | Path, dpi: int = 110) -> Path:
    """Save ``fig`` whole or not at all (temporary file, then rename) and close it."""
    import os
    import tempfile

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=path.suffix, dir=path.parent)
    os.close(fd)
    try:
        fig.savefig(tmp, dpi=dpi)
        from workforce.store import publish_mode

        publish_mode(Path(tmp))
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    finally:
        plt.close(fig)
    return path
