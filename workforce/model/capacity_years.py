"""Training capacity counted across course years (issue 16, section 4).

A programme's ``places``, ``national_places`` and ``supervision_ratio`` limit, by default, its
starters. ``programmes.<p>.capacity_course_years`` lets each count a weighted sum of the trainees in
each course year instead: course year ``y`` of year ``t`` holds the starters of year ``t − y + 1``
(prior cohorts before the horizon), counted per starter as the course costs are.
models/cohort_planning.md, section 22.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pyomo.environ as pyo

    from workforce.model.array_expressions import Expressions
    from workforce.model.array_grids import Lin
    from workforce.model.data import ModelData
    from workforce.scenario.schema import Scenario

STARTERS = (1.0,)
"""The weights of a capacity that counts starters only (the default)."""


def prepare_capacity_years(scenario: Scenario) -> dict[str, Any]:
    """The ModelData field ``capacity_weights``: (capacity, programme) → weight of each course year,
    for the capacities that count more than starters."""
    from workforce.scenario.schema_capacity import CAPACITIES, course_year_weights

    out: dict[tuple[str, str], tuple[float, ...]] = {}
    for p, g in scenario.programmes.items():
        if g.capacity_course_years is None:
            continue
        for c in CAPACITIES:
            w = course_year_weights(getattr(g.capacity_course_years, c), g.duration)
            if w != STARTERS:
                out[c, p] = w
    return {"capacity_weights": out}


def weights(d: ModelData, c: str, p: str) -> tuple[float, ...]:
    """Weight of each course year (course year 1 first) that capacity ``c`` of ``p`` counts."""
    return d.capacity_weights.get((c, p), STARTERS)


def trainees(m: pyo.ConcreteModel, d: ModelData, c: str, p: str, r: str, t: int) -> Any:
    """Σ_y w_y · starters[p, r, t − y + 1]: the trainees capacity ``c`` counts in (r, t).

    A row that only prior cohorts enter keeps a zero coefficient on this year's intake, so that an
    unreachable one is diagnosed by name (as the targets of section 12.3 do)."""
    from workforce.model.expressions import starters

    w = weights(d, c, p)
    if w == STARTERS:
        return m.intake[p, r, t]
    out = sum(wy * starters(m, d, p, r, t - y) for y, wy in enumerate(w) if wy)
    if w[0] == 0:
        out = out + 0 * m.intake[p, r, t]
    return out


def trainee_arrays(d: ModelData, ex: Expressions, c: str, p: str) -> Lin:
    """(R, T) grid of :func:`trainees` in the array construction."""
    from workforce.model.array_grids import Lin

    out = Lin((ex.R, ex.T))  # a course year of weight 0 adds no column: Pyomo's zero coefficient is dropped
    for y, wy in enumerate(weights(d, c, p)):
        if wy:
            out = out + ex.starters(p, y) * wy
    return out


def trainee_values(d: ModelData, c: str, p: str, intake: dict[tuple[str, int], float]) -> dict[tuple[str, int], float]:
    """(region, year) → trainees capacity ``c`` of ``p`` counts, from a plan's intake by (region, year)."""
    w = weights(d, c, p)

    def start(r: str, s: int) -> float:
        return intake.get((r, s), 0.0) if s >= d.first_year else d.intake_prior.get((p, r, s), 0.0)

    return {(r, t): sum(wy * start(r, t - y) for y, wy in enumerate(w) if wy) for r in d.REGIONS for t in d.YEARS}


def course_years_label(d: ModelData, c: str, p: str) -> str:
    """' (trainees in course years 1-3)' for a capacity that counts more than starters, '' otherwise."""
    w = weights(d, c, p)
    if w == STARTERS:
        return ""
    years = [y for y, wy in enumerate(w, start=1) if wy]
    if len(years) > 1 and years == list(range(years[0], years[-1] + 1)):
        span = f"{years[0]}-{years[-1]}"
    else:
        span = ", ".join(map(str, years))
    text = f" (trainees in course year{'s' if len(years) > 1 else ''} {span}"
    if any(w[y - 1] != 1 for y in years):
        text += ", weighted " + ", ".join(f"{w[y - 1]:g}" for y in years)
    return text + ")"


