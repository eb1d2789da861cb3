"""Charts: each builds from the England baseline plan with the elements it promises, saved
images are valid and not blank, and bad requests fail with a message naming what exists."""

from __future__ import annotations

import dataclasses
import xml.etree.ElementTree as ET

import matplotlib
import matplotlib.image as mpimg
import numpy as np
import pytest
from matplotlib.collections import LineCollection
from matplotlib.colors import to_hex
from matplotlib.patches import Rectangle

from workforce import load_scenario, scenario_from_dict, solve
from workforce.cli.commands import bundled_config
from workforce.plan.tables import PlanTables, load_plan, plan_tables
from workforce.plots import (
    capacity_map,
    chart_requests,
    cohort_gantt,
    compare,
    flows_waterfall,
    shortfall_heatmap,
    shortfall_map,
    spend,
)
from workforce.plots import style as st
from workforce.plots.cohorts import cohorts
from workforce.plots.flows import waterfall_steps
from workforce.plots.tiles import ENGLAND_CODES

matplotlib.use("Agg")

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="session")
def baseline():
    return solve(load_scenario(bundled_config()))


@pytest.fixture(scope="session")
def budget_cut(baseline):
    """The baseline with every annual budget cut by 20%; the minimum EP and early-years cohorts,
    which the cut budgets cannot pay for, are dropped."""
    d = baseline.data.scenario.model_dump()
    for stream in d["funding_streams"].values():
        if stream.get("budget") is not None:
            stream["budget"] = stream["budget"] * 0.8
    for p in ("ep_doctorate", "ey_senco_l3"):
        d["programmes"][p]["intake_min"] = None
    d["name"] = "Baseline with budgets cut 20%"
    return solve(scenario_from_dict(d))


@pytest.fixture(scope="session")
def saved(baseline, tmp_path_factory) -> PlanTables:
    out = tmp_path_factory.mktemp("baseline_run")
    baseline.to_csv(out)
    return load_plan(out)


def titled(fig) -> dict[str, matplotlib.axes.Axes]:
    """Axes keyed by the first line of their left title."""
    return {ax.get_title(loc="left").split("\n")[0]: ax for ax in fig.axes if ax.get_title(loc="left")}


def suptitle(fig) -> str:
    return fig.get_suptitle().replace("\n", " ")


def footer(fig) -> str:
    """The footer as one line (long notes are wrapped to the page width)."""
    return fig.texts[-1].get_text().replace("\n", " ")


# --- regional capacity map ---------------------------------------------------------------------


def test_capacity_map_has_a_tile_per_region_plus_england(baseline):
    fig = capacity_map(baseline, "ep")
    tiles = titled(fig)
    names = [baseline.data.region_names[c] for c in ENGLAND_CODES]
    assert sorted(tiles) == sorted([*names, "England (all regions)"])
    wf = baseline.workforce.xs("ep", level="role")
    for code in ENGLAND_CODES:
        ax = tiles[baseline.data.region_names[code]]
        lines = {ln.get_label(): ln for ln in ax.get_lines()}
        # EPs have agency supply, so in post, in post + flexible, and demand
        assert set(lines) == {"In post", "In post + flexible", "Demand"}
        region = wf.xs(code, level="region")
        np.testing.assert_allclose(lines["Demand"].get_ydata(), region["demand"].to_numpy())
        np.testing.assert_allclose(lines["In post"].get_ydata(), region["supply"].to_numpy())
        assert ax.get_ylim()[0] == 0
    total = tiles["England (all regions)"]
    np.testing.assert_allclose({ln.get_label(): ln for ln in total.get_lines()}["Demand"].get_ydata(),
                               wf.groupby(level="year")["demand"].sum().to_numpy())
    assert "Local-authority educational psychologists" in suptitle(fig)
    assert "supply against demand by region" in suptitle(fig)
    assert fig.get_supylabel() == "Local-authority educational psychologists (FTE)"
    assert {ax.get_xlabel() for ax in tiles.values() if ax.get_xlabel()} == {"Academic year"}
    assert baseline.scenario_name in footer(fig)
    assert baseline.summary["scenario_sha256"][:10] in footer(fig)


