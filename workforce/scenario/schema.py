"""The scenario schema: frozen pydantic models that reject unknown keys.

Units: people or FTE as the role says; money in thousands of pounds (£k); rates as fractions
(0.09 = 9% a year); years are academic years (2026 = 2026/27).
Cross-references (a programme's role, a cost's funding stream, table regions and years) are
checked in :mod:`workforce.scenario.checks` once the whole scenario is known.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, StringConstraints, model_validator

from workforce.conveniences import provider
from workforce.scenario.derive import IMMUTABLE
from workforce.scenario.tables import ReadOnlyDict, ReadOnlyList, Table, freeze

SPOOFING = {
    "\u061c": "ARABIC LETTER MARK", "\u200b": "ZERO WIDTH SPACE", "\u200c": "ZERO WIDTH NON-JOINER",
    "\u200d": "ZERO WIDTH JOINER", "\u200e": "LEFT-TO-RIGHT MARK", "\u200f": "RIGHT-TO-LEFT MARK",
    "\u202a": "LEFT-TO-RIGHT EMBEDDING", "\u202b": "RIGHT-TO-LEFT EMBEDDING", "\u202c": "POP DIRECTIONAL FORMATTING",
    "\u202d": "LEFT-TO-RIGHT OVERRIDE", "\u202e": "RIGHT-TO-LEFT OVERRIDE", "\u2060": "WORD JOINER",
    "\u2066": "LEFT-TO-RIGHT ISOLATE", "\u2067": "RIGHT-TO-LEFT ISOLATE", "\u2068": "FIRST STRONG ISOLATE",
    "\u2069": "POP DIRECTIONAL ISOLATE", "\ufeff": "ZERO WIDTH NO-BREAK SPACE",
}
"""Bidirectional controls and zero-width characters: invisible, they make a name look on screen and in
a spreadsheet unlike what it is (Trojan Source, CVE-2021-42574), so names may not hold them."""

_NOT_SPOOF = "".join(f"\\u{ord(c):04x}" for c in SPOOFING)

Name = Annotated[
    str,
    StringConstraints(min_length=1, max_length=120,
                      pattern=rf"^[^=+\-@\s\x00-\x1f\x7f{_NOT_SPOOF}][^\x00-\x1f\x7f{_NOT_SPOOF}]*$"),
]
"""Free-text label. It may not start with a character that spreadsheets treat as a formula, nor hold
control characters (a carriage return would split a CSV row) or invisible bidirectional and
zero-width characters."""

Text = Annotated[
    str, StringConstraints(max_length=4000, pattern=rf"^[^\x00-\x08\x0b-\x1f\x7f{_NOT_SPOOF}]*$"),
]
"""Longer free text (a description): new lines and tabs allowed, other control characters and
invisible bidirectional or zero-width characters not."""


def spoofing_character(text: str) -> str | None:
    """The first invisible bidirectional or zero-width character in ``text``, named, or None."""
    for i, ch in enumerate(text):
        if ch in SPOOFING:
            return f"U+{ord(ch):04X} ({SPOOFING[ch]}) at character {i + 1}"
    return None

Id = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,39}$")]
"""Identifier used as a key: lower-case letters, digits and underscores, starting with a letter."""

Money = Annotated[float, Field(ge=0, allow_inf_nan=False)]
Fraction = Annotated[float, Field(ge=0, le=1, allow_inf_nan=False)]

TERMS = (
    "shortfall",
    "training_cost",
    "hiring_cost",
    "surplus_cost",
    "flexible_cost",
    "exit_cost",
)
"""Objective terms, in the order the formulation document lists them."""

Term = Literal[
    "shortfall", "training_cost", "hiring_cost", "surplus_cost", "flexible_cost", "exit_cost"
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
        if isinstance(self, Scenario):
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


class Horizon(Base):
    first_year: int = Field(ge=2000, le=2100)
    """First planning year (academic year: 2026 means 2026/27)."""
    last_year: int = Field(ge=2000, le=2100)
    """Last planning year, inclusive."""
    terminal_value: TerminalValue | None = None
    """Penalise the shortfall of the first years after the last one, given the end-of-horizon stock
    and the pipeline; none means completers after the last year count for nothing and intake falls
    to its floor in the last years of the horizon."""

    @model_validator(mode="after")
    def _order(self) -> Horizon:
        if self.last_year < self.first_year:
            raise ValueError("last_year must not be before first_year")
        if self.last_year - self.first_year >= 100:
            raise ValueError("the horizon may span at most 100 years")
        return self

    @property
    def years(self) -> list[int]:
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
"""England's nine regions (ONS codes), the default geography."""


