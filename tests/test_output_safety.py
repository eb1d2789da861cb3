"""Data loss: no command deletes or overwrites a file it cannot prove it wrote (issue 14 §1, §5).

Every writing command (run, plot, compare, explain, sweep, montecarlo, schema, the regional report)
is pointed at each dangerous --out: the scenario's folder, ``.``, a folder with foreign files, a
folder with a planted manifest.json or summary.json, an existing file, a folder the scenario reads.
Each case asserts the exit code, a message naming what is in the way, no traceback, and that every
file that existed before still exists byte for byte, with nothing new beside it.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

import workforce.output_safety as safety
from workforce import load_scenario, solve
from workforce.cli.commands import main
from workforce.errors import ExportError

from scenarios import MINIMAL_YAML, edit  # isort: skip
from tests.terminal import terminal

ROOT = Path(__file__).resolve().parents[1]
INLINE_DEMAND = "    demand:\n      E1: {2026: 10, 2027: 11, 2028: 12}\n      E2: 20\n"
READS_CSV = edit(MINIMAL_YAML, INLINE_DEMAND, "    demand: {file: data/demand.csv}\n\n\n")
DEMAND = "region,year,value\nE1,2026,10\nE1,2027,11\nE1,2028,12\nE2,2026,20\nE2,2027,20\nE2,2028,20\n"
GRID = """\
name: tiny sweep
scenario: s.yaml
grid:
  parameters:
    places:
      path: programmes.dedpsy.places
      op: scale
      values: [1, 2]
"""
MONTE = """\
name: tiny draws
scenario: s.yaml
montecarlo:
  draws: 2
  seed: 1
  parameters:
    attrition:
      path: roles.ep.attrition
      distribution: uniform
      low: 0.05
      high: 0.1
