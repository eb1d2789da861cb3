"""Faults: Ctrl-C during a solve, a full disk, a read-only folder, time limits, a wrong plan.

Each test checks the planner-facing outcome: the exit code, one clean message, and that earlier
outputs are untouched and nothing partial is left behind.
"""

from __future__ import annotations

import errno
import importlib
import os
import signal
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import xlsxwriter.exceptions
from click.testing import CliRunner
from scipy.sparse import csc_array

import workforce.output.export as export_module
from workforce import load_scenario, solve
from workforce.cli.commands import main
from workforce.errors import ExportError, NoSolutionError, VerificationError
from workforce.solver.gap import lagrangian_bound

from scenarios import MINIMAL_YAML, write_scenario  # isort: skip
from tests.terminal import terminal

ROOT = Path(__file__).resolve().parents[1]
solve_module = importlib.import_module("workforce.solver.core")
results_module = importlib.import_module("workforce.plan.results")
ALL = "csv,xlsx,parquet"


@pytest.fixture
def scenario_path(tmp_path):
    return write_scenario(tmp_path / "in", MINIMAL_YAML)


@pytest.fixture
def earlier_run(scenario_path, tmp_path):
    """A finished run directory and a snapshot of its bytes."""
    out = solve(load_scenario(scenario_path)).export(tmp_path / "out" / "run", ALL)
    return out, snapshot(out)


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def assert_untouched(out: Path, before: dict[str, bytes]) -> None:
    assert snapshot(out) == before, "earlier outputs changed"
    assert [p.name for p in out.parent.iterdir()] == [out.name], "staging folder or temporary file left behind"


def enospc(*args, **kwargs):
    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


# ----------------------------------------------------------------------------------------------
# Disk full, read-only folder
# ----------------------------------------------------------------------------------------------


def test_disk_full_at_fsync_leaves_earlier_outputs_untouched(earlier_run, scenario_path, monkeypatch):
    out, before = earlier_run
    plan = solve(load_scenario(scenario_path))
    monkeypatch.setattr(os, "fsync", enospc)  # delayed allocation: a full disk often shows at fsync
    with pytest.raises(ExportError, match="the disk is full") as info:
        plan.export(out, ALL)
    assert "earlier outputs there are untouched" in str(info.value)
    monkeypatch.undo()
    assert_untouched(out, before)


def test_disk_full_half_way_through_a_parquet_file(earlier_run, scenario_path, monkeypatch):
    out, before = earlier_run
    plan = solve(load_scenario(scenario_path))

    def partial_then_full(self, path, *args, **kwargs):
        Path(path).write_bytes(b"PAR1 truncated")
        enospc()

    monkeypatch.setattr(pd.DataFrame, "to_parquet", partial_then_full)
    with pytest.raises(ExportError, match="the disk is full"):
        plan.export(out, ALL)
    monkeypatch.undo()
    assert_untouched(out, before)


def test_disk_full_in_the_excel_writer(earlier_run, scenario_path, monkeypatch):
    """XlsxWriter reports a full disk as FileCreateError, not OSError."""
    out, before = earlier_run
    plan = solve(load_scenario(scenario_path))

    def close(self):
        try:
            enospc()
        except OSError as exc:
            raise xlsxwriter.exceptions.FileCreateError(exc) from exc

    monkeypatch.setattr(xlsxwriter.Workbook, "close", close)
    with pytest.raises(ExportError, match="the disk is full"):
        plan.export(out, "xlsx")
    monkeypatch.undo()
    assert_untouched(out, before)


def test_failure_while_swapping_in_the_new_run_restores_the_old_one(earlier_run, scenario_path, monkeypatch):
    out, before = earlier_run
    plan = solve(load_scenario(scenario_path))
    real_rename = os.rename

    def rename(src, dst):
        if ".partial-" in str(src):
            enospc()
        real_rename(src, dst)

    monkeypatch.setattr(os, "rename", rename)
    with pytest.raises(ExportError, match="the disk is full"):
        plan.export(out, "csv")
    monkeypatch.undo()
    assert_untouched(out, before)


@pytest.mark.parametrize(("code", "says"), [(errno.EROFS, "read-only file system"), (errno.EACCES, "permission denied")])
def test_read_only_folder_gives_a_clean_error(earlier_run, scenario_path, monkeypatch, code, says):
    """Tests may run as root, for whom chmod does not block writes, so the refusal is simulated where
    the operating system would give it: creating the staging folder beside the run."""
    out, before = earlier_run

    def refuse(*args, **kwargs):
        raise OSError(code, os.strerror(code))

    monkeypatch.setattr(tempfile, "mkdtemp", refuse)
    result = CliRunner().invoke(main, ["run", str(scenario_path), "--out", str(out)])
    monkeypatch.undo()
    assert result.exit_code == 4
    assert says in result.output and "choose another folder with --out" in result.output
    assert "Traceback" not in result.output
    assert_untouched(out, before)


