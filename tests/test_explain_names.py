"""`workforce explain` names regions, roles, funding streams and programmes as the scenario does,
not by id (issue 17: the by-region list printed `E12000001`, the budgets table `dfe_ep`)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from workforce import load_scenario, solve
from workforce.explain.text import explanation_text

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def text_and_scenario():
    scenario = load_scenario(ROOT / "configs" / "england_baseline.yaml")
    return explanation_text(solve(scenario).explain(what_if=3)), scenario


def section(text: str, heading: str) -> list[str]:
    block = text[text.index(heading):].split("\n\n")[0]
    return block.splitlines()[1:]


def test_every_id_is_shown_by_its_name(text_and_scenario):
    text, s = text_and_scenario
    ids = [*s.roles, *s.funding_streams, *s.programmes, *(r.code for r in s.regions)]
    shown = [i for i in ids if re.search(rf"(?<![\w/.]){re.escape(i)}(?![\w/.])", text)]
    assert not shown, f"ids printed instead of names: {shown}"
    regions = [line.split("  ")[1].strip() for line in section(text, "By region in")]
    assert regions == [r.name for r in s.regions]
    budgets = section(text, "Budgets")[1:]
    assert {line[2:].split("  ")[0] for line in budgets} <= {f.name for f in s.funding_streams.values()}
    assert "shortfall of Local-authority educational psychologists" in text
