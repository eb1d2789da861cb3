"""Sweeps run on a Dask distributed cluster through client.get_executor() (a small LocalCluster),
from Python and from the CLI (--scheduler)."""

from __future__ import annotations

import copy

import pytest
import yaml
from click.testing import CliRunner

from tests.test_sweep import GRID, HAND, _objective
from workforce import scenario_from_dict
from workforce.cli.commands import main
from workforce.studies.store import StudyStore
from workforce.studies.sweep import sweep

distributed = pytest.importorskip("distributed", reason="needs the distributed extra")


def test_sweep_on_a_local_dask_cluster_from_python_and_the_cli(tmp_path):
    grid = copy.deepcopy(GRID)
    grid["grid"]["parameters"]["budget"]["values"] = [1, 2, 3]
    (tmp_path / "hand.yaml").write_text(yaml.safe_dump(HAND))
    (tmp_path / "grid.yaml").write_text(yaml.safe_dump(grid))
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        with distributed.Client(cluster) as client:
            result = sweep(grid, scenario=scenario_from_dict(copy.deepcopy(HAND)), out=tmp_path / "py",
                           executor=client.get_executor(), workers=1)
        cli = CliRunner().invoke(main, ["sweep", str(tmp_path / "grid.yaml"), "--out", str(tmp_path / "cli"),
                                        "--scheduler", cluster.scheduler_address])
    assert list(result.points["status"]) == ["ok", "ok", "ok"]
    assert list(result.points["objective"]) == pytest.approx([_objective(b) for b in (4, 8, 12)])
    assert set(result.points["how"]) == {"in place"}
    assert cli.exit_code == 0, cli.output
    assert "3 of 3 points solved" in cli.output
    assert list(StudyStore(tmp_path / "cli").records()["objective"]) == pytest.approx([604, 208, 10])
