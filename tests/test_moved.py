"""Old module paths (before the stage packages) still import for one release, with a warning.

relayout: keep-old-paths (the re-layout script leaves this file's old paths as they are).
"""

import importlib
import inspect
import sys

import pytest

import workforce
from workforce._moved_paths import MOVED

PACKAGES_NOW = {"workforce.cli", "workforce.explain"}  # old module names that are packages now


@pytest.mark.parametrize("old", sorted(set(MOVED) - PACKAGES_NOW))
def test_old_path_imports_with_a_warning(old, monkeypatch):
    new = importlib.import_module(MOVED[old])
    leaf = old.rpartition(".")[2]
    monkeypatch.setattr(workforce, leaf, getattr(workforce, leaf, None), raising=False)  # restored afterwards
    monkeypatch.delitem(sys.modules, old, raising=False)
    with pytest.warns(DeprecationWarning, match=f"{old} moved to {MOVED[old]}"):
        module = importlib.import_module(old)
    public = [n for n, v in vars(new).items() if not n.startswith("_") and getattr(v, "__module__", None) == new.__name__]
    assert public, f"{MOVED[old]} defines nothing public"
    for name in public:
        assert getattr(module, name) is getattr(new, name)


def test_from_old_path_import_name(monkeypatch):
    monkeypatch.setattr(workforce, "results", None, raising=False)
    monkeypatch.delitem(sys.modules, "workforce.results", raising=False)
    with pytest.warns(DeprecationWarning, match="workforce.results moved to workforce.plan.results"):
        from workforce.results import Plan
    assert Plan is workforce.Plan


@pytest.mark.parametrize(("name", "new"), [
    ("solve", "workforce.solver.core"), ("compare", "workforce.studies.compare"), ("sweep", "workforce.studies.sweep"),
])
def test_a_public_function_stays_callable_after_its_old_module_path_is_imported(name, new, monkeypatch):
    """workforce.solve, .compare and .sweep are the functions; each was also a module's path."""
    function = getattr(workforce, name)
    assert inspect.isfunction(function)
    assert function is getattr(importlib.import_module(new), name)
    monkeypatch.setattr(workforce, name, function)
    monkeypatch.delitem(sys.modules, f"workforce.{name}", raising=False)
    with pytest.warns(DeprecationWarning):
        old = importlib.import_module(f"workforce.{name}")
    # the package keeps workforce.<name> the function (the import system would rebind it to the
    # old module; workforce/__init__.py refuses that); the old module, called, still calls it
    assert getattr(workforce, name) is function
    assert getattr(old, name) is function
    monkeypatch.setattr(importlib.import_module(new), name, lambda *a, **k: ("called", a, k))
    assert old(1, x=2) == ("called", (1,), {"x": 2})


@pytest.mark.parametrize(("package", "name", "new"), [
    ("workforce.cli", "bundled_config", "workforce.cli.commands"),
    ("workforce.explain", "fix_integers", "workforce.explain.marginal"),
])
def test_old_names_of_a_module_that_is_a_package_now(package, name, new):
    with pytest.warns(DeprecationWarning, match=f"{package}.{name} moved to {new}.{name}"):
        value = getattr(importlib.import_module(package), name)
    assert value is getattr(importlib.import_module(new), name)


def test_new_names_import_without_a_warning():
    from workforce.cli import main
    from workforce.explain import explain_plan

    assert main is importlib.import_module("workforce.cli.commands").main
    assert explain_plan is importlib.import_module("workforce.explain.marginal").explain_plan
