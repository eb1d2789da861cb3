"""Scenario schema, policy and objective: targets, place shares, equity, the objective, the solver."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, model_validator

from workforce.scenario.schema_base import Base, Fraction, Id, Money, Term
from workforce.scenario.tables import Table


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

class TieBreak(Base):
    """A last stage that picks one plan among equally good ones: with the optimum of the stages
    before it held to within ``tolerance`` (relative), it minimises the year-to-year changes in
    every programme's intake in every region, and then settles what remains open by small costs
    fixed by the columns' names (models/cohort_planning.md, section 8.5)."""

    tolerance: Annotated[float, Field(ge=0, le=0.01)] = 0.0
    """Relative slack on the optimum of the stage before it: that stage's objective stays within
    tolerance x max(1, |optimum|) of its optimum. 0 (the default) keeps the optimum exactly, so an
    unrelated role added to the scenario changes nothing else in the plan; a positive value lets the
    tie-break trade up to that fraction of the optimum for smoother intake."""

class Discount(Base):
    """Discounting of the objective's money terms and shortfall penalty to a price base year
    (models/cohort_planning.md, section 8.7); budgets stay in cash."""

    rate: Annotated[float, Field(ge=0, lt=1, allow_inf_nan=False)]
    """Yearly discount rate, e.g. 0.035 (the HM Treasury Green Book's 3.5 % for years 0-30)."""
    base_year: int = Field(ge=2000, le=2100)
    """Price base year: money in this year counts at face value, a year t later at (1 + rate)^-(t - base_year).
    It must lie within or before the horizon, and the last year at most 30 years after it."""

class SurplusGroup(Base):
    roles: list[Id] = Field(min_length=1)
    """Roles whose surplus counts together."""
    max: Table
    """Most combined surplus per region and year."""

class Objective(Base):
    weights: dict[Term, Money] = {}
    """Weight of each term in the weighted sum; a term not listed has weight 1, except the people
    counts (``exit_count``, ``hire_count``, ``starter_count``, ``flexible_count``), which have weight 0
    unless ``lexicographic`` lists them."""
    lexicographic: list[list[Term]] | None = None
    """Optimise groups of terms in order, e.g. ``[[shortfall], [training_cost, hiring_cost]]``:
    each later group is optimised while the earlier groups keep their optimum."""
    lexicographic_tolerance: Annotated[float, Field(ge=0, le=0.5)] = 1e-6
    """Relative slack allowed on an earlier group's optimum when optimising the later ones."""
    equity: Equity | None = None
    """Minimise the worst regional shortfall rate, alone or before the terms above; the plan then
    reports the price of fairness against the efficiency-optimal plan."""
    tie_break: TieBreak | None = None
    """Pick one plan among equally good ones by a last stage that smooths intake year to year
    (none: HiGHS returns whichever optimal plan it finds first)."""
    discount: Discount | None = None
    """Discount every money term and the shortfall penalty to a price base year (none: cash, as
    before); the plan reports discounted and cash totals side by side."""

    def weight(self, term: str) -> float:
        """The term's weight: as given, else 1; a count term (``*_count``) not given a weight
        counts only where ``lexicographic`` lists it."""
        if term in self.weights:
            return float(self.weights[term])  # type: ignore[index]
        if term.endswith("_count"):
            return 1.0 if any(term in group for group in self.lexicographic or []) else 0.0
        return 1.0

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
    cohort_strengthening: bool = False
    """Give HiGHS valid inequalities on whole cohort counts (models/cohort_planning.md section 12.6): a
    tighter bound, the same optimum; used only when a programme is delivered in ``cohorts``."""
    region_decomposition: bool = False
    """Before HiGHS's own search, split the model by region (relaxing budgets, national places and
    other rows across regions with Lagrange multipliers; models/cohort_planning.md section 12.7): a
    certified bound joined to HiGHS's, and a plan HiGHS starts from; uses at most half the time limit.
    Used only when a programme is delivered in ``cohorts``."""
