"""Every chart of the England baseline (and the study charts) against a committed image in
tests/baseline/, with pytest-mpl: a change to a chart is a reviewed change.

pyproject's addopts pass ``--mpl``, so ``python -m pytest -q`` compares. After an intended change,
regenerate the images and review them like code:

    python -m pytest tests/test_chart_images.py --mpl-generate-path=tests/baseline

Images are PNG at 50 dpi (the repository stays small) drawn in matplotlib's default style around
the house style (which every chart applies itself), with DejaVu Sans, the font matplotlib ships, so
that a fresh environment draws the same pixels; the tolerance (RMS of the pixel difference, out
of 255) absorbs font hinting and anti-aliasing, not a moved bar.
"""

from __future__ import annotations

import copy

import matplotlib
import pytest

from tests.chart_plans import baseline_plan, extra_role_scenario
from tests.test_sweep import GRID, HAND, MC
from workforce import scenario_from_dict, solve
from workforce.plots import chart_requests
from workforce.plots.studies import fan_chart, sweep_chart
from workforce.studies.compare import compare
from workforce.studies.montecarlo import fan_data
from workforce.studies.sweep import monte_carlo, sweep

matplotlib.use("Agg")

IMAGE = {"baseline_dir": "baseline", "tolerance": 6, "style": "default", "deterministic": True,
         "savefig_kwargs": {"dpi": 50}}
STEMS = [f"{chart}_{role}" for role in ("senco", "ey_senco", "ep")
         for chart in ("capacity_map", "shortfall_map", "shortfall_heatmap", "flows_waterfall")]
STEMS += ["cohort_gantt", "cohort_gantt_by_region", "spend"]


@pytest.fixture(scope="module")
def requests():
    return dict(chart_requests(baseline_plan()))


def test_the_image_list_is_every_chart_of_the_baseline(requests):
    assert sorted(requests) == sorted(STEMS)


@pytest.mark.parametrize("stem", STEMS)
@pytest.mark.mpl_image_compare(**IMAGE)
def test_chart_image(requests, stem):
    return requests[stem]()


@pytest.mark.mpl_image_compare(**IMAGE)
def test_sweep_chart_image(tmp_path):
    result = sweep(GRID, scenario=scenario_from_dict(copy.deepcopy(HAND)), out=tmp_path / "s", workers=1,
                   progress=False)
    return sweep_chart(result)


@pytest.mark.mpl_image_compare(**IMAGE)
def test_fan_chart_image(tmp_path):
    result = monte_carlo(MC, scenario=scenario_from_dict(copy.deepcopy(HAND)), out=tmp_path / "m", workers=1,
                         progress=False)
    return fan_chart(fan_data(result))


@pytest.mark.mpl_image_compare(**IMAGE)
def test_compare_chart_image():
    return compare({"baseline": baseline_plan(), "with SLTs": solve(extra_role_scenario())}).chart()
