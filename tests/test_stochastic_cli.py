"""``workforce stochastic``: a study file with a ``stochastic:`` section, end to end, and its errors."""

from __future__ import annotations

import json

import pytest
import yaml
from click.testing import CliRunner

from workforce.cli.commands import main

SCENARIO = {
    "name": "Newsvendor", "horizon": {"first_year": 2026, "last_year": 2027},
    "regions": [{"code": "A", "name": "Area A"}],
    "roles": {"ep": {"name": "EPs", "initial_stock": 0, "attrition": 0, "demand": {2026: 0, 2027: 15},
                     "shortfall_penalty": 3}},
    "programmes": {"doc": {"name": "Doc", "role": "ep", "duration": 1, "completion_rate": 1,
                           "course_costs": [{"dfe": 1}]}},
    "funding_streams": {"dfe": {"name": "DfE"}},
}

NAMED = """\
name: Newsvendor study
scenario: newsvendor.yaml
stochastic:
  commit_years: 1
  mip_gap: 0
  parameters:
    demand_2027: {path: roles.ep.demand.2027}
  scenarios:
    low: {probability: 0.5, values: {demand_2027: 10}}
    high: {probability: 0.5, values: {demand_2027: 20}}
"""


@pytest.fixture
def study(tmp_path):
    (tmp_path / "newsvendor.yaml").write_text(yaml.safe_dump(SCENARIO, sort_keys=False))
    path = tmp_path / "study.yaml"
    path.write_text(NAMED)
    return path


def run(*args):
    return CliRunner().invoke(main, ["stochastic", *map(str, args)])


def test_named_scenarios_end_to_end(study, tmp_path):
    """The newsvendor of test_stochastic.py as a study file: RP 20, EEV 22.5, VSS 2.5, EVPI 5."""
    out = tmp_path / "run"
    result = run(study, "--out", out)
    assert result.exit_code == 0, result.output
    assert "VSS  2.5" in result.output and "EVPI 5.0" in result.output
    summary = json.loads((out / "summary.json").read_text())
    assert summary["measures"]["VSS"] == pytest.approx(2.5)
    assert summary["measures"]["EVPI"] == pytest.approx(5)
    manifest = json.loads((out / "manifest.json").read_text())
    assert set(manifest["outputs"]["sha256"]) >= {"first_stage.csv", "scenarios.csv", "summary.json"}
    assert (out / "stochastic.png").stat().st_size > 10_000
    first = (out / "first_stage.csv").read_text()
    assert "intake,doc,A,2026,20,15,5" in first


def test_the_chart_is_in_the_manifest_and_the_folder_replaceable(study, tmp_path):
    """stochastic.png is written inside the run folder's transaction: the manifest lists its true
    hash, and so a second run may replace the folder (a file outside the manifest would block it)."""
    import hashlib

    out = tmp_path / "run"
    assert run(study, "--out", out).exit_code == 0
    listed = json.loads((out / "manifest.json").read_text())["outputs"]["sha256"]
    assert listed["stochastic.png"] == hashlib.sha256((out / "stochastic.png").read_bytes()).hexdigest()
    again = run(study, "--out", out)
    assert again.exit_code == 0, again.output


def test_identical_inputs_give_identical_tables(study, tmp_path):
    for name in ("a", "b"):
        assert run(study, "--out", tmp_path / name).exit_code == 0
    for table in ("first_stage.csv", "scenarios.csv", "shortfall.csv", "summary.json"):
        assert (tmp_path / "a" / table).read_bytes() == (tmp_path / "b" / table).read_bytes()


def test_a_folder_the_tool_did_not_write_is_not_replaced(study, tmp_path):
    out = tmp_path / "mine"
    out.mkdir()
    (out / "notes.txt").write_text("keep me")
    result = run(study, "--out", out)
    assert result.exit_code == 4
    assert "notes.txt" in result.output and "Stochastic plan" not in result.output  # refused before solving
    assert (out / "notes.txt").read_text() == "keep me"


@pytest.mark.parametrize(("edit", "message"), [
    (("0.5, values: {demand_2027: 20}", "0.6, values: {demand_2027: 20}"), "add up to 1.1"),
    (("{demand_2027: 20}", "{demand_2028: 20}"), "demand_2028, which is not among `parameters`"),
    (("commit_years: 1", "commit_years: 0"), "stochastic.commit_years"),
    (("  mip_gap: 0\n", "  mip_gap: 0\n  risk: {alpha: 1.5, weight: 1}\n"), "stochastic.risk.alpha"),
])
def test_bad_study_gets_one_clear_message(study, edit, message):
    study.write_text(NAMED.replace(*edit))
    result = run(study, "--out", study.parent / "run")
    assert result.exit_code == 1, result.output
    assert message in result.output
    assert str(study) in result.output
    assert "Traceback" not in result.output
    assert not (study.parent / "run").exists()


