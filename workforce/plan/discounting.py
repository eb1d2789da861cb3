"""Discounted and cash totals side by side (models/cohort_planning.md, section 8.7).

With ``objective.discount`` the objective and its terms (``summary["terms"]``) are in money of the
price base year; :func:`cash_summary` adds the same terms in cash (each year's money at face value)
so that a planner sees both. Without discounting it adds nothing: the terms are cash.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from workforce.model import discount
from workforce.model.data import ModelData


def cash_summary(d: ModelData, m: Any, compiled: Any, x: np.ndarray) -> dict[str, Any]:
    """``discount`` (rate and base year), ``terms_cash`` and ``objective_cash`` for summary.json;
    empty without ``objective.discount``."""
    spec = discount.spec(d.scenario)
    if spec is None:
        return {}
    from workforce.model.arrays import ArrayCompiled, Columns, Expressions, objective_terms
    from workforce.scenario.schema import TERMS

    if isinstance(compiled, ArrayCompiled):
        cols, ex, values = compiled.layout, compiled.expressions, np.asarray(x, dtype=float)
    else:  # a Pyomo compilation: read the columns of the array layout from the solved model
        cols = Columns(d)
        ex = Expressions(d, cols)
        values = np.array([getattr(m, name)[key].value or 0.0 for name, key in cols.column_keys()])
    costs, offsets = objective_terms(d, cols, ex, cash=True)
    cash = costs @ values + offsets
    terms = {t: float(cash[j]) for j, t in enumerate(TERMS)}
    return {
        "discount": {"rate": spec.rate, "base_year": spec.base_year,
                     "factor_first_year": discount.factor(d, d.YEARS[0]), "factor_last_year": discount.at_end(d)},
        "terms_cash": terms,
        "objective_cash": float(sum(d.weights[t] * terms[t] for t in TERMS)),
    }


def explain_note(d: ModelData) -> str | None:
    """What a discounted objective means for the marginal values ``explain`` reports (none without discounting)."""
    spec = discount.spec(d.scenario)
    if spec is None:
        return None
    first, last = d.YEARS[0], d.YEARS[-1]
    return (f"The objective is discounted at {spec.rate:.1%} a year to {spec.base_year} prices (objective.discount): "
            "every marginal value, budget value and what-if change below is in discounted £k-equivalent of "
            f"{spec.base_year}, money of year t counting (1 + rate)^-(t - {spec.base_year}) of its cash value "
            f"({discount.factor(d, first):.3f} in {first}, {discount.factor(d, last):.3f} in {last}; the post-horizon "
            f"years at {last}'s factor). The limits themselves are cash: a budget's 'value of £1m more' is the "
            "discounted gain from £1m more cash in that year, net of that £1m's own discounted cost; divide a "
            "year's value by its factor to read it in that year's money.")