"""


def snapshot(root: Path) -> dict[str, bytes | None]:
    """Every file and folder under ``root``: files by their bytes, folders as None."""
    return {p.relative_to(root).as_posix(): (None if p.is_dir() else p.read_bytes()) for p in sorted(root.rglob("*"))}


def assert_same(root: Path, before: dict[str, bytes | None]) -> None:
    after = snapshot(root)
    lost = sorted(k for k in before if k not in after)
    changed = sorted(k for k in before if k in after and after[k] != before[k])
    added = sorted(k for k in after if k not in before)
    assert not lost and not changed, f"lost {lost}, changed {changed}"
    assert not added, f"left behind: {added}"


@pytest.fixture
def proj(tmp_path, monkeypatch):
    """A planner's project: a scenario reading data/demand.csv, studies, notes, and folders that
    look like outputs (a planted manifest.json, a stray summary.json), plus an earlier run."""
    p = tmp_path / "proj"
    (p / "data").mkdir(parents=True)
    (p / "s.yaml").write_text(READS_CSV)
    (p / "data" / "demand.csv").write_text(DEMAND)
    (p / "study.yaml").write_text(GRID)
    (p / "mc.yaml").write_text(MONTE)
    (p / "notes.txt").write_text("my notes\n")
    (p / "mine").mkdir()
    (p / "mine" / "budget.xlsx").write_bytes(b"PK\x03\x04 not really")
    (p / "planted").mkdir()
    (p / "planted" / "manifest.json").write_text('{"manifest_version": 1, "outputs": {"sha256": {}}}\n')
    (p / "planted" / "analysis.csv").write_text("a,b\n1,2\n")
    (p / "stale").mkdir()
    (p / "stale" / "summary.json").write_text("{}\n")
    (p / "stale" / "draft.docx").write_bytes(b"draft")
    solve(load_scenario(p / "s.yaml")).export(tmp_path / "runs" / "r1")
    monkeypatch.chdir(p)
    return p


TARGETS = {  # --out → a file name the refusal must name
    "scenario folder": ("{proj}", None),
    "current folder": (".", None),
    "foreign files": ("mine", "budget.xlsx"),
    "planted manifest": ("planted", "manifest.json"),
    "stray summary": ("stale", "draft.docx"),
    "existing file": ("notes.txt", "notes.txt"),
    "folder the scenario reads": ("data", "demand.csv"),
}
COMMANDS = {
    "run": ["run", "s.yaml"],
    "plot": ["plot", "{runs}/r1"],
    "compare": ["compare", "s.yaml", "s.yaml"],
    "explain": ["explain", "s.yaml", "--what-if", "0"],
    "sweep": ["sweep", "study.yaml", "--workers", "1", "--no-progress"],
    "sweep --restart": ["sweep", "study.yaml", "--workers", "1", "--no-progress", "--restart"],
    "montecarlo": ["montecarlo", "mc.yaml", "--workers", "1", "--no-progress"],
}


@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("command", COMMANDS)
def test_no_command_writes_into_a_folder_it_did_not_make(proj, command, target):
    out, named = TARGETS[target]
    out = out.format(proj=proj)
    args = [a.format(runs=proj.parent / "runs") for a in COMMANDS[command]]
    before = snapshot(proj.parent)
    result = CliRunner().invoke(main, [*args, "--out", out])
    assert result.exit_code == 4, result.output
    assert "Traceback" not in result.output and result.exception is None or isinstance(result.exception, SystemExit)
    message = result.output.splitlines()[-1] if result.output else ""
    if named is None:  # the scenario's (and current) folder: an input it reads, the file in the way, or cwd
        inputs = ("s.yaml", "demand.csv", "data", "mc.yaml", "study.yaml", "current folder")
        assert any(name in message for name in inputs), message
    else:
        assert named in message, message
    assert_same(proj.parent, before)


@pytest.mark.parametrize("out", ["s.yaml", "data/demand.csv", "notes.txt", "study.yaml"])
def test_schema_never_writes_over_a_file_it_did_not_generate(proj, out):
    before = snapshot(proj.parent)
    result = CliRunner().invoke(main, ["schema", "--out", out])
    assert result.exit_code == 4, result.output
    assert f"{out}: the file there was not written by workforce" in result.output
    assert_same(proj.parent, before)


def test_schema_replaces_its_own_earlier_files(proj):
    runner = CliRunner()
    assert runner.invoke(main, ["schema", "--out", "gen/schema.json", "--reference", "gen/ref.md"]).exit_code == 0
    (proj / "gen" / "schema.json").write_text((proj / "gen" / "schema.json").read_text() + " ")  # an older version
    result = runner.invoke(main, ["schema", "--out", "gen/schema.json", "--reference", "gen/ref.md"])
    assert result.exit_code == 0, result.output
    assert not (proj / "gen" / "schema.json").read_text().endswith(" ")


@pytest.mark.parametrize("case", ["foreign report", "scenario's csv", "existing file as folder"])
def test_the_regional_report_replaces_only_its_own_report(proj, case):
    sys.path.insert(0, str(ROOT / "examples"))
    try:
        import regional_report
    finally:
        sys.path.remove(str(ROOT / "examples"))
    if case == "foreign report":
        (proj / "reports").mkdir()
        (proj / "reports" / "report_E1.html").write_text("<html>my own report</html>")
        out = "reports"
    elif case == "scenario's csv":
        out = "data/demand.csv/.."  # resolves to data/, whose demand.csv is read: the report name differs
        (proj / "data" / "report_E1.html").symlink_to(proj / "data" / "demand.csv")
    else:
        out = "notes.txt"
    before = snapshot(proj.parent)
    code = regional_report.main(["--region", "E1", "--scenario", "s.yaml", "--out", out])
    assert code == 4
    assert_same(proj.parent, before)
    shutil.rmtree(proj / "fresh", ignore_errors=True)
    assert regional_report.main(["--region", "E1", "--scenario", "s.yaml", "--out", "fresh"]) == 0
    assert regional_report.main(["--region", "E1", "--scenario", "s.yaml", "--out", "fresh"]) == 0, "its own: replaced"


# ----------------------------------------------------------------------------------------------
# What the tool wrote, it may replace; anything added or edited stops it
# ----------------------------------------------------------------------------------------------


def test_a_run_replaces_its_own_run_and_lists_what_it_wrote(proj):
    runner = CliRunner()
    first = runner.invoke(main, ["run", "s.yaml", "--out", "out"])
    assert first.exit_code == 0, first.output
    assert "Wrote flows.csv, intake.csv, manifest.json, spend.csv, spend_detail.csv, summary.json, workforce.csv to out/" \
        in first.output
    record = json.loads((proj / "out" / "manifest.json").read_text())
    assert {k: record[k] for k in ("tool", "folder", "folder_format")} == safety.marker("run")
    assert set(record["outputs"]["sha256"]) == {p.name for p in (proj / "out").iterdir()} - {"manifest.json"}
    again = runner.invoke(main, ["run", "s.yaml", "--out", "out", "--format", "xlsx"])
    assert again.exit_code == 0, again.output
    assert not (proj / "out" / "intake.csv").exists(), "the earlier run was replaced as a whole"


@pytest.mark.parametrize("tamper", ["added", "edited", "linked", "nested"])
def test_a_run_folder_with_anything_added_or_edited_is_never_replaced(proj, tamper):
    runner = CliRunner()
    assert runner.invoke(main, ["run", "s.yaml", "--out", "out"]).exit_code == 0
    culprit = {"added": "out/my_analysis.csv", "edited": "out/intake.csv", "linked": "out/link.yaml",
               "nested": "out/extra/keep.txt"}[tamper]
    if tamper == "linked":
        os.symlink(proj / "s.yaml", culprit)
    else:
        Path(culprit).parent.mkdir(exist_ok=True)
        with open(culprit, "a") as fh:
            fh.write("mine\n")
    before = snapshot(proj.parent)
    result = runner.invoke(main, ["run", "s.yaml", "--out", "out"])
    assert result.exit_code == 4
    assert f"{Path(culprit).name} is in the way" in result.output
    assert_same(proj.parent, before)


def test_charts_drawn_by_plot_stay_replaceable(proj):
    runner = CliRunner()
    assert runner.invoke(main, ["run", "s.yaml", "--out", "out"]).exit_code == 0
    plotted = runner.invoke(main, ["plot", "out", "--format", "png"])
    assert plotted.exit_code == 0, plotted.output
    assert json.loads((proj / "out" / "charts" / "manifest.json").read_text())["folder"] == "charts"
    assert runner.invoke(main, ["plot", "out", "--format", "png"]).exit_code == 0, "its own charts are replaced"
    assert runner.invoke(main, ["run", "s.yaml", "--out", "out"]).exit_code == 0, "a run with its charts is replaced"
    assert not (proj / "out" / "charts").exists()


def test_plot_never_writes_into_the_run_it_reads(proj):
    assert CliRunner().invoke(main, ["run", "s.yaml", "--out", "out"]).exit_code == 0
    before = snapshot(proj.parent)
    result = CliRunner().invoke(main, ["plot", "out", "--out", "out"])
    assert result.exit_code == 4 and "which the scenario or study reads" in result.output
    assert_same(proj.parent, before)


def test_compare_never_overwrites_a_table_a_scenario_reads(tmp_path, monkeypatch):
    """The issue's case: a.yaml reads inputs.csv and `compare a.yaml b.yaml --out .` wrote inputs.csv."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "a.yaml").write_text(edit(MINIMAL_YAML, INLINE_DEMAND, "    demand: {file: inputs.csv}\n\n\n"))
    (tmp_path / "inputs.csv").write_text(DEMAND)
    (tmp_path / "b.yaml").write_text(MINIMAL_YAML)
    before = snapshot(tmp_path)
    for out in (".", str(tmp_path), "inputs.csv"):
        result = CliRunner().invoke(main, ["compare", "a.yaml", "b.yaml", "--out", out])
        assert result.exit_code == 4, result.output
        assert_same(tmp_path, before)
    result = CliRunner().invoke(main, ["compare", "a.yaml", "b.yaml", "--out", "cmp"])
    assert result.exit_code == 0, result.output
    assert "Wrote comparison.png, inputs.csv, manifest.json, results.csv to cmp/" in result.output
    assert CliRunner().invoke(main, ["compare", "a.yaml", "b.yaml", "--out", "cmp"]).exit_code == 0


