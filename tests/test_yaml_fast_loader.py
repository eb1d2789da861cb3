"""libyaml's loader (yamlio.FAST_LOADER) reads every scenario, study and corpus file exactly as the
pure loader does: the same data, the same line of every key, the same message for a bad file."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from workforce.errors import ScenarioError
from workforce.scenario import yamlio

ROOT = Path(__file__).resolve().parents[1]
FILES = sorted(p for p in ROOT.glob("**/*.yaml") if p.is_file() and ".venv" not in p.parts and ".git" not in p.parts)
EXTRA = {  # bad files the corpus words differently: syntax errors the two parsers both refuse
    "unclosed-bracket": "name: x\nregions: [a, b\n",
    "tab-indent": "name: x\nroles:\n\tep: 1\n",
    "bad-indent": "a:\n  b: 1\n c: 2\n",
    "unclosed-quote": "name: 'x\n",
    "anchor": "a: &x 1\nb: *x\n",
    "deep": "a: " + "[" * 40 + "]" * 40 + "\n",
}


def _outcome(text: str) -> tuple[object, object]:
    try:
        return yamlio.parse_yaml(text, "f.yaml")
    except ScenarioError as exc:
        return "error", str(exc)


def test_fast_loader_is_libyaml_here():
    assert yamlio.FAST_LOADER is yaml.CSafeLoader  # else the comparison below tests nothing


@pytest.mark.parametrize("text", [p.read_text(encoding="utf-8-sig", errors="replace") for p in FILES] + list(EXTRA.values()),
                         ids=[str(p.relative_to(ROOT)) for p in FILES] + list(EXTRA))
def test_fast_and_pure_loaders_agree(text, monkeypatch):
    fast = _outcome(text)
    monkeypatch.setattr(yamlio, "FAST_LOADER", yaml.SafeLoader)
    assert fast == _outcome(text)