def test_capacity_map_shades_the_gap_where_demand_exceeds_supply(baseline):
    tiles = titled(capacity_map(baseline, "ey_senco"))
    london = tiles["London"]
    shaded = [c for c in london.collections if c.get_label() == "Shortfall"]
    assert len(shaded) == 1
    # EY SENCOs fall short every year, so the shaded band spans the whole horizon
    xs = np.concatenate([p.vertices[:, 0] for p in shaded[0].get_paths()])
    assert xs.min() == pytest.approx(2026) and xs.max() == pytest.approx(2035)
    # no flexible supply for this role: no dashed line
    assert {ln.get_label() for ln in london.get_lines()} == {"In post", "Demand"}


def test_capacity_map_sharey_keeps_tick_labels_on_every_tile(baseline):
    fig = capacity_map(baseline, "ep", sharey=True)
    fig.canvas.draw()
    tiles = {k: v for k, v in titled(fig).items() if k != "England (all regions)"}
    assert len({ax.get_ylim() for ax in tiles.values()}) == 1
    # the North East tile has no left neighbour: sharing must not hide its tick labels
    for ax in tiles.values():
        assert any(lbl.get_visible() and lbl.get_text() for lbl in ax.get_yticklabels())


# --- shortfall map and heatmap -----------------------------------------------------------------


def test_shortfall_map_prints_each_region_rate(baseline):
    fig = shortfall_map(baseline, "ep", 2030)
    wf = baseline.workforce.xs(("ep", 2030), level=("role", "year"))
    coloured = [ax for ax in fig.axes if len(ax.texts) == 3]
    assert len(coloured) == 10  # nine regions and England
    printed = {ax.texts[0].get_text(): ax for ax in coloured}
    short = {"Yorks & Humber": "E12000003"}
    for code in ENGLAND_CODES:
        name = baseline.data.region_names[code]
        ax = printed[next(k for k in printed if short.get(k) == code or k == name)]
        assert ax.texts[1].get_text() == st.fmt_rate(wf.loc[code, "shortfall_rate"])
    national = wf["shortfall"].sum() / wf["demand"].sum()
    assert printed["England"].texts[1].get_text() == st.fmt_rate(national)
    # the darkest tile is the region with the largest rate
    def lum(ax):
        r, g, b, _ = ax.get_facecolor()
        return 0.299 * r + 0.587 * g + 0.114 * b
    darkest = min((ax for k, ax in printed.items() if k != "England"), key=lum)
    worst = wf["shortfall_rate"].idxmax()
    assert darkest.texts[1].get_text() == st.fmt_rate(wf.loc[worst, "shortfall_rate"])
    assert "in 2030" in suptitle(fig)
    every = fig.axes + [child for ax in fig.axes for child in ax.child_axes]
    cbar = [ax for ax in every if ax.get_xlabel() == "Shortfall (% of demand)"]
    assert len(cbar) == 1


def test_a_fixed_colour_scale_and_small_rates(baseline):
    assert st.fmt_rate(0.004) == "<1%" and st.fmt_rate(0.0) == "0%" and st.fmt_rate(0.126) == "13%"
    fig = shortfall_heatmap(baseline, "ep", vmax=0.5)
    assert fig.axes[0].images[0].norm.vmax == 0.5
    with pytest.raises(st.PlotRequestError, match="share of demand, 0-1"):
        shortfall_map(baseline, "ep", vmax=40)


