"""Scenario schema, training and money: programmes, cohorts, calendars and funding streams."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field, model_validator

from workforce.scenario.schema_base import Base, Fraction, Id, Money, Name
from workforce.scenario.schema_capacity import CapacityCourseYears, check_capacity_years
from workforce.scenario.tables import Table


class Cohorts(Base):
    """Delivery in whole cohorts: the number of cohorts per region and intake year is an integer."""

    min_size: Annotated[float, Field(ge=0, allow_inf_nan=False)] = 0.0
    """Fewest trainees in one cohort (trainees per cohort)."""
    max_size: Annotated[float, Field(gt=0, allow_inf_nan=False)]
    """Most trainees in one cohort (trainees per cohort)."""
    fixed_cost: dict[Id, Money] = {}
    """Cost of running one cohort, by funding stream (£k per cohort), paid in the intake year on
    top of the cost per trainee, e.g. ``{dfe_ep: 40}`` for a provider's viability payment."""
    region_minimum: Annotated[float, Field(ge=0, allow_inf_nan=False)] = 0.0
    """Either no cohort in a region and year or at least this many trainees there (trainees);
    0 means no such rule. Above 0 it must be at least ``min_size``: a smaller value never binds
    (any cohort already holds ``min_size``), so it is refused as a likely mistake."""

    @model_validator(mode="after")
    def _sizes(self) -> Cohorts:
        if self.min_size > self.max_size:
            raise ValueError(f"min_size {self.min_size:g} is above max_size {self.max_size:g}")
        return self

class Calendar(Base):
    """Intakes at points in the academic year and a duration in months (e.g. terms)."""

    intakes: dict[Id, Annotated[int, Field(ge=0, le=11)]] = Field(min_length=1)
    """Intake points: name → month the course starts, counted from September (0 = September,
    2 = November, 4 = January, 7 = April), e.g. ``{autumn: 2, spring: 7}``."""
    duration_months: int = Field(ge=1, le=120)
    """Months from starting to qualifying. Completers join the role in the academic year that
    contains the month after the course ends (for a September start and 36 months: three years on)."""
    prior_intake_at: Id | None = None
    """Intake that the programme's ``prior_intake`` cohorts started at; none means the first listed."""

    def delay(self, month: int) -> int:
        """Academic years from an intake starting in ``month`` to joining the role."""
        return (month + self.duration_months) // 12

