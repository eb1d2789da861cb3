"""Scenario schema, common parts: value types, the base model, the horizon and the regions."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator, model_validator

from workforce.scenario.derive import IMMUTABLE
from workforce.scenario.horizon_extend import plan_to_problem, planned_years
from workforce.scenario.tables import ReadOnlyDict, ReadOnlyList, freeze

SPOOFING = {
    "\u061c": "ARABIC LETTER MARK", "\u200b": "ZERO WIDTH SPACE", "\u200c": "ZERO WIDTH NON-JOINER",
    "\u200d": "ZERO WIDTH JOINER", "\u200e": "LEFT-TO-RIGHT MARK", "\u200f": "RIGHT-TO-LEFT MARK",
    "\u202a": "LEFT-TO-RIGHT EMBEDDING", "\u202b": "RIGHT-TO-LEFT EMBEDDING", "\u202c": "POP DIRECTIONAL FORMATTING",
    "\u202d": "LEFT-TO-RIGHT OVERRIDE", "\u202e": "RIGHT-TO-LEFT OVERRIDE", "\u2060": "WORD JOINER",
    "\u2066": "LEFT-TO-RIGHT ISOLATE", "\u2067": "RIGHT-TO-LEFT ISOLATE", "\u2068": "FIRST STRONG ISOLATE",
    "\u2069": "POP DIRECTIONAL ISOLATE", "\ufeff": "ZERO WIDTH NO-BREAK SPACE",
}

_NOT_SPOOF = "".join(f"\\u{ord(c):04x}" for c in SPOOFING)

Name = Annotated[
    str,
    StringConstraints(min_length=1, max_length=120,
                      pattern=rf"^[^=+\-@\s\x00-\x1f\x7f{_NOT_SPOOF}][^\x00-\x1f\x7f{_NOT_SPOOF}]*$"),
]

Text = Annotated[
    str, StringConstraints(max_length=4000, pattern=rf"^[^\x00-\x08\x0b-\x1f\x7f{_NOT_SPOOF}]*$"),
]

def spoofing_character(text: str) -> str | None:
    """The first invisible bidirectional or zero-width character in ``text``, named, or None."""
    for i, ch in enumerate(text):
        if ch in SPOOFING:
            return f"U+{ord(ch):04X} ({SPOOFING[ch]}) at character {i + 1}"
    return None

Id = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,39}$")]

Money = Annotated[float, Field(ge=0, allow_inf_nan=False)]

Fraction = Annotated[float, Field(ge=0, le=1, allow_inf_nan=False)]

TERMS = (
    "shortfall",
    "training_cost",
    "hiring_cost",
    "surplus_cost",
    "flexible_cost",
    "exit_cost",
    "exit_count",
    "hire_count",
    "starter_count",
    "flexible_count",
)
"""Objective terms; the last four count people (workforce/model/count_terms.py)."""

Term = Literal[
    "shortfall", "training_cost", "hiring_cost", "surplus_cost", "flexible_cost", "exit_cost",
    "exit_count", "hire_count", "starter_count", "flexible_count",
]

class Base(BaseModel):
    model_config = ConfigDict(
        extra="forbid", frozen=True, use_attribute_docstrings=True, strict=True, revalidate_instances="always"
    )

    def __setattr__(self, name: str, value: Any) -> None:
        if name.startswith("_"):  # private state the loader sets (sources, inputs, validation)
            return super().__setattr__(name, value)
        raise TypeError(f"{type(self).__name__}.{name} cannot be set: {IMMUTABLE}")

    def model_copy(self, *, update: Mapping[str, Any] | None = None, deep: bool = False) -> Any:
        """A copy; with ``update``, validated again (pydantic's own would skip validation)."""
        if not update:
            return super().model_copy(deep=deep)
        if callable(getattr(self, "derive", None)):  # a Scenario: merged and validated as a variant is
            return self.derive(dict(update))
        return type(self).model_validate({**self.model_dump(exclude_unset=True), **update})

    @model_validator(mode="after")
    def _deep_freeze(self) -> Base:
        """frozen=True stops attribute assignment; this also makes dict and list fields read-only."""
        for name in type(self).model_fields:
            value = getattr(self, name)
            if isinstance(value, dict | list) and not isinstance(value, ReadOnlyDict | ReadOnlyList):
                object.__setattr__(self, name, freeze(value))
        return self

class TerminalValue(Base):
    """Count the first years after the last one: each role's supply is projected past the horizon
    (the end-of-horizon stock at its attrition, plus the trainees still in the pipeline as they
    qualify) and its shortfall against the last year's demand is penalised there, so training does
    not stop because the horizon ends (models/cohort_planning.md, section 10.1)."""

    years: int = Field(default=5, ge=1, le=30)
    """Post-horizon years counted: last_year + 1 .. last_year + years."""
    discount_rate: Annotated[float, Field(ge=0, le=0.2)] = 0.0
    """Yearly discount of the post-horizon penalty (0.035 = 3.5 %), counted from the last year."""
    weight: Annotated[float, Field(ge=0)] = 1.0
    """Multiplies each role's shortfall_penalty in the post-horizon years (0: they count for nothing,
    the plan is that without a terminal value)."""

class SteadyState(Base):
    """End the plan with a pipeline that replaces the last year's demand as it leaves: in each
    post-horizon year a role's horizon starters can reach, the completers arriving then are at least
    ``share`` × attrition × the last year's demand, per region (models/cohort_planning.md, section
    10.2). A hard limit: when places or budgets cannot meet it the diagnosis names it."""

    share: Annotated[float, Field(ge=0, le=1)] = 1.0
    """Fraction of the replacement need (attrition x last year's demand) the pipeline must deliver."""

class Horizon(Base):
    first_year: int = Field(ge=2000, le=2100)
    """First planning year (academic year: 2026 means 2026/27)."""
    last_year: int = Field(ge=2000, le=2100)
    """Last year reported, inclusive (and the last year planned unless ``plan_to`` is set)."""
    plan_to: int | None = None
    """Plan further than the reports go: the model runs to this year (e.g. 2040 with last_year 2035),
    with demand extended by the scenario's own forecast and by-year tables holding their last given
    value, and every table, chart and total is cut back to first_year..last_year; the extra years'
    intakes are written apart (beyond_horizon.csv). Left out: plan to last_year (models/cohort_planning.md,
    section 10.4)."""
    completer_value: dict[str, Annotated[float, Field(ge=0, allow_inf_nan=False)]] = {}
    """Declared value (£k-equivalent) of each completer of a horizon starter who qualifies into the
    role after the last year, by role, e.g. ``{ep: 60}``: an alternative terminal valuation that
    credits the pipeline whether or not the role will be short (models/cohort_planning.md, 10.3)."""
    steady_state: SteadyState | None = None
    """Require the pipeline at the end of the horizon to replace the last year's demand as it leaves
    (see SteadyState); none means no such row."""
    terminal_value: TerminalValue | None = None
    """Penalise the shortfall of the first years after the last one, given the end-of-horizon stock
    and the pipeline; none means completers after the last year count for nothing and intake falls
    to its floor in the last years of the horizon."""

    _check_plan_to = field_validator("plan_to")(plan_to_problem)

    @model_validator(mode="after")
    def _order(self) -> Horizon:
        if self.last_year < self.first_year:
            raise ValueError("last_year must not be before first_year")
        if self.last_year - self.first_year >= 100:
            raise ValueError("the horizon may span at most 100 years")
        return self

    @property
    def years(self) -> list[int]:
        """The planned years, first_year..plan_to (or last_year): the model's YEARS."""
        return planned_years(self.first_year, self.last_year, self.plan_to)

    @property
    def report_years(self) -> list[int]:
        """The reported years, first_year..last_year (the planned ones unless ``plan_to`` is set)."""
        return list(range(self.first_year, self.last_year + 1))

class Region(Base):
    code: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]{0,19}$")]
    """Region key, e.g. the ONS code E12000001."""
    name: Name
    """Readable name, e.g. North East. Tables may use the code or the name."""

ENGLAND_REGIONS: tuple[Region, ...] = tuple(
    Region(code=c, name=n)
    for c, n in [
        ("E12000001", "North East"),
        ("E12000002", "North West"),
        ("E12000003", "Yorkshire and The Humber"),
        ("E12000004", "East Midlands"),
        ("E12000005", "West Midlands"),
        ("E12000006", "East of England"),
        ("E12000007", "London"),
        ("E12000008", "South East"),
        ("E12000009", "South West"),
    ]
)
