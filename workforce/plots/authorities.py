"""Plans of England's local authorities: the standard charts aggregated to the nine regions, and
one chart that shows every authority (a sorted dot plot, small multiples by region).

A plan whose areas are all English upper-tier local authorities (``configs/england_local_authorities.yaml``
or a local authority's copy of it) is recognised by its ONS codes (:data:`AUTHORITY_REGION`).
"""

from __future__ import annotations

from typing import Any

import matplotlib as mpl
import pandas as pd
from matplotlib.figure import Figure

from workforce.plan.tables import Labels, PlanTables, plan_tables
from workforce.plots import style as st
from workforce.plots.authority_regions import AUTHORITY_REGION, CURRENT_ONS_CODES
from workforce.plots.capacity import role_table
from workforce.plots.tiles import ENGLAND_CODES, SHORT_NAMES

REGION_NAMES = {
    "E12000001": "North East", "E12000002": "North West", "E12000003": "Yorkshire and The Humber",
    "E12000004": "East Midlands", "E12000005": "West Midlands", "E12000006": "East of England",
    "E12000007": "London", "E12000008": "South East", "E12000009": "South West",
}
REGION_OF = {**AUTHORITY_REGION, **CURRENT_ONS_CODES}

ROW_IN = 0.105
"""Height of one authority's row (inches): a 5.5 pt name with room above and below."""


def england_regions_of(t: PlanTables) -> dict[str, str] | None:
    """Authority code -> region code when every area of the plan is an English local authority and
    there are more areas than regions; otherwise None (the plan is charted as it is)."""
    if len(t.regions) <= len(ENGLAND_CODES) or not all(r in REGION_OF for r in t.regions):
        return None
    return {r: REGION_OF[r] for r in t.regions}


def _sum_by_region(df: pd.DataFrame, mapping: dict[str, str], first: tuple[str, ...] = ()) -> pd.DataFrame:
    """Rows summed over the authorities of each region (columns in ``first`` keep their first value,
    the same for every authority, e.g. the year a cohort qualifies)."""
    names = list(df.index.names)
    flat = df.reset_index()
    flat["region"] = flat["region"].map(mapping)
    rules = {c: ("first" if c in first else "sum") for c in df.columns}
    out = flat.groupby(names, sort=False).agg(rules)
    return out[list(df.columns)]


def to_regions(plan: Any) -> PlanTables:
    """The plan's tables summed from authorities to England's nine regions (the chart view of
    :func:`workforce.plan.tables.plan_tables`); shortfall rates are recomputed from the sums."""
    t = plan_tables(plan)
    mapping = england_regions_of(t)
    if mapping is None:
        raise st.PlotRequestError("the plan's areas are not English local authorities (ONS codes E06/E08/E09/E10 "
                                  "with SEND duties); nothing to aggregate to regions")
    wf = _sum_by_region(t.workforce, mapping)
    wf["shortfall_rate"] = (wf["shortfall"] / wf["demand"].where(wf["demand"] > 0)).fillna(0.0)
    intake = _sum_by_region(t.intake, mapping, first=("qualifies_in",))
    terms = None if t.intake_terms is None else _sum_by_region(t.intake_terms, mapping,
                                                              first=("start_month", "qualifies_in"))
    programmes = {}
    for p, info in t.labels.programmes.items():
        prior: dict[int, dict[str, float]] = {}
        for year, by_area in info.get("prior_intake", {}).items():
            for area, n in by_area.items():
                prior.setdefault(year, {}).setdefault(mapping[area], 0.0)
                prior[year][mapping[area]] += n
        programmes[p] = {**info, "prior_intake": prior}
    present = [c for c in ENGLAND_CODES if c in set(mapping.values())]
    labels = Labels(regions={c: REGION_NAMES[c] for c in sorted(present)}, roles=t.labels.roles,
                    programmes=programmes, streams=t.labels.streams,
                    financial_year_streams=t.labels.financial_year_streams)
    return PlanTables(scenario_name=t.scenario_name, summary=t.summary, labels=labels, source=t.source,
                      intake=intake, workforce=wf, flows=_sum_by_region(t.flows, mapping), spend=t.spend,
                      spend_detail=t.spend_detail, intake_terms=terms)


def authority_rates(plan: Any, role: str, year: int | None = None) -> pd.DataFrame:
    """Per authority: its region, demand, shortfall and shortfall rate, over the horizon (shortfall
    summed over the years / demand summed over the years) or in ``year``; the rows of every region
    together, the highest rate first within a region (ties by code)."""
    t = plan_tables(plan)
    mapping = england_regions_of(t)
    if mapping is None:
        raise st.PlotRequestError("the authority chart needs a plan of English local authorities (ONS codes "
                                  "E06/E08/E09/E10 with SEND duties, as configs/england_local_authorities.yaml)")
    wf = role_table(t, role)
    if year is not None:
        st.check_choice("year", year, t.years)
        wf = wf.xs(int(year), level="year")
    else:
        wf = wf.groupby(level="region", sort=False)[["demand", "shortfall"]].sum()
    out = wf[["demand", "shortfall"]].reindex(t.regions).copy()
    out["rate"] = (out["shortfall"] / out["demand"].where(out["demand"] > 0)).fillna(0.0)
    out["region"] = [mapping[r] for r in out.index]
    out["name"] = [t.labels.regions.get(r, r) for r in out.index]
    out = out.rename_axis("authority").reset_index()
    out = out.sort_values(["region", "rate", "authority"], ascending=[True, False, True], kind="stable")
    return out.set_index("authority")