class Hiring(Base):
    max: Table
    """Most qualified staff hired from outside the modelled workforce, per region and year
    (people or FTE)."""
    cost: Money = 0.0
    """Cost of one hire (£k)."""
    stream: Id | None = None
    """Funding stream that pays for hiring; none means the cost counts in the objective only."""


class Exits(Base):
    enabled: bool = False
    """Allow early release or redundancy as a decision. Off unless a scenario turns it on."""
    cost: Money = 0.0
    """Cost of one exit (£k)."""
    max: Table | None = None
    """Most exits per region and year; none means no cap beyond the stock itself."""
    stream: Id | None = None
    """Funding stream that pays for exits."""


class FlexibleOption(Base):
    name: Name
    """What the option is, e.g. Agency and locum EPs."""
    fte_per_unit: float = Field(allow_inf_nan=False)
    """FTE one unit adds to supply (positive, e.g. 1 for an agency FTE) or removes from it
    (negative, e.g. -0.2 for a move to four days a week)."""
    cost: Money
    """Cost of one unit for one year (£k)."""
    max: Table
    """Most units per region and year."""
    stream: Id | None = None
    """Funding stream that pays for the option."""

    @model_validator(mode="after")
    def _nonzero(self) -> FlexibleOption:
        if self.fte_per_unit == 0:
            raise ValueError("fte_per_unit must not be zero")
        return self


class DemandForecast(Base):
    """Demand computed from a projected driver series (see :mod:`workforce.scenario.projection`).

    demand[r, t] = driver projected to year t + driver_year_offset, x each ``multiply`` ratio,
    / each ``divide`` ratio. The loader computes the role's ``demand`` table from this spec.
    """

    driver: Table
    """Observed driver by region, then year (e.g. EHC plans in January): ``{E12000001: {2019: 1200,
    2020: 1310}, ...}`` or, usually, ``{file: ...}`` with one row per region. One number (the same
    everywhere, every year) only with method ``flat``; a mapping by year, then region, is refused."""
    driver_name: Name | None = None
    """What the driver counts, e.g. EHC plans (0-25) in January."""
    method: Literal["compound", "linear", "damped", "flat"]
    """How the driver is projected past ``fit_to``."""
    fit_from: int | None = Field(default=None, ge=1900, le=2200)
    """First year of the fit window; default the first observed year."""
    fit_to: int | None = Field(default=None, ge=1900, le=2200)
    """Last year of the fit window, the year projections start from; default the last observed year."""
    damping: Fraction = 0.8
    """Damped trend only: share of the excess growth kept each further year (1 = no damping)."""
    long_run_growth: Annotated[float, Field(ge=-0.5, le=1, allow_inf_nan=False)] = 0.0
    """Damped trend only: the growth rate the trend decays towards (0.02 = 2% a year)."""
    driver_year_offset: int = Field(default=0, ge=-10, le=10)
    """Demand in planning year t uses the driver of year t + offset (1: academic year 2026/27
    uses January 2027)."""
    multiply: dict[Id, Table] = {}
    """Named ratios the driver is multiplied by, one value or one per region."""
    divide: dict[Id, Table] = {}
    """Named ratios the driver is divided by, one value or one per region (not zero)."""
    plus: dict[Id, DemandForecast] = {}
    """Further components added to this one, each with its own driver, method and ratios (e.g.
    childminders beside group settings)."""

    @model_validator(mode="after")
    def _window(self) -> DemandForecast:
        if self.fit_from is not None and self.fit_to is not None and self.fit_to < self.fit_from:
            raise ValueError("fit_to must not be before fit_from")
        return self


