"""Write a short HTML report on one region: its key numbers and charts, from a solved scenario.

    python examples/regional_report.py --region E12000001 --out reports/
    python examples/regional_report.py --region "North East" --scenario my_variant.yaml --out reports/

The report is one self-contained file, ``<out>/report_<region code>.html``, with its charts
embedded as PNG images (data URIs), so it can be mailed or attached as it is. It is written
whole or not at all (a temporary file renamed into place), and replaces only a report this script
wrote (never a file the scenario reads, nor any other file: those are refused with exit 4). Run from anywhere: the default
scenario is the bundled England baseline.
"""

from __future__ import annotations

import argparse
import base64
import html
import io
import sys
from datetime import UTC, datetime
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import pandas as pd  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from workforce import WorkforceError, load_scenario, solve  # noqa: E402
from workforce.output_safety import replace_file  # noqa: E402

GENERATOR = '<meta name="generator" content="workforce regional report">'
"""Marks a report this script wrote: only such a file is ever replaced (``ours``)."""

BASELINE = Path(__file__).resolve().parents[1] / "configs" / "england_baseline.yaml"

CSS = """
body { font-family: system-ui, sans-serif; max-width: 60em; margin: 2em auto; color: #222; }
h1 { font-size: 1.5em; margin-bottom: 0.1em; } h2 { font-size: 1.15em; margin-top: 1.6em; }
.meta { color: #555; font-size: 0.9em; }
table { border-collapse: collapse; font-size: 0.9em; margin: 0.5em 0; }
th, td { padding: 0.2em 0.7em; border-bottom: 1px solid #ddd; text-align: right; }
th:first-child, td:first-child { text-align: left; }
.key { display: flex; gap: 1em; flex-wrap: wrap; }
.key div { border: 1px solid #ccc; border-radius: 4px; padding: 0.5em 0.8em; min-width: 11em; }
.key b { font-size: 1.4em; display: block; }
img { max-width: 100%; margin: 0.5em 0; }
"""


def find_region(plan, region: str) -> str:
    """The region's code, given its code or its name (any case)."""
    names = plan.data.region_names
    for code, name in names.items():
        if region.strip().lower() in (code.lower(), name.lower()):
            return code
    choices = ", ".join(f"{code} ({name})" for code, name in names.items())
    raise WorkforceError(f"region {region!r} is not in scenario {plan.scenario_name!r}; choose one of: {choices}")


RATE_DIGITS = 3
"""Shortfall rates are compared as shown, to 0.1% (3 decimals of a share): regions whose rates
round to the same figure share a rank rather than one being called worse on noise."""


def rank_text(rate: pd.Series, code: str) -> str:
    """The region's rank by shortfall rate (1 = worst) among regions with a shortfall, ties shared."""
    shown = rate.round(RATE_DIGITS)
    if not shown.get(code, 0) > 0:
        return "none short"
    rank = int(shown.rank(ascending=False, method="min")[code])
    tied = int((shown == shown[code]).sum()) - 1
    return f"{rank} of {len(shown)}" + (f" (tied with {tied} other{'s' if tied > 1 else ''})" if tied else "")


def role_numbers(plan, code: str) -> pd.DataFrame:
    """Per role in the region: supply, demand and shortfall in the first and last year, shortfall
    over the horizon, and the region's rank among all regions by shortfall rate (1 = worst)."""
    d = plan.data
    first, last = d.YEARS[0], d.YEARS[-1]
    rows = []
    for k in d.ROLES:
        wf = plan.workforce.xs(k, level="role")
        here = wf.xs(code, level="region")
        over = wf.groupby(level="region")[["shortfall", "demand"]].sum()
        rate = (over["shortfall"] / over["demand"].where(over["demand"] > 0)).fillna(0.0)
        rows.append({
            "role": d.scenario.roles[k].name,
            "unit": d.scenario.roles[k].unit,
            f"in post {first}": here.at[first, "supply"],
            f"demand {first}": here.at[first, "demand"],
            f"shortfall {first}": here.at[first, "shortfall"],
            f"demand {last}": here.at[last, "demand"],
            f"shortfall {last}": here.at[last, "shortfall"],
            f"shortfall rate {last}": here.at[last, "shortfall_rate"],
            "shortfall over the horizon": here["shortfall"].sum(),
            "shortfall rate over the horizon": rate.get(code, 0.0),
            "rank (1 = worst rate)": rank_text(rate, code),
        })
    return pd.DataFrame(rows).set_index("role").rename_axis(None)


def intake_table(plan, code: str) -> pd.DataFrame:
    """Starters by programme and year in the region, in whole trainees (the plan's intake can be
    fractional: a share of a trainee is an average over the years, not a person)."""
    intake = plan.intake["intake"].xs(code, level="region").unstack("year").round(0).astype(int)
    intake.index = [plan.data.scenario.programmes[p].name for p in intake.index]
    return intake


