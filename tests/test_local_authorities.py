"""The 153-authority England scenario (configs/england_local_authorities.yaml) against the regional
baseline: its tables sum to the regional tables, its authorities are England's 153 with SEND
duties each in one region, and its solved plan gives the baseline's national totals within the
tolerances explained in each test."""

from __future__ import annotations

import csv
import filecmp
import importlib.util
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from workforce import load_scenario, solve
from workforce.plots.authority_regions import AUTHORITY_REGION
from workforce.scenario.schema import ENGLAND_REGIONS

ROOT = Path(__file__).resolve().parents[1]
CONFIGS = ROOT / "configs"
LA_DATA = CONFIGS / "data" / "local_authorities"
SCENARIO = CONFIGS / "england_local_authorities.yaml"

ADDITIVE = ["ehcp_caseload.csv", "state_funded_schools.csv", "senco_initial_stock.csv", "senco_hires_max.csv",
            "npq_intake_min.csv", "senco_prior_intake_2025.csv", "ey_group_settings.csv", "ey_childminders.csv",
            "ey_senco_initial_stock.csv", "ey_intake_min.csv", "ey_places.csv", "ep_initial_stock.csv",
            "ep_hires_max.csv", "ep_agency_max.csv", "ep_cohort_allocation.csv", "ep_places.csv"]
"""Tables of counts, caps and stocks: an authority's share of its region's number."""
RATIOS = ["ep_statutory_share.csv", "ep_new_plans_per_plan.csv"]


def authorities() -> pd.DataFrame:
    return pd.read_csv(LA_DATA / "authorities.csv", dtype=str).set_index("code")


def numbers(table: pd.DataFrame) -> list[str]:
    return [c for c in table.columns if c == "value" or re.fullmatch(r"\d{4}", c)]


