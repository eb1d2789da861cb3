"""The install command a page shows provides what the commands and notebooks beside it import (issue 17
§1 and §5: "every command and notebook the README or examples/README.md shows must run after the
install command shown next to it").

CI installs ".[test]", which holds every extra, so running the commands here cannot show that
`pip install .` alone is enough. This test checks it statically instead, from the metadata:

- what an install command provides: the requirements of pyproject.toml's core dependencies (plus the
  extra it names), closed over the installed distributions' own requirements (markers evaluated);
- what the README's commands need: every third-party module that workforce's own code imports (at
  the top or inside a function: the CLI reaches every module), and the modules that pandas loads for
  an export method workforce calls (`to_parquet` needs pyarrow); optional modules are named in
  OPTIONAL with the extra that provides them, which a page must show;
- what examples/README.md's notebooks and scripts need: the imports of every code cell and script.

Import names are mapped to distributions by importlib.metadata.packages_distributions(). The
checking function is also run on fabricated dependency lists (pyarrow or tqdm dropped from the core
list), where it must report what would break.
"""

from __future__ import annotations

import ast
import json
import re
import sys
import tomllib
from functools import cache
from importlib.metadata import PackageNotFoundError, packages_distributions, requires
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
PROJECT = PYPROJECT["project"]
INSTALL = re.compile(r"""pip install (["']?)(\.(?:\[[\w,-]+\])?)\1(?=[\s`])""")

OPTIONAL = {  # module -> the extra that provides it; workforce imports it only for that feature
    "dask": "distributed", "distributed": "distributed",  # --scheduler (docs/studies.md)
    "mpisppy": "mpi", "mpi4py": "mpi",                    # stochastic.method: mpisppy (docs/stochastic.md)
    "xarray": "xarray",                                   # Plan.to_xarray (docs/development.md, docs/howto.md)
}
ENGINES = {  # a pandas or workforce method -> the module it loads without an import statement here
    "to_parquet": "pyarrow", "read_parquet": "pyarrow", "to_xarray": "xarray",
}
COMMANDS = {"jupyter lab": "jupyterlab", "jupyter execute": "nbclient"}  # a command a page runs -> its distribution


# -- what an install command provides ----------------------------------------------------------------


def _extras_requirements(spec: str) -> list[str]:
    """The requirements `pip install SPEC` asks for (SPEC is `.` or `.[a,b]`), from pyproject.toml."""
    extras = re.fullmatch(r"\.(?:\[([\w,-]+)\])?", spec).group(1)
    listed = list(PROJECT["dependencies"])
    for extra in (extras or "").split(","):
        if extra:
            listed += PROJECT["optional-dependencies"][extra]
    return listed


@cache
def _requires(name: str) -> tuple[str, ...]:
    try:
        return tuple(requires(name) or ())
    except PackageNotFoundError:  # not installed here: counted, not expanded
        return ()


def provided(requirements: list[str]) -> set[str]:
    """Canonical names of every distribution the requirements install, with what those require."""
    seen: set[tuple[str, str]] = set()
    names: set[str] = set()
    stack = [(Requirement(r), "") for r in requirements]
    while stack:
        req, extra = stack.pop()
        if req.marker is not None and not req.marker.evaluate({"extra": extra}):
            continue
        name = canonicalize_name(req.name)
        names.add(name)
        for wanted in ("", *sorted(req.extras)):
            if (name, wanted) in seen:
                continue
            seen.add((name, wanted))
            stack += [(Requirement(r), wanted) for r in _requires(name)]
    return names


# -- what the pages' commands and notebooks need -------------------------------------------------------


def imports_of(code: str) -> set[str]:
    """Top-level third-party modules a piece of code imports (anywhere in it), and those that an
    export method it calls makes pandas load."""
    modules = set()
    for node in ast.walk(ast.parse(code)):
        if isinstance(node, ast.Import):
            modules |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            modules.add(node.module.split(".")[0])
        elif isinstance(node, ast.Attribute) and node.attr in ENGINES:
            modules.add(ENGINES[node.attr])
    return {m for m in modules if m not in sys.stdlib_module_names and m != "workforce"}


def notebook_code(path: Path) -> str:
    """The code cells of a notebook, IPython magics and shell lines left out."""
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    lines = [line for c in cells if c["cell_type"] == "code"
             for line in "".join(c["source"]).splitlines() + [""]]
    return "\n".join(line for line in lines if not line.lstrip().startswith(("%", "!")))


def needed(files: tuple[Path, ...]) -> dict[str, list[str]]:
    """module -> the files (relative to the checkout) that need it."""
    return {m: list(f) for m, f in _needed(files).items()}


@cache
def _needed(files: tuple[Path, ...]) -> dict[str, tuple[str, ...]]:
    out: dict[str, list[str]] = {}
    for path in files:
        code = notebook_code(path) if path.suffix == ".ipynb" else path.read_text(encoding="utf-8")
        for module in imports_of(code):
            out.setdefault(module, []).append(str(path.relative_to(ROOT)))
    return {m: tuple(f) for m, f in out.items()}


