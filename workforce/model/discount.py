"""Money over time: the discount factor of each year (models/cohort_planning.md, section 8.7).

With ``objective.discount`` (rate ρ, price base year b) every money term of the objective and the
shortfall penalty count in year t at the factor

    disc[t] = 1 / (1 + ρ)^(t − b)

(1 in the base year, above 1 for a year before it). The post-horizon terms of section 10 count at
disc[T], T the last year, times their own discount from T. Budgets and envelopes stay in cash (they
are cash limits), and the terms that count people are not discounted. Without ``objective.discount``
every factor is 1 and the model is the undiscounted one of section 8.1.

The rate applies for at most 30 years from the base year: beyond that the HM Treasury Green Book
prescribes a declining schedule, which the scenario check refuses rather than
approximate (workforce.scenario.discount_checks).
"""

from __future__ import annotations

from typing import Any

import numpy as np

MONEY_TERMS = ("shortfall", "training_cost", "hiring_cost", "surplus_cost", "flexible_cost", "exit_cost")
"""The terms discounted: every money term and the shortfall penalty (not the people counts)."""


def spec(scenario: Any) -> Any:
    """The scenario's ``objective.discount`` (None: no discounting)."""
    return scenario.objective.discount


def enabled(d: Any) -> bool:
    return spec(d.scenario) is not None


def factor(d: Any, t: int) -> float:
    """disc[t] = (1 + rate)^−(t − base_year); 1 without discounting."""
    s = spec(d.scenario)
    return 1.0 if s is None else (1.0 + s.rate) ** -(t - s.base_year)


def factors(d: Any) -> np.ndarray:
    """disc[t] for every year of the horizon, in order."""
    return np.array([factor(d, t) for t in d.YEARS])


def at_end(d: Any) -> float:
    """disc[T] for the last year T: the factor of the post-horizon terms (sections 10.1, 10.3)."""
    return factor(d, d.YEARS[-1])


def weigh(d: Any, t: int, expr: Any) -> Any:
    """``expr`` counted in year t: disc[t] × expr (``expr`` itself, untouched, without discounting)."""
    return expr if not enabled(d) else factor(d, t) * expr


def year_factors(d: Any, years: Any) -> np.ndarray:
    """disc[t] for each year in ``years`` (an array or index of years; 1 everywhere without discounting)."""
    t = np.asarray(years, dtype=float)
    s = spec(d.scenario)
    return np.ones(t.shape) if s is None else (1.0 + s.rate) ** -(t - s.base_year)
