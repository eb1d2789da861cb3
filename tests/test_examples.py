"""Every example notebook runs end to end against the bundled data, as a new user would run it.

Each notebook runs in a fresh Jupyter kernel with its own folder (examples/) as the working
directory, like Jupyter does. The kernel imports this checkout of workforce (PYTHONPATH), so the
test exercises the code under test whether or not the package is installed.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "examples").glob("*.ipynb"))


def test_the_examples_are_there():
    assert {p.name for p in NOTEBOOKS} >= {"quickstart.ipynb", "scenario_in_python.ipynb", "what_if.ipynb"}


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
