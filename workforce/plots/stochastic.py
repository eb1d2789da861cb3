"""One chart of a stochastic plan, in the house style: the committed decisions beside the
deterministic plan's, and the distribution of both plans' outcomes across the scenarios."""

from __future__ import annotations

import textwrap
from typing import TYPE_CHECKING

import numpy as np
from matplotlib.figure import Figure

from workforce.plots.style import GREY, SERIES, THOUSANDS, fmt_number, new_figure, style

if TYPE_CHECKING:
    from workforce.studies.stochastic.plan import StochasticResult

PLANS = {"stochastic": SERIES[0], "deterministic": SERIES[1]}


def stochastic_chart(result: StochasticResult) -> Figure:
    """Left: first-stage decisions (national totals by decision, item and year) of both plans, each
    bar labelled with its value. Right: each plan's cost and total shortfall across scenarios."""
    with style():
        fig = new_figure(4.6)
        grid = fig.add_gridspec(2, 2, width_ratios=[1.4, 1])
        _decisions(fig.add_subplot(grid[:, 0]), result)
        m = result.measures
        _distribution(fig.add_subplot(grid[0, 1]), result.scenarios, "Cost per scenario (£k)", m["scenarios"])
        shortfall = result.shortfall.groupby(["plan", "scenario"], as_index=False)["shortfall"].sum()
        wide = shortfall.pivot(index="scenario", columns="plan", values="shortfall")
        _distribution(fig.add_subplot(grid[1, 1]), wide, "Shortfall per scenario (unit-years)", m["scenarios"])
        title = (f"{result.name}: first {result.commit_years} year(s) committed across {m['scenarios']} scenarios "
                 f"(VSS {_vss(m)}, EVPI {'n/a' if m['EVPI'] is None else fmt_number(m['EVPI'])} £k)")
        fig.suptitle(textwrap.fill(title, 80), fontweight="bold", x=0.01, ha="left")
        name = result.data.scenario.name
        fig.text(0.01, 0.004, f"Scenario: {name}  ·  sha256 {result.data.scenario.sha256()[:10]}  ·  "
                 "deterministic = the expected-value scenario's plan. Years are academic years (2026 = 2026/27).",
                 fontsize=6.5, color=GREY, ha="left", va="bottom")
        fig.get_layout_engine().set(rect=(0, 0.04, 1, 0.96))
    return fig


def _decisions(ax: object, result: StochasticResult) -> None:
    fs = result.first_stage
    fs = fs[fs["variable"].isin(["intake", "hires", "cohorts"])]
    totals = fs.groupby(["variable", "item", "year"], sort=True)[["stochastic", "deterministic"]].sum()
    labels = [f"{v} {i} {y}" for v, i, y in totals.index]
    y = np.arange(len(totals))
    h = 0.4
    for k, (plan, colour) in enumerate(PLANS.items()):
        values = totals[plan].to_numpy()
        bars = ax.barh(y + (k - 0.5) * h, values, height=h, color=colour, label=f"{plan} plan")  # type: ignore[attr-defined]
        ax.bar_label(bars, labels=[fmt_number(v) for v in values], fontsize=6, padding=2)  # type: ignore[attr-defined]
    ax.set_yticks(y, labels)  # type: ignore[attr-defined]
    ax.invert_yaxis()  # type: ignore[attr-defined]
    ax.xaxis.set_major_formatter(THOUSANDS)  # type: ignore[attr-defined]
    ax.set_xlabel("people (national total), cohorts for cohorts")  # type: ignore[attr-defined]
    ax.set_title("Committed now: first-stage decisions", loc="left")  # type: ignore[attr-defined]
    ax.legend(loc="best")  # type: ignore[attr-defined]
    ax.margins(x=0.18)  # type: ignore[attr-defined]


def _vss(m: dict) -> str:
    """VSS as the summary prints it: infinite, with in how many scenarios, where the deterministic
    commitment leaves no feasible recourse."""
    if m.get("deterministic_infeasible"):
        return f"infinite: the deterministic plan is infeasible in {m['deterministic_infeasible']} of {m['scenarios']} scenarios"
    return fmt_number(m["VSS"])


def _distribution(ax: object, table: object, title: str, scenarios: int) -> None:
    # a plan infeasible in every scenario has no rows (shortfall) or only infinite costs: drawn empty, and said
    data = [np.asarray(table.get(p, []), dtype=float) for p in PLANS]  # type: ignore[attr-defined]
    data = [d[np.isfinite(d)] for d in data]
    parts = ax.boxplot(data, orientation="horizontal", widths=0.5, patch_artist=True, tick_labels=list(PLANS))  # type: ignore[attr-defined]
    for patch, colour in zip(parts["boxes"], PLANS.values(), strict=True):
        patch.set_facecolor(colour)
        patch.set_alpha(0.6)
    for k, d in enumerate(data):
        if len(d):
            # the mean of the feasible scenarios only: where some are infeasible the plan's expected cost is infinite
            over = f" ({scenarios - len(d)} infeasible)" if len(d) < scenarios else ""
            ax.annotate(f"mean {fmt_number(float(d.mean()))}{over}", (float(d.mean()), k + 1.33), fontsize=6,  # type: ignore[attr-defined]
                        ha="center", color=GREY)
        else:
            ax.annotate("infeasible in every scenario", (0.5, k + 1), xycoords=("axes fraction", "data"),  # type: ignore[attr-defined]
                        fontsize=7, ha="center", va="center", color=GREY)
    ax.xaxis.set_major_formatter(THOUSANDS)  # type: ignore[attr-defined]
    ax.set_title(title, loc="left")  # type: ignore[attr-defined]
