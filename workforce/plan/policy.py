"""Plan outputs of cohorts and policy targets (issue 4): extra intake columns and summary entries.

Nothing is added for a scenario that uses none of these rules, so its tables are unchanged.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pandas as pd

from workforce.model.data import ModelData

if TYPE_CHECKING:  # Pyomo loads only with a Pyomo model (a plan from the arrays never needs it)
    import pyomo.environ as pyo


def _v(expr: Any) -> float:
    from pyomo.environ import value as pyomo_value

    value = pyomo_value(expr)
    return 0.0 if abs(value) < 1e-9 else float(value)


def add_cohort_columns(d: ModelData, m: pyo.ConcreteModel, intake: pd.DataFrame) -> pd.DataFrame:
    """``cohorts`` (whole cohorts run) beside the intake of cohort programmes; NaN for others."""
    if not d.COHORT_PROGRAMMES:
        return intake
    cohorts = [
        round(_v(m.cohorts[p, r, t])) if p in d.COHORT_PROGRAMMES else float("nan")
        for p, r, t in intake.index
    ]
    units = dict(intake.attrs.get("units", {}))
    intake = intake.assign(cohorts=cohorts)
    intake.attrs["units"] = {**units, "cohorts": "cohorts"}
    return intake


def policy_summary(d: ModelData, m: pyo.ConcreteModel) -> dict[str, Any]:
    """``targets``: each target row with its count in the plan; present only when targets exist."""
    if not d.target_min:
        return {}
    from workforce.model.policy import target_count  # a Pyomo expression: imported with the model

    rows = []
    for (g, q, t), need in d.target_min.items():
        years = d.target_years[g, t]
        rows.append({
            "target": g,
            "scope": q,
            "from_year": years[0],
            "to_year": years[-1],
            "measure": d.target_measure[g],
            "at_least": need,
            "achieved": _v(target_count(m, d, g, q, t)),
        })
    return {"targets": rows}


def extra_tables(d: ModelData, m: pyo.ConcreteModel) -> dict[str, pd.DataFrame]:
    """Tables that only some scenarios have: ``tenure`` and ``compliance``."""
    out = {}
    if d.tenure_bands:
        out["tenure"] = _tenure(d, m)
    if d.DEADLINE_ROLES:
        out["compliance"] = _compliance(d, m)
    if d.intake_month:
        out["intake_terms"] = _intake_terms(d, m)
    return out


def _intake_terms(d: ModelData, m: pyo.ConcreteModel) -> pd.DataFrame:
    """``intake_terms`` [programme, region, year, intake]: starters at each intake point of
    calendar programmes, with the start month and the year they join the role."""
    rows = [
        {"programme": p, "region": r, "year": t, "intake": j, "starters": _v(m.intake_term[p, r, t, j]),
         "start_month": d.intake_month[p, j], "qualifies_in": t + d.intake_delay[p, j]}
        for (p, j) in d.intake_month for r in d.REGIONS for t in d.YEARS
    ]
    df = pd.DataFrame(rows).set_index(["programme", "region", "year", "intake"])
    df.attrs["units"] = {"starters": "trainees", "start_month": "months after 1 September", "qualifies_in": "year"}
    return df


def calendar_items(d: ModelData, m: pyo.ConcreteModel, f: str, t: int) -> dict[str, float]:
    """Course costs of calendar programmes paid by stream f in academic year t, by programme."""
    from workforce.model.calendar import course_cost_in

    items = {p: _v(course_cost_in(m, d, p, f, t, financial=False)) for p in d.duration_months}
    return {p: v for p, v in items.items() if v or any(g == f for (q, _y, g) in d.cost_course if q == p)}


def fy_items(d: ModelData, m: pyo.ConcreteModel, f: str, t: int, academic: Any) -> dict[str, float]:
    """Spend items of a financial-year stream in financial year t: course costs by month, other
    items 7/12 from academic year t and 5/12 from academic year t − 1 (see fy_spend)."""
    from workforce.model.calendar import FY_START, course_cost_in

    items: dict[str, float] = {}
    for p in d.PROGRAMMES:
        if any(g == f for (q, _y, g) in d.cost_course if q == p):
            items[p] = _v(course_cost_in(m, d, p, f, t, financial=True))
    for year, share in ((t, FY_START / 12), (t - 1, 1 - FY_START / 12)):
        if year < d.first_year:
            continue
        for name, value in academic(d, m, f, year, financial=False).items():
            if name not in d.PROGRAMMES:
                items[name] = items.get(name, 0.0) + share * value
    return items


def _compliance(d: ModelData, m: pyo.ConcreteModel) -> pd.DataFrame:
    """``compliance`` [role, region, year]: posts held unqualified by years since appointment
    (``unqualified_0`` .. ``unqualified_<A-1>``) and ``out_of_compliance`` (A or more years)."""
    from workforce.model.deadline import out_of_compliance

    rows = []
    for k in d.DEADLINE_ROLES:
        deadline = d.deadline_years[k]
        for r in d.REGIONS:
            for t in d.YEARS:
                row: dict[str, Any] = {"role": k, "region": r, "year": t}
                for a in range(deadline):
                    row[f"unqualified_{a}"] = _v(m.unqualified[k, r, t, a])
                row["out_of_compliance"] = _v(out_of_compliance(m, d, k, r, t))
                row["deadline_years"] = deadline
                rows.append(row)
    df = pd.DataFrame(rows).set_index(["role", "region", "year"])
    unit = "people or FTE (the role's unit)"
    df.attrs["units"] = {**{c: unit for c in df.columns if c != "deadline_years"}, "deadline_years": "years"}
    return df


def _tenure(d: ModelData, m: pyo.ConcreteModel) -> pd.DataFrame:
    """``tenure`` [role, region, year, band]: tied staff at the start of the year and leavers by
    tenure band, for roles with a tenure profile."""
    from workforce.model.tenure import tenure_stock

    rows = []
    for k, bands in d.tenure_bands.items():
        for r in d.REGIONS:
            for t in d.YEARS[1:]:
                for b in range(1, bands + 1):
                    stock = _v(tenure_stock(m, d, k, r, t, b))
                    rows.append({"role": k, "region": r, "year": t, "band": b, "stock_start": stock,
                                 "attrition": d.attrition_tenure[k, b],
                                 "leavers": d.attrition_tenure[k, b] * stock})
    df = pd.DataFrame(rows).set_index(["role", "region", "year", "band"])
    df.attrs["units"] = {"stock_start": "people or FTE (the role's unit)", "attrition": "fraction a year",
                         "leavers": "people or FTE (the role's unit)"}
    return df


def policy_lines(plan: Any) -> list[str]:
    """Terminal lines for the issue-4 rules a plan uses: MIP gap, equity, targets, compliance."""
    s, d = plan.summary, plan.data
    lines: list[str] = []
    if s.get("mip_gap") is not None:
        lines += ["", f"Whole cohorts (MILP): relative gap {100 * s['mip_gap']:.3f}%"]
    eq = s.get("equity")
    if eq:
        fair, eff = eq["equitable"], eq["efficient"]
        lines += [
            "",
            f"Regional equity ({eq['mode']}, {eq['basis']}): worst shortfall rate {fair['worst_shortfall_rate']:.1%} "
            f"(efficient plan {eff['worst_shortfall_rate']:.1%})",
            f"  price of fairness: shortfall {eq['price_shortfall']:+,.1f} unit-years, cost £{eq['price_cost']:+,.0f}k",
        ]
    if s.get("targets"):
        lines += ["", "Targets"]
        for row in s["targets"]:
            span = f"{row['from_year']}-{row['to_year']}" if row["from_year"] != row["to_year"] else str(row["to_year"])
            lines.append(f"  {row['target']} ({row['scope']}, {span}): {row['achieved']:,.1f} of at least {row['at_least']:,.1f}")
    compliance = plan.extra.get("compliance")
    if compliance is not None:
        out = compliance["out_of_compliance"].groupby(level=["role", "year"]).sum()
        rows = [(d.scenario.roles[k].name, [out[k, t] for t in d.YEARS]) for k in d.DEADLINE_ROLES]
        lines += ["", *year_table("Out of compliance with the statutory deadline (all regions)", rows, d.YEARS)]
    return lines


def year_table(title: str, rows: list[tuple[str, list[float]]], years: list[int], indent: str = "  ") -> list[str]:
    """A table with one column per year (headed by the year) and names at their full length."""
    width = max([len(title) - len(indent), *(len(name) for name, _ in rows)])
    lines = [f"{title:<{width + len(indent)}} " + " ".join(f"{t:>7}" for t in years)]
    lines += [f"{indent}{name:<{width}} " + " ".join(f"{v:>7,.0f}" for v in values) for name, values in rows]
    return lines
