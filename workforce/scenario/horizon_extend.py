"""A planning horizon longer than the reporting horizon (``horizon.plan_to``; models/cohort_planning.md,
section 10.4).

The model plans ``first_year..plan_to`` and the plan is reported for ``first_year..last_year``. The
years after ``last_year`` are ordinary model years; their inputs come from the scenario by two rules,
applied where tables are read (:func:`workforce.scenario.tables.resolve`):

* demand written as ``demand_forecast`` is projected to ``plan_to`` by its own method (the loader
  expands forecasts over the planned years);
* any by-year table (demand written as a table, budgets, places, caps, minimum intakes, FTE per
  head, movement shares, ...) that leaves out a year after ``last_year`` holds the value of the last
  year it gives; a value the scenario does give for such a year is used.

Things tied to one year (targets, prior intakes) are not repeated. A funding envelope covers the
reported years only; the extra years spend against their (held) yearly budgets alone.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

MAX_EXTRA_YEARS = 25
"""Most years ``plan_to`` may lie after ``last_year``: enough for any course plus a career's first
years; a longer run mostly plans on held inputs."""


class PlanYears(list):
    """The planned years (a list of int) that also knows the last reported year: a by-year table may
    leave out the years after it, which then hold the value of its last given year."""

    reported_to: int

    def __init__(self, years: Iterable[int], reported_to: int):
        super().__init__(years)
        self.reported_to = reported_to

    def __reduce__(self) -> tuple[Any, ...]:
        return (PlanYears, (list(self), self.reported_to))


def planned_years(first: int, last: int, plan_to: int | None) -> list[int]:
    """``first..plan_to`` as :class:`PlanYears` when ``plan_to`` is set, else ``first..last``."""
    if plan_to is None or plan_to <= last:
        return list(range(first, last + 1))
    return PlanYears(range(first, plan_to + 1), last)


def reported_to(years: list[int]) -> int:
    """The last reported year of a list of planned years (its last year unless it is a PlanYears)."""
    return getattr(years, "reported_to", years[-1])


def extra_years(years: list[int]) -> list[int]:
    """The planned years after the last reported one (none without ``plan_to``)."""
    end = reported_to(years)
    return [t for t in years if t > end]


def envelope_years(years: list[int]) -> list[int]:
    """The years a funding envelope covers: the reported ones (all planned years without ``plan_to``)."""
    end = reported_to(years)
    return [t for t in years if t <= end]


def held_years(years: list[int], given: Iterable[Any]) -> dict[int, int]:
    """For each year of ``years`` after the last reported one that ``given`` leaves out, the year
    whose value it holds (the latest given year before it); nothing for other years."""
    end = getattr(years, "reported_to", None)
    if end is None:
        return {}
    have = sorted(y for y in given if isinstance(y, int) and not isinstance(y, bool))
    out: dict[int, int] = {}
    for t in years:
        if t > end and t not in have:
            before = [y for y in have if y < t]
            if before:
                out[t] = before[-1]
    return out


def plan_to_problem(value: int | None, info: Any) -> int | None:
    """Check ``horizon.plan_to`` against ``last_year`` (a pydantic field validator)."""
    if value is None:
        return None
    last = info.data.get("last_year")
    if last is None:  # last_year itself is wrong: reported there
        return value
    if value <= last:
        raise ValueError(f"plan_to must be after last_year ({last}), the last year reported; leave plan_to "
                         "out to plan and report the same years")
    if value - last > MAX_EXTRA_YEARS:
        raise ValueError(f"plan_to may be at most {MAX_EXTRA_YEARS} years after last_year ({last}), i.e. "
                         f"{last + MAX_EXTRA_YEARS} or earlier")
    return value


def extension_note(scenario: Any) -> str | None:
    """The one line a run prints about the extra years, or None without ``plan_to``."""
    h = scenario.horizon
    if h.plan_to is None:
        return None
    first_extra = h.last_year + 1
    span = f"{first_extra}-{h.plan_to}" if h.plan_to > first_extra else str(first_extra)
    forecast = [k for k, r in scenario.roles.items() if r.demand_forecast is not None]
    tables = [k for k in scenario.roles if k not in forecast]
    demand = "; ".join(part for part in (
        f"demand of {', '.join(forecast)} continues by its forecast" if forecast else "",
        f"demand of {', '.join(tables)} holds its last given year" if tables else "") if part)
    envelope = (f"; envelopes cover {h.first_year}-{h.last_year} only" if any(
        f.envelope is not None for f in scenario.funding_streams.values()) else "")
    return (f"planned to {h.plan_to}, reported to {h.last_year}: in {span} {demand}; budgets, places, caps and "
            f"other by-year inputs hold their {h.last_year} value unless given further{envelope}; the "
            f"{span} intakes are in beyond_horizon.csv, not advice")
