"""Checks that hold for every chart of every plan: the England baseline, the baseline with an
extra role and funding stream, and a 153-area scenario (tests/chart_plans.py).

* Drawn bar extents equal the data (the artists are read back, not the code that drew them), and
  no bar is clipped by its axes.
* No text overlaps another text or leaves the figure (bounding boxes from the renderer).
* One colour per programme across charts (cohort and spend legends) and per scenario item.
"""

from __future__ import annotations

import itertools

import matplotlib
import numpy as np
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.patches import Rectangle
from matplotlib.text import Text

from tests.chart_plans import baseline_plan, extra_role_scenario, national_scale_scenario
from workforce import solve
from workforce.plan.tables import plan_tables
from workforce.plots import chart_requests, cohort_gantt, flows_waterfall, spend
from workforce.plots import style as st
from workforce.plots.flows import waterfall_steps
from workforce.plots.spend import item_label

matplotlib.use("Agg")

PLANS = {"baseline": baseline_plan, "extra_role": lambda: solve(extra_role_scenario()),
         "153_areas": lambda: solve(national_scale_scenario())}


@pytest.fixture(scope="module", params=list(PLANS))
def plan(request):
    return PLANS[request.param]()


@pytest.fixture(scope="module")
def drawn(plan):
    """Every standard chart of the plan, drawn once for all the checks."""
    return [(stem, draw()) for stem, draw in chart_requests(plan)]


def undrawn_ticks(fig) -> set[int]:
    """Tick labels matplotlib keeps but does not draw: their tick is outside the axis's view."""
    out = set()
    for ax in fig.axes:
        for axis in (ax.xaxis, ax.yaxis):
            low, high = sorted(axis.get_view_interval())
            span = (high - low) * 1e-9
            for tick in [*axis.get_major_ticks(), *axis.get_minor_ticks()]:
                if not low - span <= tick.get_loc() <= high + span:
                    out |= {id(tick.label1), id(tick.label2)}
    return out


def texts(fig, renderer):
    """Every drawn, non-empty text with its bounding box in display pixels."""
    out = []
    hidden = undrawn_ticks(fig)
    for t in fig.findobj(Text):
        if not t.get_visible() or not t.get_text().strip() or (t.axes is not None and not t.axes.get_visible()) \
                or id(t) in hidden:
            continue
        box = t.get_window_extent(renderer)
        if box.width > 0 and box.height > 0:
            out.append((t.get_text(), box))
    return out


def overlaps(a, b, pad: float = 1.0) -> bool:
    """Two boxes share more than ``pad`` pixels each way (anti-aliasing and hinting aside)."""
    return (min(a.x1, b.x1) - max(a.x0, b.x0) > pad) and (min(a.y1, b.y1) - max(a.y0, b.y0) > pad)


def test_no_text_overlaps_another_or_leaves_the_figure(drawn):
    for stem, fig in drawn:
        canvas = FigureCanvasAgg(fig)
        canvas.draw()
        renderer = canvas.get_renderer()
        page = fig.bbox
        found = texts(fig, renderer)
        for text, box in found:
            assert box.x0 >= page.x0 - 1 and box.x1 <= page.x1 + 1 and box.y0 >= page.y0 - 1 and \
                box.y1 <= page.y1 + 1, f"{stem}: {text!r} leaves the figure ({box} outside {page})"
        for (ta, a), (tb, b) in itertools.combinations(found, 2):
            assert not overlaps(a, b), f"{stem}: {ta!r} overlaps {tb!r}"


def bars(ax):
    return [p for p in ax.patches if isinstance(p, Rectangle) and p.get_visible() and p.get_height() != 0]


def test_no_bar_is_clipped_by_its_axes(drawn):
    for stem, fig in drawn:
        for ax in fig.axes:
            low, high = sorted(ax.get_ylim())
            for p in bars(ax):
                y0, y1 = sorted((p.get_y(), p.get_y() + p.get_height()))
                assert low - 1e-9 <= y0 and y1 <= high + 1e-9, f"{stem}: a bar {y0:g}..{y1:g} is cut at {low:g}..{high:g}"


