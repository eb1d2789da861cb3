"""The workforce command end to end: outputs, messages and exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from workforce.cli.commands import bundled_config, main

TINY = textwrap.dedent(
    """\
    name: Tiny
    horizon: {first_year: 2026, last_year: 2028}
    regions:
      - {code: A, name: Area A}
    roles:
      ep:
        name: EPs
        unit: FTE
        initial_stock: 10
        attrition: 0.1
        demand: {file: demand.csv}
        shortfall_penalty: 100
    programmes:
      doc:
        name: Doctorate
        role: ep
        duration: 2
        completion_rate: 0.8
        course_costs: [{dfe: 1.0}]
    funding_streams:
      dfe:
        name: DfE
        budget: 2
    """
)


@pytest.fixture
def tiny(tmp_path: Path) -> Path:
    (tmp_path / "demand.csv").write_text("region,2026,2027,2028\nA,10,10,10\n")
    path = tmp_path / "tiny.yaml"
    path.write_text(TINY)
    return path


def test_run_writes_every_table_and_summary(tiny: Path, tmp_path: Path):
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["run", str(tiny), "--out", str(out)])
    assert result.exit_code == 0, result.output
    for name in ("intake", "workforce", "flows", "spend", "spend_detail"):
        assert (out / f"{name}.csv").exists()
    summary = json.loads((out / "summary.json").read_text())
    assert summary["status"] == "optimal"
    # Same hand-solved case as tests/test_optimum.py::test_budget_limits_training.
    assert summary["objective"] == pytest.approx(403)
    intake = pd.read_csv(out / "intake.csv", index_col=["programme", "region", "year"])
    assert intake.loc[("doc", "A", 2026), "intake"] == pytest.approx(2)
    assert "Tiny: optimal plan" in result.output
    assert not list(out.glob(".workforce-*")), "temporary folder left behind"


def test_validate_reports_file_line_and_key_without_traceback(tiny: Path):
    tiny.write_text(TINY.replace("attrition: 0.1", "atrition: 0.1"))
    result = CliRunner().invoke(main, ["validate", str(tiny)])
    assert result.exit_code == 1
    assert f"{tiny}:10 [roles.ep.atrition]" in result.output
    assert "did you mean 'attrition'" in result.output
    assert "Traceback" not in result.output


def test_csv_error_names_the_csv_file_and_line(tiny: Path):
    (tiny.parent / "demand.csv").write_text("region,2026,2027,2028\nA,10,1%,10\n")
    result = CliRunner().invoke(main, ["validate", str(tiny)])
    assert result.exit_code == 1
    assert "demand.csv:2" in result.output
    assert "percentage" in result.output


def test_infeasible_scenario_exits_2_with_the_conflict(tiny: Path, tmp_path: Path):
    text = TINY.replace("course_costs: [{dfe: 1.0}]", "course_costs: [{dfe: 1.0}]\n    intake_min: 5")
    tiny.write_text(text)
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["run", str(tiny), "--out", str(out)])
    assert result.exit_code == 2
    assert "infeasible" in result.output
    assert "budget" in result.output or "minimum intake" in result.output
    assert not out.exists() or not any(out.iterdir()), "an infeasible run must not write a plan"


def test_debug_shows_the_traceback(tiny: Path):
    tiny.write_text(TINY.replace("attrition: 0.1", "atrition: 0.1"))
    result = CliRunner().invoke(main, ["validate", str(tiny), "--debug"])
    assert result.exit_code == 1
    assert "Traceback" in result.output


def test_real_process_exit_codes(tiny: Path, tmp_path: Path):
    ok = subprocess.run([sys.executable, "-X", "importtime", "-m", "workforce", "run", str(tiny), "--out",
                         str(tmp_path / "o")], capture_output=True, text=True)
    assert ok.returncode == 0, ok.stderr[-3000:]
    assert "Running HiGHS" not in ok.stdout
    # A run through the array generator never loads Pyomo (about 0.9 s of start-up at 153 authorities)
    loaded = [line.rsplit("|", 1)[-1].strip() for line in ok.stderr.splitlines() if line.startswith("import time:")]
    assert "workforce.solver.core" in loaded
    assert not [m for m in loaded if m == "pyomo" or m.startswith("pyomo.")]
    tiny.write_text(TINY.replace("first_year: 2026", "first_year: twenty"))
    bad = subprocess.run([sys.executable, "-m", "workforce", "validate", str(tiny)], capture_output=True, text=True)
    assert bad.returncode == 1
    assert "Traceback" not in bad.stderr
    assert "horizon.first_year" in bad.stderr


def test_default_scenario_is_the_bundled_baseline():
    assert bundled_config().name == "england_baseline.yaml"
    result = CliRunner().invoke(main, ["validate"])
    assert result.exit_code == 0, result.output
    assert "9 regions, 2026-2035" in result.output


def test_an_internal_error_is_reported_without_a_traceback(tiny: Path, tmp_path: Path, monkeypatch):
    """A bug (here: a solver stage that raises) is not the planner's fault: exit 70, one message,
    no traceback, no outputs; --debug shows the traceback."""
    def broken(*args, **kwargs):
        raise RuntimeError("simulated bug")

    # `workforce.solve` is also the name of the function the package exports: reach the module itself.
    monkeypatch.setattr(sys.modules["workforce.solver.core"], "compile_scenario", broken)
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["run", str(tiny), "--out", str(out)])
    assert result.exit_code == 70
    assert "internal error" in result.output and "simulated bug" in result.output
    assert "Traceback" not in result.output
    assert not out.exists()
    debug = CliRunner().invoke(main, ["run", str(tiny), "--out", str(out), "--debug"])
    assert isinstance(debug.exception, RuntimeError)