# ----------------------------------------------------------------------------------------------
# run --charts is one transaction
# ----------------------------------------------------------------------------------------------


def test_ctrl_c_while_drawing_charts_leaves_the_earlier_run_exactly_as_it_was(proj, monkeypatch):
    import workforce.plots.style as style

    assert CliRunner().invoke(main, ["run", "s.yaml", "--out", "out", "--charts"]).exit_code == 0
    before = snapshot(proj.parent)
    real, calls = style.save, []

    def interrupted(*args, **kwargs):
        calls.append(1)
        if len(calls) == 3:
            raise KeyboardInterrupt
        return real(*args, **kwargs)

    monkeypatch.setattr(style, "save", interrupted)
    result = CliRunner().invoke(main, ["run", "s.yaml", "--out", "out", "--charts", "--format", "xlsx"])
    assert result.exit_code == 130 and "no outputs were written" in result.output
    assert len(calls) == 3
    assert_same(proj.parent, before)


SIGNAL_SCRIPT = """
import os, signal, sys
import workforce.plots.style as style
import workforce.output_safety as safety
calls, saves = [], []
import atexit  # says, if the run is not interrupted, whether the signal was sent and could arrive
atexit.register(lambda: sys.stderr.write(f"[saves {{len(saves)}}, writes {{len(calls)}}, SIGINT handler "
                                         f"{{signal.getsignal(signal.SIGINT)}}, blocked "
                                         f"{{sorted(signal.pthread_sigmask(signal.SIG_BLOCK, []))}}]\\n"))
real_save, real_write = style.save, safety.atomic_write
def save(*a, **k):
    saves.append(1)
    if {when!r} == "charts" and len(saves) == 2:
        os.kill(os.getpid(), signal.{sig})
    return real_save(*a, **k)
def write(target, fn):
    calls.append(1)
    if {when!r} == "tables" and len(calls) == 3:
        os.kill(os.getpid(), signal.{sig})
    return real_write(target, fn)
style.save, safety.atomic_write = save, write
import workforce.output.export
workforce.output.export.atomic_write = write
from workforce.cli.commands import main
sys.argv = ["workforce", "run", "s.yaml", "--out", "out", "--charts"]
main()
"""


