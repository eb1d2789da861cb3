"""`workforce run`'s terminal summary: names at full length, years as column headings, objective
terms in words with their unit, the horizon said once."""

from __future__ import annotations

from tests.chart_plans import baseline_plan
from workforce.output.report import summary_text


def test_the_run_summary_names_everything_in_full_with_year_headings():
    plan = baseline_plan()
    text = summary_text(plan)
    lines = text.splitlines()
    assert lines[0].count("2026-2035") == 1  # the baseline's name already gives the years
    assert "(£k-equivalent) = shortfall penalty" in lines[1] and "training_cost" not in lines[1]
    sc = plan.data.scenario
    for p in sc.programmes.values():
        assert any(line.strip().startswith(p.name + " ") for line in lines), p.name  # never cut short
    for f in sc.funding_streams.values():
        assert any(line.strip().startswith(f.name + " ") for line in lines), f.name
    years = " ".join(f"{t:>7}" for t in plan.data.YEARS)
    compliance = lines.index(next(line for line in lines if line.startswith("Out of compliance")))
    assert lines[compliance].endswith(years)  # the years head their columns
    starters = next(line for line in lines if line.startswith("Training starters by programme"))
    assert starters.endswith(years)
