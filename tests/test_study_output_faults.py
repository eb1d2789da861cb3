"""Study output faults (issue 21, "Crashes and lost studies"): `workforce sweep` and `workforce
montecarlo` writing into a read-only folder, run from a deleted current folder, and printing to a
standard output its reader has closed. Each gives the README's exit code (4: outputs could not be
written; 0 when absolute paths still work; 130: standard output closed), a message that is true
("nothing was written" only when nothing was; finished points counted), no traceback, and every
file that was there before is still there, byte for byte.

All cases share one tiny scenario (two regions, three years) and a two-point study.
"""

from __future__ import annotations

import errno
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from workforce.cli.commands import main

from scenarios import MINIMAL_YAML  # isort: skip
from test_output_safety import GRID, MONTE, assert_same, snapshot  # isort: skip


@pytest.fixture
def proj(tmp_path, monkeypatch):
    p = tmp_path / "proj"
    p.mkdir()
    (p / "s.yaml").write_text(MINIMAL_YAML)
    (p / "study.yaml").write_text(GRID)
    (p / "mc.yaml").write_text(MONTE)
    monkeypatch.chdir(p)
    return p


def _study(command: str, proj: Path, out: str | Path, workers: int = 1, *extra: str):
    spec = proj / ("mc.yaml" if command == "montecarlo" else "study.yaml")
    return CliRunner().invoke(main, [command, str(spec), "--out", str(out), "--workers", str(workers),
                                     "--no-progress", *extra])


def _clean(result, code: int) -> str:
    assert result.exit_code == code, result.output
    assert "Traceback" not in result.output and "internal error" not in result.output
    return result.output


# ----------------------------------------------------------------------------------------------
# A read-only folder
# ----------------------------------------------------------------------------------------------


@pytest.fixture
def read_only(tmp_path):
    """A function that makes a folder read-only for this process, undone at teardown. Not root:
    chmod 0555. Root ignores permissions, so there a small tmpfs is mounted and remounted
    read-only; where root may not mount (a container without CAP_SYS_ADMIN), the test is skipped
    with that reason (the simulated and ENOTDIR cases below still run)."""
    undo = []

    def make(folder: Path) -> None:
        if os.geteuid() != 0:
            for sub in [folder, *(p for p in folder.rglob("*") if p.is_dir())]:
                sub.chmod(0o555)
                undo.append(lambda sub=sub: sub.chmod(0o755))
            return
        done = subprocess.run(["mount", "-o", "remount,ro", str(folder)], capture_output=True)
        if done.returncode != 0:
            pytest.skip(f"root ignores chmod, and remounting read-only failed: {done.stderr.decode().strip()}")

    def disk(folder: Path) -> Path:
        folder.mkdir()
        if os.geteuid() == 0:
            if shutil.which("mount") is None:
                pytest.skip("running as root, which ignores chmod, and there is no mount to make a read-only tmpfs")
            done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(folder)], capture_output=True)
            if done.returncode != 0:
                pytest.skip(f"running as root, which ignores chmod, and a tmpfs cannot be mounted here: "
                            f"{done.stderr.decode().strip()}")
            undo.append(lambda: subprocess.run(["umount", "-l", str(folder)], capture_output=True))
        return folder

    make.disk = disk
    yield make
    for step in reversed(undo):
        step()


@pytest.mark.parametrize(("command", "workers"), [("sweep", 1), ("sweep", 2), ("montecarlo", 1), ("montecarlo", 2)])
def test_a_study_into_a_read_only_folder_exits_4_saying_nothing_was_written(proj, read_only, command, workers):
    disk = read_only.disk(proj / "disk")
    (disk / "mine.txt").write_text("my notes\n")
    (disk / "empty").mkdir()
    read_only(disk)
    before = snapshot(disk)
    for out in (disk / "new", disk / "empty"):
        said = _clean(_study(command, proj, out, workers), 4)
        assert "read-only" in said or "permission denied" in said, said
        assert "Nothing was written" in said or f"No finished point is in {out}" in said, said
        assert "kept" not in said, "no point was finished, so none is kept"
    assert_same(disk, before)


