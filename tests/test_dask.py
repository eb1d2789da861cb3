"""Sweeps run on a Dask distributed cluster through client.get_executor() (a small LocalCluster)."""

from __future__ import annotations

import copy

import pytest

from tests.test_sweep import GRID, HAND, _objective
from workforce import scenario_from_dict
from workforce.sweep import sweep

distributed = pytest.importorskip("distributed", reason="needs the distributed extra")


def test_sweep_on_a_local_dask_cluster_matches_the_hand_solution(tmp_path):
    grid = copy.deepcopy(GRID)
    grid["grid"]["parameters"]["budget"]["values"] = [1, 2, 3]
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=True, dashboard_address=None) as cluster, \
            distributed.Client(cluster) as client:
        result = sweep(grid, scenario=scenario_from_dict(copy.deepcopy(HAND)), out=tmp_path / "d",
                       executor=client.get_executor(), workers=1)
    assert list(result.points["status"]) == ["ok", "ok", "ok"]
    assert list(result.points["objective"]) == pytest.approx([_objective(b) for b in (4, 8, 12)])
    assert set(result.points["how"]) == {"in place"}
