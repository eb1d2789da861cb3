"""Retention by tenure (section 13) and statutory deadlines (section 14) in the array construction.

The same rows and objective terms as :mod:`workforce.model.tenure` and :mod:`workforce.model.deadline`
build in Pyomo, written over (region, year) grids as :class:`Lin` (see :mod:`workforce.model.arrays`).
Each expression keeps the Pyomo builder's order of terms, so that the coefficients the two
constructions sum agree to the last bit wherever they can.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from workforce.model.array_grids import INF, Columns, Lin, deadline_keys
from workforce.model.calendar import intakes_of
from workforce.model.data import ModelData
from workforce.model.deadline import posts_abolished
from workforce.model.tenure import tenure_survival

# ---------------------------------------------------------------------------------------------
# Section 13: tenure (no variables; leavers and the tenure_established rows)


def shifted(lin: Lin, years: int) -> Lin:
    """The value ``years`` years earlier at each year: nothing before the horizon."""
    for _ in range(years):
        lin = lin.shift()
    return lin


def tied_entrants(ex: Any, k: str) -> Lin:
    """(R, T): completers of year t who follow role k's tenure profile (tenure.tied_entrants):
    completers of its tenure programmes from cohorts started in or after ``tenure_first_intake[k]``."""
    d: ModelData = ex.d
    years = np.asarray(d.YEARS)
    first = d.tenure_first_intake.get(k)
    total = Lin((ex.R, ex.T))
    for p in d.tenure_programmes[k]:
        if p in d.duration_months:
            for j in intakes_of(d, p):
                lag = d.intake_delay[p, j]
                part = ex.term_starters(p, j, lag)
                total = total + (part if first is None else part.where(years - lag >= first)) * d.completion_rate[p]
            continue
        lag = d.duration[p]
        part = ex.starters(p, lag)
        total = total + (part if first is None else part.where(years - lag >= first)) * d.completion_rate[p]
    if d.fte_per_head:  # section 23: tied completers of an FTE role, in FTE
        from workforce.model.fte import fte_row

        return total * fte_row(d, k)
    return total


def tenure_bands_stock(ex: Any, k: str) -> list[Lin]:
    """(R, T) per band b = 1..B: tied staff in band b at the start of year t (tenure.tenure_stock)."""
    tied = tied_entrants(ex, k)
    return [shifted(tied, b) * tenure_survival(ex.d, k, b - 1) for b in range(1, ex.d.tenure_bands[k] + 1)]


def tenure_leavers(ex: Any, k: str) -> Lin:
    """(R, T): a × established + a_new × untied entrants of t − 1 + Σ_b attrition_tenure[k,b] × band b
    (tenure.tenure_leavers); a × the initial stock in the first year."""
    d: ModelData = ex.d
    a = np.array([d.attrition[k, r] for r in d.REGIONS]).reshape(-1, 1)
    a_new = np.array([d.attrition_new[k, r] for r in d.REGIONS]).reshape(-1, 1)
    bands = tenure_bands_stock(ex, k)
    untied = (ex.entrants(k) - tied_entrants(ex, k)).shift()
    established = _minus_bands(ex.stock_prev(k) - untied, bands)
    out = established * a + untied * a_new
    for b, band in enumerate(bands, start=1):
        out = out + band * d.attrition_tenure[k, b]
    return out


def _minus_bands(lin: Lin, bands: list[Lin]) -> Lin:
    for band in bands:
        lin = lin - band
    return lin


def tenure_established(d: ModelData, ex: Any, stack: Any) -> Any:
    """established stock at the end of year t ≥ 0: stock[t] − untied entrants[t] − Σ_b tenure_stock[t+1,b],
    for roles with a tenure profile that lose staff to retraining or exits."""
    roles = [k for k in d.tenure_bands if d.exits_enabled[k] or k in d.source_of.values()]
    parts = []
    for k in roles:
        tied = tied_entrants(ex, k)
        untied = ex.entrants(k) - tied
        bands = [shifted(tied, b - 1) * tenure_survival(d, k, b - 1) for b in range(1, d.tenure_bands[k] + 1)]
        parts.append(_minus_bands(ex.var("stock", d.ROLES.index(k)) - untied, bands))
    keys = [(k, r, t) for k in roles for r in d.REGIONS for t in d.YEARS]
    return stack("tenure_established", keys, parts, 0.0, INF)


# ---------------------------------------------------------------------------------------------
# Section 14: statutory deadlines (variables unqualified[k,r,t,a], a = 0..A, and qualified_in, a = 1..A)


def band_block(d: ModelData, cols: Columns, name: str, k: str) -> np.ndarray:
    """(R, T, bands) columns of ``unqualified`` or ``qualified_in`` of role k (a contiguous block)."""
    first_band = 0 if name == "unqualified" else 1
    start = int(cols[name][0]) if cols[name].size else 0
    for kk in d.DEADLINE_ROLES:
        n = len(d.REGIONS) * len(d.YEARS) * (d.deadline_years[kk] + 1 - first_band)
        if kk == k:
            return np.arange(start, start + n, dtype=np.int64).reshape(len(d.REGIONS), len(d.YEARS), -1)
        start += n
    raise KeyError(k)


def deadline_families(d: ModelData, cols: Columns, ex: Any, stack: Any) -> list[Any]:
    """unqualified_balance, unqualified_total, qualified_in_limit, statutory_deadline (deadline.add_deadlines)."""
    K, R, T = d.DEADLINE_ROLES, d.REGIONS, d.YEARS
    balance, total, limit, statutory, abolished = [], [], [], [], []
    for k in K:
        A = d.deadline_years[k]
        unq, qin = band_block(d, cols, "unqualified", k), band_block(d, cols, "qualified_in", k)
        stay = np.array([1.0 - d.attrition[k, r] for r in R]).reshape(-1, 1, 1)
        # unqualified[t,a] − stay × (unqualified[t−1,a−1] (+ unqualified[t−1,A] for a = A)) + qualified_in[t,a] = 0
        coef, col = np.zeros((len(R), len(T), A, 2)), np.full((len(R), len(T), A, 2), -1, dtype=np.int64)
        initial = np.array([[d.unqualified_initial.get((k, r, a), 0.0) for a in range(A + 1)] for r in R])
        const = np.zeros((len(R), len(T), A))
        if A:  # no band to move into without a deadline year
            coef[:, 1:, :, 0], col[:, 1:, :, 0] = 1.0, unq[:, :-1, :A]
            coef[:, 1:, A - 1, 1], col[:, 1:, A - 1, 1] = 1.0, unq[:, :-1, A]
            const[:, 0, :] = initial[:, :A]
            const[:, 0, A - 1] = const[:, 0, A - 1] + initial[:, A]
        inflow = Lin((len(R), len(T), A), [(coef, col)], const)
        balance.append(Lin.var(unq[:, :, 1:]) - (inflow * stay - Lin.var(qin)))
        total.append(Lin((len(R), len(T)), [(np.ones(unq.shape), unq)]) - ex.var("shortfall", d.ROLES.index(k)))
        limit.append(Lin((len(R), len(T)), [(np.ones(qin.shape), qin)]) - ex.entrants(k))
        abolished += [posts_abolished(d, k, r, t) for r in R for t in T]
        if d.deadline_mode[k] == "require":
            statutory.append((k, Lin.var(unq[:, :, A])))
    by_role = [(k, r, t) for k in K for r in R for t in T]
    return [
        stack("unqualified_balance", deadline_keys(d, 1), balance, 0.0, 0.0),
        stack("unqualified_total", by_role, total, 0.0, INF),
        stack("qualified_in_limit", by_role, limit, -INF, np.array(abolished, dtype=float)),
        stack("statutory_deadline", [(k, r, t) for k, _ in statutory for r in R for t in T],
              [lin for _, lin in statutory], -INF, 0.0),
    ]


def breach_penalty(d: ModelData, cols: Columns) -> list[Lin]:
    """penalty_breach[k] × unqualified[k,r,t,A] (deadline.breach_penalty), per role that has one."""
    return [Lin.var(band_block(d, cols, "unqualified", k)[:, :, d.deadline_years[k]]) * d.penalty_breach[k]
            for k in d.DEADLINE_ROLES if d.penalty_breach[k]]
