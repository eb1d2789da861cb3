"""Which course years a programme's training capacity counts (issue 16, section 4).

``programmes.<p>.capacity_course_years`` says, for each capacity (``places``, ``national_places``,
``supervision``), whether it limits starters only (``starters``, the default), every trainee on the
course (``all``), or a weighted count of trainees by course year (a list, course year 1 first, e.g.
``[0, 1, 1]`` for placements in years 2 and 3). models/cohort_planning.md, section 22.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, model_validator

from workforce.scenario.schema_base import Base

Weight = Annotated[float, Field(ge=0, allow_inf_nan=False)]
CourseYears = Literal["starters", "all"] | Annotated[list[Weight], Field(min_length=1)]
CAPACITIES = ("places", "national_places", "supervision")


class CapacityCourseYears(Base):
    """Trainees each capacity counts: ``starters`` (course year 1 only), ``all`` (every course year,
    ``duration`` of them, at least 1) or a weight per course year, course year 1 first."""

    places: CourseYears = "starters"
    """Course years counted against ``places``, e.g. ``all`` when a provider's places hold every
    trainee on the course."""
    national_places: CourseYears = "starters"
    """Course years counted against ``national_places``."""
    supervision: CourseYears = "starters"
    """Course years counted against ``supervision_ratio``, e.g. ``[0, 1, 1]`` for a doctorate whose
    trainees are on placement in years 2 and 3."""

    @model_validator(mode="after")
    def _some_weight(self) -> CapacityCourseYears:
        for name in CAPACITIES:
            value = getattr(self, name)
            if isinstance(value, list) and not any(w > 0 for w in value):
                raise ValueError(f"{name}: every course-year weight is 0, so the capacity would count no "
                                 "trainee; give at least one weight above 0, or leave the key out")
        return self


def course_year_weights(value: CourseYears, duration: int) -> tuple[float, ...]:
    """Weight of each course year (course year 1 first) for one capacity of a programme."""
    if value == "starters":
        return (1.0,)
    if value == "all":
        return (1.0,) * max(duration, 1)
    return tuple(float(w) for w in value)


def check_capacity_years(years: CapacityCourseYears, duration: int, given: dict[str, bool]) -> None:
    """Each weighted capacity is one the programme gives, and has at most ``duration + 1`` course years."""
    for name in CAPACITIES:
        value = getattr(years, name)
        if value == "starters":
            continue
        key = "supervision_ratio" if name == "supervision" else name
        if not given[name]:
            raise ValueError(f"capacity_course_years.{name} is set but {key} is not")
        if isinstance(value, list) and len(value) > duration + 1:
            raise ValueError(f"capacity_course_years.{name} lists {len(value)} course years but a programme "
                             f"of duration {duration} runs for at most {duration + 1}")
