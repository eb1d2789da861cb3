"""``plan.plot.<chart>(...)`` for notebooks, and :func:`draw_all` for the command line."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

from matplotlib.figure import Figure

from workforce.plan.tables import PlanTables, plan_tables
from workforce.plots import style as st
from workforce.plots.authorities import authority_strip, england_regions_of, to_regions
from workforce.plots.capacity import capacity_map
from workforce.plots.cohorts import MIN_STARTERS, cohort_gantt
from workforce.plots.compare import compare
from workforce.plots.flows import flows_waterfall
from workforce.plots.shortfall import shortfall_heatmap, shortfall_map
from workforce.plots.spend import spend

BY_REGION_MAX = 12
"""Most regions for which :func:`draw_all` draws the by-region cohort Gantt (a row per region)."""


class PlotAccessor:
    """Charts of one plan. Each method returns a matplotlib Figure (see :mod:`workforce.plots`)."""

    def __init__(self, plan: Any):
        self._plan = plan

    @property
    def tables(self) -> PlanTables:
        return plan_tables(self._plan)

    def capacity_map(self, role: str, **kwargs: Any) -> Figure:
        return capacity_map(self.tables, role, **kwargs)

    def shortfall_map(self, role: str, year: int | None = None, **kwargs: Any) -> Figure:
        return shortfall_map(self.tables, role, year, **kwargs)

    def shortfall_heatmap(self, role: str, **kwargs: Any) -> Figure:
        return shortfall_heatmap(self.tables, role, **kwargs)

    def cohort_gantt(self, programmes: Sequence[str] | None = None, region: str | None = None,
                     **kwargs: Any) -> Figure:
        return cohort_gantt(self.tables, programmes, region, **kwargs)

    def spend(self, streams: Sequence[str] | None = None, **kwargs: Any) -> Figure:
        return spend(self.tables, streams, **kwargs)

    def flows_waterfall(self, role: str, region: str | None = None, **kwargs: Any) -> Figure:
        return flows_waterfall(self.tables, role, region, **kwargs)

    def authority_strip(self, role: str, year: int | None = None) -> Figure:
        """Every local authority's shortfall rate, sorted, by region (plans of English authorities)."""
        return authority_strip(self.tables, role, year)

    def compare(self, *others: Any, measure: str = "shortfall", key: str | None = None, **kwargs: Any) -> Figure:
        """This plan against ``others`` (plans or saved runs) on one measure."""
        return compare([self._plan, *others], measure, key, **kwargs)

    def __dir__(self) -> Iterable[str]:
        return [n for n in type(self).__dict__ if not n.startswith("_")]

    def __repr__(self) -> str:
        return "Charts: " + ", ".join(n for n in self.__dir__() if n != "tables")


def chart_requests(plan: Any) -> list[tuple[str, Callable[[], Figure]]]:
    """Every standard chart of a plan as (file stem, function drawing it). A plan of English local
    authorities gets them aggregated to the nine regions, plus one chart of every authority per role."""
    t = plan_tables(plan)
    out: list[tuple[str, Callable[[], Figure]]] = []
    if england_regions_of(t) is not None:
        authorities, t = t, to_regions(t)
        out += [(f"authority_strip_{k}", lambda k=k: authority_strip(authorities, k)) for k in t.roles]
    for k in t.roles:
        out.append((f"capacity_map_{k}", lambda k=k: capacity_map(t, k)))
        out.append((f"shortfall_map_{k}", lambda k=k: shortfall_map(t, k)))
        out.append((f"shortfall_heatmap_{k}", lambda k=k: shortfall_heatmap(t, k)))
        out.append((f"flows_waterfall_{k}", lambda k=k: flows_waterfall(t, k)))
    started = bool((t.intake["intake"] >= MIN_STARTERS).any())
    if started or any(p.get("prior_intake") for p in t.labels.programmes.values()):
        out.append(("cohort_gantt", lambda: cohort_gantt(t)))
        if 1 < len(t.regions) <= BY_REGION_MAX:
            out.append(("cohort_gantt_by_region", lambda: cohort_gantt(t, by_region=True)))
    if t.streams:
        out.append(("spend", lambda: spend(t)))
    return out


def draw_all(plan: Any, out_dir: str | Path, formats: Sequence[str] = st.FORMATS) -> list[Path]:
    """Draw every standard chart of ``plan`` as a charts folder ``out_dir`` (PNG and SVG by
    default), whole or not at all, with a manifest; an earlier folder there is replaced only when
    workforce wrote all of it, never one holding a file the scenario reads (ExportError otherwise).
    Returns the charts written, in order."""
    from workforce.output_safety import write_folder

    scenario = getattr(getattr(plan, "data", None), "scenario", None)
    drawn: list[Path] = []
    write_folder(out_dir, "charts", lambda folder: drawn.extend(draw_into(plan, folder, formats)),
                 protected=list(getattr(scenario, "input_hashes", ())), what="the folder")
    return [Path(out_dir) / p.name for p in drawn]


def draw_into(plan: Any, out_dir: str | Path, formats: Sequence[str] = st.FORMATS) -> list[Path]:
    """Draw every standard chart of ``plan`` into the folder ``out_dir`` (a fresh staging folder
    of write_folder); returns the files written, in order."""
    out = Path(out_dir)
    written: list[Path] = []
    for stem, draw in chart_requests(plan):
        fig = draw()
        written += st.save(fig, out / _safe(stem), formats)
    return written


def _safe(stem: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]", "_", stem)
