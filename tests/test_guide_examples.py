"""The user guide's worked example of `workforce explain` is what the command prints for the bundled
baseline today: every line shown (all but the `…` marks) is a line of the real output, so a change
to the plan or to the text shows up here and the page is updated with it."""

from __future__ import annotations

import re
from pathlib import Path

from click.testing import CliRunner

from workforce.cli.commands import main

ROOT = Path(__file__).resolve().parents[1]


def test_the_worked_explanation_is_the_commands_output(monkeypatch):
    guide = (ROOT / "docs" / "guide.md").read_text(encoding="utf-8")
    head = guide.index("### Worked example: reading the baseline's explanation")
    command = re.search(r"`(workforce explain [^`]+)` prints", guide[head:]).group(1)
    block = re.search(r"```text\n(.*?)```", guide[head:], re.S).group(1)
    monkeypatch.chdir(ROOT)
    result = CliRunner().invoke(main, command.split()[1:])
    assert result.exit_code == 0, result.output
    printed = set(result.output.splitlines())
    shown = [line for line in block.splitlines() if line.strip() not in ("", "…")]
    assert len(shown) >= 20
    missing = [line for line in shown if line not in printed]
    assert not missing, "the guide shows lines the command does not print:\n" + "\n".join(missing)