class Programme(Base):
    name: Name
    """What the training is, e.g. Doctorate in educational psychology."""
    role: Id
    """Role that completers join."""
    source: Id = "external"
    """Where trainees come from: ``external`` (outside the modelled workforce) or a role id
    (retraining: trainees leave that role's stock when they start)."""
    duration: int = Field(ge=0, le=10)
    """Years from intake to joining the role; 0 means trainees qualify in the year they start."""
    completion_rate: Fraction
    """Share of starters who qualify."""
    course_costs: list[dict[Id, Money]] = []
    """Cost per starter for each course year, by funding stream (£k), e.g.
    ``[{dfe: 30}, {dfe: 11.25, la: 17}]``. At most ``duration + 1`` course years. Left out or
    ``[]``: the course costs nothing (training paid outside the scenario)."""
    places: Table | None = None
    """Most starters per region and year (training places)."""
    national_places: Table | None = None
    """Most starters across all regions per year."""
    supervision_ratio: Annotated[float, Field(gt=0, allow_inf_nan=False)] | None = None
    """Most starters per qualified member of ``supervisor_role`` in the region at the start of
    the year, e.g. 0.1 placements per EP."""
    supervisor_role: Id | None = None
    """Role whose stock limits intake through ``supervision_ratio``; defaults to ``role``."""
    supervision_basis: Literal["start", "end"] = "start"
    """Which stock of ``supervisor_role`` counts: ``start`` of the year (the end of the previous
    one) or ``end`` of the same year (training on the job alongside that year's staff)."""
    supervision_counts: Literal["heads", "FTE"] | None = None
    """What ``supervision_ratio`` counts of a supervising role measured in FTE: ``FTE`` (its stock)
    or ``heads`` (its stock / ``fte_per_head``); none means the role's own unit (section 23)."""
    capacity_course_years: CapacityCourseYears | None = None
    """Which course years ``places``, ``national_places`` and ``supervision_ratio`` count:
    ``starters`` (the default), ``all`` or a weight per course year, e.g.
    ``{places: all, supervision: [0, 1, 1]}`` (models/cohort_planning.md, section 22)."""
    intake_min: Table | None = None
    """Fewest starters per region and year."""
    intake_max: Table | None = None
    """Most starters per region and year (a policy cap, as distinct from places)."""
    prior_intake: dict[int, Table] = {}
    """Starters in years before the horizon, by year then region; they complete, and their
    remaining course costs fall, inside the horizon."""
    calendar: Calendar | None = None
    """Intakes within the academic year and a duration in months; ``duration`` then follows from
    the earliest intake and may be left out. Course costs stay per course year of 12 months from the
    start, spread evenly over its months (a last, shorter course year over its own months)."""
    cohorts: Cohorts | None = None
    """Deliver the programme in whole cohorts (makes the model a mixed-integer programme);
    none means intake is a continuous number of trainees."""
    max_intake_change: Annotated[float, Field(ge=0, allow_inf_nan=False)] | None = None
    """Most the national intake (starters across all regions) may rise or fall from one horizon
    year to the next, e.g. 50: providers cannot double a course in one year
    (models/cohort_planning.md, section 8.6); none means no limit."""

    @model_validator(mode="before")
    @classmethod
    def _duration_from_calendar(cls, data: Any) -> Any:
        """A programme with a calendar may omit ``duration``: the earliest intake's delay."""
        if isinstance(data, dict) and "duration" not in data and isinstance(data.get("calendar"), dict):
            cal = data["calendar"]
            intakes, months = cal.get("intakes"), cal.get("duration_months")
            if isinstance(intakes, dict) and intakes and isinstance(months, int) and not isinstance(months, bool):
                starts = [v for v in intakes.values() if isinstance(v, int) and not isinstance(v, bool)]
                if starts:
                    return {**data, "duration": (min(starts) + months) // 12}
        return data

    @model_validator(mode="after")
    def _calendar(self) -> Programme:
        cal = self.calendar
        if cal is None:
            return self
        first = min(cal.delay(m) for m in cal.intakes.values())
        if self.duration != first:
            raise ValueError(
                f"duration {self.duration} disagrees with the calendar: the earliest intake joins the role "
                f"{first} academic year(s) after it starts; leave duration out"
            )
        years = -(-cal.duration_months // 12)
        if len(self.course_costs) > years:
            raise ValueError(f"course_costs lists {len(self.course_costs)} course years but a course of "
                             f"{cal.duration_months} months has {years}")
        if cal.prior_intake_at is not None and cal.prior_intake_at not in cal.intakes:
            raise ValueError(f"prior_intake_at {cal.prior_intake_at!r} is not one of the intakes "
                             f"({', '.join(cal.intakes)})")
        return self

    @model_validator(mode="after")
    def _course_years(self) -> Programme:
        if len(self.course_costs) > self.duration + 1:
            raise ValueError(
                f"course_costs lists {len(self.course_costs)} course years but a programme of "
                f"duration {self.duration} runs for at most {self.duration + 1}"
            )
        if self.supervisor_role is not None and self.supervision_ratio is None:
            raise ValueError("supervisor_role is set but supervision_ratio is not")
        if self.supervision_basis != "start" and self.supervision_ratio is None:
            raise ValueError("supervision_basis is set but supervision_ratio is not")
        if self.supervision_counts is not None and self.supervision_ratio is None:
            raise ValueError("supervision_counts is set but supervision_ratio is not")
        if self.capacity_course_years is not None:
            check_capacity_years(self.capacity_course_years, self.duration, {
                "places": self.places is not None, "national_places": self.national_places is not None,
                "supervision": self.supervision_ratio is not None})
        return self

class FundingStream(Base):
    name: Name
    """Who pays, e.g. DfE EP training grant."""
    budget: Table | None = None
    """Most spend per year (£k); none means no annual limit."""
    envelope: Money | None = None
    """Most spend over the whole horizon (£k); none means no limit."""
    year: Literal["academic", "financial"] = "academic"
    """What the budget's years are: ``academic`` (2026 = September 2026 to August 2027) or
    ``financial`` (2026 = April 2026 to March 2027); spending is apportioned by month."""