def test_resuming_a_study_whose_folder_became_read_only_counts_the_points_kept(proj, read_only):
    disk = read_only.disk(proj / "disk")
    assert _study("sweep", proj, disk / "st").exit_code == 0
    shutil.rmtree(disk / "st" / "results" / "point=000001")  # one point left to solve on resume
    read_only(disk)
    before = snapshot(disk)
    for workers in (1, 2):
        said = _clean(_study("sweep", proj, disk / "st", workers), 4)
        assert f"The 1 finished point in {disk / 'st'} is kept, and a rerun resumes from there" in said, said
        assert "Nothing was written" not in said
    assert_same(disk, before)


def _fill(folder: Path) -> None:
    with open(folder / "filler", "wb") as fh:
        try:
            while True:
                fh.write(b"\0" * 65536)
                fh.flush()
        except OSError:
            pass


def test_a_study_on_a_full_disk_exits_4_and_counts_what_is_kept(proj, read_only):
    """A real full disk (a 4 MB tmpfs, filled): a new study writes nothing (its empty folders are
    removed again); a resumed one keeps its finished point and says so."""
    if os.geteuid() != 0:
        pytest.skip("a real full disk needs a tmpfs, which only root may mount; the simulated cases cover it")
    disk = read_only.disk(proj / "disk")
    assert _study("sweep", proj, disk / "st").exit_code == 0
    shutil.rmtree(disk / "st" / "results" / "point=000001")
    _fill(disk)
    before = snapshot(disk)
    said = _clean(_study("montecarlo", proj, disk / "new"), 4)
    assert "the disk is full" in said and "Nothing was written; free some space" in said, said
    said = _clean(_study("sweep", proj, disk / "st"), 4)
    assert "the disk is full" in said and f"The 1 finished point in {disk / 'st'} is kept" in said, said
    assert_same(disk, before)


@pytest.mark.parametrize("command", ["sweep", "montecarlo"])
def test_a_study_folder_under_a_file_exits_4_and_writes_nothing(proj, command):
    """Runs for every user (root included): a file where a folder on the way should be."""
    (proj / "notes.txt").write_text("my notes\n")
    before = snapshot(proj)
    said = _clean(_study(command, proj, proj / "notes.txt" / "st"), 4)
    assert "a part of the path is a file" in said and "Nothing was written" in said, said
    assert_same(proj, before)


@pytest.mark.parametrize(("code", "says", "advice"), [
    ("EROFS", "the folder is on a read-only file system", "make the folder writable"),
    ("ENOSPC", "the disk is full", "free some space"),
])
def test_a_folder_made_read_only_while_the_study_runs_exits_4_and_keeps_the_points_written(proj, monkeypatch, code,
                                                                                            says, advice):
    """The second point's write fails as on a folder remounted read-only (or a disk filled)
    mid-study. This used to exit 1 (invalid input) with the system's raw words; it is an output
    fault (4), and the point written before it is kept and counted."""
    import workforce.studies.store as store

    real, calls = store.StudyStore.write_point, []

    def refuse_second(self, point, table, record):
        calls.append(point)
        if len(calls) > 1:
            raise OSError(getattr(errno, code), os.strerror(getattr(errno, code)))
        return real(self, point, table, record)

    monkeypatch.setattr(store.StudyStore, "write_point", refuse_second)
    said = _clean(_study("sweep", proj, "st"), 4)
    assert says in said, said
    assert "The 1 finished point in st is kept" in said and advice in said, said
    assert [p.name for p in (proj / "st" / "results").iterdir()] == ["point=000000"]


# ----------------------------------------------------------------------------------------------
# A deleted current folder
# ----------------------------------------------------------------------------------------------


@pytest.fixture
def gone(tmp_path, monkeypatch):
    """The current folder is deleted under the process (monkeypatch puts the old one back after)."""
    here = tmp_path / "gone"
    here.mkdir()
    monkeypatch.chdir(here)
    here.rmdir()
    with pytest.raises(FileNotFoundError):
        os.getcwd()
    return here