@cache
def _distributions() -> dict[str, list[str]]:
    return packages_distributions()


def missing(needs: dict[str, list[str]], requirements: list[str], optional: dict[str, str]) -> list[str]:
    """What the requirements do not provide: one line per module, with the files that import it."""
    have = provided(requirements)
    dists = _distributions()
    wrong = []
    for module, files in sorted(needs.items()):
        if module in optional:
            continue
        names = {canonicalize_name(d) for d in dists.get(module, [module])}
        if not names & have:
            wrong.append(f"{module} ({', '.join(sorted(names))}), imported by {', '.join(sorted(files)[:3])}")
    return wrong


def shown_install(page: str, next_to: str) -> str:
    """The install spec (`.` or `.[extra]`) a page shows on the line of its first `next_to` command."""
    for line in (ROOT / page).read_text(encoding="utf-8").splitlines():
        if next_to in line and (m := INSTALL.search(line)):
            return m.group(2)
    raise AssertionError(f"{page} shows no pip install next to {next_to!r}")


PACKAGE = tuple(sorted((ROOT / "workforce").rglob("*.py")))
EXAMPLES = tuple(sorted((ROOT / "examples").glob("*.ipynb")) + sorted((ROOT / "examples").glob("*.py")))


# -- the tests -----------------------------------------------------------------------------------------


def test_the_readme_install_provides_every_module_the_cli_and_the_library_import():
    spec = shown_install("README.md", "workforce run")
    assert spec == "."
    needs = needed(PACKAGE)
    assert {"pyarrow", "tqdm", "highspy", "pyomo", "xlsxwriter"} <= needs.keys()  # the scan sees them
    assert missing(needs, _extras_requirements(spec), OPTIONAL) == []


def test_the_examples_install_provides_every_notebook_and_script_import_and_jupyter():
    spec = shown_install("examples/README.md", "jupyter lab examples/")
    assert spec == ".[examples]"
    assert len(EXAMPLES) >= 5
    needs = needed(EXAMPLES)
    assert {"pandas", "matplotlib", "yaml", "xarray"} <= needs.keys()  # quickstart calls plan.to_xarray()
    assert missing(needs, _extras_requirements(spec), {}) == []
    assert missing(needed(PACKAGE), _extras_requirements(spec), OPTIONAL) == []  # the notebooks run workforce
    have = provided(_extras_requirements(spec))
    page = (ROOT / "examples" / "README.md").read_text(encoding="utf-8")
    for command, dist in COMMANDS.items():
        if command in page:
            assert canonicalize_name(dist) in have, command


@pytest.mark.parametrize(("module", "extra"), sorted(OPTIONAL.items()))
def test_each_optional_module_comes_with_its_extra_and_a_page_shows_that_install(module, extra):
    """An optional module is imported only for one feature; its extra must provide it, and the pages
    must show that extra's install command (`pip install ".[mpi]"` or `"workforce[distributed]"`)."""
    assert module in needed(PACKAGE), f"workforce no longer imports {module}: drop it from OPTIONAL"
    assert missing({module: ["x"]}, _extras_requirements(f".[{extra}]"), {}) == []
    assert missing({module: ["x"]}, _extras_requirements("."), {}) != [], f"{module} is core now"
    pages = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
    shown = re.compile(rf"""pip install ["']?(?:\.|workforce)\[{extra}\]""")
    assert any(shown.search(p.read_text(encoding="utf-8")) for p in pages), f"no page shows the [{extra}] install"


@pytest.mark.parametrize("dropped", ["pyarrow", "tqdm", "xlsxwriter", "highspy"])
def test_the_check_reports_a_dependency_dropped_from_the_core_list(dropped):
    """On a fabricated core list without one dependency, the check names the module and its importer."""
    core = [r for r in PROJECT["dependencies"] if canonicalize_name(Requirement(r).name) != dropped]
    assert len(core) == len(PROJECT["dependencies"]) - 1
    reported = missing(needed(PACKAGE), core, OPTIONAL)
    assert [line.split(" ")[0] for line in reported] == [dropped], reported
    assert "workforce/" in reported[0]


def test_the_check_reports_an_extra_that_lost_its_module():
    """Without xarray in the examples extra, quickstart.ipynb's plan.to_xarray() is reported."""
    examples = [r for r in PROJECT["optional-dependencies"]["examples"] if not r.startswith("xarray")]
    reported = missing(needed(EXAMPLES), [*PROJECT["dependencies"], *examples], {})
    assert reported == ["xarray (xarray), imported by examples/quickstart.ipynb"]


def test_provided_follows_requirements_markers_and_extras():
    """A hand-checked closure: dask[distributed] brings distributed (an extra of dask), plain dask does
    not; a requirement for another platform brings nothing."""
    assert "distributed" in provided(["dask[distributed]"])
    assert "distributed" not in provided(["dask"])
    assert provided(["tqdm; sys_platform == 'no-such-platform'"]) == set()