@pytest.mark.parametrize(("sig", "when"), [("SIGINT", "charts"), ("SIGINT", "tables"), ("SIGKILL", "tables"),
                                            ("SIGKILL", "charts")])
def test_a_signal_during_run_charts_leaves_the_earlier_run_and_no_partial_folder(proj, sig, when):
    assert CliRunner().invoke(main, ["run", "s.yaml", "--out", "out"]).exit_code == 0
    before = snapshot(proj.parent)
    env = {**os.environ, "MPLBACKEND": "Agg"}
    done = subprocess.run([sys.executable, "-c", SIGNAL_SCRIPT.format(sig=sig, when=when)], cwd=proj, env=env,
                          capture_output=True, text=True, timeout=300,
                          preexec_fn=terminal)
    if sig == "SIGINT":
        assert done.returncode == 130, (done.stdout, done.stderr)
        assert "Traceback" not in done.stderr and "interrupted" in done.stderr
        assert_same(proj.parent, before)
    else:
        assert done.returncode == -9
        orphans = [p.name for p in proj.iterdir() if p.name.startswith(".out.partial-")]
        assert orphans, "the killed process left its staging folder (hidden) and nothing else"
        for orphan in orphans:
            shutil.rmtree(proj / orphan)
        assert_same(proj.parent, before)  # the earlier run is intact
        for orphan in orphans:
            (proj / orphan).mkdir()
        assert CliRunner().invoke(main, ["run", "s.yaml", "--out", "out"]).exit_code == 0
        assert not [p for p in proj.iterdir() if p.name.startswith(".out.partial-")], "orphans cleared next run"


# ----------------------------------------------------------------------------------------------
# Full disk and read-only folder: a real tmpfs when root may mount one, else simulated
# ----------------------------------------------------------------------------------------------


@pytest.fixture
def small_disk(tmp_path):
    mount = tmp_path / "disk"
    mount.mkdir()
    if os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("mounting a small tmpfs needs root; the simulated cases cover this")
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(mount)], capture_output=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode().strip()}")
    yield mount
    subprocess.run(["umount", "-l", str(mount)], capture_output=True)