@pytest.mark.parametrize("command", ["sweep", "montecarlo"])
def test_a_study_from_a_deleted_current_folder_works_with_absolute_paths(proj, gone, command):
    """It used to exit 4 with "free some space" (os.getcwd() failed in the output checks); with
    absolute paths nothing needs the current folder. (--workers 2: the next test.)"""
    out = proj / "st"
    said = _clean(_study(command, proj, out), 0)
    assert "4 of 4" not in said and "2 of 2 points solved, 0 failed" in said, said
    assert (out / "points.csv").is_file() and len(list((out / "results").iterdir())) == 2
    with pytest.raises(FileNotFoundError):
        os.getcwd()  # the process is back in the deleted folder it was in


def test_local_workers_start_from_a_deleted_current_folder(tmp_path, gone):
    """multiprocessing hands each spawned worker its parent's os.getcwd(), which fails in a
    deleted folder, so `sweep --workers 2` from one failed before any point was solved. The
    sweep starts its local pool inside workers_start_in(the study folder), as here (a pool of
    the same kind, running only os.getcwd, so that the check stays fast), and comes back after."""
    import concurrent.futures as cf
    import multiprocessing

    from workforce.working_folder import workers_start_in

    pool = cf.ProcessPoolExecutor(2, mp_context=multiprocessing.get_context("spawn"))
    try:
        with workers_start_in(tmp_path):
            futures = [pool.submit(os.getcwd) for _ in range(4)]
        assert {f.result(timeout=60) for f in futures} == {str(tmp_path)}
    finally:
        pool.shutdown()
    with pytest.raises(FileNotFoundError):
        os.getcwd()  # back in the deleted folder


@pytest.mark.parametrize("out", [["--out", "st"], []], ids=["relative", "default"])
def test_a_study_from_a_deleted_current_folder_refuses_a_relative_out(proj, gone, out):
    before = snapshot(proj.parent)
    result = CliRunner().invoke(main, ["sweep", str(proj / "study.yaml"), *out, "--workers", "1", "--no-progress"])
    said = _clean(result, 4)
    assert "the current folder no longer exists" in said and "nothing was written" in said, said
    assert_same(proj.parent, before)


def test_a_relative_study_file_from_a_deleted_current_folder_says_why_it_is_not_found(proj, gone):
    said = _clean(CliRunner().invoke(main, ["sweep", "study.yaml", "--out", str(proj / "st"), "--workers", "1"]), 1)
    assert "study.yaml: file not found: the current folder no longer exists" in said, said
    assert not (proj / "st").exists()


def test_the_bundled_scenario_is_found_from_a_deleted_current_folder(gone):
    """`workforce run` with no scenario exited 70: the bundled path was made relative to os.getcwd()."""
    from workforce.cli.commands import bundled_config

    path = bundled_config()
    assert path.is_absolute() and path.name == "england_baseline.yaml" and path.is_file()


def test_a_run_from_a_deleted_current_folder_works_with_an_absolute_out(proj, gone):
    """`workforce run` exited 70 (internal error) here, for the same reason."""
    said = _clean(CliRunner().invoke(main, ["run", str(proj / "s.yaml"), "--out", str(proj / "r")]), 0)
    assert (proj / "r" / "manifest.json").is_file(), said


# ----------------------------------------------------------------------------------------------
# A closed standard output
# ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("command", ["sweep", "montecarlo"])
def test_a_study_whose_standard_output_is_closed_exits_130_with_every_file_written(proj, monkeypatch, capsys,
                                                                                   command):
    """`workforce sweep ... | head -1`, through the console entry point with standard output a
    pipe whose reader has gone (so every write to it fails, as it does once `head` exits): exit
    130 as the README says, not 4 with "could not write the study: Broken pipe ... free some
    space". The charts and tables are written before the summary is printed, so the study folder
    is whole."""
    from workforce import entry

    read, write = os.pipe()
    os.close(read)
    pipe = os.fdopen(write, "w")
    spec = "mc.yaml" if command == "montecarlo" else "study.yaml"
    monkeypatch.setattr(sys, "argv", ["workforce", command, spec, "--out", "st", "--workers", "1"])
    monkeypatch.setattr(sys, "stdout", pipe)
    try:
        with pytest.raises(SystemExit) as ended:
            entry.main()
    finally:
        pipe.close()
    assert ended.value.code == 130
    err = capsys.readouterr().err
    assert "standard output was closed" in err and "could not write" not in err and "Traceback" not in err, err
    files = {"sweep": ["sweep.png"], "montecarlo": ["fan_shortfall.csv", "fan_shortfall.png", "miss_probability.csv"]}
    assert sorted(p.name for p in (proj / "st").iterdir()) == sorted(
        ["failures", "points.csv", "results", "study.json", *files[command]])


