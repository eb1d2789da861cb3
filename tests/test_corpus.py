"""The bad-input corpus (tests/corpus/): every malformed scenario is refused by the command line
with exit code 1 and one message naming the file, the line and the key, and no traceback."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from workforce.cli.commands import main

CORPUS = Path(__file__).parent / "corpus"
CASES = yaml.safe_load((CORPUS / "index.yaml").read_text(encoding="utf-8"))


def expected_prefix(case: dict) -> str:
    where = str(CORPUS / case["case"] / case["file"])
    if case["line"] is not None:
        where += f":{case['line']}"
    key = f" [{case['key']}]" if case["key"] else ""
    return f"error: {where}{key}: "


def snapshot(folder: Path) -> dict[str, str]:
    """Every entry under ``folder``: a file's sha256, a link's target, or 'folder' (links not followed)."""
    out = {}
    for root, dirs, files in os.walk(folder):
        for name in dirs + files:
            path = Path(root) / name
            rel = str(path.relative_to(folder))
            if path.is_symlink():
                out[rel] = "link -> " + os.readlink(path)
            elif path.is_dir():
                out[rel] = "folder"
            else:
                out[rel] = hashlib.sha256(path.read_bytes()).hexdigest()
    return out


def test_corpus_covers_at_least_150_fault_classes_and_every_folder_is_indexed():
    names = [c["case"] for c in CASES]
    assert len(names) == len(set(names)) >= 150
    assert len({c["fault"] for c in CASES}) == len(CASES)
    folders = {p.name for p in CORPUS.iterdir() if p.is_dir()}
    assert folders == set(names)
    # Most faults sit at a known line and key; the rest are file-level (encoding, syntax, empty file).
    assert sum(c["line"] is not None and c["key"] is not None for c in CASES) >= 40


@pytest.mark.parametrize("case", CASES, ids=[c["case"] for c in CASES])
def test_validate_refuses_with_one_located_message(case):
    result = CliRunner().invoke(main, ["validate", str(CORPUS / case["case"] / "scenario.yaml")])
    assert result.exit_code == 1, result.output
    errors = [line for line in result.output.splitlines() if line.startswith("error:")]
    assert len(errors) == 1, result.output
    assert errors[0].startswith(expected_prefix(case)), result.output
    assert case["says"] in errors[0]
    assert "problems in the scenario" not in result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize("case", CASES, ids=[c["case"] for c in CASES])
def test_run_refuses_before_writing_anything(case, tmp_path):
    out = tmp_path / "out"
    before = snapshot(CORPUS / case["case"])
    result = CliRunner().invoke(main, ["run", str(CORPUS / case["case"] / "scenario.yaml"), "--out", str(out)])
    assert snapshot(CORPUS / case["case"]) == before  # every file there before is there after, byte for byte
    assert result.exit_code == 1, result.output
    assert expected_prefix(case) in result.output
    assert "Traceback" not in result.output
    assert not out.exists()
    assert list(tmp_path.iterdir()) == []


def test_debug_adds_the_traceback():
    case = CASES[0]
    result = CliRunner().invoke(main, ["validate", str(CORPUS / case["case"] / "scenario.yaml"), "--debug"])
    assert result.exit_code == 1
    assert "Traceback" in result.output
    assert expected_prefix(case) in result.output


@pytest.mark.parametrize("name", ["yaml-python-tag", "csv-not-utf8", "yaml-anchors-billion-laughs", "tag-int-empty",
                                  "huge-penalty-1e300", "csv-symlink-loop", "integer-5000-digits", "extends-too-deep"])
def test_real_process_prints_only_the_message(name, tmp_path):
    case = next(c for c in CASES if c["case"] == name)
    proc = subprocess.run(
        [sys.executable, "-m", "workforce", "run", str(CORPUS / name / "scenario.yaml"), "--out", str(tmp_path / "o")],
        capture_output=True, text=True, cwd=Path(__file__).parents[1],
    )
    assert proc.returncode == 1
    assert proc.stdout == ""
    assert proc.stderr.startswith(expected_prefix(case))
    assert proc.stderr.count("\n") == 1, proc.stderr
    assert not (tmp_path / "o").exists()