def test_shortfall_heatmap_cells_are_the_plan_rates(baseline):
    fig = shortfall_heatmap(baseline, "senco")
    ax = fig.axes[0]
    values = ax.images[0].get_array()
    assert values.shape == (10, 10)  # nine regions + England, ten years
    wf = baseline.workforce.xs("senco", level="role")
    expected = wf["shortfall_rate"].unstack("year").reindex(baseline.data.REGIONS).to_numpy()
    np.testing.assert_allclose(values[:9], expected)
    assert [t.get_text() for t in ax.get_yticklabels()][-1] == "England"
    assert ax.get_xlabel() == "Academic year" and ax.get_ylabel() == "Region"
    assert len(ax.texts) == 100
    assert "shortfall as a share of demand by region and year" in suptitle(fig)


# --- cohort Gantt ------------------------------------------------------------------------------


def test_cohort_gantt_draws_one_bar_per_cohort(baseline):
    fig = cohort_gantt(baseline)
    ax = fig.axes[0]
    bars = [p for p in ax.patches if isinstance(p, Rectangle) and p.get_height() == pytest.approx(0.7)]
    rows = cohorts(baseline)
    # ten start years for the early-years course and the EP doctorate; the NPQ by intake point
    # (November and April, those with at least half a starter nationally); plus cohorts in training
    # at the start: NPQ 2025 and EP 2023, 2024, 2025
    terms = baseline.extra["intake_terms"].xs("npq_senco", level="programme")
    npq = int((terms["starters"].groupby(level=["year", "intake"]).sum() >= 0.5).sum())
    assert npq > 10  # both intake points are used in some years
    assert len(rows) == 10 + 10 + npq + 4 == len(bars)
    assert sum(c.before_horizon for c in rows) == 4
    ep_2026 = next(c for c in rows if c.programme == "ep_doctorate" and c.start == 2026)
    assert ep_2026.joins == 2029
    assert ep_2026.starters == pytest.approx(
        baseline.intake.xs(("ep_doctorate", 2026), level=("programme", "year"))["intake"].sum())
    bar = next(b for b in bars if b.get_x() == 2026 and b.get_width() == pytest.approx(3))
    assert to_hex(bar.get_facecolor()) == st.SERIES[2].lower()
    assert ax.get_xlabel().startswith("Academic year")
    assert "Training cohorts in England" in suptitle(fig)


def test_cohort_gantt_for_one_region_and_programme(baseline):
    rows = cohorts(baseline, ["ep_doctorate"], "London")
    london = baseline.intake.xs(("ep_doctorate", "E12000007"), level=("programme", "region"))
    assert [c.starters for c in rows if not c.before_horizon] == pytest.approx(london["intake"].tolist())
    fig = cohort_gantt(baseline, ["ep_doctorate"], "E12000007")
    assert "London" in suptitle(fig)


def test_cohort_gantt_by_region_has_a_row_per_programme_and_region(baseline):
    fig = cohort_gantt(baseline, ["ep_doctorate", "npq_senco"], by_region=True)
    ax = fig.axes[0]
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert len(labels) == 2 * 9 and labels[:2] == ["North East", "North West"]
    # NPQ 1 year (November intake) or 2 (April intake), EP 3; each bar 0.08 short of its length,
    # so that a region's successive cohorts stay apart
    widths = {round(w - 0.08, 6) for w in (1, 2, 3)}
    bars = [p for p in ax.patches if isinstance(p, Rectangle) and round(p.get_width(), 6) in widths]
    # every region's cohorts, one bar per start year (a year's intake points together), plus those
    # in training before the horizon, are drawn, each labelled with its starters
    expected = {(p, r): {(c.start, c.before_horizon) for c in cohorts(baseline, [p], r)}
                for p in ("ep_doctorate", "npq_senco") for r in baseline.data.REGIONS}
    assert len(bars) == sum(len(v) for v in expected.values())
    npq = cohorts(baseline, ["npq_senco"], "E12000007")
    london_2027 = sum(c.starters for c in npq if c.start == 2027 and not c.before_horizon)
    assert f"{london_2027:,.0f}" in [t.get_text() for t in ax.texts]
    # EP cohorts overlap (three years of training), so they sit in three lanes of a region's row
    assert len({round(b.get_y() + b.get_height() / 2, 6) for b in bars if round(b.get_width(), 6) == 2.92}) == 3 * 9
    with pytest.raises(st.PlotRequestError, match="not both"):
        cohort_gantt(baseline, by_region=True, region="London")


