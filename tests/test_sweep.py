"""Sweeps and Monte Carlo on a scenario solved by hand, their Parquet dataset, resume and failures.

The hand-solved scenario: one region, one role, one year. Nobody is in post and nobody leaves;
demand is 10. A zero-length course qualifies starters the same year at £1k each, paid from a
stream whose budget is B (£k), and at least 3 must start. Unmet demand costs 100 a head. So the
plan starts min(B, 10) people (each start saves 100 − 1), the shortfall is 10 − min(B, 10), and
the objective is 100·(10 − min(B, 10)) + min(B, 10): B = 4 gives 6 short and 604; B = 8 gives 2
short and 208; B = 12 gives 0 short and 10. B = 2 cannot pay for the 3 minimum starters: infeasible.
"""

from __future__ import annotations

import concurrent.futures as cf
import copy
import json
import shutil

import numpy as np
import pandas as pd
import pytest
import yaml
from click.testing import CliRunner

from workforce import scenario_from_dict
from workforce.cli.commands import main
from workforce.errors import ScenarioError, WorkforceError
from workforce.studies.montecarlo import fan_data, miss_probability, shortfall_distribution
from workforce.studies.spec import load_study, points, study_from_dict
from workforce.studies.store import StudyStore
from workforce.studies.sweep import sweep

HAND = {
    "name": "hand",
    "horizon": {"first_year": 2026, "last_year": 2026},
    "regions": [{"code": "A", "name": "Area A"}],
    "roles": {"ep": {"name": "EPs", "initial_stock": 0, "attrition": 0, "demand": 10, "shortfall_penalty": 100}},
    "programmes": {"course": {"name": "Course", "role": "ep", "duration": 0, "completion_rate": 1,
                              "course_costs": [{"f": 1}], "intake_min": 3}},
    "funding_streams": {"f": {"name": "Fund", "budget": 4}},
}

GRID = {
    "name": "budget",
    "scenario": "hand.yaml",
    "grid": {"parameters": {"budget": {"path": "funding_streams.f.budget", "op": "scale", "values": [0.5, 1, 2, 3]}}},
}


def _objective(b: float) -> float:
    return 100 * (10 - min(b, 10)) + min(b, 10)


@pytest.fixture
def hand():
    return scenario_from_dict(copy.deepcopy(HAND))


def test_grid_sweep_matches_the_hand_solution_and_records_the_infeasible_point(hand, tmp_path):
    result = sweep(GRID, scenario=hand, out=tmp_path / "s", workers=1)
    p = result.points
    assert list(p["status"]) == ["failed", "ok", "ok", "ok"]
    assert "infeasible" in p.loc[0, "error"] and "minimum intake" in p.loc[0, "error"]
    for point, b in zip([1, 2, 3], [4, 8, 12], strict=True):
        assert p.loc[point, "objective"] == pytest.approx(_objective(b))
        assert p.loc[point, "how"] == "in place"
    df = result.results()
    assert set(df["point"]) == {1, 2, 3}
    short = df[df["measure"] == "shortfall"].set_index("point")["value"]
    assert short.to_dict() == pytest.approx({1: 6.0, 2: 2.0, 3: 0.0})
    spend = df[df["measure"] == "spend"].set_index("point")["value"]
    assert spend.to_dict() == pytest.approx({1: 4.0, 2: 8.0, 3: 10.0})
    assert (tmp_path / "s" / "results" / "point=000001" / "part-0.parquet").exists()
    assert json.loads((tmp_path / "s" / "failures" / "point=000000.json").read_text())["status"] == "failed"
    assert pd.read_csv(tmp_path / "s" / "points.csv", index_col="point").loc[2, "status"] == "ok"


