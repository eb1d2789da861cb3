"""The bundled England baseline: its first year agrees with the published stocks, and a variant that
writes nothing is the baseline itself."""

from __future__ import annotations

import pytest

from workforce import load_scenario, solve
from workforce.cli import bundled_config


@pytest.fixture(scope="module")
def plan():
    return solve(load_scenario(bundled_config()))


def first_year(plan, role, column, table="workforce"):
    frame = getattr(plan, table).xs(role, level="role")
    return float(frame.xs(2026, level="year")[column].sum())


def test_first_year_demand_is_the_published_counts(plan):
    assert first_year(plan, "senco", "demand") == pytest.approx(22000, rel=0.01)  # Ofsted: "nearly 22,000" schools
    assert first_year(plan, "ey_senco", "demand") == pytest.approx(27744, rel=0.001)  # Ofsted: 27,744 group settings


def test_first_year_ep_stock_is_the_published_fte_rolled_forward_at_the_baselines_rates(plan):
    """2,238 FTE (LGA, mid-2024) + two years of the 2021 and 2022 cohorts (206 places x 0.90)."""
    s = plan.data.scenario
    a, a_new = s.roles["ep"].attrition, s.roles["ep"].attrition_new_entrants
    e = s.programmes["ep_doctorate"].completion_rate * 206
    s25 = 2238 * (1 - a) + e
    s26 = s25 - (a * (s25 - e) + a_new * e) + e
    assert first_year(plan, "ep", "stock_start", "flows") == pytest.approx(s26, rel=1e-3)
    london = plan.flows.xs(("ep", "E12000007", 2026), level=("role", "region", "year"))["stock_start"].iloc[0]
    # London: 646 of the 2,325 EPs in Nov 2022 (SWC) and 64 of the 206 places (PQ 200407).
    e_london = s.programmes["ep_doctorate"].completion_rate * 64
    s25 = 2238 * 646 / 2325 * (1 - a) + e_london
    assert london == pytest.approx(s25 - (a * (s25 - e_london) + a_new * e_london) + e_london, abs=0.05)
    # End of 2026/27: the stock after attrition, the 2023 cohort (200 x 0.9) and at most 2% hires.
    start = first_year(plan, "ep", "stock_start", "flows")
    low = start * (1 - a) + 0.9 * 200
    assert low - 0.01 <= first_year(plan, "ep", "supply") <= low + 0.02 * start + 0.01


def test_first_year_senco_stocks(plan):
    assert first_year(plan, "senco", "stock_start", "flows") == pytest.approx(0.91332 * 21890, rel=1e-3)
    assert first_year(plan, "ey_senco", "stock_start", "flows") == pytest.approx(3818)


def test_a_variant_that_writes_nothing_is_the_baseline(tmp_path):
    import shutil

    shutil.copytree("configs", tmp_path, dirs_exist_ok=True)
    (tmp_path / "same.yaml").write_text("extends: england_baseline.yaml\n")
    assert load_scenario(tmp_path / "same.yaml").sha256() == load_scenario(bundled_config()).sha256()
