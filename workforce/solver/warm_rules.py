"""Which parts of the compiled model each parameter of the formulation enters.

Used by :mod:`workforce.solver.warm` to change a compiled model in place; the table is written out in
models/cohort_planning.md, section 12.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from workforce.model.data import ModelData

RHS: dict[str, tuple[str, str]] = {
    "budget": ("budget_limit", "upper"),
    "envelope": ("envelope_limit", "upper"),
    "places_max": ("places_limit", "upper"),
    "national_places_max": ("national_places_limit", "upper"),
    "intake_max": ("intake_maximum", "upper"),
    "intake_min": ("intake_minimum", "lower"),
    "hires_max": ("hires_limit", "upper"),
    "exits_max": ("exits_limit", "upper"),
    "flex_max": ("flex_limit", "upper"),
    "surplus_max": ("surplus_limit", "upper"),
    "demand": ("demand_balance", "both"),
}
"""Parameters that are the whole right-hand side of one row: (constraint family, bound)."""

_MONEY = ("budget_limit", "envelope_limit", "fy_budget_limit")
_ARRIVALS = ("target_minimum", "qualified_in_limit")
"""Issue-4 rows that count completions (targets) or qualified arrivals (statutory deadlines)."""
POLICY_ROWS = (*_ARRIVALS, "unqualified_balance", "equity_limit", "fy_budget_limit")
"""Issue-4 families whose rows are re-evaluated as a whole (their index does not start with a role)."""
_POST = "post_demand_balance"
"""The post-horizon rows of section 10.1: end-stock survival, pipeline and the last year's demand."""
ROWS: dict[str, tuple[str, ...]] = {
    "stock_initial": ("stock_balance", "outflow_limit", "supervision_limit"),
    "attrition": ("stock_balance", "outflow_limit", "unqualified_balance", _POST),  # unqualified holders leave too
    "attrition_new": ("stock_balance", "outflow_limit", _POST),
    "completion_rate": ("stock_balance", "outflow_limit", *_ARRIVALS, _POST),
    "intake_prior": ("stock_balance", "outflow_limit", *_MONEY, *_ARRIVALS),
    "supervision_ratio": ("supervision_limit",),
    "fte_per_unit": ("demand_balance",),
    "demand": ("qualified_in_limit", "equity_limit", _POST, "requirement_limit"),  # posts abolished; the equity rate's denominator
    "cost_course": _MONEY,
    "cost_hire": _MONEY,
    "cost_exit": _MONEY,
    "cost_flex": _MONEY,
}
"""Parameters inside rows: the constraint families whose rows are re-evaluated."""

ROW_FAMILIES = {f for fams in ROWS.values() for f in fams}
"""Every family some parameter enters."""

OBJECTIVE = {"penalty_shortfall", "cost_surplus", "cost_course", "cost_hire", "cost_exit", "cost_flex", "intake_prior"}
"""Parameters that change objective coefficients or offsets."""

SPEND = {"cost_course", "cost_hire", "cost_exit", "cost_flex", "intake_prior"}
"""Parameters that change what each funding stream spends."""

AT_SOLVE = {"weights"}
"""Parameters the solve reads afresh every time."""


def row_groups(families: Iterable[tuple[str, Iterable[Any]]]) -> dict[str, dict[Any, list[tuple[Any, ...]]]]:
    """The indices of each family's rows grouped for :func:`candidate_rows`: all, by first index,
    by first two, and by region (the second)."""
    groups: dict[str, dict[Any, list[tuple[Any, ...]]]] = {"all": {}, "first": {}, "two": {}, "region": {}}
    for family, indices in families:
        for index in indices:
            idx = index if isinstance(index, tuple) else (index,)
            groups["all"].setdefault(family, []).append(idx)
            groups["first"].setdefault((family, idx[0]), []).append(idx)
            if len(idx) > 1:
                groups["two"].setdefault((family, idx[0], idx[1]), []).append(idx)
                groups["region"].setdefault((family, idx[1]), []).append(idx)
    return groups


def candidate_rows(groups: dict[str, dict[Any, list[tuple[Any, ...]]]], d: ModelData, param: str,
                    key: tuple[Any, ...], family: str) -> list[tuple[Any, ...]]:
    """Indices of the rows of ``family`` that can depend on entry ``param[key]``."""
    if family in _MONEY or family in POLICY_ROWS or family == _POST:
        return groups["all"].get(family, [])
    by_two, by_first = groups["two"], groups["first"]
    if param in ("stock_initial", "attrition", "attrition_new"):
        k, r = key
        if family == "supervision_limit":
            return [i for i in groups["region"].get((family, r), []) if d.supervisor_role[i[0]] == k]
        if param == "stock_initial" and family == "stock_balance" and d.movement_share:
            return by_first.get((family, k), [])  # moved_in carries r's stock into other regions (section 21.4)
        return by_two.get((family, k, r), [])
    if param == "completion_rate":
        return by_first.get((family, d.role_of[key[0]]), [])
    if param == "intake_prior":
        p, r, _s = key
        return by_two.get((family, d.role_of[p], r), []) + by_two.get((family, d.source_of[p], r), [])
    if param in ("supervision_ratio", "fte_per_unit"):
        return by_first.get((family, key[0]), [])
    return groups["all"].get(family, [])
