"""Parameters of cohorts, policy targets, place shares and regional equity (issue 4).

:func:`prepare_policy` is called by :func:`workforce.model.data.prepare`; its keys are fields of
:class:`workforce.model.data.ModelData`, named as in models/cohort_planning.md (section 12).
"""

from __future__ import annotations

import math
from typing import Any

from workforce.scenario.checks import REGION_YEAR, YEAR
from workforce.scenario.policy_checks import target_region_keys
from workforce.scenario.schema import Scenario
from workforce.scenario.tables import resolve

NATIONAL = "national"
"""Scope key of a national target row."""


def first_year_cap(prog: Any, capacity: str, cap: float) -> float:
    """The most starters a capacity allows by itself: ``cap`` over the weight of course year 1 when the
    capacity counts course years (workforce/model/capacity_years.py), no bound if that weight is 0."""
    from workforce.scenario.schema_capacity import course_year_weights

    if prog.capacity_course_years is None:
        return cap
    w = course_year_weights(getattr(prog.capacity_course_years, capacity), prog.duration)[0]
    return cap / w if w > 0 else math.inf


def prepare_policy(scenario: Scenario, tables: dict[str, Any]) -> dict[str, Any]:
    """ModelData fields for the issue-4 rules; ``tables`` holds the dense places and intake caps."""
    keys = scenario.region_keys()
    years = scenario.years
    regions = [r.code for r in scenario.regions]
    out: dict[str, Any] = {
        "COHORT_PROGRAMMES": [],
        "cohort_min_size": {},
        "cohort_max_size": {},
        "cohort_region_min": {},
        "cost_cohort": {},
        "intake_upper": {},
        "target_programme": {},
        "target_measure": {},
        "target_min": {},
        "target_years": {},
        "target_regions": {},
        "share_programme": {},
        "share_regions": {},
        "share_min": {},
        "share_max": {},
        "equity_roles": [],
        "equity_basis": None,
        "attrition_tenure": {},
        "tenure_bands": {},
        "tenure_programmes": {},
        "tenure_first_intake": {},
        "DEADLINE_ROLES": [],
        "deadline_years": {},
        "deadline_mode": {},
        "penalty_breach": {},
        "unqualified_initial": {},
        "intake_month": {},
        "intake_delay": {},
        "duration_months": {},
        "prior_term": {},
        "FY_STREAMS": [f for f, stream in scenario.funding_streams.items() if stream.year == "financial"],
    }
    for p, prog in scenario.programmes.items():
        cal = prog.calendar
        if cal is None:
            continue
        out["duration_months"][p] = cal.duration_months
        out["prior_term"][p] = cal.prior_intake_at or next(iter(cal.intakes))
        for j, month in cal.intakes.items():
            out["intake_month"][p, j] = month
            out["intake_delay"][p, j] = cal.delay(month)
    for k, role in scenario.roles.items():
        _role_rules(k, role, scenario, regions, years, tables, out)
    for p, prog in scenario.programmes.items():
        c = prog.cohorts
        if c is None:
            continue
        out["COHORT_PROGRAMMES"].append(p)
        out["cohort_min_size"][p] = c.min_size
        out["cohort_max_size"][p] = c.max_size
        out["cohort_region_min"][p] = c.region_minimum
        for f, cost in c.fixed_cost.items():
            out["cost_cohort"][p, f] = cost
        for r in regions:
            for t in years:
                caps = [
                    first_year_cap(prog, "places", tables["places_max"].get((p, r, t), math.inf)),
                    tables["intake_max"].get((p, r, t), math.inf),
                    first_year_cap(prog, "national_places", tables["national_places_max"].get((p, t), math.inf)),
                ]
                out["intake_upper"][p, r, t] = min(caps)
    for g, target in scenario.targets.items():
        out["target_programme"][g] = target.programme
        out["target_measure"][g] = target.measure
        counted = [keys[r] for r in target.regions] if target.regions is not None else regions
        counted = [r for r in regions if r in counted]
        first = target.from_year if target.from_year is not None else years[0]
        rows = list(range(first, target.by_year + 1)) if target.annual else [target.by_year]
        for t in rows:
            out["target_years"][g, t] = [t] if target.annual else list(range(first, target.by_year + 1))
        if target.scope == "national":
            out["target_regions"][g, NATIONAL] = counted
            values, _ = resolve(target.at_least, YEAR, keys, rows)
            for t in rows:
                out["target_min"][g, NATIONAL, t] = values[(t,)]
        else:
            scope_keys = keys if target.regions is None else target_region_keys(scenario, target.regions)
            values, _ = resolve(target.at_least, REGION_YEAR, scope_keys, rows)
            for r in counted:
                out["target_regions"][g, r] = [r]
                for t in rows:
                    out["target_min"][g, r, t] = values[(r, t)]
    for g, share in scenario.place_shares.items():
        out["share_programme"][g] = share.programme
        group = {keys[r] for r in share.regions}
        out["share_regions"][g] = [r for r in regions if r in group]
        first = share.from_year if share.from_year is not None else years[0]
        last = share.to_year if share.to_year is not None else years[-1]
        for t in range(first, last + 1):
            if share.min_share is not None:
                out["share_min"][g, t] = share.min_share
            if share.max_share is not None:
                out["share_max"][g, t] = share.max_share
    equity = scenario.objective.equity
    if equity is not None:
        out["equity_roles"] = list(equity.roles) if equity.roles is not None else list(scenario.roles)
        out["equity_basis"] = equity.basis
    return out


def _role_rules(k: str, role: Any, scenario: Scenario, regions: list[str], years: list[int],
                tables: dict[str, Any], out: dict[str, Any]) -> None:
    """Tenure profile and statutory deadline parameters of role k (if it gives them)."""
    tenure, rule = role.tenure, role.statutory_deadline
    if tenure is not None:
        out["tenure_bands"][k] = len(tenure.attrition)
        out["attrition_tenure"].update({(k, b): a for b, a in enumerate(tenure.attrition, start=1)})
        out["tenure_programmes"][k] = [p for p, g in scenario.programmes.items()
                                       if g.role == k and (tenure.programmes is None or p in tenure.programmes)]
        if tenure.from_intake_year is not None:
            out["tenure_first_intake"][k] = tenure.from_intake_year
    if rule is not None:
        out["DEADLINE_ROLES"].append(k)
        out["deadline_years"][k] = rule.within_years
        out["deadline_mode"][k] = rule.mode
        out["penalty_breach"][k] = rule.penalty if rule.mode == "penalise" else 0.0
        initial = out["unqualified_initial"]
        for r in regions:
            gap = max(0.0, tables["demand"][k, r, years[0]] - tables["stock_initial"][k, r])
            for age, share in enumerate(rule.initial_shares):
                key = (k, r, min(age, rule.within_years))
                initial[key] = initial.get(key, 0.0) + gap * share