def test_single_axes_charts_draw_into_the_callers_axes(baseline, budget_cut):
    fig = matplotlib.figure.Figure(figsize=(10, 4))
    left, right = fig.subplots(1, 2)
    assert flows_waterfall(baseline, "senco", ax=left) is fig
    assert compare([baseline, budget_cut], "supply", "ep", ax=right) is fig
    assert len(left.patches) == 7 and len(right.get_lines()) == 2
    assert left.get_title(loc="left").startswith("Qualified SENCOs in state-funded schools in England")
    assert not fig.texts and not fig.get_suptitle()  # the caller's figure keeps its own title and footer


# --- spend against budget ----------------------------------------------------------------------


def test_spend_has_a_panel_per_stream_with_budget_lines_and_unspent_money(baseline):
    fig = spend(baseline)
    panels = titled(fig)
    names = [s.name for s in baseline.data.scenario.funding_streams.values()]
    assert sorted(panels) == sorted(names)
    sp = baseline.spend
    for f, stream in baseline.data.scenario.funding_streams.items():
        ax = panels[stream.name]
        assert ax.get_ylabel() == "£k a year"
        if f in baseline.data.FY_STREAMS:  # e.g. the NPQ grant: budgets from April to March
            assert ax.get_xlabel().startswith("Financial year")
        else:
            assert ax.get_xlabel() in ("", "Academic year")
        budget_lines = [c for c in ax.collections if isinstance(c, LineCollection)]
        rows = sp.xs(f, level="stream")
        assert len(budget_lines) == rows["budget"].notna().sum()
        hatched = [p for p in ax.patches if p.get_hatch() == "////"]
        unspent = rows[rows["headroom"] > 1e-6 * rows["budget"].clip(lower=1)]
        assert len(hatched) == len(unspent)
        assert sum(p.get_height() for p in hatched) == pytest.approx(unspent["headroom"].sum())
        # stacked bars add up to the spend
        stacked = [p for p in ax.patches if not p.get_hatch() and p.get_facecolor()[3] > 0]
        assert sum(p.get_height() for p in stacked) == pytest.approx(rows["spent"].sum(), rel=1e-9)
    assert "no annual budget" in panels["Local authorities (EP bursaries, hiring, agency)"].get_title(loc="left")
    assert baseline.data.FY_STREAMS, "the baseline has a financial-year stream; this test relies on it"
    assert "Spend against budget by funding stream" in suptitle(fig)
    legend = [t.get_text() for ax in fig.axes if ax.get_legend() for t in ax.get_legend().get_texts()]
    assert "Cohort costs: Doctorate in educational psychology (EPFT)" in legend  # not 'cohorts:ep_doctorate'
    assert not any(":" in text and text.split(":")[0].islower() for text in legend), legend


def test_spend_marks_an_overrun(saved):
    """The optimiser never overspends a budget, so make a plan that does: +500 £k of EP
    training in 2030 on a £11,200k budget."""
    def add_500(table):
        table = table.copy()
        rows = (table.index.get_level_values("stream") == "dfe_ep") & (table.index.get_level_values("year") == 2030)
        table.loc[rows, "spent"] += 500
        return table

    detail, totals = add_500(saved.spend_detail), add_500(saved.spend)
    over = dataclasses.replace(saved, spend_detail=detail, spend=totals)
    ax = titled(spend(over, ["dfe_ep"]))["DfE EP training grant (EPFT)"]
    outlined = [p for p in ax.patches if p.get_facecolor()[3] == 0]
    assert len(outlined) == 1
    assert outlined[0].get_height() == pytest.approx(500)  # the baseline spends exactly its 2030 budget
    assert to_hex(outlined[0].get_edgecolor()) == st.GAP.lower()
    assert "+500" in [t.get_text() for t in ax.texts]
    assert "over budget" in ax.get_title(loc="left")


