"""Exports: CSV, Excel and Parquet round trips, formula neutralisation, the manifest, reproducibility."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import sys

import openpyxl
import pandas as pd
import pytest
from click.testing import CliRunner

import workforce.output.export as export_module
import workforce.output_safety as output_safety
from workforce import load_scenario, solve
from workforce.cli.commands import main
from workforce.errors import ExportError, WorkforceError
from workforce.plan.results import TABLES

from scenarios import MINIMAL_YAML, write_scenario  # isort: skip

ALL = "csv,xlsx,parquet"


@pytest.fixture(scope="module")
def scenario_path(tmp_path_factory):
    folder = tmp_path_factory.mktemp("scenario")
    text = MINIMAL_YAML.replace("    places: 5\n", "    places: {file: places.csv}\n")
    return write_scenario(folder, text, {"places.csv": "region,2026,2027,2028\nE1,5,5,5\nE2,5,5,5\n"})


@pytest.fixture(scope="module")
def plan(scenario_path):
    return solve(load_scenario(scenario_path))


def test_every_format_is_written_and_the_manifest_last(plan, tmp_path, monkeypatch):
    order = []
    real = export_module.atomic_write
    logged = lambda target, write: order.append(target.name) or real(target, write)  # noqa: E731
    monkeypatch.setattr(export_module, "atomic_write", logged)
    monkeypatch.setattr(output_safety, "atomic_write", logged)
    out = plan.export(tmp_path / "run", ALL)
    expected = {f"{t}.{ext}" for t in TABLES for ext in ("csv", "parquet")} | {"plan.xlsx", "summary.json", "manifest.json"}
    assert {p.name for p in out.iterdir()} == expected
    assert order[-1] == "manifest.json" and sorted(order) == sorted(expected)
    assert [p.name for p in tmp_path.iterdir()] == ["run"], "no staging folder or temporary file left"


def test_csv_and_parquet_round_trip(plan, tmp_path):
    out = plan.export(tmp_path / "run", "csv,parquet")
    for name, table in plan.tables().items():
        back = pd.read_csv(out / f"{name}.csv", index_col=list(table.index.names))
        pd.testing.assert_frame_equal(back, table, check_dtype=False, rtol=1e-9)
        raw = pd.read_parquet(out / f"{name}.parquet")
        pd.testing.assert_frame_equal(raw, table)
        assert raw.attrs["units"] == table.attrs["units"]


def test_workbook_has_readme_summary_and_a_typed_sheet_per_table(plan, tmp_path):
    out = plan.export(tmp_path / "run", "xlsx")
    wb = openpyxl.load_workbook(out / "plan.xlsx")
    assert wb.sheetnames == ["README", "summary", *TABLES]
    readme = [[c.value for c in row] for row in wb["README"].iter_rows()]
    documented = {(r[0], r[1]): r[2] for r in readme if r[1]}
    for name, table in plan.tables().items():
        for col, unit in table.attrs["units"].items():
            assert documented[(name, col)] == unit
        ws = wb[name]
        flat = table.reset_index()
        assert [c.value for c in ws[1]] == list(flat.columns)
        assert ws.max_row == len(flat) + 1
        for j, col in enumerate(flat.columns, start=1):
            for i, expected in enumerate(flat[col].tolist()[:20], start=2):
                cell = ws.cell(i, j)
                if isinstance(expected, str):
                    assert cell.data_type == "s" and cell.value == expected
                elif pd.isna(expected):
                    assert cell.value is None
                else:
                    assert cell.data_type == "n" and cell.value == pytest.approx(expected, rel=1e-12, abs=1e-12)
    summary = {row[0].value: row[1].value for row in wb["summary"].iter_rows(min_row=2)}
    assert summary["status"] == "optimal"
    assert summary["objective"] == pytest.approx(plan.objective)


def test_formula_like_text_is_neutralised_in_csv_and_excel_but_not_parquet(plan, tmp_path):
    evil = "=HYPERLINK(\"http://x\",\"y\")"
    detail = plan.spend_detail.reset_index()
    detail.loc[0, "item"] = evil
    detail["note"] = ["+44 20 7946 0000", "@SUM(A1)", "-2+3", "\tx"] + ["ok"] * (len(detail) - 4)
    detail.loc[1, "spent"] = -5.0
    tampered = detail.set_index(["stream", "year", "item"])
    tampered.attrs = dict(plan.spend_detail.attrs)
    forged = dataclasses.replace(plan, spend_detail=tampered)
    out = export_module.export(forged, tmp_path / "run", ALL, manifest=False)
    text = (out / "spend_detail.csv").read_text()
    for bad in (evil.replace('"', '""'), "+44 20 7946 0000", "@SUM(A1)", "-2+3"):
        assert f"'{bad}" in text
    assert ",-5," in text, "negative numbers stay numbers"
    ws = openpyxl.load_workbook(out / "plan.xlsx")["spend_detail"]
    assert ws.cell(2, 3).value == "'" + evil and ws.cell(2, 3).data_type == "s"
    assert ws.cell(2, 5).value == "'+44 20 7946 0000"
    assert ws.cell(3, 4).value == -5 and ws.cell(3, 4).data_type == "n"
    assert pd.read_parquet(out / "spend_detail.parquet").index.get_level_values("item")[0] == evil


def test_identical_inputs_give_byte_identical_outputs_apart_from_the_timing_section(scenario_path, tmp_path):
    first = solve(load_scenario(scenario_path)).export(tmp_path / "a", ALL)
    second = solve(load_scenario(scenario_path)).export(tmp_path / "b", ALL)
    names = sorted(p.name for p in first.iterdir())
    assert names == sorted(p.name for p in second.iterdir())
    for name in names:
        if name != "manifest.json":
            assert (first / name).read_bytes() == (second / name).read_bytes(), name
    a, b = (json.loads((d / "manifest.json").read_text()) for d in (first, second))
    assert list(a)[-1] == "timing", "the timing section is the last, separate section"
    ta, tb = a.pop("timing"), b.pop("timing")
    assert a == b
    assert ta["seconds"]["solve"] >= 0 and any("HiGHS" in line for line in ta["solver_log"])
    assert tb["written_utc"].endswith("Z")


def test_manifest_records_scenario_inputs_versions_solver_and_outputs(plan, scenario_path, tmp_path):
    out = plan.export(tmp_path / "run", "csv")
    m = json.loads((out / "manifest.json").read_text())
    scenario = plan.data.scenario
    assert m["scenario"]["resolved"] == json.loads(json.dumps(scenario.model_dump(mode="json")))
    assert m["scenario"]["sha256"] == scenario.sha256() and m["scenario"]["file"] == "scenario.yaml"
    files = {"scenario.yaml": scenario_path, "places.csv": scenario_path.parent / "places.csv"}
    assert m["inputs"]["sha256"] == {k: hashlib.sha256(p.read_bytes()).hexdigest() for k, p in files.items()}
    import highspy
    import pyomo

    assert m["environment"]["packages"]["pyomo"] == pyomo.__version__
    assert m["environment"]["python"] == ".".join(map(str, sys.version_info[:3]))
    assert m["solver"]["version"] == highspy.Highs().version()
    assert m["solver"]["options"]["threads"] == 1 and m["solver"]["options"]["random_seed"] == 0
    assert m["solver"]["highs_options"]["presolve"] == "choose"
    assert (m["solver"]["status"], m["solver"]["provisional"], m["solver"]["gap"]) == ("optimal", False, 0.0)
    assert m["verification"]["passed"] is True and m["verification"]["values_checked"] > 100
    for name, digest in m["outputs"]["sha256"].items():
        assert hashlib.sha256((out / name).read_bytes()).hexdigest() == digest
    assert "manifest.json" not in m["outputs"]["sha256"]


def test_summary_json_keeps_status_and_objective_but_no_timings(plan, tmp_path):
    summary = json.loads((plan.to_csv(tmp_path / "run") / "summary.json").read_text())
    assert summary["status"] == "optimal" and summary["objective"] == pytest.approx(plan.objective)
    assert not {"timings_seconds", "solve_seconds", "solver_log"} & set(summary)
    assert {p.name for p in (tmp_path / "run").iterdir()} == {f"{t}.csv" for t in TABLES} | {"summary.json", "manifest.json"}


def test_a_new_run_replaces_the_old_run_as_a_whole(plan, tmp_path):
    plan.export(tmp_path / "run", "xlsx")
    plan.export(tmp_path / "run", "csv")
    assert not (tmp_path / "run" / "plan.xlsx").exists(), "a stale workbook from an earlier run would mislead"


def test_a_folder_that_is_not_a_run_is_never_replaced(plan, tmp_path):
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "notes.txt").write_text("keep me")
    with pytest.raises(ExportError, match="notes.txt is in the way"):
        plan.export(tmp_path / "mine")
    assert (tmp_path / "mine" / "notes.txt").read_text() == "keep me"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mine"]


def test_orphaned_staging_folders_of_dead_processes_are_removed(plan, tmp_path):
    orphan = tmp_path / ".run.partial-999999999-abc"
    orphan.mkdir()
    (orphan / "intake.csv").write_text("half")
    plan.export(tmp_path / "run")
    assert not orphan.exists()


def test_unknown_format_is_refused_with_a_hint():
    with pytest.raises(WorkforceError, match="did you mean 'xlsx'"):
        export_module.parse_formats("csv,xlxs")
    assert export_module.parse_formats("CSV, excel,csv") == ("csv", "xlsx")


@pytest.mark.parametrize(("fmt", "module", "extra"), [("xlsx", "xlsxwriter", "excel"), ("parquet", "pyarrow", "parquet")])
def test_a_missing_extra_is_named_before_anything_is_solved(fmt, module, extra, scenario_path, tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, module, None)  # import now raises ImportError
    with pytest.raises(ExportError, match=rf"pip install 'workforce\[{extra}\]'"):
        export_module.check_formats(fmt)
    result = CliRunner().invoke(main, ["run", str(scenario_path), "--out", str(tmp_path / "o"), "--format", fmt])
    assert result.exit_code == 4
    assert f"workforce[{extra}]" in result.output and "Traceback" not in result.output
    assert not (tmp_path / "o").exists()


def test_cli_writes_the_formats_asked_for(scenario_path, tmp_path):
    result = CliRunner().invoke(main, ["run", str(scenario_path), "--out", str(tmp_path / "o"), "--format", "xlsx,parquet"])
    assert result.exit_code == 0, result.output
    names = {p.name for p in (tmp_path / "o").iterdir()}
    assert "plan.xlsx" in names and "intake.parquet" in names and "intake.csv" not in names
    assert "manifest.json" in result.output
