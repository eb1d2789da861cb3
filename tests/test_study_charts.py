"""Study charts in the house style: the scenario's names and units, failed points shown, nothing
overlapping, a footer naming the scenario and its sha256.

The study is test_sweep.py's hand-solved one (budget scale 0.5 is infeasible; 1, 2, 3 give a total
shortfall of 6, 2 and 0 EPs over the one year)."""

from __future__ import annotations

import copy

import matplotlib
import numpy as np
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg

from tests.chart_plans import baseline_plan, extra_role_scenario
from tests.test_chart_checks import overlaps, texts
from tests.test_sweep import GRID, HAND, MC
from workforce import scenario_from_dict, solve
from workforce.plots.studies import compare_chart, fan_chart, sweep_chart
from workforce.studies.compare import compare, comparison_text
from workforce.studies.montecarlo import fan_data
from workforce.studies.sweep import sweep

matplotlib.use("Agg")


def assert_legible(fig, what: str) -> list[str]:
    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    found = texts(fig, canvas.get_renderer())
    page = fig.bbox
    for text, box in found:
        assert box.x0 >= -1 and box.x1 <= page.x1 + 1 and box.y0 >= -1 and box.y1 <= page.y1 + 1, (what, text)
    for (ta, a), (tb, b) in ((x, y) for i, x in enumerate(found) for y in found[i + 1:]):
        assert not overlaps(a, b), f"{what}: {ta!r} overlaps {tb!r}"
    return [t for t, _ in found]


@pytest.fixture(scope="module")
def hand_sweep(tmp_path_factory):
    return sweep(GRID, scenario=scenario_from_dict(copy.deepcopy(HAND)), out=tmp_path_factory.mktemp("s") / "s",
                 workers=1, progress=False)


def test_sweep_chart_names_units_failed_points_and_footer(hand_sweep):
    fig = sweep_chart(hand_sweep)
    shown = assert_legible(fig, "sweep")
    ax = fig.axes[0]
    assert ax.get_title(loc="left") == "EPs"  # the scenario's name for role 'ep'
    assert ax.get_ylabel() == "Total shortfall (people-years)"
    assert "× the scenario's value" in ax.get_xlabel().replace("\n", " ")
    line = ax.get_lines()[0]
    np.testing.assert_allclose(line.get_xdata(), [1, 2, 3])
    np.testing.assert_allclose(line.get_ydata(), [6, 2, 0])
    failed = ax.get_lines()[1]
    np.testing.assert_allclose(failed.get_xdata(), [0.5])  # the infeasible point, marked on the axis
    assert any("Failed point (1; reasons in points.csv)" in t for t in shown)
    sha = hand_sweep.labels["scenario_sha256"][:10]
    assert any(f"Scenario: hand  ·  sha256 {sha}" in t for t in shown)


def test_a_two_parameter_grid_draws_a_line_per_value_of_the_other(tmp_path):
    """Demand 10 or 20 (scale 1, 2): with budget 8 the shortfall is 2 or 12 EPs."""
    grid = copy.deepcopy(GRID)
    grid["grid"]["parameters"]["demand"] = {"path": "roles.ep.demand", "op": "scale", "values": [1, 2]}
    r = sweep(grid, scenario=scenario_from_dict(copy.deepcopy(HAND)), out=tmp_path / "s", workers=1, progress=False)
    fig = sweep_chart(r, x="budget")
    shown = assert_legible(fig, "sweep, two parameters")
    assert "demand = 1" in shown and "demand = 2" in shown
    lines = fig.axes[0].get_lines()
    assert [list(ln.get_ydata()) for ln in lines[:2]] == [[6, 2, 0], [16, 12, 8]]


def test_fan_chart_uses_the_scenarios_names(tmp_path):
    from workforce.studies.sweep import monte_carlo

    r = monte_carlo(MC, scenario=scenario_from_dict(copy.deepcopy(HAND)), out=tmp_path / "m", workers=1,
                    progress=False)
    fig = fan_chart(fan_data(r))
    assert_legible(fig, "fan")
    assert fig.axes[0].get_title(loc="left") == "EPs" and fig.axes[0].get_ylabel() == "Shortfall (people)"
    assert "30 draws solved" in fig.texts[-1].get_text()


def test_compare_shows_an_absent_role_as_absent_in_the_scenarios_order():
    """The extra-role variant has a fourth role (slt), stream and programme the baseline lacks."""
    c = compare({"baseline": baseline_plan(), "with SLTs": solve(extra_role_scenario())})
    items = list(dict.fromkeys(c.results.xs("shortfall", level="measure").index.get_level_values("item")))
    assert items == ["senco", "ey_senco", "ep", "slt"]
    assert np.isnan(c.results.loc[("spend", "nhs_slt", ""), "baseline"])
    text = comparison_text(c)
    slt = "Speech and language therapists"  # printed by its name, not 'slt'
    row = next(line for line in text.splitlines() if line.lstrip().startswith(("shortfall", slt)) and slt in line)
    assert "absent" in row and "0.0" not in row
    shown_repr = repr(c)
    row = next(line for line in shown_repr.splitlines() if "shortfall" in line and slt in line)
    assert "absent" in row and row.split()[-2] == "absent"  # the baseline's column
    assert "absent" in c._repr_html_()
    fig = compare_chart(c)
    shown = assert_legible(fig, "compare")
    assert " absent" in shown
    assert any("Speech and language" in t for t in shown)  # the scenario's names, not 'slt'
