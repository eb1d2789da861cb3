"""What each constraint row means in the planner's terms, and where in the scenario it came from."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from workforce.model.capacity_years import course_years_label
from workforce.model.data import ModelData


@dataclass(frozen=True)
class RowMeaning:
    kind: str
    """Constraint family, the name used in models/cohort_planning.md."""
    label: str
    """Plain-English description, e.g. 'the 2027 budget of DfE EP training grant'."""
    path: tuple[Any, ...]
    """Scenario key path the limit came from."""
    unit: str
    relaxable: bool
    """Whether the limit is a planning choice (budget, capacity, minimum) rather than arithmetic."""


KIND_NAMES = {
    "budget_limit": "budget",
    "envelope_limit": "whole-horizon envelope",
    "places_limit": "training places",
    "national_places_limit": "national training places",
    "supervision_limit": "supervision capacity",
    "intake_minimum": "minimum intake",
    "intake_maximum": "maximum intake",
    "hires_limit": "hiring cap",
    "exits_limit": "exit cap",
    "move_limit": "cap on moves between regions",
    "flex_limit": "flexible-supply cap",
    "surplus_limit": "surplus cap",
    "requirement_limit": "hard requirement",
    "surplus_group_limit": "group surplus cap",
    "outflow_limit": "staff available to retrain or exit",
    "stock_balance": "stock balance",
    "demand_balance": "demand balance",
    "post_demand_balance": "post-horizon demand balance",
    "intake_change_up": "tie-break intake change",
    "intake_change_down": "tie-break intake change",
    "intake_change_rise": "year-on-year rise in national intake",
    "intake_change_fall": "year-on-year fall in national intake",
    "steady_state_pipeline": "steady-state pipeline at the end of the horizon",
}

POLICY_KINDS = {
    "target_minimum": "policy target",
    "share_minimum": "minimum regional share of places",
    "share_maximum": "maximum regional share of places",
    "cohort_size_minimum": "minimum cohort size",
    "cohort_size_maximum": "maximum cohort size",
    "cohort_open_minimum": "regional cohort minimum",
    "cohort_open_limit": "no trainees without a cohort",
    "equity_limit": "regional equity",
    "unqualified_balance": "unqualified holders by years since appointment",
    "unqualified_total": "posts held by unqualified appointees",
    "qualified_in_limit": "qualified arrivals taking over posts",
    "statutory_deadline": "statutory qualification deadline",
    "tenure_established": "established staff (outside the tenure bands) available to retrain or exit",
    "fy_budget_limit": "financial-year budget",
    "intake_split": "intake split across intake points",
}
KIND_NAMES.update(POLICY_KINDS)


def describe(name: str, index: Any, d: ModelData) -> RowMeaning:
    """Describe row ``name[index]`` of the model built from ``d``."""
    s = d.scenario
    idx = index if isinstance(index, tuple) else (index,)
    if name in POLICY_KINDS:
        from workforce.model.policy_rows import describe_policy

        return describe_policy(name, idx, d)

    def region(r: str) -> str:
        return d.region_names.get(r, r)

    def prog(p: str) -> str:
        return s.programmes[p].name

    def role(k: str) -> str:
        return s.roles[k].name

    def unit(k: str) -> str:
        return s.roles[k].unit

    if name == "budget_limit":
        f, t = idx
        return RowMeaning(name, f"the {t} budget of {s.funding_streams[f].name}", ("funding_streams", f, "budget", t), "£k", True)
    if name == "envelope_limit":
        (f,) = idx
        return RowMeaning(name, f"the whole-horizon envelope of {s.funding_streams[f].name}", ("funding_streams", f, "envelope"), "£k", True)
    if name in {"places_limit", "intake_minimum", "intake_maximum"}:
        p, r, t = idx
        key = {"places_limit": "places", "intake_minimum": "intake_min", "intake_maximum": "intake_max"}[name]
        what = {"places_limit": "training places", "intake_minimum": "minimum intake", "intake_maximum": "maximum intake"}[name]
        years = course_years_label(d, "places", p) if name == "places_limit" else ""
        return RowMeaning(name, f"the {what} of {prog(p)} in {region(r)} in {t}{years}", ("programmes", p, key, r, t), "trainees", True)
    if name == "national_places_limit":
        p, t = idx
        return RowMeaning(name, f"the national places of {prog(p)} in {t}{course_years_label(d, 'national_places', p)}",
                          ("programmes", p, "national_places", t), "trainees", True)
    if name in {"intake_change_rise", "intake_change_fall"}:
        p, t = idx
        what = "rise" if name == "intake_change_rise" else "fall"
        return RowMeaning(name, f"the largest {what} in {prog(p)}'s national intake from {t - 1} to {t}",
                          ("programmes", p, "max_intake_change"), "trainees", True)
    if name == "steady_state_pipeline":
        k, r, v = idx
        return RowMeaning(name, f"the steady-state pipeline of {role(k)} in {region(r)} arriving in {v}",
                          ("horizon", "steady_state", "share"), unit(k), True)
    if name == "supervision_limit":
        p, r, t = idx
        return RowMeaning(name, f"supervision capacity for {prog(p)} in {region(r)} in {t}{course_years_label(d, 'supervision', p)}",
                          ("programmes", p, "supervision_ratio"), "trainees", True)
    if name == "hires_limit":
        k, r, t = idx
        return RowMeaning(name, f"the hiring cap for {role(k)} in {region(r)} in {t}", ("roles", k, "hiring", "max", r, t),
                          "people" if (k, t) in d.fte_per_head else unit(k), True)  # section 23: hires are people
    if name == "exits_limit":
        k, r, t = idx
        return RowMeaning(name, f"the exit cap for {role(k)} in {region(r)} in {t}", ("roles", k, "exits", "max", r, t),
                          "people" if (k, t) in d.fte_per_head else unit(k), True)  # section 23: exits are people
    if name == "flex_limit":
        k, o, r, t = idx
        opt = s.roles[k].flexible_supply[o].name
        return RowMeaning(name, f"the cap on {opt} in {region(r)} in {t}", ("roles", k, "flexible_supply", o, "max", r, t), "units", True)
    if name == "surplus_limit":
        k, r, t = idx
        return RowMeaning(name, f"the surplus cap for {role(k)} in {region(r)} in {t}", ("roles", k, "surplus_max", r, t), unit(k), True)
    if name == "requirement_limit":
        k, r, t = idx
        return RowMeaning(name, f"the required share of demand for {role(k)} in {region(r)} in {t}",
                          ("roles", k, "required_share", r, t), unit(k), True)
    if name == "surplus_group_limit":
        g, r, t = idx
        return RowMeaning(name, f"the surplus cap of group {g} in {region(r)} in {t}", ("surplus_groups", g, "max", r, t), "people or FTE", True)
    if name == "move_limit":  # section 24
        k, r, q, t = idx
        return RowMeaning(name, f"the cap on moves of {role(k)} from {region(r)} to {region(q)} in {t}",
                          ("roles", k, "moves", "max"), "people", True)
    if name == "outflow_limit":
        k, r, t = idx
        verbs = "retrain, exit or be moved" if any(kk == k for kk, _, _ in d.MOVE_ROUTES) else "retrain or exit"  # section 24
        return RowMeaning(name, f"{role(k)} available to {verbs} in {region(r)} in {t}", ("roles", k, "initial_stock", r), unit(k), True)
    if name in {"stock_balance", "demand_balance", "post_demand_balance"}:
        k, r, t = idx
        return RowMeaning(name, f"the {KIND_NAMES[name]} of {role(k)} in {region(r)} in {t}", ("roles", k), unit(k), False)
    return RowMeaning(name, f"{name}{list(idx)}", (), "", False)


_LIMIT_PARAMETERS = {
    "budget_limit": "budget",
    "fy_budget_limit": "budget",
    "target_minimum": "target_min",
    "envelope_limit": "envelope",
    "places_limit": "places_max",
    "national_places_limit": "national_places_max",
    "intake_minimum": "intake_min",
    "intake_maximum": "intake_max",
    "hires_limit": "hires_max",
    "exits_limit": "exits_max",
    "move_limit": "move_max",
    "flex_limit": "flex_max",
    "surplus_limit": "surplus_max",
}


def planner_limit(name: str, index: Any, d: ModelData) -> float | None:
    """The scenario's value of limit row ``name[index]`` (e.g. the £k budget), or None where the
    limit is not one number of the scenario (supervision capacity and the staff available to
    retrain depend on the plan's stocks)."""
    idx = index if isinstance(index, tuple) else (index,)
    if name == "surplus_group_limit":
        g, r, t = idx
        return d.surplus_groups[g][1][r, t]
    parameter = _LIMIT_PARAMETERS.get(name)
    if parameter is None:
        return None
    values = getattr(d, parameter)
    return values[idx[0]] if parameter == "envelope" else values[idx]


def index_parts(name: str, index: Any) -> dict[str, Any]:
    """The stream, programme, role, region and year of limit row ``name[index]`` (None where the
    family has no such index)."""
    idx = index if isinstance(index, tuple) else (index,)
    cols: dict[str, Any] = {"stream": None, "programme": None, "role": None, "region": None, "year": None}
    if name in ("budget_limit", "fy_budget_limit"):
        cols["stream"], cols["year"] = idx
    elif name == "envelope_limit":
        cols["stream"] = idx[0]
    elif name in ("places_limit", "supervision_limit", "intake_minimum", "intake_maximum"):
        cols["programme"], cols["region"], cols["year"] = idx
    elif name in ("national_places_limit", "intake_change_rise", "intake_change_fall"):
        cols["programme"], cols["year"] = idx
    elif name in ("hires_limit", "exits_limit", "surplus_limit", "outflow_limit", "stock_balance", "demand_balance",
                  "steady_state_pipeline", "requirement_limit"):
        cols["role"], cols["region"], cols["year"] = idx
    elif name == "flex_limit":
        cols["role"], _, cols["region"], cols["year"] = idx
    elif name == "move_limit":  # (role, origin, destination, year): the origin region
        cols["role"], cols["region"], _, cols["year"] = idx
    elif name == "surplus_group_limit":
        _, cols["region"], cols["year"] = idx
    elif name == "target_minimum":  # (target, region or "national", year)
        _, region, cols["year"] = idx
        cols["region"] = None if region == "national" else region
    elif name == "statutory_deadline":
        cols["role"], cols["region"], cols["year"] = idx
    elif name in ("share_minimum", "share_maximum"):
        cols["year"] = idx[1]
    return cols


GROUP_LABELS = {
    "budget_limit": "the budgets of {stream}",
    "fy_budget_limit": "the financial-year budgets of {stream}",
    "places_limit": "the training places of {programme}",
    "national_places_limit": "the national places of {programme}",
    "steady_state_pipeline": "the steady-state pipelines of {role} after the horizon",
    "intake_change_rise": "the limits on year-on-year rises in {programme}'s national intake",
    "intake_change_fall": "the limits on year-on-year falls in {programme}'s national intake",
    "supervision_limit": "supervision capacity for {programme}",
    "intake_minimum": "the minimum intakes of {programme}",
    "intake_maximum": "the maximum intakes of {programme}",
    "hires_limit": "the hiring caps for {role}",
    "exits_limit": "the exit caps for {role}",
    "flex_limit": "the flexible-supply caps for {role}",
    "surplus_limit": "the surplus caps for {role}",
    "requirement_limit": "the required shares of demand for {role}",
    "outflow_limit": "{role} available to retrain or exit",
}


def spans(values: list[int]) -> str:
    """2026, 2027, 2028, 2030 → '2026-2028, 2030'."""
    out: list[str] = []
    ordered = sorted(set(values))
    start = prev = ordered[0]
    for v in [*ordered[1:], None]:
        if v is not None and v == prev + 1:
            prev = v
            continue
        out.append(str(start) if start == prev else f"{start}-{prev}")
        if v is not None:
            start = prev = v
    return ", ".join(out)


def group_label(name: str, members: list[Any], d: ModelData) -> str:
    """One phrase for several rows of family ``name`` that differ only by region and year, e.g.
    'the minimum intakes of EP doctorate in all 9 regions in 2026-2028'."""
    s = d.scenario
    parts = [index_parts(name, idx) for idx in members]
    first = parts[0]
    names = {
        "stream": s.funding_streams[first["stream"]].name if first["stream"] else "",
        "programme": s.programmes[first["programme"]].name if first["programme"] else "",
        "role": s.roles[first["role"]].name if first["role"] else "",
    }
    text = GROUP_LABELS.get(name, KIND_NAMES.get(name, name) + " limits").format(**names)
    regions = [p["region"] for p in parts if p["region"] is not None]
    if regions:
        unique = list(dict.fromkeys(regions))
        if len(unique) == len(d.REGIONS) and len(unique) > 1:
            text += " in both regions" if len(unique) == 2 else f" in all {len(unique)} regions"
        else:
            shown = [d.region_names.get(r, r) for r in unique]
            text += " in " + (shown[0] if len(shown) == 1 else ", ".join(shown[:-1]) + " and " + shown[-1])
    years = [p["year"] for p in parts if p["year"] is not None]
    if years:
        text += " in " + spans(years)
    return text
