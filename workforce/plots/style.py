"""House style for every chart: palette, sizes, footer, request checks and saving.

* Colours: the Okabe-Ito palette (distinguishable with the common colour-vision deficiencies) and
  sequential maps that run light → dark, so order reads without hue.
* Size: 6.7 in (170 mm) wide, the text width of an A4 page with 20 mm margins, so a chart pasted
  into a report appears at 100% and its 7-9 pt text stays readable.
* Every figure has a title saying what is shown, units on its axes and a footer naming the
  scenario and the first 10 hex digits of its sha256.
"""

from __future__ import annotations

import os
import tempfile
import textwrap
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import matplotlib as mpl
import numpy as np
from matplotlib.figure import Figure

from workforce.errors import WorkforceError
from workforce.output_safety import guard_image, umask
from workforce.plan.tables import PlanTables

OKABE_ITO = {
    "orange": "#E69F00",
    "sky_blue": "#56B4E9",
    "green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "purple": "#CC79A7",
    "black": "#000000",
}
SERIES = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"]
"""Colours for categories, in order (Okabe-Ito, the darker ones first)."""
ROLE_SERIES = ["#332288", "#882255", "#44AA99", "#999933", "#AA4499", "#117733", "#88CCEE", "#DDCC77"]
"""Colours for roles, in order: Paul Tol's "muted" scheme (https://personal.sron.nl/~pault/, also
colour-blind safe), apart from :data:`SERIES` so that a role is never confused with a programme."""
SUPPLY = "#0072B2"
FLEXIBLE = "#56B4E9"
DEMAND = "#000000"
GAP = "#D55E00"
SURPLUS = "#009E73"
SEQUENTIAL = "YlOrBr"
"""Light → dark map for rates (shortfall)."""
GREY = "#6E6E6E"

A4_WIDTH_IN = 6.7
FORMATS = ("png", "svg")
DPI = 200

RC = {
    "font.size": 8,
    "axes.titlesize": 8.5,
    "axes.labelsize": 8,
    "xtick.labelsize": 7,
    "ytick.labelsize": 7,
    "legend.fontsize": 7.5,
    "figure.titlesize": 10.5,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.color": "#DDDDDD",
    "grid.linewidth": 0.6,
    "axes.axisbelow": True,
    "figure.dpi": 100,
}


class PlotRequestError(WorkforceError, ValueError):
    """A chart was asked for something the plan does not have (a region, role, year, ...)."""


def style() -> Any:
    """Context manager applying the house style (used around every figure's construction)."""
    return mpl.rc_context(RC)


def new_figure(height_in: float, width_in: float = A4_WIDTH_IN) -> Figure:
    """A figure not attached to pyplot (no display needed, freed with the last reference)."""
    return Figure(figsize=(width_in, height_in), layout="constrained")


def single_axes(ax: Any, height_in: float) -> tuple[Figure, Any, bool]:
    """The figure and axes to draw on: ``ax``'s own when the caller gives one (their figure keeps
    its layout, title and footer), else a new A4-width figure. The flag says whether it is new."""
    if ax is not None:
        return ax.figure, ax, False
    fig = new_figure(height_in)
    return fig, fig.add_subplot(), True


def finish_axes(fig: Figure, ax: Any, own: bool, t: PlanTables | Sequence[PlanTables], title: str,
                note: str | None = None) -> Figure:
    """:func:`finish` for a chart drawn on one axes; on the caller's axes, only a title on the axes."""
    if own:
        return finish(fig, t, title, note=note)
    ax.set_title(textwrap.fill(title, 70), loc="left", fontweight="bold")
    return fig


def short_hash(t: PlanTables) -> str:
    sha = str(t.summary.get("scenario_sha256") or "")
    return sha[:10] if sha else "no hash"


def finish(fig: Figure, t: PlanTables | Sequence[PlanTables], title: str, note: str | None = None) -> Figure:
    """Title (what is shown) and the footer naming the scenario(s) and hash(es), with an optional note above it."""
    plans = [t] if isinstance(t, PlanTables) else list(t)
    footer = "\n".join(f"Scenario: {p.scenario_name}  ·  sha256 {short_hash(p)}" for p in plans)
    provisional = [p.scenario_name for p in plans if p.summary.get("status") not in (None, "optimal")]
    if provisional:
        footer += "  ·  provisional (not proven optimal): " + ", ".join(provisional)
    return finish_with_footer(fig, title, footer, note)