def places_families(d: ModelData, ex: Expressions, stack: Any) -> list[Any]:
    """places_limit and national_places_limit of the array construction, counting trainees by course
    year (``stack`` is array_families._stack)."""
    import itertools

    import numpy as np

    from workforce.model.array_grids import INF

    progs = list(dict.fromkeys(p for p, _, _ in d.places_max))
    keys = list(itertools.product(progs, d.REGIONS, d.YEARS))
    assert keys == list(d.places_max), "places_max is dense over regions and years, in their order"
    parts = [trainee_arrays(d, ex, "places", p) for p in progs]
    places = stack("places_limit", keys, parts, -INF, np.array([d.places_max[k] for k in keys]))
    progs = list(dict.fromkeys(p for p, _ in d.national_places_max))
    keys = list(itertools.product(progs, d.YEARS))
    assert keys == list(d.national_places_max), "national_places_max is dense over years, in their order"
    parts = [trainee_arrays(d, ex, "national_places", p).total(axis=0) for p in progs]
    national = stack("national_places_limit", keys, parts, -INF, np.array([d.national_places_max[k] for k in keys]))
    return [places, national]


def counted_series(d: ModelData, c: str, intake: Any) -> Any:
    """The trainees capacity ``c`` counts, as a Series on the index of the plan's ``intake`` Series
    [programme, region, year]; the intake itself where no programme counts more than starters."""
    if not any(cc == c for cc, _ in d.capacity_weights):
        return intake
    out = intake.astype(float).copy()
    for (cc, p), _w in d.capacity_weights.items():
        if cc != c or p not in intake.index.get_level_values("programme"):
            continue
        rows = (intake.index.get_level_values("programme") == p).nonzero()[0]  # by position, as below
        own = intake.iloc[rows]
        values = trainee_values(d, c, p, {(r, t): float(v) for (_, r, t), v in own.items()})
        for i, (_, r, t) in zip(rows, own.index, strict=True):
            out.iat[i] = values[r, t]
    return out


def counted_value(d: ModelData, c: str, p: str, r: str, t: int, intake_in: Any) -> float:
    """The trainees capacity ``c`` of ``p`` counts in (r, t), given ``intake_in(year)`` → the plan's
    intake of ``p`` in region ``r`` in a horizon year."""
    return sum(wy * (float(intake_in(t - y)) if t - y >= d.first_year else d.intake_prior.get((p, r, t - y), 0.0))
               for y, wy in enumerate(weights(d, c, p)) if wy)


def room_for_starters(d: ModelData, intake: Any) -> Any:
    """The plan's intake table with ``places_max`` and ``supervision_max`` as the most starters the
    capacity leaves room for, where it counts course years: (capacity − the later course years
    counted) / weight of course year 1; blank where course year 1 has weight 0 (the capacity does
    not limit starters). Other programmes' columns are the capacity itself, as before."""
    columns = {"places": "places_max", "supervision": "supervision_max"}
    for (c, p), w in d.capacity_weights.items():
        if c not in columns or p not in intake.index.get_level_values("programme"):
            continue
        rows = (intake.index.get_level_values("programme") == p).nonzero()[0]  # by position: the index
        column = intake.columns.get_loc(columns[c])  # need not be sorted (a label lookup then warns)
        own = intake["intake"].iloc[rows]
        counted = trainee_values(d, c, p, {(r, t): float(v) for (_, r, t), v in own.items()})
        for i, ((_, r, t), v) in zip(rows, own.items(), strict=True):
            cap = float(intake.iat[i, column])
            intake.iat[i, column] = (cap - (counted[r, t] - w[0] * float(v))) / w[0] if w[0] > 0 else float("nan")
    return intake