# ----------------------------------------------------------------------------------------------
# Ctrl-C: the message counts what is kept
# ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("stop_at", "says"), [
    (1, "interrupted: no finished point is in st"),
    (2, "interrupted: 1 of 2 point is finished and kept in st; run the same command again to resume"),
])
def test_ctrl_c_during_a_study_says_how_many_points_are_kept(proj, monkeypatch, stop_at, says):
    """Ctrl-C arrives while the `stop_at`-th chunk (one point each here) is solved. The message
    used to say "the points finished so far are kept" even when none was; a rerun resumes."""
    import workforce.studies.sweep as sweep_module

    real, calls = sweep_module.run_chunk, []

    def interrupted(task):
        calls.append(task)
        if len(calls) == stop_at:
            raise KeyboardInterrupt
        return real(task)

    monkeypatch.setattr(sweep_module, "run_chunk", interrupted)
    said = _clean(_study("sweep", proj, "st"), 130)
    assert says in said, said
    monkeypatch.setattr(sweep_module, "run_chunk", real)
    again = _clean(_study("sweep", proj, "st"), 0)
    assert f"{stop_at - 1} already done" in again, again


def test_ctrl_c_before_a_study_folder_exists_says_nothing_was_written(proj, monkeypatch):
    """Interrupted while the scenario loads, with no --out: the default folder is named from the
    study and found absent."""
    import workforce.studies.sweep as sweep_module

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(sweep_module, "load_scenario", interrupted)
    said = _clean(CliRunner().invoke(main, ["sweep", "study.yaml", "--workers", "1"]), 130)
    assert "interrupted: nothing was written" in said, said
    assert not (proj / "results").exists()


# ----------------------------------------------------------------------------------------------
# kill -9 while a study starts
# ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("written", [0, 40, None], ids=["temporary-empty", "temporary-partly-written", "no-temporary"])
def test_a_study_killed_while_it_started_resumes(proj, written):
    """kill -9 between creating the study folder and renaming study.json into place left empty
    results/ and failures/ and a temporary .study.json.XXXXXXXX. Every later run refused the
    folder ("... is in the way"), so benchmarks/study_kill_resume.py failed whenever a kill
    landed there. Those leftovers are now recognised (the temporary's bytes begin the study.json
    this run writes) and cleared."""
    assert _study("sweep", proj, "whole").exit_code == 0
    text = (proj / "whole" / "study.json").read_bytes()
    (proj / "st" / "results").mkdir(parents=True)
    (proj / "st" / "failures").mkdir()
    if written is not None:
        (proj / "st" / ".study.json.ab_12xyz").write_bytes(text[:written])
    said = _clean(_study("sweep", proj, "st"), 0)
    assert "2 of 2 points solved" in said, said
    assert (proj / "st" / "study.json").read_bytes() == text
    assert not list((proj / "st").glob(".study.json.*"))


@pytest.mark.parametrize("leftover", ["temporary-of-another-text", "file-in-results"])
def test_leftovers_that_are_not_a_killed_start_are_still_refused(proj, leftover):
    (proj / "st" / "results").mkdir(parents=True)
    (proj / "st" / "failures").mkdir()
    if leftover == "file-in-results":
        (proj / "st" / "results" / "notes.txt").write_text("mine\n")
    else:
        (proj / "st" / ".study.json.ab_12xyz").write_text('{"my": "own file"}\n')
    before = snapshot(proj)
    said = _clean(_study("sweep", proj, "st"), 4)
    assert "is in the way" in said, said
    assert_same(proj, before)
