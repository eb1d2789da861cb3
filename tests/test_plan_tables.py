"""Reading a saved run back for charts (load_plan), and the chart commands of the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from workforce import load_scenario, solve
from workforce.cli.commands import bundled_config, main
from workforce.plan.tables import REQUIRED, ResultsError, load_plan, plan_tables

import test_cli  # isort: skip

tiny = test_cli.tiny  # the one-area scenario fixture of the CLI tests


@pytest.fixture(scope="module")
def baseline():
    return solve(load_scenario(bundled_config()))


@pytest.fixture
def run_dir(baseline, tmp_path: Path) -> Path:
    return baseline.to_csv(tmp_path / "run")


def test_a_saved_run_reads_back_as_the_plan_tables(baseline, run_dir):
    loaded = load_plan(run_dir)
    live = plan_tables(baseline)
    for name in REQUIRED:
        pd.testing.assert_frame_equal(getattr(loaded, name), getattr(live, name), check_dtype=False, rtol=1e-5)
    assert loaded.labels == live.labels
    assert loaded.labels.programmes["ep_doctorate"]["prior_intake"][2023]["E12000007"] > 0
    assert loaded.summary["scenario_sha256"] == baseline.summary["scenario_sha256"]
    assert loaded.scenario_name == baseline.scenario_name
    assert loaded.years == baseline.data.YEARS
    assert loaded.regions == baseline.data.REGIONS


def test_other_files_in_the_folder_are_ignored(run_dir):
    (run_dir / "manifest.json").write_text('{"files": []}')
    (run_dir / "plan.xlsx").write_bytes(b"PK\x03\x04 not really a workbook")
    (run_dir / "charts").mkdir()
    assert load_plan(run_dir).regions[0] == "E12000001"


def test_a_run_saved_without_labels_falls_back_to_codes(run_dir):
    summary = json.loads((run_dir / "summary.json").read_text())
    del summary["labels"]
    (run_dir / "summary.json").write_text(json.dumps(summary))
    loaded = load_plan(run_dir)
    assert loaded.labels.regions["E12000007"] == "London"  # England's ONS codes are known
    assert loaded.labels.roles["ep"]["name"] == "ep"
    assert loaded.labels.programmes["ep_doctorate"]["duration"] == 3  # from qualifies_in - year
    assert loaded.plot.capacity_map("ep").get_suptitle().startswith("ep: supply against demand")


@pytest.mark.parametrize(("damage", "message"), [
    (lambda d: (d / "flows.csv").unlink(), "flows.csv is missing"),
    (lambda d: (d / "summary.json").unlink(), "summary.json is missing"),
    (lambda d: (d / "summary.json").write_text("{oops"), "summary.json: not valid JSON"),
    (lambda d: (d / "spend.csv").write_text("stream,year,spent\ndfe_ep,2026,1\n"), "spend.csv: missing column(s) budget, headroom"),
    (lambda d: (d / "workforce.csv").write_text(
        (d / "workforce.csv").read_text().replace("senco,E12000001,2027,990", "senco,E12000001,2027,lots", 1)),
     "workforce.csv:3: column supply: 'lots' is not a number"),
])
def test_a_damaged_run_says_which_file_and_what(run_dir, damage, message):
    damage(run_dir)
    with pytest.raises(ResultsError) as err:
        load_plan(run_dir)
    assert message in str(err.value)


def test_a_missing_folder_is_a_clear_error(tmp_path):
    with pytest.raises(ResultsError, match="no such results folder"):
        load_plan(tmp_path / "nowhere")


# --- CLI ---------------------------------------------------------------------------------------

def test_run_with_charts_draws_every_chart(tiny, tmp_path):
    scenario = tiny
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["run", str(scenario), "--out", str(out), "--charts"])
    assert result.exit_code == 0, result.output
    charts = sorted(p.name for p in (out / "charts").iterdir())
    stems = ["capacity_map_ep", "cohort_gantt", "flows_waterfall_ep", "shortfall_heatmap_ep", "shortfall_map_ep",
             "spend"]
    assert charts == sorted([f"{s}.{ext}" for s in stems for ext in ("png", "svg")] + ["manifest.json"])
    assert "charts/ (13 files)" in result.output  # 6 charts x 2 formats and the charts folder's own manifest


def test_plot_draws_from_a_saved_run(tiny, tmp_path):
    scenario = tiny
    out = tmp_path / "out"
    assert CliRunner().invoke(main, ["run", str(scenario), "--out", str(out)]).exit_code == 0
    assert not (out / "charts").exists()
    result = CliRunner().invoke(main, ["plot", str(out), "--out", str(tmp_path / "pics"), "--format", "png"])
    assert result.exit_code == 0, result.output
    assert len(list((tmp_path / "pics").glob("*.png"))) == 6
    assert not list((tmp_path / "pics").glob("*.svg"))


def test_plot_on_a_folder_that_is_not_a_run_fails_cleanly(tmp_path):
    result = CliRunner().invoke(main, ["plot", str(tmp_path)])
    assert result.exit_code == 1
    assert "summary.json is missing" in result.output
    assert "Traceback" not in result.output


def test_plan_and_plan_tables_share_one_definition_of_their_table_fields():
    """Issue 15: the chart view does not repeat the Plan's fields; both take them from PlanFields."""
    import dataclasses

    from workforce import Plan
    from workforce.plan.tables import TABLES, PlanFields, PlanTables

    shared = [f.name for f in dataclasses.fields(PlanFields)]
    assert tuple(f.name for f in dataclasses.fields(PlanFields) if f.type == "pd.DataFrame") == TABLES
    for cls in (Plan, PlanTables):
        assert issubclass(cls, PlanFields)
        assert not set(cls.__dict__.get("__annotations__", {})) & set(shared), f"{cls.__name__} redeclares a field"
        assert [f.name for f in dataclasses.fields(cls)][: len(shared)] == shared
