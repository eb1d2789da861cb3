"""A Dask worker that stops answering after the study started (issue 21): the wait for its tasks
has a limit (--task-timeout); past it the points still out are recorded as failed with a message
that says what happened and how to retry, the points finished are kept, and the command ends with
exit 6 (points failed, README's exit-code table) instead of waiting forever."""

from __future__ import annotations

import copy
import os
import signal
import threading

import pytest
import yaml
from click.testing import CliRunner

from tests.test_sweep import GRID, HAND
from workforce import scenario_from_dict
from workforce.cli.commands import main
from workforce.studies.dask_connect import task_limit
from workforce.studies.sweep import StudyFailedError, sweep

distributed = pytest.importorskip("distributed", reason="needs the distributed extra")


@pytest.fixture
def stopped_cluster():
    """A local Dask cluster whose only worker process is stopped (SIGSTOP) after it joined: the
    scheduler still lists it, and nothing it is sent ever comes back."""
    with (distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=True, dashboard_address=None) as cluster,
          distributed.Client(cluster) as client):
        (pid,) = client.run(os.getpid).values()
        os.kill(pid, signal.SIGSTOP)
        try:
            yield cluster, client
        finally:
            os.kill(pid, signal.SIGCONT)


def _grid(tmp_path):
    grid = copy.deepcopy(GRID)
    grid["grid"]["parameters"]["budget"]["values"] = [1, 2, 3]
    (tmp_path / "hand.yaml").write_text(yaml.safe_dump(HAND))
    (tmp_path / "grid.yaml").write_text(yaml.safe_dump(grid))
    return grid


def test_the_wait_limit_defaults_to_ten_minutes_or_twice_a_tasks_time_limit():
    assert task_limit(None, None, 8) == 600
    assert task_limit(None, 60, 8) == 960  # 8 points of at most 60 s, twice
    assert task_limit(5, 60, 8) == 5


def test_a_stopped_worker_ends_the_study_from_the_cli_with_exit_6(tmp_path, stopped_cluster):
    cluster, _client = stopped_cluster
    _grid(tmp_path)
    outcome: dict[str, object] = {}

    def run() -> None:
        outcome["result"] = CliRunner().invoke(main, [
            "sweep", str(tmp_path / "grid.yaml"), "--out", str(tmp_path / "cli"), "--no-progress",
            "--scheduler", cluster.scheduler_address, "--task-timeout", "3"])

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(120)
    assert not thread.is_alive(), "the study waited for the stopped worker without a limit"
    result = outcome["result"]
    assert result.exit_code == 6, result.output
    assert "no answer from the workers within 3 s (--task-timeout)" in result.output
    assert "run the same command again to retry these points" in result.output
    assert "Traceback" not in result.output
    points = (tmp_path / "cli" / "points.csv").read_text()
    assert points.count("failed") == 3


def test_a_stopped_worker_from_python_records_every_point_as_failed(tmp_path, stopped_cluster):
    _cluster, client = stopped_cluster
    grid = _grid(tmp_path)
    with pytest.raises(StudyFailedError) as caught:
        sweep(grid, scenario=scenario_from_dict(copy.deepcopy(HAND)), out=tmp_path / "py",
              executor=client.get_executor(), workers=1, task_timeout=2)
    failed = caught.value.result.points
    assert list(failed["status"]) == ["failed"] * 3
    assert set(failed["error_type"]) == {"Stalled"}
