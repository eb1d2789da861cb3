"""The documentation builds without warnings, and every snippet on the how-to page runs."""

from __future__ import annotations

import contextlib
import io
import re
import shlex
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from workforce.cli.commands import main

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
FENCE = re.compile(r"^```(\w+)\n(.*?)^```", re.S | re.M)


def test_the_documentation_builds_without_warnings(tmp_path):
    """The same command CI and the index page give: Sphinx with warnings as errors."""
    result = subprocess.run(
        [sys.executable, "-m", "sphinx", "-W", "--keep-going", "-E", "-q", "-b", "html",
         str(DOCS), str(tmp_path / "html")],
        capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stderr == ""
    formulation = (tmp_path / "html" / "formulation.html").read_text(encoding="utf-8")
    assert "stock_balance" in formulation and 'class="math' in formulation
    reference = (tmp_path / "html" / "yaml-reference.html").read_text(encoding="utf-8")
    assert "roles.&lt;id&gt;.initial_stock" in reference


def test_every_how_to_snippet_runs(tmp_path, monkeypatch):
    """Python blocks run in order in one namespace; `$ workforce ...` lines run the command. The
    working folder is a scratch folder that sees the repository's configs/ (outputs land there)."""
    (tmp_path / "configs").symlink_to(ROOT / "configs", target_is_directory=True)
    monkeypatch.chdir(tmp_path)
    text = (DOCS / "howto.md").read_text(encoding="utf-8")
    blocks = FENCE.findall(text)
    assert sum(lang == "python" for lang, _ in blocks) >= 10
    namespace: dict = {"__name__": "howto"}
    printed = io.StringIO()
    for lang, code in blocks:
        if lang == "python":
            with contextlib.redirect_stdout(printed):
                exec(compile(code, "docs/howto.md", "exec"), namespace)  # noqa: S102
        elif lang == "console":
            for line in code.splitlines():
                assert line.startswith("$ workforce "), line
                result = CliRunner().invoke(main, shlex.split(line)[2:])
                assert result.exit_code == 0, line + "\n" + result.output
    out = printed.getvalue()
    assert "unknown key 'atrition' (did you mean 'attrition'?)" in out          # question 2
    assert "DfE EP training grant (EPFT)" in out and "short of funding the minimum intakes" in out           # question 6
    assert (tmp_path / "results" / "baseline" / "summary.json").exists()       # question 1
    ns = namespace
    # Question 7: the cut leaves more EP shortfall than the baseline; question 8: more money, less.
    assert ns["ep_shortfall"](ns["cut_plan"]).sum() > ns["ep_shortfall"](ns["plan"]).sum()
    assert ns["ep_shortfall"](ns["more_plan"]).sum() < ns["ep_shortfall"](ns["plan"]).sum()
    assert [s["terms"] for s in ns["ordered_plan"].summary["lexicographic_stages"]][0] == ["shortfall"]
    assert ns["small_plan"].status == "optimal"
