"""Scenario schema, roles: stock, demand, attrition, hiring, exits, flexible supply, tenure, deadlines."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, model_validator

from workforce.scenario.movement import Movement
from workforce.scenario.moves import Moves
from workforce.scenario.schema_base import Base, Fraction, Id, Money, Name
from workforce.scenario.tables import Table


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
    fte_per_head: Table | None = None
    """FTE each person adds when they join (completers, hires) or leave by a decision (retraining
    starters, exits), for a role with ``unit: FTE``: one number, or a mapping year -> number, each
    above 0 and at most 1.5, e.g. 0.8; none means 1 (models/cohort_planning.md, section 23)."""
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
    required_share: Table | None = None
    """Share of demand that must be met (a hard requirement, a constraint rather than a penalty),
    per region and year between 0 and 1: 1 means in full; none means no requirement."""
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
    moves: Moves | None = None
    """Moves between regions as a decision: most people a year per route (origin -> destination), a
    cost per person and the stream that pays (models/cohort_planning.md, section 24); none means no
    moves."""
    movement: Movement | None = None
    """Staff moving between regions each year: origin region -> destination region -> share of the
    origin's stock at the start of the year (or year -> share), or ``{file: x.csv}`` with columns
    from, to, share (and optionally year). Shares out of a region plus attrition are at most 1;
    none means no movement."""
