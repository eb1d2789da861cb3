"""Plan outputs of cohorts and policy targets (issue 4): extra intake columns and summary entries.

Nothing is added for a scenario that uses none of these rules, so its tables are unchanged.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import pyomo.environ as pyo

from workforce.data import ModelData
from workforce.model.policy import target_count


def _v(expr: Any) -> float:
    value = pyo.value(expr)
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
    return out


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