# --- workforce flows waterfall -----------------------------------------------------------------


def test_waterfall_steps_add_up_to_the_final_stock(baseline):
    for role in baseline.data.ROLES:
        for region in (None, "E12000001"):
            steps = waterfall_steps(baseline, role, region)
            # what joins before what leaves: the running level never goes below the end stock
            assert [k for k, _ in steps] == ["start", "completions", "hires", "leavers", "retraining_out", "exits",
                                             "end"]
            assert steps[0][1] + sum(v for _, v in steps[1:-1]) == pytest.approx(steps[-1][1], rel=1e-9)


def test_waterfall_bars_match_the_flows_table(baseline):
    fig = flows_waterfall(baseline, "ep", "North West")
    ax = fig.axes[0]
    assert len(ax.patches) == 7
    fl = baseline.flows.xs(("ep", "E12000002"), level=("role", "region"))
    heights = [p.get_height() for p in ax.patches]
    assert heights[0] == pytest.approx(fl["stock_start"].iloc[0])
    assert heights[1] == pytest.approx(fl["completions"].sum())
    assert heights[3] == pytest.approx(fl["leavers"].sum())
    assert heights[-1] == pytest.approx(fl["stock_end"].iloc[-1])
    assert [t.get_text() for t in ax.get_xticklabels()][0] == "Stock at\nstart of 2026"
    assert ax.get_ylabel().endswith("(FTE)")
    assert "North West" in suptitle(fig)


# --- scenario comparison -----------------------------------------------------------------------


def test_compare_draws_a_line_per_plan(baseline, budget_cut):
    fig = compare([baseline, budget_cut], "shortfall", "ep")
    ax = fig.axes[0]
    lines = ax.get_lines()
    assert [ln.get_label() for ln in lines] == [baseline.scenario_name, budget_cut.scenario_name]
    for ln, plan in zip(lines, (baseline, budget_cut), strict=True):
        expected = plan.workforce.xs("ep", level="role").groupby(level="year")["shortfall"].sum()
        np.testing.assert_allclose(ln.get_ydata(), expected.to_numpy())
    # less money, more EP shortfall by the end of the horizon
    assert lines[1].get_ydata()[-1] > lines[0].get_ydata()[-1]
    assert ax.get_ylabel() == "Shortfall (FTE)"
    assert "2 scenarios compared" in suptitle(fig)
    assert budget_cut.summary["scenario_sha256"][:10] in footer(fig)


def test_compare_takes_plans_by_name(baseline, budget_cut):
    ax = compare({"Now": baseline, "Cut 20%": budget_cut}, "intake", "ep_doctorate").axes[0]
    assert [ln.get_label() for ln in ax.get_lines()] == ["Now", "Cut 20%"]
    assert ax.get_ylabel() == "Training starters (trainees a year)"


def test_compare_bars_and_the_accessor(baseline, budget_cut, saved):
    fig = baseline.plot.compare(budget_cut, saved, measure="spend", kind="bar")
    ax = fig.axes[0]
    assert len(ax.patches) == 3 * 10
    assert ax.get_ylabel() == "Spend (£k a year)"
    totals = baseline.spend.groupby(level="year")["spent"].sum().to_numpy()
    np.testing.assert_allclose([p.get_height() for p in ax.patches[:10]], totals)


# --- saved images ------------------------------------------------------------------------------


