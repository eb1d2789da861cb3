"""The stages import one way, down the pipeline: the layers contract in pyproject.toml holds.

import-linter (grimp) counts imports made inside functions too, and those under
``if TYPE_CHECKING:`` (exclude_type_checking_imports = false). A higher stage's convenience on a lower stage's object goes through
:mod:`workforce.conveniences`.
"""

import importlib
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from workforce.conveniences import PROVIDERS, provider

ROOT = Path(__file__).resolve().parent.parent
LINT = Path(sys.executable).parent / "lint-imports"


def lint(root: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(root)}
    return subprocess.run([str(LINT), "--config", str(ROOT / "pyproject.toml"), "--no-cache"],
                          cwd=root, env=env, capture_output=True, text=True, timeout=300)


def test_the_stages_import_down_the_pipeline_only():
    result = lint(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 kept, 0 broken" in result.stdout


def test_an_upward_import_inside_a_function_breaks_the_contract(tmp_path):
    """The contract can fail: model/data.py importing a chart inside a function is reported."""
    shutil.copytree(ROOT / "workforce", tmp_path / "workforce", ignore=shutil.ignore_patterns("__pycache__"))
    data = tmp_path / "workforce" / "model" / "data.py"
    data.write_text(data.read_text() + "\n\ndef _upward():\n    from workforce.plots import spend\n\n    return spend\n")
    result = lint(tmp_path)
    assert result.returncode == 1
    assert "workforce.model is not allowed to import workforce.plots" in result.stdout
    assert "workforce.model.data -> workforce.plots" in result.stdout


@pytest.mark.parametrize("name", sorted(PROVIDERS))
def test_each_convenience_resolves_and_is_used(name):
    module, _, attribute = PROVIDERS[name].partition(":")
    assert provider(name) is getattr(importlib.import_module(module), attribute)
    uses = [p for p in (ROOT / "workforce").rglob("*.py")
            if re.search(rf"provider\(\"{re.escape(name)}\"\)", p.read_text())]
    assert uses, f"no module asks for the convenience {name}"


def test_no_module_is_over_about_500_lines():
    """Issue 15: a module that grows past ~500 lines is split by family group or concern."""
    limit = 520  # "about 500": room for a docstring paragraph, not for another concern
    long = {str(p.relative_to(ROOT)): n for p in sorted((ROOT / "workforce").rglob("*.py"))
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > limit}
    assert not long, f"split these by concern: {long}"