def test_a_rerun_skips_finished_points_and_retries_failed_and_missing_ones(hand, tmp_path):
    out = tmp_path / "s"
    sweep(GRID, scenario=hand, out=out, workers=1)
    first = StudyStore(out).records().loc[2].to_dict()
    shutil.rmtree(out / "results" / "point=000003")  # as if interrupted before point 3 was written
    (out / "results" / ".point=000003.abc").mkdir()  # and a half-written temporary left behind
    again = sweep(GRID, scenario=hand, out=out, workers=1)
    assert again.skipped == 2  # points 1 and 2
    assert StudyStore(out).records().loc[2].to_dict() == first  # not redone (same seconds)
    assert again.points.loc[3, "objective"] == pytest.approx(_objective(12))
    assert again.points.loc[0, "status"] == "failed"  # retried, still infeasible
    assert not list((out / "results").glob(".*"))


def test_a_folder_of_another_study_is_refused(hand, tmp_path):
    sweep(GRID, scenario=hand, out=tmp_path / "s", workers=1)
    other = copy.deepcopy(GRID)
    other["grid"]["parameters"]["budget"]["values"] = [1, 2]
    with pytest.raises(WorkforceError, match="different study"):
        sweep(other, scenario=hand, out=tmp_path / "s", workers=1)
    restarted = sweep(other, scenario=hand, out=tmp_path / "s", workers=1, restart=True)
    assert len(restarted.points) == 2 and restarted.skipped == 0


def test_process_pool_gives_the_same_results_as_one_process(hand, tmp_path):
    grid = copy.deepcopy(GRID)
    grid["grid"]["parameters"]["budget"]["values"] = [1, 1.5, 2, 2.5, 3]
    serial = sweep(grid, scenario=hand, out=tmp_path / "a", workers=1)
    pooled = sweep(grid, scenario=hand, out=tmp_path / "b", workers=2)
    pd.testing.assert_series_equal(serial.points["objective"], pooled.points["objective"])
    pd.testing.assert_frame_equal(serial.results(), pooled.results())


def test_latin_hypercube_is_seeded_and_stratified():
    spec = study_from_dict({"name": "lhs", "scenario": "x.yaml", "lhs": {"samples": 8, "seed": 3, "parameters": {
        "a": {"path": "roles.ep.attrition", "low": 0.0, "high": 0.8},
        "b": {"path": "funding_streams.f.budget", "op": "scale", "low": 1, "high": 3}}}})
    one, two = points(spec), points(spec)
    pd.testing.assert_frame_equal(one, two)
    for col, (lo, hi) in {"a": (0.0, 0.8), "b": (1, 3)}.items():
        bins = np.floor((one[col] - lo) / (hi - lo) * 8).astype(int)
        assert sorted(bins) == list(range(8)), col  # one sample in each eighth of the range
    other = study_from_dict({**spec.model_dump(), "lhs": {**spec.lhs.model_dump(), "seed": 4}})
    assert not points(other).equals(one)


def test_monte_carlo_draws_are_seeded_and_truncated():
    spec = {"name": "mc", "scenario": "x.yaml", "montecarlo": {"draws": 2000, "seed": 11, "parameters": {
        "n": {"path": "roles.ep.attrition", "distribution": "normal", "mean": 0.1, "sd": 0.05, "low": 0.05, "high": 0.2},
        "t": {"path": "roles.ep.demand", "distribution": "triangular", "low": 0, "mode": 1, "high": 4},
        "l": {"path": "roles.ep.initial_stock", "distribution": "lognormal", "median": 2, "sigma": 0.1}}}}
    a, b = points(study_from_dict(spec)), points(study_from_dict(spec))
    pd.testing.assert_frame_equal(a, b)
    assert a["n"].between(0.05, 0.2).all()
    assert a["t"].mean() == pytest.approx(5 / 3, abs=0.05)  # (low + mode + high) / 3
    assert a["l"].median() == pytest.approx(2, rel=0.02)


MC = {
    "name": "demand",
    "scenario": "hand.yaml",
    "montecarlo": {"draws": 30, "seed": 5, "mode": "optimise", "parameters": {
        "demand": {"path": "roles.ep.demand", "op": "scale", "distribution": "uniform", "low": 0.2, "high": 0.5}}},
}


