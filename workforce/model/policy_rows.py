"""Row meanings of the issue-4 constraint families (see :mod:`workforce.model.rows`)."""

from __future__ import annotations

from typing import Any

from workforce.model.data import ModelData
from workforce.model.policy_data import NATIONAL
from workforce.model.rows import RowMeaning

KIND = {"unqualified_balance": "unqualified holders by years since appointment",
        "unqualified_total": "posts held by unqualified appointees",
        "qualified_in_limit": "qualified arrivals taking over posts"}


def describe_policy(name: str, idx: tuple[Any, ...], d: ModelData) -> RowMeaning:
    """Describe a row of a target, share, cohort or equity family in the planner's terms."""
    s = d.scenario

    def region(r: str) -> str:
        return d.region_names.get(r, r)

    if name == "target_minimum":
        g, q, t = idx
        target = s.targets[g]
        where = "nationally" if q == NATIONAL else f"in {region(q)}"
        years = d.target_years[g, t]
        span = str(t) if len(years) == 1 else f"{years[0]}-{years[-1]}"
        what = "completions" if target.measure == "completions" else "starters"
        unit = "people" if target.measure == "completions" else "trainees"
        path = ("targets", g, "at_least") + (() if q == NATIONAL else (q,))
        return RowMeaning(name, f"target {g}: {what} of {s.programmes[target.programme].name} {where} in {span}",
                          path, unit, True)
    if name in {"share_minimum", "share_maximum"}:
        g, t = idx
        share = s.place_shares[g]
        bound = "least" if name == "share_minimum" else "most"
        key = "min_share" if name == "share_minimum" else "max_share"
        return RowMeaning(name, f"the {bound} share of {s.programmes[share.programme].name} places for group {g} in {t}",
                          ("place_shares", g, key), "trainees", True)
    if name == "fy_budget_limit":
        f, t = idx
        return RowMeaning(name, f"the {t}-{(t + 1) % 100:02d} financial-year budget of {s.funding_streams[f].name}",
                          ("funding_streams", f, "budget", t), "£k", True)
    if name == "intake_split":
        p, r, t = idx
        return RowMeaning(name, f"the intake split of {s.programmes[p].name} in {region(r)} in {t}",
                          ("programmes", p, "calendar"), "trainees", False)
    if name == "equity_limit":
        k, r = idx[0], idx[1]
        return RowMeaning(name, f"the worst shortfall rate bound for {s.roles[k].name} in {region(r)}",
                          ("objective", "equity"), s.roles[k].unit, False)
    if name == "tenure_established":
        k, r, t = idx
        return RowMeaning(name, f"established {s.roles[k].name} (outside the tenure bands) in {region(r)} at the end "
                          f"of {t}, who are the ones who retrain or exit", ("roles", k, "tenure"), s.roles[k].unit, True)
    if name in {"unqualified_balance", "unqualified_total", "qualified_in_limit", "statutory_deadline"}:
        k, r, t = idx[:3]
        role = s.roles[k].name
        if name == "statutory_deadline":
            years = d.deadline_years[k]
            return RowMeaning(name, f"{role} in {region(r)} in {t} holding the post unqualified for {years}+ years "
                              "(statutory deadline)", ("roles", k, "statutory_deadline", "mode"), s.roles[k].unit, True)
        return RowMeaning(name, f"the {KIND[name]} of {role} in {region(r)} in {t}",
                          ("roles", k, "statutory_deadline"), s.roles[k].unit, False)
    p, r, t = idx
    what = {"cohort_size_minimum": "the minimum cohort size", "cohort_size_maximum": "the maximum cohort size",
            "cohort_open_minimum": "the regional minimum of a cohort", "cohort_open_limit": "no trainees without a cohort"}[name]
    return RowMeaning(name, f"{what} of {s.programmes[p].name} in {region(r)} in {t}",
                      ("programmes", p, "cohorts"), "trainees", False)
