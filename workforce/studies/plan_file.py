"""The intake plan an ``evaluate``-mode Monte Carlo holds fixed, read from an intake.csv.

The plan must describe the scenario it is evaluated on: a row naming a programme, region or year
the scenario lacks would otherwise be dropped and the plan evaluated as if nobody started there.
Every such row is an input error naming the file, the line and the value.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pandas as pd

from workforce.errors import Problem, ScenarioError
from workforce.scenario import Scenario
from workforce.scenario.tables import did_you_mean

COLUMNS = ("programme", "region", "year", "intake")


def read_plan(path: Path, scenario: Scenario) -> list[list[Any]]:
    """Rows ``[programme, region, year, intake]`` of the plan in ``path``, checked against ``scenario``."""
    try:
        table = pd.read_csv(path, dtype=str, keep_default_na=False)
    except (OSError, ValueError, UnicodeDecodeError) as exc:
        raise ScenarioError(Problem(f"cannot read the plan to evaluate: {exc}", file=str(path))) from None
    missing = [c for c in COLUMNS if c not in table.columns]
    if missing:
        raise ScenarioError(Problem(
            "the plan needs columns programme, region, year, intake (an intake.csv from `workforce run`); "
            f"missing {', '.join(missing)}", file=str(path), line=1))
    programmes = list(scenario.programmes)
    regions = [r.code for r in scenario.regions]
    years = list(range(scenario.horizon.first_year, scenario.horizon.last_year + 1))
    problems: list[Problem] = []
    rows: list[list[Any]] = []
    seen: dict[tuple[str, str, int], int] = {}
    for i, rec in enumerate(table[list(COLUMNS)].itertuples(index=False)):
        line = i + 2  # the header is line 1
        row = _row(rec, programmes, regions, years, str(path), line, problems)
        if row is None:
            continue
        key = (row[0], row[1], row[2])
        if key in seen:
            problems.append(Problem(f"a second row for {' '.join(map(str, key))} (also on line {seen[key]})",
                                    file=str(path), line=line))
            continue
        seen[key] = line
        rows.append(row)
    if problems:
        raise ScenarioError(problems)
    if not rows:
        raise ScenarioError(Problem("the plan has no rows", file=str(path)))
    return rows


def _row(rec: Any, programmes: list[str], regions: list[str], years: list[int], file: str, line: int,
         problems: list[Problem]) -> list[Any] | None:
    programme, region, year, intake = (str(v).strip() for v in rec)
    bad = len(problems)
    if programme not in programmes:
        problems.append(Problem(f"programme {programme!r} is not in the scenario{did_you_mean(programme, programmes)}; "
                                f"its programmes are {', '.join(programmes)}", file=file, line=line))
    if region not in regions:
        problems.append(Problem(f"region {region!r} is not in the scenario{did_you_mean(region, regions)}; "
                                f"its regions are {', '.join(regions)}", file=file, line=line))
    t = int(year) if year.isdigit() else None
    if t is None or t not in years:
        problems.append(Problem(f"year {year!r} is outside the scenario's horizon {years[0]}-{years[-1]}",
                                file=file, line=line))
    try:
        value = float(intake)
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or value < 0:
        problems.append(Problem(f"intake {intake!r} is not a number of starters (0 or more)", file=file, line=line))
    return None if len(problems) > bad else [programme, region, t, value]