def test_each_chart_saves_as_a_valid_non_blank_png_and_svg(saved, tmp_path):
    """One chart of each kind, drawn from a saved run and written as PNG and SVG."""
    kinds = ("capacity_map", "shortfall_map", "shortfall_heatmap", "flows_waterfall")
    chosen = [(stem, draw) for stem, draw in chart_requests(saved)
              if stem in {f"{k}_ep" for k in kinds} | {"cohort_gantt", "spend"}]
    assert len(chosen) == 6
    files = []
    for stem, draw in chosen:
        fig = draw()
        files += st.save(fig, tmp_path / stem)
        title = fig.get_suptitle().replace("\n", " ")
        png, svg = tmp_path / f"{stem}.png", tmp_path / f"{stem}.svg"
        assert png.read_bytes()[:8] == PNG_SIGNATURE
        img = mpimg.imread(png)
        assert img.shape[1] == round(st.A4_WIDTH_IN * st.DPI)  # A4 text width at 200 dpi
        rgb = img[..., :3]
        assert rgb.std() > 0.05, f"{png.name} looks uniform"
        assert (rgb.min(axis=2) < 0.9).mean() > 0.02, f"{png.name} is almost all white"
        root = ET.parse(svg).getroot()
        assert root.tag.endswith("svg")
        assert root.get("width") == f"{st.A4_WIDTH_IN * 72:g}pt"
        assert len(root.findall(".//{http://www.w3.org/2000/svg}path")) > 50
        meta = "".join(root.itertext())
        assert title in meta and saved.scenario_name in meta
    assert len(files) == 12
    assert not list(tmp_path.glob(".*"))  # no temporary files left behind


def test_draw_all_lists_every_chart(saved):
    stems = [stem for stem, _ in chart_requests(saved)]
    kinds = ("capacity_map", "shortfall_map", "shortfall_heatmap", "flows_waterfall")
    assert sorted(stems) == sorted([f"{c}_{k}" for k in saved.roles for c in kinds]
                                   + ["cohort_gantt", "cohort_gantt_by_region", "spend"])


def test_the_accessor_offers_every_chart(baseline):
    names = set(dir(baseline.plot))
    assert {"capacity_map", "shortfall_map", "shortfall_heatmap", "cohort_gantt", "spend", "flows_waterfall",
            "compare"} <= names
    fig = baseline.plot.shortfall_map("senco")
    # the default year is the worst: SENCOs are short only in 2026 (every later year is 0%)
    senco = baseline.workforce.xs("senco", level="role").groupby(level="year")[["shortfall", "demand"]].sum()
    rates = senco["shortfall"] / senco["demand"]
    assert rates.idxmax() == 2026 and rates.loc[2035] == 0
    assert "in 2026 (the year of the largest national shortfall)" in suptitle(fig)


# --- bad requests ------------------------------------------------------------------------------


@pytest.mark.parametrize(("call", "words"), [
    (lambda p: capacity_map(p, "teachers"), ["unknown role 'teachers'", "ep (Local-authority"]),
    (lambda p: flows_waterfall(p, "ep", "Wales"), ["unknown region 'Wales'", "E12000007 (London)"]),
    (lambda p: shortfall_map(p, "ep", 2050), ["unknown year 2050", "2035"]),
    (lambda p: cohort_gantt(p, ["nasenco"]), ["unknown programme 'nasenco'", "npq_senco"]),
    (lambda p: spend(p, ["dfe_sen"]), ["unknown funding stream 'dfe_sen'", "dfe_ep"]),
    (lambda p: flows_waterfall(p, "ep", years=(2030, 2027)), ["first year is after the last"]),
    (lambda p: compare([p], "shortfall", "ep"), ["two or more plans"]),
    (lambda p: compare([p, p], "cost", "ep"), ["unknown measure 'cost'"]),
    (lambda p: compare([p, p], "shortfall"), ["needs a role"]),
    (lambda p: compare([p, p], "spend", region="London"), ["not by region"]),
])
def test_bad_requests_say_what_the_plan_has(baseline, call, words):
    with pytest.raises(st.PlotRequestError) as err:
        call(baseline)
    for w in words:
        assert w in str(err.value)


