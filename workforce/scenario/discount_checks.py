"""Located checks of ``objective.discount`` against the horizon (models/cohort_planning.md, section 8.7)."""

from __future__ import annotations

from typing import Any

GREEN_BOOK_FLAT_YEARS = 30
"""Years from the base year over which the Green Book applies one rate (3.5 %); it declines after."""


def problems(scenario: Any) -> list[tuple[tuple[str | int, ...], str]]:
    """Located problems of ``objective.discount`` against the horizon: the base year must lie within
    or before the horizon, and the last year at most 30 years after it (the Green Book's flat rate)."""
    s = scenario.objective.discount
    if s is None:
        return []
    first, last = scenario.horizon.first_year, scenario.years[-1]  # the planned years (plan_to, section 10.4)
    path = ("objective", "discount", "base_year")
    if s.base_year > last:
        return [(path, f"must lie within or before the horizon ({first}-{last}), got {s.base_year}")]
    if last - s.base_year > GREEN_BOOK_FLAT_YEARS:
        return [(path, f"is {last - s.base_year} years before the last year {last}: at most "
                       f"{GREEN_BOOK_FLAT_YEARS} are allowed, because after 30 years the Green Book's rate declines "
                       "(a schedule this model does not apply); move base_year to "
                       f"{last - GREEN_BOOK_FLAT_YEARS} or later")]
    return []