def _columns(sizes: dict[str, int], n: int = 2) -> list[list[str]]:
    """Regions packed into ``n`` columns of about equal rows (largest first into the shortest
    column), each column then in region-code order."""
    cols: list[list[str]] = [[] for _ in range(n)]
    rows = [0] * n
    for region in sorted(sizes, key=lambda r: (-sizes[r], r)):
        i = rows.index(min(rows))
        cols[i].append(region)
        rows[i] += sizes[region] + 3
    return [sorted(c) for c in cols if c]


def authority_strip(plan: Any, role: str, year: int | None = None) -> Figure:
    """Every authority's shortfall as a share of demand, one dot each, sorted within small multiples
    by region; the rate is printed at the right of each row and the region's own rate is the dashed
    line. Over the whole horizon by default, or in ``year``."""
    t = plan_tables(plan)
    rates = authority_rates(t, role, year)
    regional = rates.groupby("region")[["demand", "shortfall"]].sum()
    region_rate = (regional["shortfall"] / regional["demand"].where(regional["demand"] > 0)).fillna(0.0)
    sizes = rates.groupby("region").size().to_dict()
    columns = _columns(sizes)
    longest = max(sum(sizes[r] for r in c) + 3.2 * len(c) for c in columns)
    top = max(float(rates["rate"].max()) * 1.08, 0.05)
    colour = st.colours(t)[f"role:{role}"]
    when = f"{t.years[0]}-{t.years[-1]}" if year is None else str(year)
    with st.style():
        fig = st.new_figure(1.3 + ROW_IN * longest)
        subfigs = fig.subfigures(1, len(columns), wspace=0.04)
        for sub, regions in zip(subfigs if len(columns) > 1 else [subfigs], columns, strict=True):
            axes = sub.subplots(len(regions), 1, gridspec_kw={"height_ratios": [sizes[r] + 0.6 for r in regions]},
                                squeeze=False)[:, 0]
            for ax, region in zip(axes, regions, strict=True):
                _panel(ax, rates[rates["region"] == region], region, float(region_rate[region]), top, colour,
                       last=ax is axes[-1])
        title = f"{st.role_name(t, role)}: shortfall as a share of demand by local authority, {when}"
        span = "shortfall summed over the years / demand summed over the years" if year is None else f"in {year}"
        note = (f"Each dot is one authority ({span}), worst first within its region; the dashed line is the "
                f"region's own rate. {len(rates)} authorities. {st.YEAR_NOTE}")
        return st.finish(fig, t, title, note=note)


def _panel(ax: Any, rows: pd.DataFrame, region: str, region_rate: float, top: float, colour: str,
           last: bool) -> None:
    y = list(range(len(rows)))[::-1]  # the worst at the top
    ax.hlines(y, 0, rows["rate"], color=st.GREY, lw=0.4, alpha=0.6)
    ax.scatter(rows["rate"], y, s=9, color=colour, zorder=3, clip_on=False)
    ax.axvline(region_rate, color=st.DEMAND, lw=0.7, ls="--")
    ax.set_xlim(0, top)
    ax.set_ylim(-0.7, len(rows) - 0.3)
    ax.set_yticks(y, list(rows["name"]), fontsize=5.5)
    ax.tick_params(axis="y", length=0, pad=2)
    ax.grid(axis="y", visible=False)
    right = ax.twinx()
    right.set_ylim(ax.get_ylim())
    right.set_yticks(y, [st.fmt_rate(v) for v in rows["rate"]], fontsize=5.5)
    right.tick_params(axis="y", length=0, pad=2)
    right.grid(False)
    for a in (ax, right):
        for side in ("top", "right"):
            a.spines[side].set_visible(False)
    ax.xaxis.set_major_formatter(mpl.ticker.PercentFormatter(1.0, decimals=0))
    ax.xaxis.set_major_locator(mpl.ticker.MaxNLocator(4))
    if last:
        ax.tick_params(axis="x", labelsize=6)
        ax.set_xlabel("Shortfall (% of demand)", fontsize=6.5)
    else:
        ax.tick_params(axis="x", labelbottom=False, length=0)
    ax.set_title(f"{SHORT_NAMES.get(region, region)}: {st.fmt_rate(region_rate)}", loc="left", fontsize=7,
                 fontweight="bold")


__all__ = ["authority_rates", "authority_strip", "england_regions_of", "to_regions"]
