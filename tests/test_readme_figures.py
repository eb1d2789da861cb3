"""The figures the README's front page quotes for the England baseline are the plan's: in post,
demand and shortfall in 2026, shortfall in 2035, and the EPs' agency staff (flexible supply)."""

from __future__ import annotations

import re
from pathlib import Path

from workforce import load_scenario, solve

ROOT = Path(__file__).resolve().parents[1]
ROWS = {"Qualified SENCOs": "senco", "Level 3 early-years SENCOs": "ey_senco", "Local-authority EPs": "ep"}


def test_the_front_page_table_is_the_baselines_plan():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    table = text[text.index("| role | 2026 in post |"):].split("\n\n")[0].splitlines()[2:]
    assert len(table) == 3
    national = solve(load_scenario(ROOT / "configs" / "england_baseline.yaml")).workforce.groupby(
        level=["role", "year"]).sum()
    for line in table:
        label, *cells = [c.strip() for c in line.strip("|").split("|")]
        role = ROWS[label.split(" (")[0]]
        first, last = national.loc[(role, 2026)], national.loc[(role, 2035)]
        expected = [first["supply"], first["demand"], first["shortfall"], last["shortfall"]]
        assert cells == [f"{v:,.0f}" for v in expected], label
        agency = re.search(r"plus ([\d,]+) agency", label)
        if agency:
            assert agency.group(1) == f"{first['flexible']:,.0f}"