def finish_with_footer(fig: Figure, title: str, footer: str, note: str | None = None) -> Figure:
    """:func:`finish` with the footer's scenario line(s) given as text (for charts of studies,
    which have a scenario name and hash but no plan)."""
    fig.suptitle(textwrap.fill(title, 75), fontweight="bold", x=0.01, ha="left")
    if note:
        footer = textwrap.fill(note, int(130 * fig.get_figwidth() / A4_WIDTH_IN)) + "\n" + footer
    fig.text(0.01, 0.004, footer, fontsize=6.5, color=GREY, ha="left", va="bottom", linespacing=1.3)
    # Keep the footer clear of the axes: constrained layout lays the axes out above it.
    lines = footer.count("\n") + 1
    bottom = (lines * 0.115 + 0.05) / fig.get_figheight()
    fig.get_layout_engine().set(rect=(0, bottom, 1, 1 - bottom))
    return fig


def _mix(colour: str, other: str, share: float) -> str:
    """``colour`` moved ``share`` of the way towards ``other`` (white: a tint, black: a shade)."""
    a, b = np.array(mpl.colors.to_rgb(colour)), np.array(mpl.colors.to_rgb(other))
    return mpl.colors.to_hex(a + (b - a) * share)


def colours(t: PlanTables) -> dict[str, str]:
    """The one colour of every programme, role and spend item of a plan, used by every chart.

    Keys: each programme id; ``role:<id>`` for each role; and the spend items that are not a
    programme: ``hiring:<role>`` (the role's colour), ``flexible:<role>.<option>`` (a tint of it),
    ``exits:<role>`` (a shade of it) and ``cohorts:<programme>`` (a tint of the programme's).
    Programmes take :data:`SERIES` and roles :data:`ROLE_SERIES` in the scenario's order, so a
    programme has the same colour in the cohort chart, the spend chart and any other.
    """
    out = {p: SERIES[i % len(SERIES)] for i, p in enumerate(t.programmes)}
    for i, r in enumerate(t.roles):
        role = ROLE_SERIES[i % len(ROLE_SERIES)]
        out[f"role:{r}"] = out[f"hiring:{r}"] = role
        out[f"exits:{r}"] = _mix(role, "#000000", 0.45)
        for j, option in enumerate(t.labels.roles.get(r, {}).get("flexible", {}) or {}):
            out[f"flexible:{r}.{option}"] = _mix(role, "#FFFFFF", 0.45 + 0.15 * (j % 3))
    for p in t.programmes:
        out[f"cohorts:{p}"] = _mix(out[p], "#FFFFFF", 0.5)
    return out


def item_colour(t: PlanTables, item: str, palette: dict[str, str] | None = None) -> str:
    """The colour of a spend item (see :func:`colours`); an item the plan does not list is grey."""
    palette = palette if palette is not None else colours(t)
    if item in palette:
        return palette[item]
    kind, _, rest = item.partition(":")
    role = rest.partition(".")[0]
    if kind == "flexible" and f"role:{role}" in palette:
        return _mix(palette[f"role:{role}"], "#FFFFFF", 0.45)
    return GREY


def check_choice(kind: str, value: Any, allowed: Sequence[Any], labels: dict[Any, str] | None = None) -> None:
    """Raise PlotRequestError naming ``value`` and what the plan has instead."""
    if value in allowed:
        return
    shown = ", ".join(f"{a} ({labels[a]})" if labels and a in labels and labels[a] != a else str(a) for a in allowed)
    raise PlotRequestError(f"unknown {kind} {value!r}: this plan has {shown or 'none'}")


def resolve_region(t: PlanTables, region: str) -> str:
    """A region given by code or name → its code."""
    if region in t.labels.regions:
        return region
    by_name = {n.lower(): c for c, n in t.labels.regions.items()}
    if isinstance(region, str) and region.lower() in by_name:
        return by_name[region.lower()]
    check_choice("region", region, t.regions, t.labels.regions)
    return region  # pragma: no cover (check_choice raised)


