"""Every command the README, examples/README.md and the tutorial show runs as a user would run it
(issue 17 §5): with the `workforce` console script installed beside this Python (as `.ci/run`'s
`pip install ".[test]"` installs it, nothing more), from a scratch folder that sees the repository's
configs/ and examples/, and exits with the code the page documents (0 unless a `# exits N` comment
says otherwise). Output lines the tutorial shows under a command must appear in what it prints.

A command is taken from the pages, not listed here, so a command added to a page is run without
editing this file; the only ones not run are named in NOT_RUN with the test that covers them.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
FENCE = re.compile(r"^```(\w*)\n(.*?)^```", re.S | re.M)
SAVED = re.compile(r"as\s+`([\w/.-]+)`:\n\n```(\w+)\n(.*?)^```", re.S | re.M)
INLINE = re.compile(r"`((?:workforce|python|pip|cd) [^`]+)`")
EXITS = re.compile(r"#\s*exits (\d+)")
INSTALL = "python3 -m venv .venv && . .venv/bin/activate && "
NOT_RUN = {  # shown on a page but not run here: why, and what runs it instead
    'pip install ".[examples]" && jupyter lab examples/': "an interactive server; "
    "tests/test_examples.py::test_notebook_runs runs every notebook",
    "cd examples && jupyter execute *.ipynb": "tests/test_examples.py::test_notebook_runs runs every notebook",
}


def shell_lines(text: str) -> list[str]:
    """The commands of the page's bash blocks, continuation lines joined."""
    out = []
    for lang, body in FENCE.findall(text):
        if lang == "bash":
            out += [line.strip() for line in body.replace("\\\n", " ").splitlines() if line.strip()]
    return out


def run(line: str, cwd: Path) -> subprocess.CompletedProcess:
    """One command line, the way a shell would run it in the activated environment."""
    expected = int(m.group(1)) if (m := EXITS.search(line)) else 0
    args = shlex.split(line, comments=True)
    if args[0] == "workforce":
        args[0] = str(BIN / "workforce")
    elif args[0] == "python":
        args[0] = sys.executable
    else:
        raise AssertionError(f"no rule to run {line!r}")
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}", "MPLBACKEND": "Agg"}
    result = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=300)
    result.expected = expected  # type: ignore[attr-defined]
    return result


def failures(lines: list[str], cwd: Path) -> list[str]:
    wrong = []
    for line in lines:
        result = run(line, cwd)
        if result.returncode != result.expected or "Traceback" in result.stderr:  # type: ignore[attr-defined]
            wrong.append(f"{line}\n  exit {result.returncode}\n{result.stdout[-2000:]}{result.stderr[-2000:]}")
    return wrong


@pytest.fixture
def scratch(tmp_path):
    """A user's folder in a checkout: the repository's configs/ and examples/ beside fresh outputs."""
    for name in ("configs", "examples"):
        (tmp_path / name).symlink_to(ROOT / name, target_is_directory=True)
    return tmp_path


def test_the_console_script_is_installed_beside_this_python():
    assert (BIN / "workforce").is_file(), f"no workforce script in {BIN}: install with pip install '.[test]'"


def test_the_readme_install_commands_are_what_ci_runs():
    """The README's two commands: the test command is the one .ci/run runs in a fresh environment;
    the other installs the package and runs `workforce run`, which the next test runs."""
    lines = [line for line in shell_lines((ROOT / "README.md").read_text(encoding="utf-8")) if line.startswith(INSTALL)]
    assert lines == [INSTALL + "pip install . && workforce run",
                     INSTALL + 'pip install ".[test]" && python -m pytest -q']
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert 'pip install ".[test]" && python -m pytest -q' in ci


def test_every_readme_command_runs(scratch):
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    commands = [line for line in shell_lines(text) if not line.startswith(INSTALL)]
    assert any(shlex.split(c, comments=True) == ["workforce", "run"] for c in commands) and len(commands) >= 10
    assert not (wrong := failures(commands, scratch)), "\n\n".join(wrong)
    # what the commands are documented to write
    assert (scratch / "results" / "england_baseline" / "summary.json").is_file()
    assert (scratch / "results" / "charts" / "capacity_map_ep.png").is_file()
    assert (scratch / "results" / "quick" / "fan_shortfall.png").is_file()
    assert (scratch / "my_scenarios" / "schema.json").is_file()