@pytest.mark.parametrize("mode", ["optimise", "evaluate"])
def test_monte_carlo_modes_on_the_hand_scenario(hand, tmp_path, mode):
    """Demand is 10·s with s ~ U(0.2, 0.5). Optimising, each draw starts min(10·s, 4) (budget 4) at
    least 3; evaluating the base plan holds 4 starts. Either way shortfall = max(0, 10·s − 4)."""
    spec = copy.deepcopy(MC)
    spec["montecarlo"]["mode"] = mode
    result = sweep(spec, scenario=hand, out=tmp_path / mode, workers=1)
    assert (result.points["status"] == "ok").all()
    s = result.points["demand"]
    expected_short = np.maximum(0.0, 10 * s - 4)
    expected_intake = np.full(len(s), 4.0) if mode == "evaluate" else np.clip(10 * s, 3, 4)
    df = result.results(["shortfall", "intake"]).set_index(["measure", "point"])["value"]
    np.testing.assert_allclose(df["shortfall"].sort_index(), expected_short.sort_index(), atol=1e-7)
    np.testing.assert_allclose(df["intake"].sort_index(), expected_intake, atol=1e-7)
    fan = fan_data(result)
    assert fan.loc[("ep", 2026), "p50"] == pytest.approx(np.percentile(expected_short, 50))
    assert fan.loc[("ep", 2026), "draws"] == 30
    miss = miss_probability(result, threshold=0.5)
    assert miss.loc[("ep", "A"), "any_year"] == pytest.approx(float((expected_short > 0.5).mean()))
    dist = shortfall_distribution(result)
    np.testing.assert_allclose(dist["ep"], expected_short, atol=1e-7)


def test_evaluate_mode_holds_a_plan_read_from_intake_csv(hand, tmp_path):
    (tmp_path / "intake.csv").write_text("programme,region,year,intake\ncourse,A,2026,3.5\n")
    (tmp_path / "hand.yaml").write_text(yaml.safe_dump(HAND))
    spec = copy.deepcopy(MC)
    spec["montecarlo"].update(mode="evaluate", plan="intake.csv", draws=5)
    (tmp_path / "mc.yaml").write_text(yaml.safe_dump(spec))
    result = sweep(tmp_path / "mc.yaml", out=tmp_path / "out", workers=1)
    intake = result.results(["intake"])["value"]
    assert np.allclose(intake, 3.5)


