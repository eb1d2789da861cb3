"""ruff is part of the test run, so a lint error fails CI like any other test."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_ruff_finds_nothing():
    folders = [d for d in ("workforce", "tests", "benchmarks", "examples") if (ROOT / d).is_dir()]
    result = subprocess.run(
        [sys.executable, "-m", "ruff", "check", *folders],
        cwd=ROOT, capture_output=True, text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