def resolve_role(t: PlanTables, role: str) -> str:
    check_choice("role", role, t.roles, {k: v["name"] for k, v in t.labels.roles.items()})
    return role


def area_by_year(t: PlanTables, df: Any, region: str | None) -> Any:
    """Rows of ``df`` (indexed by region and year) for one region (code or name), or summed over
    all regions when ``region`` is None; indexed by year."""
    if region is None:
        return df.groupby(level="year").sum()
    return df.xs(resolve_region(t, region), level="region")


def role_unit(t: PlanTables, role: str) -> str:
    return t.labels.roles.get(role, {}).get("unit", "people or FTE")


def role_name(t: PlanTables, role: str) -> str:
    return t.labels.roles.get(role, {}).get("name", role)


def fmt_number(value: float) -> str:
    if abs(value) >= 10_000:
        return f"{value / 1000:,.0f}k" if abs(value) >= 100_000 else f"{value / 1000:,.1f}k"
    if abs(value) >= 100:
        return f"{value:,.0f}"
    return f"{value:,.1f}" if value % 1 else f"{value:,.0f}"


THOUSANDS = mpl.ticker.StrMethodFormatter("{x:,.0f}")
"""Axis numbers with thousands separators."""

YEAR_NOTE = "Years are academic years (2026 = 2026/27)."


def fmt_rate(rate: float) -> str:
    """A share as a whole percentage, with ``<1%`` for a small shortfall that rounds to 0%."""
    if 0 < rate < 0.005:
        return "<1%"
    return f"{rate:.0%}"


def fmt_money(thousands: float) -> str:
    """£k as a short amount: £945k, £1.6m, £110m."""
    if abs(thousands) >= 100_000:
        return f"£{thousands / 1000:,.0f}m"
    if abs(thousands) >= 1_000:
        return f"£{thousands / 1000:,.1f}m"
    return f"£{thousands:,.0f}k"


def year_axis(ax: Any, years: Sequence[int], step: int | None = None) -> None:
    """Integer year ticks, every ``step`` years (chosen to fit), labelled as academic years."""
    step = step or (1 if len(years) <= 6 else 2 if len(years) <= 12 else 5)
    ax.set_xticks([y for y in years if (y - years[0]) % step == 0])
    ax.xaxis.set_major_formatter(mpl.ticker.FuncFormatter(lambda v, _: f"{int(v)}"))


def save(fig: Figure, stem: str | Path, formats: Iterable[str] = FORMATS, dpi: int = DPI) -> list[Path]:
    """Write ``stem.png`` and ``stem.svg`` (or the given formats), each whole or not at all."""
    written = []
    stem = Path(stem)
    stem.parent.mkdir(parents=True, exist_ok=True)
    for fmt in formats:
        if fmt not in ("png", "svg", "pdf"):
            raise PlotRequestError(f"unknown image format {fmt!r}: use png, svg or pdf")
        target = stem.with_name(f"{stem.name}.{fmt}")
        guard_image(target)  # never over a file workforce did not write
        fd, tmp = tempfile.mkstemp(prefix=f".{stem.name}-", suffix=f".{fmt}", dir=stem.parent)
        try:
            with os.fdopen(fd, "wb") as fh:
                fig.savefig(fh, format=fmt, dpi=dpi, metadata=_metadata(fig, fmt))
                fh.flush()
                os.fsync(fh.fileno())
            os.chmod(tmp, 0o666 & ~umask())
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        written.append(target)
    return written


def _metadata(fig: Figure, fmt: str) -> dict[str, Any]:
    # The chart's title and footer go into the file (SVG text is drawn as paths, so this is
    # where a reader or a search finds them); no date, so the same plan gives the same bytes.
    title = fig.get_suptitle().replace("\n", " ")
    about = fig.texts[-1].get_text().replace("\n", " ") if fig.texts else ""
    if fmt == "svg":
        return {"Date": None, "Creator": "workforce", "Title": title, "Description": about}
    if fmt == "pdf":
        return {"CreationDate": None, "Creator": "workforce", "Title": title, "Subject": about}
    return {"Software": "workforce", "Title": title, "Description": about}
