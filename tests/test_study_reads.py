"""A Monte Carlo study's summaries read the study folder once: `workforce montecarlo` writes the fan
chart's percentiles, the miss probabilities and the terminal summary, each of which read every
draw's shortfall from the partitions (10,000 draws: 10,000 files, about 10-30 s a read)."""

from __future__ import annotations

import copy

from test_sweep import HAND

from workforce import scenario_from_dict
from workforce.studies import montecarlo as mc
from workforce.studies.store import StudyStore
from workforce.studies.sweep import sweep


def test_the_summaries_of_a_study_read_its_partitions_once(tmp_path, monkeypatch):
    spec = {"name": "reads", "scenario": "hand.yaml", "montecarlo": {"draws": 6, "seed": 2, "parameters": {
        "d": {"path": "roles.ep.demand", "op": "scale", "distribution": "uniform", "low": 0.8, "high": 1.2}}}}
    result = sweep(spec, scenario=scenario_from_dict(copy.deepcopy(HAND)), out=tmp_path / "m", workers=1)
    reads = []
    original = StudyStore.read

    def counted(self, measures=None):
        reads.append(measures)
        return original(self, measures)

    monkeypatch.setattr(StudyStore, "read", counted)
    fan, missed, text = mc.fan_data(result), mc.miss_probability(result), mc.describe(result)
    assert reads == [["shortfall"]]
    assert fan["draws"].eq(6).all() and missed.attrs["draws"] == 6 and "across 6 draws" in text
    table = result.results(["shortfall"])
    table["value"] = -1.0  # a caller's change does not reach the next caller
    assert (result.results(["shortfall"])["value"] >= 0).all() and reads == [["shortfall"]]
