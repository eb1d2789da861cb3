"""``--allow-path`` reaches the study commands and their worker processes (issue 14): a planner's
study whose scenario extends a base in another folder runs with ``--allow-path DIR`` on real
worker processes, and without it is refused with the usual located message."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from scenarios import MINIMAL_YAML  # isort: skip

ROOT = Path(__file__).resolve().parents[1]
STUDIES = {
    "sweep": "name: tiny sweep\nscenario: s.yaml\ngrid:\n  parameters:\n    places:\n"
             "      path: programmes.dedpsy.places\n      op: scale\n      values: [1, 2, 3, 4]\n",
    "montecarlo": "name: tiny draws\nscenario: s.yaml\nmontecarlo:\n  draws: 4\n  seed: 1\n  parameters:\n"
                  "    attrition:\n      path: roles.ep.attrition\n      distribution: uniform\n"
                  "      low: 0.05\n      high: 0.1\n",
    "stochastic": "name: two futures\nscenario: weighted.yaml\nstochastic:\n  commit_years: 1\n  parameters:\n"
                  "    attrition: {path: roles.ep.attrition}\n  scenarios:\n"
                  "    low: {probability: 0.5, values: {attrition: 0.05}}\n"
                  "    high: {probability: 0.5, values: {attrition: 0.1}}\n",
}


@pytest.fixture
def project(tmp_path):
    """shared/base.yaml (the team's base) and own/s.yaml extending it, with each study beside it."""
    (tmp_path / "shared").mkdir()
    (tmp_path / "shared" / "base.yaml").write_text(MINIMAL_YAML)
    (tmp_path / "own").mkdir()
    (tmp_path / "own" / "s.yaml").write_text("extends: ../shared/base.yaml\nname: mine\n")
    (tmp_path / "own" / "weighted.yaml").write_text(  # a stochastic plan takes a weighted objective
        "extends: ../shared/base.yaml\nname: mine\nobjective:\n  lexicographic: null\n")
    for command, text in STUDIES.items():
        (tmp_path / "own" / f"{command}.yaml").write_text(text)
    return tmp_path


def _workforce(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "WORKFORCE_ALLOW_PATH"}
    return subprocess.run([sys.executable, "-m", "workforce", *args], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=300)


@pytest.mark.parametrize("command", ["sweep", "montecarlo", "stochastic"])
def test_a_study_extending_a_base_elsewhere_needs_and_obeys_allow_path(project, command):
    refused = _workforce(project, command, f"own/{command}.yaml", "--out", "out", "--workers", "2")
    assert refused.returncode == 1, refused.stdout + refused.stderr
    assert f"own/{'weighted' if command == 'stochastic' else 's'}.yaml:1 [extends]" in refused.stderr and "--allow-path DIR" in refused.stderr
    assert "Traceback" not in refused.stderr and not (project / "out").exists()
    done = _workforce(project, command, f"own/{command}.yaml", "--out", "out", "--workers", "2",
                      "--allow-path", "shared")
    assert done.returncode == 0, done.stdout + done.stderr
    if command == "stochastic":
        assert (project / "out" / "manifest.json").is_file()
    else:
        assert "4 of 4 points solved, 0 failed" in done.stdout
        assert (project / "out" / "points.csv").read_text().count("\n") == 5


def test_the_allowed_folders_travel_to_the_worker_processes(project):
    """run_chunk in a worker process sees the parent's --allow-path folders (a worker that loads a
    scenario file reads from exactly where the parent may)."""
    import concurrent.futures as cf
    import multiprocessing as mp

    from workforce.allow import ALLOWED_FOLDERS
    from workforce.scenario.paths import allowing

    with allowing([project / "shared"]):
        task = {"allow_paths": [str(p) for p in ALLOWED_FOLDERS.get()]}
    with cf.ProcessPoolExecutor(1, mp_context=mp.get_context("spawn")) as pool:
        seen = pool.submit(_allowed_in_worker, task).result(timeout=120)
    assert seen == [str(project / "shared")]


def _allowed_in_worker(task):
    from unittest import mock

    from workforce.allow import ALLOWED_FOLDERS
    from workforce.studies import sweep

    with mock.patch.object(sweep, "_run_chunk", lambda _task: [str(p) for p in ALLOWED_FOLDERS.get()]):
        return sweep.run_chunk(task)
