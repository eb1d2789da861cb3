"""Plan outputs of tenure, statutory deadlines and targets read from the generated arrays.

The same tables and summary entries as :mod:`workforce.plan.policy` evaluates through the Pyomo
model (``tenure``, ``compliance``, ``targets``), computed from the solution vector with the grids of
:mod:`workforce.model.array_tenure` and :mod:`workforce.model.array_policy`, so a plan generated as
arrays needs no Pyomo model for them. tests/test_extract.py checks them against the model's own
expressions.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from workforce.model.array_grids import Lin
from workforce.model.array_policy import target_count
from workforce.model.array_tenure import band_block, tenure_bands_stock, tenure_leavers
from workforce.model.arrays import as_loaded
from workforce.model.data import ModelData

ROLE_UNIT = "people or FTE (the role's unit)"


def _zero_small(a: np.ndarray) -> np.ndarray:
    return np.where(np.abs(a) < 1e-9, 0.0, a)


def leavers_of(ex: Any, k: str, x: np.ndarray) -> np.ndarray:
    """(R, T): leavers of a role with a tenure profile (section 13) at the solution (as loaded)."""
    return tenure_leavers(ex, k).value(x)


def rule_tables(d: ModelData, compiled: Any, x: np.ndarray) -> dict[str, pd.DataFrame]:
    """``tenure`` and ``compliance`` (workforce.plan.policy.extra_tables) where the scenario has them."""
    out = {}
    if d.tenure_bands:
        out["tenure"] = tenure_table(d, compiled, as_loaded(x))
    if d.DEADLINE_ROLES:
        out["compliance"] = compliance_table(d, compiled, as_loaded(x))
    return out


def tenure_table(d: ModelData, compiled: Any, x: np.ndarray) -> pd.DataFrame:
    """``tenure`` [role, region, year, band]: tied staff at the start of the year and leavers by band."""
    rows = []
    for k, bands in d.tenure_bands.items():
        stocks = [_zero_small(band.value(x)) for band in tenure_bands_stock(compiled.expressions, k)]
        for i, r in enumerate(d.REGIONS):
            for j, t in enumerate(d.YEARS[1:], start=1):
                for b in range(1, bands + 1):
                    stock = float(stocks[b - 1][i, j])
                    rows.append({"role": k, "region": r, "year": t, "band": b, "stock_start": stock,
                                 "attrition": d.attrition_tenure[k, b], "leavers": d.attrition_tenure[k, b] * stock})
    df = pd.DataFrame(rows).set_index(["role", "region", "year", "band"])
    df.attrs["units"] = {"stock_start": ROLE_UNIT, "attrition": "fraction a year", "leavers": ROLE_UNIT}
    return df


def compliance_table(d: ModelData, compiled: Any, x: np.ndarray) -> pd.DataFrame:
    """``compliance`` [role, region, year]: posts held unqualified by years since appointment and
    ``out_of_compliance`` (the deadline's band)."""
    rows = []
    for k in d.DEADLINE_ROLES:
        deadline = d.deadline_years[k]
        values = _zero_small(Lin.var(band_block(d, compiled.layout, "unqualified", k)).value(x))  # (R, T, A + 1)
        for i, r in enumerate(d.REGIONS):
            for j, t in enumerate(d.YEARS):
                row: dict[str, Any] = {"role": k, "region": r, "year": t}
                for a in range(deadline):
                    row[f"unqualified_{a}"] = float(values[i, j, a])
                row["out_of_compliance"] = float(values[i, j, deadline])
                row["deadline_years"] = deadline
                rows.append(row)
    df = pd.DataFrame(rows).set_index(["role", "region", "year"])
    df.attrs["units"] = {**{c: ROLE_UNIT for c in df.columns if c != "deadline_years"}, "deadline_years": "years"}
    return df


def target_summary(d: ModelData, compiled: Any, x: np.ndarray) -> dict[str, Any]:
    """``targets`` (workforce.plan.policy.policy_summary): each target row with its count in the plan."""
    if not d.target_min:
        return {}
    keys = list(d.target_min)
    achieved = _zero_small(target_count(d, compiled.expressions, keys).value(as_loaded(x)))
    rows = []
    for (g, q, t), value in zip(keys, achieved, strict=True):
        years = d.target_years[g, t]
        rows.append({"target": g, "scope": q, "from_year": years[0], "to_year": years[-1],
                     "measure": d.target_measure[g], "at_least": d.target_min[g, q, t], "achieved": float(value)})
    return {"targets": rows}