def test_a_study_without_the_section_is_refused(study):
    study.write_text("name: x\nscenario: newsvendor.yaml\n")
    result = run(study)
    assert result.exit_code == 1
    assert "needs a `stochastic:` section" in result.output


def test_a_lever_path_that_does_not_exist_is_named(study):
    study.write_text(NAMED.replace("roles.ep.demand.2027", "roles.ep.demnd"))
    result = run(study, "--out", study.parent / "run")
    assert result.exit_code == 1, result.output
    assert "demnd" in result.output


def test_draws_compiled_in_place_equal_draws_compiled_one_by_one(study):
    """WarmCompiler changes one compiled model per draw (demand: row bounds; attrition: the
    stock_balance rows' coefficients); the extensive form, and so every figure, is the same as
    when each draw is compiled from scratch."""
    import numpy as np

    from workforce.studies.stochastic.spec import load_stochastic_study, run_stochastic_study

    study.write_text(NAMED.replace(
        "  scenarios:\n",
        "    attrition: {path: roles.ep.attrition}\n  scenarios:\n").replace(
        "{demand_2027: 20}", "{demand_2027: 20, attrition: 0.2}").replace(
        "  mip_gap: 0\n", "  mip_gap: 0\n  out_of_sample: {draws: 3, seed: 1}\n"))
    study.write_text(study.read_text().replace("stochastic:\n", "montecarlo:\n  draws: 5\n  seed: 3\n  parameters:\n"
                     "    demand_2027: {path: roles.ep.demand.2027, distribution: uniform, low: 5, high: 30}\n"
                     "    attrition: {path: roles.ep.attrition, distribution: uniform, low: 0, high: 0.3}\n"
                     "stochastic:\n").replace(
        "  parameters:\n    demand_2027: {path: roles.ep.demand.2027}\n    attrition: {path: roles.ep.attrition}\n", "")
        .split("  scenarios:\n")[0])
    spec, base = load_stochastic_study(study)
    cold = run_stochastic_study(spec, base_dir=base, warm=False)
    for warm in (run_stochastic_study(spec, base_dir=base, warm=True),
                 run_stochastic_study(spec, base_dir=base, warm=True, workers=2)):  # two worker processes
        for key in ("stochastic_objective", "deterministic_objective", "wait_and_see"):
            assert warm.measures[key] == pytest.approx(cold.measures[key], rel=1e-9)
        assert np.allclose(warm.first_stage["stochastic"], cold.first_stage["stochastic"])
        assert np.allclose(warm.scenarios["stochastic"], cold.scenarios["stochastic"])
        assert np.allclose(warm.out_of_sample["stochastic"], cold.out_of_sample["stochastic"])
        assert warm.shortfall.equals(cold.shortfall) or np.allclose(warm.shortfall["shortfall"], cold.shortfall["shortfall"])
    assert len(set(np.round(cold.scenarios["stochastic"], 6))) > 1  # the draws do differ


def test_bundled_stochastic_studies_are_valid():
    from pathlib import Path

    from workforce.studies.stochastic.spec import draw_table, load_stochastic_study

    folder = Path(__file__).resolve().parents[1] / "configs" / "studies" / "stochastic"
    specs = sorted(folder.glob("*.yaml"))
    assert specs
    for path in specs:
        spec, base = load_stochastic_study(path)
        assert (base / spec.scenario).exists()
        assert spec.montecarlo is None or len(draw_table(spec)) == spec.montecarlo.draws


def test_the_chart_is_in_the_manifest(study, tmp_path):
    """stochastic.png is written in the run folder's transaction and listed, with its hash, in the manifest."""
    import hashlib

    out = tmp_path / "run"
    assert run(study, "--out", out).exit_code == 0
    listed = json.loads((out / "manifest.json").read_text())["outputs"]["sha256"]
    assert listed["stochastic.png"] == hashlib.sha256((out / "stochastic.png").read_bytes()).hexdigest()
    assert not [p.name for p in tmp_path.iterdir() if p.name.startswith(".")]  # no staging left behind


def test_decomposition_from_the_study_file(study, tmp_path):
    """stochastic.method: decomposition gives the extensive form's RP (20) within its gap, with its bound."""
    study.write_text(NAMED.replace("  mip_gap: 0\n", "  mip_gap: 0\n  method: decomposition\n  target_gap: 0.001\n"))
    out = tmp_path / "run"
    result = run(study, "--out", out)
    assert result.exit_code == 0, result.output
    m = json.loads((out / "summary.json").read_text())["measures"]
    assert m["method"] == "decomposition"
    assert m["stochastic_bound"] <= 20 + 1e-6 <= m["stochastic_objective"] + 2e-6
    assert m["stochastic_objective"] - m["stochastic_bound"] <= 0.001 * 20 + 1e-6
    assert "proven lower bound" in result.output
