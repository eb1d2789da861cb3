"""Every file and module the formulation and the README name exists in the tree (issue 15).

A move or rename that leaves models/cohort_planning.md, the README or the docs pointing at a path
that is gone fails here, naming the document, the line and the path.
"""

import importlib
import re
import warnings
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCUMENTS = ["models/cohort_planning.md", "README.md", "docs/howto.md", "docs/index.md", "examples/README.md",
             "docs/tutorial.md", "docs/guide.md", "docs/studies.md", "docs/outputs.md", "docs/performance.md",
             "docs/development.md"]
PATH = re.compile(r"(?<![\w/.])((?:workforce|tests|benchmarks|examples|models)/[\w/.-]*\w)")
DOTTED = re.compile(r"`(workforce(?:\.\w+)+)(?!\.\w)")
FILE_SUFFIXES = ("csv", "json", "yaml", "xlsx", "parquet", "py", "md", "png", "svg")
BARE_PY = re.compile(r"`(\w+\.py)`")


def mentions(pattern: re.Pattern, doc: str) -> list[tuple[int, str]]:
    lines = (ROOT / doc).read_text(encoding="utf-8").splitlines()
    return [(i, m.group(1)) for i, line in enumerate(lines, 1) for m in pattern.finditer(line)]


def resolves(dotted: str) -> bool:
    """``workforce.a.b`` is an attribute or a module, reached without an old (deprecated) path."""
    parts = dotted.split(".")
    obj = importlib.import_module(parts[0])
    for i, name in enumerate(parts[1:], 2):
        if not hasattr(obj, name):
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("error", DeprecationWarning)  # an old path does not count
                    importlib.import_module(".".join(parts[:i]))
            except (ImportError, DeprecationWarning):
                return False
        obj = getattr(obj, name)
    return True


@pytest.mark.parametrize("doc", DOCUMENTS)
def test_every_path_a_document_names_exists(doc):
    missing = [f"{doc}:{line}: {path}" for line, path in mentions(PATH, doc)
               if not (ROOT / path).exists() and not path.startswith(("docs/_build", "models/cohort_planning.pdf"))]
    assert not missing, "paths named but not in the tree:\n" + "\n".join(missing)


@pytest.mark.parametrize("doc", DOCUMENTS)
def test_every_module_a_document_names_imports(doc):
    missing = [f"{doc}:{line}: {name}" for line, name in mentions(DOTTED, doc)
               if name.rpartition(".")[2] not in FILE_SUFFIXES and not resolves(name)]
    assert not missing, "modules or names that do not resolve (or resolve only through an old path):\n" + "\n".join(
        missing)


def test_the_formulation_names_each_source_file_unambiguously():
    """A bare ``name.py`` in the formulation must be exactly one module of the package."""
    doc = "models/cohort_planning.md"
    wrong = []
    for line, name in mentions(BARE_PY, doc):
        if "/" not in name and len(list((ROOT / "workforce").rglob(name))) != 1:
            wrong.append(f"{doc}:{line}: {name}")
    assert not wrong, "give the path under workforce/:\n" + "\n".join(wrong)