@pytest.mark.skipif(os.geteuid() == 0, reason="root ignores folder permissions; simulated in the test above")
def test_really_read_only_folder(scenario_path, tmp_path):  # pragma: no cover - runs on non-root CI only
    parent = tmp_path / "locked"
    parent.mkdir()
    parent.chmod(0o555)
    try:
        result = CliRunner().invoke(main, ["run", str(scenario_path), "--out", str(parent / "run")])
        assert result.exit_code == 4 and "permission denied" in result.output
        assert list(parent.iterdir()) == []
    finally:
        parent.chmod(0o755)


def test_disk_full_from_the_command_line(earlier_run, scenario_path, monkeypatch):
    out, before = earlier_run
    monkeypatch.setattr(os, "fsync", enospc)
    result = CliRunner().invoke(main, ["run", str(scenario_path), "--out", str(out), "--format", ALL])
    monkeypatch.undo()
    assert result.exit_code == 4
    assert result.output.count("error:") == 1 and "disk is full" in result.output
    assert "Traceback" not in result.output
    assert_untouched(out, before)


# ----------------------------------------------------------------------------------------------
# Ctrl-C during a solve, for real
# ----------------------------------------------------------------------------------------------

SLOW_RUN = textwrap.dedent(
    """\
    # Run `workforce run` with HiGHS slowed down, and a marker file once HiGHS is iterating. An LP:
    # presolve off and a 5 ms pause in every simplex iteration (about a thousand). The baseline's
    # whole EP cohorts make it a MILP, whose interrupt callback HiGHS calls only a few times: the
    # first call stands for a long branch-and-bound and returns after 30 s or once highspy cancels.
    import importlib, sys, threading, time
    solve_module = importlib.import_module("workforce.solver.core")
    original = solve_module._highs
    marker = sys.argv[1]

    def slow_highs(compiled, options, *args, **kwargs):
        h = original(compiled, options, *args, **kwargs)
        h.setOptionValue("presolve", "off")
        h.setOptionValue("simplex_strategy", 4)
        cancelled = threading.Event()
        cancel = h.cancelSolve

        def cancel_solve():
            cancelled.set()
            cancel()

        h.cancelSolve = cancel_solve

        def crawl(event):
            open(marker, "a").close()
            time.sleep(0.005)

        def branch_and_bound(event):
            open(marker, "a").close()
            cancelled.wait(30)

        h.cbSimplexInterrupt.subscribe(crawl)
        h.cbMipInterrupt.subscribe(branch_and_bound)
        return h

    solve_module._highs = slow_highs
    from workforce.cli.commands import main
    main(sys.argv[2:])
    """
)


def test_ctrl_c_during_a_solve_stops_highs_writes_nothing_and_exits_130(tmp_path):
    script = tmp_path / "slow_run.py"
    script.write_text(SLOW_RUN)
    marker, out = tmp_path / "solving", tmp_path / "results" / "run"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(
        [sys.executable, str(script), str(marker), "run", "--out", str(out), "--format", ALL],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=tmp_path,
        preexec_fn=terminal,
    )
    try:
        deadline = time.monotonic() + 60
        while not marker.exists():
            assert proc.poll() is None, proc.communicate()
            assert time.monotonic() < deadline, "HiGHS never started iterating"
            time.sleep(0.05)
        time.sleep(0.3)
        assert proc.poll() is None, "the solve finished before it could be interrupted"
        sent = time.monotonic()
        proc.send_signal(signal.SIGINT)
        stdout, stderr = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 130, stderr
    assert "Waiting for HiGHS to finish" in stdout, "highspy caught the interrupt and cancelled the solve"
    assert time.monotonic() - sent < 10, "HiGHS was not cancelled promptly"
    assert "interrupted: no outputs were written" in stderr
    assert "Traceback" not in stderr
    assert not out.exists()
    assert not (tmp_path / "results").exists() or list((tmp_path / "results").iterdir()) == []


# ----------------------------------------------------------------------------------------------
# Time limits
# ----------------------------------------------------------------------------------------------


def test_time_limit_without_a_plan_exits_3_and_says_what_to_change(scenario_path, tmp_path):
    out = tmp_path / "run"
    result = CliRunner().invoke(main, ["run", str(scenario_path), "--out", str(out), "--time-limit", "1e-9"])
    assert result.exit_code == 3
    assert "without a feasible plan" in result.output and "time limit 1e-09 s" in result.output
    assert "Raise the limit (--time-limit" in result.output
    assert "Traceback" not in result.output
    assert not out.exists()
    with pytest.raises(NoSolutionError):
        solve(load_scenario(scenario_path), time_limit=1e-9)