class Tenure(Base):
    """Attrition by years since qualifying for some completers, e.g. a return-of-service tie-in."""

    attrition: list[Fraction] = Field(min_length=1, max_length=10)
    """Share that leaves in the 1st, 2nd, ... year after the year they qualified (fractions a year);
    after the last entry they leave at the role's ``attrition``. E.g. ``[0.03, 0.03, 0.03, 0.2]``
    for a three-year tie-in followed by a jump."""
    programmes: list[Id] | None = None
    """Programmes whose completers follow this profile; none means every programme into the role.
    Hires and other completers keep ``attrition_new_entrants`` then ``attrition``."""
    from_intake_year: int | None = None
    """Only cohorts that started in or after this academic year follow the profile (e.g. 2024 for
    the three-year EP tie-in); none means every cohort completing in the horizon."""


class StatutoryDeadline(Base):
    """A role's holders must gain a qualification within some years of appointment (e.g. a newly
    appointed SENCO must hold the NPQ within three years). Posts counted as ``shortfall`` are held by
    unqualified appointees, tracked by years since appointment."""

    within_years: int = Field(default=3, ge=1, le=10)
    """Years from appointment by which the holder must be qualified: someone appointed in year s
    and still unqualified in year s + within_years is out of compliance."""
    mode: Literal["require", "penalise"] = "require"
    """``require``: no one may be out of compliance (a hard limit); ``penalise``: breaches cost
    ``penalty`` each in the shortfall term."""
    penalty: Money = 0.0
    """Weight of one post-year out of compliance, added to the shortfall term (mode penalise)."""
    initial_shares: list[Fraction] = Field(default=[1.0], min_length=1, max_length=10)
    """How the posts without a qualified holder at the start (first-year demand − initial_stock,
    at least 0) split by when they were appointed: entry i is the share appointed i + 1 years
    before the first year. Must sum to 1."""

    @model_validator(mode="after")
    def _shares(self) -> StatutoryDeadline:
        if abs(sum(self.initial_shares) - 1.0) > 1e-6:
            raise ValueError(f"initial_shares must sum to 1, got {sum(self.initial_shares):g}")
        return self


class Role(Base):
    name: Name
    """What the stock is, e.g. Local-authority educational psychologists."""
    unit: Literal["people", "FTE"] = "people"
    """Unit of the stock and of demand."""
    initial_stock: Table
    """Qualified staff in post at the start of the first year, per region."""
    attrition: Table
    """Share of the established stock that leaves in a year (0-1), one value or per region."""
    attrition_new_entrants: Table | None = None
    """Share of new entrants (completions and hires) that leave in the year after the year they join
    (entrants of year t leave at this rate in year t + 1; they count in full in year t); defaults to
    ``attrition``."""
    demand: Table
    """Staff needed per region and year."""
    demand_forecast: DemandForecast | None = None
    """Where ``demand`` comes from when it is forecast: the loader fills ``demand`` from this spec."""
    shortfall_penalty: Money
    """Weight of one unit of unmet demand for one year in the shortfall term."""
    surplus_cost: Money = 0.0
    """Cost of one unit of supply above demand for one year (£k)."""
    surplus_max: Table | None = None
    """Most supply above demand per region and year; none means no cap."""
    hiring: Hiring | None = None
    """Hiring of already-qualified staff; none means no hiring."""
    exits: Exits = Exits()
    """Exits as a decision (early release, redundancy)."""
    flexible_supply: dict[Id, FlexibleOption] = {}
    """Agency staff, reduced hours and similar options, keyed by an id."""
    tenure: Tenure | None = None
    """Attrition by years since qualifying for some completers (tracked by tenure band only for
    roles that set this)."""
    statutory_deadline: StatutoryDeadline | None = None
    """Unqualified holders of unfilled posts must qualify within a deadline (e.g. SENCOs, NPQ in
    three years)."""


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
    course_costs: list[dict[Id, Money]] = Field(min_length=1)
    """Cost per starter for each course year, by funding stream (£k), e.g.
    ``[{dfe: 30}, {dfe: 11.25, la: 17}]``. At most ``duration + 1`` course years."""
    places: Table | None = None
    """Most starters per region and year (training places)."""
    national_places: Table | None = None
    """Most starters across all regions per year."""
    supervision_ratio: Annotated[float, Field(gt=0, allow_inf_nan=False)] | None = None
    """Most starters per qualified member of ``supervisor_role`` in the region at the start of
    the year, e.g. 0.1 placements per EP."""
    supervisor_role: Id | None = None
    """Role whose stock limits intake through ``supervision_ratio``; defaults to ``role``."""
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


