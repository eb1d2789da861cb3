"""The bundled England baseline: its first year agrees with the published stocks, and a variant that
writes nothing is the baseline itself."""

from __future__ import annotations

import pytest

from workforce import load_scenario, solve
from workforce.cli.commands import bundled_config


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


@pytest.mark.parametrize("variant", ["variant_budget_cut_20", "variant_high_demand", "variant_high_ep_attrition",
                                     "variant_no_ep_expansion"])
def test_every_shipped_variant_solves_and_passes_its_recheck(variant):
    """The variants extend the baseline; the merged baseline (whole cohorts with a fixed cost, calendars,
    tenure, a deadline) must leave each of them solvable, and each plan passes the pandas re-check."""
    plan = solve(load_scenario(bundled_config().parent / f"{variant}.yaml"))
    assert plan.status == "optimal"
    record = plan.summary["verification"]
    assert record["passed"] and record["not_rechecked"] == []
    if variant == "variant_no_ep_expansion":
        # Held at 200 EP starters a year: 14 whole cohorts and £10.5m + 14 × £25k = £10.85m a year.
        ep = plan.intake.xs("ep_doctorate", level="programme").groupby(level="year")[["intake", "cohorts"]].sum()
        assert ep["intake"].tolist() == pytest.approx([200.0] * len(ep)) and (ep["cohorts"] == 14).all()
        spent = plan.spend.xs("dfe_ep", level="stream")
        assert spent["budget"].tolist() == pytest.approx([10850.0] * len(spent))


def _national_intake(plan, programme):
    frame = plan.intake.xs(programme, level="programme").groupby(level="year")[["intake", "intake_min"]].sum()
    return frame["intake"], frame["intake_min"]


def _last_year_holds(plan, programme) -> bool:
    """The last year's national intake is within 5% of the mean of 2029-2032 and clearly (1%) above
    its floor: it does not fall away because the horizon ends."""
    intake, floor = _national_intake(plan, programme)
    middle = intake.loc[2029:2032].mean()
    return intake[2035] >= 0.95 * middle and intake[2035] > 1.01 * floor[2035]


@pytest.mark.parametrize("programme", ["ep_doctorate", "npq_senco"])
def test_last_year_intakes_do_not_drop_because_the_horizon_ends(plan, programme, tmp_path):
    """With the baseline's plan_to (section 10.4) and terminal_value (section 10.1) the 2035 intakes
    of the programmes that qualify after a delay hold up. Planning to 2040 alone is enough for the
    reported years; the same scenario with neither drops them to their floors (EP 200, NPQ 5% of
    schools), which is what the two are for."""
    assert _last_year_holds(plan, programme)
    import shutil

    shutil.copytree("configs", tmp_path, dirs_exist_ok=True)
    text = (tmp_path / "england_baseline.yaml").read_text()
    start = text.index("  terminal_value:")
    end = text.index("\n", text.index("    weight:", start)) + 1
    (tmp_path / "england_baseline.yaml").write_text(text[:start] + text[end:])
    planned_on = solve(load_scenario(tmp_path / "england_baseline.yaml"))
    assert "post_horizon" not in planned_on.extra and planned_on.planned is not None
    assert _last_year_holds(planned_on, programme)
    text = (tmp_path / "england_baseline.yaml").read_text()
    start = text.index("  plan_to:")
    (tmp_path / "england_baseline.yaml").write_text(text[:start] + text[text.index("\n", start) + 1:])
    without = solve(load_scenario(tmp_path / "england_baseline.yaml"))
    assert without.planned is None
    assert not _last_year_holds(without, programme)