def test_the_readme_python_example_runs(scratch):
    (code,) = [body for lang, body in FENCE.findall((ROOT / "README.md").read_text(encoding="utf-8"))
               if lang == "python"]
    assert len(code.strip().splitlines()) <= 11  # an import, a blank line and at most nine lines
    result = subprocess.run([sys.executable, "-c", code], cwd=scratch, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert "shortfall" in result.stdout and (scratch / "results" / "python" / "plan.xlsx").is_file()


def test_every_examples_readme_command_runs(scratch):
    text = (ROOT / "examples" / "README.md").read_text(encoding="utf-8")
    shown = INLINE.findall(text)
    assert set(NOT_RUN) <= set(shown), "NOT_RUN names a command the page no longer shows"
    commands = [c for c in shown if c not in NOT_RUN]
    assert commands, "examples/README.md shows no command to run"
    assert not (wrong := failures(commands, scratch)), "\n\n".join(wrong)
    assert (scratch / "reports" / "report_E12000001.html").is_file()


def test_the_examples_readme_lists_every_notebook():
    text = (ROOT / "examples" / "README.md").read_text(encoding="utf-8")
    listed = set(re.findall(r"^\| `(\w+\.ipynb)` \|", text, flags=re.M))
    assert listed == {p.name for p in (ROOT / "examples").glob("*.ipynb")}


def test_the_tutorial_runs_as_written(tmp_path):
    """Each file the tutorial says to save is saved, in order, and each `$ ` command runs; the lines
    shown under a command appear in its output."""
    text = (ROOT / "docs" / "tutorial.md").read_text(encoding="utf-8")
    saved = SAVED.findall(text)
    assert [name for name, _, _ in saved] == [
        "first/plan.yaml", "first/more.yaml", "first/data/assistant_demand.csv", "first/data/ep_demand.csv",
        "first/data/ep_initial_stock.csv", "first/from_csv.yaml", "first/cautious.yaml"]
    files = {name: body for name, _, body in saved}
    steps = []  # (position in the page, kind, payload) so files and commands interleave as written
    for m in SAVED.finditer(text):
        steps.append((m.start(), "file", m.group(1)))
    for m in FENCE.finditer(text):
        if m.group(1) == "console":
            steps.append((m.start(), "console", m.group(2)))
    wrong = []
    for _, kind, payload in sorted(steps):
        if kind == "file":
            path = tmp_path / payload
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(files[payload], encoding="utf-8")
            continue
        for command, shown in _commands(payload):
            result = run(command, tmp_path)
            missing = [line for line in shown if line.strip() not in result.stdout]
            if result.returncode != result.expected or missing:  # type: ignore[attr-defined]
                wrong.append(f"{command}\n  exit {result.returncode}; not printed: {missing}\n"
                             f"{result.stdout[-3000:]}{result.stderr[-2000:]}")
    assert not wrong, "\n\n".join(wrong)
    charts = {p.name for p in (tmp_path / "results" / "first" / "charts").glob("*.png")}
    assert {"capacity_map_ep.png", "shortfall_map_ep.png", "shortfall_heatmap_ep.png", "cohort_gantt.png",
            "spend.png", "flows_waterfall_ep.png"} <= charts
    # the arithmetic the tutorial gives for 2028: (2,500 - 80 x 25) / 25 = 20 starters
    import pandas as pd
    intake = pd.read_csv(tmp_path / "results" / "first" / "intake.csv").groupby("year")["intake"].sum()
    assert intake.round(6).to_dict() == {2026: 40, 2027: 40, 2028: 20, 2029: 40, 2030: 40}
    same = pd.read_csv(tmp_path / "results" / "from_csv" / "intake.csv")
    pd.testing.assert_frame_equal(same, pd.read_csv(tmp_path / "results" / "first" / "intake.csv"))


def _commands(block: str) -> list[tuple[str, list[str]]]:
    """`$ command` lines of a console block, each with the output lines shown under it."""
    out: list[tuple[str, list[str]]] = []
    for line in block.splitlines():
        if line.startswith("$ "):
            out.append((line[2:], []))
        elif line.strip():
            assert out, f"output before any command: {line!r}"
            out[-1][1].append(line)
    return out


def test_the_exit_code_table_is_the_same_on_the_front_page_and_the_outputs_page():
    def table(path: Path) -> str:
        text = path.read_text(encoding="utf-8")
        start = text.index("| code | meaning |")
        return text[start:text.index("\n\n", start)]

    assert table(ROOT / "README.md") == table(ROOT / "docs" / "outputs.md")