def supply_chart(plan, code: str) -> Figure:
    """One panel per role: staff in post (and with flexible supply) against demand, the gap
    shaded, in the house style of workforce.plots with a full legend and the scenario footer."""
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    from workforce.plots import style as st

    d = plan.data
    t = plan.plot.tables
    with st.style():
        ncols = min(2, len(d.ROLES))
        nrows = -(-len(d.ROLES) // ncols)
        fig = st.new_figure(1.2 + 2.2 * nrows + 0.35)
        grid = fig.add_gridspec(nrows + 1, ncols, height_ratios=[2.2] * nrows + [0.35])
        axes = [fig.add_subplot(grid[i // ncols, i % ncols]) for i in range(len(d.ROLES))]
        key = fig.add_subplot(grid[nrows, :])
        key.axis("off")
        flexible = False
        for ax, k in zip(axes, d.ROLES, strict=True):
            wf = plan.workforce.xs((k, code), level=("role", "region"))
            years = wf.index.to_numpy()
            covered = wf["supply"] + wf["flexible"]
            ax.fill_between(years, covered, wf["demand"], where=wf["demand"] > covered, interpolate=True,
                            color=st.GAP, alpha=0.35, lw=0)
            ax.plot(years, wf["supply"], color=st.SUPPLY, lw=1.6)
            if wf["flexible"].abs().sum() > 0:
                flexible = True
                ax.plot(years, covered, color=st.FLEXIBLE, lw=1.2, ls="--")
            ax.plot(years, wf["demand"], color=st.DEMAND, lw=1.2, ls=":")
            ax.set_title(st.role_name(t, k), loc="left", fontsize=7.5)
            ax.set_ylabel(st.role_unit(t, k))
            ax.yaxis.set_major_formatter(st.THOUSANDS)
            ax.set_ylim(bottom=0)
            st.year_axis(ax, [int(y) for y in years], step=2 if len(years) > 6 else 1)
        handles = [Line2D([], [], color=st.SUPPLY, lw=1.6, label="In post (end of year)")]
        if flexible:
            handles.append(Line2D([], [], color=st.FLEXIBLE, lw=1.2, ls="--", label="In post + flexible supply"))
        handles += [Line2D([], [], color=st.DEMAND, lw=1.2, ls=":", label="Demand"),
                    Patch(color=st.GAP, alpha=0.35, label="Shortfall (demand not met)")]
        key.legend(handles=handles, loc="center", ncols=len(handles), frameon=False, borderaxespad=0)
        return st.finish(fig, t, f"{d.region_names[code]}: staff in post against demand", note=st.YEAR_NOTE)


def png_uri(fig: Figure) -> str:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110)
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def number(value: float) -> str:
    return f"{value:,.0f}"


def table_html(df: pd.DataFrame) -> str:
    return df.to_html(border=0, float_format=number, na_rep="")


def report_html(plan, code: str) -> str:
    d = plan.data
    name = d.region_names[code]
    first, last = d.YEARS[0], d.YEARS[-1]
    roles = role_numbers(plan, code)
    shown = roles.copy()
    shown[f"shortfall rate {last}"] = [f"{100 * r:.0f}%" for r in roles[f"shortfall rate {last}"]]
    shown["shortfall rate over the horizon"] = [f"{100 * r:.1f}%" for r in roles["shortfall rate over the horizon"]]
    intake = intake_table(plan, code)
    charts = [("Staff in post against demand", supply_chart(plan, code))]
    charts += [(f"{d.scenario.roles[k].name}: from the stock in {first} to the stock in {last}",
                plan.plot.flows_waterfall(k, region=code)) for k in d.ROLES]
    if intake.to_numpy().sum() > 0:
        charts.append(("Training cohorts started in the region", plan.plot.cohort_gantt(region=code)))
    cards = "".join(
        f"<div>{html.escape(row.name)}<b>{number(row[f'shortfall {last}'])} {html.escape(row['unit'])}</b>"
        f"short in {last} ({100 * row[f'shortfall rate {last}']:.0f}% of demand)</div>"
        for _, row in roles.iterrows()
    )
    status = plan.summary["status"]
    warning = "" if status == "optimal" else (
        f"<p><b>Provisional plan</b>: a solver limit stopped HiGHS ({html.escape(status)}).</p>")
    images = "".join(f"<h3>{html.escape(title)}</h3><img alt=\"{html.escape(title)}\" src=\"{png_uri(fig)}\">"
                     for title, fig in charts)
    made = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">{GENERATOR}<title>{html.escape(name)}: SEND workforce plan</title>
<style>{CSS}</style></head><body>
<h1>{html.escape(name)} ({html.escape(code)}): SEND workforce plan {first}-{last}</h1>
<p class="meta">Scenario {html.escape(plan.scenario_name)} (sha256 {html.escape(plan.summary["scenario_sha256"][:12])}),
solved {html.escape(status)}; report written {made}. Years are academic years ({first} = {first}/{str(first + 1)[2:]}).</p>
{warning}
<h2>Key numbers</h2>
<div class="key">{cards}</div>
<h2>Each role in {html.escape(name)}</h2>
{table_html(shown)}
<p class="meta">Shortfall over the horizon is in unit-years (people or FTE, summed over {len(d.YEARS)} years).
Rank compares the shortfall rate over the horizon, as shown to 0.1%, with the other {len(d.REGIONS) - 1} regions:
regions that round to the same rate share a rank. Starters are rounded to whole trainees.</p>
<h2>Training starters by year</h2>
{table_html(intake)}
<h2>Charts</h2>
{images}
</body></html>
"""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--region", required=True, help="region code (E12000001) or name (North East)")
    parser.add_argument("--out", required=True, type=Path, help="folder for report_<code>.html")
    parser.add_argument("--scenario", type=Path, default=BASELINE, help="scenario YAML (default: the England baseline)")
    args = parser.parse_args(argv)
    try:
        scenario = load_scenario(args.scenario)
        plan = solve(scenario)
        code = find_region(plan, args.region)
        text = report_html(plan, code)
        target = args.out / f"report_{code}.html"
        replace_file(target, text, ours=lambda head: GENERATOR in head, protected=scenario.input_hashes)
    except WorkforceError as err:
        print(f"error: {err}", file=sys.stderr)
        return getattr(err, "exit_code", 1) or 1
    print(f"wrote {target} ({target.stat().st_size / 1024:.0f} KB): {plan.data.region_names[code]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
