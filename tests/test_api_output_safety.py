"""The Python methods that write files obey the command line's rules (issue 14): never over a
file workforce did not write, never over a file a scenario reads, and whole or not at all."""

from __future__ import annotations

import copy
import hashlib
import json
from pathlib import Path

import matplotlib
import pytest

from tests.test_output_safety import DEMAND, READS_CSV
from tests.test_sweep import HAND
from workforce import load_scenario, scenario_from_dict, solve
from workforce.errors import ExportError
from workforce.studies.compare import compare

matplotlib.use("Agg")


def _plan(budget: float, name: str):
    spec = copy.deepcopy(HAND)
    spec["name"] = name
    spec["funding_streams"]["f"]["budget"] = budget
    return solve(scenario_from_dict(spec))


def _snapshot(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def comparison():
    return compare([_plan(4, "low"), _plan(8, "high")])


@pytest.fixture(scope="module")
def explanation():
    return _plan(4, "low").explain(what_if=1)


def test_comparison_to_csv_refuses_a_folder_holding_a_users_file(comparison, tmp_path):
    (tmp_path / "notes.txt").write_text("mine\n")
    (tmp_path / "results.csv").write_text("my own results\n")
    before = _snapshot(tmp_path)
    with pytest.raises(ExportError, match=r"results\.csv is in the way|notes\.txt is in the way"):
        comparison.to_csv(tmp_path)
    assert _snapshot(tmp_path) == before  # nothing written, nothing removed


def test_comparison_to_csv_writes_a_marked_folder_and_replaces_only_its_own(comparison, tmp_path):
    out = tmp_path / "c"
    comparison.to_csv(out)
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["tool"] == "workforce" and manifest["folder"] == "compare"
    assert set(manifest["outputs"]["sha256"]) == {"inputs.csv", "results.csv"}
    comparison.to_csv(out)  # its own folder: replaced as a whole
    assert sorted(p.name for p in out.iterdir()) == ["inputs.csv", "manifest.json", "results.csv"]
    (out / "results.csv").write_text("edited by hand\n")
    with pytest.raises(ExportError, match="changed after workforce wrote it"):
        comparison.to_csv(out)
    assert (out / "results.csv").read_text() == "edited by hand\n"


def test_comparison_to_csv_never_writes_over_a_file_a_scenario_reads(tmp_path):
    """A scenario whose demand table is data/demand.csv, the folder given to to_csv."""
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "demand.csv").write_text(DEMAND)
    (tmp_path / "s.yaml").write_text(READS_CSV)
    plan = solve(load_scenario(tmp_path / "s.yaml"))
    c = compare({"a": plan, "b": plan})
    (tmp_path / "data" / "inputs.csv").write_text("x\n")
    before = _snapshot(tmp_path)
    for target in (tmp_path / "data", tmp_path):
        with pytest.raises(ExportError, match="which the scenario or study reads"):
            c.to_csv(target)
        with pytest.raises(ExportError, match="which the scenario or study reads"):
            plan.explain(what_if=0).to_csv(target)
    assert _snapshot(tmp_path) == before


def test_explanation_to_csv_refuses_a_planted_file_and_writes_whole(explanation, tmp_path):
    (tmp_path / "explain_binding.csv").write_text("stale\n")
    with pytest.raises(ExportError, match="explain_binding.csv is in the way"):
        explanation.to_csv(tmp_path)
    assert [p.name for p in tmp_path.iterdir()] == ["explain_binding.csv"]
    assert (tmp_path / "explain_binding.csv").read_text() == "stale\n"
    out = tmp_path / "e"
    explanation.to_csv(out)
    names = {p.name for p in out.iterdir()}
    assert names == {"manifest.json"} | {f"explain_{n}.csv" for n in explanation.tables()}
    explanation.to_csv(out)  # its own folder again: replaced
    assert {p.name for p in out.iterdir()} == names


def test_explanation_to_csv_leaves_nothing_when_a_table_fails(explanation, tmp_path, monkeypatch):
    out = tmp_path / "e"
    explanation.to_csv(out)
    before = _snapshot(out)

    def broken(self, folder):
        (folder / "explain_limits.csv").write_text("half")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(type(explanation), "write_tables", broken)
    with pytest.raises(ExportError, match="the disk is full"):
        explanation.to_csv(out)
    assert _snapshot(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["e"]  # no staging folder left


def test_draw_all_refuses_a_users_folder_and_writes_a_charts_folder(tmp_path):
    from workforce.plots import draw_all

    plan = _plan(8, "high")
    (tmp_path / "figure1.png").write_bytes(b"my own figure")
    with pytest.raises(ExportError, match="figure1.png is in the way"):
        draw_all(plan, tmp_path, ("png",))
    assert [p.name for p in tmp_path.iterdir()] == ["figure1.png"]
    written = draw_all(plan, tmp_path / "charts", ("png",))
    assert written and all(p.parent == tmp_path / "charts" and p.is_file() for p in written)
    assert json.loads((tmp_path / "charts" / "manifest.json").read_text())["folder"] == "charts"


def test_save_figure_never_overwrites_an_image_workforce_did_not_write(comparison, tmp_path):
    from workforce.plots.studies import save_figure

    theirs = tmp_path / "comparison.png"
    theirs.write_bytes(b"\x89PNG\r\n\x1a\n someone else's picture")
    with pytest.raises(ExportError, match="a file workforce did not write is there"):
        save_figure(comparison.chart(), theirs)
    assert theirs.read_bytes() == b"\x89PNG\r\n\x1a\n someone else's picture"
    ours = tmp_path / "ours.png"
    save_figure(comparison.chart(), ours)
    first = ours.read_bytes()
    save_figure(comparison.chart(), ours)  # its own image: replaced
    assert ours.read_bytes() == first


def test_style_save_never_overwrites_an_svg_workforce_did_not_write(comparison, tmp_path):
    from workforce.plots.style import save

    (tmp_path / "c.svg").write_text("<svg xmlns='http://www.w3.org/2000/svg'/>")
    with pytest.raises(ExportError, match="did not write"):
        save(comparison.chart(), tmp_path / "c", ("svg",))
    assert (tmp_path / "c.svg").read_text() == "<svg xmlns='http://www.w3.org/2000/svg'/>"
    save(comparison.chart(), tmp_path / "d", ("svg", "pdf"))
    save(comparison.chart(), tmp_path / "d", ("svg", "pdf"))  # its own: replaced


def test_a_study_resumed_over_its_chart_from_an_older_version_replaces_it(tmp_path):
    """The study store admits only the study's own files into its folder, so its sweep.png is
    the study's even when an older workforce drew it without the metadata (vouched for)."""
    from click.testing import CliRunner

    from tests.test_sweep import GRID
    from workforce.cli.commands import main

    (tmp_path / "hand.yaml").write_text(json.dumps(HAND))
    grid = copy.deepcopy(GRID)
    grid["grid"]["parameters"]["budget"]["values"] = [1, 2]
    (tmp_path / "grid.yaml").write_text(json.dumps(grid))
    args = ["sweep", str(tmp_path / "grid.yaml"), "--out", str(tmp_path / "s"), "--workers", "1", "--no-progress"]
    assert CliRunner().invoke(main, args).exit_code == 0
    (tmp_path / "s" / "sweep.png").write_bytes(b"\x89PNG\r\n\x1a\n drawn by an older workforce")
    again = CliRunner().invoke(main, args)
    assert again.exit_code == 0, again.output
    assert b"tEXtSoftware\x00workforce" in (tmp_path / "s" / "sweep.png").read_bytes()
