"""What a killed or older workforce left behind (issue 14 §5): the next command into the same
parent removes the staging folders of processes that no longer run and says so, never one whose
process still runs, and puts back a folder a killed swap had moved aside; a run folder from before
the marker is accepted only when its manifest proves every file, else refused with a message that
says how to proceed."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from click.testing import CliRunner

from tests import test_output_safety as safety_tests
from tests.test_output_safety import SIGNAL_SCRIPT, assert_same, snapshot
from workforce.cli.commands import main
from workforce.output_safety import MANIFEST

proj = safety_tests.proj  # the planner's project fixture


def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_sigkill_leaves_a_partial_that_the_next_command_in_that_folder_removes_and_names(proj):
    assert CliRunner().invoke(main, ["run", "s.yaml", "--out", "out"]).exit_code == 0
    killed = subprocess.run([sys.executable, "-c", SIGNAL_SCRIPT.format(sig="SIGKILL", when="tables")], cwd=proj,
                            env={**os.environ, "MPLBACKEND": "Agg"}, capture_output=True, text=True, timeout=300)
    assert killed.returncode == -9
    partials = [p for p in proj.iterdir() if p.name.startswith(".out.partial-")]
    assert len(partials) == 1
    before = {k: v for k, v in snapshot(proj).items() if not k.startswith(".out.partial-")}
    # another command, another output name, the same parent
    result = CliRunner().invoke(main, ["plot", "out", "--out", "figures", "--format", "png"])
    assert result.exit_code == 0, result.output
    assert f"note: removed {partials[0]}, an unfinished output folder left by workforce process" in result.output
    assert not partials[0].exists()
    after = snapshot(proj)
    assert {k: v for k, v in after.items() if not k.startswith("figures")} == before  # the earlier run intact


def test_a_partial_whose_process_still_runs_is_never_removed(proj):
    alive = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"])
    try:
        busy = proj / f".other.partial-{alive.pid}-abcdefgh"
        busy.mkdir()
        (busy / "intake.csv").write_text("being written\n")
        dead = proj / f".stale.partial-{_dead_pid()}-abcdefgh"
        dead.mkdir()
        result = CliRunner().invoke(main, ["run", "s.yaml", "--out", "out"])
        assert result.exit_code == 0, result.output
        assert (busy / "intake.csv").read_text() == "being written\n"
        assert str(busy) not in result.output
        assert not dead.exists() and f"note: removed {dead}" in result.output
    finally:
        alive.kill()
        alive.wait()


def test_a_folder_moved_aside_by_a_killed_swap_is_put_back(proj):
    assert CliRunner().invoke(main, ["run", "s.yaml", "--out", "out"]).exit_code == 0
    aside = proj / f".out.previous-{_dead_pid()}-abcdefgh"
    os.rename(proj / "out", aside)  # killed between the two renames of swap_in
    earlier = snapshot(aside)
    result = CliRunner().invoke(main, ["run", "s.yaml", "--out", "elsewhere"])
    assert result.exit_code == 0, result.output
    assert f"note: restored {proj / 'out'}" in result.output
    assert snapshot(proj / "out") == earlier and not aside.exists()


def _older(folder, drop=("tool", "folder", "folder_format")):
    """Rewrite a run folder's manifest as a workforce from before the marker wrote it."""
    record = json.loads((folder / MANIFEST).read_text())
    for key in drop:
        record.pop(key)
    (folder / MANIFEST).write_text(json.dumps(record))


def test_an_older_run_folder_whose_manifest_proves_every_file_is_replaced(proj):
    assert CliRunner().invoke(main, ["run", "s.yaml", "--out", "old"]).exit_code == 0
    _older(proj / "old")
    result = CliRunner().invoke(main, ["run", "s.yaml", "--out", "old"])
    assert result.exit_code == 0, result.output
    assert json.loads((proj / "old" / MANIFEST).read_text())["tool"] == "workforce"


@pytest.mark.parametrize("spoil", ["extra file", "edited file", "kind"])
def test_an_older_run_folder_not_proven_is_refused_with_the_way_forward(proj, spoil):
    assert CliRunner().invoke(main, ["run", "s.yaml", "--out", "old"]).exit_code == 0
    _older(proj / "old")
    if spoil == "extra file":
        (proj / "old" / "my_notes.txt").write_text("mine\n")
    elif spoil == "edited file":
        (proj / "old" / "intake.csv").write_text("edited\n")
    before = snapshot(proj.parent)
    args = ["explain", "s.yaml", "--out", "old"] if spoil == "kind" else ["run", "s.yaml", "--out", "old"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 4, result.output
    assert "older workforce" in result.output and "remove old yourself if you no longer need it" in result.output
    assert "choose a new folder with --out" in result.output and "nothing was changed" in result.output
    if spoil != "kind":
        assert ("my_notes.txt" if spoil == "extra file" else "intake.csv") in result.output
    assert "Traceback" not in result.output
    assert_same(proj.parent, before)