def stop_second_stage(monkeypatch) -> None:
    """The scenario is lexicographic (shortfall, then cost): let stage 1 finish and have HiGHS's
    real time limit stop stage 2 at once (HiGHS's clock runs across the stages of one solve)."""
    calls = []
    real = solve_module._run_highs

    def run_highs(h):
        calls.append(h)
        if len(calls) == 2:
            h.setOptionValue("time_limit", h.getRunTime())
        return real(h)

    monkeypatch.setattr(solve_module, "_run_highs", run_highs)


def test_time_limit_with_a_plan_returns_it_provisional_with_a_proven_gap(scenario_path, monkeypatch):
    scenario = load_scenario(scenario_path)
    best = solve(scenario).summary["lexicographic_stages"][1]["value"]  # stage 2's optimum, no limit
    stop_second_stage(monkeypatch)
    plan = solve(scenario)
    assert plan.status == "provisional"
    assert plan.summary["verification"]["passed"], "a provisional plan still meets every limit"
    stages = plan.summary["lexicographic_stages"]
    assert [s["status"] for s in stages] == ["Optimal", "Time limit reached"]
    bound, gap = plan.summary["solver"]["bound"], plan.summary["gap"]
    assert gap is not None and 0 <= gap <= 1
    # The bound is proven: never above the true optimum, which is never above the plan's value.
    assert bound <= best + 1e-6 * max(1.0, abs(best))
    assert best <= stages[1]["value"] + 1e-6 * max(1.0, abs(best))
    assert gap == pytest.approx((stages[1]["value"] - bound) / max(1.0, abs(stages[1]["value"])))


def test_provisional_plan_from_the_command_line(scenario_path, tmp_path, monkeypatch):
    stop_second_stage(monkeypatch)
    out = tmp_path / "run"
    result = CliRunner().invoke(main, ["run", str(scenario_path), "--out", str(out)])
    assert result.exit_code == 3
    assert "PROVISIONAL" in result.output and "within" in result.output
    manifest = (out / "manifest.json").read_text()
    assert '"provisional": true' in manifest and '"status": "provisional"' in manifest


def test_lagrangian_bound_on_a_hand_solved_lp():
    """min x + y s.t. x + y >= 2, x, y >= 0: optimum 2. Multiplier 1 proves it (d = 0); multiplier 0
    proves only 0; multiplier 2 makes both reduced costs -1 on unbounded columns: no bound."""
    A = csc_array(np.array([[1.0, 1.0]]))
    args = (np.array([1.0, 1.0]), A, np.array([2.0]), np.array([np.inf]), np.zeros(2), np.full(2, np.inf))
    assert lagrangian_bound(*args, np.array([1.0])) == pytest.approx(2.0)
    assert lagrangian_bound(*args, np.array([0.0])) == 0.0
    assert lagrangian_bound(*args, np.array([2.0])) == -np.inf


# ----------------------------------------------------------------------------------------------
# Verification
# ----------------------------------------------------------------------------------------------


def test_a_plan_that_breaks_a_limit_fails_loudly_whatever_the_solver_said(scenario_path, tmp_path, monkeypatch):
    """Simulate a solver answer whose tables break the places limit (5): one more starter in E1 2026."""
    real = results_module._intake
    real_arrays = results_module.plan_tables

    def wrong_intake(d, m):
        table = real(d, m)
        table.loc[("dedpsy", "E1", 2026), "intake"] = table.loc[("dedpsy", "E1", 2026), "intake"] + 6
        return table

    def wrong_arrays(d, m, compiled, x):  # the array path (workforce.plan.extract) used for plain LPs
        tables = real_arrays(d, m, compiled, x)
        tables["intake"].loc[("dedpsy", "E1", 2026), "intake"] += 6
        return tables

    monkeypatch.setattr(results_module, "_intake", wrong_intake)
    monkeypatch.setattr(results_module, "plan_tables", wrong_arrays)
    with pytest.raises(VerificationError) as info:
        solve(load_scenario(scenario_path))
    message = str(info.value)
    assert "training places: intake of dedpsy E1 2026" in message
    # Its knock-on effects are found too: the course costs and the objective no longer add up.
    assert "spend: spend of dfe 2026 dedpsy" in message and "term training_cost" in message
    out = tmp_path / "run"
    result = CliRunner().invoke(main, ["run", str(scenario_path), "--out", str(out)])
    assert result.exit_code == 5 and "re-check" in result.output and "Traceback" not in result.output
    assert not out.exists()


def test_ctrl_c_while_writing_leaves_the_earlier_run_and_exits_130(earlier_run, scenario_path, monkeypatch):
    out, before = earlier_run
    real = export_module.atomic_write
    written = []

    def interrupted(target, write):
        if len(written) == 3:
            raise KeyboardInterrupt
        written.append(target.name)
        return real(target, write)

    monkeypatch.setattr(export_module, "atomic_write", interrupted)
    result = CliRunner().invoke(main, ["run", str(scenario_path), "--out", str(out), "--format", ALL])
    monkeypatch.undo()
    assert result.exit_code == 130
    assert "interrupted: no outputs were written" in result.output
    assert_untouched(out, before)
