"""Charts of the 153-authority England plan (configs/england_local_authorities.yaml): the standard
charts drawn for the nine regions the authorities sum to, and the authority strip, whose dots,
printed rates and region lines are read back from the drawn artists and compared with the plan."""

from __future__ import annotations

import itertools
from pathlib import Path

import matplotlib
import numpy as np
import pandas as pd
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import PathCollection

from tests.chart_plans import baseline_plan
from tests.test_chart_checks import overlaps, texts
from tests.test_chart_images import IMAGE, STEMS
from workforce import load_scenario, solve
from workforce.plan.tables import plan_tables
from workforce.plots import chart_requests
from workforce.plots import style as st
from workforce.plots.authorities import authority_rates, authority_strip, england_regions_of, to_regions
from workforce.plots.tiles import ENGLAND_CODES, is_england

matplotlib.use("Agg")

SCENARIO = Path(__file__).resolve().parents[1] / "configs" / "england_local_authorities.yaml"


@pytest.fixture(scope="module")
def tables():
    return plan_tables(solve(load_scenario(SCENARIO)))


def test_the_standard_charts_are_drawn_for_the_nine_regions(tables):
    requests = dict(chart_requests(tables))
    strips = [f"authority_strip_{r}" for r in tables.roles]
    assert sorted(requests) == sorted(STEMS + strips)
    fig = requests["shortfall_heatmap_ep"]()
    rows = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert len(rows) == 10 and rows[-1] == "England"  # nine regions and the total, not 153 areas
    assert england_regions_of(plan_tables(baseline_plan())) is None  # the regional baseline is drawn as before


def test_regions_are_the_sums_of_their_authorities(tables):
    regions = to_regions(tables)
    assert is_england(regions) and sorted(regions.regions) == sorted(ENGLAND_CODES)
    mapping = england_regions_of(tables)
    for name in ("workforce", "flows", "intake"):
        by_hand = getattr(tables, name).rename(index=mapping, level="region")
        summed = by_hand.groupby(level=list(by_hand.index.names)).sum()
        for column in ("demand", "shortfall", "supply", "stock_end", "completions", "intake", "places_max"):
            if column in summed:
                got = getattr(regions, name)[column].sort_index()
                pd.testing.assert_series_equal(got, summed[column].sort_index(), check_exact=False, rtol=1e-12)
    wf = regions.workforce
    np.testing.assert_allclose(wf["shortfall_rate"], (wf["shortfall"] / wf["demand"]).fillna(0.0), rtol=1e-12)
    assert regions.spend.equals(tables.spend)


def test_the_strip_draws_every_authoritys_rate_and_prints_it(tables):
    """Per authority the rate is its shortfall summed over the years over its demand summed over the
    years, computed here from the workforce table (not by the chart's code); every dot sits at that
    rate, the label at its right prints it, and each panel's dashed line is its region's rate."""
    wf = tables.workforce.xs("ep", level="role")
    sums = wf.groupby(level="region")[["shortfall", "demand"]].sum()
    expected = sums["shortfall"] / sums["demand"]
    mapping = england_regions_of(tables)
    fig = authority_strip(tables, "ep")
    drawn, printed, panels = {}, {}, 0
    names = {v: k for k, v in tables.labels.regions.items()}
    for ax in fig.axes:
        dots = [c for c in ax.collections if isinstance(c, PathCollection)]
        if not dots:
            continue
        panels += 1
        offsets = dots[0].get_offsets()
        labels = [t.get_text() for t in ax.get_yticklabels()]
        ys = list(ax.get_yticks())
        twin = next(o for o in fig.axes if o is not ax and o.bbox.bounds == ax.bbox.bounds)
        rates = dict(zip(twin.get_yticks(), [t.get_text() for t in twin.get_yticklabels()], strict=True))
        for x, y in offsets:
            code = names[labels[ys.index(y)]]
            drawn[code] = x
            printed[code] = rates[y]
        region = {mapping[names[label]] for label in labels}
        assert len(region) == 1, "a panel mixes regions"
        line = [ln.get_xdata()[0] for ln in ax.lines if ln.get_linestyle() == "--"]
        members = [c for c, r in mapping.items() if r in region]
        assert line == [pytest.approx(sums.loc[members, "shortfall"].sum() / sums.loc[members, "demand"].sum())]
    assert panels == 9
    assert sorted(drawn) == sorted(tables.regions)
    for code, x in drawn.items():
        assert x == pytest.approx(expected[code], rel=1e-12), code
        assert printed[code] == st.fmt_rate(expected[code]), code


def test_within_a_region_the_worst_authority_is_on_top(tables):
    rates = authority_rates(tables, "senco", 2026)
    for _, rows in rates.groupby("region"):
        assert list(rows["rate"]) == sorted(rows["rate"], reverse=True)
    with pytest.raises(st.PlotRequestError, match="year"):
        authority_rates(tables, "senco", 1999)


def test_no_text_overlaps_in_the_authority_strips(tables):
    for role in tables.roles:
        fig = authority_strip(tables, role)
        canvas = FigureCanvasAgg(fig)
        canvas.draw()
        page = fig.bbox
        found = texts(fig, canvas.get_renderer())
        assert len(found) > 2 * 153
        for text, box in found:
            assert page.x0 - 1 <= box.x0 and box.x1 <= page.x1 + 1 and page.y0 - 1 <= box.y0 and box.y1 <= page.y1 + 1, \
                f"{role}: {text!r} leaves the figure"
        for (ta, a), (tb, b) in itertools.combinations(found, 2):
            assert not overlaps(a, b), f"{role}: {ta!r} overlaps {tb!r}"


def test_a_plan_of_other_areas_is_refused_with_a_message():
    with pytest.raises(st.PlotRequestError, match="local authorities"):
        authority_strip(baseline_plan(), "ep")


@pytest.mark.mpl_image_compare(**IMAGE)
def test_authority_strip_image(tables):
    """EP rates in 2026: a year whose figures do not depend on which of several equal-cost plans
    HiGHS returns (the 2026 supply is the start stock less leavers, the 2023 cohort, and hires and
    agency at their caps, cheaper than the shortfall), so the picture is the same for any HiGHS."""
    return authority_strip(tables, "ep", 2026)