def test_study_file_errors_name_the_line_and_key(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text("name: x\nscenario: s.yaml\ngrid:\n  parameters:\n    b: {path: a.b, op: scale, vlaues: [1]}\n")
    with pytest.raises(ScenarioError) as info:
        load_study(path)
    text = str(info.value)
    assert f"{path}:5" in text and "vlaues" in text
    path.write_text("name: x\nscenario: s.yaml\nmontecarlo:\n  draws: 3\n  seed: 1\n  parameters:\n    b: {path: a.b}\n")
    with pytest.raises(ScenarioError, match="needs a `distribution`"):
        load_study(path)


def test_a_lever_path_that_does_not_exist_stops_the_study_before_solving(hand, tmp_path):
    bad = copy.deepcopy(GRID)
    bad["grid"]["parameters"]["budget"]["path"] = "funding_streams.f.budgte"
    with pytest.raises(ScenarioError, match="did you mean 'budget'"):
        sweep(bad, scenario=hand, out=tmp_path / "s", workers=1)
    assert not (tmp_path / "s").exists()


def test_cli_sweep_and_montecarlo(tmp_path):
    (tmp_path / "hand.yaml").write_text(yaml.safe_dump(HAND))
    (tmp_path / "grid.yaml").write_text(yaml.safe_dump(GRID))
    (tmp_path / "mc.yaml").write_text(yaml.safe_dump(MC))
    runner = CliRunner()
    res = runner.invoke(main, ["sweep", str(tmp_path / "grid.yaml"), "--out", str(tmp_path / "g"), "--workers", "1"])
    assert res.exit_code == 6, res.output  # one infeasible point: a failed study point, not an output error
    assert "3 of 4 points solved, 1 failed" in res.output and "point 0 (budget=0.5) failed: the scenario is infeasible; the minimum intake" in res.output
    assert "point/s" not in res.output and "it/s" not in res.output  # no progress bar off a terminal
    assert (tmp_path / "g" / "sweep.png").exists() and (tmp_path / "g" / "points.csv").exists()
    res = runner.invoke(main, ["montecarlo", str(tmp_path / "mc.yaml"), "--out", str(tmp_path / "m"), "--workers", "1"])
    assert res.exit_code == 0, res.output
    for name in ("fan_shortfall.png", "fan_shortfall.csv", "miss_probability.csv"):
        assert (tmp_path / "m" / name).exists()
    res = runner.invoke(main, ["montecarlo", str(tmp_path / "mc.yaml"), "--out", str(tmp_path / "m4"), "--workers", "1",
                               "--draws", "4"])
    assert res.exit_code == 0 and "4 of 4 points solved" in res.output, res.output
    assert len(pd.read_csv(tmp_path / "m4" / "points.csv")) == 4
    res = runner.invoke(main, ["montecarlo", str(tmp_path / "grid.yaml"), "--out", str(tmp_path / "x")])
    assert res.exit_code == 1 and "not a Monte Carlo" in res.output


def test_bundled_studies_are_valid():
    from pathlib import Path

    folder = Path(__file__).resolve().parents[1] / "configs" / "studies"
    specs = sorted(folder.glob("*.yaml"))
    assert specs
    for path in specs:
        spec, base = load_study(path)
        assert (base / spec.scenario).exists()
        assert len(points(spec)) > 0


def test_invalid_draws_fail_alone_with_the_key_named(hand, tmp_path):
    """Untruncated normal attrition draws outside 0-1 are invalid scenarios: recorded, not fatal."""
    spec = {"name": "bad draws", "scenario": "hand.yaml", "montecarlo": {"draws": 12, "seed": 1, "parameters": {
        "a": {"path": "roles.ep.attrition", "distribution": "normal", "mean": 0.5, "sd": 0.6}}}}
    result = sweep(spec, scenario=hand, out=tmp_path / "m", workers=1)
    p = result.points
    invalid = (p["a"] < 0) | (p["a"] > 1)
    assert invalid.any() and (~invalid).any()
    assert (p.loc[invalid, "status"] == "failed").all() and (p.loc[~invalid, "status"] == "ok").all()
    assert p.loc[invalid, "error"].str.contains("roles.ep.attrition").all()


class _DyingExecutor(cf.Executor):
    """An executor whose every other task dies, as a lost worker would."""

    def __init__(self):
        self.n = 0
        self.inner = cf.ThreadPoolExecutor(1)

    def submit(self, fn, /, *args, **kwargs):
        self.n += 1
        if self.n % 2 == 0:
            future = cf.Future()
            future.set_exception(RuntimeError("worker lost"))
            return future
        return self.inner.submit(fn, *args, **kwargs)

    def shutdown(self, wait=True, *, cancel_futures=False):
        self.inner.shutdown(wait=wait, cancel_futures=cancel_futures)


def test_a_lost_worker_fails_only_its_points_and_a_rerun_finishes_them(hand, tmp_path):
    grid = copy.deepcopy(GRID)
    grid["grid"]["parameters"]["budget"]["values"] = [1, 1.5, 2, 2.5, 3, 3.5]
    dying = _DyingExecutor()
    first = sweep(grid, scenario=hand, out=tmp_path / "s", executor=dying, workers=1, chunks_per_worker=6)
    dying.shutdown()
    lost = first.points["status"] == "failed"
    assert lost.sum() == 3 and first.points.loc[lost, "error"].str.contains("worker lost").all()
    again = sweep(grid, scenario=hand, out=tmp_path / "s", workers=1)
    assert again.skipped == 3 and (again.points["status"] == "ok").all()
    assert list(again.points["objective"]) == pytest.approx([_objective(4 * v) for v in [1, 1.5, 2, 2.5, 3, 3.5]])