def _fill(folder: Path) -> None:
    with open(folder / "filler", "wb") as fh:
        try:
            while True:
                fh.write(b"\0" * 65536)
                fh.flush()
        except OSError:
            pass


def test_a_real_full_disk_leaves_the_earlier_run_and_no_partial_folder(proj, small_disk):
    out = small_disk / "run"
    assert CliRunner().invoke(main, ["run", "s.yaml", "--out", str(out), "--format", "csv,xlsx"]).exit_code == 0
    _fill(small_disk)
    before = snapshot(small_disk)
    result = CliRunner().invoke(main, ["run", "s.yaml", "--out", str(out), "--format", "csv,xlsx", "--charts"])
    assert result.exit_code == 4, result.output
    assert "the disk is full" in result.output and "Traceback" not in result.output
    assert_same(small_disk, before)


def test_a_real_read_only_folder_leaves_the_earlier_run(proj, small_disk):
    out = small_disk / "run"
    assert CliRunner().invoke(main, ["run", "s.yaml", "--out", str(out)]).exit_code == 0
    before = snapshot(small_disk)
    done = subprocess.run(["mount", "-o", "remount,ro", str(small_disk)], capture_output=True)
    if done.returncode != 0:
        pytest.skip("cannot remount the tmpfs read-only")
    for args in (["run", "s.yaml", "--out", str(out)], ["sweep", "study.yaml", "--out", str(small_disk / "st"),
                                                          "--workers", "1", "--no-progress"]):
        result = CliRunner().invoke(main, args)
        assert result.exit_code == 4, result.output
        assert "read-only" in result.output and "Traceback" not in result.output
    assert_same(small_disk, before)


@pytest.mark.parametrize("code", ["ENOSPC", "EROFS"])
def test_simulated_write_failures_inside_chart_drawing_leave_the_earlier_run(proj, monkeypatch, code):
    import errno

    import workforce.plots.style as style

    assert CliRunner().invoke(main, ["run", "s.yaml", "--out", "out"]).exit_code == 0
    before = snapshot(proj.parent)

    def refuse(*args, **kwargs):
        raise OSError(getattr(errno, code), os.strerror(getattr(errno, code)))

    monkeypatch.setattr(style, "save", refuse)
    result = CliRunner().invoke(main, ["run", "s.yaml", "--out", "out", "--charts"])
    assert result.exit_code == 4, result.output
    assert safety.REASONS[code] in result.output
    assert_same(proj.parent, before)


# ----------------------------------------------------------------------------------------------
# The study store (issue 21): never deletes what it did not write
# ----------------------------------------------------------------------------------------------


def _sweep(*extra: str):
    return CliRunner().invoke(main, ["sweep", "study.yaml", "--workers", "1", "--no-progress", *extra])


def test_sweep_into_a_project_whose_results_folder_holds_git_keeps_every_file(proj):
    """The issue's case: `sweep --out .` with results/.git and results/.gitignore deleted both."""
    (proj / "results" / ".git").mkdir(parents=True)
    (proj / "results" / ".git" / "HEAD").write_text("ref: refs/heads/main\n")
    (proj / "results" / ".gitignore").write_text("*.parquet\n")
    before = snapshot(proj.parent)
    for extra in ([], ["--restart"]):
        for out in (".", "results", str(proj)):
            result = _sweep("--out", out, *extra)
            assert result.exit_code == 4, result.output
            assert_same(proj.parent, before)


def test_sweep_into_an_earlier_run_is_refused(proj):
    assert CliRunner().invoke(main, ["run", "s.yaml", "--out", "out"]).exit_code == 0
    before = snapshot(proj.parent)
    result = _sweep("--out", "out")
    assert result.exit_code == 4 and "manifest.json is in the way" in result.output
    assert_same(proj.parent, before)


