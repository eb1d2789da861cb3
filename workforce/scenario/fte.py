"""Heads and FTE (issue 16, section 5): checks of ``roles.<k>.fte_per_head`` and
``programmes.<p>.supervision_counts``.

A role measured in FTE (``unit: FTE``) may declare the FTE each person adds when they join or leave
by a decision: one number, or a mapping year -> number covering the horizon, each in (0, 1.5]. The
model rule is in :mod:`workforce.model.fte` (models/cohort_planning.md, section 23).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from workforce.scenario.tables import resolve

if TYPE_CHECKING:
    from workforce.scenario.schema import Scenario

Path = tuple[Any, ...]

FTE_PER_HEAD_MAX = 1.5
"""Most FTE one person may count for (a full-time post is 1; some contracts add paid overtime)."""

_HORIZON = ("terminal_value", "steady_state")
"""End-of-horizon rules that project completers against demand in the role's unit (completer_value
credits each completer, a person, and needs no conversion)."""


def fte_values(scenario: Scenario, k: str) -> tuple[dict[int, float], list[tuple[Path, str]]]:
    """(year -> FTE per head of role k over the horizon, problems); 1 every year when not given."""
    role = scenario.roles[k]
    years = scenario.years
    if role.fte_per_head is None:
        return dict.fromkeys(years, 1.0), []
    path: Path = ("roles", k, "fte_per_head")
    values, found = resolve(role.fte_per_head, ("year",), scenario.region_keys(), years)
    problems = [((*path, *sub), msg) for sub, msg in found]
    return {t: v for (t,), v in values.items()}, problems


def check_fte(scenario: Scenario) -> list[tuple[Path, str]]:
    """Every problem of the roles' ``fte_per_head``: unit, range, and rules it cannot be used with yet."""
    problems: list[tuple[Path, str]] = []
    declared = False
    for k, role in scenario.roles.items():
        if role.fte_per_head is None:
            continue
        path: Path = ("roles", k, "fte_per_head")
        if role.unit != "FTE":
            problems.append((path, f"is set but the role's unit is {role.unit}: a role counted in people "
                                   "counts one per head; set unit: FTE or remove fte_per_head"))
            continue
        values, found = fte_values(scenario, k)  # shape and coverage problems: reported with every table
        bad = [(t, v) for t, v in values.items() if not 0 < v <= FTE_PER_HEAD_MAX]
        if bad:
            t, v = bad[0]
            problems.append((path, f"must be above 0 and at most {FTE_PER_HEAD_MAX:g} FTE per person, got {v:g} "
                                   f"in {t}"))
            continue
        if found or all(v == 1 for v in values.values()):
            continue
        declared = True
    if declared:
        problems += [(("horizon", key), f"horizon.{key} projects completers as people and cannot be combined with "
                                        "a role's fte_per_head other than 1 yet; remove one of them")
                     for key in _HORIZON if getattr(scenario.horizon, key, None)]
    return problems