def test_waterfall_bars_span_exactly_the_running_stock(plan):
    """Bar i spans from the stock before step i to the stock after it (start and end from zero)."""
    t = plan_tables(plan)
    for role in t.roles:
        steps = waterfall_steps(t, role)
        ax = flows_waterfall(t, role).axes[0]
        drawn = [(p.get_y(), p.get_y() + p.get_height()) for p in ax.patches if isinstance(p, Rectangle)]
        level, expected = 0.0, []
        for kind, value in steps:
            if kind in ("start", "end"):
                expected.append((0.0, value))
                level = value
            else:
                expected.append(tuple(sorted((level, level + value))))
                level += value
        np.testing.assert_allclose(drawn, expected, rtol=1e-9, atol=1e-9)
        labels = [c.get_text() for c in ax.texts]
        assert labels[1] == f"{steps[1][1]:+,.0f}" or round(steps[1][1]) == 0


def test_spend_bars_add_up_to_what_each_stream_spent(plan):
    t = plan_tables(plan)
    fig = spend(t)
    panels = {ax.get_title(loc="left").split("\n")[0]: ax for ax in fig.axes if ax.get_title(loc="left")}
    for stream in t.streams:
        ax = panels[t.labels.streams.get(stream, stream)]
        spent = t.spend.xs(stream, level="stream")["spent"]
        coloured = [p for p in bars(ax) if not p.get_hatch() and p.get_facecolor()[3] > 0 and p.get_fill()]
        for year, value in spent.items():
            drawn = sum(p.get_height() for p in coloured if abs(p.get_x() + p.get_width() / 2 - year) < 1e-9)
            assert drawn == pytest.approx(value, rel=1e-9, abs=1e-9), (stream, year)


def legend_colours(fig, prefix: str = "") -> dict[str, str]:
    out = {}
    for ax in fig.axes:
        legend = ax.get_legend()
        if legend is None:
            continue
        for handle, text in zip(legend.legend_handles, legend.get_texts(), strict=True):
            if isinstance(handle, Rectangle) and text.get_text().startswith(prefix):
                out[text.get_text()[len(prefix):].replace("\n", " ")] = matplotlib.colors.to_hex(handle.get_facecolor())
    return out


def test_one_colour_per_programme_across_charts(plan):
    t = plan_tables(plan)
    gantt = legend_colours(cohort_gantt(t), "Training: ")
    money = legend_colours(spend(t))
    registry = st.colours(t)
    names = {p: t.labels.programmes[p]["name"] for p in t.programmes}
    shown = [p for p in t.programmes if names[p] in gantt]
    assert shown, "the cohort chart shows no programme"
    for p in shown:
        assert gantt[names[p]] == registry[p].lower()
        if names[p] in money:
            assert money[names[p]] == registry[p].lower(), p
    for item in t.spend_detail.index.get_level_values("item").unique():
        label = item_label(t, item).replace("\n", " ")
        if label in money:
            assert money[label] == st.item_colour(t, item).lower(), item
    assert len({registry[p] for p in t.programmes}) == min(len(t.programmes), len(st.SERIES))
    assert len({registry[f"role:{r}"] for r in t.roles}) == min(len(t.roles), len(st.ROLE_SERIES))


def test_one_colour_scale_for_shortfall_rates_across_roles(drawn):
    """Equal colours mean equal rates in every role's heatmap and map: every colour bar of the
    plan runs from 0 to the same top."""
    tops = set()
    for stem, fig in drawn:
        if stem.startswith(("shortfall_heatmap_", "shortfall_map_")):
            images = [a for ax in fig.axes for a in ax.get_children()
                      if getattr(a, "norm", None) is not None and a.norm.vmax is not None]
            tops |= {round(float(a.norm.vmax), 12) for a in images}
    assert len(tops) == 1, tops