def summed_to_regions(name: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    la = pd.read_csv(LA_DATA / name)
    regional = pd.read_csv(CONFIGS / "data" / name).set_index("region")
    cols = numbers(regional)
    la["england_region"] = la["region"].map(authorities()["region_code"])
    assert la["england_region"].notna().all(), f"{name}: a row is not one of the 153 authorities"
    return la.groupby("england_region")[cols].sum().rename_axis("region"), regional[cols]


def test_every_regional_table_has_an_authority_table_and_no_more():
    regional = {p.name for p in (CONFIGS / "data").glob("*.csv")}
    la = {p.name for p in LA_DATA.glob("*.csv")} - {"authorities.csv"}
    assert la == regional == set(ADDITIVE) | set(RATIOS)


@pytest.mark.parametrize("name", ADDITIVE)
def test_authorities_sum_to_the_regional_table(name):
    """Each region's authorities add up to the regional figure: exactly for whole numbers, to the
    last decimal the regional table has for the rest (largest-remainder rounding, make_tables.py).
    The caseloads are DfE's published authority figures for January 2019-2025, which DfE's regional
    figures are the sums of; January 2026 is split from the region's published total."""
    summed, regional = summed_to_regions(name)
    assert list(summed.index) == list(regional.index)
    pd.testing.assert_frame_equal(summed, regional.astype(float), check_dtype=False, rtol=0, atol=1e-9)


def test_ratios_reproduce_the_regional_ones():
    """The statutory share of EP time is the region's own for each of its authorities. New plans
    per plan is each authority's published new plans (2024) over its caseload (January 2025), so
    authority caseload x ratio sums to the region's new plans, as the regional ratio x regional
    caseload does; both ratios are rounded to 4 decimals (0.00005 of ~0.15 = 0.03%)."""
    share = pd.read_csv(LA_DATA / "ep_statutory_share.csv")
    regional_share = pd.read_csv(CONFIGS / "data" / "ep_statutory_share.csv").set_index("region")["value"]
    expected = share["region"].map(authorities()["region_code"]).map(regional_share)
    assert (share["value"] == expected).all()
    ratio = pd.read_csv(LA_DATA / "ep_new_plans_per_plan.csv").set_index("region")["value"]
    caseload = pd.read_csv(LA_DATA / "ehcp_caseload.csv").set_index("region")["2025"]
    new_plans = (ratio * caseload).groupby(authorities()["region_code"]).sum()
    regional = pd.read_csv(CONFIGS / "data" / "ep_new_plans_per_plan.csv").set_index("region")["value"]
    regional_caseload = pd.read_csv(CONFIGS / "data" / "ehcp_caseload.csv").set_index("region")["2025"]
    pd.testing.assert_series_equal(new_plans, regional * regional_caseload, check_names=False, rtol=5e-4)


def test_the_scenario_has_the_153_authorities_each_in_one_region():
    table = authorities()
    assert len(table) == 153 and table.index.is_unique
    assert all(re.fullmatch(r"E(06|08|09|10)\d{6}", c) for c in table.index)
    assert set(table["region_code"]) == {r.code for r in ENGLAND_REGIONS}
    assert dict(table["region_code"]) == AUTHORITY_REGION  # the charts' copy of the mapping
    scenario = load_scenario(SCENARIO)
    assert [r.code for r in scenario.regions] == list(table.index)
    assert [r.name for r in scenario.regions] == list(table["name"])
    # London's 33 (32 boroughs and the City), the largest region by authorities.
    assert (table["region_code"] == "E12000007").sum() == 33


def test_every_authority_row_cites_a_source_or_says_assumption():
    for path in LA_DATA.glob("*.csv"):
        with path.open(encoding="utf-8") as f:
            for row in csv.DictReader(f):
                source = row.get("source", "")
                assert "DfE" in source or "ASSUMPTION" in source or "derived" in source, (path.name, row)


def test_make_tables_writes_the_committed_tables(tmp_path):
    """Identical inputs, identical outputs: the script regenerates every committed table byte for byte."""
    spec = importlib.util.spec_from_file_location("make_tables", LA_DATA / "make_tables.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.main(tmp_path)
    written = sorted(p.name for p in tmp_path.glob("*.csv"))
    assert written == sorted(p.name for p in LA_DATA.glob("*.csv"))
    for name in written:
        assert filecmp.cmp(tmp_path / name, LA_DATA / name, shallow=False), name


@pytest.fixture(scope="module")
def plans():
    return solve(load_scenario(SCENARIO)), solve(load_scenario(CONFIGS / "england_baseline.yaml"))


def national(plan, table: str, by: list[str], column: str) -> pd.Series:
    return getattr(plan, table).groupby(level=by)[column].sum()


def test_plan_gives_the_baselines_national_totals(plans):
    """National totals of the authority plan against the regional baseline's.

    * SENCOs and early-years SENCOs: demand and shortfall every year equal the baseline's (to 1e-6):
      their drivers are flat and sum exactly, and the national NPQ places, the NPQ and early-years
      budgets and the regional floors bind the same way; early-years supply too (the budget buys the
      same 1,000 starters a year). SENCO supply is not compared year by year: above demand it depends
      on which of several equal-cost NPQ timings the solver returns, in both scenarios.
    * EPs: demand is within 1.5% every year. Each authority's caseload forecast is fitted to its own
      2019-2026 series; a sum of compound-growth forecasts grows faster than the forecast of the sum
      (the fast-growing authorities weigh more each year), +0.2% in 2026 and +1.4% by 2035.
      Supply is within 1.5%, and the shortfall within 3%: besides the higher demand, EP supply cannot
      move between authorities of a region as it moves freely within a region in the baseline.
    * EP starters within 7% each year (about 213 a year, 4-12 more): the baseline trains in whole
      university cohorts of 6-20 with a £25k fixed cost per cohort-year, this scenario does not
      (a cohort serves several authorities), so the grant buys a few more trainees.
    * NPQ starters over the planned years 2026-2040 within 1% (their split over the years is one of
      several equal-cost plans in both scenarios, and can move starters past 2035, the last year
      reported); early-years starters equal every year.
    * The EP grant and the early-years budget are spent in full in both; the objective within 2%.
    """
    la, base = plans
    for role, columns in (("senco", ("demand", "shortfall")), ("ey_senco", ("demand", "supply", "shortfall"))):
        for column in columns:
            a = national(la, "workforce", ["role", "year"], column).xs(role)
            b = national(base, "workforce", ["role", "year"], column).xs(role)
            pd.testing.assert_series_equal(a, b, rtol=1e-6, atol=1e-6, obj=f"{role} {column}")
    for column, tolerance in (("demand", 0.015), ("supply", 0.015), ("shortfall", 0.03)):
        a = national(la, "workforce", ["role", "year"], column).xs("ep")
        b = national(base, "workforce", ["role", "year"], column).xs("ep")
        pd.testing.assert_series_equal(a, b, rtol=tolerance, obj=f"ep {column}")
    assert (national(la, "workforce", ["role", "year"], "demand").xs("ep")
            >= national(base, "workforce", ["role", "year"], "demand").xs("ep") - 1e-6).all()
    starters_la = national(la, "intake", ["programme", "year"], "intake")
    starters_base = national(base, "intake", ["programme", "year"], "intake")
    pd.testing.assert_series_equal(starters_la.xs("ey_senco_l3"), starters_base.xs("ey_senco_l3"), rtol=1e-6)
    pd.testing.assert_series_equal(starters_la.xs("ep_doctorate"), starters_base.xs("ep_doctorate"), rtol=0.07)
    npq = [national(p.planned, "intake", ["programme", "year"], "intake").xs("npq_senco").sum() for p in plans]
    assert npq[0] == pytest.approx(npq[1], rel=0.01)  # over the planned years: equal-cost timings reach 2036-2040
    for stream in ("dfe_ep", "dfe_ey"):
        spent = [p.spend.xs(stream, level="stream")["spent"].sum() for p in plans]
        assert spent[0] == pytest.approx(spent[1], rel=1e-6)
    assert la.summary["objective"] == pytest.approx(base.summary["objective"], rel=0.02)


def test_every_authority_table_is_logged_with_its_checksum():
    """models/assumptions.md lists each authority table with the sum of its numbers, so an edited
    cell shows up there (as tests/test_assumptions.py does for the regional tables)."""
    from tests.test_assumptions import checksum, logged
    from workforce.scenario.csvio import read_table_csv

    listed = logged()["Tables (configs/data/local_authorities/)"]
    files = {p.name: p for p in LA_DATA.glob("*.csv") if p.name != "authorities.csv"}
    assert sorted(listed) == sorted(files)
    for name, path in files.items():
        table, _ = read_table_csv(path, name)
        assert listed[name][0] == pytest.approx(checksum(table), rel=1e-9), name
        assert listed[name][1] in {"published", "derived", "assumption"}, name


def test_a_local_authoritys_own_copy_validates_and_solves(tmp_path):
    """The template use (docs/local_authorities.md): one authority's rows written with ``--only``,
    the scenario's ``regions:`` cut to that authority, solved. Birmingham's tables are its rows of
    the 153-authority tables, so its demand is theirs."""
    data = tmp_path / "data" / "local_authorities"
    subprocess.run([sys.executable, str(LA_DATA / "make_tables.py"), "--out", str(data), "--only", "E08000025"],
                   check=True)
    text = SCENARIO.read_text(encoding="utf-8")
    start, end = text.index("\nregions:") + 1, text.index("\nroles:")
    copy = tmp_path / "birmingham.yaml"
    copy.write_text(text[:start] + 'regions:\n  - {code: E08000025, name: "Birmingham"}\n' + text[end:], encoding="utf-8")
    plan = solve(load_scenario(copy))
    assert plan.summary["status"] == "optimal"
    assert list(plan.workforce.index.unique("region")) == ["E08000025"]
    schools = pd.read_csv(LA_DATA / "state_funded_schools.csv").set_index("region").loc["E08000025", "2025"]
    assert plan.workforce.xs(("senco", "E08000025", 2026))["demand"] == pytest.approx(schools)
    again = subprocess.run([sys.executable, str(LA_DATA / "make_tables.py"), "--out", str(data), "--only", "E08000025"],
                           capture_output=True, text=True)
    assert again.returncode != 0 and "never overwrites" in again.stderr