def test_regions_can_be_named_or_coded(baseline):
    by_code = waterfall_steps(baseline, "senco", "E12000007")
    assert waterfall_steps(baseline, "senco", "london") == by_code


def test_a_role_missing_from_one_compared_plan_names_that_plan(baseline, small_geography):
    with pytest.raises(st.PlotRequestError, match="Fourteen areas: unknown role 'senco'"):
        compare([baseline, small_geography], "shortfall", "senco")


# --- other geographies -------------------------------------------------------------------------


@pytest.fixture(scope="session")
def small_geography():
    """Fourteen areas, one role, no training: area i has stock 10 and demand 10 + i, so the
    shortfall (as a share of demand) grows with i."""
    codes = [f"A{i:02d}" for i in range(14)]
    return solve(scenario_from_dict({
        "name": "Fourteen areas",
        "horizon": {"first_year": 2026, "last_year": 2028},
        "regions": [{"code": c, "name": f"Area {i}"} for i, c in enumerate(codes)],
        "roles": {"ep": {"name": "EPs", "unit": "FTE", "initial_stock": 10, "attrition": 0.1,
                         "demand": {c: 10 + i for i, c in enumerate(codes)}, "shortfall_penalty": 100}},
    }))


def test_other_geographies_get_the_worst_areas_first(small_geography):
    fig = capacity_map(small_geography, "ep", n_worst=6)
    tiles = [k for k in titled(fig) if k.startswith("Area")]
    assert tiles == [f"Area {i}" for i in (13, 12, 11, 10, 9, 8)]
    assert "All areas" in titled(fig)
    assert "The 6 of 14 areas with the largest shortfall" in footer(fig)
    tiles = shortfall_map(small_geography, "ep", n_worst=4)
    assert [ax.texts[0].get_text() for ax in tiles.axes if len(ax.texts) == 3] == [
        "Area 13", "Area 12", "Area 11", "Area 10", "All areas"]
    assert "The 4 of 14 areas with the largest shortfall in 2028" in footer(tiles)
    assert shortfall_heatmap(small_geography, "ep", top=5).axes[0].images[0].get_array().shape == (6, 3)


def test_a_plan_without_training_or_money_says_so(small_geography):
    with pytest.raises(st.PlotRequestError, match="no cohorts"):
        cohort_gantt(small_geography)
    with pytest.raises(st.PlotRequestError, match="no funding streams"):
        spend(small_geography)
    t = plan_tables(small_geography)
    assert t.regions[:2] == ["A00", "A01"] and t.streams == []


@pytest.mark.parametrize("source", ["plan", "saved run"])
def test_calendar_cohorts_join_in_their_own_intakes_year(baseline, saved, source):
    """The NPQ runs a November and an April intake; with an 18-month course the November starters
    join the next academic year and the April starters the one after ((2 + 18) // 12 = 1,
    (7 + 18) // 12 = 2). Each intake is its own bar, and they add up to the year's intake."""
    t = plan_tables(baseline) if source == "plan" else saved
    npq = [c for c in cohorts(t, ["npq_senco"]) if not c.before_horizon]
    assert {c.term for c in npq} == {"autumn", "spring"}
    assert all(c.joins == c.start + (1 if c.term == "autumn" else 2) for c in npq)
    intake = baseline.intake.xs("npq_senco", level="programme")["intake"].groupby(level="year").sum()
    by_year: dict[int, float] = {}
    for c in npq:
        by_year[c.start] = by_year.get(c.start, 0.0) + c.starters
    for year, n in by_year.items():
        assert n == pytest.approx(intake[year], rel=1e-6)
    assert sum(by_year.values()) == pytest.approx(intake.sum(), rel=1e-3)  # intakes under 0.5 are not drawn
    fig = cohort_gantt(t)
    labels = [tick.get_text() for tick in fig.axes[0].get_yticklabels()]
    assert "2027 spring" in labels and "2027 autumn" in labels
