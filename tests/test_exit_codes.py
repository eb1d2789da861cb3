"""Exit codes a script can rely on (issue 14 §3): the README's table is exactly what the CLI declares,
and click's usage errors never exit 2 (which means "infeasible")."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from workforce import errors
from workforce.cli.commands import EXIT_CODES, INTERNAL_ERROR, main
from workforce.cli.studies import SOME_FAILED

from scenarios import MINIMAL_YAML  # isort: skip

ROOT = Path(__file__).resolve().parents[1]


def readme_codes() -> list[int]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    table = text[text.index("### Faults and exit codes"):]
    table = table[:table.index("\n\n", table.index("| code |"))]
    return [int(m) for m in re.findall(r"^\| `(\d+)` \|", table, flags=re.M)]


def test_the_readme_table_lists_exactly_the_codes_the_cli_declares():
    assert readme_codes() == sorted(EXIT_CODES)
    declared = {cls.exit_code for cls in vars(errors).values() if isinstance(cls, type) and hasattr(cls, "exit_code")}
    assert declared | {0, SOME_FAILED, INTERNAL_ERROR, 130} <= set(EXIT_CODES)
    assert SOME_FAILED not in (4, 2), "failed study points are not an output error nor infeasibility"


@pytest.fixture
def tiny(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "s.yaml").write_text(MINIMAL_YAML)
    (tmp_path / "taken.txt").write_text("mine\n")
    (tmp_path / "folder").mkdir()
    return tmp_path


@pytest.mark.parametrize(("args", "code", "says"), [
    (["run", "folder"], 1, "folder"),                              # a folder where a file is expected
    (["run", "s.yaml", "--no-such-option"], 1, "--no-such-option"),
    (["run", "s.yaml", "--time-limit", "soon"], 1, "soon"),
    (["run", "s.yaml", "--time-limit", "nan"], 1, "finite number of seconds above 0"),
    (["run", "s.yaml", "--time-limit", "inf"], 1, "finite number of seconds above 0"),
    (["run", "s.yaml", "--time-limit", "-5"], 1, "finite number of seconds above 0"),
    (["run", "s.yaml", "--time-limit", "0"], 1, "finite number of seconds above 0"),
    (["run", "s.yaml", "--out", "taken.txt"], 4, "taken.txt"),     # --out names an existing file
    (["compare", "s.yaml", "s.yaml", "--out", "taken.txt"], 4, "taken.txt"),
    (["explain", "s.yaml", "--out", "taken.txt"], 4, "taken.txt"),
    (["schema", "--out", "folder"], 4, "folder"),
    (["sweep"], 1, "SPEC"),                                         # a missing argument
    (["montecarlo", "x.yaml", "--draws", "0"], 1, "x.yaml"),       # (--draws 0 on a real study: test_study_faults)
    (["no-such-command"], 1, "no-such-command"),
])
def test_usage_errors_get_the_documented_codes_never_2(tiny, args, code, says):
    result = CliRunner().invoke(main, args)
    assert result.exit_code == code, result.output
    assert says in result.output
    assert "Traceback" not in result.output
    assert sorted(p.name for p in tiny.iterdir()) == ["folder", "s.yaml", "taken.txt"]


@pytest.mark.parametrize(("seed", "code"), [(2_147_483_647, 0), (2_147_483_648, 1), (-1, 1)])
def test_random_seed_accepts_only_what_highs_accepts(tmp_path, seed, code):
    """HiGHS 1.16 takes random_seed in 0..2**31-1 and refuses 2**31 (kError) and -1."""
    path = tmp_path / "s.yaml"
    path.write_text(MINIMAL_YAML + f"solver:\n  random_seed: {seed}\n")
    result = CliRunner().invoke(main, ["validate", str(path)])
    assert result.exit_code == code, result.output
    if code:
        assert "solver.random_seed" in result.output and "Traceback" not in result.output


def test_a_closed_standard_output_ends_the_command_with_130_and_no_traceback():
    """`workforce show ... | head -1`: the reader goes away before the output is written. The
    command ends with one line on standard error and exit 130 (interrupted), not a BrokenPipeError
    report (exit 120) or an internal error (exit 70)."""
    import subprocess
    import sys

    proc = subprocess.Popen([sys.executable, "-m", "workforce", "show", str(ROOT / "configs" / "england_baseline.yaml")],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    proc.stdout.close()  # no reader left: the first write fails with EPIPE
    with proc.stderr:
        err = proc.stderr.read().decode()
    assert proc.wait(timeout=120) == 130, err
    assert "standard output was closed" in err and "Traceback" not in err and "BrokenPipeError" not in err
