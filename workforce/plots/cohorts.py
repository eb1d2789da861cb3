"""Cohort schedule: a Gantt chart of training cohorts from start to qualification and entry."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from workforce.plan.tables import PlanTables, plan_tables
from workforce.plots import style as st
from workforce.plots.tiles import is_england, region_label

MIN_STARTERS = 0.5
"""Cohorts with fewer starters than this are left out (they are solver noise or none at all)."""
SAME_YEAR_WIDTH = 0.35
"""Bar length (in years) drawn for a programme of duration 0, which qualifies in its start year."""


@dataclass(frozen=True)
class Cohort:
    programme: str
    start: int
    starters: float
    completers: float
    joins: int
    before_horizon: bool
    term: str = ""
    """The intake point (of a programme with a calendar and several intakes), else empty."""


def cohorts(plan: Any, programmes: Sequence[str] | None = None, region: str | None = None) -> list[Cohort]:
    """Cohorts by programme and start year in one region (``None``: all regions), including
    those started before the horizon that are still training."""
    t = plan_tables(plan)
    chosen = list(programmes) if programmes is not None else t.programmes
    for p in chosen:
        st.check_choice("programme", p, t.programmes, {k: v["name"] for k, v in t.labels.programmes.items()})
    code = st.resolve_region(t, region) if region is not None else None
    out = []
    for p in chosen:
        info = t.labels.programmes[p]
        duration = int(info.get("duration") or 0)
        rate = info.get("completion_rate")
        for year, by_region in sorted(info.get("prior_intake", {}).items()):
            n = by_region.get(code, 0.0) if code else sum(by_region.values())
            if n >= MIN_STARTERS:
                done = n * rate if rate is not None else float("nan")
                out.append(Cohort(p, int(year), n, done, int(year) + duration, True))
        terms = _terms(t, p, code)
        if terms is not None:  # several intake points a year: each joins the role in its own year
            for (year, term), row in terms.iterrows():
                if row["starters"] >= MIN_STARTERS:
                    n = float(row["starters"])
                    out.append(Cohort(p, int(year), n, n * rate if rate is not None else float("nan"),
                                      int(row["qualifies_in"]), False, str(term)))
            continue
        intake = st.area_by_year(t, t.intake.xs(p, level="programme"), code)
        for year, row in intake.iterrows():
            if row["intake"] >= MIN_STARTERS:
                out.append(Cohort(p, int(year), float(row["intake"]), float(row["expected_completions"]),
                                  int(year) + duration, False))
    return out


def _terms(t: PlanTables, p: str, code: str | None) -> Any:
    """Starters of programme p by start year and intake point (one region or all), or None when p
    has one intake point a year (or the plan has no ``intake_terms``)."""
    if t.intake_terms is None or p not in t.intake_terms.index.unique("programme"):
        return None
    rows = t.intake_terms.xs(p, level="programme")
    if rows.index.unique("intake").size < 2:
        return None
    if code is not None:
        rows = rows.xs(code, level="region")
    rows = rows.groupby(level=["year", "intake"], sort=False).agg({"starters": "sum", "qualifies_in": "first"})
    order = rows.reset_index().sort_values("year", kind="stable")  # by start year, intake points in their order
    return order.set_index(["year", "intake"])


def cohort_gantt(plan: Any, programmes: Sequence[str] | None = None, region: str | None = None, *,
                 by_region: bool = False, ax: Any = None) -> Figure:
    """Each training cohort as a bar from its start to qualification, a diamond where it joins the
    workforce; one colour per programme, cohorts started before the horizon hatched.

    By default there is one row per cohort (programme and start year) with the starters and
    expected completers written beside it, for one ``region`` (code or name) or summed over all
    regions. ``by_region=True`` gives one row per programme and region instead, overlapping
    cohorts in lanes, starters written in the bars.
    """
    t = plan_tables(plan)
    if by_region and region is not None:
        raise st.PlotRequestError("give either region= (one region) or by_region=True (every region), not both")
    every = cohorts(t, programmes, region)
    if not every:
        raise st.PlotRequestError("no cohorts to draw: the plan starts no training for this selection")
    years = t.years
    chosen = list(dict.fromkeys(c.programme for c in every))
    colours = st.colours(t)
    rows: list[tuple[str, str, list[Cohort]]] = []  # (programme, row label, cohorts in the row)
    for p in chosen:
        if by_region:
            rows += [(p, region_label(t, r, short=True), by_start_year(cohorts(t, [p], r))) for r in t.regions]
        else:
            rows += [(p, f"{c.start} {c.term}".strip(), [c]) for c in every if c.programme == p]
    lanes = {p: lane_count([c for row in rows if row[0] == p for c in row[2]]) if by_region else 1 for p in chosen}
    shown = ""
    if programmes is None:  # many programmes: the largest that fit a page (workforce.plots.cohort_fit)
        from workforce.plots.cohort_fit import MAX_HEIGHT, largest_programmes, shown_note

        inches = {p: sum(0.15 * (lanes[p] + 0.6) if by_region else 0.17 for row in rows if row[0] == p)
                  + (0.3 if by_region else 0.17 * 1.5) for p in chosen}
        starters = {p: sum(c.starters for c in every if c.programme == p) for p in chosen}
        kept = largest_programmes(chosen, inches, starters, MAX_HEIGHT - (1.6 if by_region else 1.4))
        if len(kept) < len(chosen):
            shown = shown_note(len(kept), len(chosen))
            rows, every = [r for r in rows if r[0] in kept], [c for c in every if c.programme in kept]
            chosen = kept
    height_in = 1.4 + 0.17 * (len(rows) + 1.5 * len(chosen)) if not by_region else \
        1.6 + sum(0.15 * (lanes[row[0]] + 0.6) for row in rows) + 0.3 * len(chosen)
    with st.style():
        fig, ax, own = st.single_axes(ax, height_in)
        y = 0.0
        ticks: list[float] = []
        ticklabels: list[str] = []
        heads: list[tuple[float, str]] = []
        for p in chosen:
            heads.append((y, t.labels.programmes[p].get("name", p)))
            y += 1.2 + (max(0.0, lanes[p] * LANE - 1.0) / 2 if by_region else 0.0)  # the top lane clears the heading
            for _, label, group in (row for row in rows if row[0] == p):
                span = lanes[p] * LANE if by_region else 1.0
                for c in group:
                    if by_region:
                        lane = (c.start - min(g.start for g in group)) % lanes[p]
                        _cohort(ax, c, y + (lane - (lanes[p] - 1) / 2) * LANE, colours[p], years[-1],
                                height=LANE * 0.82, beside=False)
                    else:
                        _cohort(ax, c, y, colours[p], years[-1])
                ticks.append(y)
                ticklabels.append(label)
                y += max(1.0, span + 0.45)
            y += 0.5
        x0 = min(c.start for c in every) - 0.3
        x1 = max(max(c.joins for c in every) + 0.4, years[-1] + 1) + (3.2 if not by_region else 0.6)
        for hy, name in heads:
            ax.text(x0 + 0.05, hy + 0.35, name, fontweight="bold", fontsize=7.5, va="center", ha="left")
        ax.axvspan(years[0], years[-1] + 1, color="#F2F2F2", zorder=0, lw=0)
        ax.set_yticks(ticks, ticklabels, fontsize=6.5)
        ax.set_ylim(y, -0.6)
        ax.set_xlim(x0, x1)
        st.year_axis(ax, list(range(int(x0 + 1), int(x1))), step=1 if x1 - x0 < 16 else 2)
        ax.grid(axis="y", visible=False)
        ax.set_xlabel("Academic year (the start of each year)")
        ax.set_ylabel("Region" if by_region else "Cohort (start year)")
        # above the plot area, so that it never covers a cohort
        ax.legend(handles=_handles(t, chosen, colours, any(c.before_horizon for c in every)), fontsize=6.5,
                  frameon=False, loc="lower left", bbox_to_anchor=(0, 1.0), ncols=2, borderaxespad=0.3)
        where = (region_label(t, st.resolve_region(t, region)) if region is not None
                 else "each region" if by_region else "England" if is_england(t) else "all areas")
        title = f"Training cohorts in {where}: start, qualification and entry to the workforce"
        numbers = ("starters of each start year in its bar (all intake points of a year together; "
                   "bars of successive years in staggered lanes)") if by_region else "starters → expected completers"
        numbers += ", rounded to whole trainees"
        note = f"Grey band: the plan's horizon {years[0]}-{years[-1]}. Numbers: {numbers}. {st.YEAR_NOTE}{shown}"
        return st.finish_axes(fig, ax, own, t, title, note=note)


LANE = 0.62
"""Height (in row units) of one lane of the by-region chart."""


def by_start_year(group: list[Cohort]) -> list[Cohort]:
    """One cohort per programme and start year: the intake points of a year added together, joining
    when the last of them does (a row per region cannot show several intakes a year legibly)."""
    out: dict[tuple[str, int, bool], Cohort] = {}
    for c in group:
        key = (c.programme, c.start, c.before_horizon)
        if key in out:
            o = out[key]
            c = Cohort(c.programme, c.start, o.starters + c.starters, o.completers + c.completers,
                       max(o.joins, c.joins), c.before_horizon)
        out[key] = Cohort(c.programme, c.start, c.starters, c.completers, c.joins, c.before_horizon)
    return sorted(out.values(), key=lambda c: (c.start, not c.before_horizon))


def lane_count(group: list[Cohort]) -> int:
    """Lanes so that cohorts started in successive years never overlap: the longest training
    (in whole years, at least one)."""
    return max([1, *(int(c.joins - c.start) for c in group)])


def _cohort(ax: Any, c: Cohort, y: float, colour: str, last_year: int, height: float = 0.7,
            beside: bool = True) -> None:
    length = max(c.joins - c.start, SAME_YEAR_WIDTH if beside else 0.8)
    length -= 0 if beside else 0.08  # a gap between a region's successive cohorts
    ax.barh(y, length, left=c.start, height=height, color=colour, alpha=0.55 if c.before_horizon else 1.0,
            hatch="////" if c.before_horizon else None, edgecolor="white" if c.before_horizon else colour, lw=0)
    end = c.start + length
    after = c.joins > last_year
    ax.plot(end, y, marker="D", ms=4 if beside else 2.5, color=colour if not after else "white", mec=colour,
            mew=1 if beside else 0.7, zorder=3)
    if beside:
        done = "" if pd.isna(c.completers) else f" → {c.completers:,.0f}"
        ax.text(end + 0.25, y, f"{c.starters:,.0f}{done}" + (" (after horizon)" if after else ""),
                va="center", ha="left", fontsize=6.2)
    elif length >= 0.6:
        ax.text(c.start + length / 2, y, f"{c.starters:,.0f}", va="center", ha="center", fontsize=5.5,
                color="white" if not c.before_horizon else "black")


def _handles(t: PlanTables, chosen: list[str], colours: dict[str, str], prior: bool) -> list[Any]:
    handles: list[Any] = [Patch(color=colours[p], label=f"Training: {t.labels.programmes[p].get('name', p)}")
                          for p in chosen]
    handles.append(Line2D([], [], marker="D", ls="none", color="black", ms=4, label="Joins the workforce"))
    handles.append(Line2D([], [], marker="D", ls="none", color="white", mec="black", ms=4,
                          label="Joins after the horizon"))
    if prior:
        handles.append(Patch(facecolor=st.GREY, alpha=0.55, hatch="////", edgecolor="white",
                             label="Started before the horizon"))
    return handles
