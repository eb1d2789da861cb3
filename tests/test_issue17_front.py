"""Issue 17 items that no other test held (found walking the issue item by item): the README is a
front page, the YAML reference shows no Python `None` for a mapping, and a progress bar asked for
without tqdm says so instead of silently showing nothing."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from workforce.errors import WorkforceError
from workforce.studies.sweep import _progress_bar

ROOT = Path(__file__).resolve().parents[1]


def test_the_readme_is_a_front_page():
    """§4: "at most about 250 lines ... Move the rest into the documentation site"."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    assert len(text.splitlines()) <= 250
    for history in ("last session", "before (", "benchmark"):  # no development history or benchmark tables
        assert history not in text.lower(), history
    assert "docs/performance.md" in text  # the timings live there, linked


def test_the_yaml_reference_shows_no_python_none():
    """§4: the reference showed "mapping id -> None" for a mapping whose values are optional."""
    text = (ROOT / "docs" / "yaml-reference.md").read_text(encoding="utf-8")
    assert "None" not in text
    assert "mapping id → entry (section below)" in text  # how a mapping of entries is shown instead


def test_a_progress_bar_asked_for_without_tqdm_says_how_to_get_it(monkeypatch):
    """§1: "without tqdm there is silently no progress bar". tqdm is core now; an environment that
    lacks it anyway gets one message when a bar is asked for (--progress), and no bar otherwise."""
    monkeypatch.setitem(sys.modules, "tqdm.auto", None)  # import tqdm.auto now raises ImportError
    with pytest.raises(WorkforceError, match=r"a progress bar needs tqdm.*pip install tqdm"):
        _progress_bar(3, True)
    quiet = _progress_bar(3, None)
    quiet.update(3)
    quiet.close()
    assert type(quiet).__name__ == "_NoBar"


def test_with_tqdm_the_bar_is_a_tqdm_bar_shown_on_terminals_only():
    from tqdm.auto import tqdm

    bar = _progress_bar(3, None)
    try:
        assert isinstance(bar, tqdm) and bar.total == 3
        assert bar.disable  # pytest captures the output: not a terminal, so no bar is drawn
    finally:
        bar.close()