class Target(Base):
    """A policy target on a programme's completions or intake, e.g. at least 5,000 trained by 2030."""

    programme: Id
    """Programme whose trainees count."""
    measure: Literal["completions", "intake"] = "completions"
    """What counts: qualified completers joining the role (people) or starters (trainees)."""
    from_year: int | None = None
    """First academic year counted; none means the first planning year."""
    by_year: int
    """Last academic year counted (inclusive): 2030 means by the end of 2030/31 (August 2031)."""
    at_least: Table
    """Target (people or trainees) for each row: one number, or one per row year (``{2027: 150,
    2028: 180}``, for an annual target); with scope ``region`` also a value per region, or region ->
    year -> value. A cumulative target has one row, ``by_year``; an annual one a row per year from
    ``from_year`` to ``by_year``, and a by-year table must give each of them."""
    scope: Literal["national", "region"] = "national"
    """``national``: the sum over ``regions`` must reach ``at_least``; ``region``: each region
    must reach its own value."""
    regions: list[str] | None = None
    """Regions (codes or names) that count; none means all."""
    annual: bool = False
    """False: the cumulative count from ``from_year`` to ``by_year`` must reach the target;
    true: every year from ``from_year`` to ``by_year`` must reach it on its own (e.g. at least
    200 starters a year from 2026)."""


class PlaceShare(Base):
    """Bounds on the share of a programme's starters that a group of regions receives."""

    programme: Id
    """Programme whose starters are shared."""
    regions: list[str] = Field(min_length=1)
    """The region group (codes or names), e.g. every region outside London and the South East."""
    min_share: Fraction | None = None
    """Least share of the programme's national starters in each year (0-1)."""
    max_share: Fraction | None = None
    """Most share of the programme's national starters in each year (0-1)."""
    from_year: int | None = None
    """First academic year the bounds apply; none means the first planning year."""
    to_year: int | None = None
    """Last academic year the bounds apply; none means the last planning year."""

    @model_validator(mode="after")
    def _bounds(self) -> PlaceShare:
        if self.min_share is None and self.max_share is None:
            raise ValueError("give min_share, max_share or both")
        if self.min_share is not None and self.max_share is not None and self.min_share > self.max_share:
            raise ValueError(f"min_share {self.min_share:g} is above max_share {self.max_share:g}")
        return self


class Equity(Base):
    """Regional equity: minimise the worst regional shortfall rate (shortfall / demand)."""

    roles: list[Id] | None = None
    """Roles whose regional shortfall rates count; none means every role."""
    basis: Literal["horizon", "year"] = "horizon"
    """``horizon``: a region's rate is its shortfall summed over the horizon over its demand summed
    over the horizon; ``year``: every region-year's rate counts on its own."""
    mode: Literal["before_cost", "alone"] = "before_cost"
    """``before_cost``: minimise the worst rate first, then the usual objective with the worst rate
    held (lexicographic); ``alone``: minimise the worst rate only."""
    tolerance: Annotated[float, Field(ge=0, le=0.5)] = 1e-6
    """Slack allowed on the worst rate (absolute, as a fraction of demand) while the usual
    objective is optimised after it."""


class SurplusGroup(Base):
    roles: list[Id] = Field(min_length=1)
    """Roles whose surplus counts together."""
    max: Table
    """Most combined surplus per region and year."""


class Objective(Base):
    weights: dict[Term, Money] = {}
    """Weight of each term in the weighted sum; a term not listed has weight 1."""
    lexicographic: list[list[Term]] | None = None
    """Optimise groups of terms in order, e.g. ``[[shortfall], [training_cost, hiring_cost]]``:
    each later group is optimised while the earlier groups keep their optimum."""
    lexicographic_tolerance: Annotated[float, Field(ge=0, le=0.5)] = 1e-6
    """Relative slack allowed on an earlier group's optimum when optimising the later ones."""
    equity: Equity | None = None
    """Minimise the worst regional shortfall rate, alone or before the terms above; the plan then
    reports the price of fairness against the efficiency-optimal plan."""

    def weight(self, term: str) -> float:
        return float(self.weights.get(term, 1.0))  # type: ignore[call-overload]