def test_restart_removes_only_the_study_folder_made_for_that_study(proj):
    first = _sweep("--out", "st")
    assert first.exit_code == 0, first.output
    record = json.loads((proj / "st" / "study.json").read_text())
    assert {k: record[k] for k in ("tool", "folder", "folder_format")} == {
        "tool": "workforce", "folder": "study", "folder_format": 1}
    assert _sweep("--out", "st", "--restart").exit_code == 0, "its own study folder is restarted"
    (proj / "st" / "results" / "my_notes.md").write_text("keep\n")
    before = snapshot(proj.parent)
    for extra in ([], ["--restart"]):
        result = _sweep("--out", "st", *extra)
        assert result.exit_code == 4 and "my_notes.md is in the way" in result.output, result.output
        assert_same(proj.parent, before)
    (proj / "st" / "results" / "my_notes.md").unlink()
    other = (proj / "study.yaml").read_text().replace("name: tiny sweep", "name: another sweep")
    (proj / "other.yaml").write_text(other)
    before = snapshot(proj.parent)
    result = CliRunner().invoke(main, ["sweep", "other.yaml", "--out", "st", "--restart", "--workers", "1"])
    assert result.exit_code == 4 and "holds the study 'tiny sweep'" in result.output
    assert_same(proj.parent, before)


# ----------------------------------------------------------------------------------------------
# The checks themselves
# ----------------------------------------------------------------------------------------------


def test_a_manifest_with_the_marker_but_a_wrong_listing_proves_nothing(tmp_path):
    folder = tmp_path / "f"
    folder.mkdir()
    (folder / "data.csv").write_text("x\n")
    record = {**safety.marker("run"), "outputs": {"sha256": {"data.csv": "0" * 64}}}
    (folder / "manifest.json").write_text(json.dumps(record))
    assert "data.csv is in the way (it changed after workforce wrote it)" in safety.unowned(folder, "run")
    record["outputs"]["sha256"]["data.csv"] = safety.sha256_file(folder / "data.csv")
    (folder / "manifest.json").write_text(json.dumps(record))
    assert safety.unowned(folder, "run") is None
    assert "not a compare folder" in safety.unowned(folder, "compare")
    record["folder_format"] = 99
    (folder / "manifest.json").write_text(json.dumps(record))
    assert "manifest.json is in the way" in safety.unowned(folder, "run")


def test_write_folder_never_replaces_the_current_folder_even_when_empty(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ExportError, match="current folder"):
        safety.write_folder(".", "compare", lambda f: (f / "x.csv").write_text("1\n"))
    with pytest.raises(ExportError, match="current folder or one of its parents"):
        safety.write_folder("..", "compare", lambda f: (f / "x.csv").write_text("1\n"))
    assert list(tmp_path.iterdir()) == []


def test_every_json_the_tool_writes_is_valid_json():
    import numpy as np

    text = safety.json_text({"a": float("nan"), "b": [np.float64("inf"), np.int64(3)], "c": (1.5, None)})
    assert json.loads(text) == {"a": None, "b": [None, 3], "c": [1.5, None]}
    assert "NaN" not in text and "Infinity" not in text


def test_the_sweep_failure_records_are_valid_json(tmp_path):
    from workforce.studies.store import StudyStore

    store = StudyStore(tmp_path / "st")
    store.prepare({"name": "x", "spec_sha256": "a", "scenario_sha256": "b"}, restart=False)
    store.write_failure(0, {"point": 0, "status": "failed", "objective": float("nan")})
    text = (tmp_path / "st" / "failures" / "point=000000.json").read_text()
    json.loads(text, parse_constant=lambda c: pytest.fail(f"invalid JSON constant {c}"))
    assert textwrap.dedent(text).strip().startswith("{")


def test_a_full_disk_at_the_end_of_a_sweep_keeps_the_finished_points_and_says_so(proj, monkeypatch):
    import errno

    import workforce.studies.store as store

    real = store.write_text_atomic

    def full(path, text):
        if path.name == "points.csv":
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real(path, text)

    monkeypatch.setattr(store, "write_text_atomic", full)
    result = _sweep("--out", "st")
    assert result.exit_code == 4, result.output
    assert "the disk is full" in result.output and "The 2 finished points in st are kept" in result.output
    assert "No outputs were written" not in result.output and "Traceback" not in result.output
    assert len(list((proj / "st" / "results").glob("point=*"))) == 2
