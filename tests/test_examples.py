"""Every example notebook runs end to end against the bundled data, as a new user would run it.

Each notebook runs in a fresh Jupyter kernel with its own folder (examples/) as the working
directory, like Jupyter does. The kernel imports this checkout of workforce (PYTHONPATH), so the
test exercises the code under test whether or not the package is installed.
"""

from __future__ import annotations

import base64
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "examples").glob("*.ipynb"))


def test_the_examples_are_there():
    assert {p.name for p in NOTEBOOKS} >= {"quickstart.ipynb", "scenario_in_python.ipynb", "what_if.ipynb", "uncertainty.ipynb"}


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_is_committed_without_outputs(path):
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, f"{path.name}: clear the outputs"


@pytest.fixture
def kernel(tmp_path, monkeypatch):
    """A kernel spec of this interpreter, found first on JUPYTER_PATH, so no other installed
    'python3' kernel (another virtual environment's, say) can stand in for it."""
    spec = tmp_path / "jupyter" / "kernels" / "workforce-test"
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "workforce tests", "language": "python",
    }))
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path / "jupyter"))
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]).rstrip(os.pathsep))
    return "workforce-test"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_runs(path, kernel):
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(nb, timeout=120, kernel_name=kernel, resources={"metadata": {"path": str(path.parent)}})
    client.execute()  # raises CellExecutionError, with the cell and its traceback, if a cell fails
    problems = [
        (i, out.get("text", ""))
        for i, cell in enumerate(nb.cells) if cell.cell_type == "code"
        for out in cell.outputs if out.output_type == "stream" and out.name == "stderr"
    ]
    assert not problems, f"{path.name} wrote to stderr (warnings?): {problems}"
    # The kernel ran this checkout, and the notebook's last code cell produced something.
    last = [c for c in nb.cells if c.cell_type == "code"][-1]
    assert last.outputs, f"{path.name}: the last cell showed nothing"


def _run_report(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]).rstrip(os.pathsep)}
    return subprocess.run([sys.executable, str(ROOT / "examples" / "regional_report.py"), *args],
                          cwd=cwd, env=env, capture_output=True, text=True, timeout=120)


def test_regional_report_writes_the_regions_numbers_and_charts(tmp_path):
    """The report on the North East names the region and carries its numbers, as the plan has them,
    and its charts as PNG images; nothing but the report is left in the folder."""
    from workforce import load_scenario, solve

    run = _run_report("--region", "E12000001", "--out", "out", cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    files = list((tmp_path / "out").iterdir())
    assert [f.name for f in files] == ["report_E12000001.html"]
    text = files[0].read_text(encoding="utf-8")
    assert "<h1>North East (E12000001)" in text

    plan = solve(load_scenario(ROOT / "configs" / "england_baseline.yaml"))
    ep = plan.workforce.xs(("ep", "E12000001"), level=("role", "region"))
    # the key-number card: the EP shortfall in the last year, its share of demand
    short = ep.at[2035, "shortfall"]
    assert short > 1  # the baseline leaves the North East short of EPs in 2035
    assert f"<b>{short:,.0f} FTE</b>short in 2035 ({100 * short / ep.at[2035, 'demand']:.0f}% of demand)" in text
    # the table: EPs in post in 2026 and the shortfall over the horizon
    for value in (ep.at[2026, "supply"], ep["shortfall"].sum()):
        assert f"<td>{value:,.0f}</td>" in text
    starters = plan.intake["intake"].xs(("ep_doctorate", "E12000001"), level=("programme", "region"))
    assert f"<td>{starters[2026]:,.0f}</td>" in text

    images = re.findall(r'<img alt="[^"]+" src="data:image/png;base64,([A-Za-z0-9+/=]+)"', text)
    assert len(images) == 5  # staff against demand, three flows waterfalls, the cohort Gantt
    assert all(base64.b64decode(b)[:8] == b"\x89PNG\r\n\x1a\n" for b in images)


def test_regional_report_names_the_regions_when_given_an_unknown_one(tmp_path):
    run = _run_report("--region", "Atlantis", "--out", "out", cwd=tmp_path)
    assert run.returncode == 1
    assert "region 'Atlantis' is not in scenario" in run.stderr and "E12000001 (North East)" in run.stderr
    assert "Traceback" not in run.stderr
    assert not (tmp_path / "out").exists()


def test_regional_report_ranks_ties_as_ties_and_starters_in_whole_trainees():
    """0.486% and 0.481% both show as 0.5%: the two regions share rank 1 instead of one being
    called worse; 84.5 trainees is shown as a whole number."""
    import importlib.util

    import pandas as pd

    spec = importlib.util.spec_from_file_location("regional_report", ROOT / "examples" / "regional_report.py")
    report = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(report)
    rate = pd.Series({"A": 0.00486, "B": 0.00481, "C": 0.002, "D": 0.0})
    assert report.rank_text(rate, "A") == "1 of 4 (tied with 1 other)"
    assert report.rank_text(rate, "B") == "1 of 4 (tied with 1 other)"
    assert report.rank_text(rate, "C") == "3 of 4"
    assert report.rank_text(rate, "D") == "none short"

    class Plan:  # just what intake_table reads
        intake = pd.DataFrame({"intake": [84.5, 12.2]}, index=pd.MultiIndex.from_tuples(
            [("p", "A", 2026), ("p", "A", 2027)], names=["programme", "region", "year"]))

        class data:  # noqa: N801
            class scenario:  # noqa: N801
                programmes = {"p": type("P", (), {"name": "A course"})()}

    table = report.intake_table(Plan(), "A")
    assert table.loc["A course"].tolist() == [84, 12] and table.dtypes.eq(int).all()


def test_the_docs_list_every_notebook_and_notebook_prose_matches_the_baseline():
    """docs/index.md names each notebook in examples/; the uncertainty notebook's prose gives the
    baseline's EP and SENCO attrition (5% and 7%), so it is checked against the bundled scenario."""
    import json

    from workforce import load_scenario

    index = (ROOT / "docs" / "index.md").read_text(encoding="utf-8")
    for notebook in sorted((ROOT / "examples").glob("*.ipynb")):
        assert f"`{notebook.name}`" in index, f"docs/index.md does not list {notebook.name}"
    baseline = load_scenario(ROOT / "configs" / "england_baseline.yaml")
    prose = "".join("".join(c["source"]) for c in json.loads((ROOT / "examples" / "uncertainty.ipynb").read_text())["cells"]
                    if c["cell_type"] == "markdown")
    assert f"most likely the baseline's {baseline.roles['ep'].attrition:.0%}" in prose
    assert f"most likely the baseline's {baseline.roles['senco'].attrition:.0%}" in prose