class SolverSettings(Base):
    time_limit: Annotated[float, Field(gt=0)] | None = None
    """Seconds HiGHS may spend; none means no limit."""
    threads: int = Field(default=1, ge=0, le=64)
    """HiGHS threads; 1 gives reproducible runs."""
    random_seed: int = Field(default=0, ge=0, le=2_147_483_647)  # the range HiGHS accepts (1.16: 2**31 is refused)
    """HiGHS random seed."""
    verify_tolerance: Annotated[float, Field(gt=0, le=1e-2)] = 1e-6
    """Largest relative violation of any limit accepted when the plan is re-checked."""
    mip_gap: Annotated[float, Field(ge=0, le=1)] = 1e-3
    """Relative optimality gap at which HiGHS stops a mixed-integer solve (0.001 = 0.1%); used only
    when a programme is delivered in ``cohorts``."""


class Scenario(Base):
    name: Name
    """Scenario name, shown on outputs."""
    description: Text = ""
    """What the scenario is for."""
    horizon: Horizon
    """Years to plan for."""
    regions: list[Region] = Field(default=list(ENGLAND_REGIONS), min_length=1)
    """Areas to plan for; defaults to England's nine regions."""
    roles: dict[Id, Role] = Field(min_length=1)
    """Workforce stocks that carry demand, keyed by an id."""
    programmes: dict[Id, Programme] = {}
    """Training routes into roles, keyed by an id."""
    funding_streams: dict[Id, FundingStream] = {}
    """Who pays for training and other costs, keyed by an id."""
    surplus_groups: dict[Id, SurplusGroup] = {}
    """Caps on surplus shared by several roles."""
    targets: dict[Id, Target] = {}
    """Policy targets on completions or intake, keyed by an id."""
    place_shares: dict[Id, PlaceShare] = {}
    """Least or most share of a programme's starters for a group of regions, keyed by an id."""
    objective: Objective = Objective()
    """What the plan minimises: a weighted sum of the terms, or groups of terms in order."""
    solver: SolverSettings = SolverSettings()
    """HiGHS settings."""

    # Set by the loader: where each value came from (file, line), sha256 of each input file.
    _sources: dict[tuple[Any, ...], tuple[str, int | None]] = PrivateAttr(default_factory=dict)
    _inputs: dict[str, str] = PrivateAttr(default_factory=dict)
    _origin: str = PrivateAttr(default="<python>")
    _validated: bool = PrivateAttr(default=False)
    """True once every check has passed; False for ``model_construct``, which the solver refuses."""

    @model_validator(mode="after")
    def _cross_check(self) -> Scenario:
        from workforce.scenario.checks import check_scenario

        check_scenario(self)
        self._validated = True
        return self

    def derive(self, changes: Mapping[str, Any] | None = None, /, **fields: Any) -> Scenario:
        """A changed copy, validated like a scenario read from YAML: ``changes`` merges in as a variant
        file would (mappings key by key, tables and lists replaced, None removes a key), e.g.
        ``scenario.derive({"roles": {"ep": {"attrition": 0.12}}}, name="Higher EP attrition")``."""
        from workforce.scenario.derive import derive

        return derive(self, changes, **fields)

    @property
    def years(self) -> list[int]:
        return self.horizon.years

    def region_keys(self) -> dict[str, str]:
        """Every accepted region key (code or name) mapped to its code."""
        keys = {r.code: r.code for r in self.regions}
        keys.update({r.name: r.code for r in self.regions})
        return keys

    def source_of(self, path: tuple[Any, ...]) -> tuple[str, int | None]:
        """File and line a key path was read from (the nearest enclosing key that has one)."""
        for depth in range(len(path), -1, -1):
            if path[:depth] in self._sources:
                return self._sources[path[:depth]]
        return (self._origin, None)

    @property
    def input_hashes(self) -> dict[str, str]:
        """sha256 of every file the scenario was read from."""
        return dict(self._inputs)

    def __repr__(self) -> str:
        return provider("scenario.text")(self)

    __str__ = __repr__  # print(scenario) gives the summary too, not pydantic's dump of every field

    def _repr_html_(self) -> str:
        return provider("scenario.html")(self)

    def sha256(self) -> str:
        """Hash of the validated scenario's content (independent of file layout and comments)."""
        import hashlib

        return hashlib.sha256(self.model_dump_json().encode()).hexdigest()
